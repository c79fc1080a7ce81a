package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/hashicorp/terraform-plugin-framework/path"
	fwresource "github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

const testAssignment = "callingportal_number_assignment.main"

// assignmentHCL is a callingportal_number_assignment "main"; target is
// `service_id = "..."`, `phone_id = "..."`, both or neither.
func assignmentHCL(number string, target ...string) string {
	body := fmt.Sprintf("  number = %q\n", number)
	for _, t := range target {
		body += "  " + t + "\n"
	}
	return "\nresource \"callingportal_number_assignment\" \"main\" {\n" + body + "}\n"
}

func serviceTarget(id string) string { return fmt.Sprintf("service_id = %q", id) }
func phoneTarget(id string) string   { return fmt.Sprintf("phone_id = %q", id) }

func TestAccNumberAssignment(t *testing.T) {
	testAccPreCheck(t)
	p := startPortal(t)
	afterHours, conference := p.serviceID(t, "After Hours"), p.phoneID(t, "Conference Room A")
	onService := p.config(assignmentHCL("+13125550150", serviceTarget(afterHours)))
	onPhone := p.config(assignmentHCL("+13125550150", phoneTarget(conference)))
	// moveToPhone applies onPhone while a service holds the number.
	moveToPhone := resource.TestStep{
		Config:            onPhone,
		ConfigPlanChecks:  expectPlan(plancheck.ExpectResourceAction(testAssignment, plancheck.ResourceActionUpdate)),
		ConfigStateChecks: expectAssignment("+13125550150", "", conference),
		Check: resource.ComposeAggregateTestCheckFunc(
			p.checkHolder("+13125550150", contract.TargetPhone, conference),
			p.checkInUse(t, 8),
		),
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             p.checkAssignmentsDestroyed,
		Steps: []resource.TestStep{
			{
				// Create: the number takes one station.
				Config:            onService,
				ConfigPlanChecks:  expectPlan(plancheck.ExpectResourceAction(testAssignment, plancheck.ResourceActionCreate)),
				ConfigStateChecks: expectAssignment("+13125550150", afterHours, ""),
				Check: resource.ComposeAggregateTestCheckFunc(
					p.checkHolder("+13125550150", contract.TargetService, afterHours),
					p.checkInUse(t, 8),
				),
			},
			// Import by the number, in any spelling.
			{ResourceName: testAssignment, ImportState: true, ImportStateVerify: true},
			{ResourceName: testAssignment, ImportState: true, ImportStateVerify: true, ImportStateId: "+1 (312) 555-0150"},
			{
				Config:           onService,
				ConfigPlanChecks: expectPlan(plancheck.ExpectEmptyPlan()),
			},
			// A new target moves the number in place: no station freed or taken.
			moveToPhone,
			{ResourceName: testAssignment, ImportState: true, ImportStateVerify: true, ImportStateId: "+13125550150"},
			{
				// Moved outside Terraform: the plan moves it back in place.
				Config: onPhone,
				Check: resource.ComposeAggregateTestCheckFunc(
					p.moveNumber("+13125550150", contract.Target{Type: contract.TargetService, ID: p.serviceID(t, "Sales Hunt Group")}),
				),
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAssignment, plancheck.ResourceActionUpdate),
				}},
			},
			moveToPhone,
			{
				// A new number replaces the assignment; the old one is freed.
				Config:            p.config(assignmentHCL("+13125550151", phoneTarget(conference))),
				ConfigPlanChecks:  expectPlan(plancheck.ExpectResourceAction(testAssignment, plancheck.ResourceActionDestroyBeforeCreate)),
				ConfigStateChecks: expectAssignment("+13125550151", "", conference),
				Check: resource.ComposeAggregateTestCheckFunc(
					p.checkHolder("+13125550151", contract.TargetPhone, conference),
					p.checkNumberStatus("+13125550150", contract.StatusAvailable),
					p.checkInUse(t, 8),
				),
			},
			{
				Config:           p.config(assignmentHCL("+13125550151", phoneTarget(conference))),
				ConfigPlanChecks: expectPlan(plancheck.ExpectEmptyPlan()),
			},
		},
	})
}

