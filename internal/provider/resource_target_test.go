package provider

import (
	"context"
	"errors"
	"fmt"
	"os"
	"regexp"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/callingportal/terraform-provider-callingportal/internal/client"
	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
)

// targetCase is one of callingportal_service and callingportal_phone as the
// shared lifecycle test drives it.
type targetCase struct {
	kind contract.TargetType
	// created, updated and replaced are resource bodies; the update
	// changes in place, the replacement changes what cannot change.
	created, updated, replaced string
	// wantCreated are attributes of the created state besides name.
	wantCreated map[string]knownvalue.Check
	// renameOutside changes the name in the portal behind Terraform's back.
	renameOutside func(p *testPortal, id, name string) error
	read          func(p *testPortal, id string) (contract.TargetBase, error)
	remove        func(p *testPortal, id string) error
}

var serviceCase = targetCase{
	kind: contract.TargetService,
	created: `  name        = "Night Line"
  type        = "hunt_group"
  extension   = "400"
  description = "Rings the night shift"`,
	updated: `  name      = "Night Desk"
  type      = "hunt_group"
  extension = "401"`,
	replaced: `  name = "Night Desk"
  type = "call_queue"`,
	wantCreated: map[string]knownvalue.Check{
		"type": knownvalue.StringExact("hunt_group"), "extension": knownvalue.StringExact("400"),
		"description": knownvalue.StringExact("Rings the night shift"),
	},
	renameOutside: func(p *testPortal, id, name string) error {
		_, err := p.client.Services.Update(context.Background(), id, contract.ServiceInput{TargetInput: contract.TargetInput{Name: &name}}, 0)
		return err
	},
	read: func(p *testPortal, id string) (contract.TargetBase, error) {
		s, err := p.client.Services.Read(context.Background(), id)
		return s.TargetBase, err
	},
	remove: func(p *testPortal, id string) error { return p.client.Services.Delete(context.Background(), id) },
}

var phoneCase = targetCase{
	kind: contract.TargetPhone,
	created: `  name        = "Night Line"
  model       = "Poly VVX 450"
  mac_address = "00:1a:2b:3c:4d:5e"
  extension   = "400"`,
	updated: `  name        = "Night Desk"
  model       = "Poly VVX 450"
  mac_address = "00:1a:2b:3c:4d:5e"
  extension   = "401"`,
	replaced: `  name        = "Night Desk"
  model       = "Poly VVX 450"
  mac_address = "00:1a:2b:3c:4d:5f"`,
	wantCreated: map[string]knownvalue.Check{
		"model": knownvalue.StringExact("Poly VVX 450"), "mac_address": knownvalue.StringExact("00:1a:2b:3c:4d:5e"),
		"extension": knownvalue.StringExact("400"),
	},
	renameOutside: func(p *testPortal, id, name string) error {
		_, err := p.client.Phones.Update(context.Background(), id, contract.PhoneInput{TargetInput: contract.TargetInput{Name: &name}}, 0)
		return err
	},
	read: func(p *testPortal, id string) (contract.TargetBase, error) {
		ph, err := p.client.Phones.Read(context.Background(), id)
		return ph.TargetBase, err
	},
	remove: func(p *testPortal, id string) error { return p.client.Phones.Delete(context.Background(), id) },
}

func (tc targetCase) address() string { return "callingportal_" + string(tc.kind) + ".main" }

func (tc targetCase) hcl(body string) string {
	return fmt.Sprintf("\nresource \"callingportal_%s\" \"main\" {\n%s\n}\n", tc.kind, body)
}

func TestAccService(t *testing.T)            { testAccTarget(t, serviceCase, onSQLite) }
func TestAccService_onPostgres(t *testing.T) { testAccTarget(t, serviceCase, onPostgres) }
func TestAccPhone(t *testing.T)              { testAccTarget(t, phoneCase, onSQLite) }
func TestAccPhone_onPostgres(t *testing.T)   { testAccTarget(t, phoneCase, onPostgres) }

