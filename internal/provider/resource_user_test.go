package provider

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/compare"
	"github.com/hashicorp/terraform-plugin-testing/config"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/plancheck"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/terraform"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/callingportal/terraform-provider-callingportal/internal/client"
	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
)

const testUser = "callingportal_user.jane"

// userHCL is a callingportal_user "jane"; extra lines go inside the block.
func userHCL(email, first, last, number string, extra ...string) string {
	return fmt.Sprintf(`
resource "callingportal_user" "jane" {
  email        = %q
  first_name   = %q
  last_name    = %q
  phone_number = %q
  %s
}
`, email, first, last, number, strings.Join(extra, "\n  "))
}

func TestAccUser(t *testing.T) {
	testAccPreCheck(t)
	p := startPortal(t)
	sameUser := statecheck.CompareValue(compare.ValuesSame())
	newUser := statecheck.CompareValue(compare.ValuesDiffer())
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             p.checkUsersDestroyed,
		Steps: []resource.TestStep{
			{
				// Create: the user takes its number and one station.
				Config: p.config(userHCL("jane.doe@example.com", "Jane", "Doe", "+13125550150", `extension = "301"`)),
				ConfigPlanChecks: expectPlan(
					plancheck.ExpectResourceAction(testUser, plancheck.ResourceActionCreate),
					plancheck.ExpectUnknownValue(testUser, tfjsonpath.New("id")),
				),
				ConfigStateChecks: append(expectUserState("jane.doe@example.com", "Jane", "Doe", "301", "+13125550150"),
					sameUser.AddStateValue(testUser, tfjsonpath.New("id"))),
				Check: resource.ComposeAggregateTestCheckFunc(
					p.checkUserInPortal("jane.doe@example.com", "Jane", "Doe", "301", "+13125550150"),
					p.checkInUse(t, 8),
				),
			},
			// Import by ID, by email and by number (any spelling).
			{ResourceName: testUser, ImportState: true, ImportStateVerify: true},
			{ResourceName: testUser, ImportState: true, ImportStateVerify: true, ImportStateId: "jane.doe@example.com"},
			{ResourceName: testUser, ImportState: true, ImportStateVerify: true, ImportStateId: "+1 (312) 555-0150"},
			{
				// Re-plan: nothing to change.
				Config:           p.config(userHCL("jane.doe@example.com", "Jane", "Doe", "+13125550150", `extension = "301"`)),
				ConfigPlanChecks: expectPlan(plancheck.ExpectEmptyPlan()),
			},
			{
				// Email, names and extension change in place.
				Config:           p.config(userHCL("janet.smith@example.com", "Janet", "Smith", "+13125550150", `extension = "302"`)),
				ConfigPlanChecks: expectPlan(plancheck.ExpectResourceAction(testUser, plancheck.ResourceActionUpdate)),
				ConfigStateChecks: append(expectUserState("janet.smith@example.com", "Janet", "Smith", "302", "+13125550150"),
					sameUser.AddStateValue(testUser, tfjsonpath.New("id"))),
				Check: resource.ComposeAggregateTestCheckFunc(
					p.checkUserInPortal("janet.smith@example.com", "Janet", "Smith", "302", "+13125550150"),
					p.checkInUse(t, 8),
				),
			},
			{
				// Removing the extension clears it in the portal.
				Config:           p.config(userHCL("janet.smith@example.com", "Janet", "Smith", "+13125550150")),
				ConfigPlanChecks: expectPlan(plancheck.ExpectResourceAction(testUser, plancheck.ResourceActionUpdate)),
				ConfigStateChecks: append(expectUserState("janet.smith@example.com", "Janet", "Smith", "", "+13125550150"),
					sameUser.AddStateValue(testUser, tfjsonpath.New("id")),
					newUser.AddStateValue(testUser, tfjsonpath.New("id"))),
				Check: p.checkUserInPortal("janet.smith@example.com", "Janet", "Smith", "", "+13125550150"),
			},
			// Import without an extension: null in both.
			{ResourceName: testUser, ImportState: true, ImportStateVerify: true, ImportStateId: "janet.smith@example.com"},
			{
				// A new number replaces the user; the old number is freed.
				Config:           p.config(userHCL("janet.smith@example.com", "Janet", "Smith", "+13125550151")),
				ConfigPlanChecks: expectPlan(plancheck.ExpectResourceAction(testUser, plancheck.ResourceActionDestroyBeforeCreate)),
				ConfigStateChecks: append(expectUserState("janet.smith@example.com", "Janet", "Smith", "", "+13125550151"),
					newUser.AddStateValue(testUser, tfjsonpath.New("id"))),
				Check: resource.ComposeAggregateTestCheckFunc(
					p.checkUserInPortal("janet.smith@example.com", "Janet", "Smith", "", "+13125550151"),
					p.checkNumberStatus("+13125550150", contract.StatusAvailable),
					p.checkInUse(t, 8),
				),
			},
			{
				Config:           p.config(userHCL("janet.smith@example.com", "Janet", "Smith", "+13125550151")),
				ConfigPlanChecks: expectPlan(plancheck.ExpectEmptyPlan()),
			},
		},
	})
}

