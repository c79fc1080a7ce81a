package web_test

import (
	"context"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
	"github.com/callingportal/terraform-provider-callingportal/internal/seed"
	"github.com/callingportal/terraform-provider-callingportal/internal/server"
	"github.com/callingportal/terraform-provider-callingportal/internal/store/sqlite"
	"github.com/callingportal/terraform-provider-callingportal/internal/web"
)

// site is a portal with the demo seed (100 numbers +13125550100..199, 50
// stations, 7 in use) served over HTTP: the API under /v1, the page
// elsewhere, as backend.Start mounts them.
type site struct {
	t     *testing.T
	url   string
	store portal.Store
	token string // a site token of demo
	now   *clock
}

// clock is a settable time for session expiry.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

func newSite(t *testing.T) *site {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "portal.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	demo, err := seed.Load("demo")
	if err != nil {
		t.Fatal(err)
	}
	if err := st.Update(context.Background(), demo.Apply); err != nil {
		t.Fatal(err)
	}
	logger := slog.New(slog.DiscardHandler)
	now := &clock{t: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	h := web.New(st, server.New(st, server.Options{Logger: logger}), web.Options{Logger: logger, Clock: now.Now})
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	s := &site{t: t, url: srv.URL, store: st, now: now}
	s.token = s.issue("web-test", "demo", false)
	return s
}

// issue creates a token straight in the store and returns its secret.
func (s *site) issue(name, siteID string, admin bool) string {
	s.t.Helper()
	var secret string
	err := s.store.Update(context.Background(), func(tx portal.Tx) (err error) {
		_, secret, err = portal.IssueToken(tx, name, siteID, admin, "")
		return err
	})
	if err != nil {
		s.t.Fatal(err)
	}
	return secret
}

func (s *site) update(fn func(tx portal.Tx) error) {
	s.t.Helper()
	if err := s.store.Update(context.Background(), fn); err != nil {
		s.t.Fatal(err)
	}
}

func (s *site) number(siteID, number string) contract.Number {
	s.t.Helper()
	var n contract.Number
	err := s.store.View(context.Background(), func(tx portal.Tx) (err error) {
		n, err = tx.GetNumber(siteID, number)
		return err
	})
	if err != nil {
		s.t.Fatal(err)
	}
	return n
}

func (s *site) inventory() contract.Inventory {
	s.t.Helper()
	var inv contract.Inventory
	err := s.store.View(context.Background(), func(tx portal.Tx) (err error) {
		inv, err = portal.GetInventory(tx, "demo")
		return err
	})
	if err != nil {
		s.t.Fatal(err)
	}
	return inv
}

// person is one person's cookie jar. It does not follow redirects, so
// tests see each 303.
type person struct {
	s    *site
	c    *http.Client
	csrf string // the last form token a page showed
}

func (s *site) person() *person {
	jar, err := cookiejar.New(nil)
	if err != nil {
		s.t.Fatal(err)
	}
	return &person{s: s, c: &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}}}
}

type page struct {
	status int
	header http.Header
	body   string
}

var csrfField = regexp.MustCompile(`name="csrf" value="([^"]+)"`)

func (b *person) send(req *http.Request) page {
	b.s.t.Helper()
	res, err := b.c.Do(req)
	if err != nil {
		b.s.t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		b.s.t.Fatal(err)
	}
	if m := csrfField.FindSubmatch(body); m != nil {
		b.csrf = string(m[1])
	}
	return page{status: res.StatusCode, header: res.Header, body: string(body)}
}

func (b *person) get(path string) page {
	b.s.t.Helper()
	req, err := http.NewRequest("GET", b.s.url+path, nil)
	if err != nil {
		b.s.t.Fatal(err)
	}
	return b.send(req)
}

