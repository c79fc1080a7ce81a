package provider

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// numberObject expects one element of callingportal_numbers.numbers; empty
// holder fields must be null.
func numberObject(number, status, assignedType, assignedID, assignedName string) knownvalue.Check {
	return knownvalue.ObjectExact(map[string]knownvalue.Check{
		"number":        knownvalue.StringExact(number),
		"status":        knownvalue.StringExact(status),
		"assigned_type": stringOrNullCheck(assignedType),
		"assigned_id":   stringOrNullCheck(assignedID),
		"assigned_name": stringOrNullCheck(assignedName),
	})
}

// checkCSVIsExport checks that the csv of a callingportal_numbers data
// source is byte for byte what the portal exports for the same filter.
func checkCSVIsExport(p *testPortal, t *testing.T, address string, f contract.NumberFilter) resource.TestCheckFunc {
	return resource.TestCheckResourceAttrWith(address, "csv", func(got string) error {
		var want strings.Builder
		if err := p.client.Numbers.Export(t.Context(), f, &want); err != nil {
			return fmt.Errorf("export %+v: %w", f, err)
		}
		if got != want.String() {
			return fmt.Errorf("%s.csv is not the portal's export for %+v:\n got %q\nwant %q", address, f, got, want.String())
		}
		return nil
	})
}