func TestAccUser_disappears(t *testing.T) {
	testAccPreCheck(t)
	p := startPortal(t)
	config := p.config(userHCL("jane.doe@example.com", "Jane", "Doe", "+13125550150"))
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             p.checkUsersDestroyed,
		Steps: []resource.TestStep{
			{
				// Deleted outside Terraform: the next plan creates it again.
				Config: config,
				Check: resource.ComposeAggregateTestCheckFunc(
					p.deleteUser(testUser),
					p.checkNumberStatus("+13125550150", contract.StatusAvailable),
				),
				ExpectNonEmptyPlan: true,
				ConfigPlanChecks: resource.ConfigPlanChecks{PostApplyPostRefresh: []plancheck.PlanCheck{
					plancheck.ExpectResourceAction(testUser, plancheck.ResourceActionCreate),
				}},
			},
			{
				Config:           config,
				ConfigPlanChecks: expectPlan(plancheck.ExpectResourceAction(testUser, plancheck.ResourceActionCreate)),
				Check:            p.checkUserInPortal("jane.doe@example.com", "Jane", "Doe", "", "+13125550150"),
			},
			{
				Config:           config,
				ConfigPlanChecks: expectPlan(plancheck.ExpectEmptyPlan()),
			},
		},
	})
}

func TestAccUser_voicemailPIN(t *testing.T) {
	testAccPreCheck(t)
	p := startPortal(t)
	const first, second = "4826", "7093"
	// The PIN comes from an ephemeral variable, as it would in production:
	// a literal would be echoed in the plan's copy of the configuration.
	hcl := func(version int) string {
		return p.config(`
variable "pin" {
  type      = string
  sensitive = true
  ephemeral = true
}
` + userHCL("jane.doe@example.com", "Jane", "Doe", "+13125550150",
			"voicemail_pin_wo = var.pin", fmt.Sprintf("voicemail_pin_wo_version = %d", version)))
	}
	pinVar := func(pin string) config.Variables { return config.Variables{"pin": config.StringVariable(pin)} }
	// sent is a step that sends pin with version, keeping it out of plan and state.
	sent := func(version int, pin string, action plancheck.ResourceActionType) resource.TestStep {
		return resource.TestStep{
			Config:          hcl(version),
			ConfigVariables: pinVar(pin),
			ConfigPlanChecks: expectPlan(
				plancheck.ExpectResourceAction(testUser, action),
				planLacks(pin),
			),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue(testUser, tfjsonpath.New("voicemail_pin_wo"), knownvalue.Null()),
				statecheck.ExpectKnownValue(testUser, tfjsonpath.New("voicemail_pin_wo_version"), knownvalue.Int64Exact(int64(version))),
				stateLacks(pin),
			},
			Check: p.checkVoicemailPIN(pin),
		}
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		// Write-only attributes and ephemeral variables came in Terraform 1.11.
		TerraformVersionChecks: []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_11_0)},
		CheckDestroy:           p.checkUsersDestroyed,
		Steps: []resource.TestStep{
			// The PIN is sent on create.
			sent(1, first, plancheck.ResourceActionCreate),
			{
				// A new PIN without a new version is not sent.
				Config:           hcl(1),
				ConfigVariables:  pinVar(second),
				ConfigPlanChecks: expectPlan(plancheck.ExpectEmptyPlan()),
				Check:            p.checkVoicemailPIN(first),
			},
			// A version bump sends it, in place.
			sent(2, second, plancheck.ResourceActionUpdate),
			{
				Config:           hcl(2),
				ConfigVariables:  pinVar(second),
				ConfigPlanChecks: expectPlan(plancheck.ExpectEmptyPlan()),
			},
		},
	})
}

