// Package storetest is the conformance suite every portal.Store must pass.
// It runs each rule of package portal through Store.UpdateSite against a
// real store (Store.Update where a write spans sites), so a store is only done when the rules hold on it, including under
// concurrent writers.
package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
	"github.com/callingportal/terraform-provider-callingportal/internal/server/replay"
)

// Run runs the suite. open must return a new, empty store and close it when
// the test ends (t.Cleanup). Subtests run in parallel, each on its own store.
//
// Stores must give times back as they were stored, in UTC, so that a value
// read back compares == with the value written.
func Run(t *testing.T, open func(t *testing.T) portal.Store) {
	tests := []struct {
		name string
		test func(*testing.T, func(*testing.T) portal.Store)
	}{
		{"Sites", testSites},
		{"Inventory", testInventory},
		{"CreateUserTakesStationAndNumber", testCreateUser},
		{"UserInputValidated", testUserValidation},
		{"UserNumberLocked", testUserNumberLocked},
		{"DeleteUserFreesNumberAndStation", testDeleteUser},
		{"TargetNumbersMoveAndUnassign", testMoveAndUnassign},
		{"NoStationsAvailable", testNoStations},
		{"MustBeAvailable", testMustBeAvailable},
		{"UserEmailAndExtensionUnique", testUserUniqueness},
		{"EmailsMatchInAnyCase", testEmailCase},
		{"NumbersStoredCanonical", testCanonicalNumbers},
		{"InvalidNumbers", testInvalidNumbers},
		{"StaleIfMatch", testStaleIfMatch},
		{"DeleteTargetHoldingNumbers", testDeleteTarget},
		{"PhonesAndServices", testTargets},
		{"TargetUniqueness", testTargetUniqueness},
		{"RetriedWritesAreSafe", testRetriedWrites},
		{"StationsPurchasedFloor", testStationsFloor},
		{"LockedSiteReadsItsOwnWrite", testLockedSiteReadsItsOwnWrite},
		{"Tokens", testTokens},
		{"Idempotency", testIdempotency},
		{"ListNumbers", testListNumbers},
		{"NumberRuns", testNumberRuns},
		{"ListPages", testListPages},
		{"ConcurrentAssignments", testConcurrentAssignments},
		{"RollbackOnError", testRollbackOnError},
		{"RollbackOnPanic", testRollbackOnPanic},
		{"WritesOfASiteShareOneCommit", testWritesOfASiteShareOneCommit},
		{"ViewIsReadOnly", testViewReadOnly},
		{"ViewDoesNotWaitForWriter", testViewDoesNotWaitForWriter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.test(t, open)
		})
	}
}

// site is the site every fixture sets up.
const site = "s1"

// num returns the i-th test number, "+13125550100" for 0; all are valid US
// numbers in E.164.
func num(i int) string { return fmt.Sprintf("+1312555%04d", 100+i) }

func nums(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = num(i)
	}
	return out
}

// fixture is a store with site s1 and helpers that run rules on it.
type fixture struct {
	t     *testing.T
	store portal.Store
}

func newFixture(t *testing.T, open func(*testing.T) portal.Store, stations int, numbers ...string) *fixture {
	t.Helper()
	f := &fixture{t: t, store: open(t)}
	must(t, f.store.Update(t.Context(), func(tx portal.Tx) error {
		if _, err := portal.CreateSite(tx, contract.Site{ID: site, StationsPurchased: stations}); err != nil {
			return err
		}
		_, err := portal.AddNumbers(tx, site, numbers)
		return err
	}))
	return f
}

// update runs a rule in one UpdateSite of the fixture's site and returns its
// result.
func update[T any](f *fixture, rule func(portal.Tx) (T, error)) (T, error) {
	var out T
	err := f.store.UpdateSite(f.t.Context(), site, func(tx portal.Tx) error {
		var err error
		out, err = rule(tx)
		return err
	})
	return out, err
}

// view reads in one View and fails the test on error.
func view[T any](f *fixture, read func(portal.Tx) (T, error)) T {
	f.t.Helper()
	var out T
	must(f.t, f.store.View(f.t.Context(), func(tx portal.Tx) error {
		var err error
		out, err = read(tx)
		return err
	}))
	return out
}

func (f *fixture) createUser(email, first, last, number, ext string) (contract.User, error) {
	return update(f, func(tx portal.Tx) (contract.User, error) {
		return portal.CreateUser(tx, site, contract.UserInput{
			Email: &email, FirstName: &first, LastName: &last, PhoneNumber: &number, Extension: &ext})
	})
}

func (f *fixture) mustUser(email, first, last, number, ext string) contract.User {
	f.t.Helper()
	u, err := f.createUser(email, first, last, number, ext)
	must(f.t, err)
	return u
}

func (f *fixture) updateUser(id string, in contract.UserInput, c portal.Condition) (contract.User, error) {
	return update(f, func(tx portal.Tx) (contract.User, error) { return portal.UpdateUser(tx, site, id, in, c) })
}

func (f *fixture) phone(name string) contract.Target {
	f.t.Helper()
	ph, err := update(f, func(tx portal.Tx) (contract.Phone, error) {
		return portal.CreatePhone(tx, site, contract.PhoneInput{TargetInput: contract.TargetInput{Name: new(name)}, Model: new("T54W")})
	})
	must(f.t, err)
	return contract.Target{Type: contract.TargetPhone, ID: ph.ID}
}

func (f *fixture) service(name string) contract.Target {
	f.t.Helper()
	s, err := update(f, func(tx portal.Tx) (contract.Service, error) {
		return portal.CreateService(tx, site, contract.ServiceInput{TargetInput: contract.TargetInput{Name: new(name)}, Type: new("hunt_group")})
	})
	must(f.t, err)
	return contract.Target{Type: contract.TargetService, ID: s.ID}
}

func (f *fixture) assign(number string, to contract.Target, c portal.Condition) (contract.Number, error) {
	return f.wantAsStored(update(f, func(tx portal.Tx) (contract.Number, error) { return portal.AssignNumber(tx, site, number, to, c) }))
}

// wantAsStored checks that a number a write returned is the number the
// store then holds, holder's name, version and time included: rules return
// what they wrote without reading it back.
func (f *fixture) wantAsStored(n contract.Number, err error) (contract.Number, error) {
	f.t.Helper()
	if err == nil {
		if stored := f.number(n.Number); !reflect.DeepEqual(n, stored) {
			f.t.Errorf("the write returned %+v, the store holds %+v", n, stored)
		}
	}
	return n, err
}

func (f *fixture) mustAssign(number string, to contract.Target) contract.Number {
	f.t.Helper()
	n, err := f.assign(number, to, portal.Condition{})
	must(f.t, err)
	return n
}

func (f *fixture) unassign(number string, c portal.Condition) (contract.Number, error) {
	return f.wantAsStored(update(f, func(tx portal.Tx) (contract.Number, error) { return portal.UnassignNumber(tx, site, number, c) }))
}

func (f *fixture) deleteTarget(t contract.Target) error {
	return f.store.Update(f.t.Context(), func(tx portal.Tx) error { return portal.DeleteTarget(tx, site, t) })
}

func (f *fixture) number(number string) contract.Number {
	f.t.Helper()
	return view(f, func(tx portal.Tx) (contract.Number, error) { return tx.GetNumber(site, number) })
}

func (f *fixture) numbers(filter contract.NumberFilter, p portal.Page) []contract.Number {
	f.t.Helper()
	return view(f, func(tx portal.Tx) ([]contract.Number, error) { return tx.ListNumbers(site, filter, p) })
}

// wantInventory checks the station counts, and that In Use is the number of
// assigned numbers the store actually holds.
func (f *fixture) wantInventory(total, inUse int) {
	f.t.Helper()
	inv := view(f, func(tx portal.Tx) (contract.Inventory, error) { return portal.GetInventory(tx, site) })
	want := contract.Inventory{Site: site, Total: total, InUse: inUse, Available: total - inUse}
	if inv != want {
		f.t.Fatalf("inventory = %+v, want %+v", inv, want)
	}
	if assigned := f.numbers(contract.NumberFilter{Status: contract.StatusAssigned}, portal.Page{}); len(assigned) != inUse {
		f.t.Fatalf("%d numbers assigned, inventory says %d in use", len(assigned), inUse)
	}
}

