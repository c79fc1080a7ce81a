package server

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
)

// raw sends request exactly as written, on its own connection, and reads
// the answer; the connection is closed when the test ends.
func (e *env) raw(request string) (resp, net.Conn) {
	e.t.Helper()
	u, err := url.Parse(e.url)
	if err != nil {
		e.t.Fatal(err)
	}
	conn, err := net.Dial("tcp", u.Host)
	if err != nil {
		e.t.Fatal(err)
	}
	e.t.Cleanup(func() { conn.Close() })
	if err := conn.SetDeadline(time.Now().Add(10 * time.Second)); err != nil {
		e.t.Fatal(err)
	}
	if _, err := io.WriteString(conn, request); err != nil {
		e.t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		e.t.Fatalf("%q: %v", request, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp{status: res.StatusCode, header: res.Header, body: b}, conn
}

func TestCursorsNotIssued(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	a := e.site("site-a", 5, numbers(100, 104)...)
	e.site("site-b", 5, numbers(200, 204)...)
	e.ok(e.do("POST", "/v1/sites/site-a/users", a, map[string]any{"email": "u@example.com",
		"first_name": "U", "last_name": "V", "phone_number": numbers(100, 100)[0]}), 201, nil)

	var page list[contract.Number]
	e.ok(e.do("GET", "/v1/sites/site-a/numbers?limit=2", a, nil), 200, &page)
	issued := page.NextCursor
	if issued == "" {
		t.Fatal("no next_cursor")
	}
	// The issued cursor reads the next page, with the filters it came with.
	e.ok(e.do("GET", "/v1/sites/site-a/numbers?limit=2&cursor="+issued, a, nil), 200, &page)
	if len(page.Items) != 2 || page.Items[0].Number != numbers(102, 102)[0] {
		t.Fatalf("second page %+v", page.Items)
	}
	var avail list[contract.Number]
	e.ok(e.do("GET", "/v1/sites/site-a/numbers?status=available&limit=1", a, nil), 200, &avail)

	for name, path := range map[string]string{
		"made up":                "/v1/sites/site-a/numbers?cursor=abc",
		"not base64":             "/v1/sites/site-a/numbers?cursor=***",
		"not URL-encoded":        "/v1/sites/site-a/numbers?cursor=%%%zz",
		"truncated":              "/v1/sites/site-a/numbers?cursor=" + issued[:len(issued)-3],
		"a key alone":            "/v1/sites/site-a/numbers?cursor=KzEzMTI1NTUwMTAx", // base64 of +13125550101, as cursors were
		"of another filter":      "/v1/sites/site-a/numbers?status=assigned&cursor=" + issued,
		"of a filter, without":   "/v1/sites/site-a/numbers?cursor=" + avail.NextCursor,
		"of another list":        "/v1/sites/site-a/users?cursor=" + issued,
		"of another kind's list": "/v1/sites/site-a/phones?cursor=" + issued,
		"of another site":        "/v1/sites/site-b/numbers?cursor=" + issued,
	} {
		secret := a
		if strings.Contains(path, "site-b") {
			secret = e.admin
		}
		pe := e.fails(e.do("GET", path, secret, nil), 422, contract.CodeValidationFailed)
		if pe.Details["field"] != "cursor" {
			t.Errorf("%s: details %v (%s)", name, pe.Details, pe.Message)
		}
	}
	// Another bad escape names its parameter; one that is no parameter's, the query.
	pe := e.fails(e.do("GET", "/v1/sites/site-a/numbers?status=%zz", a, nil), 422, contract.CodeValidationFailed)
	if pe.Details["field"] != "status" {
		t.Errorf("bad escape: details %v", pe.Details)
	}
	pe = e.fails(e.do("GET", "/v1/sites/site-a/numbers?a;b", a, nil), 422, contract.CodeValidationFailed)
	if pe.Details["field"] != "query" {
		t.Errorf("semicolon: details %v", pe.Details)
	}
}

func TestContentType(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	a := e.site("site-a", 5)
	body := `{"name":"Desk"}`
	for _, ct := range []string{"", "text/plain", "application/x-www-form-urlencoded", "application/jsonx",
		"application/json; charset=latin1", "multipart/form-data; boundary=x", "application/json;;"} {
		var r resp
		if ct == "" {
			req, err := http.NewRequest("POST", e.url+"/v1/sites/site-a/phones", strings.NewReader(body))
			if err != nil {
				t.Fatal(err)
			}
			req.Header.Set("Authorization", "Bearer "+a)
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			b, _ := io.ReadAll(res.Body)
			res.Body.Close()
			r = resp{status: res.StatusCode, header: res.Header, body: b}
		} else {
			r = e.do("POST", "/v1/sites/site-a/phones", a, body, "Content-Type", ct)
		}
		pe := e.fails(r, 415, contract.CodeValidationFailed)
		if pe.Details["field"] != "Content-Type" {
			t.Errorf("%q: details %v", ct, pe.Details)
		}
	}
	// A chunked body of unknown length is a body too.
	r, _ := e.raw("POST /v1/sites/site-a/phones HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + a +
		"\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\nf\r\n" + body + "\r\n0\r\n\r\n")
	e.fails(r, 415, contract.CodeValidationFailed)

	var phones list[contract.Phone]
	e.ok(e.do("GET", "/v1/sites/site-a/phones", a, nil), 200, &phones)
	if len(phones.Items) != 0 {
		t.Fatalf("a refused body created %+v", phones.Items)
	}
	e.ok(e.do("POST", "/v1/sites/site-a/phones", a, body, "Content-Type", "application/json; charset=utf-8"), 201, nil)
	e.ok(e.do("POST", "/v1/sites/site-a/services", a, `{"name":"Main","type":"auto_attendant"}`, "Content-Type", "Application/JSON;Charset=UTF-8"), 201, nil)
	// No body, no Content-Type: a DELETE is fine, a create says the body is missing.
	e.ok(e.do("DELETE", "/v1/sites/site-a/numbers/%2B13125550100/assignment", a, nil), 404, nil)
	pe := e.fails(e.do("POST", "/v1/sites/site-a/phones", a, nil), 422, contract.CodeValidationFailed)
	if pe.Details["field"] != "body" {
		t.Errorf("no body: details %v", pe.Details)
	}
}

// TestUncleanPaths: ServeMux would redirect these to the cleaned path with
// an HTML body; the API answers 404 in its own shape, and never acts on
// the cleaned path.
func TestUncleanPaths(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	a := e.site("site-a", 5)
	for _, path := range []string{
		"/v1/sites/./site-a", "/v1/sites/site-a/..", "/v1/sites/site-b/../site-a", "/v1//sites/site-a",
		"/v1/sites/site-a/", "//v1/sites/site-a", "/v1/sites/%2e%2e/site-a", "/v1/sites/site-a/phones/.",
	} {
		for _, method := range []string{"GET", "POST", "DELETE"} {
			body := ""
			if method == "POST" {
				body = "Content-Type: application/json\r\nContent-Length: 15\r\n\r\n{\"name\":\"Desk\"}"
			} else {
				body = "\r\n"
			}
			r, _ := e.raw(method + " " + path + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + a + "\r\nConnection: close\r\n" + body)
			pe := e.fails(r, 404, contract.CodeNotFound)
			if r.header.Get("Location") != "" || pe.Details["path"] == nil {
				t.Errorf("%s %s: Location %q, details %v", method, path, r.header.Get("Location"), pe.Details)
			}
		}
	}
	var phones list[contract.Phone]
	e.ok(e.do("GET", "/v1/sites/site-a/phones", a, nil), 200, &phones)
	if len(phones.Items) != 0 {
		t.Fatalf("a POST to an unclean path created %+v", phones.Items)
	}
}

// TestBodyTimeout: a Content-Length larger than the body is answered 408
// once BodyTimeout has passed, and the connection closed, however long the
// client would wait.
func TestBodyTimeout(t *testing.T) {
	t.Parallel()
	const timeout = 300 * time.Millisecond
	e := newEnv(t, Options{BodyTimeout: timeout})
	a := e.site("site-a", 5)
	start := time.Now()
	r, conn := e.raw("POST /v1/sites/site-a/phones HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + a +
		"\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"name\":\"Desk\"}")
	took := time.Since(start)
	pe := e.fails(r, 408, contract.CodeValidationFailed)
	if pe.Details["field"] != "body" {
		t.Errorf("details %v", pe.Details)
	}
	if took < timeout || took > timeout+2*time.Second {
		t.Errorf("answered after %s, want just after %s", took, timeout)
	}
	t.Logf("a body 85 bytes short answered 408 after %s (timeout %s)", took, timeout)
	// The server closes the connection: nothing more is read from it.
	if n, err := conn.Read(make([]byte, 1)); err == nil {
		t.Errorf("connection still open: read %d bytes", n)
	}

	// A body that arrives in time, slowly, is read.
	u, _ := url.Parse(e.url)
	c2, err := net.Dial("tcp", u.Host)
	if err != nil {
		t.Fatal(err)
	}
	defer c2.Close()
	body := `{"name":"Lobby"}`
	if _, err := io.WriteString(c2, "POST /v1/sites/site-a/phones HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "+a+
		"\r\nContent-Type: application/json\r\nContent-Length: 16\r\nConnection: close\r\n\r\n"+body[:5]); err != nil {
		t.Fatal(err)
	}
	time.Sleep(timeout / 3)
	if _, err := io.WriteString(c2, body[5:]); err != nil {
		t.Fatal(err)
	}
	res, err := http.ReadResponse(bufio.NewReader(c2), nil)
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != 201 {
		t.Fatalf("slow body: status %d", res.StatusCode)
	}
}

// TestBodyTimeoutLeavesSlowHandlers: a handler that runs longer than the
// body timeout after reading its body is not cancelled.
func TestBodyTimeoutLeavesSlowHandlers(t *testing.T) {
	t.Parallel()
	const timeout = 100 * time.Millisecond
	e := newEnv(t, Options{BodyTimeout: timeout})
	a := e.site("site-a", 5)
	// Hold the site's write lock so that the create waits past the timeout.
	locked, release := make(chan struct{}), make(chan struct{})
	go func() {
		_ = e.store.Update(context.Background(), func(tx portal.Tx) error {
			close(locked)
			<-release
			return nil
		})
	}()
	<-locked
	time.AfterFunc(3*timeout, func() { close(release) })
	e.ok(e.do("POST", "/v1/sites/site-a/phones", a, map[string]any{"name": "Desk"}), 201, nil)
}

func TestAuthFailuresRateLimited(t *testing.T) {
	t.Parallel()
	clock := newFakeClock()
	e := newEnv(t, Options{RateLimit: 1, Burst: 2, Clock: clock.Now})
	a := e.site("site-a", 1)

	e.fails(e.do("GET", "/v1/sites/site-a", "cpt_guess1", nil), 401, contract.CodeUnauthorized)
	e.fails(e.do("GET", "/v1/sites/site-a", "", nil), 401, contract.CodeUnauthorized)
	r := e.do("GET", "/v1/sites/site-a", "cpt_guess2", nil)
	pe := e.fails(r, 429, contract.CodeRateLimited)
	if r.header.Get("Retry-After") != "1" || pe.Details["retry_after_seconds"] != 1.0 {
		t.Fatalf("Retry-After %q, details %v", r.header.Get("Retry-After"), pe.Details)
	}
	// While the address waits, even a right guess is not let through.
	e.fails(e.do("GET", "/v1/sites/site-a", a, nil), 429, contract.CodeRateLimited)
	// Another address has its own bucket.
	h := New(e.store, Options{RateLimit: 1, Burst: 2, Clock: clock.Now})
	for i, want := range []int{401, 401, 429} {
		req := httptest.NewRequest("GET", "/v1/sites/site-a", nil)
		req.RemoteAddr = "192.0.2.7:4242"
		req.Header.Set("Authorization", "Bearer cpt_guess")
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != want {
			t.Errorf("192.0.2.7, guess %d: %d, want %d", i+1, rec.Code, want)
		}
	}
	// Once refilled, a right token passes and spends nothing of the address's bucket.
	clock.Advance(time.Second)
	for range 3 {
		clock.Advance(time.Second)
		e.ok(e.do("GET", "/v1/sites/site-a", a, nil), 200, nil)
	}
	e.fails(e.do("GET", "/v1/sites/site-a", "cpt_guess3", nil), 401, contract.CodeUnauthorized)
}

func TestLimiterForgetsRefilledAddresses(t *testing.T) {
	t.Parallel()
	l := newLimiter(1, 1)
	l.prune = 4
	now := time.Now()
	for i := range 4 {
		l.take(string(rune('a'+i)), now)
	}
	if _, ok := l.take("e", now.Add(2*time.Second)); !ok || len(l.buckets) != 1 {
		t.Fatalf("buckets %d after a prune, want 1", len(l.buckets))
	}
}

// TestAuthorizationNotTrimmed: the token is exactly what follows
// "Bearer ", never trimmed or folded.
func TestAuthorizationNotTrimmed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	a := e.site("site-a", 1)
	for _, v := range []string{"Bearer  " + a, "Bearer \t" + a, "Bearer\t" + a, "Bearer " + a + " x",
		"Bearer " + a + "\t" + a, "Bearer" + a, "Bearer ", "Bearer", a, "Basic " + a, "Bearer " + a + ",x"} {
		e.fails(e.do("GET", "/v1/sites/site-a", "", nil, "Authorization", v), 401, contract.CodeUnauthorized)
	}
	// Whitespace at the ends of a header's value is not part of it (RFC
	// 9110), and net/http drops it before any handler; the handler itself
	// trims nothing.
	h := New(e.store, Options{})
	for _, v := range []string{"Bearer " + a + " ", "Bearer " + a + "\t", " Bearer " + a} {
		req := httptest.NewRequest("GET", "/v1/sites/site-a", nil)
		req.Header.Set("Authorization", v)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 401 {
			t.Errorf("%q: %d, want 401", v, rec.Code)
		}
	}
	// Two Authorization headers are refused, even if one is right.
	r, _ := e.raw("GET /v1/sites/site-a HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + a + "\r\nAuthorization: Bearer " + a + "\r\nConnection: close\r\n\r\n")
	e.fails(r, 401, contract.CodeUnauthorized)
	e.ok(e.do("GET", "/v1/sites/site-a", "", nil, "Authorization", "bearer "+a), 200, nil)
}

// TestIdempotencyParsedRequest: a replay is the same request as parsed, not
// the same bytes.
func TestIdempotencyParsedRequest(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	a := e.site("site-a", 5, numbers(100, 101)...)
	first := e.do("POST", "/v1/sites/site-a/users", a,
		`{"email":"jane@example.com","first_name":"Jane","last_name":"Doe","phone_number":"+13125550100"}`, "Idempotency-Key", "k")
	e.ok(first, 201, nil)
	again := e.do("POST", "/v1/sites/site-a/users", a,
		"{\n  \"phone_number\" : \"+13125550100\",\n  \"last_name\": \"Doe\",\n\t\"first_name\":\"Jane\", \"email\":\"jane@example.com\"\n}\n",
		"Idempotency-Key", "k")
	e.ok(again, 201, nil)
	if again.header.Get("Idempotent-Replayed") != "true" || string(again.body) != string(first.body) {
		t.Fatalf("respaced, reordered body not replayed: %s %v", again.body, again.header)
	}
	e.fails(e.do("POST", "/v1/sites/site-a/users", a,
		`{"email":"jane@example.com","first_name":"Jane","last_name":"Roe","phone_number":"+13125550100"}`, "Idempotency-Key", "k"),
		409, contract.CodeIdempotencyKeyReused)

	// The number in the path, spelt two ways, is one request.
	var ph contract.Phone
	e.ok(e.do("POST", "/v1/sites/site-a/phones", a, map[string]any{"name": "Desk"}), 201, &ph)
	target := `{"type":"phone","id":"` + ph.ID + `"}`
	e.ok(e.do("PUT", "/v1/sites/site-a/numbers/%2B13125550101/assignment", a, target, "Idempotency-Key", "k2"), 200, nil)
	r := e.do("PUT", "/v1/sites/site-a/numbers/"+url.PathEscape("+1 312-555-0101")+"/assignment", a,
		`{ "id": "`+ph.ID+`", "type": "phone" }`, "Idempotency-Key", "k2")
	e.ok(r, 200, nil)
	if r.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("respelt number not replayed: %v", r.header)
	}
	var n contract.Number
	if err := json.Unmarshal(r.body, &n); err != nil || n.Version != 2 {
		t.Fatalf("replay %s: %v", r.body, err)
	}
}

// TestExportNeutralisesFormulas: a name that is a formula comes out of the
// export as text, the number exact (the whole rule: contract's CSV tests).
func TestExportNeutralisesFormulas(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	a := e.site("site-a", 5, numbers(100, 100)...)
	var svc contract.Service
	e.ok(e.do("POST", "/v1/sites/site-a/services", a, map[string]any{"name": `=HYPERLINK("http://x")`, "type": "auto_attendant"}), 201, &svc)
	e.ok(e.do("PUT", "/v1/sites/site-a/numbers/%2B13125550100/assignment", a, contract.Target{Type: contract.TargetService, ID: svc.ID}), 200, nil)
	r := e.do("GET", "/v1/sites/site-a/numbers/export.csv", a, nil)
	want := "+13125550100,assigned,service," + svc.ID + `,"'=HYPERLINK(""http://x"")"` + "\n"
	if r.status != 200 || !strings.HasSuffix(string(r.body), want) {
		t.Fatalf("export %d:\n%s\nwant a last row %q", r.status, r.body, want)
	}
	got, err := contract.ReadCSV(strings.NewReader(string(r.body)))
	if err != nil || len(got) != 1 || got[0].AssignedName != svc.Name {
		t.Fatalf("read back %+v, %v", got, err)
	}
}

// TestNetHTTPOwnAnswers pins what net/http answers itself, before any
// handler runs, so that DESIGN.md and openapi.json stay true: text/plain,
// not the JSON error shape. http.Server has no hook for these.
func TestNetHTTPOwnAnswers(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	for _, c := range []struct {
		request string
		status  int
	}{
		{"GET /v1/healthz HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n", 400},
		{"GET /v1/healthz HTTP/1.1\r\nHost: x\r\nX: a\x00b\r\n\r\n", 400},
		{"GET /v1/healthz HTTP/1.1\r\n\r\n", 400},
		{"POST /v1/healthz HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400},
		{"GET /v1/healthz HTTP/1.1\r\nHost: x\r\nX: " + strings.Repeat("a", 1<<20+4096) + "\r\n\r\n", 431},
		{"POST /v1/healthz HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip\r\n\r\n", 501},
		{"GET /v1/healthz HTTP/2.0\r\nHost: x\r\n\r\n", 505},
		{"GET /v1/healthz HTTP/1.1\r\nHost: x\r\nExpect: teapot\r\n\r\n", 417},
	} {
		r, _ := e.raw(c.request)
		if r.status != c.status || r.status != 417 && !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain") {
			t.Errorf("%.60q: %d %q, want net/http's %d in text/plain", c.request, r.status, r.header.Get("Content-Type"), c.status)
		}
	}
}
