package provider

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
)

// The tests below drive a planLedger the way Terraform does, against a
// fakePortal: Read records what a resource holds, ModifyPlan checks the
// planned number, Create takes a station between taking and done. One
// ledger is one provider process: Terraform plans in one and applies,
// re-planning each resource just before its create, in another.

const (
	userType       = "callingportal_user"
	assignmentType = "callingportal_number_assignment"
)

var errRefused = errors.New("connection refused")

// num is the demo site's number +1312555<i>, e.g. num(150) = "+13125550150".
func num(i int) string { return fmt.Sprintf("+1312555%04d", i) }

// fakePortal is a site's number pool and station inventory in memory. It
// counts the ledger's reads, answers the next read of a number or of the
// inventory with an error when told, and applies creates and destroys as
// the portal does.
type fakePortal struct {
	mu             sync.Mutex
	numbers        map[string]contract.Number
	inv            contract.Inventory
	failNext       map[string]error // by number, "available" or "inventory"
	numberReads    int
	lists          int
	inventoryReads int
	// onInventory, when set, is called on each inventory read; it may block.
	onInventory func()
	// holders are the site's users, phones and services, by ID.
	holders     map[string]holder
	holderLists int
	holderReads int
}

var _ ledgerPortal = (*fakePortal)(nil)

// newFakePortal is the demo site with available stations free (7 in use):
// num(150..159) available; held outside the run, +13125550101 by a service
// and +13125550120 by a user; held by resources of the run, +13125550140 by
// user usr_jane and +13125550141 by service svc_after.
func newFakePortal(available int) *fakePortal {
	p := &fakePortal{
		numbers:  map[string]contract.Number{},
		inv:      contract.Inventory{Site: "demo", Total: 7 + available, InUse: 7, Available: available},
		failNext: map[string]error{},
		holders: map[string]holder{
			"usr_ada":   {kind: contract.TargetUser, id: "usr_ada", name: "user Ada Lovelace <ada.lovelace@example.com>", email: "ada.lovelace@example.com", extension: "201"},
			"usr_jane":  {kind: contract.TargetUser, id: "usr_jane", name: "user Jane Doe <Jane.Doe@example.com>", email: "Jane.Doe@example.com"},
			"ph_lobby":  {kind: contract.TargetPhone, id: "ph_lobby", name: `phone "Lobby Phone"`, extension: "100"},
			"svc_after": {kind: contract.TargetService, id: "svc_after", name: `service "After Hours"`, extension: "300"},
			"svc_sales": {kind: contract.TargetService, id: "svc_sales", name: `service "Sales Hunt Group"`},
		},
	}
	p.addNumbers(150, 10)
	for _, n := range []contract.Number{
		{Number: num(101), AssignedType: contract.TargetService, AssignedID: "svc_sales", AssignedName: "Sales Hunt Group"},
		{Number: num(120), AssignedType: contract.TargetUser, AssignedID: "usr_ada", AssignedName: "Ada Lovelace"},
		{Number: num(140), AssignedType: contract.TargetUser, AssignedID: "usr_jane", AssignedName: "Jane Doe"},
		{Number: num(141), AssignedType: contract.TargetService, AssignedID: "svc_after", AssignedName: "After Hours"},
	} {
		n.Status = contract.StatusAssigned
		p.numbers[n.Number] = n
	}
	return p
}

// addNumbers puts count available numbers into the pool from num(first).
func (p *fakePortal) addNumbers(first, count int) {
	for i := first; i < first+count; i++ {
		p.numbers[num(i)] = contract.Number{Number: num(i), Status: contract.StatusAvailable}
	}
}

func (p *fakePortal) ReadNumber(_ context.Context, number string) (contract.Number, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.numberReads++
	if err := p.failNext[number]; err != nil {
		delete(p.failNext, number)
		return contract.Number{}, err
	}
	n, ok := p.numbers[number]
	if !ok {
		return contract.Number{}, contract.NotFound("number", number)
	}
	return n, nil
}

func (p *fakePortal) AvailableRanges(context.Context) ([]contract.NumberRange, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.lists++
	if err := p.failNext["available"]; err != nil {
		delete(p.failNext, "available")
		return nil, err
	}
	var available []string
	for _, n := range p.numbers {
		if n.Status == contract.StatusAvailable {
			available = append(available, n.Number)
		}
	}
	slices.Sort(available)
	var runs []contract.NumberRange
	for _, n := range available {
		runs = contract.AppendToRuns(runs, n)
	}
	return runs, nil
}