func TestAccNumberAssignment_disappears(t *testing.T) {
	testAccPreCheck(t)
	p := startPortal(t)
	config := p.config(assignmentHCL("+13125550150", serviceTarget(p.serviceID(t, "After Hours"))))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             p.checkAssignmentsDestroyed,
		Steps: []resource.TestStep{
			{
				// Unassigned outside Terraform: the next plan assigns it again.
				Config:             config,
				Check:              p.unassignNumber("+13125550150"),
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testAssignment, plancheck.ResourceActionCreate),
				}},
			},
			{
				Config:           config,
				ConfigPlanChecks: expectPlan(plancheck.ExpectResourceAction(testAssignment, plancheck.ResourceActionCreate)),
				Check: resource.ComposeAggregateTestCheckFunc(
					p.checkNumberStatus("+13125550150", contract.StatusAssigned),
					p.checkInUse(t, 8),
				),
			},
			{
				Config:           config,
				ConfigPlanChecks: expectPlan(plancheck.ExpectEmptyPlan()),
			},
			{
				// Given to a user outside Terraform: no longer ours, and
				// the plan to assign it again fails on the user's number.
				Config: config,
				Check: resource.ComposeAggregateTestCheckFunc(
					p.unassignNumber("+13125550150"),
					p.createUser("jane.doe@example.com", "+13125550150"),
				),
				ExpectError: inOrder("belongs to user Jane Doe", "callingportal_user"),
			},
			{
				// Once the user is deleted, the number is assigned again.
				PreConfig: func() {
					u, err := p.client.Users.FindByEmail(context.Background(), "jane.doe@example.com")
					if err == nil {
						err = p.client.Users.Delete(context.Background(), u.ID)
					}
					if err != nil {
						t.Fatalf("delete jane: %v", err)
					}
				},
				Config:           config,
				ConfigPlanChecks: expectPlan(plancheck.ExpectResourceAction(testAssignment, plancheck.ResourceActionCreate)),
			},
		},
	})
}

func TestAccNumberAssignment_errors(t *testing.T) {
	testAccPreCheck(t)
	p := startPortal(t)
	afterHours := serviceTarget(p.serviceID(t, "After Hours"))
	assign := func(number string, target ...string) string { return p.config(assignmentHCL(number, target...)) }
	unchanged := func() { p.expectInUse(t, 7) }
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             p.checkAssignmentsDestroyed,
		Steps: []resource.TestStep{
			{
				Config:      assign("+1 312-555-0150", afterHours),
				ExpectError: wrappedText(`not in canonical E.164: write "+13125550150"`),
			},
			{
				Config:      assign("+13125550150", afterHours, phoneTarget(p.phoneID(t, "Conference Room A"))),
				ExpectError: wrappedText("Exactly one of these attributes must be configured: [service_id,phone_id]"),
			},
			{
				Config:      assign("+13125550150"),
				ExpectError: wrappedText("Exactly one of these attributes must be configured: [service_id,phone_id]"),
			},
			{
				// Ada Lovelace holds 0120.
				PreConfig: unchanged,
				Config:    assign("+13125550120", afterHours),
				ExpectError: inOrder(`number = "+13125550120"`,
					"belongs to user Ada Lovelace", "manage it with callingportal_user"),
			},
			{
				// Never steals a number that another service holds.
				PreConfig:   unchanged,
				Config:      assign("+13125550101", afterHours),
				ExpectError: inOrder(`number = "+13125550101"`, `already assigned to service "Sales Hunt Group"`),
			},
			{
				PreConfig:   unchanged,
				Config:      assign("+13125550300", afterHours),
				ExpectError: inOrder(`number = "+13125550300"`, "is not in the number pool of site demo"),
			},
			{
				PreConfig:   unchanged,
				Config:      assign("+13125550150", serviceTarget("svc_missing")),
				ExpectError: inOrder(`service_id = "svc_missing"`, `service "svc_missing" does not exist on site demo`),
			},
			{
				PreConfig: func() {
					unchanged()
					p.setAvailable(t, 0)
				},
				Config:      assign("+13125550150", afterHours),
				ExpectError: inOrder(`number = "+13125550150"`, "needs 1 new station; site demo has 0 available (7 in use of 7 purchased)"),
			},
			{
				PreConfig:   unchanged,
				Config:      assign("+13125550150", afterHours),
				ExpectError: wrappedText("needs 1 new station"),
			},
		},
	})
}

func TestAccNumberAssignment_importErrors(t *testing.T) {
	testAccPreCheck(t)
	p := startPortal(t)
	config := p.config(assignmentHCL("+13125550150", serviceTarget(p.serviceID(t, "After Hours"))))
	importAs := func(id string) resource.TestStep {
		return resource.TestStep{Config: config, ResourceName: testAssignment, ImportState: true, ImportStateId: id}
	}
	userNumber, available, notInPool, notANumber := importAs("+13125550120"), importAs("+13125550150"), importAs("+13125550300"), importAs("3125550120")
	userNumber.ExpectError = inOrder("belongs to user Ada Lovelace", "terraform import callingportal_user.<name> +13125550120")
	available.ExpectError = wrappedText("Number +13125550150 is available on site demo: no phone or service holds it")
	notInPool.ExpectError = wrappedText("number +13125550300 is not in the number pool of site demo")
	notANumber.ExpectError = wrappedText(`"3125550120" has no country code`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    []resource.TestStep{userNumber, available, notInPool, notANumber},
	})
}

