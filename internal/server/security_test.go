package server

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
)

// secFixture is a portal with two sites, each with a user, a phone and two
// services, for the security test.
type secFixture struct {
	e              *env
	a, b           string // site tokens of site-a and site-b
	user, phone    map[string]string
	service, spare map[string]string // spare: a service that holds no number
}

// secKey is the Idempotency-Key of a create that each site's token sent.
const secKey = "security-test-create"

// Each site has +13125550<n>00 (the user's), <n>01 (available), <n>02 (the
// first service's) and <n>03 (available), n = 1 for site-a, 2 for site-b.
func newSecFixture(t *testing.T) *secFixture {
	t.Helper()
	e := newEnv(t, Options{})
	f := &secFixture{e: e, user: map[string]string{}, phone: map[string]string{}, service: map[string]string{}, spare: map[string]string{}}
	f.a = e.site("site-a", 10, numbers(100, 103)...)
	f.b = e.site("site-b", 10, numbers(200, 203)...)
	for site, n := range map[string]int{"site-a": 1, "site-b": 2} {
		base := "/v1/sites/" + site
		var u contract.User
		var ph contract.Phone
		var svc, spare contract.Service
		e.ok(e.do("POST", base+"/users", e.admin, map[string]any{"email": "jane@" + site + ".example.com",
			"first_name": "Jane", "last_name": "Doe", "phone_number": numbers(n*100, n*100)[0]}), 201, &u)
		e.ok(e.do("POST", base+"/phones", e.admin, map[string]any{"name": "Desk"}), 201, &ph)
		e.ok(e.do("POST", base+"/services", e.admin, map[string]any{"name": "Main", "type": "auto_attendant"}), 201, &svc)
		e.ok(e.do("POST", base+"/services", e.admin, map[string]any{"name": "Spare", "type": "call_queue"}), 201, &spare)
		e.ok(e.do("PUT", base+"/numbers/%2B"+numbers(n*100+2, n*100+2)[0][1:]+"/assignment", e.admin,
			contract.Target{Type: contract.TargetService, ID: svc.ID}), 200, nil)
		f.user[site], f.phone[site], f.service[site], f.spare[site] = u.ID, ph.ID, svc.ID, spare.ID
		// A create the site's own token sent with a key, for the route
		// that looks such a create up.
		token := map[string]string{"site-a": f.a, "site-b": f.b}[site]
		e.ok(e.do("POST", base+"/phones", token, map[string]any{"name": "Keyed"}, "Idempotency-Key", secKey), 201, nil)
	}
	return f
}

// request is a route's request on site: the path with its wildcards filled
// in with site's objects and, for writes, a body the rules accept, so that
// a missing check would show as a change.
func (f *secFixture) request(t *testing.T, rt route, site string) (string, any) {
	t.Helper()
	n := map[string]int{"site-a": 1, "site-b": 2}[site]
	id := map[string]string{"users": f.user[site], "phones": f.phone[site], "services": f.spare[site]}
	path := rt.path
	for kind, v := range id {
		if strings.Contains(path, "/"+kind+"/{id}") {
			path = strings.Replace(path, "{id}", v, 1)
		}
	}
	path = strings.NewReplacer("{site}", site, "{key}", secKey, "{number}", "%2B"+numbers(n*100+2, n*100+2)[0][1:]).Replace(path)
	free := numbers(n*100+3, n*100+3)[0]
	bodies := map[string]any{
		"POST /v1/sites":                                   map[string]any{"id": "site-x", "stations_purchased": 1},
		"PATCH /v1/sites/{site}":                           map[string]any{"stations_purchased": 9},
		"POST /v1/tokens":                                  map[string]any{"name": "x", "site": site},
		"POST /v1/sites/{site}/numbers":                    map[string]any{"numbers": []string{"+13125559999"}},
		"PUT /v1/sites/{site}/numbers/{number}/assignment": contract.Target{Type: contract.TargetPhone, ID: f.phone[site]},
		"POST /v1/sites/{site}/users": map[string]any{"email": "eve@example.com", "first_name": "Eve", "last_name": "Roe",
			"phone_number": free},
		"PATCH /v1/sites/{site}/users/{id}": map[string]any{"email": "jane@" + site + ".example.com", "first_name": "Janet",
			"last_name": "Doe", "phone_number": numbers(n*100, n*100)[0]},
		"POST /v1/sites/{site}/phones":                        map[string]any{"name": "Intruder"},
		"PATCH /v1/sites/{site}/phones/{id}":                  map[string]any{"name": "Renamed"},
		"POST /v1/sites/{site}/services":                      map[string]any{"name": "Intruder", "type": "auto_attendant"},
		"PATCH /v1/sites/{site}/services/{id}":                map[string]any{"name": "Renamed", "type": "call_queue"},
		"DELETE /v1/sites/{site}/users/{id}":                  nil,
		"DELETE /v1/sites/{site}/phones/{id}":                 nil,
		"DELETE /v1/sites/{site}/services/{id}":               nil,
		"DELETE /v1/sites/{site}/numbers/{number}/assignment": nil,
	}
	body, ok := bodies[rt.method+" "+rt.path]
	if !ok && rt.method != "GET" {
		t.Fatalf("%s %s: no request in the security test: add one", rt.method, rt.path)
	}
	return path, body
}

