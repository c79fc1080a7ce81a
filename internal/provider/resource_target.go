package provider

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
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
	_ resource.Resource                = (*targetResource[contract.Phone, contract.PhoneInput, phoneModel])(nil)
	_ resource.ResourceWithConfigure   = (*targetResource[contract.Phone, contract.PhoneInput, phoneModel])(nil)
	_ resource.ResourceWithImportState = (*targetResource[contract.Phone, contract.PhoneInput, phoneModel])(nil)
	_ resource.ResourceWithModifyPlan  = (*targetResource[contract.Phone, contract.PhoneInput, phoneModel])(nil)
)

// targetResource is callingportal_phone and callingportal_service: the
// portal keeps both kinds of target in one shape (a name and an extension,
// each unique per site, plus the kind's own fields), so one implementation
// serves both and a targetKind says what differs. M is the kind's model,
// which embeds targetModel.
type targetResource[T, In, M any] struct {
	kind   targetKind[T, In, M]
	client *client.Client
	view   *client.View
	site   string
	names  *heldNames
	ledger *planLedger // nil unless configured for a Terraform run
}

// targetKind is what callingportal_phone and callingportal_service differ in.
type targetKind[T, In, M any] struct {
	typ         contract.TargetType // the type name suffix and the word in messages
	idPrefix    string              // of the portal's IDs, to tell an ID from a name on import
	description string
	nameExample string
	own         map[string]schema.Attribute // besides id, name and extension
	api         func(*client.Client) client.Targets[T, In]
	read        func(*client.View, context.Context, string) (T, error) // through the run's view
	fromAPI     func(T) M
	// input is the whole object m plans; an update clears what m leaves
	// out (see optional).
	input func(m M, update bool) In
	base  func(*M) *targetModel
	// replaces says whether plan, from state, replaces the object.
	replaces func(plan, state *M) bool
}

// targetModel is what phones and services share in state.
type targetModel struct {
	ID        types.String   `tfsdk:"id"`
	Name      types.String   `tfsdk:"name"`
	Extension types.String   `tfsdk:"extension"`
	Timeouts  timeouts.Value `tfsdk:"timeouts"`
}

func (r *targetResource[T, In, M]) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + string(r.kind.typ)
}

func (r *targetResource[T, In, M]) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attrs := map[string]schema.Attribute{
		"id": schema.StringAttribute{
			MarkdownDescription: fmt.Sprintf("The portal's ID of the %s, e.g. `%s_k3j9x2m4q7ab`; numbers are assigned to it with `callingportal_number_assignment`'s `%s_id`.", r.kind.typ, r.kind.idPrefix, r.kind.typ),
			Computed:            true,
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"name": schema.StringAttribute{
			MarkdownDescription: fmt.Sprintf("The %s's name, such as `%s`: unique on the site among phones and services, regardless of case; at most %d characters. Changes in place.", r.kind.typ, r.kind.nameExample, contract.MaxNameLength),
			Required:            true,
			Validators:          []validator.String{nameRule("name")},
		},
		"extension": schema.StringAttribute{
			MarkdownDescription: fmt.Sprintf("The %s's internal extension, 2 to 6 digits: unique on the site among users, phones and services. Leave it out for none. Changes in place.", r.kind.typ),
			Optional:            true,
			Validators:          []validator.String{validExtension},
		},
		"timeouts": timeoutsAttribute(string(r.kind.typ)),
	}
	for name, a := range r.kind.own {
		attrs[name] = a
	}
	resp.Schema = schema.Schema{MarkdownDescription: r.kind.description, Attributes: attrs}
}

func (r *targetResource[T, In, M]) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, &resp.Diagnostics); pd != nil {
		r.client, r.view, r.site, r.names, r.ledger = pd.client, pd.view, pd.site, pd.names, pd.ledger
	}
}