// TestNumberAssignmentOutsideTerraform calls Read and Delete directly on a
// number that a user took after Terraform assigned it, which a plan cannot
// reach: Read drops it from state and Delete leaves it to the user, both
// with a warning.
func TestNumberAssignmentOutsideTerraform(t *testing.T) {
	p := startUnitPortal(t)
	ctx := context.Background()
	r := &numberAssignmentResource{client: p.client, view: p.client.NewView()}
	var schemaResp fwresource.SchemaResponse
	r.Schema(ctx, fwresource.SchemaRequest{}, &schemaResp)
	stateOf := func(number string) tfsdk.State {
		t.Helper()
		s := tfsdk.State{Schema: schemaResp.Schema, Raw: tftypes.NewValue(schemaResp.Schema.Type().TerraformType(ctx), nil)}
		m := numberAssignmentModel{ID: types.StringValue(number), Number: types.StringValue(number),
			ServiceID: types.StringValue(p.serviceID(t, "After Hours")), PhoneID: types.StringNull(), Timeouts: noTimeouts()}
		if diags := s.Set(ctx, &m); diags.HasError() {
			t.Fatal(diags)
		}
		return s
	}
	if err := p.createUser("jane.doe@example.com", "+13125550150")(nil); err != nil {
		t.Fatal(err)
	}

	read := fwresource.ReadResponse{State: stateOf("+13125550150")}
	r.Read(ctx, fwresource.ReadRequest{State: stateOf("+13125550150")}, &read)
	if !read.State.Raw.IsNull() || read.Diagnostics.HasError() || read.Diagnostics.WarningsCount() != 1 {
		t.Errorf("Read of a user's number: state %v, diagnostics %v; want it removed with one warning", read.State.Raw, read.Diagnostics)
	}

	for number, warnings := range map[string]int{
		"+13125550150": 1, // now a user's: left to the user
		"+13125550151": 0, // already available
		"+13125550300": 0, // not in the pool
	} {
		del := fwresource.DeleteResponse{State: stateOf(number)}
		r.Delete(ctx, fwresource.DeleteRequest{State: stateOf(number)}, &del)
		if del.Diagnostics.HasError() || del.Diagnostics.WarningsCount() != warnings {
			t.Errorf("Delete of %s: diagnostics %v, want %d warnings and no error", number, del.Diagnostics, warnings)
		}
	}
	if err := p.checkNumberStatus("+13125550150", contract.StatusAssigned)(nil); err != nil {
		t.Errorf("Delete freed a user's number: %v", err)
	}
}

func TestNumberAssignmentMapping(t *testing.T) {
	for _, tc := range []struct {
		name    string
		n       contract.Number
		ok      bool
		service string
		phone   string
	}{
		{"service", contract.Number{Number: "+13125550150", Status: contract.StatusAssigned, AssignedType: contract.TargetService, AssignedID: "svc_1"}, true, "svc_1", ""},
		{"phone", contract.Number{Number: "+13125550150", Status: contract.StatusAssigned, AssignedType: contract.TargetPhone, AssignedID: "ph_1"}, true, "", "ph_1"},
		{"user", contract.Number{Number: "+13125550150", Status: contract.StatusAssigned, AssignedType: contract.TargetUser, AssignedID: "usr_1"}, false, "", ""},
		{"available", contract.Number{Number: "+13125550150", Status: contract.StatusAvailable}, false, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m, ok := numberAssignmentFromAPI(tc.n)
			if ok != tc.ok {
				t.Fatalf("ok = %v, want %v", ok, tc.ok)
			}
			if m.ID.ValueString() != tc.n.Number || m.Number.ValueString() != tc.n.Number {
				t.Errorf("id %s, number %s, want %s", m.ID, m.Number, tc.n.Number)
			}
			if !ok {
				return
			}
			if !m.ServiceID.Equal(stringOrNull(tc.service)) || !m.PhoneID.Equal(stringOrNull(tc.phone)) {
				t.Errorf("service_id %s, phone_id %s, want %q, %q", m.ServiceID, m.PhoneID, tc.service, tc.phone)
			}
			if back := m.target(); back.ID != tc.n.AssignedID || back.Type != tc.n.AssignedType {
				t.Errorf("target() = %+v, want the holder %s %s", back, tc.n.AssignedType, tc.n.AssignedID)
			}
		})
	}
	if got := errorAttribute(contract.Invalid("phone_id", "missing"), numberAssignmentFields, path.Root("number")); !got.Equal(path.Root("phone_id")) {
		t.Errorf("a missing phone is reported on %s, want phone_id", got)
	}
}