// wantHolder checks who holds a number; an empty holder means available.
func (f *fixture) wantHolder(number string, holder contract.Target, name string) contract.Number {
	f.t.Helper()
	n := f.number(number)
	status := contract.StatusAssigned
	if holder == (contract.Target{}) {
		status = contract.StatusAvailable
	}
	if n.Status != status || n.AssignedType != holder.Type || n.AssignedID != holder.ID || n.AssignedName != name {
		f.t.Fatalf("number %s = %s %s %q %q, want %s %s %q %q", number,
			n.Status, n.AssignedType, n.AssignedID, n.AssignedName, status, holder.Type, holder.ID, name)
	}
	return n
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// wantErr checks that err matches target and that its message holds every
// one of parts.
func wantErr(t *testing.T, err, target error, parts ...string) {
	t.Helper()
	if !errors.Is(err, target) {
		t.Fatalf("error = %v (code %s), want code %s", err, contract.CodeOf(err), contract.CodeOf(target))
	}
	for _, p := range parts {
		if !strings.Contains(err.Error(), p) {
			t.Errorf("error %q does not mention %q", err, p)
		}
	}
}

func wantEqual[T comparable](t *testing.T, what string, got, want T) {
	t.Helper()
	if got != want {
		t.Fatalf("%s = %+v, want %+v", what, got, want)
	}
}

func testSites(t *testing.T, open func(*testing.T) portal.Store) {
	f := newFixture(t, open, 3)
	created, err := update(f, func(tx portal.Tx) (contract.Site, error) {
		return portal.CreateSite(tx, contract.Site{ID: "b-site", Name: "Branch", StationsPurchased: 7})
	})
	must(t, err)
	if created.Version != 1 || created.CreatedAt.IsZero() || created.CreatedAt.Location() != time.UTC {
		t.Fatalf("created site = %+v, want version 1 and a UTC creation time", created)
	}
	wantEqual(t, "site read back", view(f, func(tx portal.Tx) (contract.Site, error) { return tx.GetSite("b-site") }), created)

	// Times round-trip to the nanosecond whatever their zone.
	at := time.Date(2024, 2, 29, 23, 59, 59, 123456789, time.FixedZone("CET", 3600))
	must(t, f.store.Update(t.Context(), func(tx portal.Tx) error {
		return tx.PutSite(contract.Site{ID: "a-site", Name: "a-site", Version: 4, CreatedAt: at})
	}))
	a := view(f, func(tx portal.Tx) (contract.Site, error) { return tx.GetSite("a-site") })
	wantEqual(t, "site read back", a, contract.Site{ID: "a-site", Name: "a-site", Version: 4, CreatedAt: at.UTC()})

	sites := view(f, func(tx portal.Tx) ([]contract.Site, error) { return tx.ListSites() })
	var ids []string
	for _, s := range sites {
		ids = append(ids, s.ID)
	}
	if !slices.Equal(ids, []string{"a-site", "b-site", site}) {
		t.Fatalf("ListSites = %v, want a-site, b-site, s1 in ID order", ids)
	}

	_, err = update(f, func(tx portal.Tx) (contract.Site, error) { return portal.CreateSite(tx, contract.Site{ID: site}) })
	wantErr(t, err, contract.ErrConflict, `site "s1" already exists`)
	for _, bad := range []contract.Site{{ID: "S 1"}, {ID: "x"}, {ID: "ok-id", StationsPurchased: -1}} {
		_, err = update(f, func(tx portal.Tx) (contract.Site, error) { return portal.CreateSite(tx, bad) })
		wantErr(t, err, contract.ErrValidationFailed)
	}

	err = f.store.View(t.Context(), func(tx portal.Tx) error { _, err := tx.GetSite("nope"); return err })
	wantErr(t, err, contract.ErrNotFound, `site "nope" not found`)
	err = f.store.Update(t.Context(), func(tx portal.Tx) error { _, err := tx.LockSite("nope"); return err })
	wantErr(t, err, contract.ErrNotFound, `site "nope" not found`)
	_, err = update(f, func(tx portal.Tx) ([]contract.Number, error) { return portal.AddNumbers(tx, "nope", []string{num(0)}) })
	wantErr(t, err, contract.ErrNotFound)
}

func testInventory(t *testing.T, open func(*testing.T) portal.Store) {
	f := newFixture(t, open, 5, nums(6)...)
	f.wantInventory(5, 0)
	f.mustUser("jane@example.com", "Jane", "Doe", num(0), "")
	f.wantInventory(5, 1)
	desk, queue := f.phone("Desk 1"), f.service("Queue")
	f.mustAssign(num(1), desk)
	f.mustAssign(num(2), queue)
	f.wantInventory(5, 3)
	_, err := f.unassign(num(1), portal.Condition{})
	must(t, err)
	f.wantInventory(5, 2)
}

func testCreateUser(t *testing.T, open func(*testing.T) portal.Store) {
	f := newFixture(t, open, 2, nums(2)...)
	u, err := update(f, func(tx portal.Tx) (contract.User, error) {
		return portal.CreateUser(tx, site, contract.UserInput{Email: new("jane@example.com"), FirstName: new("Jane"),
			LastName: new("Doe"), PhoneNumber: new("+1 (312) 555-0100"), Extension: new("100"), VoicemailPIN: new("4321")})
	})
	must(t, err)
	if u.PhoneNumber != num(0) || u.Version != 1 || !u.VoicemailPINSet {
		t.Fatalf("created user = %+v", u)
	}
	hash := view(f, func(tx portal.Tx) (string, error) { return tx.VoicemailPINHash(site, u.ID) })
	if !portal.PINMatches(hash, "4321") || portal.PINMatches(hash, "4322") {
		t.Fatalf("stored PIN hash %q does not verify the PIN as it should", hash)
	}
	wantEqual(t, "user read back", view(f, func(tx portal.Tx) (contract.User, error) { return tx.GetUser(site, u.ID) }), u)
	for field, value := range map[string]string{"email": u.Email, "extension": "100", "phone_number": num(0)} {
		got := view(f, func(tx portal.Tx) (contract.User, error) { return tx.FindUser(site, field, value) })
		wantEqual(t, "user found by "+field, got, u)
	}
	n := f.wantHolder(num(0), contract.Target{Type: contract.TargetUser, ID: u.ID}, "Jane Doe")
	wantEqual(t, "number version", n.Version, 2)
	f.wantInventory(2, 1)

	// A user without a PIN has none set.
	bob := f.mustUser("bob@example.com", "Bob", "Roe", num(1), "")
	if bob.VoicemailPINSet || bob.Extension != "" {
		t.Fatalf("user without PIN or extension = %+v", bob)
	}
	f.wantInventory(2, 2)
}

func testUserValidation(t *testing.T, open func(*testing.T) portal.Store) {
	f := newFixture(t, open, 2, nums(1)...)
	ok := contract.UserInput{Email: new("jane@example.com"), FirstName: new("Jane"), LastName: new("Doe"), PhoneNumber: new(num(0))}
	for _, tc := range []struct {
		name   string
		mutate func(*contract.UserInput)
		want   error
		says   string
	}{
		{"no email", func(in *contract.UserInput) { in.Email = nil }, contract.ErrValidationFailed, "email: is required"},
		{"no first name", func(in *contract.UserInput) { in.FirstName = nil }, contract.ErrValidationFailed, "first_name: is required"},
		{"no number", func(in *contract.UserInput) { in.PhoneNumber = nil }, contract.ErrValidationFailed, "phone_number: is required"},
		{"nothing", func(in *contract.UserInput) { *in = contract.UserInput{} }, contract.ErrValidationFailed, "email: is required"},
		{"bad email", func(in *contract.UserInput) { in.Email = new("Jane <jane@example.com>") }, contract.ErrValidationFailed, "email:"},
		{"blank name", func(in *contract.UserInput) { in.LastName = new("  ") }, contract.ErrValidationFailed, "last_name:"},
		{"bad extension", func(in *contract.UserInput) { in.Extension = new("1") }, contract.ErrValidationFailed, "extension:"},
		{"bad PIN", func(in *contract.UserInput) { in.VoicemailPIN = new("12") }, contract.ErrValidationFailed, "voicemail_pin:"},
		{"bad number", func(in *contract.UserInput) { in.PhoneNumber = new("3125550100") }, contract.ErrValidationFailed, "number:"},
		{"number of no pool", func(in *contract.UserInput) { in.PhoneNumber = new("+14155550100") }, contract.ErrNotFound, "not in the number pool"},
	} {
		in := ok
		tc.mutate(&in)
		_, err := update(f, func(tx portal.Tx) (contract.User, error) { return portal.CreateUser(tx, site, in) })
		if !errors.Is(err, tc.want) || !strings.Contains(fmt.Sprint(err), tc.says) {
			t.Errorf("%s: error = %v (code %s), want %s saying %q", tc.name, err, contract.CodeOf(err), contract.CodeOf(tc.want), tc.says)
		}
	}
	f.wantInventory(2, 0)
	_, err := update(f, func(tx portal.Tx) (contract.User, error) { return portal.CreateUser(tx, "nope", ok) })
	wantErr(t, err, contract.ErrNotFound)
}

func testUserNumberLocked(t *testing.T, open func(*testing.T) portal.Store) {
	f := newFixture(t, open, 5, nums(3)...)
	u := f.mustUser("jane@example.com", "Jane", "Doe", num(0), "")
	desk, queue := f.phone("Desk 1"), f.service("Queue")
	before := f.number(num(0))

	_, err := f.assign(num(0), desk, portal.Condition{})
	wantErr(t, err, contract.ErrUserNumberLocked, "Jane Doe", u.ID, num(0))
	_, err = f.assign(num(0), queue, portal.Condition{MustBeAvailable: true})
	wantErr(t, err, contract.ErrUserNumberLocked, "Jane Doe", u.ID)
	_, err = f.unassign(num(0), portal.Condition{})
	wantErr(t, err, contract.ErrUserNumberLocked, "Jane Doe", u.ID)
	_, err = f.createUser("bob@example.com", "Bob", "Roe", num(0), "")
	wantErr(t, err, contract.ErrUserNumberLocked, "Jane Doe", u.ID)
	_, err = f.updateUser(u.ID, contract.UserInput{PhoneNumber: new(num(1))}, portal.Condition{})
	wantErr(t, err, contract.ErrUserNumberLocked, "Jane Doe", num(0))

	// The same number in another spelling is no change.
	_, err = f.updateUser(u.ID, contract.UserInput{PhoneNumber: new("+1 312-555-0100"), FirstName: new("Janet")}, portal.Condition{})
	must(t, err)
	wantEqual(t, "number version", f.number(num(0)).Version, before.Version)
	f.wantHolder(num(0), contract.Target{Type: contract.TargetUser, ID: u.ID}, "Janet Doe")
	f.wantInventory(5, 1)
}

func testDeleteUser(t *testing.T, open func(*testing.T) portal.Store) {
	f := newFixture(t, open, 1, nums(1)...)
	u := f.mustUser("jane@example.com", "Jane", "Doe", num(0), "100")
	f.wantInventory(1, 1)

	must(t, f.store.Update(t.Context(), func(tx portal.Tx) error { return portal.DeleteUser(tx, site, u.ID, portal.Condition{}) }))
	f.wantHolder(num(0), contract.Target{}, "")
	f.wantInventory(1, 0)
	err := f.store.View(t.Context(), func(tx portal.Tx) error { _, err := tx.GetUser(site, u.ID); return err })
	wantErr(t, err, contract.ErrNotFound, u.ID)
	err = f.store.View(t.Context(), func(tx portal.Tx) error { _, err := tx.FindUser(site, "email", u.Email); return err })
	wantErr(t, err, contract.ErrNotFound)
	err = f.store.Update(t.Context(), func(tx portal.Tx) error { return portal.DeleteUser(tx, site, u.ID, portal.Condition{}) })
	wantErr(t, err, contract.ErrNotFound)

	// Number, station, email and extension are all free again.
	again := f.mustUser("jane@example.com", "Jane", "Doe", num(0), "100")
	f.wantHolder(num(0), contract.Target{Type: contract.TargetUser, ID: again.ID}, "Jane Doe")
	f.wantInventory(1, 1)
}

func testMoveAndUnassign(t *testing.T, open func(*testing.T) portal.Store) {
	f := newFixture(t, open, 1, nums(2)...)
	desk, queue := f.phone("Desk 1"), f.service("Main Queue")

	n := f.mustAssign("+1 312 555 0100", desk)
	wantEqual(t, "assigned number", n.Number, num(0))
	wantEqual(t, "holder name", n.AssignedName, "Desk 1")
	f.wantInventory(1, 1)

	// Moving takes no station, though none is left.
	moved := f.mustAssign(num(0), queue)
	wantEqual(t, "version after move", moved.Version, n.Version+1)
	f.wantHolder(num(0), queue, "Main Queue")
	f.wantInventory(1, 1)

	// Assigning to the holder again changes nothing.
	same := f.mustAssign(num(0), queue)
	wantEqual(t, "version after no-op", same.Version, moved.Version)

	freed, err := f.unassign(num(0), portal.Condition{})
	must(t, err)
	if freed.Status != contract.StatusAvailable || freed.AssignedType != "" || freed.AssignedID != "" || freed.AssignedName != "" {
		t.Fatalf("unassigned number = %+v", freed)
	}
	f.wantInventory(1, 0)
	again, err := f.unassign(num(0), portal.Condition{})
	must(t, err)
	wantEqual(t, "version after unassigning an available number", again.Version, freed.Version)

	// The freed station serves another number.
	f.mustAssign(num(1), desk)
	f.wantInventory(1, 1)

	_, err = f.assign(num(0), contract.Target{Type: contract.TargetPhone, ID: "ph_missing"}, portal.Condition{})
	wantErr(t, err, contract.ErrValidationFailed, "ph_missing")
	_, err = f.assign(num(0), contract.Target{Type: contract.TargetUser, ID: "usr_x"}, portal.Condition{})
	wantErr(t, err, contract.ErrValidationFailed)
}

func testNoStations(t *testing.T, open func(*testing.T) portal.Store) {
	f := newFixture(t, open, 2, nums(3)...)
	desk, queue := f.phone("Desk 1"), f.service("Queue")
	f.mustAssign(num(0), desk)
	f.mustAssign(num(1), queue)

	_, err := f.assign(num(2), desk, portal.Condition{})
	wantErr(t, err, contract.ErrNoStationsAvailable,
		"this change needs 1 new station; site s1 has 0 available (2 in use of 2 purchased)")
	var perr *contract.Error
	if errors.As(err, &perr) {
		wantEqual(t, "details", fmt.Sprint(perr.Details), fmt.Sprint(map[string]any{
			"needed": 1, "site": site, "available": 0, "in_use": 2, "total": 2}))
	}
	_, err = f.createUser("jane@example.com", "Jane", "Doe", num(2), "")
	wantErr(t, err, contract.ErrNoStationsAvailable, "2 in use of 2 purchased")
	err = f.store.View(t.Context(), func(tx portal.Tx) error { _, err := tx.FindUser(site, "email", "jane@example.com"); return err })
	wantErr(t, err, contract.ErrNotFound)
	f.wantHolder(num(2), contract.Target{}, "")
	f.wantInventory(2, 2)
}

func testMustBeAvailable(t *testing.T, open func(*testing.T) portal.Store) {
	f := newFixture(t, open, 3, nums(2)...)
	desk, queue := f.phone("Desk 1"), f.service("Queue")
	f.mustAssign(num(0), desk)

	_, err := f.assign(num(0), queue, portal.Condition{MustBeAvailable: true})
	wantErr(t, err, contract.ErrNumberUnavailable, num(0), `phone "Desk 1"`, desk.ID)
	f.wantHolder(num(0), desk, "Desk 1")

	_, err = f.assign(num(1), queue, portal.Condition{MustBeAvailable: true})
	must(t, err)
	f.wantHolder(num(1), queue, "Queue")
	f.wantInventory(3, 2)
}

func testUserUniqueness(t *testing.T, open func(*testing.T) portal.Store) {
	f := newFixture(t, open, 10, nums(6)...)
	jane := f.mustUser("jane@example.com", "Jane", "Doe", num(0), "100")

	_, err := f.createUser("jane@example.com", "Bob", "Roe", num(1), "")
	wantErr(t, err, contract.ErrConflict, "jane@example.com", jane.ID)
	_, err = f.createUser("bob@example.com", "Bob", "Roe", num(1), "100")
	wantErr(t, err, contract.ErrConflict, `"100"`, jane.ID)
	f.wantInventory(10, 1)

	// Users without an extension do not clash.
	bob := f.mustUser("bob@example.com", "Bob", "Roe", num(1), "")
	f.mustUser("carol@example.com", "Carol", "Poe", num(2), "")

	_, err = f.updateUser(bob.ID, contract.UserInput{Email: new("jane@example.com")}, portal.Condition{})
	wantErr(t, err, contract.ErrConflict, jane.ID)
	_, err = f.updateUser(bob.ID, contract.UserInput{Extension: new("100")}, portal.Condition{})
	wantErr(t, err, contract.ErrConflict, jane.ID)
	// A user does not clash with itself.
	_, err = f.updateUser(jane.ID, contract.UserInput{Email: new("jane@example.com"), Extension: new("100")}, portal.Condition{})
	must(t, err)
	// A freed extension can be taken.
	_, err = f.updateUser(jane.ID, contract.UserInput{Extension: new("")}, portal.Condition{})
	must(t, err)
	bob, err = f.updateUser(bob.ID, contract.UserInput{Extension: new("100")}, portal.Condition{})
	must(t, err)
	wantEqual(t, "bob's extension", bob.Extension, "100")

	// Uniqueness is per site.
	must(t, f.store.Update(t.Context(), func(tx portal.Tx) error {
		if _, err := portal.CreateSite(tx, contract.Site{ID: "s2", StationsPurchased: 1}); err != nil {
			return err
		}
		if _, err := portal.AddNumbers(tx, "s2", []string{num(0)}); err != nil {
			return err
		}
		_, err := portal.CreateUser(tx, "s2", contract.UserInput{Email: new("jane@example.com"), FirstName: new("Jane"),
			LastName: new("Doe"), PhoneNumber: new(num(0)), Extension: new("100")})
		return err
	}))
	f.wantInventory(10, 3)
}

// testEmailCase pins how emails compare: a user keeps the spelling given,
// while uniqueness and lookups fold ASCII letters, and only those, the
// same in every store whatever its locale.
func testEmailCase(t *testing.T, open func(*testing.T) portal.Store) {
	f := newFixture(t, open, 10, nums(6)...)
	ada := f.mustUser("ada.lovelace@example.com", "Ada", "Lovelace", num(0), "")

	_, err := f.createUser("ADA.LOVELACE@example.com", "Ada", "Again", num(1), "")
	wantErr(t, err, contract.ErrConflict, `email "ADA.LOVELACE@example.com" is already used by user Ada Lovelace <ada.lovelace@example.com>`, ada.ID)
	bob := f.mustUser("bob@example.com", "Bob", "Roe", num(1), "")
	_, err = f.updateUser(bob.ID, contract.UserInput{Email: new("Ada.Lovelace@Example.COM")}, portal.Condition{})
	wantErr(t, err, contract.ErrConflict, ada.ID)
	find := func(email string) contract.User {
		t.Helper()
		return view(f, func(tx portal.Tx) (contract.User, error) { return tx.FindUser(site, "email", email) })
	}
	wantEqual(t, "user found by email in another case", find("Ada.Lovelace@EXAMPLE.com"), ada)

	// The store backs the rule up: a second spelling cannot be written.
	err = f.store.Update(t.Context(), func(tx portal.Tx) error {
		u := bob
		u.Email = "ada.LOVELACE@example.com"
		return tx.PutUser(site, u)
	})
	wantErr(t, err, contract.ErrConflict)

	// A user may respell its own email; the new spelling is kept.
	ada, err = f.updateUser(ada.ID, contract.UserInput{Email: new("Ada.Lovelace@example.com")}, portal.Condition{})
	must(t, err)
	wantEqual(t, "respelled email", ada.Email, "Ada.Lovelace@example.com")
	wantEqual(t, "respelled user found by email", find("ada.lovelace@example.com"), ada)

	// Only ASCII letters fold: these are two addresses in every store.
	elodie := f.mustUser("élodie@example.com", "Élodie", "Roux", num(2), "")
	other := f.mustUser("Élodie@example.com", "Élodie", "Blanc", num(3), "")
	wantEqual(t, "élodie found", find("élodie@EXAMPLE.com"), elodie)
	wantEqual(t, "Élodie found", find("Élodie@Example.com"), other)
	f.wantInventory(10, 4)
}

func testCanonicalNumbers(t *testing.T, open func(*testing.T) portal.Store) {
	f := newFixture(t, open, 5)
	spellings := []string{"+1 312 555 0100", "+1 (312) 555-0101", "+1-312-555-0102", "+1.312.555.0103", " +13125550104 "}
	added, err := update(f, func(tx portal.Tx) ([]contract.Number, error) { return portal.AddNumbers(tx, site, spellings) })
	must(t, err)
	var got []string
	for _, n := range f.numbers(contract.NumberFilter{}, portal.Page{}) {
		got = append(got, n.Number)
	}
	if want := nums(5); !slices.Equal(got, want) || len(added) != 5 || added[1].Number != want[1] {
		t.Fatalf("stored numbers = %v (added %v), want %v", got, added, want)
	}

	_, err = update(f, func(tx portal.Tx) ([]contract.Number, error) {
		return portal.AddNumbers(tx, site, []string{"+1 (312) 555-0100"})
	})
	wantErr(t, err, contract.ErrConflict, num(0))

	n := f.mustAssign("+1 (312) 555-0102", f.phone("Desk"))
	wantEqual(t, "assigned number", n.Number, num(2))
	u := f.mustUser("jane@example.com", "Jane", "Doe", "+1.312.555.0103", "")
	wantEqual(t, "user's number", u.PhoneNumber, num(3))
	found := view(f, func(tx portal.Tx) (contract.User, error) { return tx.FindUser(site, "phone_number", num(3)) })
	wantEqual(t, "user found by number", found.ID, u.ID)
}

func testInvalidNumbers(t *testing.T, open func(*testing.T) portal.Store) {
	f := newFixture(t, open, 5, nums(1)...)
	for _, bad := range []string{"3125550101", "+1 555", "call me", "", "+1 312 555 01011"} {
		_, err := update(f, func(tx portal.Tx) ([]contract.Number, error) {
			return portal.AddNumbers(tx, site, []string{num(1), bad})
		})
		wantErr(t, err, contract.ErrValidationFailed, "number")
		_, err = f.assign(bad, f.phone("Desk "+bad), portal.Condition{})
		wantErr(t, err, contract.ErrValidationFailed, "number")
	}
	// The valid number of each rejected batch was not added either.
	if got := f.numbers(contract.NumberFilter{}, portal.Page{}); len(got) != 1 {
		t.Fatalf("pool = %v, want only %s", got, num(0))
	}
	_, err := f.assign(num(1), f.phone("Desk"), portal.Condition{})
	wantErr(t, err, contract.ErrNotFound, "number "+num(1)+" is not in the number pool of site s1")
}

func testStaleIfMatch(t *testing.T, open func(*testing.T) portal.Store) {
	f := newFixture(t, open, 5, nums(2)...)
	desk, queue := f.phone("Desk"), f.service("Queue")

	n := f.number(num(0))
	moved, err := f.assign(num(0), desk, portal.Condition{IfMatch: n.Version})
	must(t, err)
	_, err = f.assign(num(0), queue, portal.Condition{IfMatch: n.Version})
	wantErr(t, err, contract.ErrPreconditionFailed, num(0))
	_, err = f.unassign(num(0), portal.Condition{IfMatch: n.Version})
	wantErr(t, err, contract.ErrPreconditionFailed)
	f.wantHolder(num(0), desk, "Desk")
	_, err = f.unassign(num(0), portal.Condition{IfMatch: moved.Version})
	must(t, err)

	s := view(f, func(tx portal.Tx) (contract.Site, error) { return tx.GetSite(site) })
	setStations := func(total int, ifMatch int64) (contract.Site, error) {
		return update(f, func(tx portal.Tx) (contract.Site, error) {
			return portal.SetStationsPurchased(tx, site, total, portal.Condition{IfMatch: ifMatch})
		})
	}
	s2, err := setStations(6, s.Version)
	must(t, err)
	_, err = setStations(7, s.Version)
	wantErr(t, err, contract.ErrPreconditionFailed, `site "s1"`)
	f.wantInventory(6, 0)
	_, err = setStations(7, s2.Version)
	must(t, err)

	u := f.mustUser("jane@example.com", "Jane", "Doe", num(1), "")
	u2, err := f.updateUser(u.ID, contract.UserInput{FirstName: new("Janet")}, portal.Condition{IfMatch: u.Version})
	must(t, err)
	wantEqual(t, "user version", u2.Version, u.Version+1)
	_, err = f.updateUser(u.ID, contract.UserInput{FirstName: new("Jo")}, portal.Condition{IfMatch: u.Version})
	wantErr(t, err, contract.ErrPreconditionFailed, u.ID)
	err = f.store.Update(t.Context(), func(tx portal.Tx) error {
		return portal.DeleteUser(tx, site, u.ID, portal.Condition{IfMatch: u.Version})
	})
	wantErr(t, err, contract.ErrPreconditionFailed)
	got := view(f, func(tx portal.Tx) (contract.User, error) { return tx.GetUser(site, u.ID) })
	wantEqual(t, "user after stale writes", got, u2)
}

func testDeleteTarget(t *testing.T, open func(*testing.T) portal.Store) {
	f := newFixture(t, open, 5, nums(2)...)
	desk, desk2, queue := f.phone("Desk"), f.phone("Desk 2"), f.service("Queue")
	f.mustAssign(num(0), desk)
	f.mustAssign(num(1), queue)

	wantErr(t, f.deleteTarget(desk), contract.ErrConflict, desk.ID, num(0))
	wantErr(t, f.deleteTarget(queue), contract.ErrConflict, queue.ID, num(1))
	f.wantHolder(num(0), desk, "Desk")

	_, err := f.unassign(num(0), portal.Condition{})
	must(t, err)
	must(t, f.deleteTarget(desk))
	err = f.store.View(t.Context(), func(tx portal.Tx) error { _, err := tx.Phones().Get(site, desk.ID); return err })
	wantErr(t, err, contract.ErrNotFound)
	err = f.store.View(t.Context(), func(tx portal.Tx) error { _, err := tx.Phones().Find(site, "name", "Desk"); return err })
	wantErr(t, err, contract.ErrNotFound)

	f.mustAssign(num(1), desk2)
	must(t, f.deleteTarget(queue))
	err = f.store.View(t.Context(), func(tx portal.Tx) error { _, err := tx.Services().Get(site, queue.ID); return err })
	wantErr(t, err, contract.ErrNotFound)

	// Deleting what is gone is not found, so a retried delete can tell.
	wantErr(t, f.deleteTarget(desk), contract.ErrNotFound)
	wantErr(t, f.deleteTarget(queue), contract.ErrNotFound)
	f.wantInventory(5, 1)

	// Names are unique per site among phones and services.
	_, err = update(f, func(tx portal.Tx) (contract.Phone, error) {
		return portal.CreatePhone(tx, site, contract.PhoneInput{TargetInput: contract.TargetInput{Name: new("Desk 2")}})
	})
	wantErr(t, err, contract.ErrConflict, desk2.ID)
	f.service("Queue") // the deleted service's name is free again
	_, err = update(f, func(tx portal.Tx) (contract.Service, error) {
		return portal.CreateService(tx, site, contract.ServiceInput{TargetInput: contract.TargetInput{Name: new("Queue")}, Type: new("call_queue")})
	})
	wantErr(t, err, contract.ErrConflict)
	_, err = update(f, func(tx portal.Tx) (contract.Service, error) {
		return portal.CreateService(tx, site, contract.ServiceInput{TargetInput: contract.TargetInput{Name: new("Other")}, Type: new("fax")})
	})
	wantErr(t, err, contract.ErrValidationFailed)
}

func testTargets(t *testing.T, open func(*testing.T) portal.Store) {
	f := newFixture(t, open, 5)
	createPhone := func(in contract.PhoneInput) (contract.Phone, error) {
		return update(f, func(tx portal.Tx) (contract.Phone, error) { return portal.CreatePhone(tx, site, in) })
	}
	updatePhone := func(id string, in contract.PhoneInput, c portal.Condition) (contract.Phone, error) {
		return update(f, func(tx portal.Tx) (contract.Phone, error) { return portal.UpdatePhone(tx, site, id, in, c) })
	}
	named := func(name string) contract.TargetInput { return contract.TargetInput{Name: new(name)} }

	// A MAC address in any common spelling is kept in one form.
	desk, err := createPhone(contract.PhoneInput{TargetInput: contract.TargetInput{Name: new("Desk"), Extension: new("300")},
		Model: new("Poly VVX 450"), MACAddress: new("00-1A-2B-3C-4D-5E")})
	must(t, err)
	if desk.MACAddress != "00:1a:2b:3c:4d:5e" || desk.Extension != "300" || desk.Model != "Poly VVX 450" || desk.Version != 1 {
		t.Fatalf("created phone = %+v", desk)
	}
	wantEqual(t, "phone read back", view(f, func(tx portal.Tx) (contract.Phone, error) { return tx.Phones().Get(site, desk.ID) }), desk)
	wantEqual(t, "phone found by name in another case",
		view(f, func(tx portal.Tx) (contract.Phone, error) { return tx.Phones().Find(site, "name", "DESK") }), desk)
	wantEqual(t, "phone found by extension",
		view(f, func(tx portal.Tx) (contract.Phone, error) { return tx.Phones().Find(site, "extension", "300") }), desk)
	for _, bad := range []string{"00:1a:2b:3c:4d", "zz:1a:2b:3c:4d:5e", "00:1a:2b:3c:4d:5e:6f:70"} {
		_, err = createPhone(contract.PhoneInput{TargetInput: named("Bad " + bad), MACAddress: new(bad)})
		wantErr(t, err, contract.ErrValidationFailed, "mac_address", bad)
	}
	_, err = createPhone(contract.PhoneInput{TargetInput: named("Twin"), MACAddress: new("00:1A:2B:3C:4D:5E")})
	wantErr(t, err, contract.ErrConflict)
	for _, bad := range []string{"", "  ", "tab\there", strings.Repeat("x", contract.MaxNameLength+1)} {
		_, err = createPhone(contract.PhoneInput{TargetInput: named(bad)})
		wantErr(t, err, contract.ErrValidationFailed, "name")
	}
	_, err = createPhone(contract.PhoneInput{})
	wantErr(t, err, contract.ErrValidationFailed, "name: is required")

	// Name and extension change in place; the hardware does not.
	moved, err := updatePhone(desk.ID, contract.PhoneInput{TargetInput: contract.TargetInput{Name: new("Front Desk"), Extension: new("")},
		Model: new("Poly VVX 450"), MACAddress: new("00:1a:2b:3c:4d:5e")}, portal.Condition{IfMatch: desk.Version})
	must(t, err)
	if moved.Name != "Front Desk" || moved.Extension != "" || moved.Version != 2 || moved.MACAddress != desk.MACAddress || !moved.CreatedAt.Equal(desk.CreatedAt) {
		t.Fatalf("updated phone = %+v", moved)
	}
	_, err = updatePhone(desk.ID, contract.PhoneInput{Model: new("Yealink T54W")}, portal.Condition{})
	wantErr(t, err, contract.ErrValidationFailed, "model", "replace the phone")
	_, err = updatePhone(desk.ID, contract.PhoneInput{MACAddress: new("00:1a:2b:3c:4d:5f")}, portal.Condition{})
	wantErr(t, err, contract.ErrValidationFailed, "mac_address", "replace the phone")
	_, err = updatePhone(desk.ID, contract.PhoneInput{TargetInput: named("Lobby")}, portal.Condition{IfMatch: desk.Version})
	wantErr(t, err, contract.ErrPreconditionFailed)
	_, err = updatePhone("ph_gone", contract.PhoneInput{TargetInput: named("Lobby")}, portal.Condition{})
	wantErr(t, err, contract.ErrNotFound, "ph_gone")
	wantEqual(t, "phone after refused updates", view(f, func(tx portal.Tx) (contract.Phone, error) { return tx.Phones().Get(site, desk.ID) }), moved)

	// A service's description changes in place; its type does not.
	queue, err := update(f, func(tx portal.Tx) (contract.Service, error) {
		return portal.CreateService(tx, site, contract.ServiceInput{TargetInput: named("Support"), Type: new("call_queue"), Description: new("Tier 1")})
	})
	must(t, err)
	_, err = update(f, func(tx portal.Tx) (contract.Service, error) {
		return portal.CreateService(tx, site, contract.ServiceInput{TargetInput: named("Untyped")})
	})
	wantErr(t, err, contract.ErrValidationFailed, "type: is required")
	changed, err := update(f, func(tx portal.Tx) (contract.Service, error) {
		return portal.UpdateService(tx, site, queue.ID, contract.ServiceInput{Type: new("call_queue"), Description: new("Tier 2")}, portal.Condition{IfMatch: 1})
	})
	must(t, err)
	if changed.Description != "Tier 2" || changed.Type != "call_queue" || changed.Name != "Support" || changed.Version != 2 {
		t.Fatalf("updated service = %+v", changed)
	}
	_, err = update(f, func(tx portal.Tx) (contract.Service, error) {
		return portal.UpdateService(tx, site, queue.ID, contract.ServiceInput{Type: new("hunt_group")}, portal.Condition{})
	})
	wantErr(t, err, contract.ErrValidationFailed, "type", "replace the service")
	wantEqual(t, "service read back", view(f, func(tx portal.Tx) (contract.Service, error) { return tx.Services().Get(site, queue.ID) }), changed)
}

func testTargetUniqueness(t *testing.T, open func(*testing.T) portal.Store) {
	f := newFixture(t, open, 5, nums(3)...)
	jane := f.mustUser("jane@example.com", "Jane", "Doe", num(0), "100")
	create := func(kind contract.TargetType, name, ext string) (string, error) {
		in := contract.TargetInput{Name: new(name), Extension: new(ext)}
		if kind == contract.TargetPhone {
			ph, err := update(f, func(tx portal.Tx) (contract.Phone, error) {
				return portal.CreatePhone(tx, site, contract.PhoneInput{TargetInput: in})
			})
			return ph.ID, err
		}
		s, err := update(f, func(tx portal.Tx) (contract.Service, error) {
			return portal.CreateService(tx, site, contract.ServiceInput{TargetInput: in, Type: new("hunt_group")})
		})
		return s.ID, err
	}
	desk, err := create(contract.TargetPhone, "Desk", "200")
	must(t, err)
	sales, err := create(contract.TargetService, "Sales", "300")
	must(t, err)

	// Names are unique among phones and services, regardless of case.
	_, err = create(contract.TargetService, "DESK", "")
	wantErr(t, err, contract.ErrConflict, `name "DESK"`, `phone "Desk"`, desk)
	_, err = create(contract.TargetPhone, "sales", "")
	wantErr(t, err, contract.ErrConflict, `service "Sales"`, sales)
	// Extensions are unique among users, phones and services.
	_, err = create(contract.TargetPhone, "Lobby", "100")
	wantErr(t, err, contract.ErrConflict, `extension "100"`, jane.ID)
	_, err = create(contract.TargetService, "Night", "200")
	wantErr(t, err, contract.ErrConflict, `extension "200"`, desk)
	_, err = f.createUser("bob@example.com", "Bob", "Roe", num(1), "300")
	wantErr(t, err, contract.ErrConflict, `extension "300"`, sales)
	_, err = f.updateUser(jane.ID, contract.UserInput{Extension: new("200")}, portal.Condition{})
	wantErr(t, err, contract.ErrConflict, `extension "200"`, desk)
	// A target keeps its own name and extension on update.
	_, err = update(f, func(tx portal.Tx) (contract.Phone, error) {
		return portal.UpdatePhone(tx, site, desk, contract.PhoneInput{TargetInput: contract.TargetInput{Name: new("desk"), Extension: new("200")}}, portal.Condition{})
	})
	must(t, err)

	// Emails are unique regardless of case, and found so.
	_, err = f.createUser("JANE@example.com", "Jane", "Again", num(1), "")
	wantErr(t, err, contract.ErrConflict, jane.ID)
	wantEqual(t, "user found by email in another case",
		view(f, func(tx portal.Tx) (contract.User, error) { return tx.FindUser(site, "email", "Jane@EXAMPLE.com") }), jane)
	f.wantInventory(5, 1)
}

// testRetriedWrites pins the rules that make a replayed write safe: the
// client sends a PUT or DELETE again when the first answer was lost, after
// the portal already applied it.
func testRetriedWrites(t *testing.T, open func(*testing.T) portal.Store) {
	f := newFixture(t, open, 3, nums(2)...)
	queue := f.service("Queue")

	// An assignment "only if available" that already holds is a success,
	// not a conflict, and takes no second station.
	first, err := f.assign(num(0), queue, portal.Condition{MustBeAvailable: true})
	must(t, err)
	again, err := f.assign(num(0), queue, portal.Condition{MustBeAvailable: true})
	must(t, err)
	wantEqual(t, "replayed assignment", again, first)
	f.wantInventory(3, 1)
	// A move replayed after it applied changes nothing either.
	again, err = f.assign(num(0), queue, portal.Condition{})
	must(t, err)
	wantEqual(t, "replayed move", again, first)

	// An unassign replayed after it applied is a no-op that succeeds.
	freed, err := f.unassign(num(0), portal.Condition{IfMatch: first.Version})
	must(t, err)
	again, err = f.unassign(num(0), portal.Condition{})
	must(t, err)
	wantEqual(t, "replayed unassign", again, freed)
	f.wantInventory(3, 0)

	// A delete replayed after it applied is not found, which the client
	// takes as done.
	must(t, f.deleteTarget(queue))
	wantErr(t, f.deleteTarget(queue), contract.ErrNotFound, queue.ID)
}

func testStationsFloor(t *testing.T, open func(*testing.T) portal.Store) {
	f := newFixture(t, open, 3, nums(2)...)
	desk := f.phone("Desk")
	f.mustAssign(num(0), desk)
	f.mustAssign(num(1), desk)
	setStations := func(total int) (contract.Site, error) {
		return update(f, func(tx portal.Tx) (contract.Site, error) {
			return portal.SetStationsPurchased(tx, site, total, portal.Condition{})
		})
	}
	_, err := setStations(1)
	wantErr(t, err, contract.ErrValidationFailed, "1 is below the 2 stations in use")
	_, err = setStations(-1)
	wantErr(t, err, contract.ErrValidationFailed)
	f.wantInventory(3, 2)

	s, err := setStations(2)
	must(t, err)
	wantEqual(t, "site version", s.Version, 2)
	f.wantInventory(2, 2)
	_, err = setStations(10)
	must(t, err)
	f.wantInventory(10, 2)
	_, err = update(f, func(tx portal.Tx) (contract.Site, error) {
		return portal.SetStationsPurchased(tx, "nope", 1, portal.Condition{})
	})
	wantErr(t, err, contract.ErrNotFound)
}

// testLockedSiteReadsItsOwnWrite: a transaction that locked a site and
// changed it reads its change back, the inventory counts from it, and a
// change rolled back is not what the next transaction reads.
func testLockedSiteReadsItsOwnWrite(t *testing.T, open func(*testing.T) portal.Store) {
	f := newFixture(t, open, 3, nums(1)...)
	inv, err := update(f, func(tx portal.Tx) (contract.Inventory, error) {
		if _, err := portal.SetStationsPurchased(tx, site, 7, portal.Condition{}); err != nil {
			return contract.Inventory{}, err
		}
		if s, err := tx.LockSite(site); err != nil || s.StationsPurchased != 7 {
			return contract.Inventory{}, fmt.Errorf("LockSite after the change: %+v, %v", s, err)
		}
		return portal.GetInventory(tx, site)
	})
	must(t, err)
	wantEqual(t, "stations in the changing transaction", inv.Total, 7)
	errUndo := errors.New("undo")
	_, err = update(f, func(tx portal.Tx) (contract.Site, error) {
		if _, err := portal.SetStationsPurchased(tx, site, 9, portal.Condition{}); err != nil {
			return contract.Site{}, err
		}
		return contract.Site{}, errUndo
	})
	wantErr(t, err, errUndo)
	f.wantInventory(7, 0)
}

func testTokens(t *testing.T, open func(*testing.T) portal.Store) {
	f := newFixture(t, open, 1)
	admin := contract.Token{ID: portal.NewID("tok"), Name: "ci admin", Admin: true, CreatedAt: portal.SystemClock()}
	scoped := contract.Token{ID: portal.NewID("tok"), Name: "team", Site: site, CreatedAt: portal.SystemClock()}
	must(t, f.store.Update(t.Context(), func(tx portal.Tx) error {
		return errors.Join(tx.PutToken(admin, portal.HashSecret("a")), tx.PutToken(scoped, portal.HashSecret("b")))
	}))
	for secret, tok := range map[string]contract.Token{"a": admin, "b": scoped} {
		got := view(f, func(tx portal.Tx) (contract.Token, error) { return tx.GetTokenByHash(portal.HashSecret(secret)) })
		wantEqual(t, "token read back", got, tok)
	}
	err := f.store.View(t.Context(), func(tx portal.Tx) error { _, err := tx.GetTokenByHash(portal.HashSecret("c")); return err })
	wantErr(t, err, contract.ErrNotFound)
}

func testIdempotency(t *testing.T, open func(*testing.T) portal.Store) {
	f := newFixture(t, open, 1)
	old := portal.SystemClock().Add(-48 * time.Hour)
	rec := replay.Record{Scope: "tok_a", Key: "k1", RequestHash: "h1", Status: 201,
		Body: []byte(`{"id":"usr_1"}`), Location: "/v1/sites/s1/users/usr_1", CreatedAt: old}
	recent := replay.Record{Scope: "tok_a", Key: "k2", RequestHash: "h2", Status: 200, Body: []byte("{}"), CreatedAt: portal.SystemClock()}
	// Every store keeps the server's records in the portal's transactions.
	records := func(tx portal.Tx) replay.Tx {
		r, ok := tx.(replay.Tx)
		if !ok {
			t.Fatalf("%T keeps no idempotency records: it is no replay.Tx", tx)
		}
		return r
	}
	must(t, f.store.Update(t.Context(), func(tx portal.Tx) error {
		return errors.Join(records(tx).PutIdempotency(rec), records(tx).PutIdempotency(recent))
	}))

	get := func(scope, key string) (replay.Record, error) {
		var r replay.Record
		err := f.store.View(t.Context(), func(tx portal.Tx) error {
			var err error
			r, err = records(tx).GetIdempotency(scope, key)
			return err
		})
		return r, err
	}
	wantSame := func(got, want replay.Record) {
		t.Helper()
		if !bytes.Equal(got.Body, want.Body) {
			t.Fatalf("body = %q, want %q", got.Body, want.Body)
		}
		got.Body, want.Body = nil, nil
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("idempotency record = %+v, want %+v", got, want)
		}
	}
	got, err := get("tok_a", "k1")
	must(t, err)
	wantSame(got, rec)
	// Keys belong to the token that sent them.
	_, err = get("tok_b", "k1")
	wantErr(t, err, contract.ErrNotFound)

	// Put replaces the record of a key.
	rec.Status, rec.Body = 409, []byte(`{"code":"conflict"}`)
	must(t, f.store.Update(t.Context(), func(tx portal.Tx) error { return records(tx).PutIdempotency(rec) }))
	got, err = get("tok_a", "k1")
	must(t, err)
	wantSame(got, rec)

	// Keys older than the cutoff are forgotten; one stored at it is kept.
	must(t, f.store.Update(t.Context(), func(tx portal.Tx) error { return records(tx).DeleteIdempotencyBefore(recent.CreatedAt) }))
	_, err = get("tok_a", "k1")
	wantErr(t, err, contract.ErrNotFound)
	got, err = get("tok_a", "k2")
	must(t, err)
	wantSame(got, recent)
}

