package server

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"log/slog"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
)

func TestAuth(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	a := e.site("site-a", 5, numbers(100, 101)...)
	e.site("site-b", 5)

	cases := []struct {
		name, method, path, secret string
		body                       any
		status                     int
	}{
		{"no token", "GET", "/v1/sites/site-a", "", nil, 401},
		{"unknown token", "GET", "/v1/sites/site-a", "cpt_nope", nil, 401},
		{"public healthz", "GET", "/v1/healthz", "", nil, 200},
		{"public openapi", "GET", "/v1/openapi.json", "", nil, 200},
		{"own site", "GET", "/v1/sites/site-a", a, nil, 200},
		{"own inventory", "GET", "/v1/sites/site-a/inventory", a, nil, 200},
		{"other site", "GET", "/v1/sites/site-b", a, nil, 403},
		{"other site's numbers", "GET", "/v1/sites/site-b/numbers", a, nil, 403},
		{"other site's users", "POST", "/v1/sites/site-b/users", a, contract.UserInput{}, 403},
		{"admin: list sites", "GET", "/v1/sites", a, nil, 403},
		{"admin: create site", "POST", "/v1/sites", a, map[string]any{"id": "site-c"}, 403},
		{"admin: patch site", "PATCH", "/v1/sites/site-a", a, map[string]any{"stations_purchased": 9}, 403},
		{"admin: tokens", "POST", "/v1/tokens", a, map[string]any{"name": "x", "site": "site-a"}, 403},
		{"admin: add numbers", "POST", "/v1/sites/site-a/numbers", a, map[string]any{"numbers": numbers(200, 200)}, 403},
		{"admin on any site", "GET", "/v1/sites/site-b", e.admin, nil, 200},
		{"admin lists sites", "GET", "/v1/sites", e.admin, nil, 200},
		{"admin on a missing site", "GET", "/v1/sites/site-z/users", e.admin, nil, 404},
	}
	for _, c := range cases {
		r := e.do(c.method, c.path, c.secret, c.body)
		switch c.status {
		case 401:
			e.fails(r, 401, contract.CodeUnauthorized)
			if r.header.Get("WWW-Authenticate") == "" {
				t.Errorf("%s: no WWW-Authenticate", c.name)
			}
		case 403:
			e.fails(r, 403, contract.CodeForbidden)
		case 404:
			e.fails(r, 404, contract.CodeNotFound)
		default:
			if r.status != c.status {
				t.Errorf("%s: status %d, want %d: %s", c.name, r.status, c.status, r.body)
			}
		}
	}
	// Not a bearer token at all.
	e.fails(e.do("GET", "/v1/sites/site-a", "", nil, "Authorization", "Basic "+a), 401, contract.CodeUnauthorized)
}

func TestSecretsStayOutOfLogs(t *testing.T) {
	t.Parallel()
	var logs lockedBuffer
	e := newEnv(t, Options{Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	a := e.site("site-a", 5, numbers(100, 100)...)
	pin := "8675309"
	e.ok(e.do("POST", "/v1/sites/site-a/users", a, map[string]any{"email": "jane@example.com",
		"first_name": "Jane", "last_name": "Doe", "phone_number": numbers(100, 100)[0], "voicemail_pin": pin}), 201, nil)
	var issued struct{ Secret string }
	e.ok(e.do("POST", "/v1/tokens", e.admin, map[string]any{"name": "ci", "site": "site-a"}), 201, &issued)

	deadline := time.Now().Add(2 * time.Second)
	for strings.Count(logs.String(), "msg=request") < 2 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	out := logs.String()
	if strings.Count(out, "msg=request") < 2 {
		t.Fatalf("requests not logged:\n%s", out)
	}
	for _, secret := range []string{a, e.admin, issued.Secret, pin, "jane@example.com"} {
		if strings.Contains(out, secret) {
			t.Errorf("log holds a secret or body %q:\n%s", secret, out)
		}
	}
}

func TestSitesAndTokens(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})

	r := e.do("POST", "/v1/sites", e.admin, map[string]any{"id": "hq", "name": "Head office", "stations_purchased": 2})
	var site contract.Site
	e.ok(r, 201, &site)
	if site.ID != "hq" || site.StationsPurchased != 2 || site.Version != 1 || r.header.Get("ETag") != `"1"` || r.header.Get("Location") != "/v1/sites/hq" {
		t.Fatalf("created %+v with headers %v", site, r.header)
	}
	e.fails(e.do("POST", "/v1/sites", e.admin, map[string]any{"id": "hq"}), 409, contract.CodeConflict)
	e.ok(e.do("POST", "/v1/sites", e.admin, map[string]any{"id": "branch"}), 201, nil)

	var sites list[contract.Site]
	e.ok(e.do("GET", "/v1/sites", e.admin, nil), 200, &sites)
	if len(sites.Items) != 2 || sites.Items[0].ID != "branch" || sites.NextCursor != "" {
		t.Fatalf("sites %+v", sites)
	}

	r = e.do("PATCH", "/v1/sites/hq", e.admin, map[string]any{"stations_purchased": 5}, "If-Match", `"1"`)
	e.ok(r, 200, &site)
	if site.StationsPurchased != 5 || r.header.Get("ETag") != `"2"` {
		t.Fatalf("patched %+v, ETag %s", site, r.header.Get("ETag"))
	}
	e.fails(e.do("PATCH", "/v1/sites/hq", e.admin, map[string]any{"stations_purchased": 6}, "If-Match", `"1"`), 412, contract.CodePreconditionFailed)
	pe := e.fails(e.do("PATCH", "/v1/sites/hq", e.admin, map[string]any{}), 422, contract.CodeValidationFailed)
	if pe.Details["field"] != "stations_purchased" {
		t.Errorf("details %v", pe.Details)
	}

	r = e.do("POST", "/v1/tokens", e.admin, map[string]any{"name": "ci", "site": "hq"})
	var issued issuedToken
	e.ok(r, 201, &issued)
	if issued.Secret == "" || issued.Token.Site != "hq" || issued.Token.Admin || r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("issued %+v, headers %v", issued, r.header)
	}
	e.ok(e.do("GET", "/v1/sites/hq", issued.Secret, nil), 200, &site)
	e.fails(e.do("GET", "/v1/sites/branch", issued.Secret, nil), 403, contract.CodeForbidden)
	e.fails(e.do("POST", "/v1/tokens", e.admin, map[string]any{"name": "ci", "site": "nowhere"}), 404, contract.CodeNotFound)
	e.fails(e.do("POST", "/v1/tokens", e.admin, map[string]any{"name": "ci"}), 422, contract.CodeValidationFailed)
	e.fails(e.do("POST", "/v1/tokens", e.admin, map[string]any{"name": "ci", "site": "hq", "admin": true}), 422, contract.CodeValidationFailed)

	e.ok(e.do("POST", "/v1/tokens", e.admin, map[string]any{"name": "root", "admin": true}), 201, &issued)
	e.ok(e.do("GET", "/v1/sites", issued.Secret, nil), 200, nil)
}