// post sends a form; fields are name, value pairs.
func (b *person) post(path string, fields ...string) page {
	b.s.t.Helper()
	form := url.Values{}
	for i := 0; i+1 < len(fields); i += 2 {
		form.Add(fields[i], fields[i+1])
	}
	req, err := http.NewRequest("POST", b.s.url+path, strings.NewReader(form.Encode()))
	if err != nil {
		b.s.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return b.send(req)
}

// signIn signs in with secret and returns the page the sign-in redirects to.
func (b *person) signIn(secret string) page {
	b.s.t.Helper()
	b.get("/signin")
	p := b.post("/signin", "csrf", b.csrf, "token", secret)
	if p.status != http.StatusSeeOther || p.header.Get("Location") != "/numbers" {
		b.s.t.Fatalf("sign in: status %d to %q, want 303 to /numbers: %s", p.status, p.header.Get("Location"), text(p.body))
	}
	return b.ok(b.get("/numbers"))
}

// ok fails unless p is a 200 page.
func (b *person) ok(p page) page {
	b.s.t.Helper()
	if p.status != http.StatusOK {
		b.s.t.Fatalf("status %d, want 200: %s", p.status, text(p.body))
	}
	return p
}

// follow fails unless p redirects (303), and gets where it goes.
func (b *person) follow(p page) page {
	b.s.t.Helper()
	if p.status != http.StatusSeeOther {
		b.s.t.Fatalf("status %d, want a 303 redirect: %s", p.status, text(p.body))
	}
	return b.get(p.header.Get("Location"))
}

var tags = regexp.MustCompile(`<[^>]*>`)

// text is a page's text as a person reads it, spaces collapsed.
func text(body string) string {
	return strings.Join(strings.Fields(html.UnescapeString(tags.ReplaceAllString(body, " "))), " ")
}

func mustContain(t *testing.T, what, got string, wants ...string) {
	t.Helper()
	for _, want := range wants {
		if !strings.Contains(got, want) {
			t.Errorf("%s does not say %q:\n%s", what, want, got)
		}
	}
}

func TestSignInRefusesAdminAndUnknownTokens(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	b := s.person()
	if p := b.get("/numbers"); p.status != http.StatusSeeOther || p.header.Get("Location") != "/signin" {
		t.Fatalf("GET /numbers signed out: %d to %q, want 303 to /signin", p.status, p.header.Get("Location"))
	}
	b.get("/signin")
	p := b.post("/signin", "csrf", b.csrf, "token", "cpt_not-a-token")
	if p.status != http.StatusUnauthorized {
		t.Errorf("unknown token: status %d, want 401", p.status)
	}
	mustContain(t, "unknown token", text(p.body), "This token is not known to this portal.")
	p = b.post("/signin", "csrf", b.csrf, "token", s.issue("admin", "", true))
	if p.status != http.StatusForbidden {
		t.Errorf("admin token: status %d, want 403", p.status)
	}
	mustContain(t, "admin token", text(p.body), "This is an admin token. The page acts on one site")
	if p := b.get("/numbers"); p.status != http.StatusSeeOther {
		t.Errorf("after refused sign-ins GET /numbers is %d, want 303 to sign in", p.status)
	}

	got := text(b.signIn(s.token).body)
	mustContain(t, "Numbers page", got, "Signed in to Demo Company HQ (site demo) with token web-test.",
		"Numbers 1–50 of 100", "+13125550100 Assigned Service Main Auto Attendant", "+13125550120 Assigned User Ada Lovelace")
	if strings.Contains(got, s.token) {
		t.Error("the page shows the token's secret")
	}
}

func TestSessionCookieAndHeaders(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	b := s.person()
	b.get("/signin")
	p := b.post("/signin", "csrf", b.csrf, "token", s.token)
	cookies := (&http.Response{Header: p.header}).Cookies()
	var session *http.Cookie
	for _, c := range cookies {
		if c.Name == "callingportal_session" {
			session = c
		}
	}
	switch {
	case session == nil:
		t.Fatalf("sign-in set no session cookie: %v", p.header["Set-Cookie"])
	case !session.HttpOnly || session.SameSite != http.SameSiteStrictMode || session.Path != "/":
		t.Errorf("session cookie %q: want HttpOnly, SameSite=Strict, Path=/", p.header.Get("Set-Cookie"))
	case len(session.Value) < 43 || strings.Contains(session.Value, s.token) || session.Value == portal.HashSecret(s.token):
		t.Errorf("session cookie %q: want a random 256-bit ID, never the token", session.Value)
	}
	for _, path := range []string{"/numbers", "/signin", "/inventory", "/nowhere"} {
		p := b.get(path)
		if csp := p.header.Get("Content-Security-Policy"); !strings.Contains(csp, "default-src 'none'") || strings.Contains(csp, "unsafe") {
			t.Errorf("%s: Content-Security-Policy %q", path, csp)
		}
		if p.header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no X-Content-Type-Options: nosniff", path)
		}
		if strings.Contains(p.body, "<script") {
			t.Errorf("%s: the page has a script", path)
		}
	}
	if p := b.get("/nowhere"); p.status != http.StatusNotFound || !strings.Contains(p.header.Get("Content-Type"), "text/html") {
		t.Errorf("GET /nowhere: %d %s, want an HTML 404", p.status, p.header.Get("Content-Type"))
	}
	// The API keeps its own paths and its JSON errors.
	if p := b.get("/v1/healthz"); p.status != 200 || !strings.Contains(p.body, `"ok"`) {
		t.Errorf("GET /v1/healthz: %d %s", p.status, p.body)
	}
	if p := b.get("/v1/nowhere"); p.status != 404 || p.header.Get("Content-Type") != "application/json" {
		t.Errorf("GET /v1/nowhere: %d %s, want the API's JSON 404", p.status, p.header.Get("Content-Type"))
	}
	if p := b.get("/static/style.css"); p.status != 200 || !strings.HasPrefix(p.header.Get("Content-Type"), "text/css") {
		t.Errorf("GET /static/style.css: %d %s", p.status, p.header.Get("Content-Type"))
	}
}

