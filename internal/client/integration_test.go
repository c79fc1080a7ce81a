package client

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/callingportal/terraform-provider-callingportal/internal/server"
)

var ctx = context.Background()

func userInput(email, number string) contract.UserInput {
	return contract.UserInput{Email: ptr(email), FirstName: ptr("Jane"), LastName: ptr("Doe"), PhoneNumber: ptr(number)}
}

// (a) 429 with Retry-After: the client waits what the server says, then
// succeeds; once the retries run out, the caller gets the server's error.
func TestPortalRateLimitedRetryAfter(t *testing.T) {
	p := newPortal(t, 5, server.Options{})
	p.faults.Inject(http.MethodGet, tooMany, 2)
	start := time.Now()
	inv, err := p.client.Inventory.Read(ctx)
	waited := time.Since(start)
	if err != nil {
		t.Fatal(err)
	}
	if inv.Total != 5 || p.faults.Count(http.MethodGet) != 3 {
		t.Errorf("inventory %+v after %d GETs", inv, p.faults.Count(http.MethodGet))
	}
	if waited < 2*time.Second {
		t.Errorf("two Retry-After: 1 answers, waited only %v", waited)
	}

	p.faults.Reset()
	p.faults.Inject(http.MethodGet, tooManyNow, 10)
	c := p.newClient(t, func(cfg *Config) { cfg.MaxRetries = 2 })
	_, err = c.Inventory.Read(ctx)
	var pe *contract.Error
	if !errors.Is(err, ErrRateLimited) || !errors.As(err, &pe) || pe.Message != "injected: too many requests" {
		t.Errorf("err = %v, want the server's rate_limited error", err)
	}
	if n := p.faults.Count(http.MethodGet); n != 3 {
		t.Errorf("%d GETs, want 1 + 2 retries", n)
	}
}

// The portal's own limiter: its 429 decodes into ErrRateLimited with its
// message, and its Retry-After is honoured.
func TestPortalRealRateLimit(t *testing.T) {
	p := newPortal(t, 5, server.Options{RateLimit: 1, Burst: 1})
	once := p.newClient(t, func(cfg *Config) { cfg.MaxRetries = -1 })
	if _, err := once.Inventory.Read(ctx); err != nil {
		t.Fatal(err)
	}
	_, err := once.Inventory.Read(ctx)
	if !errors.Is(err, ErrRateLimited) || !strings.Contains(err.Error(), "too many requests for this token") {
		t.Fatalf("err = %v, want the portal's rate_limited error", err)
	}
	start := time.Now()
	if _, err := p.client.Inventory.Read(ctx); err != nil {
		t.Fatal(err)
	}
	if waited := time.Since(start); waited < time.Second {
		t.Errorf("waited %v, want the Retry-After of 1s", waited)
	}
}

// (b) 503 and a proxy's 502 are retried until the portal answers.
func TestPortalUnavailable(t *testing.T) {
	p := newPortal(t, 5, server.Options{})
	p.faults.Inject(http.MethodGet, unavailable, 3)
	if _, err := p.client.Users.List(ctx); err != nil {
		t.Fatal(err)
	}
	if n := p.faults.Count(http.MethodGet); n != 4 {
		t.Errorf("%d GETs, want 3 failures and a success", n)
	}

	ph, err := p.client.Phones.Create(ctx, contract.PhoneInput{TargetInput: contract.TargetInput{Name: new("Lobby")}, Model: new("Poly VVX 450")})
	if err != nil {
		t.Fatal(err)
	}
	p.faults.Inject(http.MethodPut, badGateway, 2)
	n, err := p.client.Numbers.Assign(ctx, "+13125550100", contract.Target{Type: contract.TargetPhone, ID: ph.ID}, true)
	if err != nil {
		t.Fatal(err)
	}
	if n.AssignedID != ph.ID || p.faults.Count(http.MethodPut) != 3 {
		t.Errorf("number %+v after %d PUTs", n, p.faults.Count(http.MethodPut))
	}
}