func testListNumbers(t *testing.T, open func(*testing.T) portal.Store) {
	f := newFixture(t, open, 10, append(nums(10), "+14155550100")...)
	desk, queue := f.phone("Desk"), f.service("Queue")
	f.mustAssign(num(1), desk)
	f.mustAssign(num(3), desk)
	f.mustAssign(num(5), queue)
	u := f.mustUser("jane@example.com", "Jane", "Doe", num(7), "")

	list := func(filter contract.NumberFilter) []string {
		var out []string
		for _, n := range f.numbers(filter, portal.Page{}) {
			out = append(out, n.Number+" "+n.AssignedName)
		}
		return out
	}
	available := []string{num(0) + " ", num(2) + " ", num(4) + " ", num(6) + " ", num(8) + " ", num(9) + " ", "+14155550100 "}
	for _, tc := range []struct {
		filter contract.NumberFilter
		want   []string
	}{
		{contract.NumberFilter{}, []string{num(0) + " ", num(1) + " Desk", num(2) + " ", num(3) + " Desk", num(4) + " ",
			num(5) + " Queue", num(6) + " ", num(7) + " Jane Doe", num(8) + " ", num(9) + " ", "+14155550100 "}},
		{contract.NumberFilter{Status: contract.StatusAvailable}, available},
		{contract.NumberFilter{Status: contract.StatusAssigned}, []string{num(1) + " Desk", num(3) + " Desk", num(5) + " Queue", num(7) + " Jane Doe"}},
		{contract.NumberFilter{AssignedType: contract.TargetPhone}, []string{num(1) + " Desk", num(3) + " Desk"}},
		{contract.NumberFilter{AssignedType: contract.TargetPhone, AssignedID: desk.ID}, []string{num(1) + " Desk", num(3) + " Desk"}},
		{contract.NumberFilter{AssignedType: contract.TargetService, AssignedID: desk.ID}, nil},
		{contract.NumberFilter{AssignedID: queue.ID}, []string{num(5) + " Queue"}},
		{contract.NumberFilter{AssignedType: contract.TargetUser, AssignedID: u.ID}, []string{num(7) + " Jane Doe"}},
		{contract.NumberFilter{Prefix: "+1415"}, []string{"+14155550100 "}},
		{contract.NumberFilter{Prefix: "+1312555010", Status: contract.StatusAssigned, AssignedType: contract.TargetPhone},
			[]string{num(1) + " Desk", num(3) + " Desk"}},
		{contract.NumberFilter{Prefix: num(9)}, []string{num(9) + " "}},
		// A prefix is literal text, never a pattern.
		{contract.NumberFilter{Prefix: "%"}, nil},
		{contract.NumberFilter{Prefix: "+1312555010_"}, nil},
		{contract.NumberFilter{Prefix: "+2"}, nil},
	} {
		if got := list(tc.filter); !slices.Equal(got, tc.want) {
			t.Errorf("ListNumbers(%+v) = %q, want %q", tc.filter, got, tc.want)
		}
	}

	// Pages, walked with the last key of each, add up to the whole list.
	for _, filter := range []contract.NumberFilter{{}, {Status: contract.StatusAvailable}} {
		all := f.numbers(filter, portal.Page{})
		var walked []contract.Number
		for p := (portal.Page{Limit: 3}); ; {
			page := f.numbers(filter, p)
			if len(page) > 3 {
				t.Fatalf("page of %d numbers, limit 3", len(page))
			}
			if len(page) == 0 {
				break
			}
			walked = append(walked, page...)
			p.After = page[len(page)-1].Number
		}
		if !slices.Equal(walked, all) {
			t.Errorf("pages of %+v = %v, want %v", filter, walked, all)
		}
	}
	if got := f.numbers(contract.NumberFilter{}, portal.Page{After: num(8), Limit: 100}); len(got) != 2 || got[0].Number != num(9) {
		t.Errorf("numbers after %s = %v, want %s and +14155550100", num(8), got, num(9))
	}
	if got := f.numbers(contract.NumberFilter{}, portal.Page{After: "+2"}); len(got) != 0 {
		t.Errorf("numbers after the last = %v, want none", got)
	}
	// Another site's numbers never show.
	must(t, f.store.Update(t.Context(), func(tx portal.Tx) error {
		if _, err := portal.CreateSite(tx, contract.Site{ID: "s2"}); err != nil {
			return err
		}
		_, err := portal.AddNumbers(tx, "s2", []string{"+12125550100"})
		return err
	}))
	if got := list(contract.NumberFilter{Prefix: "+1212"}); got != nil {
		t.Errorf("site s1 lists site s2's numbers: %v", got)
	}
}