func TestNumbers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	a := e.site("site-a", 5)

	var added list[contract.Number]
	r := e.do("POST", "/v1/sites/site-a/numbers", e.admin, map[string]any{
		"numbers": []string{"+1 (312) 555-0142"},
		"ranges":  []map[string]string{{"from": "+13125550100", "to": "+13125550104"}},
	})
	e.ok(r, 201, &added)
	if len(added.Items) != 6 || added.Items[0].Number != "+13125550142" || r.header.Get("Location") != "/v1/sites/site-a/numbers" {
		t.Fatalf("added %+v", added)
	}
	e.fails(e.do("POST", "/v1/sites/site-a/numbers", e.admin, map[string]any{"numbers": []string{"+13125550142"}}), 409, contract.CodeConflict)

	// Any spelling, URL-escaped, names the same number.
	for _, spelling := range []string{"%2B13125550142", url.PathEscape("+1 (312) 555-0142"), "+13125550142"} {
		var n contract.Number
		r := e.do("GET", "/v1/sites/site-a/numbers/"+spelling, a, nil)
		e.ok(r, 200, &n)
		if n.Number != "+13125550142" || n.Status != contract.StatusAvailable || r.header.Get("ETag") != `"1"` {
			t.Fatalf("%s: %+v %v", spelling, n, r.header)
		}
	}
	e.fails(e.do("GET", "/v1/sites/site-a/numbers/%2B13125550199", a, nil), 404, contract.CodeNotFound)

	var ph contract.Phone
	e.ok(e.do("POST", "/v1/sites/site-a/phones", a, map[string]any{"name": "Lobby", "model": "VVX 450"}), 201, &ph)
	var svc contract.Service
	e.ok(e.do("POST", "/v1/sites/site-a/services", a, map[string]any{"name": "Main line", "type": "auto_attendant"}), 201, &svc)

	path := "/v1/sites/site-a/numbers/%2B13125550142/assignment"
	var n contract.Number
	r = e.do("PUT", path, a, contract.Target{Type: contract.TargetPhone, ID: ph.ID})
	e.ok(r, 200, &n)
	if n.Status != contract.StatusAssigned || n.AssignedID != ph.ID || n.AssignedName != "Lobby" || r.header.Get("ETag") != `"2"` {
		t.Fatalf("assigned %+v %v", n, r.header)
	}
	if inv := e.inventory("site-a", a); inv.InUse != 1 || inv.Available != 4 {
		t.Fatalf("inventory %+v", inv)
	}
	// Move to the service: no new station.
	e.ok(e.do("PUT", path, a, contract.Target{Type: contract.TargetService, ID: svc.ID}, "If-Match", `"2"`), 200, &n)
	if n.AssignedType != contract.TargetService || n.Version != 3 {
		t.Fatalf("moved %+v", n)
	}
	if inv := e.inventory("site-a", a); inv.InUse != 1 {
		t.Fatalf("inventory %+v", inv)
	}
	e.fails(e.do("PUT", path, a, contract.Target{Type: contract.TargetPhone, ID: ph.ID}, "If-Match", `"2"`), 412, contract.CodePreconditionFailed)

	var assigned list[contract.Number]
	e.ok(e.do("GET", "/v1/sites/site-a/numbers?status=assigned&assigned_type=service&assigned_id="+svc.ID, a, nil), 200, &assigned)
	if len(assigned.Items) != 1 || assigned.Items[0].Number != "+13125550142" {
		t.Fatalf("filtered %+v", assigned)
	}
	var prefixed list[contract.Number]
	e.ok(e.do("GET", "/v1/sites/site-a/numbers?prefix=%2B1312555010", a, nil), 200, &prefixed)
	if len(prefixed.Items) != 5 {
		t.Fatalf("prefix: %d numbers", len(prefixed.Items))
	}

	r = e.do("DELETE", path, a, nil, "If-Match", `"3"`)
	e.ok(r, 200, &n)
	if n.Status != contract.StatusAvailable || n.AssignedID != "" || r.header.Get("ETag") != `"4"` {
		t.Fatalf("unassigned %+v", n)
	}
	if inv := e.inventory("site-a", a); inv.InUse != 0 || inv.Available != 5 {
		t.Fatalf("inventory %+v", inv)
	}
	e.ok(e.do("DELETE", path, a, nil), 200, &n) // already available: no-op
}