// (c) A create whose connection drops, before or after the portal ran it,
// is retried with the same Idempotency-Key and happens exactly once.
func TestPortalCreateSurvivesDroppedConnection(t *testing.T) {
	creates := map[string]struct {
		create func(*Client) (string, error)
		list   func(*Client) ([]string, error)
	}{
		"user": {
			func(c *Client) (string, error) {
				u, err := c.Users.Create(ctx, userInput("jane@example.com", "+13125550101"))
				return u.ID, err
			},
			func(c *Client) ([]string, error) {
				us, err := c.Users.List(ctx)
				return ids(us, func(u contract.User) string { return u.ID }), err
			},
		},
		"phone": {
			func(c *Client) (string, error) {
				ph, err := c.Phones.Create(ctx, contract.PhoneInput{TargetInput: contract.TargetInput{Name: new("Reception")}})
				return ph.ID, err
			},
			func(c *Client) ([]string, error) {
				phs, err := c.Phones.List(ctx)
				return ids(phs, func(ph contract.Phone) string { return ph.ID }), err
			},
		},
	}
	for name, tc := range creates {
		for _, kind := range []faultKind{dropBefore, dropAfter} {
			t.Run(name+"/"+string(kind), func(t *testing.T) {
				p := newPortal(t, 5, server.Options{})
				p.faults.Inject(http.MethodPost, kind, 2)
				id, err := tc.create(p.client)
				if err != nil {
					t.Fatal(err)
				}
				all, err := tc.list(p.client)
				if err != nil {
					t.Fatal(err)
				}
				if len(all) != 1 || all[0] != id {
					t.Errorf("created %s, list shows %v: want exactly it", id, all)
				}
				if n := p.faults.Count(http.MethodPost); n != 3 {
					t.Errorf("%d POSTs, want 2 dropped and 1 answered", n)
				}
				replayed := strings.Contains(p.logs.text(), "replayed")
				if replayed != (kind == dropAfter) {
					t.Errorf("portal replayed the create: %v, want %v", replayed, kind == dropAfter)
				}
			})
		}
	}
}

// A create whose every try lost its answer, sent again by a later run (a
// new client, as in a new terraform process), finds and gets the object
// the first one made, for as long as that object exists.
func TestCreateLostByOneRunFoundByTheNext(t *testing.T) {
	p := newPortal(t, 5, server.Options{})
	in := userInput("ann@example.com", "+13125550102")
	p.faults.Inject(http.MethodPost, dropAfter, 1)
	if _, err := p.newClient(t, func(c *Config) { c.MaxRetries = -1 }).Users.Create(ctx, in); err == nil {
		t.Fatal("create whose answer was lost: no error")
	}

	next := p.newClient(t)
	id, err := next.Users.EarlierCreate(ctx, in)
	if err != nil {
		t.Fatalf("earlier create: %v", err)
	}
	u, err := next.Users.Create(ctx, in)
	if err != nil || u.ID != id {
		t.Fatalf("create again: %+v, %v; want user %s", u, err, id)
	}
	if all, err := next.Users.List(ctx); err != nil || len(all) != 1 {
		t.Fatalf("users %+v, %v: want one", all, err)
	}
	// Another create is not that one, nor is the same one by another token.
	if _, err := next.Users.EarlierCreate(ctx, userInput("bob@example.com", "+13125550103")); !errors.Is(err, ErrNotFound) {
		t.Errorf("another create's earlier create: %v, want ErrNotFound", err)
	}
	_, secret, err := p.client.Tokens.Create(ctx, "other", testSite, false)
	if err != nil {
		t.Fatal(err)
	}
	other := p.newClient(t, func(c *Config) { c.Token = secret })
	if _, err := other.Users.EarlierCreate(ctx, in); !errors.Is(err, ErrNotFound) {
		t.Errorf("another token's earlier create: %v, want ErrNotFound", err)
	}

	// Deleted, it is gone for good: the same create makes a new user.
	if err := next.Users.Delete(ctx, id); err != nil {
		t.Fatal(err)
	}
	if _, err := next.Users.EarlierCreate(ctx, in); !errors.Is(err, ErrNotFound) {
		t.Errorf("earlier create of a deleted user: %v, want ErrNotFound", err)
	}
	if again, err := next.Users.Create(ctx, in); err != nil || again.ID == id {
		t.Errorf("create after delete: %+v, %v; want a new user", again, err)
	}

	// Phones and services key their creates the same way.
	ph := contract.PhoneInput{TargetInput: contract.TargetInput{Name: new("Reception")}}
	p.faults.Inject(http.MethodPost, dropAfter, 1)
	if _, err := p.newClient(t, func(c *Config) { c.MaxRetries = -1 }).Phones.Create(ctx, ph); err == nil {
		t.Fatal("phone create whose answer was lost: no error")
	}
	phID, err := next.Phones.EarlierCreate(ctx, ph)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := next.Phones.Create(ctx, ph); err != nil || got.ID != phID {
		t.Errorf("phone create again: %+v, %v; want %s", got, err, phID)
	}
}