// ModifyPlan fails a plan whose new or changed name another phone or
// service of the portal already has (regardless of case), or whose new or
// changed extension a user, phone or service has or another resource of the
// plan claims, with the portal's own message, before anything is written.
func (r *targetResource[T, In, M]) ModifyPlan(ctx context.Context, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) {
	plan, state, ok := plannedChange[M](ctx, r.client != nil, req, resp)
	if !ok {
		return
	}
	planned, prior := r.kind.base(&plan), r.kind.base(&state)
	name, self := planned.Name.ValueString(), prior.ID.ValueString()
	var adopts adoption
	if req.State.Raw.IsNull() && req.Config.Raw.IsFullyKnown() {
		in := r.kind.input(plan, false)
		adopts = earlierCreate(r.kind.typ, strconv.Quote(name), func(ctx context.Context) (string, error) {
			return r.kind.api(r.client).EarlierCreate(ctx, in)
		}, &resp.Diagnostics)
	}
	r.ledger.checkPlannedUnique(ctx, uniqueClaim{
		attr: path.Root("extension"), field: "extension", owner: "callingportal_" + string(r.kind.typ),
		self: self, key: name, replacing: !req.State.Raw.IsNull() && r.kind.replaces(&plan, &state), adopts: adopts,
	}, planned.Extension, prior.Extension, &resp.Diagnostics)
	switch {
	case planned.Name.IsUnknown():
		return
	case strings.EqualFold(name, prior.Name.ValueString()):
		// Kept: if Terraform replaces the target, it plans the create half
		// next with no prior state, and that create takes this name back.
		r.names.hold(name, self)
		return
	}
	for _, holder := range []struct {
		kind string
		find func() (contract.TargetBase, error)
	}{
		{"phone", func() (contract.TargetBase, error) {
			ph, err := r.client.Phones.FindByName(ctx, name)
			return ph.TargetBase, err
		}},
		{"service", func() (contract.TargetBase, error) {
			s, err := r.client.Services.FindByName(ctx, name)
			return s.TargetBase, err
		}},
	} {
		other, err := holder.find()
		switch {
		case errors.Is(err, client.ErrNotFound):
		case err != nil:
			addPortalError(&resp.Diagnostics, path.Root("name"), "check the name "+strconv.Quote(name), err)
			return
		case other.ID != self && !r.names.holds(name, other.ID) && !adopts.of(ctx, contract.TargetType(holder.kind), other.ID):
			addPortalError(&resp.Diagnostics, path.Root("name"), fmt.Sprintf("plan callingportal_%s", r.kind.typ),
				contract.AlreadyUsed("name", name, fmt.Sprintf("%s %q", holder.kind, other.Name), other.ID))
			return
		}
	}
}

func (r *targetResource[T, In, M]) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, finish := operationDeadline(ctx, req.Plan, r.typeName(), opCreate, &resp.Diagnostics)
	defer finish()
	var plan M
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if resp.Diagnostics.HasError() {
		return
	}
	v, err := r.kind.api(r.client).Create(ctx, r.kind.input(plan, false))
	if err != nil {
		addTargetError(&resp.Diagnostics, err, fmt.Sprintf("create %s %q", r.kind.typ, r.kind.base(&plan).Name.ValueString()))
		return
	}
	r.save(ctx, v, r.kind.base(&plan).Timeouts, &resp.State, resp.Private, &resp.Diagnostics)
}

func (r *targetResource[T, In, M]) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	ctx, finish := operationDeadline(ctx, req.State, r.typeName(), opRead, &resp.Diagnostics)
	defer finish()
	var state M
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := r.kind.base(&state).ID.ValueString()
	v, err := r.kind.read(r.view, ctx, id)
	if errors.Is(err, client.ErrNotFound) {
		tflog.Info(ctx, string(r.kind.typ)+" deleted outside Terraform; removing it from state", map[string]any{"id": id})
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addPortalError(&resp.Diagnostics, path.Empty(), fmt.Sprintf("read %s %s", r.kind.typ, id), err)
		return
	}
	m := r.kind.fromAPI(v)
	b := r.kind.base(&m)
	r.ledger.holdingUnique("extension", b.Extension.ValueString(), b.ID.ValueString(), b.Name.ValueString())
	r.save(ctx, v, r.kind.base(&state).Timeouts, &resp.State, resp.Private, &resp.Diagnostics)
}

// Update sends the whole planned object, conditional on the version the
// plan was made from: a change made in the portal since fails the apply
// instead of being overwritten unseen. A change of timeouts alone sends
// nothing.
func (r *targetResource[T, In, M]) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx, finish := operationDeadline(ctx, req.Plan, r.typeName(), opUpdate, &resp.Diagnostics)
	defer finish()
	if onlyTimeoutsChange(req.Plan, req.State) {
		resp.State.Raw = req.Plan.Raw.Copy()
		return
	}
	var plan M
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	version, diags := readVersion(ctx, req.Private)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := r.kind.base(&plan).ID.ValueString()
	v, err := r.kind.api(r.client).Update(ctx, id, r.kind.input(plan, true), version)
	if errors.Is(err, client.ErrPreconditionFailed) {
		resp.Diagnostics.AddError(capitalized(string(r.kind.typ))+" changed in the portal since the plan",
			fmt.Sprintf("Could not update %s %s: %s. Run terraform plan again to see the change.", r.kind.typ, id, portalMessage(err)))
		return
	}
	if err != nil {
		addTargetError(&resp.Diagnostics, err, fmt.Sprintf("update %s %s", r.kind.typ, id))
		return
	}
	r.save(ctx, v, r.kind.base(&plan).Timeouts, &resp.State, resp.Private, &resp.Diagnostics)
}