func TestFormsWithoutTheCSRFTokenAreRefused(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	b := s.person()
	b.signIn(s.token)
	good := b.csrf
	before := s.number("demo", "+13125550100")
	for name, fields := range map[string][]string{
		"no token":    {"version", "1"},
		"wrong token": {"csrf", strings.Repeat("A", len(good)), "version", "1"},
	} {
		p := b.post("/numbers/+13125550100/unassign", fields...)
		if p.status != http.StatusForbidden {
			t.Errorf("%s: unassign answered %d, want 403", name, p.status)
		}
		mustContain(t, name, text(p.body), "nothing was changed")
		p = b.post("/users", append(fields, "email", "eve@example.com", "first_name", "Eve", "last_name", "X", "phone_number", "+13125550150")...)
		if p.status != http.StatusForbidden {
			t.Errorf("%s: create user answered %d, want 403", name, p.status)
		}
		if p := b.post("/signout", fields...); p.status != http.StatusForbidden {
			t.Errorf("%s: sign out answered %d, want 403", name, p.status)
		}
	}
	// Another site's page posting the right fields is refused too.
	req, _ := http.NewRequest("POST", s.url+"/numbers/+13125550100/unassign", strings.NewReader("csrf="+url.QueryEscape(good)))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set("Origin", "http://evil.example")
	if p := b.send(req); p.status != http.StatusForbidden {
		t.Errorf("cross-origin post answered %d, want 403", p.status)
	}
	if after := s.number("demo", "+13125550100"); after != before {
		t.Errorf("a refused form changed the number: %+v, was %+v", after, before)
	}
	if inv := s.inventory(); inv.InUse != 7 {
		t.Errorf("a refused form changed the inventory: %+v", inv)
	}
	// The sign-in form has its own token, in a cookie another site cannot set.
	other := s.person()
	if p := other.post("/signin", "token", s.token); p.status != http.StatusForbidden {
		t.Errorf("sign-in without the form's token answered %d, want 403", p.status)
	}
	// With the token, the same unassign goes through.
	p := b.follow(b.post("/numbers/+13125550100/unassign", "csrf", good, "version", fmt.Sprint(before.Version), "back", "/numbers?status=assigned"))
	mustContain(t, "unassign", text(p.body), `Unassigned +13125550100 from service "Main Auto Attendant": it is available again`,
		"Stations: 44 available, 6 in use, 50 total.")
}

func TestSiteTokenSeesOnlyItsSite(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	var otherService contract.Service
	s.update(func(tx portal.Tx) error {
		if _, err := portal.CreateSite(tx, contract.Site{ID: "other", Name: "Other Corp", StationsPurchased: 5}); err != nil {
			return err
		}
		if _, err := portal.AddNumbers(tx, "other", []string{"+14155550100", "+14155550101"}); err != nil {
			return err
		}
		var err error
		if otherService, err = portal.CreateService(tx, "other", contract.ServiceInput{TargetInput: contract.TargetInput{Name: new("Other Secret Queue")}, Type: new("call_queue")}); err != nil {
			return err
		}
		_, err = portal.AssignNumber(tx, "other", "+14155550100", contract.Target{Type: contract.TargetService, ID: otherService.ID}, portal.Condition{})
		return err
	})
	b := s.person()
	b.signIn(s.token)
	for _, path := range []string{"/numbers", "/numbers?prefix=%2B1415", "/numbers?q=Secret", "/services", "/phones", "/users", "/export.csv"} {
		p := b.get(path)
		if strings.Contains(p.body, "+1415555") || strings.Contains(p.body, "Other Secret") || strings.Contains(p.body, "Other Corp") {
			t.Errorf("%s shows site other: %s", path, text(p.body))
		}
	}
	mustContain(t, "prefix +1415", text(b.get("/numbers?prefix=%2B1415").body), "No numbers match these filters.")
	p := b.get("/numbers/+14155550101/assign")
	if p.status != http.StatusNotFound {
		t.Errorf("assign form for another site's number: %d, want 404", p.status)
	}
	mustContain(t, "assign form", text(p.body), "number +14155550101 is not in the number pool of site demo")
	p = b.follow(b.post("/numbers/+14155550101/assign", "csrf", b.csrf, "target", "service:"+otherService.ID))
	mustContain(t, "assign to another site", text(p.body), "Nothing was changed: number +14155550101 is not in the number pool of site demo")
	b.post("/numbers/+14155550100/unassign", "csrf", b.csrf)
	if n := s.number("other", "+14155550100"); n.AssignedID != otherService.ID {
		t.Errorf("a demo session changed site other's number: %+v", n)
	}
	// The other site's own token sees it.
	o := s.person()
	mustContain(t, "site other", text(o.signIn(s.issue("other", "other", false)).body), "Numbers 1–2 of 2", "Other Secret Queue")
}