func (p *fakePortal) ReadInventory(context.Context) (contract.Inventory, error) {
	if p.onInventory != nil {
		p.onInventory()
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	p.inventoryReads++
	if err := p.failNext["inventory"]; err != nil {
		delete(p.failNext, "inventory")
		return contract.Inventory{}, err
	}
	return p.inv, nil
}

func (p *fakePortal) Site() string { return "demo" }

func (p *fakePortal) Holders(_ context.Context, kind contract.TargetType) ([]holder, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.holderLists++
	var all []holder
	for _, h := range p.holders {
		if h.kind == kind {
			all = append(all, h)
		}
	}
	return all, nil
}

func (p *fakePortal) ReadHolder(_ context.Context, kind contract.TargetType, id string) (holder, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.holderReads++
	h, ok := p.holders[id]
	if !ok || h.kind != kind {
		return holder{}, contract.NotFound(string(kind), id)
	}
	return h, nil
}

// create gives an available number, and a station, to a new holder.
func (p *fakePortal) create(number string, holder contract.TargetType, id string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	n := p.numbers[number]
	switch {
	case n.Status != contract.StatusAvailable:
		return contract.HolderError(n)
	case p.inv.Available == 0:
		return contract.NoStations("this change", 1, p.inv)
	}
	p.numbers[number] = contract.Number{Number: number, Status: contract.StatusAssigned, AssignedType: holder, AssignedID: id}
	p.inv.InUse++
	p.inv.Available--
	return nil
}

// destroy frees a number and its holder's station.
func (p *fakePortal) destroy(number string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.numbers[number] = contract.Number{Number: number, Status: contract.StatusAvailable}
	p.inv.InUse--
	p.inv.Available++
}

// reads is what a run of the ledger asked the portal.
type reads struct{ numbers, lists, inventory int }

func (p *fakePortal) reads() reads {
	p.mu.Lock()
	defer p.mu.Unlock()
	return reads{p.numberReads, p.lists, p.inventoryReads}
}

// action is what Terraform does in a step.
type action int

const (
	read     action = iota // Read finds number held by holder
	plan                   // ModifyPlan checks the planned number
	apply                  // Create takes number and a station
	destroy                // Delete frees number and its station
	removal                // ModifyPlan of a destroy: the plan removes number's holder
	failNext               // the portal answers the next read of number with err
)

// step is one call Terraform makes on the ledger through a resource of
// type owner, or one change it applies to the portal.
type step struct {
	do     action
	owner  string
	number types.String // planned, or the object's
	prior  types.String // the number in state: null on create
	holder string       // the ID in state
	err    error        // failNext's answer; apply's failure, for a create the portal refuses
	want   diag.Diagnostics
}

func create(owner, number string) step {
	return step{do: plan, owner: owner, number: types.StringValue(number), prior: types.StringNull()}
}

func replace(owner, from, to, holder string) step {
	return step{do: plan, owner: owner, number: types.StringValue(to), prior: types.StringValue(from), holder: holder}
}

// keep is the plan of a resource whose number does not change.
func keep(owner, number, holder string) step {
	return step{do: plan, owner: owner, number: types.StringValue(number), prior: types.StringValue(number), holder: holder}
}

// unknown is the create of a resource whose number comes from another.
func unknown(owner string) step {
	return step{do: plan, owner: owner, number: types.StringUnknown(), prior: types.StringNull()}
}

// found is a Read that finds number held by holder.
func found(owner, number, holder string) step {
	return step{do: read, owner: owner, number: types.StringValue(number), holder: holder}
}

func applied(owner, number string) step {
	return step{do: apply, owner: owner, number: types.StringValue(number)}
}

func failedCreate(owner, number string, err error) step {
	return step{do: apply, owner: owner, number: types.StringValue(number), err: err}
}

func destroyed(number string) step {
	return step{do: destroy, number: types.StringValue(number)}
}

// removed is the plan of a destroy: a resource that holds number is no
// longer in the configuration.
func removed(number string) step {
	return step{do: removal, number: types.StringValue(number)}
}

// failing makes the portal answer the next read of number ("inventory" for
// the inventory) with err.
func failing(number string, err error) step {
	return step{do: failNext, number: types.StringValue(number), err: err}
}

// fails is s with the error the ledger must report on the number.
func (s step) fails(summary, detail string) step {
	s.want = diag.Diagnostics{diag.NewAttributeErrorDiagnostic(attrOf(s.owner), summary, detail)}
	return s
}

// failsOnResource is s with the error the ledger must report on the
// resource as a whole.
func (s step) failsOnResource(summary, detail string) step {
	s.want = diag.Diagnostics{diag.NewErrorDiagnostic(summary, detail)}
	return s
}

func attrOf(owner string) path.Path {
	if owner == userType {
		return path.Root("phone_number")
	}
	return path.Root("number")
}

// holderType is what holds the number that a resource of type owner creates.
func holderType(owner string) contract.TargetType {
	if owner == userType {
		return contract.TargetUser
	}
	return contract.TargetService
}

// run does s on l and p, and reports on t what differs from s.want.
func (s step) run(t *testing.T, l *planLedger, p *fakePortal) {
	number := s.number.ValueString()
	switch s.do {
	case read:
		l.holding(number, s.holder)
	case plan:
		diags := planNumber(l, s)
		if !diags.Equal(s.want) {
			t.Errorf("plan %s %s (prior %s): diagnostics %s\nwant %s", s.owner, s.number, s.prior, describe(diags), describe(s.want))
		}
	case apply:
		done := l.taking(number)
		err := s.err
		if err == nil {
			err = p.create(number, holderType(s.owner), "new_"+number)
			if err != nil {
				t.Errorf("apply %s %s: the portal refused the create: %v", s.owner, number, err)
			}
		}
		done(err == nil)
	case destroy:
		p.destroy(number)
	case removal:
		l.destroying(number)
	case failNext:
		p.mu.Lock()
		p.failNext[number] = s.err
		p.mu.Unlock()
	}
}

// planNumber is the ModifyPlan of s: the ledger's check of its number.
func planNumber(l *planLedger, s step) diag.Diagnostics {
	var diags diag.Diagnostics
	l.checkPlannedNumber(context.Background(), attrOf(s.owner), s.owner, s.number, s.prior, s.holder, nil, &diags)
	return diags
}

// describe lists diags for a failure message.
func describe(diags diag.Diagnostics) string {
	if len(diags) == 0 {
		return "none"
	}
	var b strings.Builder
	for _, d := range diags {
		at := "the resource"
		if d, ok := d.(diag.DiagnosticWithPath); ok {
			at = d.Path().String()
		}
		fmt.Fprintf(&b, "\n  %s on %s: %q: %q", d.Severity(), at, d.Summary(), d.Detail())
	}
	return b.String()
}

// newTestLedger is a ledger of p whose refusals wait settle for the rest
// of the plan.
func newTestLedger(p *fakePortal, settle time.Duration) *planLedger {
	l := newPlanLedger(p)
	l.settle = settle
	return l
}

// withoutDeadlock runs f and fails t if it does not return within a while:
// a create that never released the apply lock would block every check.
func withoutDeadlock(t *testing.T, f func()) {
	t.Helper()
	finished := make(chan struct{})
	go func() {
		defer close(finished)
		f()
	}()
	select {
	case <-finished:
	case <-time.After(10 * time.Second):
		t.Fatal("the ledger blocked: a lock is held that nothing will release")
	}
}

func TestPlanLedger(t *testing.T) {
	const (
		noStations  = "No stations available"
		twice       = "Number claimed twice in this plan"
		userHeld    = "Number belongs to a user"
		portalError = "Calling portal error"
	)
	for _, tc := range []struct {
		name      string
		available int // stations free at the start
		steps     []step
		reads     *reads // what the steps read from the portal, when the case is about it
	}{
		// Plans.
		{
			name:      "creates that fit",
			available: 2,
			steps:     []step{create(assignmentType, num(150)), create(userType, num(151))},
			reads:     &reads{numbers: 0, lists: 1, inventory: 1},
		},
		{
			name:      "one create too many states the figures",
			available: 2,
			steps: []step{
				create(assignmentType, num(150)),
				create(assignmentType, num(151)),
				create(userType, num(152)).fails(noStations,
					"Could not plan callingportal_user: this plan needs 3 new stations; site demo has 2 available (7 in use of 9 purchased)"+partialCount),
			},
		},
		{
			// The plan fails on the first claim that does not fit; the
			// others pass, counted, so the plan has one such error.
			name:      "one refusal per plan",
			available: 1,
			steps: []step{
				create(assignmentType, num(150)),
				create(assignmentType, num(151)).fails(noStations,
					"Could not plan callingportal_number_assignment: this plan needs 2 new stations; site demo has 1 available (7 in use of 8 purchased)"+partialCount),
				create(assignmentType, num(152)),
				create(userType, num(153)),
			},
			reads: &reads{numbers: 0, lists: 1, inventory: 2},
		},
		{
			// Terraform does not order unrelated destroys before creates:
			// the stations they free are not counted, and the refusal says
			// so and what to do.
			name:      "a refusal names the stations the plan's destroys free",
			available: 0,
			steps: []step{
				removed(num(140)),
				removed(num(141)),
				removed(num(141)),
				create(userType, num(150)).fails(noStations,
					"Could not plan callingportal_user: this plan needs 1 new station; site demo has 0 available (7 in use of 7 purchased)"+partialCount+". "+
						"The plan also destroys resources that free 2 stations, but Terraform may create before it destroys, so they are not counted: "+
						"apply the removals first (terraform apply -target=ADDRESS for each removed resource), then the rest"),
			},
		},
		{
			name:      "a number not in the pool",
			available: 2,
			steps: []step{
				create(assignmentType, "+14155550100").fails("Not found in the portal",
					"Could not plan callingportal_number_assignment: number +14155550100 is not in the number pool of site demo"),
			},
			reads: &reads{numbers: 1, lists: 1, inventory: 1},
		},
		{
			name:      "a number held by a user",
			available: 2,
			steps: []step{
				create(assignmentType, num(120)).fails(userHeld,
					"Could not plan callingportal_number_assignment: number +13125550120 belongs to user Ada Lovelace (usr_ada); a user's number cannot be moved or unassigned, only freed by deleting the user: manage it with callingportal_user"),
			},
		},
		{
			name:      "a number held by a service",
			available: 2,
			steps: []step{
				create(userType, num(101)).fails("Number unavailable",
					`Could not plan callingportal_user: number +13125550101 is already assigned to service "Sales Hunt Group" (svc_sales); unassign it there first, or import it with terraform import`),
			},
		},
		{
			name:      "a number claimed twice counts once",
			available: 2,
			steps: []step{
				create(assignmentType, num(150)),
				create(userType, num(150)).fails(twice,
					"Could not plan callingportal_user: number +13125550150 is also claimed by a callingportal_number_assignment resource in this plan; a number can be held by one user, phone or service only."),
				create(assignmentType, num(151)),
			},
		},
		{
			name:      "two creates of one type are not a replacement",
			available: 2,
			steps: []step{
				create(userType, num(150)),
				create(userType, num(150)).fails(twice,
					"Could not plan callingportal_user: number +13125550150 is also claimed by a callingportal_user resource in this plan; a number can be held by one user, phone or service only."),
			},
		},
		{
			name:      "unknown numbers are skipped",
			available: 1,
			steps:     []step{unknown(assignmentType), unknown(userType), create(assignmentType, num(150))},
			reads:     &reads{numbers: 0, lists: 1, inventory: 1},
		},
		{
			name:      "an unchanged number, as in a move, is no claim",
			available: 0,
			steps:     []step{keep(userType, num(140), "usr_jane"), keep(assignmentType, num(141), "svc_after")},
			reads:     &reads{numbers: 0, lists: 0, inventory: 0},
		},
		{
			// Terraform plans a replacement with the prior state, then its
			// create half again with none.
			name:      "a replacement needs no station and its second plan folds into it",
			available: 0,
			steps: []step{
				found(userType, num(140), "usr_jane"),
				replace(userType, num(140), num(150), "usr_jane"),
				create(userType, num(150)),
				create(assignmentType, num(151)).fails(noStations,
					"Could not plan callingportal_number_assignment: this plan needs 1 new station; site demo has 0 available (7 in use of 7 purchased)"+partialCount),
			},
			reads: &reads{numbers: 0, lists: 1, inventory: 2},
		},
		{
			name:      "a replacement folds one second plan",
			available: 1,
			steps: []step{
				replace(userType, num(140), num(150), "usr_jane"),
				create(userType, num(150)),
				create(userType, num(150)).fails(twice,
					"Could not plan callingportal_user: number +13125550150 is also claimed by a callingportal_user resource in this plan; a number can be held by one user, phone or service only."),
			},
		},
		{
			name:      "a create of another type is no second plan of a replacement",
			available: 1,
			steps: []step{
				replace(userType, num(140), num(150), "usr_jane"),
				create(assignmentType, num(150)).fails(twice,
					"Could not plan callingportal_number_assignment: number +13125550150 is also claimed by a callingportal_user resource in this plan; a number can be held by one user, phone or service only."),
				create(userType, num(150)),
			},
		},
		{
			// Terraform plans a tainted resource as a create with no prior
			// state; its Read recorded the number as its own.
			name:      "taint: the create takes back the number its Read found",
			available: 0,
			steps: []step{
				found(userType, num(140), "usr_jane"),
				create(userType, num(140)),
				found(assignmentType, num(141), "svc_after"),
				create(assignmentType, num(141)),
				create(assignmentType, num(150)).fails(noStations,
					"Could not plan callingportal_number_assignment: this plan needs 1 new station; site demo has 0 available (7 in use of 7 purchased)"+partialCount),
			},
			reads: &reads{numbers: 2, lists: 1, inventory: 2},
		},
		{
			// -replace plans the resource as it is, then as a create with no
			// prior state; with -refresh=false no Read comes first.
			name:      "-replace: the plan that keeps the number records it for the create",
			available: 0,
			steps: []step{
				keep(userType, num(140), "usr_jane"),
				create(userType, num(140)),
				keep(assignmentType, num(141), "svc_after"),
				create(assignmentType, num(141)),
			},
			reads: &reads{numbers: 2, lists: 1, inventory: 1},
		},
		{
			name:      "a number is taken back once",
			available: 0,
			steps: []step{
				found(userType, num(140), "usr_jane"),
				create(userType, num(140)),
				create(assignmentType, num(140)).fails(userHeld,
					"Could not plan callingportal_number_assignment: number +13125550140 belongs to user Jane Doe (usr_jane); a user's number cannot be moved or unassigned, only freed by deleting the user: manage it with callingportal_user"),
			},
		},
		{
			// The state (not refreshed) names a user deleted outside
			// Terraform; another user has the number since.
			name:      "a number the state's holder no longer holds is not taken back",
			available: 0,
			steps: []step{
				keep(userType, num(140), "usr_gone"),
				create(userType, num(140)).fails(userHeld,
					"Could not plan callingportal_user: number +13125550140 belongs to user Jane Doe (usr_jane); a user's number cannot be moved or unassigned, only freed by deleting the user: manage it with callingportal_user"),
			},
		},
		{
			// A known limit (DESIGN.md, "Plan-time checks"): ModifyPlan does
			// not see create_before_destroy, so such a replacement is counted
			// like one that destroys first and needs no station, though its
			// create runs first. The portal refuses that create at apply, in
			// the words of contract.NoStations.
			name:      "create_before_destroy is counted as destroy first",
			available: 0,
			steps: []step{
				replace(userType, num(140), num(150), "usr_jane"),
				create(userType, num(150)),
			},
		},
		{
			name:      "a failed number read",
			available: 1,
			steps: []step{
				failing(num(101), errRefused),
				create(assignmentType, num(101)).failsOnResource(portalError,
					"Could not check number +13125550101: connection refused"),
				create(assignmentType, num(151)),
			},
		},
		{
			name:      "a failed list of the available numbers is tried again",
			available: 1,
			steps: []step{
				failing("available", errRefused),
				create(assignmentType, num(150)).failsOnResource(portalError,
					"Could not list the available numbers: connection refused"),
				create(assignmentType, num(151)),
			},
			reads: &reads{numbers: 0, lists: 2, inventory: 1},
		},
		{
			name:      "a failed inventory read does not count against the others",
			available: 1,
			steps: []step{
				failing("inventory", &contract.Error{Code: contract.CodeRateLimited, Message: "slow down"}),
				create(assignmentType, num(150)).failsOnResource("Portal rate limit",
					"Could not read the station inventory: slow down"),
				create(assignmentType, num(151)),
			},
		},

		// Applies: the ledger of the process that applies, fresh.
		{
			name:      "apply: a created claim is in the inventory, not counted again",
			available: 2,
			steps: []step{
				create(assignmentType, num(150)),
				applied(assignmentType, num(150)),
				create(assignmentType, num(151)),
				applied(assignmentType, num(151)),
				create(assignmentType, num(152)).fails(noStations,
					"Could not plan callingportal_number_assignment: this plan needs 1 new station; site demo has 0 available (9 in use of 9 purchased)"+partialCount),
			},
		},
		{
			name:      "apply: re-plans between the creates of others",
			available: 3,
			steps: []step{
				create(assignmentType, num(150)),
				create(assignmentType, num(151)),
				applied(assignmentType, num(150)),
				create(userType, num(152)),
				applied(assignmentType, num(151)),
				applied(userType, num(152)),
			},
		},
		{
			name:      "apply: a failed create settles its claim",
			available: 1,
			steps: []step{
				create(assignmentType, num(150)),
				failedCreate(assignmentType, num(150), errRefused),
				create(assignmentType, num(151)),
				applied(assignmentType, num(151)),
			},
		},
		{
			// Replacements destroy between the re-plans of others: what a
			// destroy frees after the picture is read is found again.
			name:      "apply: a number and a station freed after the picture",
			available: 1,
			steps: []step{
				create(assignmentType, num(150)),
				applied(assignmentType, num(150)),
				destroyed(num(101)),
				create(userType, num(101)),
				applied(userType, num(101)),
			},
			reads: &reads{numbers: 1, lists: 1, inventory: 2},
		},
		{
			// Terraform destroys first, then re-plans the create half with
			// no prior state.
			name:      "apply: a replacement takes the station its destroy freed",
			available: 0,
			steps: []step{
				destroyed(num(140)),
				create(userType, num(150)),
				applied(userType, num(150)),
			},
		},
		{
			name:      "apply: taint or -replace takes the number and station its destroy freed",
			available: 0,
			steps: []step{
				destroyed(num(140)),
				create(userType, num(140)),
				applied(userType, num(140)),
				destroyed(num(141)),
				create(assignmentType, num(141)),
				applied(assignmentType, num(141)),
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := newFakePortal(tc.available)
			l := newTestLedger(p, time.Millisecond)
			withoutDeadlock(t, func() {
				for _, s := range tc.steps {
					s.run(t, l, p)
				}
			})
			if got := p.reads(); tc.reads != nil && got != *tc.reads {
				t.Errorf("portal reads %+v, want %+v", got, *tc.reads)
			}
		})
	}
}

// planConcurrently plans a create of each number at once, as Terraform does
// with ModifyPlan, and returns the diagnostics of each.
func planConcurrently(t *testing.T, l *planLedger, numbers []string) []diag.Diagnostics {
	t.Helper()
	results := make([]diag.Diagnostics, len(numbers))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, number := range numbers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			results[i] = planNumber(l, create(assignmentType, number))
		}()
	}
	close(start)
	withoutDeadlock(t, wg.Wait)
	return results
}