// testNumberRuns: the numbers a filter matches fold into runs in E.164
// order; a limit returns that many whole runs, never a cut one; After
// starts after a number.
func testNumberRuns(t *testing.T, open func(*testing.T) portal.Store) {
	f := newFixture(t, open, 10, append(nums(10), "+14155550100")...)
	desk := f.phone("Desk")
	for _, i := range []int{1, 3, 5} {
		f.mustAssign(num(i), desk)
	}
	runs := func(filter contract.NumberFilter, p portal.Page) []string {
		t.Helper()
		var out []string
		for _, r := range view(f, func(tx portal.Tx) ([]contract.NumberRange, error) { return tx.NumberRuns(site, filter, p) }) {
			out = append(out, r.From+".."+r.To)
		}
		return out
	}
	run := func(from, to string) string { return from + ".." + to }
	available := contract.NumberFilter{Status: contract.StatusAvailable}
	for _, tc := range []struct {
		filter contract.NumberFilter
		page   portal.Page
		want   []string
	}{
		{contract.NumberFilter{}, portal.Page{}, []string{run(num(0), num(9)), run("+14155550100", "+14155550100")}},
		{contract.NumberFilter{}, portal.Page{Limit: 1}, []string{run(num(0), num(9))}},
		{available, portal.Page{}, []string{run(num(0), num(0)), run(num(2), num(2)), run(num(4), num(4)),
			run(num(6), num(9)), run("+14155550100", "+14155550100")}},
		{available, portal.Page{Limit: 4}, []string{run(num(0), num(0)), run(num(2), num(2)), run(num(4), num(4)), run(num(6), num(9))}},
		{available, portal.Page{After: num(6), Limit: 1}, []string{run(num(7), num(9))}},
		{contract.NumberFilter{Status: contract.StatusAssigned, Prefix: "+1312"}, portal.Page{}, []string{run(num(1), num(1)), run(num(3), num(3)), run(num(5), num(5))}},
		{available, portal.Page{After: "+2"}, nil},
	} {
		if got := runs(tc.filter, tc.page); !slices.Equal(got, tc.want) {
			t.Errorf("NumberRuns(%+v, %+v) = %q, want %q", tc.filter, tc.page, got, tc.want)
		}
	}
}

