package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
)

func TestAccServiceDataSource(t *testing.T) {
	p := startPortal(t)
	sales, afterHours := p.serviceID(t, "Sales Hunt Group"), p.serviceID(t, "After Hours")
	const (
		salesAddr = "data.callingportal_service.sales"
		afterAddr = "data.callingportal_service.after_hours"
		newAddr   = "data.callingportal_service.new"
	)
	seeded := `
data "callingportal_service" "sales" {
  name = "Sales Hunt Group"
}

data "callingportal_service" "after_hours" {
  name = "After Hours"
}
`
	var created portal.Service
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: p.config(seeded),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(salesAddr, tfjsonpath.New("id"), knownvalue.StringExact(sales)),
					statecheck.ExpectKnownValue(salesAddr, tfjsonpath.New("name"), knownvalue.StringExact("Sales Hunt Group")),
					statecheck.ExpectKnownValue(salesAddr, tfjsonpath.New("type"), knownvalue.StringExact("hunt_group")),
					statecheck.ExpectKnownValue(afterAddr, tfjsonpath.New("id"), knownvalue.StringExact(afterHours)),
					statecheck.ExpectKnownValue(afterAddr, tfjsonpath.New("type"), knownvalue.StringExact("auto_attendant")),
				},
			},
			{
				// A service created in the portal can be read.
				PreConfig: func() {
					var err error
					if created, err = p.client.Services.Create(t.Context(), "Night Queue", "call_queue"); err != nil {
						t.Fatalf("create service: %v", err)
					}
				},
				Config: p.config(seeded + `
data "callingportal_service" "new" {
  name = "Night Queue"
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(newAddr, tfjsonpath.New("id"), knownvalue.StringFunc(func(id string) error {
						return expectSameID(id, created.ID)
					})),
					statecheck.ExpectKnownValue(newAddr, tfjsonpath.New("name"), knownvalue.StringExact("Night Queue")),
					statecheck.ExpectKnownValue(newAddr, tfjsonpath.New("type"), knownvalue.StringExact("call_queue")),
				},
			},
			{
				Config: p.config(`
data "callingportal_service" "missing" {
  name = "Night Shift"
}
`),
				ExpectError: wrappedText(`name = "Night Shift" ` +
					`Could not find the service: no service with name "Night Shift" on site demo`),
			},
		},
	})
}

func TestServiceDataSourceMapping(t *testing.T) {
	got := newServiceDataSourceModel(portal.Service{ID: "svc_1", Name: "Support Queue", Type: "call_queue", Version: 2})
	want := serviceDataSourceModel{ID: types.StringValue("svc_1"), Name: types.StringValue("Support Queue"), Type: types.StringValue("call_queue")}
	if got != want {
		t.Errorf("newServiceDataSourceModel\n got %+v\nwant %+v", got, want)
	}
}
