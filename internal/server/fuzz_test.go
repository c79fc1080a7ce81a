package server

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
	"github.com/callingportal/terraform-provider-callingportal/internal/store/sqlite"
)

// Fuzz targets of the API's input: the real handler over a real SQLite
// store, driven in-process. Whatever a request holds, the answer is a 2xx
// or a 4xx with the JSON error shape: never a 5xx, a panic or a hang.

// fuzzPortal is one portal for a fuzz target's whole run (a worker
// process): site "fz" with numbers, a user, a phone and a service that
// paths name. What inputs create stays; every input still meets a site
// with plenty of stations and these objects.
type fuzzPortal struct {
	h                  http.Handler
	admin, site        string // secrets
	user, phone, svc   string // IDs
	number, userNumber string
}

func newFuzzPortal(f *testing.F) *fuzzPortal {
	f.Helper()
	st, err := sqlite.Open(filepath.Join(f.TempDir(), "portal.db"))
	if err != nil {
		f.Fatal(err)
	}
	f.Cleanup(func() { st.Close() })
	p := &fuzzPortal{number: "+13125550101", userNumber: "+13125550100",
		h: New(st, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), BodyTimeout: 5 * time.Second})}
	err = st.Update(context.Background(), func(tx portal.Tx) error {
		if _, err := portal.CreateSite(tx, contract.Site{ID: "fz", StationsPurchased: 100000}); err != nil {
			return err
		}
		if _, err := portal.AddNumbers(tx, "fz", numbers(100, 299)); err != nil {
			return err
		}
		email, first, last, number := "ada@example.com", "Ada", "Lovelace", p.userNumber
		u, err := portal.CreateUser(tx, "fz", contract.UserInput{Email: &email, FirstName: &first, LastName: &last, PhoneNumber: &number})
		if err != nil {
			return err
		}
		name := "Desk"
		ph, err := portal.CreatePhone(tx, "fz", contract.PhoneInput{TargetInput: contract.TargetInput{Name: &name}})
		if err != nil {
			return err
		}
		name, typ := "Main", "auto_attendant"
		svc, err := portal.CreateService(tx, "fz", contract.ServiceInput{TargetInput: contract.TargetInput{Name: &name}, Type: &typ})
		if err != nil {
			return err
		}
		p.user, p.phone, p.svc = u.ID, ph.ID, svc.ID
		if _, p.admin, err = portal.IssueToken(tx, "admin", "", true, ""); err != nil {
			return err
		}
		_, p.site, err = portal.IssueToken(tx, "fz-token", "fz", false, "")
		return err
	})
	if err != nil {
		f.Fatal(err)
	}
	return p
}

// path fills in a route's path values with the fixture's objects.
func (p *fuzzPortal) path(pattern string) string {
	r := strings.NewReplacer("{site}", "fz", "{number}", url.PathEscape(p.number), "{key}", "k")
	path := r.Replace(pattern)
	for segment, id := range map[string]string{"/users/": p.user, "/phones/": p.phone, "/services/": p.svc} {
		path = strings.Replace(path, segment+"{id}", segment+id, 1)
	}
	return path
}

// serve sends req to the handler and fails on a hang or a panic (the
// handler turns a panic into a 500, which check fails on).
func (p *fuzzPortal) serve(t *testing.T, req *http.Request) *httptest.ResponseRecorder {
	t.Helper()
	rec := httptest.NewRecorder()
	done := make(chan struct{})
	go func() {
		defer close(done)
		p.h.ServeHTTP(rec, req)
	}()
	select {
	case <-done:
	case <-time.After(20 * time.Second):
		t.Fatalf("%s %s: no answer in 20 s", req.Method, req.URL)
	}
	return rec
}

