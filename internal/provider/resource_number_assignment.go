package provider

import (
	"context"
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/resourcevalidator"
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
)

var (
	_ resource.Resource                     = (*numberAssignmentResource)(nil)
	_ resource.ResourceWithConfigure        = (*numberAssignmentResource)(nil)
	_ resource.ResourceWithConfigValidators = (*numberAssignmentResource)(nil)
	_ resource.ResourceWithImportState      = (*numberAssignmentResource)(nil)
	_ resource.ResourceWithModifyPlan       = (*numberAssignmentResource)(nil)
	_ resource.ResourceWithIdentity         = (*numberAssignmentResource)(nil)
)

// NewNumberAssignmentResource is the callingportal_number_assignment resource.
func NewNumberAssignmentResource() resource.Resource { return &numberAssignmentResource{} }

type numberAssignmentResource struct {
	client *client.Client
	view   *client.View
	ledger *planLedger // nil unless configured for a Terraform run
}

type numberAssignmentModel struct {
	ID        types.String   `tfsdk:"id"`
	Number    types.String   `tfsdk:"number"`
	ServiceID types.String   `tfsdk:"service_id"`
	PhoneID   types.String   `tfsdk:"phone_id"`
	Timeouts  timeouts.Value `tfsdk:"timeouts"`
}

// numberAssignmentIdentityModel is the callingportal_number_assignment
// resource's identity (Terraform 1.12 and later): the site and the number.
type numberAssignmentIdentityModel struct {
	Site   types.String `tfsdk:"site"`
	Number types.String `tfsdk:"number"`
}

func (r *numberAssignmentResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_number_assignment"
}

func (r *numberAssignmentResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Assigns a number of the site's pool to a service (auto attendant, hunt group, call queue, ...) or a phone. " +
			"Creating it takes an available number and one station; it never takes a number that someone else holds. " +
			"Changing the target moves the number in place, without freeing or taking a station. Destroying it unassigns the number, which becomes available. " +
			"A user's number cannot be managed here: the portal frees it only when the user is deleted, so manage it with `callingportal_user`.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The number, in canonical E.164.",
				Computed:            true,
				PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
			},
			"number": schema.StringAttribute{
				MarkdownDescription: "The number to assign, in canonical E.164 such as `+13125550142`; it must be in the site's pool. Changing it replaces the assignment: the old number becomes available.",
				Required:            true,
				Validators:          []validator.String{canonicalNumber},
				PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
			},
			"service_id": schema.StringAttribute{
				MarkdownDescription: "The ID of the service that the number rings, e.g. `svc_...` (see the `callingportal_service` data source). Exactly one of `service_id` and `phone_id` is set.",
				Optional:            true,
			},
			"phone_id": schema.StringAttribute{
				MarkdownDescription: "The ID of the phone that the number rings, e.g. `ph_...` (see the `callingportal_phone` data source). Exactly one of `service_id` and `phone_id` is set.",
				Optional:            true,
			},
			"timeouts": timeoutsAttribute("assignment"),
		},
	}
}

func (r *numberAssignmentResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = identityschema.Schema{
		Attributes: map[string]identityschema.Attribute{
			"site": siteIdentityAttribute,
			"number": identityschema.StringAttribute{
				Description:       "The number, in canonical E.164 such as `+13125550142`.",
				RequiredForImport: true,
			},
		},
	}
}

func (r *numberAssignmentResource) ConfigValidators(context.Context) []resource.ConfigValidator {
	return []resource.ConfigValidator{
		resourcevalidator.ExactlyOneOf(path.MatchRoot("service_id"), path.MatchRoot("phone_id")),
	}
}

func (r *numberAssignmentResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, &resp.Diagnostics); pd != nil {
		r.client, r.view, r.ledger = pd.client, pd.view, pd.ledger
	}
}