func ids[T any](items []T, id func(T) string) []string {
	var out []string
	for _, it := range items {
		out = append(out, id(it))
	}
	return out
}

// (d) Requests that could apply twice are sent once, whatever happens.
func TestPortalNonReplayableSentOnce(t *testing.T) {
	p := newPortal(t, 5, server.Options{})

	// POST /v1/tokens carries no Idempotency-Key: the portal would mint a
	// second token.
	for _, kind := range []faultKind{dropBefore, dropAfter, unavailable} {
		p.faults.Reset()
		p.faults.Inject(http.MethodPost, kind, 5)
		_, secret, err := p.client.Tokens.Create(ctx, "ci", testSite, false)
		if err == nil || secret != "" || !strings.HasPrefix(err.Error(), "POST /v1/tokens: ") ||
			kind != unavailable && !strings.Contains(err.Error(), "may or may not have taken effect") {
			t.Errorf("%s: secret %q, err %v", kind, secret, err)
		}
		if n := p.faults.Count(http.MethodPost); n != 1 {
			t.Errorf("%s: token create sent %d times", kind, n)
		}
	}

	// Any POST without a key, through the client's own request path.
	p.faults.Reset()
	p.faults.Inject(http.MethodPost, dropAfter, 5)
	req, err := p.client.newRequest(ctx, http.MethodPost, p.client.sitePath("phones"), nil, map[string]string{"name": "Desk"})
	if err != nil {
		t.Fatal(err)
	}
	if err := p.client.do(req, nil); err == nil {
		t.Error("dropped connection: no error")
	}
	if n := p.faults.Count(http.MethodPost); n != 1 {
		t.Errorf("POST without Idempotency-Key sent %d times", n)
	}

	// A PATCH sets values, so one whose answer was lost is sent again and
	// leaves the user as one PATCH would.
	p.faults.Reset()
	u, err := p.client.Users.Create(ctx, userInput("ann@example.com", "+13125550102"))
	if err != nil {
		t.Fatal(err)
	}
	p.faults.Inject(http.MethodPatch, dropAfter, 1)
	u, err = p.client.Users.Update(ctx, u.ID, contract.UserInput{FirstName: ptr("Ann")}, 0)
	if err != nil || u.FirstName != "Ann" {
		t.Errorf("PATCH after a lost answer: %+v, %v", u, err)
	}
	if n := p.faults.Count(http.MethodPatch); n != 2 {
		t.Errorf("%d PATCHes, want the lost one and its retry", n)
	}
}