func TestNoStationsAvailable(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	a := e.site("site-a", 1, numbers(100, 102)...)
	var ph contract.Phone
	e.ok(e.do("POST", "/v1/sites/site-a/phones", a, map[string]any{"name": "Desk"}), 201, &ph)

	e.ok(e.do("PUT", "/v1/sites/site-a/numbers/%2B13125550100/assignment", a, contract.Target{Type: "phone", ID: ph.ID}), 200, nil)
	pe := e.fails(e.do("PUT", "/v1/sites/site-a/numbers/%2B13125550101/assignment", a, contract.Target{Type: "phone", ID: ph.ID}),
		409, contract.CodeNoStationsAvailable)
	if pe.Details["available"] != 0.0 || pe.Details["in_use"] != 1.0 || pe.Details["total"] != 1.0 {
		t.Errorf("details %v", pe.Details)
	}
	e.fails(e.do("POST", "/v1/sites/site-a/users", a, map[string]any{"email": "jane@example.com", "first_name": "Jane",
		"last_name": "Doe", "phone_number": "+13125550102"}), 409, contract.CodeNoStationsAvailable)
	if inv := e.inventory("site-a", a); inv.InUse != 1 || inv.Available != 0 {
		t.Fatalf("inventory %+v", inv)
	}
}

// TestStationsUnderConcurrency assigns more numbers than there are stations,
// all at once: exactly as many as there are stations succeed.
func TestStationsUnderConcurrency(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	a := e.site("site-a", 3, numbers(100, 109)...)
	var ph contract.Phone
	e.ok(e.do("POST", "/v1/sites/site-a/phones", a, map[string]any{"name": "Desk"}), 201, &ph)

	var wg sync.WaitGroup
	statuses := make([]int, 10)
	for i, n := range numbers(100, 109) {
		wg.Go(func() {
			statuses[i] = e.do("PUT", "/v1/sites/site-a/numbers/"+url.PathEscape(n)+"/assignment", a, contract.Target{Type: "phone", ID: ph.ID}).status
		})
	}
	wg.Wait()
	if ok := slices.DeleteFunc(slices.Clone(statuses), func(s int) bool { return s != 200 }); len(ok) != 3 {
		t.Fatalf("statuses %v: want three 200 and the rest 409", statuses)
	}
	if inv := e.inventory("site-a", a); inv.InUse != 3 || inv.Available != 0 {
		t.Fatalf("inventory %+v", inv)
	}
}

// TestUsers_emailInAnyCase: the API refuses a second user whose email
// differs only in case, finds users by email in any case, and answers with
// the spelling the user was created with.
func TestUsers_emailInAnyCase(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	a := e.site("site-a", 5, numbers(100, 101)...)
	var ada contract.User
	e.ok(e.do("POST", "/v1/sites/site-a/users", a, map[string]any{"email": "ada.lovelace@example.com",
		"first_name": "Ada", "last_name": "Lovelace", "phone_number": "+13125550100"}), 201, &ada)

	pe := e.fails(e.do("POST", "/v1/sites/site-a/users", a, map[string]any{"email": "ADA.LOVELACE@example.com",
		"first_name": "Ada", "last_name": "Again", "phone_number": "+13125550101"}), 409, contract.CodeConflict)
	if want := `email "ADA.LOVELACE@example.com" is already used by user Ada Lovelace <ada.lovelace@example.com> (` + ada.ID + `)`; pe.Message != want {
		t.Errorf("message %q, want %q", pe.Message, want)
	}
	var found list[contract.User]
	e.ok(e.do("GET", "/v1/sites/site-a/users?email=Ada.Lovelace%40EXAMPLE.com", a, nil), 200, &found)
	if len(found.Items) != 1 || found.Items[0] != ada {
		t.Fatalf("found %+v, want %+v", found, ada)
	}
}

func TestUsers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	a := e.site("site-a", 5, numbers(100, 102)...)
	jane := map[string]any{"email": "jane@example.com", "first_name": "Jane", "last_name": "Doe",
		"extension": "1001", "phone_number": "+1 312 555 0100", "voicemail_pin": "1234"}

	var u contract.User
	r := e.do("POST", "/v1/sites/site-a/users", a, jane)
	e.ok(r, 201, &u)
	if u.PhoneNumber != "+13125550100" || !u.VoicemailPINSet || r.header.Get("Location") != "/v1/sites/site-a/users/"+u.ID {
		t.Fatalf("created %+v %v", u, r.header)
	}
	if bytes.Contains(r.body, []byte("1234")) {
		t.Errorf("the PIN is echoed: %s", r.body)
	}
	e.fails(e.do("POST", "/v1/sites/site-a/users", a, jane), 409, contract.CodeUserNumberLocked)

	for _, q := range []string{"email=jane%40example.com", "phone_number=%2B13125550100", "phone_number=+13125550100"} {
		var found list[contract.User]
		e.ok(e.do("GET", "/v1/sites/site-a/users?"+q, a, nil), 200, &found)
		if len(found.Items) != 1 || found.Items[0].ID != u.ID {
			t.Fatalf("%s: %+v", q, found)
		}
	}
	var none list[contract.User]
	e.ok(e.do("GET", "/v1/sites/site-a/users?email=bob%40example.com", a, nil), 200, &none)
	if none.Items == nil || len(none.Items) != 0 {
		t.Fatalf("no match: %+v", none)
	}

	r = e.do("GET", "/v1/sites/site-a/users/"+u.ID, a, nil)
	e.ok(r, 200, &u)
	if r.header.Get("ETag") != `"1"` {
		t.Errorf("ETag %q", r.header.Get("ETag"))
	}
	r = e.do("PATCH", "/v1/sites/site-a/users/"+u.ID, a, map[string]any{"first_name": "Janet"}, "If-Match", `"1"`)
	e.ok(r, 200, &u)
	if u.FirstName != "Janet" || u.Version != 2 || r.header.Get("ETag") != `"2"` {
		t.Fatalf("updated %+v", u)
	}
	e.fails(e.do("PATCH", "/v1/sites/site-a/users/"+u.ID, a, map[string]any{"first_name": "J"}, "If-Match", `"1"`), 412, contract.CodePreconditionFailed)
	e.fails(e.do("DELETE", "/v1/sites/site-a/users/"+u.ID, a, nil, "If-Match", `"1"`), 412, contract.CodePreconditionFailed)
	e.fails(e.do("GET", "/v1/sites/site-a/users/usr_nobody", a, nil), 404, contract.CodeNotFound)
	e.fails(e.do("PATCH", "/v1/sites/site-a/users/usr_nobody", a, map[string]any{}), 404, contract.CodeNotFound)
}