// ModifyPlan checks the plan against the portal before anything is written:
// the target exists, and a new number is in the pool, free, claimed once in
// the plan, and has a station (see planLedger). A move needs no station; a
// destroy is recorded, for a refusal to name its station.
func (r *numberAssignmentResource) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	r.ledger.destroyPlanned(ctx, req, path.Root("number"))
	plan, state, ok := plannedChange[numberAssignmentModel](ctx, r.client != nil, req, resp)
	if !ok {
		return
	}
	creating := req.State.Raw.IsNull()
	// A target from another resource, not known yet, is the portal's to check at apply.
	targetKnown := !plan.ServiceID.IsUnknown() && !plan.PhoneID.IsUnknown()
	if t := plan.target(); targetKnown && (creating || t != state.target()) {
		checkTarget(ctx, r.view, r.client.Site, path.Root(string(t.Type)+"_id"), t, &resp.Diagnostics)
	}
	// A number already assigned to the planned target is this create, done.
	var assigned adoption
	if t := plan.target(); creating && targetKnown {
		assigned = func(_ context.Context, kind contract.TargetType, id string) bool { return kind == t.Type && id == t.ID }
	}
	r.ledger.checkPlannedNumber(ctx, path.Root("number"), "callingportal_number_assignment", plan.Number, state.Number, state.target().ID, assigned, &resp.Diagnostics)
}

// Create assigns an available number only: a number held elsewhere is
// imported, never taken.
func (r *numberAssignmentResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, finish := operationDeadline(ctx, req.Plan, "callingportal_number_assignment", opCreate, &resp.Diagnostics)
	defer finish()
	if number := r.assign(ctx, req.Plan, &resp.State, resp.Private, &resp.Diagnostics, true); number != "" {
		saveIdentity(ctx, req.Identity, resp.Identity, r.client.Site, numberAssignmentIdentity(r.client.Site, number), &resp.Diagnostics)
	}
}

