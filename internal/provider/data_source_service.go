package provider

import (
	"context"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/callingportal/terraform-provider-callingportal/internal/client"
	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
)

var (
	_ datasource.DataSource              = (*serviceDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*serviceDataSource)(nil)
)

// NewServiceDataSource finds a service (auto attendant, hunt group, call
// queue...) of the site by name.
func NewServiceDataSource() datasource.DataSource { return &serviceDataSource{} }

type serviceDataSource struct {
	client *client.Client
}

type serviceDataSourceModel struct {
	ID   types.String `tfsdk:"id"`
	Name types.String `tfsdk:"name"`
	Type types.String `tfsdk:"type"`
}

func (d *serviceDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_service"
}

func (d *serviceDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Finds a service of the site (auto attendant, hunt group, call queue...) by name, " +
			"typically to assign a number to it with `callingportal_number_assignment`. Fails when no service has the name.",
		Attributes: map[string]schema.Attribute{
			"name": schema.StringAttribute{
				MarkdownDescription: "The service's name, exactly as the portal shows it, such as `Sales Hunt Group`.",
				Required:            true,
			},
			"id": schema.StringAttribute{
				MarkdownDescription: "The service's ID: the `service_id` of a `callingportal_number_assignment`.",
				Computed:            true,
			},
			"type": schema.StringAttribute{
				MarkdownDescription: "The kind of service: one of `" + strings.Join(portal.ServiceTypes, "`, `") + "`.",
				Computed:            true,
			},
		},
	}
}

func (d *serviceDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	d.client = configureDataSource(req, resp)
}

func (d *serviceDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config serviceDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	s, err := d.client.Services.FindByName(ctx, config.Name.ValueString())
	if err != nil {
		addLookupError(&resp.Diagnostics, path.Root("name"), "find the service", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, newServiceDataSourceModel(s))...)
}

func newServiceDataSourceModel(s portal.Service) serviceDataSourceModel {
	return serviceDataSourceModel{
		ID:   types.StringValue(s.ID),
		Name: types.StringValue(s.Name),
		Type: types.StringValue(s.Type),
	}
}