// checkAnswer fails unless the answer is a success or a 4xx whose body is
// the API's error object, with the status of its code.
func checkAnswer(t *testing.T, what string, rec *httptest.ResponseRecorder) {
	t.Helper()
	body := rec.Body.Bytes()
	switch {
	case rec.Code >= 500 || rec.Code < 200 || rec.Code >= 300 && rec.Code < 400:
		t.Fatalf("%s: status %d: %s", what, rec.Code, body)
	case rec.Code == http.StatusNoContent:
		return
	case rec.Header().Get("Content-Type") != "application/json":
		t.Fatalf("%s: status %d with Content-Type %q: %s", what, rec.Code, rec.Header().Get("Content-Type"), body)
	case rec.Code < 300:
		if !json.Valid(body) {
			t.Fatalf("%s: status %d with a body that is not JSON: %q", what, rec.Code, body)
		}
		return
	}
	var pe contract.Error
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&pe); err != nil || pe.Message == "" {
		t.Fatalf("%s: status %d with a body that is not the error object (%v): %s", what, rec.Code, err, body)
	}
	want := contract.StatusOf(&pe)
	if pe.Code == contract.CodeValidationFailed {
		switch rec.Code { // statusError: the answers whose status is not their code's
		case http.StatusMethodNotAllowed, http.StatusRequestTimeout, http.StatusRequestEntityTooLarge, http.StatusUnsupportedMediaType:
			want = rec.Code
		}
	}
	if rec.Code != want {
		t.Fatalf("%s: status %d with code %s, whose status is %d: %s", what, rec.Code, pe.Code, want, body)
	}
}

// bodyRoutes are the routes that take a JSON body: every POST, PUT and
// PATCH of the route table, so a new one is fuzzed without a change here.
func bodyRoutes() []route {
	var out []route
	for _, rt := range routes {
		switch rt.method {
		case "POST", "PUT", "PATCH":
			out = append(out, rt)
		}
	}
	return out
}

// validHeaderValue reports whether net/http's server would pass v on to a
// handler as it is: no control character but tab, no space at either end.
func validHeaderValue(v string) bool {
	return v == strings.Trim(v, " \t") && !strings.ContainsFunc(v, func(r rune) bool { return r < 0x20 && r != '\t' || r == 0x7f })
}