// (e) The portal's rule errors arrive as sentinels with their details.
func TestPortalErrors(t *testing.T) {
	p := newPortal(t, 2, server.Options{})
	c := p.client
	jane, err := c.Users.Create(ctx, userInput("jane@example.com", "+13125550100"))
	if err != nil {
		t.Fatal(err)
	}
	desk, err := c.Phones.Create(ctx, contract.PhoneInput{TargetInput: contract.TargetInput{Name: new("Desk")}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Numbers.Assign(ctx, "+13125550101", contract.Target{Type: contract.TargetPhone, ID: desk.ID}, true); err != nil {
		t.Fatal(err)
	}
	svc, err := c.Services.FindByName(ctx, "Main line")
	if err != nil {
		t.Fatal(err)
	}
	bad, err := New(Config{Endpoint: p.url, Token: "not-a-token", Site: testSite, Logger: p.logs.forContext})
	if err != nil {
		t.Fatal(err)
	}

	for _, tc := range []struct {
		name    string
		call    func() error
		want    error
		details map[string]any
	}{
		{"unknown user", func() error { _, err := c.Users.Read(ctx, "usr_nope"); return err },
			ErrNotFound, map[string]any{"kind": "user", "id": "usr_nope"}},
		{"no user with email", func() error { _, err := c.Users.FindByEmail(ctx, "nobody@example.com"); return err },
			ErrNotFound, map[string]any{"email": "nobody@example.com"}},
		{"number not in pool", func() error { _, err := c.Numbers.Read(ctx, "+13125559999"); return err },
			ErrNotFound, map[string]any{"id": "+13125559999"}},
		{"no stations left", func() error {
			_, err := c.Users.Create(ctx, userInput("max@example.com", "+13125550102"))
			return err
		}, ErrNoStationsAvailable, map[string]any{"available": float64(0), "in_use": float64(2)}},
		{"user's number", func() error {
			_, err := c.Numbers.Assign(ctx, jane.PhoneNumber, contract.Target{Type: contract.TargetService, ID: svc.ID}, false)
			return err
		}, ErrUserNumberLocked, map[string]any{"assigned_id": jane.ID}},
		{"unassign a user's number", func() error { _, err := c.Numbers.Unassign(ctx, jane.PhoneNumber, 0); return err },
			ErrUserNumberLocked, nil},
		{"held number, only if available", func() error {
			_, err := c.Numbers.Assign(ctx, "+13125550101", contract.Target{Type: contract.TargetService, ID: svc.ID}, true)
			return err
		}, ErrNumberUnavailable, map[string]any{"assigned_id": desk.ID}},
		{"stale If-Match", func() error {
			_, err := c.Users.Update(ctx, jane.ID, contract.UserInput{FirstName: ptr("J")}, jane.Version+1)
			return err
		}, ErrPreconditionFailed, map[string]any{"version": float64(jane.Version)}},
		{"phone holds a number", func() error { return c.Phones.Delete(ctx, desk.ID) }, ErrConflict, nil},
		{"duplicate email", func() error {
			_, err := c.Users.Create(ctx, userInput("jane@example.com", "+13125550103"))
			return err
		}, ErrConflict, map[string]any{"field": "email"}},
		{"duplicate phone name", func() error {
			_, err := c.Phones.Create(ctx, contract.PhoneInput{TargetInput: contract.TargetInput{Name: new("Desk")}})
			return err
		},
			ErrConflict, map[string]any{"field": "name"}},
		{"invalid email", func() error {
			_, err := c.Users.Update(ctx, jane.ID, contract.UserInput{Email: ptr("jane at example")}, 0)
			return err
		}, ErrValidationFailed, map[string]any{"field": "email"}},
		{"unknown token", func() error { _, err := bad.Inventory.Read(ctx); return err }, ErrUnauthorized, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v (code %s), want %s", err, contract.CodeOf(err), contract.CodeOf(tc.want))
			}
			var pe *contract.Error
			if !errors.As(err, &pe) || pe.Message == "" {
				t.Fatalf("err = %#v, want a *contract.Error with a message", err)
			}
			for k, v := range tc.details {
				if pe.Details[k] != v {
					t.Errorf("details[%q] = %#v, want %#v (all: %v)", k, pe.Details[k], v, pe.Details)
				}
			}
		})
	}
}

