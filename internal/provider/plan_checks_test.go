package provider

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
)

// assignments renders count number assignments to one service, numbered
// from +1312555<first>.
func assignments(name string, count, first int, serviceID string) string {
	return fmt.Sprintf(`
resource "callingportal_number_assignment" %q {
  count      = %d
  number     = format("+1312555%%04d", %d + count.index)
  service_id = %q
}
`, name, count, first, serviceID)
}

func TestAccPlanChecks_stations(t *testing.T) {
	p := startPortal(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    stationSteps(t, p),
	})
}

// TestAccPlanChecks_onPostgres runs the steps of TestAccPlanChecks_stations
// against a portal on PostgreSQL, the store that several portals share: the
// provider works with it unchanged.
func TestAccPlanChecks_onPostgres(t *testing.T) {
	p := startPortalOn(t, onPostgres)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    stationSteps(t, p),
	})
}

// stationSteps fill p's demo site to its last station and past it: the plan
// check counts the stations a plan needs against those available.
func stationSteps(t *testing.T, p *testPortal) []resource.TestStep {
	t.Helper()
	svc := p.serviceID(t, "After Hours")
	return []resource.TestStep{
		{
			// Two creates and a user need three stations; the site has two.
			PreConfig: func() { p.setAvailable(t, 2) },
			Config: p.config(assignments("new", 2, 150, svc) + `
resource "callingportal_user" "new" {
  email        = "new.user@example.com"
  first_name   = "New"
  last_name    = "User"
  phone_number = "+13125550160"
}`),
			PlanOnly:    true,
			ExpectError: wrappedText("this plan needs 3 new stations; site demo has 2 available (7 in use of 9 purchased)"),
		},
		{
			// Exactly what is available passes the plan and the apply.
			Config: p.config(assignments("new", 2, 150, svc)),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("callingportal_number_assignment.new[1]", plancheck.ResourceActionCreate),
			}},
		},
		{
			// The site is full now: a move needs no station.
			Config: p.config(assignments("new", 2, 150, p.serviceID(t, "Support Queue"))),
			ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
				plancheck.ExpectResourceAction("callingportal_number_assignment.new[0]", plancheck.ResourceActionUpdate),
			}},
		},
		{
			// One more is one too many.
			Config:      p.config(assignments("new", 3, 150, svc)),
			PlanOnly:    true,
			ExpectError: wrappedText("this plan needs 1 new station; site demo has 0 available (9 in use of 9 purchased)"),
		},
	}
}

func TestAccPlanChecks_replacedUserReusesItsStation(t *testing.T) {
	p := startPortal(t)
	user := func(number string) string {
		return p.config(fmt.Sprintf(`
resource "callingportal_user" "u" {
  email        = "mover@example.com"
  first_name   = "Mo"
  last_name    = "Ver"
  phone_number = %q
}`, number))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: user("+13125550150")},
			{
				// No station is left, but the replacement frees one first.
				PreConfig: func() { p.setAvailable(t, 0) },
				Config:    user("+13125550151"),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("callingportal_user.u", plancheck.ResourceActionDestroyBeforeCreate),
				}},
			},
		},
	})
}

// TestAccPlanChecks_taintedResourcesAreReplaced: Terraform replaces a tainted
// (or -replace'd) resource without a change in its configuration; the plan
// check must see the number as the resource's own, even on a full site.
func TestAccPlanChecks_taintedResourcesAreReplaced(t *testing.T) {
	p := startPortal(t)
	config := p.config(fmt.Sprintf(`
resource "callingportal_user" "u" {
  email        = "tainted@example.com"
  first_name   = "Tai"
  last_name    = "Nted"
  phone_number = "+13125550150"
}

resource "callingportal_number_assignment" "a" {
  number     = "+13125550151"
  service_id = %q
}`, p.serviceID(t, "After Hours")))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: config},
			{
				PreConfig: func() { p.setAvailable(t, 0) },
				Taint:     []string{"callingportal_user.u", "callingportal_number_assignment.a"},
				Config:    config,
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction("callingportal_user.u", plancheck.ResourceActionDestroyBeforeCreate),
					plancheck.ExpectResourceAction("callingportal_number_assignment.a", plancheck.ResourceActionDestroyBeforeCreate),
				}},
			},
		},
	})
}

