package provider

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/callingportal/terraform-provider-callingportal/internal/faults"
)

// behindFaults puts a fault injector between the provider and p; the
// configuration it returns points the provider at the injector, with
// provider settings (e.g. max_retries) added to its block.
func (p *testPortal) behindFaults(t *testing.T, settings string) (*faults.Injector, func(body string) string) {
	t.Helper()
	inj, err := faults.NewProxy(p.URL)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(inj)
	t.Cleanup(srv.Close)
	return inj, func(body string) string {
		return fmt.Sprintf(`
provider "callingportal" {
  endpoint = %q
  token    = %q
  site     = "demo"
  %s
}
`, srv.URL, testToken, settings) + body
	}
}

// TestLostCreatesAreAdopted applies users, a phone, a service and an
// assignment while every answer to a create is lost after the portal
// committed it, and the retries run out: the apply fails, leaving objects
// that the state does not know. The next apply, with the network healthy,
// plans them with a warning that it adopts them, takes each over (the
// portal replays the first answer), makes nothing twice, and leaves an
// empty plan.
func TestLostCreatesAreAdopted(t *testing.T) {
	c := newCLI(t)
	p := startPortal(t)
	p.addNumbers(t, 4100, 3)
	inj, config := p.behindFaults(t, `max_retries = 1
  retry_wait_max = "1s"`)
	service := p.serviceID(t, "Main Auto Attendant")
	c.write(t, config(fmt.Sprintf(`
resource "callingportal_user" "ada" {
  email        = "ada.lost@example.com"
  first_name   = "Ada"
  last_name    = "Lost"
  extension    = "4101"
  phone_number = "+13125554100"
}

resource "callingportal_user" "bob" {
  email        = "bob.lost@example.com"
  first_name   = "Bob"
  last_name    = "Lost"
  phone_number = "+13125554101"
}

resource "callingportal_phone" "desk" {
  name      = "Lost Desk"
  model     = "Poly VVX 250"
  extension = "4102"
}

resource "callingportal_number_assignment" "main" {
  number     = "+13125554102"
  service_id = %q
}
`, service)))

	// Every create and assignment, and every retry of it, commits and
	// loses its answer.
	inj.Randomly(1, 1, func(r *http.Request) bool { return r.Method == http.MethodPost || r.Method == http.MethodPut }, faults.DropAfter)
	out, err := c.run("apply", "-auto-approve")
	if err == nil {
		t.Fatalf("apply with every create's answer lost succeeded:\n%s", tail(out))
	}
	inj.Stop()
	lost := len(usersByEmail(t, p.URL, ".lost@"))
	if n, err := p.client.Numbers.Read(t.Context(), "+13125554102"); lost != 2 || err != nil || n.AssignedID != service {
		t.Fatalf("after the failed apply: %d lost users, number %+v (%v); want the portal to hold what the apply sent:\n%s", lost, n, err, tail(out))
	}

	out, err = c.run("plan")
	if err != nil || !strings.Contains(out, "Adopting a user that an earlier apply created") ||
		!strings.Contains(out, "Adopting a phone that an earlier apply created") {
		t.Fatalf("plan after the lost creates: %v\n%s", err, tail(out))
	}
	out, err = c.run("apply", "-auto-approve")
	if err != nil || !regexp.MustCompile(`Apply complete! Resources: \d+ added`).MatchString(out) {
		t.Fatalf("apply after the lost creates: %v\n%s", err, tail(out))
	}
	c.expectNoChanges(t)

	// Nothing twice: one user per email, one phone of that name, and the
	// state holds exactly those.
	byEmail := usersByEmail(t, p.URL, ".lost@")
	phones, err := p.client.Phones.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	desks := 0
	for _, ph := range phones {
		if ph.Name == "Lost Desk" {
			desks++
		}
	}
	if byEmail["ada.lost@example.com"] != 1 || byEmail["bob.lost@example.com"] != 1 || desks != 1 {
		t.Errorf("after convergence: users by email %v, %d phones named Lost Desk; want one of each", byEmail, desks)
	}
	state, err := c.run("state", "list")
	if err != nil || strings.Count(state, "\n") != 4 {
		t.Errorf("state list: %v\n%s", err, state)
	}
}

// TestFaultsAtTwentyPercent applies 100 users and 100 assignments through
// a network where one request in five fails: 429 with Retry-After, 503,
// 502, a connection dropped before or after the portal ran, or a slow
// answer. Each apply succeeds, or fails and the next converges; then no
// user or number is held twice, every planned object exists as planned,
// and the next plan is empty.
func TestFaultsAtTwentyPercent(t *testing.T) {
	c := newCLI(t)
	p := startPortal(t)
	const users, assignments = 100, 100
	p.addNumbers(t, 5000, users+assignments)
	p.setAvailable(t, users+assignments)
	inj, config := p.behindFaults(t, `retry_wait_max = "2s"`)
	inj.SlowFor = 300 * time.Millisecond
	service := p.serviceID(t, "Sales Hunt Group")
	c.write(t, config(countedUsers("fault", users, 5000)+fmt.Sprintf(`
resource "callingportal_number_assignment" "a" {
  count      = %d
  number     = format("+1312555%%04d", %d + count.index)
  service_id = %q
}
`, assignments, 5000+users, service)))

	seed := uint64(time.Now().UnixNano())
	inj.Randomly(0.2, seed, nil, faults.Every...)
	var outs []string
	for attempt := 1; ; attempt++ {
		out, err := c.run("apply", "-auto-approve")
		outs = append(outs, out)
		if err == nil {
			break
		}
		if attempt == 4 {
			t.Fatalf("4 applies at 20%% faults did not converge; the last:\n%s", tail(out))
		}
		t.Logf("apply %d failed under faults; the next must converge:\n%s", attempt, tail(out))
	}
	t.Logf("seed %d: %d apply(s); faults injected %v over %d requests", seed, len(outs), inj.Injected(), inj.Count("GET")+inj.Count("POST")+inj.Count("PUT")+inj.Count("PATCH")+inj.Count("DELETE"))
	inj.Stop()
	c.expectNoChanges(t)

	byEmail := usersByEmail(t, p.URL, "fault")
	for i := range users {
		if n := byEmail[fmt.Sprintf("fault%d@example.com", i)]; n != 1 {
			t.Errorf("user fault%d@example.com exists %d times, want once", i, n)
		}
	}
	if len(byEmail) != users {
		t.Errorf("%d fault users, want %d", len(byEmail), users)
	}
	numbers, err := p.client.Numbers.List(t.Context(), contract.NumberFilter{AssignedID: service})
	if err != nil {
		t.Fatal(err)
	}
	held := 0
	for _, n := range numbers {
		if n.Number >= fmt.Sprintf("+1312555%04d", 5000+users) {
			held++
		}
	}
	if held != assignments {
		t.Errorf("%d numbers assigned to the service, want %d", held, assignments)
	}
	if inv := p.inventory(t); inv.InUse > inv.Total {
		t.Errorf("inventory %+v: In Use exceeds Total", inv)
	}
}