func TestAccUser_errors(t *testing.T) {
	testAccPreCheck(t)
	p := startPortal(t)
	user := func(email, number string, extra ...string) string {
		return p.config(userHCL(email, "Jane", "Doe", number, extra...))
	}
	unchanged := func() { p.expectInUse(t, 7) }
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             p.checkUsersDestroyed,
		Steps: []resource.TestStep{
			{
				Config:      user("jane.doe@example.com", "+1 312-555-0150"),
				ExpectError: wrappedText(`not in canonical E.164: write "+13125550150"`),
			},
			{
				Config:      user("jane.doe@example.com", "+13125550150", `extension = "1"`),
				ExpectError: wrappedText(`"1" must be 2 to 6 digits`),
			},
			{
				Config:      user("jane.doe", "+13125550150"),
				ExpectError: wrappedText(`"jane.doe" is not an email address`),
			},
			{
				// Names follow the portal's rule, offline.
				Config:      p.config(userHCL("jane.doe@example.com", "", "Doe", "+13125550150")),
				PlanOnly:    true,
				ExpectError: inOrder(`first_name = ""`, "must not be empty"),
			},
			{
				Config:      p.config(userHCL("jane.doe@example.com", "Jane", " ", "+13125550150")),
				PlanOnly:    true,
				ExpectError: inOrder(`last_name`, "must not be empty"),
			},
			{
				Config:      p.config(userHCL("jane.doe@example.com", "Jane", strings.Repeat("x", 101), "+13125550150")),
				PlanOnly:    true,
				ExpectError: wrappedText("must be at most 100 characters"),
			},
			{
				Config:      user("jane.doe@example.com", "+13125550150", `voicemail_pin_wo_version = 1`),
				ExpectError: wrappedText(`"voicemail_pin_wo" must be specified when "voicemail_pin_wo_version" is specified`),
			},
			{
				Config:      user("jane.doe@example.com", "+13125550150", `voicemail_pin_wo = "12"`),
				ExpectError: wrappedText("must be 4 to 10 digits"),
			},
			{
				// Ada Lovelace holds 0120.
				PreConfig:   unchanged,
				Config:      user("jane.doe@example.com", "+13125550120"),
				ExpectError: inOrder(`phone_number = "+13125550120"`, "belongs to user Ada Lovelace", "callingportal_user"),
			},
			{
				PreConfig:   unchanged,
				Config:      user("jane.doe@example.com", "+13125550101"),
				ExpectError: inOrder(`phone_number = "+13125550101"`, `already assigned to service "Sales Hunt Group"`),
			},
			{
				PreConfig:   unchanged,
				Config:      user("jane.doe@example.com", "+13125550300"),
				ExpectError: inOrder(`phone_number = "+13125550300"`, "is not in the number pool of site demo"),
			},
			{
				PreConfig:   unchanged,
				Config:      user("ada.lovelace@example.com", "+13125550150"),
				PlanOnly:    true,
				ExpectError: inOrder(`email = "ada.lovelace@example.com"`, "already used by user Ada Lovelace"),
			},
			{
				PreConfig:   unchanged,
				Config:      user("jane.doe@example.com", "+13125550150", `extension = "201"`),
				PlanOnly:    true,
				ExpectError: inOrder(`extension = "201"`, "already used by user Ada Lovelace"),
			},
			{
				// Every purchased station in use.
				PreConfig: func() {
					unchanged()
					p.setAvailable(t, 0)
				},
				Config:      user("jane.doe@example.com", "+13125550150"),
				ExpectError: inOrder(`phone_number = "+13125550150"`, "needs 1 new station; site demo has 0 available (7 in use of 7 purchased)"),
			},
			{
				PreConfig: unchanged,
				Config:    user("jane.doe@example.com", "+13125550150"),
				// Nothing was created: the same apply fails the same way.
				ExpectError: wrappedText("needs 1 new station"),
			},
		},
	})
}