func TestUserNumberLocked(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	a := e.site("site-a", 5, numbers(100, 101)...)
	var u contract.User
	e.ok(e.do("POST", "/v1/sites/site-a/users", a, map[string]any{"email": "jane@example.com", "first_name": "Jane",
		"last_name": "Doe", "phone_number": "+13125550100"}), 201, &u)
	var ph contract.Phone
	e.ok(e.do("POST", "/v1/sites/site-a/phones", a, map[string]any{"name": "Desk"}), 201, &ph)

	path := "/v1/sites/site-a/numbers/%2B13125550100/assignment"
	pe := e.fails(e.do("PUT", path, a, contract.Target{Type: "phone", ID: ph.ID}), 409, contract.CodeUserNumberLocked)
	if pe.Details["assigned_id"] != u.ID {
		t.Errorf("details %v", pe.Details)
	}
	e.fails(e.do("DELETE", path, a, nil), 409, contract.CodeUserNumberLocked)
	pe = e.fails(e.do("PATCH", "/v1/sites/site-a/users/"+u.ID, a, map[string]any{"phone_number": "+13125550101"}), 409, contract.CodeUserNumberLocked)
	if pe.Details["field"] != "phone_number" {
		t.Errorf("details %v", pe.Details)
	}
}

func TestDeleteUserFreesNumber(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	a := e.site("site-a", 2, numbers(100, 100)...)
	var u contract.User
	e.ok(e.do("POST", "/v1/sites/site-a/users", a, map[string]any{"email": "jane@example.com", "first_name": "Jane",
		"last_name": "Doe", "phone_number": "+13125550100"}), 201, &u)
	if inv := e.inventory("site-a", a); inv.InUse != 1 || inv.Available != 1 {
		t.Fatalf("before: %+v", inv)
	}

	r := e.do("DELETE", "/v1/sites/site-a/users/"+u.ID, a, nil, "If-Match", `"1"`)
	if r.status != 204 || len(r.body) != 0 {
		t.Fatalf("delete: %d %s", r.status, r.body)
	}
	if inv := e.inventory("site-a", a); inv.InUse != 0 || inv.Available != 2 {
		t.Fatalf("after: %+v", inv)
	}
	var n contract.Number
	e.ok(e.do("GET", "/v1/sites/site-a/numbers/%2B13125550100", a, nil), 200, &n)
	if n.Status != contract.StatusAvailable || n.AssignedID != "" {
		t.Fatalf("number %+v", n)
	}
	e.fails(e.do("GET", "/v1/sites/site-a/users/"+u.ID, a, nil), 404, contract.CodeNotFound)
	e.fails(e.do("DELETE", "/v1/sites/site-a/users/"+u.ID, a, nil), 404, contract.CodeNotFound)
}

func TestIfNoneMatch(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	a := e.site("site-a", 5, numbers(100, 101)...)
	var p1, p2 contract.Phone
	e.ok(e.do("POST", "/v1/sites/site-a/phones", a, map[string]any{"name": "One"}), 201, &p1)
	e.ok(e.do("POST", "/v1/sites/site-a/phones", a, map[string]any{"name": "Two"}), 201, &p2)

	path := "/v1/sites/site-a/numbers/%2B13125550100/assignment"
	e.ok(e.do("PUT", path, a, contract.Target{Type: "phone", ID: p1.ID}, "If-None-Match", "*"), 200, nil)
	pe := e.fails(e.do("PUT", path, a, contract.Target{Type: "phone", ID: p2.ID}, "If-None-Match", "*"), 409, contract.CodeNumberUnavailable)
	if pe.Details["assigned_id"] != p1.ID || pe.Details["assigned_name"] != "One" {
		t.Errorf("details %v", pe.Details)
	}
	var n contract.Number
	e.ok(e.do("PUT", path, a, contract.Target{Type: "phone", ID: p2.ID}), 200, &n)
	if n.AssignedID != p2.ID {
		t.Fatalf("moved %+v", n)
	}
}

func TestPhonesAndServices(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	a := e.site("site-a", 5, numbers(100, 100)...)
	for _, kind := range []struct {
		path string
		body map[string]any
		typ  contract.TargetType
	}{
		{"phones", map[string]any{"name": "Lobby", "model": "VVX 450"}, contract.TargetPhone},
		{"services", map[string]any{"name": "Sales queue", "type": "call_queue"}, contract.TargetService},
	} {
		base := "/v1/sites/site-a/" + kind.path
		var created struct {
			ID      string
			Name    string
			Version int64
		}
		r := e.do("POST", base, a, kind.body)
		e.ok(r, 201, &created)
		if r.header.Get("Location") != base+"/"+created.ID || r.header.Get("ETag") != `"1"` {
			t.Fatalf("%s: headers %v", kind.path, r.header)
		}
		e.fails(e.do("POST", base, a, kind.body), 409, contract.CodeConflict)
		e.ok(e.do("GET", base+"/"+created.ID, a, nil), 200, nil)

		var found list[map[string]any]
		e.ok(e.do("GET", base+"?name="+url.QueryEscape(created.Name), a, nil), 200, &found)
		if len(found.Items) != 1 || found.Items[0]["id"] != created.ID {
			t.Fatalf("%s by name: %+v", kind.path, found)
		}

		assignment := "/v1/sites/site-a/numbers/%2B13125550100/assignment"
		e.ok(e.do("PUT", assignment, a, contract.Target{Type: kind.typ, ID: created.ID}), 200, nil)
		e.fails(e.do("DELETE", base+"/"+created.ID, a, nil), 409, contract.CodeConflict)
		e.ok(e.do("DELETE", assignment, a, nil), 200, nil)
		if r := e.do("DELETE", base+"/"+created.ID, a, nil); r.status != 204 {
			t.Fatalf("%s delete: %d %s", kind.path, r.status, r.body)
		}
		e.fails(e.do("GET", base+"/"+created.ID, a, nil), 404, contract.CodeNotFound)
		e.fails(e.do("DELETE", base+"/"+created.ID, a, nil), 404, contract.CodeNotFound)
	}
	pe := e.fails(e.do("POST", "/v1/sites/site-a/services", a, map[string]any{"name": "X", "type": "fax"}), 422, contract.CodeValidationFailed)
	if pe.Details["field"] != "type" {
		t.Errorf("details %v", pe.Details)
	}
}

