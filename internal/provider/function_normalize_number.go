package provider

// STUB: replaced by the helper that owns this file.

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/function"
)

func NewNormalizeNumberFunction() function.Function { return &normalizeNumberFunction{} }

type normalizeNumberFunction struct{}

func (f *normalizeNumberFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "normalize_number"
}
func (f *normalizeNumberFunction) Definition(context.Context, function.DefinitionRequest, *function.DefinitionResponse) {
}
func (f *normalizeNumberFunction) Run(context.Context, function.RunRequest, *function.RunResponse) {}