func testListPages(t *testing.T, open func(*testing.T) portal.Store) {
	f := newFixture(t, open, 10, nums(5)...)
	for i := range 5 {
		f.phone(fmt.Sprintf("Desk %d", i))
		f.service(fmt.Sprintf("Queue %d", i))
		f.mustUser(fmt.Sprintf("u%d@example.com", i), "User", fmt.Sprint(i), num(i), "")
	}
	walk := func(name string, page func(portal.Tx, portal.Page) ([]string, error)) {
		t.Helper()
		all := view(f, func(tx portal.Tx) ([]string, error) { return page(tx, portal.Page{}) })
		if len(all) != 5 || !slices.IsSorted(all) {
			t.Fatalf("%s = %v, want 5 in ID order", name, all)
		}
		var walked []string
		for p := (portal.Page{Limit: 2}); ; {
			ids := view(f, func(tx portal.Tx) ([]string, error) { return page(tx, p) })
			if len(ids) == 0 {
				break
			}
			if len(ids) > 2 {
				t.Fatalf("%s: page of %d, limit 2", name, len(ids))
			}
			walked = append(walked, ids...)
			p.After = ids[len(ids)-1]
		}
		if !slices.Equal(walked, all) {
			t.Fatalf("%s: pages = %v, want %v", name, walked, all)
		}
	}
	walk("users", func(tx portal.Tx, p portal.Page) ([]string, error) {
		us, err := tx.ListUsers(site, p)
		return ids(us, func(u contract.User) string { return u.ID }), err
	})
	walk("phones", func(tx portal.Tx, p portal.Page) ([]string, error) {
		ps, err := tx.Phones().List(site, p)
		return ids(ps, func(ph contract.Phone) string { return ph.ID }), err
	})
	walk("services", func(tx portal.Tx, p portal.Page) ([]string, error) {
		ss, err := tx.Services().List(site, p)
		return ids(ss, func(s contract.Service) string { return s.ID }), err
	})
}