func TestValidation(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	a := e.site("site-a", 5, numbers(100, 100)...)
	var u contract.User
	e.ok(e.do("POST", "/v1/sites/site-a/users", a, map[string]any{"email": "jane@example.com", "first_name": "Jane",
		"last_name": "Doe", "phone_number": "+13125550100"}), 201, &u)
	user := "/v1/sites/site-a/users/" + u.ID
	assignment := "/v1/sites/site-a/numbers/%2B13125550100/assignment"

	cases := []struct {
		method, path string
		body         any
		headers      []string
		field        string
	}{
		{"POST", "/v1/sites/site-a/users", map[string]any{"email": "not an email", "first_name": "A", "last_name": "B", "phone_number": "+13125550100"}, nil, "email"},
		{"POST", "/v1/sites/site-a/users", map[string]any{"email": "a@example.com", "last_name": "B", "phone_number": "+13125550100"}, nil, "first_name"},
		{"POST", "/v1/sites/site-a/phones", map[string]any{"name": "x", "colour": "red"}, nil, "colour"},
		{"POST", "/v1/sites/site-a/phones", map[string]any{"name": 5}, nil, "name"},
		{"POST", "/v1/sites/site-a/phones", `{"name":`, nil, "body"},
		{"POST", "/v1/sites/site-a/phones", `{"name":"a"} {"name":"b"}`, nil, "body"},
		{"POST", "/v1/sites/site-a/phones", "", nil, "body"},
		{"POST", "/v1/sites/site-a/phones", `[]`, nil, "body"},
		{"POST", "/v1/sites", map[string]any{"id": "Bad ID"}, nil, "id"},
		{"POST", "/v1/sites/site-a/numbers", map[string]any{"ranges": []map[string]string{{"from": "+13125550200", "to": "+13125550100"}}}, nil, "ranges[0]"},
		{"POST", "/v1/sites/site-a/numbers", map[string]any{"ranges": []map[string]string{{"from": "+13125550000", "to": "+13125559999"}, {"from": "+13125560000", "to": "+13125560000"}}}, nil, "ranges[1]"},
		{"POST", "/v1/sites/site-a/numbers", map[string]any{"ranges": []map[string]string{{"from": "+13125500000", "to": "+13125510000"}}}, nil, "ranges[0]"},
		{"POST", "/v1/sites/site-a/numbers", map[string]any{"ranges": []map[string]string{{"from": "+1555", "to": "+13125550100"}}}, nil, "ranges[0].from"},
		{"POST", "/v1/sites/site-a/numbers", map[string]any{"numbers": []string{}}, nil, "numbers"},
		{"GET", "/v1/sites/site-a/numbers?limit=0", nil, nil, "limit"},
		{"GET", "/v1/sites/site-a/numbers?limit=1001", nil, nil, "limit"},
		{"GET", "/v1/sites/site-a/numbers?limit=ten", nil, nil, "limit"},
		{"GET", "/v1/sites/site-a/numbers?cursor=***", nil, nil, "cursor"},
		{"GET", "/v1/sites/site-a/numbers?status=free", nil, nil, "status"},
		{"GET", "/v1/sites/site-a/numbers?assigned_type=robot", nil, nil, "assigned_type"},
		{"GET", "/v1/sites/site-a/numbers/export.csv?prefix=abc", nil, nil, "prefix"},
		{"GET", "/v1/sites/site-a/numbers?prefix=%2B", nil, nil, "prefix"},
		{"GET", "/v1/sites/site-a/users?phone_number=12", nil, nil, "phone_number"},
		{"GET", "/v1/sites/site-a/numbers/12345", nil, nil, "number"},
		{"PATCH", user, map[string]any{}, []string{"If-Match", "1"}, "If-Match"},
		{"PATCH", user, map[string]any{}, []string{"If-Match", `"0"`}, "If-Match"},
		{"PATCH", user, map[string]any{}, []string{"If-Match", `W/"1"`}, "If-Match"},
		{"PUT", assignment, contract.Target{Type: "phone", ID: "ph_x"}, []string{"If-None-Match", `"1"`}, "If-None-Match"},
		{"PUT", assignment, contract.Target{Type: "user", ID: u.ID}, nil, "type"},
		{"POST", "/v1/sites/site-a/phones", map[string]any{"name": "x"}, []string{"Idempotency-Key", "has spaces"}, "Idempotency-Key"},
	}
	for _, c := range cases {
		secret := a
		if strings.HasPrefix(c.path, "/v1/sites?") || c.path == "/v1/sites" || strings.HasSuffix(c.path, "/numbers") && c.method == "POST" {
			secret = e.admin
		}
		pe := e.fails(e.do(c.method, c.path, secret, c.body, c.headers...), 422, contract.CodeValidationFailed)
		if pe.Details["field"] != c.field {
			t.Errorf("%s %s: details.field %v, want %s (%s)", c.method, c.path, pe.Details["field"], c.field, pe.Message)
		}
	}
}

func TestNotRouted(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	e.fails(e.do("GET", "/v1/nothing", e.admin, nil), 404, contract.CodeNotFound)
	r := e.do("POST", "/v1/healthz", "", nil)
	e.fails(r, 405, contract.CodeValidationFailed)
	if r.header.Get("Allow") != "GET" {
		t.Errorf("Allow %q", r.header.Get("Allow"))
	}
	r = e.do("DELETE", "/v1/sites/x", e.admin, nil)
	e.fails(r, 405, contract.CodeValidationFailed)
	if r.header.Get("Allow") != "GET, PATCH" {
		t.Errorf("Allow %q", r.header.Get("Allow"))
	}
}