// Delete is refused by the portal while the target holds numbers; in
// Terraform the assignments that point at it depend on it and are
// destroyed first.
func (r *targetResource[T, In, M]) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	ctx, finish := operationDeadline(ctx, req.State, r.typeName(), opDelete, &resp.Diagnostics)
	defer finish()
	var state M
	resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	if resp.Diagnostics.HasError() {
		return
	}
	id := r.kind.base(&state).ID.ValueString()
	if err := r.kind.api(r.client).Delete(ctx, id); err != nil && !errors.Is(err, client.ErrNotFound) {
		addPortalError(&resp.Diagnostics, path.Empty(), fmt.Sprintf("delete %s %s", r.kind.typ, id), err)
	}
}

// ImportState accepts the portal's ID or the name (any case) and resolves
// it to the ID; Read fills in the rest.
func (r *targetResource[T, In, M]) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	key, byID, ok := importid.ParseTarget(req.ID, r.kind.idPrefix)
	usage := fmt.Sprintf("Import a %s by its ID (%s_...) or its name, e.g. terraform import callingportal_%s.x %q.", r.kind.typ, r.kind.idPrefix, r.kind.typ, r.kind.nameExample)
	if !ok {
		resp.Diagnostics.AddError("Invalid import ID", usage)
		return
	}
	id := key
	if !byID {
		v, err := r.kind.api(r.client).FindByName(ctx, key)
		switch {
		case errors.Is(err, client.ErrNotFound):
			resp.Diagnostics.AddError(capitalized(string(r.kind.typ))+" not found",
				fmt.Sprintf("No %s of site %s is named %q. %s", r.kind.typ, r.site, key, usage))
			return
		case err != nil:
			addPortalError(&resp.Diagnostics, path.Empty(), fmt.Sprintf("find the %s named %q", r.kind.typ, key), err)
			return
		}
		m := r.kind.fromAPI(v)
		id = r.kind.base(&m).ID.ValueString()
	}
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("id"), id)...)
}

// heldNames remembers, for one Terraform run, the names that targets of
// the run keep, so that the create half of a replacement may take its own
// name back.
type heldNames struct {
	mu  sync.Mutex
	ids map[string]string // by lower-case name
}

func (h *heldNames) hold(name, id string) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.ids[strings.ToLower(name)] = id
}

func (h *heldNames) holds(name, id string) bool {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.ids[strings.ToLower(name)] == id
}

// typeName is the resource's type, e.g. callingportal_phone.
func (r *targetResource[T, In, M]) typeName() string { return "callingportal_" + string(r.kind.typ) }

// save stores the target as the portal returned it, with the timeouts of
// the plan or prior state, and its version for the next update's If-Match.
func (r *targetResource[T, In, M]) save(ctx context.Context, v T, t timeouts.Value, state *tfsdk.State, private privateKeys, diags *diag.Diagnostics) {
	m := r.kind.fromAPI(v)
	r.kind.base(&m).Timeouts = t
	diags.Append(state.Set(ctx, &m)...)
	if b, ok := any(&v).(interface{ Base() *contract.TargetBase }); ok {
		diags.Append(saveVersion(ctx, private, b.Base().Version)...)
	}
}

// targetFields maps the portal's field names in errors to the attributes of
// callingportal_phone and callingportal_service, which use the same names.
var targetFields = map[string]string{
	"name": "name", "extension": "extension", "model": "model", "mac_address": "mac_address",
	"type": "type", "description": "description",
}

func addTargetError(diags *diag.Diagnostics, err error, action string) {
	addPortalError(diags, errorAttribute(err, targetFields, path.Empty()), action, err)
}

// optional is an optional attribute as an input sends it: left out (nil) on
// create when null; on update, where the whole object is sent, null is ""
// and clears the value.
func optional(v types.String, update bool) *string {
	if v.IsNull() && update {
		return new("")
	}
	return v.ValueStringPointer()
}

// capitalized is s with its first letter upper case, for summaries.
func capitalized(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

// nonEmpty keeps "" out of optional attributes: leave them out instead, so
// that state, which holds null for a value the portal does not have, equals
// the configuration.
var nonEmpty = stringvalidator.LengthAtLeast(1)
