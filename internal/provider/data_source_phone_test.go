package provider

import (
	"fmt"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
)

func TestAccPhoneDataSource(t *testing.T) {
	p := startPortal(t)
	lobby, conference := p.phoneID(t, "Lobby Phone"), p.phoneID(t, "Conference Room A")
	const (
		lobbyAddr      = "data.callingportal_phone.lobby"
		conferenceAddr = "data.callingportal_phone.conference"
		hallwayAddr    = "data.callingportal_phone.hallway"
	)
	seeded := `
data "callingportal_phone" "lobby" {
  name = "Lobby Phone"
}

data "callingportal_phone" "conference" {
  name = "Conference Room A"
}
`
	var hallway portal.Phone
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: p.config(seeded),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(lobbyAddr, tfjsonpath.New("id"), knownvalue.StringExact(lobby)),
					statecheck.ExpectKnownValue(lobbyAddr, tfjsonpath.New("name"), knownvalue.StringExact("Lobby Phone")),
					statecheck.ExpectKnownValue(lobbyAddr, tfjsonpath.New("model"), knownvalue.StringExact("Poly VVX 250")),
					statecheck.ExpectKnownValue(conferenceAddr, tfjsonpath.New("id"), knownvalue.StringExact(conference)),
					statecheck.ExpectKnownValue(conferenceAddr, tfjsonpath.New("model"), knownvalue.StringExact("Poly Trio C60")),
				},
			},
			{
				// A phone created in the portal without a model: model is null.
				PreConfig: func() {
					var err error
					if hallway, err = p.client.Phones.Create(t.Context(), "Hallway", ""); err != nil {
						t.Fatalf("create phone: %v", err)
					}
				},
				Config: p.config(seeded + `
data "callingportal_phone" "hallway" {
  name = "Hallway"
}
`),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(hallwayAddr, tfjsonpath.New("id"), knownvalue.StringFunc(func(id string) error {
						return expectSameID(id, hallway.ID)
					})),
					statecheck.ExpectKnownValue(hallwayAddr, tfjsonpath.New("name"), knownvalue.StringExact("Hallway")),
					statecheck.ExpectKnownValue(hallwayAddr, tfjsonpath.New("model"), knownvalue.Null()),
				},
			},
			{
				Config: p.config(`
data "callingportal_phone" "missing" {
  name = "Front Desk"
}
`),
				ExpectError: wrappedText(`name = "Front Desk" ` +
					`Could not find the phone: no phone with name "Front Desk" on site demo`),
			},
		},
	})
}

func TestPhoneDataSourceMapping(t *testing.T) {
	for _, tc := range []struct {
		model string
		want  types.String
	}{
		{"Poly VVX 250", types.StringValue("Poly VVX 250")},
		{"", types.StringNull()},
	} {
		got := newPhoneDataSourceModel(portal.Phone{ID: "ph_1", Name: "Lobby Phone", Model: tc.model})
		want := phoneDataSourceModel{ID: types.StringValue("ph_1"), Name: types.StringValue("Lobby Phone"), Model: tc.want}
		if got != want {
			t.Errorf("newPhoneDataSourceModel(model %q)\n got %+v\nwant %+v", tc.model, got, want)
		}
	}
}

// expectSameID compares an ID read from state with one the portal gave in
// a PreConfig, known only once the step runs.
func expectSameID(got, want string) error {
	if got != want {
		return fmt.Errorf("id = %q, want %q", got, want)
	}
	return nil
}