// numbersFrom lists count numbers from num(first).
func numbersFrom(first, count int) []string {
	numbers := make([]string, count)
	for i := range numbers {
		numbers[i] = num(first + i)
	}
	return numbers
}

func TestPlanLedger_concurrentClaims(t *testing.T) {
	t.Run("at capacity all pass", func(t *testing.T) {
		t.Parallel()
		p := newFakePortal(150)
		p.addNumbers(1000, 150)
		for i, diags := range planConcurrently(t, newPlanLedger(p), numbersFrom(1000, 150)) {
			if diags.HasError() {
				t.Errorf("claim of %s: %s", num(1000+i), describe(diags))
			}
		}
	})

	// Claims made at once: the first that does not fit is the plan's one
	// refusal, and it waits for the others to state the whole plan's need.
	t.Run("over capacity one claim fails, counting all", func(t *testing.T) {
		t.Parallel()
		p := newFakePortal(150)
		p.addNumbers(1000, 200)
		const want = "Could not plan callingportal_number_assignment: this plan needs 200 new stations; site demo has 150 available (7 in use of 157 purchased)"
		failed := 0
		for i, diags := range planConcurrently(t, newTestLedger(p, 200*time.Millisecond), numbersFrom(1000, 200)) {
			if !diags.HasError() {
				continue
			}
			failed++
			// The refusal may be the last claim made, which then waits
			// alone and says the plan may need more.
			if len(diags) != 1 || diags[0].Summary() != "No stations available" ||
				diags[0].Detail() != want && diags[0].Detail() != want+partialCount {
				t.Errorf("claim of %s: %s\nwant one %q", num(1000+i), describe(diags), want)
			}
		}
		if failed != 1 {
			t.Errorf("%d claims failed, want 1", failed)
		}
	})

	t.Run("one number is claimed once", func(t *testing.T) {
		t.Parallel()
		p := newFakePortal(150)
		same := make([]string, 50)
		for i := range same {
			same[i] = num(150)
		}
		passed := 0
		for _, diags := range planConcurrently(t, newPlanLedger(p), same) {
			switch {
			case !diags.HasError():
				passed++
			case len(diags) != 1 || diags[0].Summary() != "Number claimed twice in this plan":
				t.Errorf("claim: %s, want it claimed twice", describe(diags))
			}
		}
		if passed != 1 {
			t.Errorf("%d of 50 claims of one number passed, want 1", passed)
		}
	})
}

