package provider

// STUB: replaced by the helper that owns this file.

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
)

func NewStationInventoryDataSource() datasource.DataSource { return &stationInventoryDataSource{} }

type stationInventoryDataSource struct{}

func (d *stationInventoryDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_station_inventory"
}
func (d *stationInventoryDataSource) Schema(context.Context, datasource.SchemaRequest, *datasource.SchemaResponse) {
}
func (d *stationInventoryDataSource) Read(context.Context, datasource.ReadRequest, *datasource.ReadResponse) {
}
