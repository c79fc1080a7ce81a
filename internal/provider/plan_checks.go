package provider

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-log/tflog"

	"github.com/callingportal/terraform-provider-callingportal/internal/client"
	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
)

// planLedger checks a whole plan against the portal before anything is
// written: that each number a resource takes is in the pool and free, that no
// two resources take the same number, and that the plan's new stations fit
// the site's inventory.
//
// Terraform plans every resource of a run in one provider process, calling
// ModifyPlan concurrently, so the ledger lives in the configured provider and
// is new for every run (every Configure). During apply Terraform plans each
// resource again just before applying it, interleaved with the creates of
// others; the ledger then counts only claims not yet applied, against the
// inventory less what this process took since, so it never rejects there
// what passed the plan.
//
// The ledger reads the site once per run (a picture: the inventory and the
// available numbers), not once per resource. The picture only ever passes a
// check: a number it does not show as available is read again, and a count
// that does not fit is made again against a fresh inventory, so every
// refusal states the portal as it is. What another process takes after the
// picture is the portal's to refuse at apply, as it always was.
//
// A plan that does not fit fails once, on the first claim that does not,
// which waits for the rest of the plan to be planned and states what the
// whole plan needs (see waitForPlan); the claims after it pass. Destroys in
// the plan are not counted, and the refusal says so.
type planLedger struct {
	portal ledgerPortal

	// apply is held shared by a create while it takes a station, and
	// exclusively while the inventory is read: every station taken in this
	// process is then either in the inventory or counted in taken, never
	// both and never neither. A create holds no lock that another create
	// or a passing check waits for.
	apply sync.RWMutex

	load sync.Mutex // held while the picture loads
	pic  *sitePicture

	mu     sync.Mutex
	claims map[string]*claim // by canonical number
	// held maps the numbers that resources of this run hold to the holder's
	// ID, for when Terraform replaces such a resource without a change in
	// its configuration (-replace, taint) and plans it as a plain create.
	held map[string]string
	// taken counts the stations that creates of this process took after
	// the picture's inventory was read.
	taken int
	// freed holds the numbers whose holders this plan destroys (resources
	// removed from the configuration): a refusal says that their stations
	// are not counted, and why.
	freed map[string]bool
	// refused is set when a claim of this run is refused for want of
	// stations: the plan fails on that one, and later claims that do not
	// fit pass without an error of their own.
	refused bool

	// The unique checks (plan_unique.go): the portal's holders by value,
	// the kinds listed in it (under load), the values claimed in this
	// plan, and those that resources of this run hold.
	holderPic    map[uniqueKey]holder
	listed       map[contract.TargetType]bool
	uniqueClaims map[uniqueKey]*claim
	heldUnique   map[uniqueKey]runHolder

	// lastCall is when a resource of this run last called the ledger
	// (UnixNano): a refusal waits until the plan has gone settle without
	// one, at most maxSettle, to count the whole plan.
	lastCall  atomic.Int64
	settle    time.Duration
	maxSettle time.Duration
}

// sitePicture is the site as the ledger first read it in this run.
type sitePicture struct {
	inv  contract.Inventory
	free []contract.NumberRange // the available numbers, as runs
}

type claim struct {
	owner   string // the resource type that takes the number
	station bool   // the claim needs a new station
	settled bool   // applied, or failed, in this process
	// replanned awaits the second plan Terraform makes for a replacement,
	// the create half with no prior state, which is the same claim.
	replanned bool
}

// ledgerPortal is what the ledger reads from the portal. ReadNumber fails
// with an error matching client.ErrNotFound for a number not in the pool.
type ledgerPortal interface {
	ReadNumber(ctx context.Context, number string) (contract.Number, error)
	// AvailableRanges lists the available numbers as runs, in E.164 order.
	AvailableRanges(ctx context.Context) ([]contract.NumberRange, error)
	ReadInventory(ctx context.Context) (contract.Inventory, error)
	Site() string
	// Holders lists the site's users, phones or services; ReadHolder reads
	// one, failing with client.ErrNotFound when it is gone.
	Holders(ctx context.Context, kind contract.TargetType) ([]holder, error)
	ReadHolder(ctx context.Context, kind contract.TargetType, id string) (holder, error)
}

var _ ledgerPortal = clientPortal{}

// clientPortal reads for the ledger through a portal client.
type clientPortal struct{ cl *client.Client }

func (p clientPortal) ReadNumber(ctx context.Context, number string) (contract.Number, error) {
	return p.cl.Numbers.Read(ctx, number)
}

func (p clientPortal) AvailableRanges(ctx context.Context) ([]contract.NumberRange, error) {
	return p.cl.Numbers.Ranges(ctx, contract.NumberFilter{Status: contract.StatusAvailable})
}

