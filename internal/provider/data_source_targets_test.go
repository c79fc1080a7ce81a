package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// TestAccTargetsDataSources lists the demo site's services and phones, in
// name order, with and without filters, and finds one by name in another
// case.
func TestAccTargetsDataSources(t *testing.T) {
	p := startPortal(t)
	names := func(list ...string) knownvalue.Check {
		items := make([]knownvalue.Check, len(list))
		for i, name := range list {
			items[i] = knownvalue.ObjectPartial(map[string]knownvalue.Check{"name": knownvalue.StringExact(name)})
		}
		return knownvalue.ListExact(items)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: p.config(`
data "callingportal_services" "all" {}
data "callingportal_services" "attendants" {
  type = "auto_attendant"
}
data "callingportal_services" "s" {
  name_prefix = "s"
}
data "callingportal_phones" "all" {}
data "callingportal_service" "any_case" {
  name = "SALES hunt group"
}
data "callingportal_phones" "trio" {
  model = "Poly Trio C60"
}
`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.callingportal_services.all", tfjsonpath.New("services"),
					names("After Hours", "Main Auto Attendant", "Sales Hunt Group", "Support Queue")),
				statecheck.ExpectKnownValue("data.callingportal_services.attendants", tfjsonpath.New("services"),
					names("After Hours", "Main Auto Attendant")),
				statecheck.ExpectKnownValue("data.callingportal_services.s", tfjsonpath.New("services"),
					names("Sales Hunt Group", "Support Queue")),
				statecheck.ExpectKnownValue("data.callingportal_services.all", tfjsonpath.New("services").AtSliceIndex(2),
					knownvalue.ObjectExact(map[string]knownvalue.Check{
						"id": knownvalue.StringExact(p.serviceID(t, "Sales Hunt Group")), "name": knownvalue.StringExact("Sales Hunt Group"),
						"type": knownvalue.StringExact("hunt_group"), "extension": knownvalue.Null(), "description": knownvalue.Null(),
					})),
				statecheck.ExpectKnownValue("data.callingportal_service.any_case", tfjsonpath.New("id"),
					knownvalue.StringExact(p.serviceID(t, "Sales Hunt Group"))),
				statecheck.ExpectKnownValue("data.callingportal_service.any_case", tfjsonpath.New("type"), knownvalue.StringExact("hunt_group")),
				statecheck.ExpectKnownValue("data.callingportal_phones.all", tfjsonpath.New("phones"), names("Conference Room A", "Lobby Phone")),
				statecheck.ExpectKnownValue("data.callingportal_phones.trio", tfjsonpath.New("phones"),
					knownvalue.ListExact([]knownvalue.Check{knownvalue.ObjectExact(map[string]knownvalue.Check{
						"id": knownvalue.StringExact(p.phoneID(t, "Conference Room A")), "name": knownvalue.StringExact("Conference Room A"),
						"model": knownvalue.StringExact("Poly Trio C60"), "mac_address": knownvalue.Null(), "extension": knownvalue.Null(),
					})})),
			},
		}},
	})
}