func TestPagination(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	want := numbers(100, 124)
	a := e.site("site-a", 25, want...)
	for i := range 5 {
		e.ok(e.do("POST", "/v1/sites/site-a/users", a, map[string]any{"email": fmt.Sprintf("u%d@example.com", i),
			"first_name": "U", "last_name": fmt.Sprint(i), "phone_number": want[i]}), 201, nil)
	}
	for _, id := range []string{"s1", "s2", "s3"} {
		e.site(id, 0)
	}

	numberKey := func(n contract.Number) string { return n.Number }
	if got := walk(e, "/v1/sites/site-a/numbers", a, 7, numberKey); !slices.Equal(got, want) {
		t.Fatalf("numbers walked %v", got)
	}
	if got := walk(e, "/v1/sites/site-a/numbers", a, 25, numberKey); !slices.Equal(got, want) {
		t.Fatalf("one full page: %v", got)
	}
	if got := walk(e, "/v1/sites/site-a/numbers?status=assigned", a, 2, numberKey); !slices.Equal(got, want[:5]) {
		t.Fatalf("assigned walked %v", got)
	}
	users := walk(e, "/v1/sites/site-a/users", a, 2, func(u contract.User) string { return u.ID })
	if len(users) != 5 || !slices.IsSorted(users) || len(slices.Compact(slices.Clone(users))) != 5 {
		t.Fatalf("users walked %v", users)
	}
	sites := walk(e, "/v1/sites", e.admin, 2, func(s contract.Site) string { return s.ID })
	if !slices.Equal(sites, []string{"s1", "s2", "s3", "site-a"}) {
		t.Fatalf("sites walked %v", sites)
	}
}

// TestNumberRanges: the ranges list folds the numbers a filter matches into
// runs of consecutive numbers, a page of runs never cuts one, and a run
// longer than the store's page of rows is still one run.
func TestNumberRanges(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	a := e.site("site-a", 10, append(numbers(100, 124), numbers(130, 131)...)...)
	for _, n := range []string{"+13125550103", "+13125550110"} {
		e.ok(e.do("POST", "/v1/sites/site-a/users", a, map[string]any{"email": "u" + n[8:] + "@example.com",
			"first_name": "U", "last_name": n[8:], "phone_number": n}), 201, nil)
	}
	run := func(r contract.NumberRange) string { return r.From + ".." + r.To }
	free := []string{"+13125550100..+13125550102", "+13125550104..+13125550109", "+13125550111..+13125550124", "+13125550130..+13125550131"}
	for _, limit := range []int{1, 2, 3, 1000} {
		if got := walk(e, "/v1/sites/site-a/numbers/ranges?status=available", a, limit, run); !slices.Equal(got, free) {
			t.Errorf("available runs, pages of %d: %v, want %v", limit, got, free)
		}
	}
	if got := walk(e, "/v1/sites/site-a/numbers/ranges?status=assigned", a, 1000, run); !slices.Equal(got, []string{"+13125550103..+13125550103", "+13125550110..+13125550110"}) {
		t.Errorf("assigned runs: %v", got)
	}
	b := e.site("site-b", 0, numbers(2000, 4499)...)
	if got := walk(e, "/v1/sites/site-b/numbers/ranges", b, 1, run); !slices.Equal(got, []string{"+13125552000..+13125554499"}) {
		t.Errorf("2,500 consecutive numbers: %v, want one run", got)
	}
	e.ok(e.do("GET", "/v1/sites/site-a/numbers/ranges?status=free", a, nil), 422, nil)
	e.ok(e.do("GET", "/v1/sites/site-b/numbers/ranges", a, nil), 403, nil)
}

// walk reads every page of a list and returns the keys in order, checking
// page sizes and that only the last page lacks next_cursor.
func walk[T any](e *env, path, secret string, limit int, key func(T) string) []string {
	e.t.Helper()
	var keys []string
	sep := "?"
	if strings.Contains(path, "?") {
		sep = "&"
	}
	cursor := ""
	for pages := 0; ; pages++ {
		if pages > 100 {
			e.t.Fatal("too many pages")
		}
		var page list[T]
		e.ok(e.do("GET", path+sep+"limit="+fmt.Sprint(limit)+"&cursor="+cursor, secret, nil), 200, &page)
		if len(page.Items) > limit || page.NextCursor != "" && len(page.Items) != limit {
			e.t.Fatalf("page of %d items with limit %d, next %q", len(page.Items), limit, page.NextCursor)
		}
		for _, it := range page.Items {
			keys = append(keys, key(it))
		}
		if page.NextCursor == "" {
			return keys
		}
		cursor = page.NextCursor
	}
}