func TestAccPlanChecks_numbers(t *testing.T) {
	p := startPortal(t)
	svc := p.serviceID(t, "After Hours")
	assign := func(name, number string) string {
		return fmt.Sprintf(`
resource "callingportal_number_assignment" %q {
  number     = %q
  service_id = %q
}
`, name, number, svc)
	}
	var before string
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				PreConfig:   func() { before = p.export(t) },
				Config:      p.config(assign("a", "+13125550120")),
				PlanOnly:    true,
				ExpectError: wrappedText("number +13125550120 belongs to user Ada Lovelace"),
			},
			{
				Config:      p.config(assign("a", "+13125550101")),
				PlanOnly:    true,
				ExpectError: wrappedText(`number +13125550101 is already assigned to service "Sales Hunt Group"`),
			},
			{
				Config:      p.config(assign("a", "+14155550100")),
				PlanOnly:    true,
				ExpectError: wrappedText("number +14155550100 is not in the number pool of site demo"),
			},
			{
				Config: p.config(assign("a", "+13125550150") + `
resource "callingportal_user" "b" {
  email        = "twice@example.com"
  first_name   = "Tw"
  last_name    = "Ice"
  phone_number = "+13125550150"
}`),
				PlanOnly:    true,
				ExpectError: wrappedText("number +13125550150 is also claimed by a"),
			},
			{
				Config: p.config(assign("a", "+13125550150") + `
resource "callingportal_number_assignment" "missing" {
  number     = "+13125550151"
  phone_id   = "ph_doesnotexist"
}`),
				PlanOnly:    true,
				ExpectError: wrappedText(`phone "ph_doesnotexist" does not exist on site demo`),
			},
			{
				// Nothing the rejected plans touched changed in the portal.
				PreConfig: func() {
					if after := p.export(t); after != before {
						t.Fatalf("a rejected plan changed the portal:\nbefore:\n%s\nafter:\n%s", before, after)
					}
				},
				Config:             p.config(assign("a", "+13125550150")),
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
		},
	})
}

func TestAccPlanChecks_unknownNumberEnforcedAtApply(t *testing.T) {
	p := startPortal(t)
	config := p.config(fmt.Sprintf(`
# The ID of terraform_data is a UUID made at apply: 36 characters.
resource "terraform_data" "unknown" {}

resource "callingportal_number_assignment" "a" {
  number     = format("+1312555%%04d", 114 + length(terraform_data.unknown.id))
  service_id = %q
}`, p.serviceID(t, "After Hours")))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// The plan cannot know the number, so it passes; at apply
				// the same rule refuses it, in the same words.
				PreConfig:          func() { p.setAvailable(t, 0) },
				Config:             config,
				PlanOnly:           true,
				ExpectNonEmptyPlan: true,
			},
			{
				Config:      config,
				ExpectError: regexp.MustCompile(`Could\s+not\s+plan\s+callingportal_number_assignment:\s+this\s+plan\s+` + wrappedText("needs 1 new station; site demo has 0 available (7 in use of 7 purchased)").String()), // At apply Terraform plans the resource again once its number is known, and the provider's check refuses it there ("this plan"), before the portal's own rule ("this change") is reached.
			},
		},
	})
}

// TestAccPlanChecks_ledgerUnderParallelism plans and applies 300 creates at
// exactly the site's capacity under Terraform's default parallelism of 10:
// the plan-wide count must reject one more and never reject these, neither
// in the plan nor in the apply's re-plans interleaved with creates.
func TestAccPlanChecks_ledgerUnderParallelism(t *testing.T) {
	p := startPortal(t)
	p.addNumbers(t, 1000, 301)
	p.setAvailable(t, 300)
	svc := p.serviceID(t, "After Hours")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      p.config(assignments("bulk", 301, 1000, svc)),
				PlanOnly:    true,
				ExpectError: wrappedText("this plan needs 301 new stations; site demo has 300 available"),
			},
			{
				Config: p.config(assignments("bulk", 300, 1000, svc)),
				Check: func(*terraform.State) error {
					if inv := p.inventory(t); inv.Available != 0 || inv.InUse != inv.Total {
						return fmt.Errorf("inventory after applying at capacity: %+v", inv)
					}
					return nil
				},
			},
			{
				Config:           p.config(assignments("bulk", 300, 1000, svc)),
				ConfigPlanChecks: resource.ConfigPlanChecks{PreApply: []plancheck.PlanCheck{plancheck.ExpectEmptyPlan()}},
			},
		},
	})
}