func TestNamesAreShownAsText(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	payload := `<script>alert("pwned")</script><img src=x onerror=alert(1)>"'&`
	s.update(func(tx portal.Tx) error {
		svc, err := portal.CreateService(tx, "demo", contract.ServiceInput{TargetInput: contract.TargetInput{Name: new(payload)}, Type: new("hunt_group")})
		if err != nil {
			return err
		}
		_, err = portal.AssignNumber(tx, "demo", "+13125550160", contract.Target{Type: contract.TargetService, ID: svc.ID}, portal.Condition{})
		return err
	})
	b := s.person()
	b.signIn(s.token)
	for _, path := range []string{"/numbers?q=pwned", "/services", "/numbers/+13125550160/assign", "/numbers/+13125550161/assign"} {
		p := b.ok(b.get(path))
		if strings.Contains(p.body, "<script") || strings.Contains(p.body, "<img") {
			t.Errorf("%s: the service name is markup:\n%s", path, p.body)
		}
		if !strings.Contains(p.body, "&lt;script&gt;alert(&#34;pwned&#34;)&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&#34;&#39;&amp;") {
			t.Errorf("%s: the escaped service name is missing:\n%s", path, p.body)
		}
		mustContain(t, path, text(p.body), payload)
	}
	// A name typed into the search box comes back escaped too.
	p := b.get("/numbers?q=" + url.QueryEscape(`"><script>x</script>`))
	if strings.Contains(p.body, "<script>x") {
		t.Errorf("the search box's value is markup: %s", p.body)
	}
}

