package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/callingportal/terraform-provider-callingportal/internal/client"
	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
)

var (
	_ datasource.DataSource              = (*phoneDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*phoneDataSource)(nil)
)

// NewPhoneDataSource finds a phone (a desk phone or other device) of the
// site by name.
func NewPhoneDataSource() datasource.DataSource { return &phoneDataSource{} }

type phoneDataSource struct {
	client *client.Client
}

type phoneDataSourceModel struct {
	ID    types.String `tfsdk:"id"`
	Name  types.String `tfsdk:"name"`
	Model types.String `tfsdk:"model"`
}

func (d *phoneDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_phone"
}

func (d *phoneDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Finds a phone of the site (a desk phone or other device) by name, typically to " +
			"assign a number to it with `callingportal_number_assignment`. Fails when no phone has the name.",
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{
				MarkdownDescription: "The phone's name, exactly as the portal shows it, such as `Lobby Phone`.",
				Required:            true,
			},
			"id": schema.StringAttribute{
				MarkdownDescription: "The phone's ID: the `phone_id` of a `callingportal_number_assignment`.",
				Computed:            true,
			},
			"model": schema.StringAttribute{
				MarkdownDescription: "The phone's make and model, such as `Poly VVX 250`. Null when the portal has none.",
				Computed:            true,
			},
		},
	}
}

func (d *phoneDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = configureDataSource(req, resp)
}

func (d *phoneDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config phoneDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	ph, err := d.client.Phones.FindByName(ctx, config.Name.ValueString())
	if err != nil {
		addLookupError(&resp.Diagnostics, path.Root("name"), "find the phone", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, newPhoneDataSourceModel(ph))...)
}

// newPhoneDataSourceModel maps a phone; no model is null.
func newPhoneDataSourceModel(ph portal.Phone) phoneDataSourceModel {
	return phoneDataSourceModel{
		ID:    types.StringValue(ph.ID),
		Name:  types.StringValue(ph.Name),
		Model: stringOrNull(ph.Model),
	}
}
