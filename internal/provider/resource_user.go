package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/identityschema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/callingportal/terraform-provider-callingportal/internal/client"
	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/callingportal/terraform-provider-callingportal/internal/provider/importid"
)

var (
	_ resource.Resource                = (*userResource)(nil)
	_ resource.ResourceWithConfigure   = (*userResource)(nil)
	_ resource.ResourceWithImportState = (*userResource)(nil)
	_ resource.ResourceWithModifyPlan  = (*userResource)(nil)
	_ resource.ResourceWithIdentity    = (*userResource)(nil)
)

// NewUserResource is the callingportal_user resource.
func NewUserResource() resource.Resource { return &userResource{} }

type userResource struct {
	client *client.Client
	view   *client.View
	ledger *planLedger // nil unless configured for a Terraform run
}

// userModel is the callingportal_user resource: the user as the portal
// returns it, and the write-only voicemail PIN with its version. It is the
// resource's own, apart from the data sources' models of a user, so that
// each schema changes without breaking the other.
type userModel struct {
	ID                    types.String   `tfsdk:"id"`
	Email                 types.String   `tfsdk:"email"`
	FirstName             types.String   `tfsdk:"first_name"`
	LastName              types.String   `tfsdk:"last_name"`
	Extension             types.String   `tfsdk:"extension"`
	PhoneNumber           types.String   `tfsdk:"phone_number"`
	VoicemailPINWO        types.String   `tfsdk:"voicemail_pin_wo"`
	VoicemailPINWOVersion types.Int64    `tfsdk:"voicemail_pin_wo_version"`
	Timeouts              timeouts.Value `tfsdk:"timeouts"`
}

// userIdentityModel is the callingportal_user resource's identity
// (Terraform 1.12 and later): the site and the user's ID.
type userIdentityModel struct {
	Site types.String `tfsdk:"site"`
	ID   types.String `tfsdk:"id"`
}

func (r *userResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user"
}

func (r *userResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "A person set up on the site, with the phone number they get when they are set up. " +
			"The user takes one station. The portal never moves or unassigns a user's number: it becomes available " +
			"again only when the user is deleted, so changing `phone_number` replaces the user.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The portal's ID of the user, e.g. `usr_k3j9x2m4q7ab`.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"email": schema.StringAttribute{
				MarkdownDescription: "The user's email address, such as `jane@example.com`; unique on the site. Changes in place.",
				Required:            true,
				Validators:          []validator.String{validEmail},
			},
			"first_name": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("The user's first name: not blank, at most %d characters, no control characters. Changes in place.", contract.MaxNameLength),
				Required:            true,
				Validators:          []validator.String{nameRule("first_name")},
			},
			"last_name": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("The user's last name: not blank, at most %d characters, no control characters. Changes in place.", contract.MaxNameLength),
				Required:            true,
				Validators:          []validator.String{nameRule("last_name")},
			},
			"extension": schema.StringAttribute{
				MarkdownDescription: "The user's internal extension, 2 to 6 digits; unique on the site. Leave it out for a user without one. Changes in place.",
				Optional:            true,
				Validators:          []validator.String{validExtension},
			},
			"phone_number": schema.StringAttribute{
				MarkdownDescription: "The user's phone number in canonical E.164, such as `+13125550142`: an available number of the site's pool. " +
					"Changing it **replaces the user**, because the portal frees a user's number only when the user is deleted.",
				Required:      true,
				Validators:    []validator.String{canonicalNumber},
				PlanModifiers: []planmodifier.String{phoneNumberReplaces},
			},
			"voicemail_pin_wo": schema.StringAttribute{
				MarkdownDescription: "The user's voicemail PIN, 4 to 10 digits. Write-only: sent to the portal, never stored in state or shown in a plan. " +
					"It is sent when the user is created and, later, only when `voicemail_pin_wo_version` changes.",
				Optional:   true,
				WriteOnly:  true,
				Sensitive:  true,
				Validators: []validator.String{validVoicemailPIN},
			},
			"voicemail_pin_wo_version": schema.Int64Attribute{
				MarkdownDescription: "Change this number to send `voicemail_pin_wo` to the portal again, e.g. after changing the PIN. Requires `voicemail_pin_wo`.",
				Optional:            true,
				Validators: []validator.Int64{
					int64validator.AlsoRequires(path.MatchRoot("voicemail_pin_wo")),
				},
			},
			"timeouts": timeoutsAttribute("user"),
		},
	}
}