// TestPlanChecks_applyWithoutSavedPlan runs `terraform apply` with no plan
// file, the provider as its own process: Terraform plans in one provider
// process and re-plans each resource in another while applying the others.
func TestPlanChecks_applyWithoutSavedPlan(t *testing.T) {
	cli := newCLI(t)
	p := startPortal(t)
	p.addNumbers(t, 1000, 150)
	p.setAvailable(t, 150)
	cli.write(t, p.config(assignments("bulk", 150, 1000, p.serviceID(t, "After Hours"))))
	if out, err := cli.run("apply", "-auto-approve"); err != nil {
		t.Fatalf("terraform apply at capacity failed: %v\n%s", err, out)
	}
	cli.expectNoChanges(t)
	if inv := p.inventory(t); inv.Available != 0 {
		t.Fatalf("inventory after apply: %+v", inv)
	}
}

// TestPlanChecks_replaceFlag: `terraform apply -replace=...` on a full site,
// with and without a refresh, replaces a user and an assignment in place of
// their own numbers.
func TestPlanChecks_replaceFlag(t *testing.T) {
	cli := newCLI(t)
	p := startPortal(t)
	cli.write(t, p.config(fmt.Sprintf(`
resource "callingportal_user" "u" {
  email        = "replaced@example.com"
  first_name   = "Re"
  last_name    = "Placed"
  phone_number = "+13125550150"
}

resource "callingportal_number_assignment" "a" {
  number     = "+13125550151"
  service_id = %q
}`, p.serviceID(t, "After Hours"))))
	if out, err := cli.run("apply", "-auto-approve"); err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	p.setAvailable(t, 0)
	for _, refresh := range []string{"-refresh=true", "-refresh=false"} {
		out, err := cli.run("apply", "-auto-approve", refresh, "-replace=callingportal_user.u", "-replace=callingportal_number_assignment.a")
		if err != nil || !strings.Contains(out, "Resources: 2 added, 0 changed, 2 destroyed.") {
			t.Fatalf("apply -replace %s on a full site: %v\n%s", refresh, err, out)
		}
	}
	cli.expectNoChanges(t)
}

// TestPlanChecks_overCapacityOneError: 45 new assignments against 40 free
// stations fail the plan with one error that states what the whole plan
// needs, on every run and at any -parallelism above 1; at 1, Terraform
// plans nothing else while the refusing resource waits, and the error says
// that the plan needs at least what it counted (see DESIGN.md).
func TestPlanChecks_overCapacityOneError(t *testing.T) {
	c := newCLI(t)
	p := startPortal(t)
	p.setAvailable(t, 40)
	c.write(t, p.config(assignments("bulk", 45, 150, p.serviceID(t, "After Hours"))))
	want := wrappedText("Could not plan callingportal_number_assignment: this plan needs 45 new stations; site demo has 40 available (7 in use of 47 purchased)")
	for _, parallelism := range []string{"10", "10", "10", "3", "2"} {
		out, err := c.run("plan", "-parallelism="+parallelism)
		if err == nil || strings.Count(out, "Error: ") != 1 || strings.Count(out, "Error: No stations available") != 1 || !want.MatchString(out) {
			t.Fatalf("plan at -parallelism=%s: %v, want exactly one error %q:\n%s", parallelism, err, want, out)
		}
	}
	// At 1 the refusal counts what Terraform planned so far, and says so.
	out, err := c.run("plan", "-parallelism=1")
	atLeast := wrappedText(strings.TrimPrefix(partialCount, ". "))
	if err == nil || strings.Count(out, "Error: ") != 1 || !atLeast.MatchString(out) {
		t.Fatalf("plan at -parallelism=1: %v, want one error that says it counts at least:\n%s", err, out)
	}
}

