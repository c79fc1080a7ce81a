package client

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/callingportal/terraform-provider-callingportal/internal/server"
)

// TestViewServesReadsFromOneList reads every user of a site concurrently
// through a view: one list request serves them all, an ID not in the list is
// read directly (and a deleted one reads as not found), and a write through
// the client makes the next read fetch the list again.
func TestViewServesReadsFromOneList(t *testing.T) {
	t.Parallel()
	p := newPortal(t, 10, server.Options{})
	ctx := context.Background()
	var ids []string
	for i, n := range numberRange(100, 104) {
		u, err := p.client.Users.Create(ctx, contract.UserInput{Email: new(n[8:] + "@example.com"),
			FirstName: new("F"), LastName: new("L"), PhoneNumber: new(n)})
		if err != nil {
			t.Fatalf("user %d: %v", i, err)
		}
		ids = append(ids, u.ID)
	}
	p.faults.Reset()

	v := p.client.NewView()
	var wg sync.WaitGroup
	for _, id := range ids {
		wg.Go(func() {
			if u, err := v.User(ctx, id); err != nil || u.ID != id {
				t.Errorf("view.User(%s) = %v, %v", id, u.ID, err)
			}
		})
	}
	wg.Wait()
	if got := p.faults.Seen("GET /v1/sites/hq/users"); got != 1 || p.faults.Count("GET") != 1 {
		t.Errorf("%d list requests and %d GETs in all for %d reads, want 1 list and nothing else: %v", got, p.faults.Count("GET"), len(ids), p.faults.Count("GET"))
	}

	if _, err := v.User(ctx, "usr_missing"); !errors.Is(err, ErrNotFound) {
		t.Errorf("an ID not in the list: %v, want ErrNotFound from a direct read", err)
	}
	if got := p.faults.Seen("GET /v1/sites/hq/users/usr_missing"); got != 1 {
		t.Errorf("a miss sent %d direct reads, want 1", got)
	}

	if _, err := p.client.Users.Update(ctx, ids[0], contract.UserInput{FirstName: new("Changed")}, 0); err != nil {
		t.Fatal(err)
	}
	u, err := v.User(ctx, ids[0])
	if err != nil || u.FirstName != "Changed" {
		t.Errorf("after a write the view read %q, %v; want the changed user", u.FirstName, err)
	}
	if got := p.faults.Seen("GET /v1/sites/hq/users"); got != 2 {
		t.Errorf("after a write: %d list requests, want 2", got)
	}
	// A user write may change which numbers are held: the number lists go too,
	// the services list stays.
	if _, err := v.Service(ctx, "svc_x"); !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
	if _, err := p.client.Users.Update(ctx, ids[1], contract.UserInput{FirstName: new("Again")}, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := v.Service(ctx, "svc_x"); !errors.Is(err, ErrNotFound) {
		t.Fatal(err)
	}
	if got := p.faults.Seen("GET /v1/sites/hq/services"); got != 1 {
		t.Errorf("a user write refetched the services: %d list requests, want 1", got)
	}

	// A create adds a user the list lacks, so it is read directly; the
	// others are still served from the list.
	if _, err := v.User(ctx, ids[2]); err != nil {
		t.Fatal(err)
	}
	lists := p.faults.Seen("GET /v1/sites/hq/users")
	created, err := p.client.Users.Create(ctx, contract.UserInput{Email: new("new@example.com"),
		FirstName: new("F"), LastName: new("L"), PhoneNumber: new("+13125550106")})
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []string{ids[2], created.ID} {
		if u, err := v.User(ctx, id); err != nil || u.ID != id {
			t.Errorf("after a create, view.User(%s) = %v, %v", id, u.ID, err)
		}
	}
	if got := p.faults.Seen("GET /v1/sites/hq/users"); got != lists || p.faults.Seen("GET /v1/sites/hq/users/"+created.ID) != 1 {
		t.Errorf("after a create: %d more list requests and %d direct reads of the new user, want 0 and 1",
			got-lists, p.faults.Seen("GET /v1/sites/hq/users/"+created.ID))
	}
}

// TestViewNumbersByHolder reads numbers from the list of those a kind of
// target holds; one held by another kind is read directly.
func TestViewNumbersByHolder(t *testing.T) {
	t.Parallel()
	p := newPortal(t, 10, server.Options{})
	ctx := context.Background()
	svc, err := p.client.Services.FindByName(ctx, "Main line")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.client.Numbers.Assign(ctx, "+13125550100", contract.Target{Type: contract.TargetService, ID: svc.ID}, true); err != nil {
		t.Fatal(err)
	}
	p.faults.Reset()
	v := p.client.NewView()
	n, err := v.Number(ctx, "+13125550100", contract.TargetService)
	if err != nil || n.AssignedID != svc.ID {
		t.Fatalf("view.Number = %+v, %v", n, err)
	}
	if n, err := v.Number(ctx, "+13125550101", contract.TargetService); err != nil || n.Status != contract.StatusAvailable {
		t.Fatalf("a free number through the service list = %+v, %v; want a direct read", n, err)
	}
	if p.faults.Seen("GET /v1/sites/hq/numbers") != 1 || p.faults.Seen("GET /v1/sites/hq/numbers/+13125550101") != 1 || p.faults.Count("GET") != 2 {
		t.Errorf("requests %v, want one list and one direct read", p.faults.Count("GET"))
	}
}