func ids[T any](items []T, id func(T) string) []string {
	var out []string
	for _, it := range items {
		out = append(out, id(it))
	}
	return out
}

// testConcurrentAssignments races 100 writers for the site's last 10
// stations: In Use must never exceed Total.
func testConcurrentAssignments(t *testing.T, open func(*testing.T) portal.Store) {
	const writers, free = 100, 10
	f := newFixture(t, open, free+2, nums(writers+2)...)
	desk, queue := f.phone("Desk"), f.service("Queue")
	f.mustAssign(num(writers), desk)
	f.mustAssign(num(writers+1), desk)
	f.wantInventory(free+2, 2)

	errs := make([]error, writers)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i := range writers {
		wg.Go(func() {
			<-start
			_, errs[i] = f.assign(num(i), queue, portal.Condition{})
		})
	}
	close(start)
	wg.Wait()

	var won []string
	for i, err := range errs {
		switch {
		case err == nil:
			won = append(won, num(i))
		case errors.Is(err, contract.ErrNoStationsAvailable):
		default:
			t.Fatalf("assign %s: %v, want success or no_stations_available", num(i), err)
		}
	}
	if len(won) != free {
		t.Fatalf("%d of %d concurrent assignments succeeded, want %d", len(won), writers, free)
	}
	f.wantInventory(free+2, free+2)
	var held []string
	for _, n := range f.numbers(contract.NumberFilter{AssignedID: queue.ID}, portal.Page{}) {
		held = append(held, n.Number)
	}
	if !slices.Equal(held, won) {
		t.Fatalf("queue holds %v, want the winners %v", held, won)
	}
}

