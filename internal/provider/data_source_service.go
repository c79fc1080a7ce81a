package provider

// STUB: replaced by the helper that owns this file.

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
)

func NewServiceDataSource() datasource.DataSource { return &serviceDataSource{} }

type serviceDataSource struct{}

func (d *serviceDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_service"
}
func (d *serviceDataSource) Schema(context.Context, datasource.SchemaRequest, *datasource.SchemaResponse) {
}
func (d *serviceDataSource) Read(context.Context, datasource.ReadRequest, *datasource.ReadResponse) {}
