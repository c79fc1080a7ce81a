package provider

// STUB: replaced by the helper that owns this file.

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
)

func NewPhoneDataSource() datasource.DataSource { return &phoneDataSource{} }

type phoneDataSource struct{}

func (d *phoneDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_phone"
}
func (d *phoneDataSource) Schema(context.Context, datasource.SchemaRequest, *datasource.SchemaResponse) {
}
func (d *phoneDataSource) Read(context.Context, datasource.ReadRequest, *datasource.ReadResponse) {}