func (p clientPortal) ReadInventory(ctx context.Context) (contract.Inventory, error) {
	return p.cl.Inventory.Read(ctx)
}

func (p clientPortal) Site() string { return p.cl.Site }

func newPlanLedger(p ledgerPortal) *planLedger {
	return &planLedger{
		claims: map[string]*claim{}, held: map[string]string{}, freed: map[string]bool{}, portal: p,
		holderPic: map[uniqueKey]holder{}, listed: map[contract.TargetType]bool{},
		uniqueClaims: map[uniqueKey]*claim{}, heldUnique: map[uniqueKey]runHolder{},
		settle: 2 * time.Second, maxSettle: 2 * time.Minute,
	}
}

// numberClaim is one resource's intent to take a number.
type numberClaim struct {
	attr   path.Path // where the number is configured
	number string    // canonical E.164
	adopts adoption  // nil: the resource takes over nothing
	owner  string    // e.g. "callingportal_user"
	// replacing is true when the resource replaces an object that holds a
	// number: Terraform destroys it first, freeing a station for the new one.
	replacing bool
}

// check validates c against the portal and the rest of the plan.
func (l *planLedger) check(ctx context.Context, c numberClaim, diags *diag.Diagnostics) {
	pic, what, err := l.picture(ctx)
	if err != nil {
		addPortalError(diags, errorAttribute(err, nil, c.attr), what, err)
		return
	}
	if !contract.RunsContain(pic.free, c.number) {
		n, err := l.portal.ReadNumber(ctx, c.number)
		switch {
		case errors.Is(err, client.ErrNotFound):
			addPortalError(diags, c.attr, "plan "+c.owner, contract.NotInPool(l.portal.Site(), c.number))
			return
		case err != nil:
			addPortalError(diags, errorAttribute(err, nil, c.attr), "check number "+c.number, err)
			return
		case n.Status != contract.StatusAvailable && c.adopts.of(ctx, n.AssignedType, n.AssignedID):
			// Its holder is what this create makes: the station is taken.
			l.mu.Lock()
			l.claims[c.number] = &claim{owner: c.owner}
			l.mu.Unlock()
			return
		case n.Status != contract.StatusAvailable && !l.reclaim(n, c.owner):
			addPortalError(diags, c.attr, "plan "+c.owner, contract.HolderError(n))
			return
		case n.Status != contract.StatusAvailable:
			return // the create half of a replacement: it frees the number first
		}
	}

	l.mu.Lock()
	if other, taken := l.claims[c.number]; taken {
		if other.replanned && other.owner == c.owner && !c.replacing {
			other.replanned = false
			l.mu.Unlock()
			return
		}
		l.mu.Unlock()
		diags.AddAttributeError(c.attr, "Number claimed twice in this plan",
			fmt.Sprintf("Could not plan %s: number %s is also claimed by a %s resource in this plan; a number can be held by one user, phone or service only.",
				c.owner, c.number, other.owner))
		return
	}
	l.claims[c.number] = &claim{owner: c.owner, station: !c.replacing, replanned: c.replacing}
	needed, available, refused := l.openStations(), pic.inv.Available-l.taken, l.refused
	l.mu.Unlock()
	if c.replacing || needed <= available || refused {
		return
	}

	// It does not fit the picture: count again against the inventory as
	// it is now, which the refusal states.
	inv, err := l.readInventory(ctx)
	if err != nil {
		// Unchecked, the claim must not count against the others.
		l.mu.Lock()
		delete(l.claims, c.number)
		l.mu.Unlock()
		addPortalError(diags, errorAttribute(err, nil, c.attr), "read the station inventory", err)
		return
	}
	l.mu.Lock()
	needed, refused = l.openStations(), l.refused
	l.refused = l.refused || needed > inv.Available
	l.mu.Unlock()
	if needed <= inv.Available || refused {
		return
	}

	// This claim is the plan's one refusal. The other resources of the plan
	// are being planned meanwhile, each seeing only itself: wait until they
	// stop calling, then state the stations the whole plan needs.
	alone := l.waitForPlan(ctx)
	l.mu.Lock()
	needed, freed := l.openStations(), len(l.freed)
	l.mu.Unlock()
	addNoStations(diags, c.attr, c.owner, contract.NoStations("this plan", needed, inv), freed, alone)
}

// partialCount ends a refusal that waited for the rest of the plan while
// Terraform planned nothing else: the count may then be the plan so far.
const partialCount = ". Terraform planned no other resource while this check waited for the rest of the plan: " +
	"if it plans more after this one (with -parallelism=1 it plans one at a time), they are not counted, and the plan needs more"

