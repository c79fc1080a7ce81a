package provider

import (
	"slices"
	"testing"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// expectNumberDataSource checks every attribute of a callingportal_number data
// source; empty holder fields must be null.
func expectNumberDataSource(address, number, status, assignedType, assignedID, assignedName string) []statecheck.StateCheck {
	check := func(attr string, want knownvalue.Check) statecheck.StateCheck {
		return statecheck.ExpectKnownValue(address, tfjsonpath.New(attr), want)
	}
	return []statecheck.StateCheck{
		check("number", knownvalue.StringExact(number)),
		check("status", knownvalue.StringExact(status)),
		check("assigned_type", stringOrNullCheck(assignedType)),
		check("assigned_id", stringOrNullCheck(assignedID)),
		check("assigned_name", stringOrNullCheck(assignedName)),
	}
}

func TestAccNumberDataSource(t *testing.T) {
	testAccPreCheck(t)
	p := startPortal(t)
	sales, lobby := p.serviceID(t, "Sales Hunt Group"), p.phoneID(t, "Lobby Phone")
	grace := p.seededUserID(t, "grace.hopper@example.com")
	config := p.config(`
data "callingportal_number" "service" { number = "+13125550101" }
data "callingportal_number" "phone" { number = "+13125550110" }
data "callingportal_number" "user" { number = "+13125550122" }
data "callingportal_number" "free" { number = "+13125550199" }
`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: slices.Concat(
					expectNumberDataSource("data.callingportal_number.service", "+13125550101", "assigned", "service", sales, "Sales Hunt Group"),
					expectNumberDataSource("data.callingportal_number.phone", "+13125550110", "assigned", "phone", lobby, "Lobby Phone"),
					expectNumberDataSource("data.callingportal_number.user", "+13125550122", "assigned", "user", grace, "Grace Hopper"),
					expectNumberDataSource("data.callingportal_number.free", "+13125550199", "available", "", "", ""),
				),
			},
			{
				// Changed in the portal: the next read shows it.
				PreConfig: func() {
					if _, err := p.client.Numbers.Unassign(t.Context(), "+13125550110", 0); err != nil {
						t.Fatalf("unassign: %v", err)
					}
					if _, err := p.client.Numbers.Assign(t.Context(), "+13125550199", contract.Target{Type: contract.TargetPhone, ID: lobby}, true); err != nil {
						t.Fatalf("assign: %v", err)
					}
				},
				Config: config,
				ConfigStateChecks: slices.Concat(
					expectNumberDataSource("data.callingportal_number.phone", "+13125550110", "available", "", "", ""),
					expectNumberDataSource("data.callingportal_number.free", "+13125550199", "assigned", "phone", lobby, "Lobby Phone"),
				),
			},
		},
	})
}

func TestAccNumberDataSource_errors(t *testing.T) {
	testAccPreCheck(t)
	p := startPortal(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// Not in the pool: the portal's message, on the number attribute.
				Config: p.config(`
data "callingportal_number" "missing" {
  number = "+13125559999"
}
`),
				ExpectError: wrappedText(`number = "+13125559999" ` +
					"Could not read the number: number +13125559999 is not in the number pool of site demo"),
			},
			{
				Config:      p.config(`data "callingportal_number" "spelled" { number = "(312) 555-0110" }`),
				ExpectError: wrappedText(`"(312) 555-0110" has no country code: write it in E.164, starting with +`),
			},
			{
				Config:      p.config(`data "callingportal_number" "spelled" { number = "+1 312 555 0110" }`),
				ExpectError: wrappedText(`"+1 312 555 0110" is not in canonical E.164: write "+13125550110"`),
			},
		},
	})
}

func TestNumberDataSourceMapping(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   contract.Number
		want numberModel
	}{
		{
			name: "available has null holder",
			in:   contract.Number{Number: "+13125550150", Status: contract.StatusAvailable, Version: 3},
			want: numberModel{
				Number:       types.StringValue("+13125550150"),
				Status:       types.StringValue("available"),
				AssignedType: types.StringNull(),
				AssignedID:   types.StringNull(),
				AssignedName: types.StringNull(),
			},
		},
		{
			name: "assigned names its holder",
			in: contract.Number{Number: "+13125550120", Status: contract.StatusAssigned,
				AssignedType: contract.TargetUser, AssignedID: "usr_1", AssignedName: "Ada Lovelace"},
			want: numberModel{
				Number:       types.StringValue("+13125550120"),
				Status:       types.StringValue("assigned"),
				AssignedType: types.StringValue("user"),
				AssignedID:   types.StringValue("usr_1"),
				AssignedName: types.StringValue("Ada Lovelace"),
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := newNumberModel(tc.in); got != tc.want {
				t.Errorf("newNumberModel(%+v)\n got %+v\nwant %+v", tc.in, got, tc.want)
			}
		})
	}
}