// TestPlanLedger_concurrentApply plans 150 creates at capacity, then
// applies them as Terraform does with its default parallelism of 10, each
// re-planned just before its create in the ledger of the applying process:
// the apply must reject none of what the plan passed.
func TestPlanLedger_concurrentApply(t *testing.T) {
	p := newFakePortal(150)
	p.addNumbers(1000, 150)
	numbers := numbersFrom(1000, 150)
	for i, diags := range planConcurrently(t, newPlanLedger(p), numbers) {
		if diags.HasError() {
			t.Fatalf("plan of %s: %s", numbers[i], describe(diags))
		}
	}

	l := newPlanLedger(p)
	work := make(chan string)
	var wg sync.WaitGroup
	for range 10 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for number := range work {
				if diags := planNumber(l, create(assignmentType, number)); diags.HasError() {
					t.Errorf("re-plan of %s during apply: %s", number, describe(diags))
					continue
				}
				applied(assignmentType, number).run(t, l, p)
			}
		}()
	}
	withoutDeadlock(t, func() {
		for _, number := range numbers {
			work <- number
		}
		close(work)
		wg.Wait()
	})
	if inv, _ := p.ReadInventory(context.Background()); inv.Available != 0 {
		t.Errorf("inventory after the apply %+v, want every station taken", inv)
	}
}

