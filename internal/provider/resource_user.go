package provider

// STUB: replaced by the helper that owns this file.

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

func NewUserResource() resource.Resource { return &userResource{} }

type userResource struct{}

func (r *userResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user"
}
func (r *userResource) Schema(context.Context, resource.SchemaRequest, *resource.SchemaResponse) {}
func (r *userResource) Create(context.Context, resource.CreateRequest, *resource.CreateResponse) {}
func (r *userResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse)       {}
func (r *userResource) Update(context.Context, resource.UpdateRequest, *resource.UpdateResponse) {}
func (r *userResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {}

var _ = schema.Schema{}