// addNoStations reports the plan's refusal for want of stations at attr;
// freed is how many stations the plan's destroys free, which it cannot
// count; alone says that Terraform planned nothing else while the refusal
// waited, so resources it plans later are not counted either.
func addNoStations(diags *diag.Diagnostics, attr path.Path, owner string, err *contract.Error, freed int, alone bool) {
	detail := "Could not plan " + owner + ": " + err.Message
	if alone {
		detail += partialCount
	}
	if freed > 0 {
		stations := "stations"
		if freed == 1 {
			stations = "station"
		}
		detail += fmt.Sprintf(". The plan also destroys resources that free %d %s, but Terraform may create before it destroys, "+
			"so they are not counted: apply the removals first (terraform apply -target=ADDRESS for each removed resource), then the rest", freed, stations)
	}
	diags.AddAttributeError(attr, summaries[contract.CodeNoStationsAvailable], detail)
}

// touch records that a resource of this run called the ledger.
func (l *planLedger) touch() { l.lastCall.Store(time.Now().UnixNano()) }

// waitForPlan returns once no resource of the run has called the ledger for
// l.settle (at most l.maxSettle from now): Terraform has then planned what
// it can plan while this resource waits. Terraform plans resources
// concurrently (-parallelism, 10 by default), so the others go on while one
// waits; with -parallelism=1 none can, and the count is the plan so far.
//
// alone says that it waited and no other resource called the ledger
// meanwhile.
func (l *planLedger) waitForPlan(ctx context.Context) (alone bool) {
	start := l.lastCall.Load()
	defer func() { alone = l.settle > 0 && l.lastCall.Load() == start }()
	deadline := time.Now().Add(l.maxSettle)
	for {
		quiet := time.Unix(0, l.lastCall.Load()).Add(l.settle)
		wait := min(time.Until(quiet), time.Until(deadline))
		if wait <= 0 {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(wait):
		}
	}
}

// destroyPlanned records the number held by a resource that the plan
// destroys (a ModifyPlan whose plan is null), read from the state at attr.
func (l *planLedger) destroyPlanned(ctx context.Context, req resource.ModifyPlanRequest, attr path.Path) {
	if l == nil || !req.Plan.Raw.IsNull() || req.State.Raw.IsNull() {
		return
	}
	var number types.String
	if req.State.GetAttribute(ctx, attr, &number).HasError() {
		return
	}
	l.destroying(number.ValueString())
}