// testAccTarget: create, import by ID and by name in another case, an
// empty re-plan, an update in place, a change outside Terraform, a
// replacement; no station is ever taken by the target itself.
func testAccTarget(t *testing.T, tc targetCase, store storeKind) {
	p := startPortalOn(t, store)
	addr := tc.address()
	created := map[string]knownvalue.Check{"name": knownvalue.StringExact("Night Line")}
	for k, v := range tc.wantCreated {
		created[k] = v
	}
	var stateChecks []statecheck.StateCheck
	for attr, want := range created {
		stateChecks = append(stateChecks, statecheck.ExpectKnownValue(addr, tfjsonpath.New(attr), want))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             p.checkTargetsDestroyed(tc),
		Steps: []resource.TestStep{
			{
				Config:            p.config(tc.hcl(tc.created)),
				ConfigPlanChecks:  expectPlan(plancheck.ExpectResourceAction(addr, plancheck.ResourceActionCreate)),
				ConfigStateChecks: stateChecks,
				Check: resource.ComposeAggregateTestCheckFunc(
					p.checkTargetName(tc, addr, "Night Line"),
					p.checkInUse(t, 7), // a target takes no station
				),
			},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true, ImportStateId: "NIGHT line"},
			{Config: p.config(tc.hcl(tc.created)), ConfigPlanChecks: expectPlan(plancheck.ExpectEmptyPlan())},
			{
				// Name, extension and (for a service) description change in place.
				Config:           p.config(tc.hcl(tc.updated)),
				ConfigPlanChecks: expectPlan(plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("extension"), knownvalue.StringExact("401")),
				},
				Check: p.checkTargetName(tc, addr, "Night Desk"),
			},
			{ResourceName: addr, ImportState: true, ImportStateVerify: true, ImportStateId: "Night Desk"},
			{
				// Renamed in the portal: the plan renames it back in place.
				Config:             p.config(tc.hcl(tc.updated)),
				Check:              p.changeTarget(tc, addr, func(id string) error { return tc.renameOutside(p, id, "Renamed Outside") }),
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(addr, plancheck.ResourceActionUpdate),
				}},
			},
			{Config: p.config(tc.hcl(tc.updated)), Check: p.checkTargetName(tc, addr, "Night Desk")},
			{
				// What the portal cannot change replaces the target.
				Config:           p.config(tc.hcl(tc.replaced)),
				ConfigPlanChecks: expectPlan(plancheck.ExpectResourceAction(addr, plancheck.ResourceActionDestroyBeforeCreate)),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectKnownValue(addr, tfjsonpath.New("extension"), knownvalue.Null()),
				},
			},
			{Config: p.config(tc.hcl(tc.replaced)), ConfigPlanChecks: expectPlan(plancheck.ExpectEmptyPlan())},
		},
	})
}

func TestAccService_disappears(t *testing.T) { testAccTargetDisappears(t, serviceCase) }
func TestAccPhone_disappears(t *testing.T)   { testAccTargetDisappears(t, phoneCase) }

func testAccTargetDisappears(t *testing.T, tc targetCase) {
	p := startPortal(t)
	config := p.config(tc.hcl(tc.created))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             p.checkTargetsDestroyed(tc),
		Steps: []resource.TestStep{
			{
				// Deleted outside Terraform: the next plan creates it again.
				Config:             config,
				Check:              p.changeTarget(tc, tc.address(), func(id string) error { return tc.remove(p, id) }),
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(tc.address(), plancheck.ResourceActionCreate),
				}},
			},
			{Config: config, Check: p.checkTargetName(tc, tc.address(), "Night Line")},
		},
	})
}

// TestAccTargets_numbersMoveBetween is the newcomer's path: a hunt group
// and a desk phone declared in HCL, a number on the hunt group, moved to
// the phone in place, one target imported by name, and everything
// destroyed with the stations back where they were.
func TestAccTargets_numbersMoveBetween(t *testing.T) {
	p := startPortal(t)
	targets := `
resource "callingportal_service" "support" {
  name = "Support Hunt Group"
  type = "hunt_group"
}

resource "callingportal_phone" "desk" {
  name  = "Support Desk"
  model = "Yealink T54W"
}
`
	assign := func(to string) string {
		return targets + fmt.Sprintf(`
resource "callingportal_number_assignment" "support" {
  number = "+13125550160"
  %s
}
`, to)
	}
	onService := p.config(assign("service_id = callingportal_service.support.id"))
	onPhone := p.config(assign("phone_id = callingportal_phone.desk.id"))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy: resource.ComposeAggregateTestCheckFunc(
			p.checkTargetsDestroyed(serviceCase), p.checkTargetsDestroyed(phoneCase),
			p.checkAssignmentsDestroyed, p.checkInUse(t, 7),
		),
		Steps: []resource.TestStep{
			{
				Config: onService,
				Check: resource.ComposeAggregateTestCheckFunc(
					p.checkHolderAt("+13125550160", contract.TargetService, "callingportal_service.support"),
					p.checkInUse(t, 8),
				),
			},
			{
				Config:           onPhone,
				ConfigPlanChecks: expectPlan(plancheck.ExpectResourceAction("callingportal_number_assignment.support", plancheck.ResourceActionUpdate)),
				Check: resource.ComposeAggregateTestCheckFunc(
					p.checkHolderAt("+13125550160", contract.TargetPhone, "callingportal_phone.desk"),
					p.checkInUse(t, 8),
				),
			},
			{ResourceName: "callingportal_phone.desk", ImportState: true, ImportStateVerify: true, ImportStateId: "support desk"},
			{Config: onPhone, ConfigPlanChecks: expectPlan(plancheck.ExpectEmptyPlan())},
		},
	})
}