// snapshot is everything the portal holds of its sites, to compare.
func (f *secFixture) snapshot(t *testing.T) string {
	t.Helper()
	var all []any
	err := f.e.store.View(context.Background(), func(tx portal.Tx) error {
		sites, err := tx.ListSites()
		if err != nil {
			return err
		}
		all = append(all, sites)
		everything := portal.Page{Limit: 10000}
		for _, s := range sites {
			ns, err := tx.ListNumbers(s.ID, contract.NumberFilter{}, everything)
			if err != nil {
				return err
			}
			us, err := tx.ListUsers(s.ID, everything)
			if err != nil {
				return err
			}
			phs, err := tx.Phones().List(s.ID, everything)
			if err != nil {
				return err
			}
			svcs, err := tx.Services().List(s.ID, everything)
			if err != nil {
				return err
			}
			all = append(all, ns, us, phs, svcs)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(all)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestSecurityEveryRoute walks the route table, so a new route is covered
// as soon as it is served: a token of site A gets nothing of site B (403
// or 404) and changes nothing; a missing or malformed Authorization header
// is 401 and changes nothing; an admin-only route refuses a site token,
// even on its own site. Each refused request is then sent as it should be,
// on a fresh portal, and must succeed: the refusal is the check's, not the
// request's.
func TestSecurityEveryRoute(t *testing.T) {
	t.Parallel()
	f := newSecFixture(t)
	e := f.e
	before := f.snapshot(t)
	unchanged := func(what string) {
		t.Helper()
		if after := f.snapshot(t); after != before {
			t.Fatalf("%s changed the portal:\nbefore %s\nafter  %s", what, before, after)
		}
	}
	for _, rt := range routes {
		if rt.access == public {
			continue
		}
		name := rt.method + " " + rt.path
		pathB, bodyB := f.request(t, rt, "site-b")

		// A's token on B's objects.
		if strings.Contains(rt.path, "{site}") || rt.path == "/v1/tokens" {
			r := e.do(rt.method, pathB, f.a, bodyB)
			if r.status != 403 && r.status != 404 {
				t.Errorf("%s with site-a's token on site-b: %d, want 403 or 404: %s", name, r.status, r.body)
			} else {
				e.fails(r, r.status, map[int]contract.Code{403: contract.CodeForbidden, 404: contract.CodeNotFound}[r.status])
			}
			unchanged(name + " with site-a's token on site-b")
		}
		// No token, or one sent wrong: B's own token, so a lax parser would let it in.
		for _, auth := range []string{"", "Bearer", "Bearer ", "Basic " + f.b, "Bearer  " + f.b, "Bearer\t" + f.b,
			"Token " + f.b, f.b, "Bearer " + f.b + "x", "Bearer " + f.b + " " + f.b, "Bearer " + strings.ToUpper(f.b)} {
			var headers []string
			if auth != "" {
				headers = []string{"Authorization", auth}
			}
			r := e.do(rt.method, pathB, "", bodyB, headers...)
			if r.status != 401 {
				t.Errorf("%s with Authorization %q: %d, want 401: %s", name, auth, r.status, r.body)
				continue
			}
			e.fails(r, 401, contract.CodeUnauthorized)
		}
		unchanged(name + " without a valid Authorization header")
		// An admin-only route refuses a site token, on its own site too.
		if rt.access == adminOnly {
			e.fails(e.do(rt.method, pathB, f.b, bodyB), 403, contract.CodeForbidden)
			unchanged(name + " with a site token")
		}

		// The same request, with the token it needs, on a fresh portal.
		fresh := newSecFixture(t)
		pathB, bodyB = fresh.request(t, rt, "site-b")
		secret, freshBefore := fresh.b, fresh.snapshot(t)
		if rt.access == adminOnly {
			secret = fresh.e.admin
		}
		if r := fresh.e.do(rt.method, pathB, secret, bodyB); r.status >= 300 {
			t.Errorf("%s with the right token: %d: %s (the refusals above prove nothing)", name, r.status, r.body)
		} else if rt.method != "GET" && rt.path != "/v1/tokens" && fresh.snapshot(t) == freshBefore {
			t.Errorf("%s with the right token changed nothing: the request would not show a missing check", name)
		}
	}
}
