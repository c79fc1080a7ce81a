package provider

// STUB: replaced by the helper that owns this file.

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
)

func NewNumberAssignmentResource() resource.Resource { return &numberAssignmentResource{} }

type numberAssignmentResource struct{}

func (r *numberAssignmentResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_number_assignment"
}
func (r *numberAssignmentResource) Schema(context.Context, resource.SchemaRequest, *resource.SchemaResponse) {
}
func (r *numberAssignmentResource) Create(context.Context, resource.CreateRequest, *resource.CreateResponse) {
}
func (r *numberAssignmentResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {
}
func (r *numberAssignmentResource) Update(context.Context, resource.UpdateRequest, *resource.UpdateResponse) {
}
func (r *numberAssignmentResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {
}

var _ = schema.Schema{}
