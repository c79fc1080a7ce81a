package provider

// STUB: replaced by the helper that owns this file.

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
)

func NewUserDataSource() datasource.DataSource { return &userDataSource{} }

type userDataSource struct{}

func (d *userDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user"
}
func (d *userDataSource) Schema(context.Context, datasource.SchemaRequest, *datasource.SchemaResponse) {
}
func (d *userDataSource) Read(context.Context, datasource.ReadRequest, *datasource.ReadResponse) {}