func TestPortalRulesAndMessagesOnThePage(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	b := s.person()
	b.signIn(s.token)

	// A user's number: the menu explains, and a forged unassign is refused
	// with the portal's message.
	p := b.ok(b.get("/numbers?assigned_type=user"))
	got := text(p.body)
	mustContain(t, "users' numbers", got, "Numbers 1–3 of 3",
		"A user's number cannot be unassigned or moved. To make it available again, delete the user Ada Lovelace in the Users tab.")
	if strings.Contains(p.body, `action="/numbers/&#43;13125550120/unassign"`) {
		t.Error("a user's number has an Unassign button")
	}
	p = b.follow(b.post("/numbers/+13125550120/unassign", "csrf", b.csrf, "back", "/numbers?assigned_type=user"))
	mustContain(t, "unassign a user's number", text(p.body), "Nothing was changed: number +13125550120 belongs to user Ada Lovelace",
		"a user's number cannot be moved or unassigned, only freed by deleting the user")
	p = b.follow(b.post("/numbers/+13125550120/assign", "csrf", b.csrf, "target", "service:"+serviceID(t, s, "After Hours")))
	mustContain(t, "move a user's number", text(p.body), "Nothing was changed: number +13125550120 belongs to user Ada Lovelace")

	// Assign to a user: create one with an available number.
	p = b.ok(b.get("/users/new?phone_number=%2B13125550151&back=%2Fnumbers"))
	mustContain(t, "add user form", p.body, `value="&#43;13125550151"`)
	p = b.follow(b.post("/users", "csrf", b.csrf, "email", "katherine.johnson@example.com", "first_name", "Katherine",
		"last_name", "Johnson", "extension", "204", "phone_number", "+13125550151", "back", "/numbers?q=Johnson"))
	mustContain(t, "create user", text(p.body), "Created user Katherine Johnson <katherine.johnson@example.com> with number +13125550151",
		"Stations: 42 available, 8 in use, 50 total.", "Numbers 1–1 of 1", "+13125550151 Assigned User Katherine Johnson")
	// The same email again: the portal's conflict, the form kept.
	p = b.post("/users", "csrf", b.csrf, "email", "katherine.johnson@example.com", "first_name", "K", "last_name", "J", "phone_number", "+13125550152")
	if p.status != http.StatusConflict {
		t.Errorf("duplicate email: status %d, want 409", p.status)
	}
	mustContain(t, "duplicate email", text(p.body), `The user was not created: email "katherine.johnson@example.com" is already used by user Katherine Johnson`)
	mustContain(t, "duplicate email form", p.body, `value="katherine.johnson@example.com"`, `aria-invalid="true"`)

	// Move and unassign a service's number.
	svc := serviceID(t, s, "Support Queue")
	v := fmt.Sprint(s.number("demo", "+13125550101").Version)
	p = b.follow(b.post("/numbers/+13125550101/assign", "csrf", b.csrf, "version", v, "target", "service:"+svc))
	mustContain(t, "move", text(p.body), `Moved +13125550101 from service "Sales Hunt Group" to service "Support Queue": a move takes no station.`,
		"8 in use")
	// A form made before the move: the number has changed since.
	p = b.follow(b.post("/numbers/+13125550101/unassign", "csrf", b.csrf, "version", v))
	mustContain(t, "stale unassign", text(p.body), `Nothing was changed: number "+13125550101" changed since it was read`)

	// No station left: the portal's figures, and nothing assigned.
	s.update(func(tx portal.Tx) error {
		_, err := portal.SetStationsPurchased(tx, "demo", 8, portal.Condition{})
		return err
	})
	p = b.follow(b.post("/numbers/+13125550170/assign", "csrf", b.csrf, "version", "1", "target", "service:"+svc))
	mustContain(t, "no stations", text(p.body), "Nothing was changed: this change needs 1 new station; site demo has 0 available (8 in use of 8 purchased)")
	if n := s.number("demo", "+13125550170"); n.Status != contract.StatusAvailable {
		t.Errorf("a refused assignment changed the number: %+v", n)
	}

	// Deleting the user frees its number.
	var id string
	for _, m := range regexp.MustCompile(`/users/(usr_[a-z0-9]+)/delete`).FindAllStringSubmatch(b.ok(b.get("/users")).body, -1) {
		if u := user(t, s, m[1]); u.Email == "katherine.johnson@example.com" {
			id = u.ID
		}
	}
	p = b.ok(b.get("/users/" + id + "/delete"))
	mustContain(t, "delete form", text(p.body), "makes number +13125550151 available again")
	p = b.follow(b.post("/users/"+id+"/delete", "csrf", b.csrf, "version", "1"))
	mustContain(t, "delete user", text(p.body), "Deleted user Katherine Johnson <katherine.johnson@example.com>: number +13125550151 is available again",
		"Stations: 1 available, 7 in use, 8 total.")
	mustContain(t, "inventory", text(b.ok(b.get("/inventory")).body), "Available 1", "In Use 7", "Total 8")
}

func TestExportIsTheAPIsFile(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	b := s.person()
	b.signIn(s.token)
	for _, q := range []string{"", "status=assigned", "assigned_type=service&prefix=%2B131255501", "status=available&prefix=1312555019"} {
		page := b.ok(b.get("/export.csv?" + q))
		req, _ := http.NewRequest("GET", s.url+"/v1/sites/demo/numbers/export.csv?"+q, nil)
		req.Header.Set("Authorization", "Bearer "+s.token)
		api := b.send(req)
		if api.status != 200 || page.body != api.body {
			t.Errorf("export %q: the page's file differs from the API's (%d):\n%s\n---\n%s", q, api.status, page.body, api.body)
		}
		for _, h := range []string{"Content-Type", "Content-Disposition", "Content-Length"} {
			if page.header.Get(h) != api.header.Get(h) {
				t.Errorf("export %q: %s %q, the API sends %q", q, h, page.header.Get(h), api.header.Get(h))
			}
		}
	}
	if n := strings.Count(b.get("/export.csv?status=assigned").body, "\n"); n != 8 {
		t.Errorf("the export of assigned numbers has %d lines, want a header and 7 rows", n)
	}
	p := b.follow(b.get("/export.csv?status=lost"))
	mustContain(t, "bad filter", text(p.body), `Export failed: status: "lost" must be available or assigned`)
}

