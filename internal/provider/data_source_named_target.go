package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/callingportal/terraform-provider-callingportal/internal/client"
	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
)

var (
	_ datasource.DataSource              = (*namedTargetDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*namedTargetDataSource)(nil)
)

// NewPhoneDataSource finds a phone (a desk phone or other device) of the
// site by name.
func NewPhoneDataSource() datasource.DataSource {
	return &namedTargetDataSource{
		kind:        contract.TargetPhone,
		examples:    "a desk phone or other device",
		nameExample: "Lobby Phone",
		extra:       "model",
		extraDescription: "The phone's make and model, such as `Poly VVX 250`. " +
			"Null when the portal has none.",
		find: func(ctx context.Context, c *client.Client, name string) (namedTargetModel, error) {
			ph, err := c.Phones.FindByName(ctx, name)
			return newPhoneDataSourceModel(ph), err
		},
	}
}

// NewServiceDataSource finds a service (auto attendant, hunt group, call
// queue...) of the site by name.
func NewServiceDataSource() datasource.DataSource {
	return &namedTargetDataSource{
		kind:             contract.TargetService,
		examples:         "auto attendant, hunt group, call queue...",
		nameExample:      "Sales Hunt Group",
		extra:            "type",
		extraDescription: "The kind of service: one of `" + strings.Join(contract.ServiceTypes, "`, `") + "`.",
		find: func(ctx context.Context, c *client.Client, name string) (namedTargetModel, error) {
			s, err := c.Services.FindByName(ctx, name)
			return newServiceDataSourceModel(s), err
		},
	}
}

// namedTargetDataSource finds a target that numbers are assigned to, a phone
// or a service, by its name: callingportal_phone and callingportal_service
// differ only in the kind and in the one attribute they add to id and name.
type namedTargetDataSource struct {
	client           *client.Client      // set by Configure
	kind             contract.TargetType // the type name and the word in every message
	examples         string              // what the kind covers, for the description
	nameExample      string              // a seeded target's name
	extra            string              // the attribute besides id and name
	extraDescription string
	find             func(ctx context.Context, c *client.Client, name string) (namedTargetModel, error)
}

// namedTargetModel is a phone or a service; Extra is the attribute named by
// namedTargetDataSource.extra: a phone's model, a service's type.
type namedTargetModel struct {
	ID    types.String
	Name  types.String
	Extra types.String
}

func (d *namedTargetDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + string(d.kind)
}

func (d *namedTargetDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	kind := string(d.kind)
	resp.Schema = schema.Schema{
		MarkdownDescription: "Finds a " + kind + " of the site (" + d.examples + ") by name, typically to " +
			"assign a number to it with `callingportal_number_assignment`. Fails when no " + kind + " has the name.",
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{
				MarkdownDescription: "The " + kind + "'s name, exactly as the portal shows it, such as `" + d.nameExample + "`.",
				Required:            true,
			},
			"id": schema.StringAttribute{
				MarkdownDescription: "The " + kind + "'s ID: the `" + kind + "_id` of a `callingportal_number_assignment`.",
				Computed:            true,
			},
			d.extra: schema.StringAttribute{
				MarkdownDescription: d.extraDescription,
				Computed:            true,
			},
		},
	}
}

func (d *namedTargetDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, &resp.Diagnostics); pd != nil {
		d.client = pd.client
	}
}

func (d *namedTargetDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var name types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("name"), &name)...)
	if resp.Diagnostics.HasError() {
		return
	}
	m, err := d.find(ctx, d.client, name.ValueString())
	if err != nil {
		addLookupError(&resp.Diagnostics, path.Root("name"), "find the "+string(d.kind), err)
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), m.ID)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name"), m.Name)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(d.extra), m.Extra)...)
}

// newPhoneDataSourceModel maps a phone; no model is null.
func newPhoneDataSourceModel(ph contract.Phone) namedTargetModel {
	return namedTargetModel{
		ID:    types.StringValue(ph.ID),
		Name:  types.StringValue(ph.Name),
		Extra: stringOrNull(ph.Model),
	}
}

// newServiceDataSourceModel maps a service.
func newServiceDataSourceModel(s contract.Service) namedTargetModel {
	return namedTargetModel{
		ID:    types.StringValue(s.ID),
		Name:  types.StringValue(s.Name),
		Extra: types.StringValue(s.Type),
	}
}