// destroying records that the plan destroys the holder of number.
func (l *planLedger) destroying(number string) {
	l.touch()
	if number == "" {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.freed[number] = true
}

// picture is the site as this run first read it, loaded by the first check;
// a failed load is tried again by the next. what names the read that failed.
func (l *planLedger) picture(ctx context.Context) (pic *sitePicture, what string, err error) {
	l.load.Lock()
	defer l.load.Unlock()
	if l.pic != nil {
		return l.pic, "", nil
	}
	free, err := l.portal.AvailableRanges(ctx)
	if err != nil {
		return nil, "list the available numbers", err
	}
	inv, err := l.readInventory(ctx)
	if err != nil {
		return nil, "read the station inventory", err
	}
	pic = &sitePicture{inv: inv, free: free}
	l.pic = pic
	return pic, "", nil
}

// readInventory reads the inventory once no create of this process is in
// flight, and makes it the picture's: taken starts again from zero.
func (l *planLedger) readInventory(ctx context.Context) (contract.Inventory, error) {
	l.apply.Lock()
	defer l.apply.Unlock()
	inv, err := l.portal.ReadInventory(ctx)
	if err != nil {
		return inv, err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.pic != nil {
		l.pic.inv = inv
	}
	l.taken = 0
	return inv, nil
}

// holding records that a resource of this run holds number: its Read found
// it so, or its plan keeps it.
func (l *planLedger) holding(number, holderID string) {
	if l == nil {
		return // a providerData built without a ledger, as in unit tests
	}
	l.touch()
	l.mu.Lock()
	defer l.mu.Unlock()
	l.held[number] = holderID
}

// reclaim says whether n, held by someone, is held by a resource of this
// run that Terraform now plans to create again: a replacement, which
// destroys the holder and frees the number first. It then counts as that
// resource's claim, once, needing no new station.
func (l *planLedger) reclaim(n contract.Number, owner string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, claimed := l.claims[n.Number]; claimed || l.held[n.Number] != n.AssignedID {
		return false
	}
	l.claims[n.Number] = &claim{owner: owner}
	return true
}

// openStations counts the claims that still need a new station; l.mu is
// held.
func (l *planLedger) openStations() int {
	open := 0
	for _, c := range l.claims {
		if c.station && !c.settled {
			open++
		}
	}
	return open
}

// taking wraps a create that takes number's station; call done when the
// portal has answered, with whether it took the station.
func (l *planLedger) taking(number string) (done func(took bool)) {
	if l == nil {
		return func(bool) {} // the provider was not configured for plans
	}
	l.apply.RLock()
	return func(took bool) {
		l.mu.Lock()
		if c := l.claims[number]; c != nil {
			c.settled = true
		}
		if took {
			l.taken++
		}
		l.mu.Unlock()
		l.apply.RUnlock()
	}
}

// checkTarget fails the plan when a phone or service to assign to does not
// exist.
func checkTarget(ctx context.Context, view *client.View, site string, attr path.Path, t contract.Target, diags *diag.Diagnostics) {
	var err error
	if t.Type == contract.TargetPhone {
		_, err = view.Phone(ctx, t.ID)
	} else {
		_, err = view.Service(ctx, t.ID)
	}
	if errors.Is(err, client.ErrNotFound) {
		err = contract.Invalid(attr.String(), "%s %q does not exist on site %s", t.Type, t.ID, site)
	}
	if err != nil {
		addPortalError(diags, attr, "check the "+string(t.Type), err)
	}
}

// checkPlannedNumber checks the number that a resource's plan takes, at
// attr. prior is the number in state, null on create; a different number
// replaces the resource. An unchanged number is recorded as held by
// holderID, in case Terraform replaces the resource anyway. A number not
// known yet is checked by the portal at apply.
func (l *planLedger) checkPlannedNumber(ctx context.Context, attr path.Path, owner string, planned, prior types.String, holderID string, adopts adoption, diags *diag.Diagnostics) {
	l.touch()
	switch {
	case planned.IsUnknown():
	case planned.Equal(prior):
		l.holding(prior.ValueString(), holderID)
	default:
		l.check(ctx, numberClaim{
			attr: attr, number: planned.ValueString(),
			owner: owner, replacing: !prior.IsNull(), adopts: adopts,
		}, diags)
	}
}

// adoption says whether an object that the portal holds is the one this
// resource's create makes, so that a check finding it in the way passes:
// the object an earlier apply created for the resource without receiving
// the answer (an interrupted apply, or retries that ran out), which the
// create gets back from the portal instead of making a second one (see
// earlierCreate); or the phone or service that an assignment's number is
// already assigned to, which the assignment then finds done.
type adoption func(ctx context.Context, kind contract.TargetType, id string) bool

// of is a(ctx, kind, id), false for no adoption.
func (a adoption) of(ctx context.Context, kind contract.TargetType, id string) bool {
	return a != nil && a(ctx, kind, id)
}

// earlierCreate is the adoption of the object of kind that an earlier create
// of the planned resource made. lookup is the client's EarlierCreate of the
// resource's create, or nil when the plan does not know the whole create
// yet; it is called once, on the first object in the way, so a plan that
// meets none costs no request. Adopting adds a warning to diags, once, as
// the plan then says "create" for what the apply takes over.
func earlierCreate(kind contract.TargetType, what string, lookup func(context.Context) (string, error), diags *diag.Diagnostics) adoption {
	if lookup == nil {
		return nil
	}
	var (
		once   sync.Once
		id     string
		warned bool
	)
	return func(ctx context.Context, k contract.TargetType, holderID string) bool {
		once.Do(func() {
			var err error
			if id, err = lookup(ctx); err != nil && !errors.Is(err, client.ErrNotFound) {
				tflog.Warn(ctx, "could not look up an earlier create of this resource", map[string]any{"error": err.Error()})
			}
		})
		if id == "" || k != kind || holderID != id {
			return false
		}
		if !warned {
			warned = true
			diags.AddWarning("Adopting a "+string(kind)+" that an earlier apply created",
				fmt.Sprintf("An earlier apply created %s %s (%s) for this resource but never received the portal's answer (it was interrupted, or its retries ran out), so the state does not have it. "+
					"This apply takes it over instead of creating a second one: the portal answers the same create with the %s it made.", kind, id, what, kind))
		}
		return true
	}
}

// plannedChange reads the plan and the prior state (zero on a create) of a
// ModifyPlan request. ok is false when there is nothing to check: the
// provider is not configured yet (validate), the plan is a destroy, or the
// request could not be read (the diagnostics say why).
func plannedChange[M any](ctx context.Context, configured bool, req resource.ModifyPlanRequest, resp *resource.ModifyPlanResponse) (plan, state M, ok bool) {
	if !configured || req.Plan.Raw.IsNull() {
		return plan, state, false
	}
	resp.Diagnostics.Append(req.Plan.Get(ctx, &plan)...)
	if !req.State.Raw.IsNull() {
		resp.Diagnostics.Append(req.State.Get(ctx, &state)...)
	}
	return plan, state, !resp.Diagnostics.HasError()
}