func TestNumbersPageFiltersAndPages(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	b := s.person()
	b.signIn(s.token)
	for _, c := range []struct {
		query string
		wants []string
	}{
		{"", []string{"Numbers 1–50 of 100", "+13125550149"}},
		{"after=%2B13125550149", []string{"Numbers 51–100 of 100", "+13125550150", "+13125550199", "First page"}},
		{"status=available&prefix=%2B1312555015", []string{"Numbers 1–10 of 10", "+13125550150", "+13125550159"}},
		{"assigned_type=phone", []string{"Numbers 1–1 of 1", "+13125550110 Assigned Phone Lobby Phone"}},
		{"q=hunt", []string{"Numbers 1–1 of 1", "+13125550101 Assigned Service Sales Hunt Group"}},
		{"q=555-0122", []string{"Numbers 1–1 of 1", "Grace Hopper"}},
		{"prefix=1312", []string{"Numbers 1–50 of 100"}},
		{"prefix=%2B1+312", []string{`prefix: "+1 312" must be + followed by 1 to 15 digits`}},
	} {
		mustContain(t, "/numbers?"+c.query, text(b.get("/numbers?"+c.query).body), c.wants...)
	}
	p := b.get("/numbers")
	if !strings.Contains(p.body, `href="/numbers?after=%2B13125550149"`) {
		t.Errorf("page 1 has no link to page 2: %q", regexp.MustCompile(`href="/numbers\?[^"]*"`).FindAllString(p.body, -1))
	}
	if strings.Contains(text(p.body), "+13125550150") {
		t.Errorf("page 1 shows page 2's numbers")
	}
	if p := b.get("/numbers?status=available&prefix=%2B1312555015"); !strings.Contains(p.body, `href="/export.csv?prefix=%2B1312555015&amp;status=available"`) {
		t.Errorf("the Export link does not carry the filters: %q", regexp.MustCompile(`href="/export[^"]*"`).FindAllString(p.body, -1))
	}
}

func TestSignOutEndsTheSession(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	b := s.person()
	b.signIn(s.token)
	csrf := b.csrf
	u, _ := url.Parse(s.url)
	old := b.c.Jar.Cookies(u)
	p := b.follow(b.post("/signout", "csrf", csrf))
	mustContain(t, "signed out", text(p.body), "You are signed out.")
	// The old cookie, sent again, is refused.
	replay := s.person()
	replay.c.Jar.SetCookies(u, old)
	if p := replay.get("/numbers"); p.status != http.StatusSeeOther || p.header.Get("Location") != "/signin" {
		t.Errorf("GET /numbers with the old cookie: %d to %q, want 303 to /signin", p.status, p.header.Get("Location"))
	}
	if p := replay.post("/numbers/+13125550100/unassign", "csrf", csrf); p.status != http.StatusUnauthorized {
		t.Errorf("POST with the old cookie: %d, want 401", p.status)
	}
	if n := s.number("demo", "+13125550100"); n.Status != contract.StatusAssigned {
		t.Errorf("a signed-out post changed the number: %+v", n)
	}
}

func TestSessionsExpire(t *testing.T) {
	t.Parallel()
	s := newSite(t)
	b := s.person()
	b.signIn(s.token)
	s.now.Add(90 * time.Minute)
	b.ok(b.get("/numbers")) // used within the idle limit: still open
	s.now.Add(2*time.Hour + time.Minute)
	if p := b.get("/numbers"); p.status != http.StatusSeeOther {
		t.Errorf("after 2 h idle GET /numbers is %d, want 303 to sign in", p.status)
	}
	b.signIn(s.token)
	for range 8 {
		s.now.Add(100 * time.Minute)
		b.get("/inventory")
	}
	if p := b.get("/numbers"); p.status != http.StatusSeeOther {
		t.Errorf("12 h after sign-in GET /numbers is %d, want 303 to sign in", p.status)
	}
}

func serviceID(t *testing.T, s *site, name string) string {
	t.Helper()
	var svc contract.Service
	err := s.store.View(context.Background(), func(tx portal.Tx) (err error) {
		svc, err = tx.Services().Find("demo", "name", name)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return svc.ID
}

func user(t *testing.T, s *site, id string) contract.User {
	t.Helper()
	var u contract.User
	err := s.store.View(context.Background(), func(tx portal.Tx) (err error) {
		u, err = tx.GetUser("demo", id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return u
}