func (r *numberAssignmentResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	ctx, finish := operationDeadline(ctx, req.State, "callingportal_number_assignment", opRead, &resp.Diagnostics)
	defer finish()
	var state numberAssignmentModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	number := state.Number.ValueString()
	// The identity follows from the state alone; it is saved before the
	// portal is asked, so that a state written before identities, of a
	// number since freed, is removed without an error.
	saveIdentity(ctx, req.Identity, resp.Identity, r.client.Site, numberAssignmentIdentity(r.client.Site, number), &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	n, err := r.view.Number(ctx, number, state.target().Type)
	switch {
	case errors.Is(err, client.ErrNotFound):
		tflog.Info(ctx, "number left the pool outside Terraform; removing the assignment from state", map[string]any{"number": number})
		resp.State.RemoveResource(ctx)
		return
	case err != nil:
		addPortalError(&resp.Diagnostics, path.Empty(), "read number "+number, err)
		return
	case n.Status == contract.StatusAvailable:
		tflog.Info(ctx, "number unassigned outside Terraform; removing the assignment from state", map[string]any{"number": number})
		resp.State.RemoveResource(ctx)
		return
	case n.AssignedType == contract.TargetUser:
		resp.Diagnostics.AddWarning("Number now belongs to a user",
			fmt.Sprintf("Number %s was unassigned and given to user %s (%s) outside Terraform, so this assignment no longer exists and is removed from state. "+
				"A user's number cannot be assigned elsewhere: remove this resource from the configuration, or manage the number with callingportal_user.",
				n.Number, n.AssignedName, n.AssignedID))
		resp.State.RemoveResource(ctx)
		return
	}
	r.ledger.holding(n.Number, n.AssignedID)
	setNumberAssignmentState(ctx, n, state.Timeouts, &resp.State, resp.Private, &resp.Diagnostics)
}

// Update moves the number to another target: it keeps its station. A
// change of timeouts alone sends nothing.
func (r *numberAssignmentResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx, finish := operationDeadline(ctx, req.Plan, "callingportal_number_assignment", opUpdate, &resp.Diagnostics)
	defer finish()
	if onlyTimeoutsChange(req.Plan, req.State) {
		var number types.String
		resp.Diagnostics.Append(req.State.GetAttribute(ctx, path.Root("number"), &number)...)
		resp.State.Raw = req.Plan.Raw.Copy()
		saveIdentity(ctx, req.Identity, resp.Identity, r.client.Site, numberAssignmentIdentity(r.client.Site, number.ValueString()), &resp.Diagnostics)
		return
	}
	if number := r.assign(ctx, req.Plan, &resp.State, resp.Private, &resp.Diagnostics, false); number != "" {
		saveIdentity(ctx, req.Identity, resp.Identity, r.client.Site, numberAssignmentIdentity(r.client.Site, number), &resp.Diagnostics)
	}
}

// Delete frees the number if this assignment's target still holds it. It
// sends the version last read or written as If-Match, one request; a number
// changed since (or a state without that version) is read first, and one
// held elsewhere now is left where it is.
func (r *numberAssignmentResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	ctx, finish := operationDeadline(ctx, req.State, "callingportal_number_assignment", opDelete, &resp.Diagnostics)
	defer finish()
	var state numberAssignmentModel
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	number, target := state.Number.ValueString(), state.target()
	v, diags := readVersion(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if diags.HasError() {
		return
	}
	if v != 0 {
		_, err := r.client.Numbers.Unassign(ctx, number, v)
		switch {
		case err == nil, errors.Is(err, client.ErrNotFound):
			return
		case !errors.Is(err, client.ErrPreconditionFailed):
			addPortalError(&resp.Diagnostics, errorAttribute(err, numberAssignmentFields, path.Root("number")), "unassign "+number, err)
			return
		}
		// Changed since: what happens next depends on who holds it now.
	}
	n, err := r.client.Numbers.Read(ctx, number)
	switch {
	case errors.Is(err, client.ErrNotFound), err == nil && n.Status == contract.StatusAvailable:
		return // gone already
	case err != nil:
		addPortalError(&resp.Diagnostics, path.Empty(), "read number "+number, err)
		return
	case n.AssignedType != target.Type || n.AssignedID != target.ID:
		resp.Diagnostics.AddWarning("Number moved outside Terraform",
			fmt.Sprintf("Number %s is now held by %s %q (%s), not by this assignment's %s %s: it is removed from state and left where it is.",
				number, n.AssignedType, n.AssignedName, n.AssignedID, target.Type, target.ID))
		return
	}
	// If-Match: a number moved between the read and here is not freed.
	if _, err := r.client.Numbers.Unassign(ctx, number, n.Version); err != nil {
		addPortalError(&resp.Diagnostics, errorAttribute(err, numberAssignmentFields, path.Root("number")), "unassign "+number, err)
	}
}

// ImportState accepts the number in any spelling, as the import ID or an
// identity's number (an import block's identity, Terraform 1.12 and later).
// Only a number that a phone or service holds can be imported; Read fills in
// which one.
func (r *numberAssignmentResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	key, what := req.ID, "ID"
	if req.ID == "" && req.Identity != nil && !req.Identity.Raw.IsNull() {
		var id numberAssignmentIdentityModel
		resp.Diagnostics.Append(req.Identity.Get(ctx, &id)...)
		checkIdentitySite(ctx, req.Identity, r.client.Site, &resp.Diagnostics)
		if resp.Diagnostics.HasError() {
			return
		}
		key, what = id.Number.ValueString(), "identity"
	}
	number, err := contract.NormalizeNumber(key, "")
	if err != nil {
		resp.Diagnostics.AddError("Invalid import "+what,
			fmt.Sprintf("Import a number assignment by its number, e.g. +13125550142: %s.", portalMessage(err)))
		return
	}
	n, err := r.view.Number(ctx, number, "")
	switch {
	case err != nil:
		addPortalError(&resp.Diagnostics, path.Empty(), "import number "+number, err)
		return
	case n.Status == contract.StatusAvailable:
		resp.Diagnostics.AddError("Number not assigned",
			fmt.Sprintf("Number %s is available on site %s: no phone or service holds it, so there is no assignment to import. "+
				"Declare a callingportal_number_assignment for it and apply to assign it.", n.Number, r.client.Site))
		return
	case n.AssignedType == contract.TargetUser:
		resp.Diagnostics.AddError("Number belongs to a user",
			fmt.Sprintf("Could not import: %s. Import the user instead: terraform import callingportal_user.<name> %s",
				contract.HolderError(n).Message, n.Number))
		return
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), n.Number)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("number"), n.Number)...)
	saveIdentity(ctx, req.Identity, resp.Identity, r.client.Site, numberAssignmentIdentity(r.client.Site, n.Number), &resp.Diagnostics)
}