func TestIdempotentCreate(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	a := e.site("site-a", 5, numbers(100, 102)...)
	jane := map[string]any{"email": "jane@example.com", "first_name": "Jane", "last_name": "Doe", "phone_number": "+13125550100"}

	first := e.do("POST", "/v1/sites/site-a/users", a, jane, "Idempotency-Key", "k-1")
	e.ok(first, 201, nil)
	if first.header.Get("Idempotent-Replayed") != "" {
		t.Error("first response marked replayed")
	}
	again := e.do("POST", "/v1/sites/site-a/users", a, jane, "Idempotency-Key", "k-1")
	e.ok(again, 201, nil)
	if !bytes.Equal(again.body, first.body) || again.header.Get("Idempotent-Replayed") != "true" ||
		again.header.Get("Location") != first.header.Get("Location") || again.header.Get("ETag") != `"1"` {
		t.Fatalf("replay %s %v, first %s %v", again.body, again.header, first.body, first.header)
	}
	var users list[contract.User]
	e.ok(e.do("GET", "/v1/sites/site-a/users", a, nil), 200, &users)
	if len(users.Items) != 1 || e.inventory("site-a", a).InUse != 1 {
		t.Fatalf("users %+v", users)
	}

	bob := map[string]any{"email": "bob@example.com", "first_name": "Bob", "last_name": "Roe", "phone_number": "+13125550101"}
	e.fails(e.do("POST", "/v1/sites/site-a/users", a, bob, "Idempotency-Key", "k-1"), 409, contract.CodeIdempotencyKeyReused)
	// The same key on another path is another request too.
	e.fails(e.do("POST", "/v1/sites/site-a/phones", a, map[string]any{"name": "x"}, "Idempotency-Key", "k-1"), 409, contract.CodeIdempotencyKeyReused)

	// A create that failed left no record: fixing the body and retrying works.
	bad := map[string]any{"email": "bob@", "first_name": "Bob", "last_name": "Roe", "phone_number": "+13125550101"}
	e.fails(e.do("POST", "/v1/sites/site-a/users", a, bad, "Idempotency-Key", "k-2"), 422, contract.CodeValidationFailed)
	e.ok(e.do("POST", "/v1/sites/site-a/users", a, bob, "Idempotency-Key", "k-2"), 201, nil)

	// Keys belong to the token that sent them.
	ph := map[string]any{"name": "Desk"}
	e.ok(e.do("POST", "/v1/sites/site-a/phones", a, ph, "Idempotency-Key", "k-3"), 201, nil)
	e.fails(e.do("POST", "/v1/sites/site-a/phones", e.admin, ph, "Idempotency-Key", "k-3"), 409, contract.CodeConflict)
}

// TestEarlierCreate looks a create up by its key, as a later run does that
// lost its answer, and sends it again after its object was deleted: the key
// then makes a new object instead of replaying a gone one.
func TestEarlierCreate(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	a := e.site("site-a", 5, numbers(100, 102)...)
	b := e.site("site-b", 5, numbers(200, 201)...)
	jane := map[string]any{"email": "jane@example.com", "first_name": "Jane", "last_name": "Doe", "phone_number": "+13125550100"}
	var u contract.User
	e.ok(e.do("POST", "/v1/sites/site-a/users", a, jane, "Idempotency-Key", "k-1"), 201, &u)

	var earlier contract.EarlierCreate
	e.ok(e.do("GET", "/v1/sites/site-a/idempotency-keys/k-1", a, nil), 200, &earlier)
	if earlier.Location != "/v1/sites/site-a/users/"+u.ID || earlier.Status != 201 || earlier.Key != "k-1" {
		t.Fatalf("earlier create %+v, want user %s", earlier, u.ID)
	}
	// Another token, or another site's path, finds nothing.
	e.fails(e.do("GET", "/v1/sites/site-a/idempotency-keys/k-1", e.admin, nil), 404, contract.CodeNotFound)
	e.fails(e.do("GET", "/v1/sites/site-b/idempotency-keys/k-1", b, nil), 404, contract.CodeNotFound)

	// Deleted, the user is neither found by its key nor replayed: the
	// same create makes a new one.
	e.ok(e.do("DELETE", "/v1/sites/site-a/users/"+u.ID, a, nil), 204, nil)
	e.fails(e.do("GET", "/v1/sites/site-a/idempotency-keys/k-1", a, nil), 404, contract.CodeNotFound)
	var again contract.User
	r := e.do("POST", "/v1/sites/site-a/users", a, jane, "Idempotency-Key", "k-1")
	e.ok(r, 201, &again)
	if again.ID == u.ID || r.header.Get("Idempotent-Replayed") != "" {
		t.Fatalf("create after delete: %+v replayed=%q, want a new user", again, r.header.Get("Idempotent-Replayed"))
	}
	e.ok(e.do("GET", "/v1/sites/site-a/idempotency-keys/k-1", a, nil), 200, &earlier)
	if earlier.Location != "/v1/sites/site-a/users/"+again.ID {
		t.Fatalf("earlier create %+v, want the new user %s", earlier, again.ID)
	}
	// The new record replays like the first.
	replay := e.do("POST", "/v1/sites/site-a/users", a, jane, "Idempotency-Key", "k-1")
	e.ok(replay, 201, nil)
	if replay.header.Get("Idempotent-Replayed") != "true" || e.inventory("site-a", a).InUse != 1 {
		t.Fatalf("replay %v, inventory %+v", replay.header, e.inventory("site-a", a))
	}
}

// TestIdempotentCreateConcurrent sends one create many times at once, as a
// client retrying over a flaky network might: one user is created and every
// answer is that user.
func TestIdempotentCreateConcurrent(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	a := e.site("site-a", 5, numbers(100, 100)...)
	jane := map[string]any{"email": "jane@example.com", "first_name": "Jane", "last_name": "Doe", "phone_number": "+13125550100"}

	var wg sync.WaitGroup
	bodies := make([]resp, 8)
	for i := range bodies {
		wg.Go(func() { bodies[i] = e.do("POST", "/v1/sites/site-a/users", a, jane, "Idempotency-Key", "same") })
	}
	wg.Wait()
	replays := 0
	for _, r := range bodies {
		e.ok(r, 201, nil)
		if !bytes.Equal(r.body, bodies[0].body) {
			t.Fatalf("different answers: %s vs %s", r.body, bodies[0].body)
		}
		if r.header.Get("Idempotent-Replayed") == "true" {
			replays++
		}
	}
	if replays != len(bodies)-1 {
		t.Fatalf("%d replays of %d", replays, len(bodies))
	}
}

