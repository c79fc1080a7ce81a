package provider

import (
	"context"
	"errors"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/hashicorp/terraform-plugin-framework/function"
)

var _ function.Function = (*normalizeNumberFunction)(nil)

// NewNormalizeNumberFunction converts a phone number written in any common
// spelling to the canonical E.164 that the provider's attributes take.
func NewNormalizeNumberFunction() function.Function { return &normalizeNumberFunction{} }

type normalizeNumberFunction struct{}

func (f *normalizeNumberFunction) Metadata(_ context.Context, _ function.MetadataRequest, resp *function.MetadataResponse) {
	resp.Name = "normalize_number"
}

func (f *normalizeNumberFunction) Definition(_ context.Context, _ function.DefinitionRequest, resp *function.DefinitionResponse) {
	resp.Definition = function.Definition{
		Summary: "Convert a phone number to canonical E.164",
		Description: "Parses a phone number written in any common spelling, such as \"(312) 555-0142\" or " +
			"\"+1 312-555-0142\", and returns it in canonical E.164, such as \"+13125550142\": the form that " +
			"every number attribute of this provider takes. Fails when the text is not a valid number, or has an " +
			"extension (\"ext. 7\"), which E.164 cannot hold. Provider functions need Terraform 1.8 or later.",
		MarkdownDescription: "Parses a phone number written in any common spelling, such as `(312) 555-0142` or " +
			"`+1 312-555-0142`, and returns it in canonical E.164, such as `+13125550142`: the form that " +
			"every number attribute of this provider takes. Fails when the text is not a valid number " +
			"for its country, or has an extension (`ext. 7`), which E.164 cannot hold.\n\n" +
			"Provider functions need Terraform 1.8 or later (they are not in OpenTofu 1.6).\n\n" +
			"`normalize_number(\"(312) 555-0142\", \"US\")` returns `\"+13125550142\"`; " +
			"`normalize_number(\"+44 20 7946 0018\", \"\")` returns `\"+442079460018\"`.",
		Parameters: []function.Parameter{
			function.StringParameter{
				Name: "number",
				Description: "The phone number, in any common spelling. Spaces, dashes, dots and " +
					"parentheses are ignored. Without a leading \"+\" it is read as a national number of region.",
				MarkdownDescription: "The phone number, in any common spelling. Spaces, dashes, dots and " +
					"parentheses are ignored. Without a leading `+` it is read as a national number of `region`.",
			},
			function.StringParameter{
				Name: "region",
				Description: "The ISO 3166 country code, such as \"US\" or \"GB\", of a number written without " +
					"a leading \"+\". May be \"\" when the number starts with \"+\".",
				MarkdownDescription: "The ISO 3166 country code, such as `US` or `GB` (any case), of a number written " +
					"without a leading `+`. May be `\"\"` when the number starts with `+`.",
			},
		},
		Return: function.StringReturn{},
	}
}

func (f *normalizeNumberFunction) Run(ctx context.Context, req function.RunRequest, resp *function.RunResponse) {
	var number, region string
	resp.Error = function.ConcatFuncErrors(req.Arguments.Get(ctx, &number, &region))
	if resp.Error != nil {
		return
	}
	e164, err := contract.NormalizeNumber(number, region)
	if err != nil {
		resp.Error = function.NewArgumentFuncError(normalizeNumberArgAtFault(err), portalMessage(err))
		return
	}
	resp.Error = function.ConcatFuncErrors(resp.Result.Set(ctx, e164))
}

// normalizeNumberArgAtFault is the argument a NormalizeNumber error is about:
// the region when the portal rejects the region, else the number.
func normalizeNumberArgAtFault(err error) int64 {
	var pe *contract.Error
	if errors.As(err, &pe) && pe.Details["field"] == "region" {
		return normalizeNumberArgRegion
	}
	return normalizeNumberArgNumber
}

// The arguments of normalize_number, by position.
const (
	normalizeNumberArgNumber int64 = iota
	normalizeNumberArgRegion
)