func (r *userResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"site": siteIdentityAttribute,
			"id": identityschema.StringAttribute{
				Description:       "The portal's ID of the user, e.g. `usr_k3j9x2m4q7ab`.",
				RequiredForImport: true,
			},
		},
	}
}

func (r *userResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, &resp.Diagnostics); pd != nil {
		r.client, r.view, r.ledger = pd.client, pd.view, pd.ledger
	}
}

// ModifyPlan checks a new user's number against the portal before anything
// is written: in the pool, free, claimed once in the plan, and a station for
// it (see planLedger). A replaced user frees its station before taking one;
// a destroyed user is recorded, for a refusal to name its station. Its email
// and extension are free on the site and claimed once in the plan.
func (r *userResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	r.ledger.destroyPlanned(ctx, req, path.Root("phone_number"))
	plan, state, ok := plannedChange[userModel](ctx, r.client != nil, req, resp)
	if !ok {
		return
	}
	var adopts adoption
	if req.State.Raw.IsNull() {
		adopts = earlierCreate(contract.TargetUser, plan.Email.ValueString(), r.earlierCreate(ctx, req, plan, &resp.Diagnostics), &resp.Diagnostics)
	}
	r.ledger.checkPlannedNumber(ctx, path.Root("phone_number"), "callingportal_user", plan.PhoneNumber, state.PhoneNumber, state.ID.ValueString(), adopts, &resp.Diagnostics)
	// The email and the extension: unique on the site, claimed once in the
	// plan. A replacement's create half repeats its planned number.
	replacing := !req.State.Raw.IsNull() && !plan.PhoneNumber.Equal(state.PhoneNumber)
	for _, f := range []struct {
		field          string
		planned, prior types.String
	}{{"email", plan.Email, state.Email}, {"extension", plan.Extension, state.Extension}} {
		r.ledger.checkPlannedUnique(ctx, uniqueClaim{
			attr: path.Root(f.field), field: f.field, owner: "callingportal_user",
			self: state.ID.ValueString(), key: plan.PhoneNumber.ValueString(), replacing: replacing, adopts: adopts,
		}, f.planned, f.prior, &resp.Diagnostics)
	}
}

// earlierCreate looks up the user that an earlier create of the planned
// user made (see adoption); nil while the configuration is not all known,
// as the create is not known yet.
func (r *userResource) earlierCreate(ctx context.Context, req resource.ModifyPlanRequest, plan userModel, diags *diag.Diagnostics) func(context.Context) (string, error) {
	if !req.Config.Raw.IsFullyKnown() {
		return nil
	}
	var pin types.String
	if d := req.Config.GetAttribute(ctx, path.Root("voicemail_pin_wo"), &pin); d.HasError() {
		diags.Append(d...)
		return nil
	}
	in := userInput(plan, pin)
	return func(ctx context.Context) (string, error) { return r.client.Users.EarlierCreate(ctx, in) }
}

func (r *userResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, finish := operationDeadline(ctx, req.Plan, "callingportal_user", opCreate, &resp.Diagnostics)
	defer finish()
	var plan userModel
	var pin types.String
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("voicemail_pin_wo"), &pin)...)
	if resp.Diagnostics.HasError() {
		return
	}
	done := r.ledger.taking(plan.PhoneNumber.ValueString())
	u, err := r.client.Users.Create(ctx, userInput(plan, pin))
	done(err == nil)
	if err != nil {
		addPortalError(&resp.Diagnostics, errorAttribute(err, userFields, path.Root("phone_number")),
			"create user "+plan.Email.ValueString(), err)
		return
	}
	tflog.Debug(ctx, "created user", map[string]any{"id": u.ID, "phone_number": u.PhoneNumber})
	state := userFromAPI(u, plan.VoicemailPINWOVersion)
	state.Timeouts = plan.Timeouts
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(saveVersion(ctx, resp.Private, u.Version)...)
	saveIdentity(ctx, req.Identity, resp.Identity, r.client.Site, userIdentity(r.client.Site, u.ID), &resp.Diagnostics)
}

