package provider

import (
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/function"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

func TestAccNormalizeNumberFunction(t *testing.T) {
	resource.ParallelTest(t, resource.TestCase{
		// Provider-defined functions need Terraform 1.8.
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: `
output "us_national" {
  value = provider::callingportal::normalize_number("(312) 555-0142", "US")
}
output "us_dots_lower_case_region" {
  value = provider::callingportal::normalize_number("312.555.0142", "us")
}
output "plus_one_spaces" {
  value = provider::callingportal::normalize_number("+1 312 555 0142", "")
}
output "plus_one_dashes" {
  value = provider::callingportal::normalize_number("+1-312-555-0142", "")
}
output "plus_ignores_region" {
  value = provider::callingportal::normalize_number("+1 (312) 555-0142", "GB")
}
output "canonical" {
  value = provider::callingportal::normalize_number("+13125550142", "")
}
output "uk_national" {
  value = provider::callingportal::normalize_number("020 7946 0018", "GB")
}
output "uk_international" {
  value = provider::callingportal::normalize_number("+44 20 7946 0018", "")
}
`,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownOutputValue("us_national", knownvalue.StringExact("+13125550142")),
					statecheck.ExpectKnownOutputValue("us_dots_lower_case_region", knownvalue.StringExact("+13125550142")),
					statecheck.ExpectKnownOutputValue("plus_one_spaces", knownvalue.StringExact("+13125550142")),
					statecheck.ExpectKnownOutputValue("plus_one_dashes", knownvalue.StringExact("+13125550142")),
					statecheck.ExpectKnownOutputValue("plus_ignores_region", knownvalue.StringExact("+13125550142")),
					statecheck.ExpectKnownOutputValue("canonical", knownvalue.StringExact("+13125550142")),
					statecheck.ExpectKnownOutputValue("uk_national", knownvalue.StringExact("+442079460018")),
					statecheck.ExpectKnownOutputValue("uk_international", knownvalue.StringExact("+442079460018")),
				},
			},
			{
				Config: `
output "bad_region" {
  value = provider::callingportal::normalize_number("312 555 0142", "XX")
}
`,
				ExpectError: wrappedText(`Invalid value for "region" parameter: "XX" is not an ISO 3166 region code such as US or GB`),
			},
			{
				Config: `
output "not_a_number" {
  value = provider::callingportal::normalize_number("call me", "US")
}
`,
				ExpectError: wrappedText(`Invalid value for "number" parameter: "call me" is not a phone number`),
			},
			{
				Config: `
output "no_country_code" {
  value = provider::callingportal::normalize_number("312 555 0142", "")
}
`,
				ExpectError: wrappedText(`Invalid value for "number" parameter: "312 555 0142" has no country code: write it in E.164, starting with +`),
			},
			{
				Config: `
output "too_short" {
  value = provider::callingportal::normalize_number("+1 312 555 014", "")
}
`,
				ExpectError: wrappedText(`Invalid value for "number" parameter: "+1 312 555 014" is not a valid number for its country`),
			},
		},
	})
}

func TestNormalizeNumberFunctionRun(t *testing.T) {
	for _, tc := range []struct {
		number, region string
		want           string
		// On error: the argument at fault and the start of the message.
		wantArg  int64
		wantText string
	}{
		{number: "(312) 555-0142", region: "US", want: "+13125550142"},
		{number: " 312 555 0142 ", region: " us ", want: "+13125550142"},
		{number: "+1 312-555-0142", region: "", want: "+13125550142"},
		{number: "+1.312.555.0142", region: "DE", want: "+13125550142"},
		{number: "020 7946 0018", region: "GB", want: "+442079460018"},
		{number: "+44 (0)20 7946 0018", region: "", want: "+442079460018"},
		{number: "312 555 0142", region: "XX", wantArg: 1, wantText: `"XX" is not an ISO 3166 region code`},
		{number: "312 555 0142", region: "USA", wantArg: 1, wantText: `"USA" is not an ISO 3166 region code`},
		{number: "312 555 0142", region: "", wantArg: 0, wantText: `"312 555 0142" has no country code`},
		{number: "", region: "US", wantArg: 0, wantText: "must not be empty"},
		{number: "call me", region: "US", wantArg: 0, wantText: `"call me" is not a phone number`},
		{number: "+1 312 555 014", region: "", wantArg: 0, wantText: `"+1 312 555 014" is not a valid number for its country`},
	} {
		t.Run(tc.number+"/"+tc.region, func(t *testing.T) {
			req := function.RunRequest{Arguments: function.NewArgumentsData([]attr.Value{
				types.StringValue(tc.number), types.StringValue(tc.region),
			})}
			resp := function.RunResponse{Result: function.NewResultData(types.StringUnknown())}
			NewNormalizeNumberFunction().Run(t.Context(), req, &resp)

			if tc.wantText == "" {
				if resp.Error != nil {
					t.Fatalf("error: %v", resp.Error)
				}
				if got := resp.Result.Value(); !got.Equal(types.StringValue(tc.want)) {
					t.Errorf("result = %v, want %q", got, tc.want)
				}
				return
			}
			if resp.Error == nil {
				t.Fatalf("result %v, want an error on argument %d", resp.Result.Value(), tc.wantArg)
			}
			if resp.Error.FunctionArgument == nil || *resp.Error.FunctionArgument != tc.wantArg {
				t.Errorf("error on argument %v, want %d", resp.Error.FunctionArgument, tc.wantArg)
			}
			if !strings.HasPrefix(resp.Error.Text, tc.wantText) {
				t.Errorf("error %q, want it to start with %q", resp.Error.Text, tc.wantText)
			}
			if strings.HasPrefix(resp.Error.Text, "number:") || strings.HasPrefix(resp.Error.Text, "region:") {
				t.Errorf("error %q repeats the argument's name: Terraform names it already", resp.Error.Text)
			}
		})
	}
}

func TestNormalizeNumberFunctionDefinition(t *testing.T) {
	var resp function.DefinitionResponse
	NewNormalizeNumberFunction().Definition(t.Context(), function.DefinitionRequest{}, &resp)
	d := resp.Definition
	if d.Summary == "" || d.Description == "" || d.MarkdownDescription == "" {
		t.Errorf("definition lacks a summary or description: %+v", d)
	}
	var names []string
	for _, p := range d.Parameters {
		names = append(names, p.GetName())
		if p.GetDescription() == "" || p.GetMarkdownDescription() == "" {
			t.Errorf("parameter %q lacks a description", p.GetName())
		}
	}
	if got := strings.Join(names, ","); got != "number,region" {
		t.Errorf("parameters %s, want number,region", got)
	}
}
