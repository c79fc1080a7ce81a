package provider

import (
	"context"

	"github.com/callingportal/terraform-provider-callingportal/internal/client"
	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	_ datasource.DataSource              = (*stationInventoryDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*stationInventoryDataSource)(nil)
)

// NewStationInventoryDataSource reads the site's station count, as the
// portal's "Check Station Inventory" shows it.
func NewStationInventoryDataSource() datasource.DataSource { return &stationInventoryDataSource{} }

type stationInventoryDataSource struct {
	client *client.Client
}

type stationInventoryDataSourceModel struct {
	Site      types.String `tfsdk:"site"`
	Available types.Int64  `tfsdk:"available"`
	InUse     types.Int64  `tfsdk:"in_use"`
	Total     types.Int64  `tfsdk:"total"`
}

func (d *stationInventoryDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_station_inventory"
}

func (d *stationInventoryDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads the site's station inventory. Every assigned number takes one station: " +
			"`available` is `total - in_use`, and `in_use` never exceeds `total`.",
		Attributes: map[string]schema.Attribute{
			"site": schema.StringAttribute{
				MarkdownDescription: "The ID of the site the provider manages, e.g. `demo`.",
				Computed:            true,
			},
			"available": schema.Int64Attribute{
				MarkdownDescription: "Stations free to take: setting up a user or assigning an available number takes one.",
				Computed:            true,
			},
			"in_use": schema.Int64Attribute{
				MarkdownDescription: "Stations taken: one for every assigned number.",
				Computed:            true,
			},
			"total": schema.Int64Attribute{
				MarkdownDescription: "Stations the site purchased.",
				Computed:            true,
			},
		},
	}
}

func (d *stationInventoryDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, &resp.Diagnostics); pd != nil {
		d.client = pd.client
	}
}

func (d *stationInventoryDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	inv, err := d.client.Inventory.Read(ctx)
	if err != nil {
		addPortalError(&resp.Diagnostics, path.Empty(), "read the station inventory", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, newStationInventoryModel(inv))...)
}

func newStationInventoryModel(inv contract.Inventory) stationInventoryDataSourceModel {
	return stationInventoryDataSourceModel{
		Site:      types.StringValue(inv.Site),
		Available: types.Int64Value(int64(inv.Available)),
		InUse:     types.Int64Value(int64(inv.InUse)),
		Total:     types.Int64Value(int64(inv.Total)),
	}
}