// expectAssignment checks the assignment in state; "" means null.
func expectAssignment(number, serviceID, phoneID string) []statecheck.StateCheck {
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(testAssignment, tfjsonpath.New("id"), knownvalue.StringExact(number)),
		statecheck.ExpectKnownValue(testAssignment, tfjsonpath.New("number"), knownvalue.StringExact(number)),
		statecheck.ExpectKnownValue(testAssignment, tfjsonpath.New("service_id"), stringOrNullCheck(serviceID)),
		statecheck.ExpectKnownValue(testAssignment, tfjsonpath.New("phone_id"), stringOrNullCheck(phoneID)),
	}
}

// checkHolder checks who holds a number in the portal.
func (p *testPortal) checkHolder(number string, kind contract.TargetType, id string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		n, err := p.client.Numbers.Read(context.Background(), number)
		if err != nil {
			return err
		}
		if n.Status != contract.StatusAssigned || n.AssignedType != kind || n.AssignedID != id {
			return fmt.Errorf("number %s is %s to %s %q, want %s %s", number, n.Status, n.AssignedType, n.AssignedID, kind, id)
		}
		return nil
	}
}

// moveNumber moves a number behind Terraform's back.
func (p *testPortal) moveNumber(number string, to contract.Target) resource.TestCheckFunc {
	return func(*terraform.State) error {
		_, err := p.client.Numbers.Assign(context.Background(), number, to, false)
		return err
	}
}

// unassignNumber frees a number behind Terraform's back.
func (p *testPortal) unassignNumber(number string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		_, err := p.client.Numbers.Unassign(context.Background(), number, 0)
		return err
	}
}

// createUser sets a user up behind Terraform's back.
func (p *testPortal) createUser(email, number string) resource.TestCheckFunc {
	return func(*terraform.State) error {
		first, last := "Jane", "Doe"
		_, err := p.client.Users.Create(context.Background(), contract.UserInput{
			Email: &email, FirstName: &first, LastName: &last, PhoneNumber: &number})
		return err
	}
}

// checkAssignmentsDestroyed passes only when every number of state is
// available again.
func (p *testPortal) checkAssignmentsDestroyed(s *terraform.State) error {
	for _, rs := range s.RootModule().Resources {
		if rs.Type != "callingportal_number_assignment" {
			continue
		}
		if err := p.checkNumberStatus(rs.Primary.ID, contract.StatusAvailable)(s); err != nil {
			return errors.Join(errors.New("number assignment not destroyed"), err)
		}
	}
	return nil
}

// TestNumberAssignmentDestroyOfAStaleState destroys three assignments with
// -refresh=false after the portal changed two of them: the unchanged one is
// freed with its saved version, the one freed meanwhile is gone already, and
// the one moved to another target is left there with a warning.
func TestNumberAssignmentDestroyOfAStaleState(t *testing.T) {
	c := newCLI(t)
	p := startPortal(t)
	service, lobby := p.serviceID(t, "After Hours"), p.phoneID(t, "Lobby Phone")
	const unchanged, freed, moved = "+13125550150", "+13125550151", "+13125550152"
	c.write(t, p.config(fmt.Sprintf(`
resource "callingportal_number_assignment" "a" {
  for_each   = toset([%q, %q, %q])
  number     = each.value
  service_id = %q
}
`, unchanged, freed, moved, service)))
	if out, err := c.run("apply", "-auto-approve"); err != nil {
		t.Fatalf("apply: %v\n%s", err, out)
	}
	if _, err := p.client.Numbers.Unassign(t.Context(), freed, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := p.client.Numbers.Assign(t.Context(), moved, contract.Target{Type: contract.TargetPhone, ID: lobby}, false); err != nil {
		t.Fatal(err)
	}
	out, err := c.run("destroy", "-auto-approve", "-refresh=false")
	if err != nil || strings.Count(out, "Number moved outside Terraform") != 1 || !strings.Contains(out, moved+" is now held by phone") {
		t.Fatalf("destroy of a stale state: %v, want it to succeed with one warning, for %s\n%s", err, moved, out)
	}
	for number, want := range map[string]contract.Target{unchanged: {}, freed: {}, moved: {Type: contract.TargetPhone, ID: lobby}} {
		n, err := p.client.Numbers.Read(t.Context(), number)
		if err != nil || n.AssignedType != want.Type || n.AssignedID != want.ID {
			t.Errorf("after the destroy %s is %+v (%v), want held by %+v", number, n, err, want)
		}
	}
}