// TestAccPlanChecks_destroysAreNotCounted: a plan that removes an
// assignment and adds a user on a full site is refused, as Terraform may
// create the user first; the refusal says so and what to do.
func TestAccPlanChecks_destroysAreNotCounted(t *testing.T) {
	p := startPortal(t)
	svc := p.serviceID(t, "After Hours")
	user := `
resource "callingportal_user" "new" {
  email        = "new.user@example.com"
  first_name   = "New"
  last_name    = "User"
  phone_number = "+13125550160"
}`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{Config: p.config(assignments("old", 1, 150, svc))},
			{
				PreConfig: func() { p.setAvailable(t, 0) },
				Config:    p.config(user),
				PlanOnly:  true,
				ExpectError: inOrder("this plan needs 1 new station; site demo has 0 available (8 in use of 8 purchased).",
					"The plan also destroys resources that free 1 station, but Terraform may create before it destroys, so they are not counted:",
					"apply the removals first (terraform apply -target=ADDRESS for each removed resource), then the rest"),
			},
			{
				// Removed first, the assignment's station takes the user.
				Config: p.config(""),
			},
			{Config: p.config(user)},
		},
	})
}

// TestAccPlanChecks_uniqueValues: emails (in any case) and extensions are
// unique on the site, extensions among users, phones and services; a plan
// that claims one twice, or one the portal's objects have, fails at plan.
func TestAccPlanChecks_uniqueValues(t *testing.T) {
	p := startPortal(t)
	user := func(name, email, number, extension string) string {
		ext := ""
		if extension != "" {
			ext = fmt.Sprintf("extension = %q", extension)
		}
		return fmt.Sprintf(`
resource "callingportal_user" %q {
  email        = %q
  first_name   = "Uni"
  last_name    = "Que"
  phone_number = %q
  %s
}
`, name, email, number, ext)
	}
	service := func(name, extension string) string {
		return fmt.Sprintf(`
resource "callingportal_service" %q {
  name      = %q
  type      = "hunt_group"
  extension = %q
}
`, name, name, extension)
	}
	phone := `
resource "callingportal_phone" "desk" {
  name      = "Desk Phone"
  extension = "501"
}
`
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config:      p.config(user("a", "twin@example.com", "+13125550150", "") + user("b", "TWIN@example.com", "+13125550151", "")),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Email claimed twice in this plan[\s\S]*email\s+(twin|TWIN)@example.com\s+is\s+also\s+claimed\s+by\s+a\s+callingportal_user\s+resource\s+in\s+this\s+plan`),
			},
			{
				Config:      p.config(user("a", "one@example.com", "+13125550150", "401") + user("b", "two@example.com", "+13125550151", "401")),
				PlanOnly:    true,
				ExpectError: inOrder("Extension claimed twice in this plan", "extension 401 is also claimed by a callingportal_user resource in this plan"),
			},
			{
				Config:      p.config(user("a", "one@example.com", "+13125550150", "402") + service("Queue", "402")),
				PlanOnly:    true,
				ExpectError: regexp.MustCompile(`Extension claimed twice in this plan[\s\S]*extension\s+402\s+is\s+also\s+claimed\s+by\s+a\s+callingportal_(user|service)\s+resource`),
			},
			{
				Config:      p.config(service("Queue", "201")),
				PlanOnly:    true,
				ExpectError: inOrder(`extension = "201"`, `extension "201" is already used by user Ada Lovelace <ada.lovelace@example.com>`),
			},
			{Config: p.config(phone)},
			{
				Config:      p.config(phone + user("a", "one@example.com", "+13125550150", "501")),
				PlanOnly:    true,
				ExpectError: inOrder(`extension = "501"`, `extension "501" is already used by phone "Desk Phone"`),
			},
		},
	})
}