func (r *userResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	ctx, finish := operationDeadline(ctx, req.State, "callingportal_user", opRead, &resp.Diagnostics)
	defer finish()
	var state userModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	// The identity follows from the state alone; it is saved before the
	// portal is asked, so that a state written before identities, of a user
	// since deleted, is removed without an error.
	saveIdentity(ctx, req.Identity, resp.Identity, r.client.Site, userIdentity(r.client.Site, state.ID.ValueString()), &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	u, err := r.view.User(ctx, state.ID.ValueString())
	if errors.Is(err, client.ErrNotFound) {
		tflog.Info(ctx, "user deleted outside Terraform; removing it from state", map[string]any{"id": state.ID.ValueString()})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addPortalError(&resp.Diagnostics, path.Empty(), "read user "+state.ID.ValueString(), err)
		return
	}
	r.ledger.holding(u.PhoneNumber, u.ID)
	r.ledger.holdingUnique("email", u.Email, u.ID, u.PhoneNumber)
	r.ledger.holdingUnique("extension", u.Extension, u.ID, u.PhoneNumber)
	// The portal never returns the PIN or its version: the version is
	// configuration only and stays as it was, as do the timeouts.
	prior := state
	state = userFromAPI(u, prior.VoicemailPINWOVersion)
	state.Timeouts = prior.Timeouts
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(saveVersion(ctx, resp.Private, u.Version)...)
}

func (r *userResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx, finish := operationDeadline(ctx, req.Plan, "callingportal_user", opUpdate, &resp.Diagnostics)
	defer finish()
	var plan, state userModel
	var pin types.String
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("voicemail_pin_wo"), &pin)...)
	if resp.Diagnostics.HasError() {
		return
	}
	version, diags := readVersion(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := state.ID.ValueString()
	if onlyTimeoutsChange(req.Plan, req.State) {
		// Nothing for the portal: the user stays as it is.
		resp.State.Raw = req.Plan.Raw.Copy()
		saveIdentity(ctx, req.Identity, resp.Identity, r.client.Site, userIdentity(r.client.Site, id), &resp.Diagnostics)
		return
	}
	if version == 0 {
		// The state has no version (it was written before the provider
		// kept one, or edited by hand): the portal's user must still be
		// the one the plan was made from.
		version = r.unchangedVersion(ctx, state, &resp.Diagnostics)
		if resp.Diagnostics.HasError() {
			return
		}
	}
	// The whole planned user, conditional on the version the plan was made
	// from: a change made in the portal since fails the update instead of
	// being overwritten unseen, and what the portal answers is the plan.
	u, err := r.client.Users.Update(ctx, id, userUpdate(state, plan, pin), version)
	if errors.Is(err, client.ErrPreconditionFailed) {
		addChangedSincePlan(&resp.Diagnostics, id, portalMessage(err))
		return
	}
	if err != nil {
		addPortalError(&resp.Diagnostics, errorAttribute(err, userFields, path.Root("phone_number")), "update user "+id, err)
		return
	}
	state = userFromAPI(u, plan.VoicemailPINWOVersion)
	state.Timeouts = plan.Timeouts
	resp.Diagnostics.Append(resp.State.Set(ctx, &state)...)
	resp.Diagnostics.Append(saveVersion(ctx, resp.Private, u.Version)...)
	saveIdentity(ctx, req.Identity, resp.Identity, r.client.Site, userIdentity(r.client.Site, u.ID), &resp.Diagnostics)
}

// unchangedVersion reads the user of state and returns its version, for an
// update whose state has none; it fails when the portal's user is no longer
// the one in state, which the plan was made from.
func (r *userResource) unchangedVersion(ctx context.Context, state userModel, diags *diag.Diagnostics) int64 {
	id := state.ID.ValueString()
	u, err := r.client.Users.Read(ctx, id)
	if err != nil {
		addPortalError(diags, path.Empty(), "read user "+id, err)
		return 0
	}
	if changed := changedAttributes(state, u); len(changed) > 0 {
		addChangedSincePlan(diags, id, "its "+strings.Join(changed, ", ")+" changed in the portal")
		return 0
	}
	return u.Version
}

// addChangedSincePlan reports an update refused because the user changed in
// the portal after the plan was made; why says what the portal found.
func addChangedSincePlan(diags *diag.Diagnostics, id, why string) {
	diags.AddError("User changed in the portal since the plan",
		fmt.Sprintf("Could not update user %s: %s. Run terraform plan again to see the change.", id, why))
}

func (r *userResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	ctx, finish := operationDeadline(ctx, req.State, "callingportal_user", opDelete, &resp.Diagnostics)
	defer finish()
	var state userModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	err := r.client.Users.Delete(ctx, state.ID.ValueString())
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		addPortalError(&resp.Diagnostics, path.Empty(), "delete user "+state.ID.ValueString(), err)
	}
}

