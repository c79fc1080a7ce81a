package provider

// STUB: replaced by the helper that owns this file.

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
)

func NewNumbersDataSource() datasource.DataSource { return &numbersDataSource{} }

type numbersDataSource struct{}

func (d *numbersDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_numbers"
}
func (d *numbersDataSource) Schema(context.Context, datasource.SchemaRequest, *datasource.SchemaResponse) {
}
func (d *numbersDataSource) Read(context.Context, datasource.ReadRequest, *datasource.ReadResponse) {}