// numberAssignmentIdentity is the identity of the assignment of number on site.
func numberAssignmentIdentity(site, number string) numberAssignmentIdentityModel {
	return numberAssignmentIdentityModel{Site: types.StringValue(site), Number: types.StringValue(number)}
}

// numberAssignmentFields maps the portal's field names in errors to this
// resource's attributes.
var numberAssignmentFields = map[string]string{
	"number":     "number",
	"service_id": "service_id",
	"phone_id":   "phone_id",
}

// assign points the planned number at the planned target and saves the
// portal's answer; it returns the number, or "" when it failed. On create it
// takes an available number only, and with it the station that the ledger
// counted; otherwise it moves the number.
func (r *numberAssignmentResource) assign(ctx context.Context, plan tfsdk.Plan, state *tfsdk.State, private privateKeys, diags *diag.Diagnostics, create bool) string {
	var m numberAssignmentModel
	diags.Append(plan.Get(ctx, &m)...)
	if diags.HasError() {
		return ""
	}
	number, t := m.Number.ValueString(), m.target()
	action, done := "move", func(bool) {}
	if create {
		action, done = "assign", r.ledger.taking(number)
	}
	n, err := r.client.Numbers.Assign(ctx, number, t, create)
	done(err == nil)
	if err != nil {
		addPortalError(diags, errorAttribute(err, numberAssignmentFields, path.Root("number")),
			fmt.Sprintf("%s %s to %s %s", action, number, t.Type, t.ID), err)
		return ""
	}
	if create {
		tflog.Debug(ctx, "assigned number", map[string]any{"number": n.Number, "type": n.AssignedType, "id": n.AssignedID})
	}
	setNumberAssignmentState(ctx, n, m.Timeouts, state, private, diags)
	if diags.HasError() {
		return ""
	}
	return n.Number
}

// setNumberAssignmentState saves a number that a phone or service holds, as
// the portal returned it, with the timeouts of the plan or prior state, and
// its version in private state.
func setNumberAssignmentState(ctx context.Context, n contract.Number, t timeouts.Value, state *tfsdk.State, private privateKeys, diags *diag.Diagnostics) {
	m, ok := numberAssignmentFromAPI(n)
	if !ok {
		diags.AddError("Unexpected portal answer",
			fmt.Sprintf("The portal answered that number %s is %s %s %s, not held by a phone or service. This is a bug in the portal or the provider: please report it.",
				n.Number, n.Status, n.AssignedType, n.AssignedID))
		return
	}
	m.Timeouts = t
	diags.Append(state.Set(ctx, &m)...)
	diags.Append(saveVersion(ctx, private, n.Version)...)
}

// target is where the planned assignment points the number.
func (m numberAssignmentModel) target() contract.Target {
	if !m.PhoneID.IsNull() {
		return contract.Target{Type: contract.TargetPhone, ID: m.PhoneID.ValueString()}
	}
	return contract.Target{Type: contract.TargetService, ID: m.ServiceID.ValueString()}
}

// numberAssignmentFromAPI is the state of an assignment as the portal
// returns the number; ok is false unless a phone or service holds it.
func numberAssignmentFromAPI(n contract.Number) (m numberAssignmentModel, ok bool) {
	m = numberAssignmentModel{
		ID:        types.StringValue(n.Number),
		Number:    types.StringValue(n.Number),
		ServiceID: types.StringNull(),
		PhoneID:   types.StringNull(),
		Timeouts:  noTimeouts(),
	}
	if n.Status != contract.StatusAssigned || n.AssignedID == "" {
		return m, false
	}
	switch n.AssignedType {
	case contract.TargetService:
		m.ServiceID = types.StringValue(n.AssignedID)
	case contract.TargetPhone:
		m.PhoneID = types.StringValue(n.AssignedID)
	default:
		return m, false
	}
	return m, true
}