func TestAccUser_importErrors(t *testing.T) {
	testAccPreCheck(t)
	p := startPortal(t)
	importAs := func(id string) resource.TestStep {
		return resource.TestStep{Config: p.config(userHCL("jane.doe@example.com", "Jane", "Doe", "+13125550150")),
			ResourceName: testUser, ImportState: true, ImportStateId: id}
	}
	byEmail, byNumber, badNumber := importAs("nobody@example.com"), importAs("+13125550110"), importAs("+1 312")
	byEmail.ExpectError = wrappedText("No user of site demo has email nobody@example.com.")
	// The Lobby Phone holds 0110.
	byNumber.ExpectError = inOrder("No user of site demo has phone number +13125550110.", "callingportal_number_assignment")
	badNumber.ExpectError = wrappedText(`"+1 312" starts with + but is not a phone number`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps:                    []resource.TestStep{byEmail, byNumber, badNumber},
	})
}

// TestUserMapping covers the mapping between the portal's user and state.
func TestUserMapping(t *testing.T) {
	u := contract.User{ID: "usr_1", Email: "jane@example.com", FirstName: "Jane", LastName: "Doe",
		PhoneNumber: "+13125550150", VoicemailPINSet: true, Version: 3}
	got := userFromAPI(u, types.Int64Value(2))
	want := userModel{
		ID: types.StringValue("usr_1"), Email: types.StringValue("jane@example.com"),
		FirstName: types.StringValue("Jane"), LastName: types.StringValue("Doe"),
		Extension: types.StringNull(), PhoneNumber: types.StringValue("+13125550150"),
		VoicemailPINWO: types.StringNull(), VoicemailPINWOVersion: types.Int64Value(2),
		Timeouts: noTimeouts(),
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("userFromAPI without extension = %+v, want %+v", got, want)
	}
	u.Extension = "301"
	if got := userFromAPI(u, types.Int64Null()); !got.Extension.Equal(types.StringValue("301")) || !got.VoicemailPINWOVersion.IsNull() {
		t.Errorf("userFromAPI with extension = %+v", got)
	}

	in := userInput(want, types.StringValue("4826"))
	if in.Extension != nil || *in.Email != "jane@example.com" || *in.PhoneNumber != "+13125550150" || *in.VoicemailPIN != "4826" {
		t.Errorf("userInput = %s", show(in))
	}
	if in := userInput(want, types.StringNull()); in.VoicemailPIN != nil {
		t.Errorf("userInput without a PIN sends one: %s", show(in))
	}
}

