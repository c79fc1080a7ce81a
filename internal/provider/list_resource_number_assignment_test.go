package provider

import (
	"fmt"
	"slices"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

func TestNumberAssignmentListResource(t *testing.T) {
	p := startUnitPortal(t)
	pp := newProtoProvider(t, p)
	const assignment = "callingportal_number_assignment"
	main, sales, support := p.serviceID(t, "Main Auto Attendant"), p.serviceID(t, "Sales Hunt Group"), p.serviceID(t, "Support Queue")
	lobby := p.phoneID(t, "Lobby Phone")
	// The demo site: services on 0100-0102, the Lobby Phone on 0110, users
	// on 0120-0122, which are not listed.
	holders := map[string]struct{ attr, id, name string }{
		"+13125550100": {"service_id", main, "service Main Auto Attendant"},
		"+13125550101": {"service_id", sales, "service Sales Hunt Group"},
		"+13125550102": {"service_id", support, "service Support Queue"},
		"+13125550110": {"phone_id", lobby, "phone Lobby Phone"},
	}

	t.Run("every number on a phone or service, with its resource", func(t *testing.T) {
		results, diags := pp.list(assignment, nil, true, 0)
		pp.noErrors("ListResource", diags)
		want := []string{"+13125550100", "+13125550101", "+13125550102", "+13125550110"}
		if got := identities(results, "number"); !slices.Equal(got, want) {
			t.Fatalf("listed %v, want %v", got, want)
		}
		for _, r := range results {
			number := r.identity["number"]
			h := holders[number]
			expectAttrs(t, "identity", r.identity, map[string]string{"site": "demo", "number": number})
			expectAttrs(t, "resource", r.resource, map[string]string{"id": number, "number": number, h.attr: h.id})
			if want := number + " (" + h.name + ")"; r.displayName != want {
				t.Errorf("display name %q, want %q", r.displayName, want)
			}
		}
	})
	t.Run("identities only, unless resources are asked for", func(t *testing.T) {
		results, diags := pp.list(assignment, nil, false, 0)
		pp.noErrors("ListResource", diags)
		if len(results) != 4 {
			t.Errorf("listed %d numbers, want 4", len(results))
		}
		for _, r := range results {
			if r.resource != nil {
				t.Errorf("result %s has resource %v, want none", r.identity["number"], r.resource)
			}
		}
	})
	for _, tc := range []struct {
		name   string
		config map[string]any
		limit  int64
		want   []string
	}{
		{"phones", map[string]any{"assigned_type": "phone"}, 0, []string{"+13125550110"}},
		{"services", map[string]any{"assigned_type": "service"}, 0, []string{"+13125550100", "+13125550101", "+13125550102"}},
		{"one service", map[string]any{"assigned_id": sales}, 0, []string{"+13125550101"}},
		{"a service by the phone type", map[string]any{"assigned_type": "phone", "assigned_id": sales}, 0, nil},
		{"a user's ID", map[string]any{"assigned_id": p.seededUserID(t, "ada.lovelace@example.com")}, 0, nil},
		{"a prefix", map[string]any{"prefix": "+1312555011"}, 0, []string{"+13125550110"}},
		{"a prefix without a match", map[string]any{"prefix": "+44"}, 0, nil},
		{"up to the limit", nil, 2, []string{"+13125550100", "+13125550101"}},
	} {
		t.Run("filtered by "+tc.name, func(t *testing.T) {
			results, diags := pp.list(assignment, tc.config, false, tc.limit)
			pp.noErrors("ListResource", diags)
			if got := identities(results, "number"); !slices.Equal(got, tc.want) {
				t.Errorf("%v listed %v, want %v", tc.config, got, tc.want)
			}
		})
	}
	for _, tc := range []struct {
		config map[string]any
		error  string
	}{
		{map[string]any{"assigned_type": "user"}, `value must be one of: ["phone" "service"], got: "user"`},
		{map[string]any{"prefix": "1312"}, "must be + followed by 1 to 15 digits"},
		{map[string]any{"assigned_id": ""}, "string length must be at least 1"},
	} {
		t.Run(fmt.Sprintf("validation refuses %v", tc.config), func(t *testing.T) {
			expectError(t, "ValidateListResourceConfig", pp.validateList(assignment, tc.config), tc.error)
		})
	}
	t.Run("a filter that the portal refuses is an error", func(t *testing.T) {
		// Past validation, as when a value is only known when the query runs.
		results, diags := pp.list(assignment, map[string]any{"prefix": "+1 312"}, false, 0)
		if len(results) != 0 {
			t.Errorf("listed %d numbers", len(results))
		}
		expectError(t, "ListResource", diags, "Could not list the site's assigned numbers")
	})
	t.Run("a listed identity imports the assignment", func(t *testing.T) {
		results, diags := pp.list(assignment, map[string]any{"assigned_type": "phone"}, false, 0)
		pp.noErrors("ListResource", diags)
		if len(results) != 1 {
			t.Fatalf("listed %d numbers, want 1", len(results))
		}
		identity := map[string]any{}
		for k, v := range results[0].identity {
			identity[k] = v
		}
		resp := pp.importByIdentity(assignment, identity)
		pp.noErrors("ImportResourceState", resp.Diagnostics)
		read := pp.readImported(resp.ImportedResources[0])
		pp.noErrors("ReadResource", read.Diagnostics)
		expectAttrs(t, "state after import", pp.decode(pp.resourceType(assignment), read.NewState),
			map[string]string{"id": "+13125550110", "number": "+13125550110", "phone_id": lobby})
	})
}

// TestAccNumberAssignmentListResource runs `terraform query`; it needs
// Terraform 1.14 or later.
func TestAccNumberAssignmentListResource(t *testing.T) {
	testAccPreCheck(t)
	p := startPortal(t)
	lobby := p.phoneID(t, "Lobby Phone")
	lobbyNumber := queryfilter.ByResourceIdentity(map[string]knownvalue.Check{
		"site":   knownvalue.StringExact("demo"),
		"number": knownvalue.StringExact("+13125550110"),
	})
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// A query step needs a configuration applied before it.
				Config: p.config(``),
			},
			{
				Query: true,
				Config: p.config(`
list "callingportal_number_assignment" "all" {
  provider         = callingportal
  include_resource = true
}

list "callingportal_number_assignment" "phones" {
  provider = callingportal
  config {
    assigned_type = "phone"
  }
}

list "callingportal_number_assignment" "none" {
  provider = callingportal
  config {
    prefix = "+44"
  }
}
`),
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("callingportal_number_assignment.all", 4),
					querycheck.ExpectLength("callingportal_number_assignment.phones", 1),
					querycheck.ExpectLength("callingportal_number_assignment.none", 0),
					querycheck.ExpectIdentity("callingportal_number_assignment.phones", map[string]knownvalue.Check{
						"site":   knownvalue.StringExact("demo"),
						"number": knownvalue.StringExact("+13125550110"),
					}),
					querycheck.ExpectResourceDisplayName("callingportal_number_assignment.all", lobbyNumber,
						knownvalue.StringExact("+13125550110 (phone Lobby Phone)")),
					querycheck.ExpectResourceKnownValues("callingportal_number_assignment.all", lobbyNumber,
						[]querycheck.KnownValueCheck{
							{Path: tfjsonpath.New("phone_id"), KnownValue: knownvalue.StringExact(lobby)},
							{Path: tfjsonpath.New("service_id"), KnownValue: knownvalue.Null()},
						}),
				},
			},
		},
	})
}
