package provider

import (
	"fmt"
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
	testAccPreCheck(t)
	// output is an output named name that normalizes number in region.
	output := func(name, number, region string) string {
		return fmt.Sprintf("output %q {\n  value = provider::callingportal::normalize_number(%q, %q)\n}\n", name, number, region)
	}
	var outputs string
	var checks []statecheck.StateCheck
	for _, tc := range []struct{ name, number, region, want string }{
		{"us_national", "(312) 555-0142", "US", "+13125550142"},
		{"us_dots_lower_case_region", "312.555.0142", "us", "+13125550142"},
		{"plus_one_spaces", "+1 312 555 0142", "", "+13125550142"},
		{"plus_one_dashes", "+1-312-555-0142", "", "+13125550142"},
		{"plus_ignores_region", "+1 (312) 555-0142", "GB", "+13125550142"},
		{"canonical", "+13125550142", "", "+13125550142"},
		{"uk_national", "020 7946 0018", "GB", "+442079460018"},
		{"uk_international", "+44 20 7946 0018", "", "+442079460018"},
	} {
		outputs += output(tc.name, tc.number, tc.region)
		checks = append(checks, statecheck.ExpectKnownOutputValue(tc.name, knownvalue.StringExact(tc.want)))
	}
	steps := []resource.TestStep{{Config: outputs, ConfigStateChecks: checks}}
	for _, tc := range []struct{ name, number, region, wantError string }{
		{"bad_region", "312 555 0142", "XX", `Invalid value for "region" parameter: "XX" is not an ISO 3166 region code such as US or GB`},
		{"not_a_number", "call me", "US", `Invalid value for "number" parameter: "call me" is not a phone number`},
		{"no_country_code", "312 555 0142", "", `Invalid value for "number" parameter: "312 555 0142" has no country code: write it in E.164, starting with +`},
		{"too_short", "+1 312 555 014", "", `Invalid value for "number" parameter: "+1 312 555 014" is not a valid number for its country`},
	} {
		steps = append(steps, resource.TestStep{Config: output(tc.name, tc.number, tc.region), ExpectError: wrappedText(tc.wantError)})
	}
	resource.ParallelTest(t, resource.TestCase{
		// Provider-defined functions need Terraform 1.8.
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_8_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    steps,
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
		{number: "312-555-0142 ext 5", region: "US", wantArg: 0, wantText: `"312-555-0142 ext 5" has an extension (5)`},
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