// TestPlanLedger_createInFlight: a create that has taken a station the
// inventory may or may not show yet is an open claim. A check that passes
// does not wait for it (one slow create must not hold the run back); a
// check that does not fit waits for it to answer before it reads the
// inventory, or it would count that station twice.
func TestPlanLedger_createInFlight(t *testing.T) {
	p := newFakePortal(2)
	l := newPlanLedger(p)
	if diags := planNumber(l, create(assignmentType, num(150))); diags.HasError() {
		t.Fatalf("re-plan of the first create: %s", describe(diags))
	}
	done := l.taking(num(150))
	if err := p.create(num(150), contract.TargetService, "svc_after"); err != nil {
		t.Fatal(err)
	}

	withoutDeadlock(t, func() {
		if diags := planNumber(l, create(assignmentType, num(151))); diags.HasError() {
			t.Errorf("re-plan of the second create while the first is in flight: %s", describe(diags))
		}
	})

	counted := make(chan struct{}, 1)
	p.onInventory = func() { counted <- struct{}{} }
	third := make(chan diag.Diagnostics)
	go func() { third <- planNumber(l, create(assignmentType, num(152))) }()
	select {
	case <-counted:
		t.Error("a check read the inventory while a create was in flight")
	case <-time.After(100 * time.Millisecond):
	}
	done(true)
	select {
	case diags := <-third:
		const want = "Could not plan callingportal_number_assignment: this plan needs 2 new stations; site demo has 1 available (8 in use of 9 purchased)" + partialCount
		if len(diags) != 1 || diags[0].Detail() != want {
			t.Errorf("re-plan of a third create: %s\nwant %q", describe(diags), want)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the check still waits after the create answered")
	}
}

// TestPlanLedger_refusalWaitsForThePlan: Terraform plans the other
// resources while the refusing one waits; the refusal counts what they
// claim and destroy, and they pass.
func TestPlanLedger_refusalWaitsForThePlan(t *testing.T) {
	p := newFakePortal(1)
	l := newTestLedger(p, 300*time.Millisecond)
	create(assignmentType, num(150)).run(t, l, p)
	refusal := make(chan diag.Diagnostics)
	go func() { refusal <- planNumber(l, create(assignmentType, num(151))) }()
	time.Sleep(50 * time.Millisecond)
	withoutDeadlock(t, func() {
		create(userType, num(152)).run(t, l, p)
		removed(num(141)).run(t, l, p)
	})
	const want = "Could not plan callingportal_number_assignment: this plan needs 3 new stations; site demo has 1 available (7 in use of 8 purchased). " +
		"The plan also destroys resources that free 1 station, but Terraform may create before it destroys, so they are not counted: " +
		"apply the removals first (terraform apply -target=ADDRESS for each removed resource), then the rest"
	select {
	case diags := <-refusal:
		if len(diags) != 1 || diags[0].Detail() != want {
			t.Errorf("refusal: %s\nwant %q", describe(diags), want)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the refusal still waits")
	}
}

// uniqueStep is one plan or Read of a unique value through the ledger.
type uniqueStep struct {
	claim          uniqueClaim
	planned, prior types.String
	read           bool   // a Read that finds the value held by claim.self
	gone           string // before the step, the portal deletes this holder
	summary        string // the error the step must fail with, "" for none
	detail         string
}

// newValue is a create (or, with self and prior, an update) that plans
// value for field on a resource of type owner whose key is key.
func newValue(owner, field, value, key string) uniqueStep {
	attr := path.Root(field)
	return uniqueStep{claim: uniqueClaim{attr: attr, field: field, owner: owner, key: key}, planned: types.StringValue(value), prior: types.StringNull()}
}

func (s uniqueStep) from(self, prior string, replacing bool) uniqueStep {
	s.claim.self, s.prior, s.claim.replacing = self, types.StringValue(prior), replacing
	return s
}

func (s uniqueStep) failing(summary, detail string) uniqueStep {
	s.summary, s.detail = summary, detail
	return s
}

func readValue(field, value, id, key string) uniqueStep {
	return uniqueStep{claim: uniqueClaim{field: field, self: id, key: key}, planned: types.StringValue(value), read: true}
}

func TestPlanLedger_unique(t *testing.T) {
	const (
		phoneType   = "callingportal_phone"
		serviceType = "callingportal_service"
		conflicts   = "Conflicts with the portal"
	)
	for _, tc := range []struct {
		name  string
		steps []uniqueStep
		lists int // holder lists read, when the case is about it
	}{
		{
			name: "an email claimed twice in any case",
			steps: []uniqueStep{
				newValue(userType, "email", "grace@example.com", num(150)),
				newValue(userType, "email", "GRACE@example.com", num(151)).failing("Email claimed twice in this plan",
					"Could not plan callingportal_user: email GRACE@example.com is also claimed by a callingportal_user resource in this plan; an email belongs to one user only."),
			},
			lists: 1,
		},
		{
			name: "an email a user of the portal has, in any case",
			steps: []uniqueStep{
				newValue(userType, "email", "ADA.Lovelace@example.com", num(150)).failing(conflicts,
					`Could not plan callingportal_user: email "ADA.Lovelace@example.com" is already used by user Ada Lovelace <ada.lovelace@example.com> (usr_ada)`),
			},
		},
		{
			name: "an extension a user, phone or service has",
			steps: []uniqueStep{
				newValue(phoneType, "extension", "201", "desk").failing(conflicts,
					`Could not plan callingportal_phone: extension "201" is already used by user Ada Lovelace <ada.lovelace@example.com> (usr_ada)`),
				newValue(userType, "extension", "100", num(150)).failing(conflicts,
					`Could not plan callingportal_user: extension "100" is already used by phone "Lobby Phone" (ph_lobby)`),
				newValue(serviceType, "extension", "300", "queue").failing(conflicts,
					`Could not plan callingportal_service: extension "300" is already used by service "After Hours" (svc_after)`),
			},
			lists: 3,
		},
		{
			name: "an extension claimed by a user and a phone of the plan",
			steps: []uniqueStep{
				newValue(userType, "extension", "401", num(150)),
				newValue(phoneType, "extension", "401", "desk").failing("Extension claimed twice in this plan",
					"Could not plan callingportal_phone: extension 401 is also claimed by a callingportal_user resource in this plan; an extension rings one user, phone or service only."),
			},
		},
		{
			name: "a holder deleted since the picture no longer holds the value",
			steps: []uniqueStep{
				newValue(userType, "email", "grace@example.com", num(150)),
				func() uniqueStep {
					s := newValue(userType, "email", "ada.lovelace@example.com", num(151))
					s.gone = "usr_ada"
					return s
				}(),
			},
		},
		{
			// Terraform plans a tainted or -replace'd user as a create with
			// no prior state: it repeats the user's number and takes its
			// email back, once.
			name: "a replacement takes back its own email, once",
			steps: []uniqueStep{
				readValue("email", "Jane.Doe@example.com", "usr_jane", num(140)),
				newValue(userType, "email", "jane.doe@example.com", num(140)),
				newValue(userType, "email", "jane.doe@example.com", num(140)).failing(conflicts,
					`Could not plan callingportal_user: email "jane.doe@example.com" is already used by user Jane Doe <Jane.Doe@example.com> (usr_jane)`),
			},
		},
		{
			name: "a new user with the email of a user of the run that keeps it",
			steps: []uniqueStep{
				newValue(userType, "email", "Jane.Doe@example.com", num(140)).from("usr_jane", "Jane.Doe@example.com", false),
				newValue(userType, "email", "JANE.DOE@example.com", num(150)).failing(conflicts,
					`Could not plan callingportal_user: email "JANE.DOE@example.com" is already used by user Jane Doe <Jane.Doe@example.com> (usr_jane)`),
			},
		},
		{
			name: "updates: a respelling is no claim, a free email passes, another's fails",
			steps: []uniqueStep{
				newValue(userType, "email", "jane.doe@EXAMPLE.com", num(140)).from("usr_jane", "Jane.Doe@example.com", false),
				newValue(userType, "email", "jane@example.com", num(140)).from("usr_jane", "Jane.Doe@example.com", false),
				newValue(userType, "email", "ada.lovelace@example.com", num(140)).from("usr_jane", "Jane.Doe@example.com", false).failing(conflicts,
					`Could not plan callingportal_user: email "ada.lovelace@example.com" is already used by user Ada Lovelace <ada.lovelace@example.com> (usr_ada)`),
			},
			lists: 1,
		},
		{
			name: "a replacement's second plan folds into it",
			steps: []uniqueStep{
				newValue(userType, "extension", "402", num(150)).from("usr_jane", "401", true),
				newValue(userType, "extension", "402", num(150)),
				newValue(userType, "extension", "402", num(151)).failing("Extension claimed twice in this plan",
					"Could not plan callingportal_user: extension 402 is also claimed by a callingportal_user resource in this plan; an extension rings one user, phone or service only."),
			},
		},
		{
			name: "unknown and empty values are no claims",
			steps: []uniqueStep{
				{claim: uniqueClaim{field: "email", owner: userType}, planned: types.StringUnknown(), prior: types.StringNull()},
				{claim: uniqueClaim{field: "extension", owner: userType}, planned: types.StringNull(), prior: types.StringNull()},
			},
			lists: 0,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			p := newFakePortal(2)
			l := newTestLedger(p, time.Millisecond)
			for _, s := range tc.steps {
				if s.gone != "" {
					p.mu.Lock()
					delete(p.holders, s.gone)
					p.mu.Unlock()
				}
				if s.read {
					l.holdingUnique(s.claim.field, s.planned.ValueString(), s.claim.self, s.claim.key)
					continue
				}
				var diags diag.Diagnostics
				l.checkPlannedUnique(context.Background(), s.claim, s.planned, s.prior, &diags)
				var want diag.Diagnostics
				if s.summary != "" {
					want.AddAttributeError(s.claim.attr, s.summary, s.detail)
				}
				if !diags.Equal(want) {
					t.Errorf("plan %s %s %s: %s\nwant %s", s.claim.owner, s.claim.field, s.planned, describe(diags), describe(want))
				}
			}
			p.mu.Lock()
			defer p.mu.Unlock()
			if tc.lists != 0 && p.holderLists != tc.lists || tc.name == "unknown and empty values are no claims" && p.holderLists != 0 {
				t.Errorf("%d holder lists read, want %d", p.holderLists, tc.lists)
			}
		})
	}
}