// TestPortalRoundTrip checks every method's wire format against the portal.
func TestPortalRoundTrip(t *testing.T) {
	p := newPortal(t, 3, server.Options{})
	c := p.client

	site, err := c.Sites.Read(ctx)
	if err != nil || site.ID != testSite || site.Name != "Headquarters" || site.Version != 1 {
		t.Fatalf("site %+v, %v", site, err)
	}
	if site, err = c.Sites.SetStationsPurchased(ctx, 4); err != nil || site.StationsPurchased != 4 || site.Version != 2 {
		t.Fatalf("set stations: %+v, %v", site, err)
	}
	branch, err := c.Sites.Create(ctx, contract.Site{ID: "branch", StationsPurchased: 1})
	if err != nil || branch.ID != "branch" || branch.Name != "branch" || branch.CreatedAt.IsZero() {
		t.Fatalf("create site: %+v, %v", branch, err)
	}

	// A site token acts on its site only.
	tok, secret, err := c.Tokens.Create(ctx, "branch ci", "branch", false)
	if err != nil || tok.ID == "" || tok.Site != "branch" || tok.Admin || secret == "" {
		t.Fatalf("token %+v, secret %q, %v", tok, secret, err)
	}
	bc := p.newClient(t, func(cfg *Config) { cfg.Token, cfg.Site = secret, "branch" })
	if inv, err := bc.Inventory.Read(ctx); err != nil || inv != (contract.Inventory{Site: "branch", Total: 1, Available: 1}) {
		t.Errorf("branch inventory %+v, %v", inv, err)
	}
	other := p.newClient(t, func(cfg *Config) { cfg.Token = secret })
	if _, err := other.Inventory.Read(ctx); !errors.Is(err, ErrForbidden) {
		t.Errorf("site token on another site: %v", err)
	}
	p.logs.assertNever(t, secret)

	// Numbers: more than one page of them.
	added, err := c.Numbers.Add(ctx, numberRange(1000, 2199))
	if err != nil || len(added) != 1200 || added[0].Number != "+13125551000" || added[0].Status != contract.StatusAvailable {
		t.Fatalf("add: %d numbers, %v", len(added), err)
	}
	p.faults.Reset()
	all, err := c.Numbers.List(ctx, contract.NumberFilter{})
	if err != nil || len(all) != 1210 || p.faults.Count(http.MethodGet) != 2 {
		t.Fatalf("list: %d numbers in %d pages, %v", len(all), p.faults.Count(http.MethodGet), err)
	}
	for i := 1; i < len(all); i++ {
		if all[i-1].Number >= all[i].Number {
			t.Fatalf("list out of order or repeated at %d: %s, %s", i, all[i-1].Number, all[i].Number)
		}
	}
	if some, err := c.Numbers.List(ctx, contract.NumberFilter{Prefix: "+1312555010"}); err != nil || len(some) != 10 {
		t.Errorf("prefix filter: %d numbers, %v", len(some), err)
	}
	p.faults.Reset()
	runs, err := c.Numbers.Ranges(ctx, contract.NumberFilter{Status: contract.StatusAvailable, Prefix: "+13125551"})
	if err != nil || !slices.Equal(runs, []contract.NumberRange{{From: "+13125551000", To: "+13125551999"}}) || p.faults.Count(http.MethodGet) != 1 {
		t.Errorf("ranges: %v in %d requests, %v; want 1,000 numbers as one run in one request", runs, p.faults.Count(http.MethodGet), err)
	}

	svc, err := c.Services.Create(ctx, contract.ServiceInput{TargetInput: contract.TargetInput{Name: new("Support queue")}, Type: new("call_queue")})
	if err != nil || svc.Type != "call_queue" {
		t.Fatalf("service %+v, %v", svc, err)
	}
	if got, err := c.Services.Read(ctx, svc.ID); err != nil || got != svc {
		t.Errorf("read service %+v, %v", got, err)
	}
	if list, err := c.Services.List(ctx); err != nil || len(list) != 2 {
		t.Errorf("services %v, %v", list, err)
	}
	ph, err := c.Phones.Create(ctx, contract.PhoneInput{TargetInput: contract.TargetInput{Name: new("Lobby")}, Model: new("Poly VVX 450")})
	if err != nil || ph.Model != "Poly VVX 450" {
		t.Fatalf("phone %+v, %v", ph, err)
	}
	if got, err := c.Phones.FindByName(ctx, "Lobby"); err != nil || got != ph {
		t.Errorf("find phone %+v, %v", got, err)
	}
	if got, err := c.Phones.Read(ctx, ph.ID); err != nil || got != ph {
		t.Errorf("read phone %+v, %v", got, err)
	}

	// Assign by any spelling, move, unassign.
	n, err := c.Numbers.Assign(ctx, "+1 (312) 555-0105", contract.Target{Type: contract.TargetPhone, ID: ph.ID}, true)
	if err != nil || n.Number != "+13125550105" || n.AssignedID != ph.ID || n.AssignedName != "Lobby" {
		t.Fatalf("assign %+v, %v", n, err)
	}
	if n, err = c.Numbers.Assign(ctx, "+13125550105", contract.Target{Type: contract.TargetService, ID: svc.ID}, false); err != nil || n.AssignedID != svc.ID {
		t.Fatalf("move %+v, %v", n, err)
	}
	if n, err = c.Numbers.Read(ctx, "+1 312 555 0105"); err != nil || n.AssignedType != contract.TargetService {
		t.Errorf("read %+v, %v", n, err)
	}

	// Users.
	u, err := c.Users.Create(ctx, contract.UserInput{Email: ptr("jane@example.com"), FirstName: ptr("Jane"), LastName: ptr("Doe"),
		Extension: ptr("1001"), PhoneNumber: ptr("+13125550100"), VoicemailPIN: ptr("4321")})
	if err != nil || u.PhoneNumber != "+13125550100" || !u.VoicemailPINSet || u.Extension != "1001" {
		t.Fatalf("create user %+v, %v", u, err)
	}
	for name, find := range map[string]func() (contract.User, error){
		"read":      func() (contract.User, error) { return c.Users.Read(ctx, u.ID) },
		"by email":  func() (contract.User, error) { return c.Users.FindByEmail(ctx, "jane@example.com") },
		"by number": func() (contract.User, error) { return c.Users.FindByNumber(ctx, "+13125550100") },
	} {
		if got, err := find(); err != nil || got.ID != u.ID || got.Version != u.Version {
			t.Errorf("%s: %+v, %v", name, got, err)
		}
	}
	if u, err = c.Users.Update(ctx, u.ID, contract.UserInput{LastName: ptr("Roe")}, u.Version); err != nil || u.LastName != "Roe" || u.FirstName != "Jane" || u.Version != 2 {
		t.Fatalf("update %+v, %v", u, err)
	}
	if inv, err := c.Inventory.Read(ctx); err != nil || inv != (contract.Inventory{Site: testSite, Total: 4, InUse: 2, Available: 2}) {
		t.Errorf("inventory %+v, %v", inv, err)
	}

	// The export is the portal's file, byte for byte.
	var got bytes.Buffer
	if err := c.Numbers.Export(ctx, contract.NumberFilter{Status: contract.StatusAssigned}, &got); err != nil {
		t.Fatal(err)
	}
	req, _ := http.NewRequest(http.MethodGet, p.url+"/v1/sites/hq/numbers/export.csv?status=assigned", nil)
	req.Header.Set("Authorization", "Bearer "+p.secret)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !bytes.Equal(got.Bytes(), want) || !strings.HasPrefix(got.String(), "number,status,") || strings.Count(got.String(), "\n") != 3 {
		t.Errorf("export\n%q\nwant\n%q", got.String(), want)
	}

	// Unassign and delete.
	if n, err = c.Numbers.Unassign(ctx, "+13125550105", 0); err != nil || n.Status != contract.StatusAvailable || n.AssignedID != "" {
		t.Errorf("unassign %+v, %v", n, err)
	}
	if err := c.Users.Delete(ctx, u.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Users.Read(ctx, u.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("deleted user: %v", err)
	}
	if err := c.Phones.Delete(ctx, ph.ID); err != nil {
		t.Error(err)
	}
	if err := c.Services.Delete(ctx, svc.ID); err != nil {
		t.Error(err)
	}
	if inv, err := c.Inventory.Read(ctx); err != nil || inv.InUse != 0 {
		t.Errorf("inventory after deletes %+v, %v", inv, err)
	}
}

// (f) Whatever happens (retries, rule errors, transport failures, a body
// with a PIN), the logger sees neither the token nor headers nor bodies.
func TestPortalLoggerNeverSeesToken(t *testing.T) {
	p := newPortal(t, 5, server.Options{})
	c := p.newClient(t, func(cfg *Config) { cfg.MaxRetries = 2 })
	p.faults.Inject(http.MethodPost, dropAfter, 1)
	if _, err := c.Users.Create(ctx, contract.UserInput{Email: ptr("pin@example.com"), FirstName: ptr("P"), LastName: ptr("In"),
		PhoneNumber: ptr("+13125550104"), VoicemailPIN: ptr("97531")}); err != nil {
		t.Fatal(err)
	}
	p.faults.Inject(http.MethodGet, tooManyNow, 10)
	if _, err := c.Inventory.Read(ctx); !errors.Is(err, ErrRateLimited) {
		t.Errorf("rate limited: %v", err)
	}
	p.faults.Inject(http.MethodGet, dropBefore, 10)
	if _, err := c.Users.List(ctx); err == nil {
		t.Error("dropped connections: no error")
	}
	p.faults.Reset()
	if _, err := c.Users.Read(ctx, "usr_nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown user: %v", err)
	}

	text := p.logs.text()
	if !strings.Contains(text, "retrying portal request") || !strings.Contains(text, "status 429") && !strings.Contains(text, `"status", 429`) {
		t.Errorf("the logger did not see the retries:\n%s", text)
	}
	p.logs.assertNever(t, p.secret, "Bearer", "Authorization", "Idempotency-Key", "97531", "voicemail_pin")
}