// ImportState accepts the user's ID, email or phone number and resolves it
// to the ID, or an identity (an import block's identity, Terraform 1.12 and
// later), which names the ID; Read fills in the rest.
func (r *userResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	if req.ID == "" && req.Identity != nil && !req.Identity.Raw.IsNull() {
		r.importByIdentity(ctx, req.Identity, resp)
		return
	}
	key, problem := importid.ParseUser(req.ID)
	if problem != "" {
		resp.Diagnostics.AddError("Invalid import ID", problem)
		return
	}
	var (
		u   contract.User
		err error
	)
	by := key.By + " " + key.Value
	switch key.By {
	case "email":
		u, err = r.client.Users.FindByEmail(ctx, key.Value)
	case "phone number":
		u, err = r.client.Users.FindByNumber(ctx, key.Value)
	default:
		u.ID = key.Value
	}
	switch {
	case errors.Is(err, client.ErrNotFound):
		detail := fmt.Sprintf("No user of site %s has %s.", r.client.Site, by)
		if strings.HasPrefix(by, "phone number") {
			detail += " A number on a phone or service is imported as a callingportal_number_assignment."
		}
		resp.Diagnostics.AddError("User not found", detail)
		return
	case err != nil:
		addPortalError(&resp.Diagnostics, path.Empty(), "find the user with "+by, err)
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), u.ID)...)
	saveIdentity(ctx, nil, resp.Identity, r.client.Site, userIdentity(r.client.Site, u.ID), &resp.Diagnostics)
}

// importByIdentity imports the user that an identity names by its ID, on
// the provider's site.
func (r *userResource) importByIdentity(ctx context.Context, identity *tfsdk.ResourceIdentity, resp *resource.ImportStateResponse) {
	var id userIdentityModel
	resp.Diagnostics.Append(identity.Get(ctx, &id)...)
	if resp.Diagnostics.HasError() {
		return
	}
	if id.ID.ValueString() == "" {
		resp.Diagnostics.AddError("Invalid import identity",
			"Name the user by its ID (usr_...) in the identity's id, e.g. identity = { id = \"usr_k3j9x2m4q7ab\" }.")
		return
	}
	checkIdentitySite(ctx, identity, r.client.Site, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id.ID)...)
	saveIdentity(ctx, identity, resp.Identity, r.client.Site, userIdentity(r.client.Site, id.ID.ValueString()), &resp.Diagnostics)
}

// userIdentity is the identity of the user with this ID on site.
func userIdentity(site, id string) userIdentityModel {
	return userIdentityModel{Site: types.StringValue(site), ID: types.StringValue(id)}
}

// siteIdentityAttribute is the site in the identity of every resource: an
// import block may leave it out, for the provider's site.
var siteIdentityAttribute = identityschema.StringAttribute{
	Description:       "The site that the object belongs to, e.g. `demo`. An import block may leave it out: it defaults to the provider's `site`, and must be that site.",
	OptionalForImport: true,
}

// saveIdentity sets a resource's identity on the provider's site: out is
// the response's identity (nil when the resource is called without
// Terraform), identity what to save. prior is the identity that Terraform
// sent (state's, the plan's, or an import block's; nil or null when there is
// none), whose site must be the provider's.
func saveIdentity(ctx context.Context, prior, out *tfsdk.ResourceIdentity, site string, identity any, diags *diag.Diagnostics) {
	checkIdentitySite(ctx, prior, site, diags)
	if out == nil || diags.HasError() {
		return
	}
	diags.Append(out.Set(ctx, identity)...)
}

// checkIdentitySite fails when an identity names another site than the
// provider's: the object belongs to that site, and this provider would
// neither find it nor change it there.
func checkIdentitySite(ctx context.Context, identity *tfsdk.ResourceIdentity, site string, diags *diag.Diagnostics) {
	if identity == nil || identity.Raw.IsNull() {
		return
	}
	var got types.String
	diags.Append(identity.GetAttribute(ctx, path.Root("site"), &got)...)
	if got.IsNull() || got.IsUnknown() || got.ValueString() == site {
		return
	}
	diags.AddError("Resource of another site",
		fmt.Sprintf("The resource's identity names site %q, but the provider is configured for site %q. "+
			"Manage or import it with a provider configured for site %q, such as an aliased provider block.",
			got.ValueString(), site, got.ValueString()))
}