// FuzzRequestBodies sends body to the write route the first byte picks,
// with the site's token or an admin's (the second byte) and, when they
// are valid header values, If-Match and Idempotency-Key. Every "$" string
// of the body becomes value, JSON-encoded: byte mutations seldom keep JSON
// valid, so the seeds put "$" in each field in turn and value is where the
// fuzzer tries any string in any field.
func FuzzRequestBodies(f *testing.F) {
	bodies := map[string][]string{
		"/v1/sites":                   {`{"id":"hq","name":"HQ","stations_purchased":10}`, `{"id":"","stations_purchased":-1}`},
		"/v1/sites/{site}":            {`{"stations_purchased":200}`, `{"stations_purchased":null}`, `{"stations_purchased":1e400}`},
		"/v1/tokens":                  {`{"name":"ci","site":"fz"}`, `{"name":"root","admin":true}`, `{"name":"x","site":"nope"}`},
		"/v1/sites/{site}/numbers":    {`{"numbers":["+13125550300"]}`, `{"ranges":[{"from":"+13125550400","to":"+13125550409"}]}`, `{"ranges":[{"from":"+13125550000","to":"+13125599999"}]}`},
		"/{number}/assignment":        {`{"type":"phone","id":"PHONE"}`, `{"type":"service","id":"SERVICE"}`, `{"type":"user","id":"USER"}`},
		"/v1/sites/{site}/users":      {`{"email":"jane@example.com","first_name":"Jane","last_name":"Doe","extension":"201","phone_number":"+13125550102"}`, `{"email":"ADA@example.com","first_name":"A","last_name":"B","phone_number":"+13125550103"}`},
		"/v1/sites/{site}/users/{id}": {`{"first_name":"Augusta"}`, `{"phone_number":"+13125550104"}`, `{"voicemail_pin":"1234"}`, `{"email":"not an email"}`},
		"/v1/sites/{site}/phones":     {`{"name":"Lobby","model":"Poly VVX 250","mac_address":"00-1A-2B-3C-4D-5E","extension":"301"}`, `{"name":"` + strings.Repeat("x", 101) + `"}`},
		"/v1/sites/{site}/services":   {`{"name":"Queue","type":"call_queue","description":"line one\nline two"}`, `{"name":"=HYPERLINK(\"http://x\")","type":"paging"}`},
		"/phones/{id}":                {`{"name":"Desk 2"}`, `{"model":"other"}`},
		"/services/{id}":              {`{"description":"d"}`, `{"type":"voicemail"}`},
	}
	common := []string{"", " ", "{}", "[]", "null", "0", `"x"`, "{", `{"a":1}`, `{"name":1}`, `{} {}`, `{}x`, "\xff",
		strings.Repeat("[", 20000), `{"name":"\u0000"}`, `{"name":"\ud800"}`, `{"name":"x","name":"y"}`, `{"NAME":"x","type":"paging"}`}
	for i, rt := range bodyRoutes() {
		var own []string
		for suffix, bs := range bodies {
			if strings.HasSuffix(rt.path, suffix) {
				own = append(own, bs...)
			}
		}
		for _, b := range append(own, common...) {
			f.Add(uint8(i), uint8(i%2), []byte(b), "", `"1"`, "")
		}
		for _, b := range own {
			for _, v := range placeholders(b) {
				f.Add(uint8(i), uint8(0), v, "x", "", "")
			}
		}
		f.Add(uint8(i), uint8(0), []byte("{}"), "", "", "key-1")
		f.Add(uint8(i), uint8(1), []byte("{}"), "", `W/"1"`, strings.Repeat("k", 256))
	}
	p := newFuzzPortal(f)
	writes := bodyRoutes()
	f.Fuzz(func(t *testing.T, pick, who uint8, body []byte, value, ifMatch, key string) {
		rt := writes[int(pick)%len(writes)]
		quoted, _ := json.Marshal(value)
		replacer := strings.NewReplacer("PHONE", p.phone, "SERVICE", p.svc, "USER", p.user, `"$"`, string(quoted))
		body = []byte(replacer.Replace(string(body)))
		req := httptest.NewRequest(rt.method, p.path(rt.path), bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		secret := p.site
		if who%2 == 1 || rt.access == adminOnly {
			secret = p.admin
		}
		req.Header.Set("Authorization", "Bearer "+secret)
		if ifMatch != "" && validHeaderValue(ifMatch) {
			req.Header.Set("If-Match", ifMatch)
		}
		if key != "" && validHeaderValue(key) {
			req.Header.Set("Idempotency-Key", key)
		}
		checkAnswer(t, rt.method+" "+rt.path+" "+string(body), p.serve(t, req))
	})
}

// placeholders returns body once for each of its fields (in objects, at
// any depth) with that field's value replaced by "$".
func placeholders(body string) [][]byte {
	var v any
	if json.Unmarshal([]byte(body), &v) != nil {
		return nil
	}
	var out [][]byte
	var walk func(node any, set func(any))
	walk = func(node any, set func(any)) {
		switch n := node.(type) {
		case map[string]any:
			for k, child := range n {
				walk(child, func(x any) { n[k] = x })
			}
		case []any:
			for i, child := range n {
				walk(child, func(x any) { n[i] = x })
			}
		}
		if set != nil {
			set("$")
			b, _ := json.Marshal(v)
			out = append(out, b)
			set(node)
		}
	}
	walk(v, nil)
	return out
}

// listPaths are the lists that take limit, cursor and filters.
var listPaths = []string{"/v1/sites", "/v1/sites/fz/numbers", "/v1/sites/fz/numbers/export.csv",
	"/v1/sites/fz/users", "/v1/sites/fz/phones", "/v1/sites/fz/services", "/v1/sites/fz/numbers/ranges"}

// FuzzListQuery sends a raw query string (limit, cursor, filters, bad
// escapes) to the list the first byte picks. A cursor the list issued is
// in the seeds, so mutations of real cursors are tried too.
func FuzzListQuery(f *testing.F) {
	p := newFuzzPortal(f)
	for i, path := range listPaths {
		for _, q := range []string{"", "limit=1", "limit=0", "limit=501", "limit=-1", "limit=1e3", "cursor=abc", "cursor=%%%zz",
			"cursor=KzEzMTI1NTUwMTAx", "status=available&limit=2", "status=nope", "assigned_type=user", "prefix=+1312", "prefix=%2B1312555",
			"prefix=1312", "prefix=+", "email=ADA@example.com", "phone_number=+13125550100", "phone_number=%2B1%20312%20555%200100",
			"phone_number=x", "name=desk", "a;b", "status=%zz", "cursor=&cursor=x", "limit=1&limit=2"} {
			f.Add(uint8(i), q)
		}
		// A real cursor of this list.
		rec := httptest.NewRecorder()
		p.h.ServeHTTP(rec, p.get(path+"?limit=1"))
		var page struct {
			NextCursor string `json:"next_cursor"`
		}
		if json.Unmarshal(rec.Body.Bytes(), &page) == nil && page.NextCursor != "" {
			f.Add(uint8(i), "limit=1&cursor="+page.NextCursor)
			f.Add(uint8(i), "status=assigned&cursor="+page.NextCursor)
		}
	}
	f.Fuzz(func(t *testing.T, pick uint8, query string) {
		if strings.ContainsAny(query, "# \t\r\n\x00") || !validHeaderValue(query) {
			return // not a query net/http would pass on: it ends the URL or the request line
		}
		path := listPaths[int(pick)%len(listPaths)]
		req := p.get(path)
		req.URL.RawQuery = query
		rec := p.serve(t, req)
		if rec.Code == http.StatusOK && strings.HasSuffix(path, ".csv") {
			return // the export: text/csv
		}
		checkAnswer(t, "GET "+path+"?"+query, rec)
	})
}

func (p *fuzzPortal) get(path string) *http.Request {
	req := httptest.NewRequest("GET", path, nil)
	req.Header.Set("Authorization", "Bearer "+p.admin)
	return req
}

// FuzzCursor: page() never panics on any cursor, refuses all but the
// cursors of its own list with a validation error on "cursor", and the key
// of any cursor it issues reads back exactly (so paging never skips or
// repeats a row). A cursor it accepts issues again as a cursor of the same
// key.
func FuzzCursor(f *testing.F) {
	for _, s := range []struct{ cursor, key string }{
		{"", "+13125550101"}, {"abc", "usr_1"}, {"***", ""}, {"KzEzMTI1NTUwMTAx", "+13125550101"},
		{"AAAAAAAAAAAA", "\xff"}, {"AAAAAAAAAAA", "x"}, {"AAAAAAAAAAAAAA==", strings.Repeat("k", 300)},
	} {
		f.Add(uint8(0), s.cursor, s.key)
	}
	lists := []route{}
	for _, rt := range routes {
		if rt.method == "GET" {
			lists = append(lists, rt)
		}
	}
	f.Fuzz(func(t *testing.T, pick uint8, cursor, key string) {
		rt := lists[int(pick)%len(lists)]
		mk := func(query url.Values) *call {
			r := httptest.NewRequest("GET", "/", nil)
			r.URL.RawQuery = query.Encode()
			return &call{r: r, route: rt, site: "fz"}
		}
		p, err := mk(url.Values{"cursor": {cursor}}).page()
		switch {
		case err != nil:
			checkInvalid(t, "page(cursor "+cursor+")", err, "cursor")
		case cursor == "" && p.After != "":
			t.Fatalf("no cursor read as key %q", p.After)
		case cursor != "":
			// Accepted: the same key issues a cursor that reads back the same.
			again, err := mk(url.Values{"cursor": {p.cursor(p.After)}}).page()
			if err != nil || again.After != p.After {
				t.Fatalf("cursor %q read as key %q; issued again it reads %q, %v", cursor, p.After, again.After, err)
			}
		}
		// Any key: its cursor reads back exactly, with the same filters only.
		base := url.Values{"status": {"available"}}
		p, err = mk(base).page()
		if err != nil {
			t.Fatal(err)
		}
		issued := p.cursor(key)
		got, err := mk(url.Values{"status": {"available"}, "cursor": {issued}}).page()
		switch {
		case key == "" || !utf8.Valid([]byte(key)):
			if err == nil && got.After != key {
				t.Fatalf("key %q: cursor %q reads back %q", key, issued, got.After)
			}
		case err != nil || got.After != key:
			t.Fatalf("key %q: cursor %q reads back %q, %v", key, issued, got.After, err)
		}
		if _, err := mk(url.Values{"status": {"assigned"}, "cursor": {issued}}).page(); err == nil {
			t.Fatalf("key %q: cursor %q read with other filters", key, issued)
		}
	})
}

// checkInvalid fails unless err is a validation error on field.
func checkInvalid(t *testing.T, what string, err error, field string) {
	t.Helper()
	pe, ok := err.(*contract.Error)
	if !ok || pe.Code != contract.CodeValidationFailed || pe.Message == "" || pe.Details["field"] != field {
		t.Fatalf("%s: error %#v, want a validation error on %s", what, err, field)
	}
}
