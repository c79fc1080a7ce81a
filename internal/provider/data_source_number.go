package provider

// STUB: replaced by the helper that owns this file.

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
)

func NewNumberDataSource() datasource.DataSource { return &numberDataSource{} }

type numberDataSource struct{}

func (d *numberDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_number"
}
func (d *numberDataSource) Schema(context.Context, datasource.SchemaRequest, *datasource.SchemaResponse) {
}
func (d *numberDataSource) Read(context.Context, datasource.ReadRequest, *datasource.ReadResponse) {}