// userFields maps the portal's field names in errors to this resource's
// attributes.
var userFields = map[string]string{
	"email":         "email",
	"first_name":    "first_name",
	"last_name":     "last_name",
	"extension":     "extension",
	"phone_number":  "phone_number",
	"number":        "phone_number",
	"voicemail_pin": "voicemail_pin_wo",
}

// validVoicemailPIN checks the PIN offline with the portal's rule; its
// message never repeats the PIN.
var validVoicemailPIN = portalRule{contract.ValidateVoicemailPIN, "value must be 4 to 10 digits"}

// phoneNumberReplaces makes a new phone_number replace the user, and says
// why in the plan: the portal cannot move or free a user's number while the
// user exists.
var phoneNumberReplaces = stringplanmodifier.RequiresReplaceIf(
	func(_ context.Context, req planmodifier.StringRequest, resp *stringplanmodifier.RequiresReplaceIfFuncResponse) {
		resp.RequiresReplace = true
		resp.Diagnostics.AddAttributeWarning(req.Path, "Changing phone_number replaces the user",
			fmt.Sprintf("The portal frees a user's number only when the user is deleted, so this plan deletes the user that holds %s and creates it again with %s. The old number becomes available.",
				req.StateValue.ValueString(), planned(req.PlanValue)))
	},
	"Changing the phone number replaces the user: the portal frees a user's number only when the user is deleted.",
	"Changing the phone number **replaces the user**: the portal frees a user's number only when the user is deleted.",
)

// userFromAPI is the state of a user as the portal returns it: no
// extension is null, and the write-only PIN is always null. pinVersion is
// the configured voicemail_pin_wo_version, which the portal does not know;
// the timeouts, configuration only too, are null for the caller to set.
func userFromAPI(u contract.User, pinVersion types.Int64) userModel {
	return userModel{
		ID:                    types.StringValue(u.ID),
		Email:                 types.StringValue(u.Email),
		FirstName:             types.StringValue(u.FirstName),
		LastName:              types.StringValue(u.LastName),
		Extension:             stringOrNull(u.Extension),
		PhoneNumber:           types.StringValue(u.PhoneNumber),
		VoicemailPINWO:        types.StringNull(),
		VoicemailPINWOVersion: pinVersion,
		Timeouts:              noTimeouts(),
	}
}

// userInput is what creates the planned user; pin is the configured
// voicemail_pin_wo.
func userInput(plan userModel, pin types.String) contract.UserInput {
	return contract.UserInput{
		Email:        plan.Email.ValueStringPointer(),
		FirstName:    plan.FirstName.ValueStringPointer(),
		LastName:     plan.LastName.ValueStringPointer(),
		Extension:    plan.Extension.ValueStringPointer(),
		PhoneNumber:  plan.PhoneNumber.ValueStringPointer(),
		VoicemailPIN: pin.ValueStringPointer(),
	}
}

// userUpdate is the update that turns state into plan: every planned field,
// "" to clear the extension, and the PIN only when its version changed, so
// that the portal's answer is the planned user whatever it held before.
func userUpdate(state, plan userModel, pin types.String) contract.UserInput {
	in := userInput(plan, types.StringNull())
	if in.Extension == nil {
		in.Extension = new(string) // cleared
	}
	if !plan.VoicemailPINWOVersion.Equal(state.VoicemailPINWOVersion) {
		in.VoicemailPIN = pin.ValueStringPointer()
	}
	return in
}

// changedAttributes names the attributes of state whose value the portal's
// user u no longer has.
func changedAttributes(state userModel, u contract.User) []string {
	portal := userFromAPI(u, state.VoicemailPINWOVersion)
	var changed []string
	for _, a := range []struct {
		name    string
		was, is types.String
	}{
		{"email", state.Email, portal.Email},
		{"first_name", state.FirstName, portal.FirstName},
		{"last_name", state.LastName, portal.LastName},
		{"extension", state.Extension, portal.Extension},
		{"phone_number", state.PhoneNumber, portal.PhoneNumber},
	} {
		if !a.was.Equal(a.is) {
			changed = append(changed, a.name)
		}
	}
	return changed
}

// planned shows a planned value in a message, which may not be known yet.
func planned(v types.String) string {
	if v.IsUnknown() {
		return "a number known after apply"
	}
	return v.ValueString()
}