func TestAccNumbersDataSource(t *testing.T) {
	testAccPreCheck(t)
	p := startPortal(t)
	main, sales, support := p.serviceID(t, "Main Auto Attendant"), p.serviceID(t, "Sales Hunt Group"), p.serviceID(t, "Support Queue")
	lobby, conference := p.phoneID(t, "Lobby Phone"), p.phoneID(t, "Conference Room A")
	ada := p.seededUserID(t, "ada.lovelace@example.com")
	alan := p.seededUserID(t, "alan.turing@example.com")
	grace := p.seededUserID(t, "grace.hopper@example.com")

	config := p.config(fmt.Sprintf(`
data "callingportal_numbers" "all" {}

data "callingportal_numbers" "assigned" {
  status = "assigned"
}

data "callingportal_numbers" "users" {
  assigned_type = "user"
}

data "callingportal_numbers" "free_015x" {
  status = "available"
  prefix = "+1312555015"
}

data "callingportal_numbers" "none" {
  prefix = "+44"
}

data "callingportal_numbers" "lobby" {
  assigned_id = %q
}

data "callingportal_numbers" "conference" {
  assigned_type = "phone"
  assigned_id   = %q
}
`, lobby, conference))
	const (
		all      = "data.callingportal_numbers.all"
		assigned = "data.callingportal_numbers.assigned"
		users    = "data.callingportal_numbers.users"
		free015x = "data.callingportal_numbers.free_015x"
		none     = "data.callingportal_numbers.none"
		byLobby  = "data.callingportal_numbers.lobby"
		byConf   = "data.callingportal_numbers.conference"
	)
	numbers := tfjsonpath.New("numbers")
	checkCSVs := resource.ComposeAggregateTestCheckFunc(
		checkCSVIsExport(p, t, all, contract.NumberFilter{}),
		checkCSVIsExport(p, t, assigned, contract.NumberFilter{Status: contract.StatusAssigned}),
		checkCSVIsExport(p, t, users, contract.NumberFilter{AssignedType: contract.TargetUser}),
		checkCSVIsExport(p, t, free015x, contract.NumberFilter{Status: contract.StatusAvailable, Prefix: "+1312555015"}),
		checkCSVIsExport(p, t, none, contract.NumberFilter{Prefix: "+44"}),
		checkCSVIsExport(p, t, byLobby, contract.NumberFilter{AssignedID: lobby}),
		checkCSVIsExport(p, t, byConf, contract.NumberFilter{AssignedType: contract.TargetPhone, AssignedID: conference}),
	)
	seededUsers := []knownvalue.Check{
		numberObject("+13125550120", "assigned", "user", ada, "Ada Lovelace"),
		numberObject("+13125550121", "assigned", "user", alan, "Alan Turing"),
		numberObject("+13125550122", "assigned", "user", grace, "Grace Hopper"),
	}
	seededServices := []knownvalue.Check{
		numberObject("+13125550100", "assigned", "service", main, "Main Auto Attendant"),
		numberObject("+13125550101", "assigned", "service", sales, "Sales Hunt Group"),
		numberObject("+13125550102", "assigned", "service", support, "Support Queue"),
	}

	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(all, numbers, knownvalue.ListSizeExact(100)),
					statecheck.ExpectKnownValue(all, numbers, knownvalue.ListPartial(map[int]knownvalue.Check{
						0:  seededServices[0],
						10: numberObject("+13125550110", "assigned", "phone", lobby, "Lobby Phone"),
						99: numberObject("+13125550199", "available", "", "", ""),
					})),
					statecheck.ExpectKnownValue(assigned, numbers, knownvalue.ListExact(slices.Concat(
						seededServices,
						[]knownvalue.Check{numberObject("+13125550110", "assigned", "phone", lobby, "Lobby Phone")},
						seededUsers,
					))),
					statecheck.ExpectKnownValue(users, numbers, knownvalue.ListExact(seededUsers)),
					statecheck.ExpectKnownValue(free015x, numbers, knownvalue.ListSizeExact(10)),
					statecheck.ExpectKnownValue(free015x, numbers, knownvalue.ListPartial(map[int]knownvalue.Check{
						0: numberObject("+13125550150", "available", "", "", ""),
						9: numberObject("+13125550159", "available", "", "", ""),
					})),
					// No match is an empty list, not null, and the export's header row.
					statecheck.ExpectKnownValue(none, numbers, knownvalue.ListExact([]knownvalue.Check{})),
					statecheck.ExpectKnownValue(none, tfjsonpath.New("csv"),
						knownvalue.StringExact("number,status,assigned_type,assigned_id,assigned_name\n")),
					// By holder: the Lobby Phone's number; Conference Room A holds none.
					statecheck.ExpectKnownValue(byLobby, numbers, knownvalue.ListExact([]knownvalue.Check{
						numberObject("+13125550110", "assigned", "phone", lobby, "Lobby Phone"),
					})),
					statecheck.ExpectKnownValue(byConf, numbers, knownvalue.ListExact([]knownvalue.Check{})),
					statecheck.ExpectKnownValue(users, tfjsonpath.New("csv"), knownvalue.StringExact(
						"number,status,assigned_type,assigned_id,assigned_name\n"+
							"+13125550120,assigned,user,"+ada+",Ada Lovelace\n"+
							"+13125550121,assigned,user,"+alan+",Alan Turing\n"+
							"+13125550122,assigned,user,"+grace+",Grace Hopper\n")),
				},
				Check: checkCSVs,
			},
			{
				// Changed in the portal: +13125550150 assigned to a phone,
				// the Lobby Phone's number freed. The next read shows both.
				PreConfig: func() {
					target := contract.Target{Type: contract.TargetPhone, ID: conference}
					if _, err := p.client.Numbers.Assign(t.Context(), "+13125550150", target, true); err != nil {
						t.Fatalf("assign: %v", err)
					}
					if _, err := p.client.Numbers.Unassign(t.Context(), "+13125550110", 0); err != nil {
						t.Fatalf("unassign: %v", err)
					}
				},
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(all, numbers, knownvalue.ListSizeExact(100)),
					statecheck.ExpectKnownValue(all, numbers, knownvalue.ListPartial(map[int]knownvalue.Check{
						10: numberObject("+13125550110", "available", "", "", ""),
						50: numberObject("+13125550150", "assigned", "phone", conference, "Conference Room A"),
					})),
					statecheck.ExpectKnownValue(assigned, numbers, knownvalue.ListExact(slices.Concat(
						seededServices,
						seededUsers,
						[]knownvalue.Check{numberObject("+13125550150", "assigned", "phone", conference, "Conference Room A")},
					))),
					statecheck.ExpectKnownValue(byLobby, numbers, knownvalue.ListExact([]knownvalue.Check{})),
					statecheck.ExpectKnownValue(byConf, numbers, knownvalue.ListExact([]knownvalue.Check{
						numberObject("+13125550150", "assigned", "phone", conference, "Conference Room A"),
					})),
					statecheck.ExpectKnownValue(free015x, numbers, knownvalue.ListSizeExact(9)),
					statecheck.ExpectKnownValue(free015x, numbers, knownvalue.ListPartial(map[int]knownvalue.Check{
						0: numberObject("+13125550151", "available", "", "", ""),
					})),
				},
				Check: checkCSVs,
			},
		},
	})
}