// TestUserUpdate: an update sends the whole planned user, whatever
// changed, so that the portal's answer is the plan even if the user changed
// in the portal meanwhile; the PIN only with a new version.
func TestUserUpdate(t *testing.T) {
	state := userModel{
		ID: types.StringValue("usr_1"), Email: types.StringValue("jane@example.com"),
		FirstName: types.StringValue("Jane"), LastName: types.StringValue("Doe"),
		Extension: types.StringValue("301"), PhoneNumber: types.StringValue("+13125550150"),
		VoicemailPINWO: types.StringNull(), VoicemailPINWOVersion: types.Int64Value(1),
	}
	pin := types.StringValue("4826")
	// user is the JSON of a whole user with the number of state.
	user := func(email, first, last, extension, rest string) string {
		return fmt.Sprintf(`{"email":%q,"first_name":%q,"last_name":%q,"extension":%q,"phone_number":"+13125550150"%s}`,
			email, first, last, extension, rest)
	}
	for _, tc := range []struct {
		name string
		edit func(*userModel)
		pin  types.String
		want string
	}{
		{"nothing", func(*userModel) {}, pin, user("jane@example.com", "Jane", "Doe", "301", "")},
		{"names", func(m *userModel) { m.FirstName, m.LastName = types.StringValue("Janet"), types.StringValue("Smith") }, pin,
			user("jane@example.com", "Janet", "Smith", "301", "")},
		{"email", func(m *userModel) { m.Email = types.StringValue("janet@example.com") }, pin,
			user("janet@example.com", "Jane", "Doe", "301", "")},
		{"new extension", func(m *userModel) { m.Extension = types.StringValue("302") }, pin,
			user("jane@example.com", "Jane", "Doe", "302", "")},
		{"cleared extension", func(m *userModel) { m.Extension = types.StringNull() }, pin,
			user("jane@example.com", "Jane", "Doe", "", "")},
		{"PIN version", func(m *userModel) { m.VoicemailPINWOVersion = types.Int64Value(2) }, pin,
			user("jane@example.com", "Jane", "Doe", "301", `,"voicemail_pin":"4826"`)},
		{"PIN version without a PIN", func(m *userModel) { m.VoicemailPINWOVersion = types.Int64Value(2) }, types.StringNull(),
			user("jane@example.com", "Jane", "Doe", "301", "")},
	} {
		t.Run(tc.name, func(t *testing.T) {
			plan := state
			tc.edit(&plan)
			if got := show(userUpdate(state, plan, tc.pin)); got != tc.want {
				t.Errorf("userUpdate\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

// TestUserChangedAttributes: an update from a state without the user's
// version goes ahead only when the portal's user is still the state's.
func TestUserChangedAttributes(t *testing.T) {
	u := contract.User{ID: "usr_1", Email: "jane@example.com", FirstName: "Jane", LastName: "Doe",
		PhoneNumber: "+13125550150", Version: 3}
	state := userFromAPI(u, types.Int64Value(1))
	if got := changedAttributes(state, u); len(got) != 0 {
		t.Errorf("changedAttributes of the same user = %v, want none", got)
	}
	edited := u
	edited.FirstName, edited.Extension = "Janet", "301"
	if got := changedAttributes(state, edited); !slices.Equal(got, []string{"first_name", "extension"}) {
		t.Errorf("changedAttributes = %v, want [first_name extension]", got)
	}
}

// TestUserPhoneNumberReplaces checks that a new phone_number replaces the
// user and that the plan says why.
func TestUserPhoneNumberReplaces(t *testing.T) {
	known := tftypes.NewValue(tftypes.String, "x") // any non-null object
	req := planmodifier.StringRequest{
		Path:       path.Root("phone_number"),
		State:      tfsdk.State{Raw: known},
		Plan:       tfsdk.Plan{Raw: known},
		StateValue: types.StringValue("+13125550150"),
		PlanValue:  types.StringValue("+13125550151"),
	}
	var resp planmodifier.StringResponse
	phoneNumberReplaces.PlanModifyString(context.Background(), req, &resp)
	if !resp.RequiresReplace {
		t.Error("a new phone_number does not replace the user")
	}
	if len(resp.Diagnostics) != 1 || !strings.Contains(resp.Diagnostics[0].Detail(), "frees a user's number only when the user is deleted") {
		t.Errorf("diagnostics = %v, want one warning that explains the replacement", resp.Diagnostics)
	}

	req.PlanValue = req.StateValue
	resp = planmodifier.StringResponse{}
	phoneNumberReplaces.PlanModifyString(context.Background(), req, &resp)
	if resp.RequiresReplace || len(resp.Diagnostics) > 0 {
		t.Errorf("an unchanged phone_number: RequiresReplace %v, diagnostics %v", resp.RequiresReplace, resp.Diagnostics)
	}
}

func TestErrorAttribute(t *testing.T) {
	number := path.Root("phone_number")
	inv := contract.Inventory{Site: "demo", Total: 7, InUse: 7}
	for _, tc := range []struct {
		err  error
		want path.Path
	}{
		{contract.Conflict("email", "taken"), path.Root("email")},
		{contract.Invalid("voicemail_pin", "must be 4 to 10 digits"), path.Root("voicemail_pin_wo")},
		{contract.Invalid("number", "bad"), number},
		{contract.HeldByUser("+13125550120", "usr_1", "Ada Lovelace"), number},
		{contract.HeldByTarget("+13125550101", contract.TargetService, "svc_1", "Sales"), number},
		{contract.NotInPool("demo", "+13125550300"), number},
		{contract.NoStations("this change", 1, inv), number},
		{contract.Invalid("region", "bad"), path.Empty()},
		{contract.NotFound("user", "usr_1"), path.Empty()},
		{&contract.Error{Code: contract.CodeUnauthorized, Message: "token not accepted"}, path.Empty()},
		{errors.New("connection refused"), path.Empty()},
	} {
		if got := errorAttribute(tc.err, userFields, number); !got.Equal(tc.want) {
			t.Errorf("errorAttribute(%v) = %s, want %s", tc.err, got, tc.want)
		}
	}
}

// expectUserState checks the user in state; extension "" means null.
func expectUserState(email, first, last, extension, number string) []statecheck.StateCheck {
	return []statecheck.StateCheck{
		statecheck.ExpectKnownValue(testUser, tfjsonpath.New("id"), knownvalue.StringRegexp(regexp.MustCompile(`^usr_`))),
		statecheck.ExpectKnownValue(testUser, tfjsonpath.New("email"), knownvalue.StringExact(email)),
		statecheck.ExpectKnownValue(testUser, tfjsonpath.New("first_name"), knownvalue.StringExact(first)),
		statecheck.ExpectKnownValue(testUser, tfjsonpath.New("last_name"), knownvalue.StringExact(last)),
		statecheck.ExpectKnownValue(testUser, tfjsonpath.New("extension"), stringOrNullCheck(extension)),
		statecheck.ExpectKnownValue(testUser, tfjsonpath.New("phone_number"), knownvalue.StringExact(number)),
		statecheck.ExpectKnownValue(testUser, tfjsonpath.New("voicemail_pin_wo"), knownvalue.Null()),
	}
}

// checkUserInPortal checks the user in the portal: its fields, its ID is
// the one in state, and its number is held by it.
func (p *testPortal) checkUserInPortal(email, first, last, extension, number string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		ctx := context.Background()
		u, err := p.client.Users.FindByEmail(ctx, email)
		if err != nil {
			return fmt.Errorf("user %s in the portal: %w", email, err)
		}
		if id := s.RootModule().Resources[testUser].Primary.ID; u.ID != id {
			return fmt.Errorf("portal user %s has ID %s, state has %s", email, u.ID, id)
		}
		if u.FirstName != first || u.LastName != last || u.Extension != extension || u.PhoneNumber != number {
			return fmt.Errorf("portal user = %+v, want %s %s, extension %q, number %s", u, first, last, extension, number)
		}
		n, err := p.client.Numbers.Read(ctx, number)
		if err != nil {
			return err
		}
		if n.AssignedType != contract.TargetUser || n.AssignedID != u.ID {
			return fmt.Errorf("number %s is held by %s %q, want user %s", number, n.AssignedType, n.AssignedID, u.ID)
		}
		return nil
	}
}

// checkVoicemailPIN checks that the portal has pin as the user's PIN.
func (p *testPortal) checkVoicemailPIN(pin string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		id := s.RootModule().Resources[testUser].Primary.ID
		u, err := p.client.Users.Read(context.Background(), id)
		if err != nil {
			return err
		}
		if !u.VoicemailPINSet {
			return fmt.Errorf("user %s has no voicemail PIN in the portal", id)
		}
		var stored string
		err = p.Store().View(context.Background(), func(tx portal.Tx) (err error) {
			stored, err = tx.VoicemailPINHash("demo", id)
			return err
		})
		if err != nil {
			return err
		}
		if !portal.PINMatches(stored, pin) {
			return fmt.Errorf("user %s has another voicemail PIN than the configured one", id)
		}
		return nil
	}
}

// deleteUser deletes a user of state behind Terraform's back.
func (p *testPortal) deleteUser(address string) resource.TestCheckFunc {
	return func(s *terraform.State) error {
		return p.client.Users.Delete(context.Background(), s.RootModule().Resources[address].Primary.ID)
	}
}

// checkUsersDestroyed passes only when every user of state is gone from the
// portal.
func (p *testPortal) checkUsersDestroyed(s *terraform.State) error {
	for _, rs := range s.RootModule().Resources {
		if rs.Type != "callingportal_user" {
			continue
		}
		_, err := p.client.Users.Read(context.Background(), rs.Primary.ID)
		switch {
		case err == nil:
			return fmt.Errorf("user %s still exists", rs.Primary.ID)
		case !errors.Is(err, client.ErrNotFound):
			return fmt.Errorf("user %s: %w", rs.Primary.ID, err)
		}
		if number := rs.Primary.Attributes["phone_number"]; number != "" {
			if err := p.checkNumberStatus(number, contract.StatusAvailable)(s); err != nil {
				return err
			}
		}
	}
	return nil
}

// checkInUse checks the stations in use.
func (p *testPortal) checkInUse(t *testing.T, want int) resource.TestCheckFunc {
	return func(*terraform.State) error {
		if inv := p.inventory(t); inv.InUse != want {
			return fmt.Errorf("stations in use = %d, want %d", inv.InUse, want)
		}
		return nil
	}
}

// expectInUse fails t unless want stations are in use: a failed apply must
// not have taken one.
func (p *testPortal) expectInUse(t *testing.T, want int) {
	t.Helper()
	if err := p.checkInUse(t, want)(nil); err != nil {
		t.Fatal(err)
	}
}

// checkNumberStatus checks that number is available or assigned.
func (p *testPortal) checkNumberStatus(number string, want contract.NumberStatus) resource.TestCheckFunc {
	return func(*terraform.State) error {
		n, err := p.client.Numbers.Read(context.Background(), number)
		if err != nil {
			return err
		}
		if n.Status != want {
			return fmt.Errorf("number %s is %s (%s %s), want %s", number, n.Status, n.AssignedType, n.AssignedID, want)
		}
		return nil
	}
}

// expectPlan checks the plan of a step before it is applied.
func expectPlan(checks ...plancheck.PlanCheck) resource.ConfigPlanChecks {
	return resource.ConfigPlanChecks{PreApply: checks}
}

// inOrder matches texts in Terraform's output, in this order.
func inOrder(texts ...string) *regexp.Regexp {
	parts := make([]string, len(texts))
	for i, text := range texts {
		parts[i] = wrappedText(text).String()
	}
	return regexp.MustCompile(strings.Join(parts, `[\s\S]*`))
}

// planLacks fails when secret appears anywhere in the plan.
func planLacks(secret string) plancheck.PlanCheck { return secretCheck(secret) }

// stateLacks fails when secret appears anywhere in the state.
func stateLacks(secret string) statecheck.StateCheck { return secretCheck(secret) }

type secretCheck string

func (c secretCheck) CheckPlan(_ context.Context, req plancheck.CheckPlanRequest, resp *plancheck.CheckPlanResponse) {
	resp.Error = c.absent("plan", req.Plan)
}

func (c secretCheck) CheckState(_ context.Context, req statecheck.CheckStateRequest, resp *statecheck.CheckStateResponse) {
	resp.Error = c.absent("state", req.State)
}

func (c secretCheck) absent(what string, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	if strings.Contains(string(b), string(c)) {
		i := strings.Index(string(b), string(c))
		return fmt.Errorf("the secret appears in the %s: %s", what, string(b)[max(0, i-300):i+50])
	}
	return nil
}

// show is a user input as the portal receives it.
func show(in contract.UserInput) string {
	b, _ := json.Marshal(in)
	return string(b)
}

// TestAccUser_emailInAnyCase: the portal compares emails in any case but
// keeps each user's spelling, and the state holds that spelling. So an
// import by email in another case verifies exactly, another user cannot take
// the email in another case, and a configuration that respells the email is
// an in-place update to the configured spelling, after which the plan is
// empty: the configuration, not the portal, says how the email is written.
func TestAccUser_emailInAnyCase(t *testing.T) {
	testAccPreCheck(t)
	p := startPortal(t)
	config := func(email string) string {
		return p.config(userHCL(email, "Jane", "Doe", "+13125550150"))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             p.checkUsersDestroyed,
		Steps: []resource.TestStep{
			{
				Config:            config("Jane.Doe@Example.com"),
				ConfigStateChecks: expectUserState("Jane.Doe@Example.com", "Jane", "Doe", "", "+13125550150"),
			},
			{ResourceName: testUser, ImportState: true, ImportStateVerify: true, ImportStateId: "jane.doe@EXAMPLE.COM"},
			{
				Config: config("Jane.Doe@Example.com") + `
resource "callingportal_user" "again" {
  email        = "JANE.DOE@example.com"
  first_name   = "Jane"
  last_name    = "Again"
  phone_number = "+13125550151"
}
`,
				PlanOnly:    true,
				ExpectError: inOrder(`email "JANE.DOE@example.com" is already used by user Jane Doe <Jane.Doe@Example.com>`),
			},
			{
				Config:            config("jane.doe@example.com"),
				ConfigPlanChecks:  expectPlan(plancheck.ExpectResourceAction(testUser, plancheck.ResourceActionUpdate)),
				ConfigStateChecks: expectUserState("jane.doe@example.com", "Jane", "Doe", "", "+13125550150"),
				Check:             p.checkUserInPortal("jane.doe@example.com", "Jane", "Doe", "", "+13125550150"),
			},
			{
				Config:           config("jane.doe@example.com"),
				ConfigPlanChecks: expectPlan(plancheck.ExpectEmptyPlan()),
			},
		},
	})
}
