package provider

import (
	"testing"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

func TestAccStationInventoryDataSource(t *testing.T) {
	testAccPreCheck(t)
	p := startPortal(t)
	const address = "data.callingportal_station_inventory.this"
	config := p.config(`data "callingportal_station_inventory" "this" {}`)
	expect := func(available, inUse, total int64) []statecheck.StateCheck {
		return []statecheck.StateCheck{
			statecheck.ExpectKnownValue(address, tfjsonpath.New("site"), knownvalue.StringExact("demo")),
			statecheck.ExpectKnownValue(address, tfjsonpath.New("available"), knownvalue.Int64Exact(available)),
			statecheck.ExpectKnownValue(address, tfjsonpath.New("in_use"), knownvalue.Int64Exact(inUse)),
			statecheck.ExpectKnownValue(address, tfjsonpath.New("total"), knownvalue.Int64Exact(total)),
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:            config,
				ConfigStateChecks: expect(43, 7, 50),
			},
			{
				// One more number assigned and ten more stations bought in
				// the portal: the next read shows both.
				PreConfig: func() {
					target := contract.Target{Type: contract.TargetService, ID: p.serviceID(t, "After Hours")}
					if _, err := p.client.Numbers.Assign(t.Context(), "+13125550150", target, true); err != nil {
						t.Fatalf("assign: %v", err)
					}
					if _, err := p.client.Sites.SetStationsPurchased(t.Context(), 60); err != nil {
						t.Fatalf("stations: %v", err)
					}
				},
				Config:            config,
				ConfigStateChecks: expect(52, 8, 60),
			},
		},
	})
}

func TestStationInventoryDataSourceMapping(t *testing.T) {
	got := newStationInventoryModel(contract.Inventory{Site: "demo", Total: 50, InUse: 7, Available: 43})
	want := stationInventoryDataSourceModel{
		Site:      types.StringValue("demo"),
		Available: types.Int64Value(43),
		InUse:     types.Int64Value(7),
		Total:     types.Int64Value(50),
	}
	if got != want {
		t.Errorf("newStationInventoryModel\n got %+v\nwant %+v", got, want)
	}
}