// TestWritesReplayedAfterALostAnswer: every write the provider sends, with
// the conditions it sends them with, ends in success when the portal
// committed it but the answer was lost: the retry carries the same
// Idempotency-Key and gets the first answer back, rather than a 412 from
// meeting its own change. A real conflict still answers 412.
func TestWritesReplayedAfterALostAnswer(t *testing.T) {
	p := newPortal(t, 6, server.Options{})
	c := p.client
	user, err := c.Users.Create(ctx, userInput("ann@example.com", "+13125550100"))
	if err != nil {
		t.Fatal(err)
	}
	desk, err := c.Phones.Create(ctx, contract.PhoneInput{TargetInput: contract.TargetInput{Name: new("Desk")}})
	if err != nil {
		t.Fatal(err)
	}
	queue, err := c.Services.Create(ctx, contract.ServiceInput{TargetInput: contract.TargetInput{Name: new("Queue")}, Type: new("call_queue")})
	if err != nil {
		t.Fatal(err)
	}
	const number = "+13125550101"
	var held contract.Number
	for _, w := range []struct {
		name, method string
		write        func() error
	}{
		{"user update, If-Match", http.MethodPatch, func() error {
			u, err := c.Users.Update(ctx, user.ID, contract.UserInput{LastName: new("Jones")}, user.Version)
			if err == nil && u.LastName != "Jones" {
				err = fmt.Errorf("last name %q", u.LastName)
			}
			return err
		}},
		{"assign an available number, If-None-Match: *", http.MethodPut, func() (err error) {
			held, err = c.Numbers.Assign(ctx, number, contract.Target{Type: contract.TargetPhone, ID: desk.ID}, true)
			return err
		}},
		{"move the number", http.MethodPut, func() (err error) {
			held, err = c.Numbers.Assign(ctx, number, contract.Target{Type: contract.TargetService, ID: queue.ID}, false)
			return err
		}},
		{"unassign, If-Match", http.MethodDelete, func() error {
			_, err := c.Numbers.Unassign(ctx, number, held.Version)
			return err
		}},
		{"phone update, If-Match", http.MethodPatch, func() error {
			_, err := c.Phones.Update(ctx, desk.ID, contract.PhoneInput{TargetInput: contract.TargetInput{Extension: new("301")}}, desk.Version)
			return err
		}},
		{"service update, If-Match", http.MethodPatch, func() error {
			_, err := c.Services.Update(ctx, queue.ID, contract.ServiceInput{Description: new("Support")}, queue.Version)
			return err
		}},
		{"phone delete", http.MethodDelete, func() error { return c.Phones.Delete(ctx, desk.ID) }},
		{"service delete", http.MethodDelete, func() error { return c.Services.Delete(ctx, queue.ID) }},
		{"user delete", http.MethodDelete, func() error { return c.Users.Delete(ctx, user.ID) }},
		{"stations", http.MethodPatch, func() error {
			_, err := c.Sites.SetStationsPurchased(ctx, 7)
			return err
		}},
	} {
		p.faults.Reset()
		p.faults.Inject(w.method, dropAfter, 1)
		if err := w.write(); err != nil {
			t.Errorf("%s after a lost answer: %v", w.name, err)
		}
		if n := p.faults.Count(w.method); n != 2 {
			t.Errorf("%s: sent %d times, want the lost one and its retry", w.name, n)
		}
	}
	if _, err := c.Users.Read(ctx, user.ID); !errors.Is(err, ErrNotFound) {
		t.Errorf("the user is still there after its delete: %v", err)
	}

	// Someone else's change since the version read is still a conflict.
	other, err := c.Users.Create(ctx, userInput("bo@example.com", "+13125550102"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Users.Update(ctx, other.ID, contract.UserInput{FirstName: new("Bob")}, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Users.Update(ctx, other.ID, contract.UserInput{FirstName: new("Rob")}, other.Version); !errors.Is(err, ErrPreconditionFailed) {
		t.Errorf("update with a stale version: err = %v, want precondition failed", err)
	}
}

// TestSlowTryIsRetried: a try that outlives the per-try timeout fails over
// to a retry, as DESIGN.md says, and the writes still apply once: the
// create's retry is replayed, the update's too.
func TestSlowTryIsRetried(t *testing.T) {
	p := newPortal(t, 5, server.Options{})
	c := p.newClient(t, func(cfg *Config) {
		cfg.HTTPClient = &http.Client{Timeout: slowFor / 4}
	})
	p.faults.Inject(http.MethodPost, slow, 1)
	u, err := c.Users.Create(ctx, userInput("slow@example.com", "+13125550103"))
	if err != nil {
		t.Fatalf("create whose first try was slow: %v", err)
	}
	p.faults.Inject(http.MethodPatch, slow, 1)
	if _, err := c.Users.Update(ctx, u.ID, contract.UserInput{LastName: new("Later")}, u.Version); err != nil {
		t.Fatalf("update whose first try was slow: %v", err)
	}
	time.Sleep(slowFor) // the slow tries finish in the portal
	all, err := c.Users.List(ctx)
	if err != nil || len(all) != 1 || all[0].LastName != "Later" {
		t.Errorf("users after slow tries: %+v, %v; want the one user, updated", all, err)
	}
}
