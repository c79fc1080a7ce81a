package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/callingportal/terraform-provider-callingportal/internal/client"
	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
)

var (
	_ datasource.DataSource              = (*namedTargetDataSource[contract.Phone])(nil)
	_ datasource.DataSourceWithConfigure = (*namedTargetDataSource[contract.Phone])(nil)
)

// NewPhoneDataSource finds a phone (a desk phone or other device) of the
// site by name.
func NewPhoneDataSource() datasource.DataSource {
	return &namedTargetDataSource[contract.Phone]{kind: phoneTargets}
}

// NewServiceDataSource finds a service (auto attendant, hunt group, call
// queue...) of the site by name.
func NewServiceDataSource() datasource.DataSource {
	return &namedTargetDataSource[contract.Service]{kind: serviceTargets}
}

// namedTargetDataSource finds a target that numbers are assigned to, a phone
// or a service, by its name: callingportal_phone and callingportal_service
// show what callingportal_phones and callingportal_services list, one of it.
type namedTargetDataSource[T any] struct {
	kind   targetsKind[T]
	client *client.Client // set by Configure
}

func (d *namedTargetDataSource[T]) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + string(d.kind.typ)
}

func (d *namedTargetDataSource[T]) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	kind := string(d.kind.typ)
	attrs := d.kind.attributes()
	attrs["name"] = schema.StringAttribute{
		MarkdownDescription: "The " + kind + "'s name, such as `" + d.kind.nameExample + "`, in any case: names are unique regardless of case.",
		Required:            true,
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Finds a " + kind + " of the site (" + d.kind.examples + ") by name, typically to " +
			"assign a number to it with `callingportal_number_assignment`. Fails when no " + kind + " has the name, " +
			"and then lists the closest names the site has.",
		Attributes: attrs,
	}
}

func (d *namedTargetDataSource[T]) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, &resp.Diagnostics); pd != nil {
		d.client = pd.client
	}
}

func (d *namedTargetDataSource[T]) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var name types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("name"), &name)...)
	if resp.Diagnostics.HasError() {
		return
	}
	v, err := d.kind.find(ctx, d.client, name.ValueString())
	if err != nil {
		addLookupError(&resp.Diagnostics, path.Root("name"), "find the "+string(d.kind.typ), err, name.ValueString(), func() ([]string, error) {
			all, err := d.kind.list(ctx, d.client)
			names := make([]string, len(all))
			for i, v := range all {
				base, _ := d.kind.values(v)
				names[i] = base.Name
			}
			return names, err
		})
		return
	}
	_, values := d.kind.attrValues(v)
	values["name"] = name // as configured, whatever its case
	for attr, value := range values {
		resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(attr), value)...)
	}
}
