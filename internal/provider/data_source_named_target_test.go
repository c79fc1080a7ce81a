package provider

import (
	"context"
	"fmt"
	"maps"
	"testing"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// namedTarget is a phone or service by its name and its extra attribute (a
// phone's model, a service's type); an empty extra must be null.
type namedTarget struct{ name, extra string }

// TestAccNamedTargetDataSource runs callingportal_phone and
// callingportal_service through the same steps: two seeded targets, one
// created in the portal meanwhile, and a name that none has.
func TestAccNamedTargetDataSource(t *testing.T) {
	testAccPreCheck(t)
	for _, tc := range []struct {
		kind    string // the type name after callingportal_, and the word in messages
		extra   string // the attribute besides id and name
		seeded  []namedTarget
		created namedTarget // created in the portal before the second step
		missing string
		nearest string // the closest name the error gives for missing
		id      func(p *testPortal, t *testing.T, name string) string
		create  func(p *testPortal, ctx context.Context, target namedTarget) (id string, err error)
	}{
		{
			kind:   "phone",
			extra:  "model",
			seeded: []namedTarget{{"Lobby Phone", "Poly VVX 250"}, {"Conference Room A", "Poly Trio C60"}},
			// A phone created in the portal without a model: model is null.
			created: namedTarget{"Hallway", ""},
			missing: "Lobby Phon", // a typo: the error names the phone meant
			nearest: "Lobby Phone",
			id:      (*testPortal).phoneID,
			create: func(p *testPortal, ctx context.Context, target namedTarget) (string, error) {
				ph, err := p.client.Phones.Create(ctx, contract.PhoneInput{TargetInput: contract.TargetInput{Name: new(target.name)}, Model: new(target.extra)})
				return ph.ID, err
			},
		},
		{
			kind:    "service",
			extra:   "type",
			seeded:  []namedTarget{{"Sales Hunt Group", "hunt_group"}, {"After Hours", "auto_attendant"}},
			created: namedTarget{"Night Queue", "call_queue"},
			missing: "night queu",
			nearest: "Night Queue",
			id:      (*testPortal).serviceID,
			create: func(p *testPortal, ctx context.Context, target namedTarget) (string, error) {
				s, err := p.client.Services.Create(ctx, contract.ServiceInput{TargetInput: contract.TargetInput{Name: new(target.name)}, Type: new(target.extra)})
				return s.ID, err
			},
		},
	} {
		t.Run(tc.kind, func(t *testing.T) {
			p := startPortal(t)
			hcl := func(label, name string) string {
				return fmt.Sprintf("\ndata \"callingportal_%s\" %q {\n  name = %q\n}\n", tc.kind, label, name)
			}
			expect := func(label string, id knownvalue.Check, target namedTarget) []statecheck.StateCheck {
				address := "data.callingportal_" + tc.kind + "." + label
				return []statecheck.StateCheck{
					statecheck.ExpectKnownValue(address, tfjsonpath.New("id"), id),
					statecheck.ExpectKnownValue(address, tfjsonpath.New("name"), knownvalue.StringExact(target.name)),
					statecheck.ExpectKnownValue(address, tfjsonpath.New(tc.extra), stringOrNullCheck(target.extra)),
				}
			}
			var seeded string
			var seededChecks []statecheck.StateCheck
			for i, target := range tc.seeded {
				label := fmt.Sprintf("seeded_%d", i)
				seeded += hcl(label, target.name)
				seededChecks = append(seededChecks, expect(label, knownvalue.StringExact(tc.id(p, t, target.name)), target)...)
			}
			var createdID string
			resource.ParallelTest(t, resource.TestCase{
				ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
				Steps: []resource.TestStep{
					{
						Config:            p.config(seeded),
						ConfigStateChecks: seededChecks,
					},
					{
						PreConfig: func() {
							var err error
							if createdID, err = tc.create(p, t.Context(), tc.created); err != nil {
								t.Fatalf("create %s: %v", tc.kind, err)
							}
						},
						Config: p.config(seeded + hcl("created", tc.created.name)),
						ConfigStateChecks: expect("created", knownvalue.StringFunc(func(id string) error {
							return expectSameID(id, createdID)
						}), tc.created),
					},
					{
						Config: p.config(hcl("missing", tc.missing)),
						ExpectError: wrappedText(fmt.Sprintf(`name = %q Could not find the %s: no %s with name %q on site demo. The closest on the site: %q`,
							tc.missing, tc.kind, tc.kind, tc.missing, tc.nearest)),
					},
				},
			})
		})
	}
}

func TestTargetAttrValues(t *testing.T) {
	str, null := types.StringValue, types.StringNull()
	_, phone := phoneTargets.attrValues(contract.Phone{TargetBase: contract.TargetBase{ID: "ph_1", Name: "Lobby Phone"}, Model: "Poly VVX 250"})
	wantPhone := map[string]attr.Value{"id": str("ph_1"), "name": str("Lobby Phone"), "extension": null, "model": str("Poly VVX 250"), "mac_address": null}
	_, service := serviceTargets.attrValues(contract.Service{TargetBase: contract.TargetBase{ID: "svc_1", Name: "Support Queue", Extension: "300", Version: 2},
		Type: "call_queue", Description: "Tier 1"})
	wantService := map[string]attr.Value{"id": str("svc_1"), "name": str("Support Queue"), "extension": str("300"), "type": str("call_queue"), "description": str("Tier 1")}
	for _, tc := range []struct {
		name      string
		got, want map[string]attr.Value
	}{{"phone without a MAC address or extension", phone, wantPhone}, {"service", service, wantService}} {
		if !maps.EqualFunc(tc.got, tc.want, attr.Value.Equal) {
			t.Errorf("%s\n got %v\nwant %v", tc.name, tc.got, tc.want)
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