func TestAccNumbersDataSource_invalidFilters(t *testing.T) {
	testAccPreCheck(t)
	p := startPortal(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      p.config(`data "callingportal_numbers" "x" { status = "free" }`),
				ExpectError: wrappedText(`Attribute status value must be one of: ["available" "assigned"], got: "free"`),
			},
			{
				Config:      p.config(`data "callingportal_numbers" "x" { assigned_type = "device" }`),
				ExpectError: wrappedText(`Attribute assigned_type value must be one of: ["user" "phone" "service"], got: "device"`),
			},
			{
				Config:      p.config(`data "callingportal_numbers" "x" { prefix = "1312" }`),
				ExpectError: wrappedText(`Attribute prefix must be + followed by 1 to 15 digits, such as +1312555, got: 1312`),
			},
			{
				Config:      p.config(`data "callingportal_numbers" "x" { prefix = "+1 312" }`),
				ExpectError: wrappedText(`Attribute prefix must be + followed by 1 to 15 digits`),
			},
			{
				// An empty ID would match every number: it is refused, not read as no filter.
				Config:      p.config(`data "callingportal_numbers" "x" { assigned_id = "" }`),
				ExpectError: wrappedText(`Attribute assigned_id string length must be at least 1, got: 0`),
			},
		},
	})
}

func TestNumbersDataSourceMapping(t *testing.T) {
	t.Run("no numbers is an empty list", func(t *testing.T) {
		if got := newNumberModels(nil); got == nil || len(got) != 0 {
			t.Errorf("newNumberModels(nil) = %#v, want an empty, non-nil list", got)
		}
	})
	t.Run("numbers keep their order", func(t *testing.T) {
		got := newNumberModels([]contract.Number{
			{Number: "+13125550100", Status: contract.StatusAssigned, AssignedType: contract.TargetService, AssignedID: "svc_1", AssignedName: "Main"},
			{Number: "+13125550101", Status: contract.StatusAvailable},
		})
		want := []numberModel{
			{types.StringValue("+13125550100"), types.StringValue("assigned"), types.StringValue("service"), types.StringValue("svc_1"), types.StringValue("Main")},
			{types.StringValue("+13125550101"), types.StringValue("available"), types.StringNull(), types.StringNull(), types.StringNull()},
		}
		if !slices.Equal(got, want) {
			t.Errorf("newNumberModels\n got %+v\nwant %+v", got, want)
		}
	})
	t.Run("numbers from the export", func(t *testing.T) {
		numbers, err := contract.ReadCSV(strings.NewReader("number,status,assigned_type,assigned_id,assigned_name\n" +
			"+13125550100,assigned,service,svc_1,\"Main, after hours\"\n" +
			"+13125550101,available,,,\n"))
		if err != nil {
			t.Fatal(err)
		}
		want := []numberModel{
			{types.StringValue("+13125550100"), types.StringValue("assigned"), types.StringValue("service"), types.StringValue("svc_1"), types.StringValue("Main, after hours")},
			{types.StringValue("+13125550101"), types.StringValue("available"), types.StringNull(), types.StringNull(), types.StringNull()},
		}
		if got := newNumberModels(numbers); !slices.Equal(got, want) {
			t.Errorf("newNumberModels(ReadCSV(export))\n got %+v\nwant %+v", got, want)
		}
	})
	t.Run("filter", func(t *testing.T) {
		for _, tc := range []struct {
			model numbersDataSourceModel
			want  contract.NumberFilter
		}{
			{
				numbersDataSourceModel{Status: types.StringNull(), numberFilterModel: numberFilterModel{
					AssignedType: types.StringNull(), AssignedID: types.StringNull(), Prefix: types.StringNull(),
				}},
				contract.NumberFilter{},
			},
			{
				numbersDataSourceModel{Status: types.StringValue("assigned"), numberFilterModel: numberFilterModel{
					AssignedType: types.StringValue("phone"), AssignedID: types.StringValue("ph_1"), Prefix: types.StringValue("+1312"),
				}},
				contract.NumberFilter{Status: contract.StatusAssigned, AssignedType: contract.TargetPhone, AssignedID: "ph_1", Prefix: "+1312"},
			},
		} {
			if got := tc.model.filter(); got != tc.want {
				t.Errorf("filter() = %+v, want %+v", got, tc.want)
			}
		}
	})
}