func testRollbackOnError(t *testing.T, open func(*testing.T) portal.Store) {
	f := newFixture(t, open, 2, nums(1)...)
	desk := f.phone("Desk")
	errBoom := errors.New("boom")
	err := f.store.Update(t.Context(), func(tx portal.Tx) error {
		if _, err := portal.CreateSite(tx, contract.Site{ID: "s2", StationsPurchased: 1}); err != nil {
			return err
		}
		if _, err := portal.AddNumbers(tx, site, []string{num(1)}); err != nil {
			return err
		}
		if _, err := portal.AssignNumber(tx, site, num(0), desk, portal.Condition{}); err != nil {
			return err
		}
		return fmt.Errorf("after writing: %w", errBoom)
	})
	if !errors.Is(err, errBoom) {
		t.Fatalf("Update = %v, want fn's error", err)
	}
	wantNothingWritten(f)
}

func testRollbackOnPanic(t *testing.T, open func(*testing.T) portal.Store) {
	f := newFixture(t, open, 2, nums(1)...)
	desk := f.phone("Desk")
	func() {
		defer func() {
			if p := recover(); p != "boom" {
				t.Fatalf("recovered %v, want fn's panic", p)
			}
		}()
		_ = f.store.Update(t.Context(), func(tx portal.Tx) error {
			if _, err := portal.CreateSite(tx, contract.Site{ID: "s2", StationsPurchased: 1}); err != nil {
				return err
			}
			if _, err := portal.AddNumbers(tx, site, []string{num(1)}); err != nil {
				return err
			}
			if _, err := portal.AssignNumber(tx, site, num(0), desk, portal.Condition{}); err != nil {
				return err
			}
			panic("boom")
		})
	}()
	wantNothingWritten(f)

	// The store still takes writes: the panic left no transaction open.
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Second)
	defer cancel()
	must(t, f.store.Update(ctx, func(tx portal.Tx) error {
		_, err := portal.CreateSite(tx, contract.Site{ID: "s2"})
		return err
	}))
}