func TestRateLimit(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	e := newEnv(t, Options{RateLimit: 1, Burst: 2, Clock: clock.Now})
	a := e.site("site-a", 1)
	b := e.token("other", "site-a", false)

	for range 2 {
		e.ok(e.do("GET", "/v1/sites/site-a", a, nil), 200, nil)
	}
	r := e.do("GET", "/v1/sites/site-a", a, nil)
	pe := e.fails(r, 429, contract.CodeRateLimited)
	if r.header.Get("Retry-After") != "1" || pe.Details["retry_after_seconds"] != 1.0 {
		t.Fatalf("Retry-After %q, details %v", r.header.Get("Retry-After"), pe.Details)
	}
	// Other tokens have their own bucket; public routes none.
	e.ok(e.do("GET", "/v1/sites/site-a", b, nil), 200, nil)
	e.ok(e.do("GET", "/v1/healthz", "", nil), 200, nil)

	// The bucket refills at 1 request per second: not a moment sooner.
	clock.Advance(999 * time.Millisecond)
	e.fails(e.do("GET", "/v1/sites/site-a", a, nil), 429, contract.CodeRateLimited)
	clock.Advance(time.Millisecond)
	e.ok(e.do("GET", "/v1/sites/site-a", a, nil), 200, nil)
}

func TestBodyLimit(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{MaxBodyBytes: 256})
	a := e.site("site-a", 1)
	r := e.do("POST", "/v1/sites/site-a/phones", a, map[string]any{"name": strings.Repeat("x", 1000)})
	pe := e.fails(r, 413, contract.CodeValidationFailed)
	if !strings.Contains(pe.Message, "256 bytes") {
		t.Errorf("message %q does not say the limit", pe.Message)
	}
	e.ok(e.do("POST", "/v1/sites/site-a/phones", a, map[string]any{"name": "small"}), 201, nil)
}

func TestExportCSV(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	all := numbers(100, 649) // more than one page of the store
	a := e.site("site-a", 10, all...)
	var u contract.User
	e.ok(e.do("POST", "/v1/sites/site-a/users", a, map[string]any{"email": "jane@example.com", "first_name": "Jane",
		"last_name": "Doe", "phone_number": all[0]}), 201, &u)
	var ph contract.Phone
	e.ok(e.do("POST", "/v1/sites/site-a/phones", a, map[string]any{"name": "Lobby, east"}), 201, &ph)
	e.ok(e.do("PUT", "/v1/sites/site-a/numbers/"+url.PathEscape(all[520])+"/assignment", a, contract.Target{Type: "phone", ID: ph.ID}), 200, nil)

	r := e.do("GET", "/v1/sites/site-a/numbers/export.csv", a, nil)
	if r.status != 200 {
		t.Fatalf("export: %d %s", r.status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "text/csv; charset=utf-8" {
		t.Errorf("Content-Type %q", ct)
	}
	if cd := r.header.Get("Content-Disposition"); cd != `attachment; filename="site-a-numbers.csv"` {
		t.Errorf("Content-Disposition %q", cd)
	}
	rows, err := csv.NewReader(bytes.NewReader(r.body)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(rows[0], contract.CSVHeader) {
		t.Fatalf("header %v", rows[0])
	}
	if len(rows) != len(all)+1 {
		t.Fatalf("%d rows for %d numbers", len(rows)-1, len(all))
	}
	for i, row := range rows[1:] {
		if row[0] != all[i] {
			t.Fatalf("row %d is %v, want %s", i, row, all[i])
		}
	}
	if want := []string{all[0], "assigned", "user", u.ID, "Jane Doe"}; !slices.Equal(rows[1], want) {
		t.Errorf("user row %v, want %v", rows[1], want)
	}
	if want := []string{all[520], "assigned", "phone", ph.ID, "Lobby, east"}; !slices.Equal(rows[521], want) {
		t.Errorf("phone row %v, want %v", rows[521], want)
	}
	if want := []string{all[1], "available", "", "", ""}; !slices.Equal(rows[2], want) {
		t.Errorf("available row %v, want %v", rows[2], want)
	}

	r = e.do("GET", "/v1/sites/site-a/numbers/export.csv?status=assigned", a, nil)
	if rows, _ := csv.NewReader(bytes.NewReader(r.body)).ReadAll(); len(rows) != 3 {
		t.Fatalf("assigned export: %v", rows)
	}
	e.fails(e.do("GET", "/v1/sites/nowhere/numbers/export.csv", e.admin, nil), 404, contract.CodeNotFound)
}

func TestIdempotencyKeysExpire(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	e := newEnv(t, Options{IdempotencyTTL: time.Hour, Clock: clock.Now})
	a := e.site("site-a", 1)
	e.ok(e.do("POST", "/v1/sites/site-a/phones", a, map[string]any{"name": "A"}, "Idempotency-Key", "k"), 201, nil)
	// Within the TTL the key is still the first create's.
	clock.Advance(time.Hour - time.Millisecond)
	e.fails(e.do("POST", "/v1/sites/site-a/phones", a, map[string]any{"name": "B"}, "Idempotency-Key", "k"), 409, contract.CodeIdempotencyKeyReused)
	clock.Advance(2 * time.Millisecond)
	r := e.do("POST", "/v1/sites/site-a/phones", a, map[string]any{"name": "B"}, "Idempotency-Key", "k")
	e.ok(r, 201, nil)
	if r.header.Get("Idempotent-Replayed") != "" {
		t.Fatal("an expired key was replayed")
	}
}

// TestIdempotencyKeyExpiredBeforeTheSweep: a record past its TTL that no
// write has swept yet (sweeps run once a minute) still counts as gone.
func TestIdempotencyKeyExpiredBeforeTheSweep(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	e := newEnv(t, Options{IdempotencyTTL: 10 * time.Second, Clock: clock.Now})
	a := e.site("site-a", 1)
	e.ok(e.do("POST", "/v1/sites/site-a/phones", a, map[string]any{"name": "A"}, "Idempotency-Key", "k"), 201, nil)
	clock.Advance(11 * time.Second) // expired; the next sweep is due in 49 s
	r := e.do("POST", "/v1/sites/site-a/phones", a, map[string]any{"name": "B"}, "Idempotency-Key", "k")
	e.ok(r, 201, nil)
	if r.header.Get("Idempotent-Replayed") != "" {
		t.Fatal("an expired key was replayed")
	}
}