// TestAccTargets_errors: what the portal refuses fails with its message and
// changes nothing; what validate can know fails there.
func TestAccTargets_errors(t *testing.T) {
	p := startPortal(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// The seeded "Sales Hunt Group", in another case: caught at plan.
				Config:      p.config(serviceCase.hcl(`  name = "sales hunt group"` + "\n" + `  type = "call_queue"`)),
				ExpectError: wrappedText(`Could not plan callingportal_service: name "sales hunt group" is already used by service "Sales Hunt Group"`),
				PlanOnly:    true,
			},
			{
				Config:      p.config(phoneCase.hcl(`  name = "LOBBY PHONE"`)),
				ExpectError: wrappedText(`Could not plan callingportal_phone: name "LOBBY PHONE" is already used by phone "Lobby Phone"`),
				PlanOnly:    true,
			},
			{
				// A seeded user's extension.
				Config:      p.config(phoneCase.hcl(`  name = "Spare"` + "\n" + `  extension = "201"`)),
				ExpectError: wrappedText(`extension "201" is already used by user Ada Lovelace <ada.lovelace@example.com>`),
			},
			{
				Config:      p.config(phoneCase.hcl(`  name = "Spare"` + "\n" + `  mac_address = "00-1A-2B-3C-4D-5E"`)),
				ExpectError: wrappedText(`"00-1A-2B-3C-4D-5E" is not in the portal's form: write "00:1a:2b:3c:4d:5e"`),
				PlanOnly:    true,
			},
			{
				Config:      p.config(serviceCase.hcl(`  name = "Fax"` + "\n" + `  type = "fax"`)),
				ExpectError: regexp.MustCompile(`value must be one of`),
				PlanOnly:    true,
			},
			{
				Config:      p.config(serviceCase.hcl(`  name = " "` + "\n" + `  type = "paging"`)),
				ExpectError: wrappedText("must not be empty"),
				PlanOnly:    true,
			},
			{
				// A phone that holds numbers cannot be deleted: the message names them.
				Config: p.config(phoneCase.hcl(`  name = "Spare"`)),
				Check: func(s *terraform.State) error {
					id := s.RootModule().Resources[phoneCase.address()].Primary.ID
					if _, err := p.client.Numbers.Assign(context.Background(), "+13125550161", contract.Target{Type: contract.TargetPhone, ID: id}, true); err != nil {
						return err
					}
					err := p.client.Phones.Delete(context.Background(), id)
					if !errors.Is(err, client.ErrConflict) || !regexp.MustCompile(`still holds \+13125550161`).MatchString(err.Error()) {
						return fmt.Errorf("delete of a phone holding a number: %v, want a conflict naming it", err)
					}
					_, err = p.client.Numbers.Unassign(context.Background(), "+13125550161", 0)
					return err
				},
			},
		},
	})
	p.expectInUse(t, 7)
}

// checkTargetName checks the target of addr in the portal by its ID.
func (p *testPortal) checkTargetName(tc targetCase, addr, want string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s is not in state", addr)
		}
		b, err := tc.read(p, rs.Primary.ID)
		if err != nil {
			return err
		}
		if b.Name != want {
			return fmt.Errorf("%s %s is named %q in the portal, want %q", tc.kind, b.ID, b.Name, want)
		}
		return nil
	}
}

// changeTarget changes the target of addr behind Terraform's back.
func (p *testPortal) changeTarget(tc targetCase, addr string, change func(id string) error) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s is not in state", addr)
		}
		return change(rs.Primary.ID)
	}
}

// checkHolderAt checks that number is held by the target at addr.
func (p *testPortal) checkHolderAt(number string, kind contract.TargetType, addr string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		rs, ok := s.RootModule().Resources[addr]
		if !ok {
			return fmt.Errorf("%s is not in state", addr)
		}
		return p.checkHolder(number, kind, rs.Primary.ID)(s)
	}
}

// checkTargetsDestroyed passes only when every target of tc's kind in state
// is gone from the portal.
func (p *testPortal) checkTargetsDestroyed(tc targetCase) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		for _, rs := range s.RootModule().Resources {
			if rs.Type != "callingportal_"+string(tc.kind) {
				continue
			}
			_, err := tc.read(p, rs.Primary.ID)
			switch {
			case err == nil:
				return fmt.Errorf("%s %s still exists", tc.kind, rs.Primary.ID)
			case !errors.Is(err, client.ErrNotFound):
				return fmt.Errorf("%s %s: %w", tc.kind, rs.Primary.ID, err)
			}
		}
		return nil
	}
}

// TestAccTargets_examples applies the documented examples of both
// resources together on one portal, and re-plans them: empty.
func TestAccTargets_examples(t *testing.T) {
	p := startPortal(t)
	var body string
	for _, kind := range []string{"service", "phone"} {
		example, err := os.ReadFile("../../examples/resources/callingportal_" + kind + "/resource.tf")
		if err != nil {
			t.Fatal(err)
		}
		body += string(example)
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             resource.ComposeAggregateTestCheckFunc(p.checkAssignmentsDestroyed, p.checkInUse(t, 7)),
		Steps: []resource.TestStep{
			{
				Config: p.config(body),
				Check: resource.ComposeAggregateTestCheckFunc(
					p.checkHolderAt("+13125550170", contract.TargetService, "callingportal_service.support"),
					p.checkHolderAt("+13125550171", contract.TargetPhone, "callingportal_phone.reception"),
					p.checkInUse(t, 9),
				),
			},
			{Config: p.config(body), ConfigPlanChecks: expectPlan(plancheck.ExpectEmptyPlan())},
		},
	})
}