// testWritesOfASiteShareOneCommit holds a write of the site while four more
// queue, then lets them run as one batch: the last sees the first's phone
// and stations in its transaction while readers do not yet (one
// transaction, so one commit), and a write that fails or panics in between,
// after changing the site, leaves nothing while the others commit.
func testWritesOfASiteShareOneCommit(t *testing.T, open func(*testing.T) portal.Store) {
	f := newFixture(t, open, 1)
	s, ctx := f.store, t.Context()
	create := func(tx portal.Tx, name string, stations int) error {
		if _, err := portal.SetStationsPurchased(tx, site, stations, portal.Condition{}); err != nil {
			return err
		}
		_, err := portal.CreatePhone(tx, site, contract.PhoneInput{TargetInput: contract.TargetInput{Name: new(name)}, Model: new("T54W")})
		return err
	}
	exists := func(tx portal.Tx, name string) bool {
		_, err := tx.Phones().Find(site, "name", name)
		return err == nil
	}
	running, release := make(chan struct{}), make(chan struct{})
	var wg sync.WaitGroup
	wg.Go(func() {
		must(t, s.UpdateSite(ctx, site, func(tx portal.Tx) error {
			close(running)
			<-release
			return create(tx, "held", 2)
		}))
	})
	<-running
	failed := errors.New("the rule refused")
	var gotFailed error
	var gotPanic any
	var seenInTx, seenByReaders bool
	queue := []func(){
		func() { must(t, s.UpdateSite(ctx, site, func(tx portal.Tx) error { return create(tx, "first", 3) })) },
		func() {
			gotFailed = s.UpdateSite(ctx, site, func(tx portal.Tx) error {
				must(t, create(tx, "failed", 4))
				return failed
			})
		},
		func() {
			defer func() { gotPanic = recover() }()
			_ = s.UpdateSite(ctx, site, func(tx portal.Tx) error {
				must(t, create(tx, "panicked", 5))
				panic("a bug in a rule")
			})
		},
		func() {
			must(t, s.UpdateSite(ctx, site, func(tx portal.Tx) error {
				got, err := tx.GetSite(site)
				must(t, err)
				seenInTx = exists(tx, "first") && got.StationsPurchased == 3
				must(t, s.View(ctx, func(tx portal.Tx) error { seenByReaders = exists(tx, "first"); return nil }))
				return create(tx, "last", 6)
			}))
		},
	}
	for _, write := range queue {
		wg.Go(write)
		time.Sleep(30 * time.Millisecond) // blocked senders queue in order
	}
	close(release)
	wg.Wait()
	if !seenInTx || seenByReaders {
		t.Errorf("the last write saw the first's phone and stations: in its transaction %v (want true), through a reader %v (want false): not one batch", seenInTx, seenByReaders)
	}
	if !errors.Is(gotFailed, failed) {
		t.Errorf("failed write returned %v, want its own error", gotFailed)
	}
	if gotPanic != "a bug in a rule" {
		t.Errorf("panicking write panicked with %v in its caller, want the rule's panic", gotPanic)
	}
	must(t, s.View(ctx, func(tx portal.Tx) error {
		for name, want := range map[string]bool{"held": true, "first": true, "failed": false, "panicked": false, "last": true} {
			if got := exists(tx, name); got != want {
				t.Errorf("phone %q exists: %v, want %v", name, got, want)
			}
		}
		if got, err := tx.GetSite(site); err != nil || got.StationsPurchased != 6 {
			t.Errorf("site after the batch: %+v (%v), want the last write's 6 stations", got, err)
		}
		return nil
	}))
}

// wantNothingWritten checks that the writes of the rolled-back tests left no
// trace.
func wantNothingWritten(f *fixture) {
	f.t.Helper()
	err := f.store.View(f.t.Context(), func(tx portal.Tx) error { _, err := tx.GetSite("s2"); return err })
	wantErr(f.t, err, contract.ErrNotFound)
	if got := f.numbers(contract.NumberFilter{}, portal.Page{}); len(got) != 1 {
		f.t.Fatalf("pool = %v, want only %s", got, num(0))
	}
	f.wantHolder(num(0), contract.Target{}, "")
	f.wantInventory(2, 0)
}

func testViewReadOnly(t *testing.T, open func(*testing.T) portal.Store) {
	f := newFixture(t, open, 2, nums(1)...)
	err := f.store.View(t.Context(), func(tx portal.Tx) error {
		_, err := portal.CreateSite(tx, contract.Site{ID: "s2"})
		return err
	})
	if err == nil {
		t.Fatal("CreateSite inside View succeeded, want an error")
	}
	err = f.store.View(t.Context(), func(tx portal.Tx) error { _, err := tx.GetSite("s2"); return err })
	wantErr(t, err, contract.ErrNotFound)
}

// RaceStores has writers goroutines, alternating between stores a and b as
// two portal processes on one database would, race to assign the numbers of
// a site with 10 stations. Exactly 10 must succeed, the rest must be refused
// with no_stations_available, and both stores must then count 10 in use.
func RaceStores(t *testing.T, a, b portal.Store, writers int) {
	t.Helper()
	const free = 10
	numbers := make([]string, writers)
	for i := range numbers {
		numbers[i] = fmt.Sprintf("+1312555%04d", 100+i)
	}
	var queue contract.Service
	err := a.Update(t.Context(), func(tx portal.Tx) error {
		if _, err := portal.CreateSite(tx, contract.Site{ID: "s1", StationsPurchased: free}); err != nil {
			return err
		}
		if _, err := portal.AddNumbers(tx, "s1", numbers); err != nil {
			return err
		}
		var err error
		queue, err = portal.CreateService(tx, "s1", contract.ServiceInput{TargetInput: contract.TargetInput{Name: new("Queue")}, Type: new("call_queue")})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for i, number := range numbers {
		store := []portal.Store{a, b}[i%2]
		wg.Go(func() {
			errs[i] = store.UpdateSite(t.Context(), "s1", func(tx portal.Tx) error {
				_, err := portal.AssignNumber(tx, "s1", number, contract.Target{Type: contract.TargetService, ID: queue.ID}, portal.Condition{})
				return err
			})
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, contract.ErrNoStationsAvailable):
			t.Fatalf("assign: %v, want success or no_stations_available", err)
		}
	}
	if won != free {
		t.Fatalf("%d assignments succeeded, want %d", won, free)
	}
	for _, s := range []portal.Store{a, b} {
		err := s.View(t.Context(), func(tx portal.Tx) error {
			inv, err := portal.GetInventory(tx, "s1")
			if err == nil && inv.InUse != free {
				t.Errorf("inventory = %+v, want %d in use", inv, free)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// testViewDoesNotWaitForWriter reads while a write transaction holds the
// site: the reader sees the last commit at once, not the open write.
func testViewDoesNotWaitForWriter(t *testing.T, open func(*testing.T) portal.Store) {
	s := open(t)
	err := s.Update(t.Context(), func(tx portal.Tx) error {
		_, err := portal.CreateSite(tx, contract.Site{ID: site, StationsPurchased: 1})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	writing, release := make(chan struct{}), make(chan struct{})
	done := make(chan error)
	go func() {
		done <- s.Update(t.Context(), func(tx portal.Tx) error {
			if _, err := portal.SetStationsPurchased(tx, site, 5, portal.Condition{}); err != nil {
				return err
			}
			close(writing)
			<-release
			return nil
		})
	}()
	<-writing
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	err = s.View(ctx, func(tx portal.Tx) error {
		got, err := tx.GetSite(site)
		if err == nil && got.StationsPurchased != 1 {
			t.Errorf("View saw %d stations before the write committed, want 1", got.StationsPurchased)
		}
		return err
	})
	close(release)
	if err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
