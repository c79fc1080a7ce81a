package server

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
	"github.com/getkin/kin-openapi/routers/gorillamux"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
)

// oasCheck validates exchanges with a running server against the document
// it serves, with kin-openapi (an independent validator): each request
// (unless the case sends one the document rules out on purpose) and every
// response, whose status must be declared.
type oasCheck struct {
	t      *testing.T
	e      *env
	doc    *openapi3.T
	router routers.Router
	seen   map[string]map[int]bool // "METHOD /path/template" → statuses answered
}

func newOASCheck(t *testing.T, e *env) *oasCheck {
	t.Helper()
	served := e.do("GET", "/v1/openapi.json", "", nil)
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(served.body)
	if err != nil {
		t.Fatalf("load the served openapi.json: %v", err)
	}
	if err := doc.Validate(context.Background()); err != nil {
		t.Fatalf("the served openapi.json is not valid: %v", err)
	}
	doc.Servers = openapi3.Servers{{URL: e.url}}
	router, err := gorillamux.NewRouter(doc)
	if err != nil {
		t.Fatal(err)
	}
	return &oasCheck{t: t, e: e, doc: doc, router: router, seen: map[string]map[int]bool{}}
}

// exchange is one request and the status it must be answered with.
type exchange struct {
	method, path, secret string
	body                 string // sent as is; "" = no body
	headers              []string
	status               int
	// badRequest: the request breaks the document on purpose (a wrong
	// Content-Type, a limit out of range): only the response is validated.
	badRequest bool
}

func (o *oasCheck) run(x exchange) resp {
	o.t.Helper()
	build := func() *http.Request {
		var body io.Reader
		if x.body != "" {
			body = strings.NewReader(x.body)
		}
		req, err := http.NewRequest(x.method, o.e.url+x.path, body)
		if err != nil {
			o.t.Fatal(err)
		}
		if x.secret != "" {
			req.Header.Set("Authorization", "Bearer "+x.secret)
		}
		if x.body != "" {
			req.Header.Set("Content-Type", "application/json")
		}
		for i := 0; i+1 < len(x.headers); i += 2 {
			req.Header.Set(x.headers[i], x.headers[i+1])
		}
		return req
	}
	req := build()
	route, params, err := o.router.FindRoute(req)
	if errors.Is(err, routers.ErrMethodNotAllowed) && x.status == http.StatusMethodNotAllowed {
		// The path has other methods: its answer is declared on each of them.
		route, params, err = o.otherMethod(req)
	}
	if err != nil {
		o.t.Fatalf("%s %s: no route in the document: %v", x.method, x.path, err)
	}
	opts := &openapi3filter.Options{IncludeResponseStatus: true, AuthenticationFunc: openapi3filter.NoopAuthenticationFunc}
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route, Options: opts}
	if err := openapi3filter.ValidateRequest(context.Background(), in); err != nil && !x.badRequest && x.status != 405 {
		o.t.Errorf("%s %s: request does not follow the document: %v", x.method, x.path, err)
	}
	res, err := http.DefaultClient.Do(build())
	if err != nil {
		o.t.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		o.t.Fatal(err)
	}
	if res.StatusCode != x.status {
		o.t.Errorf("%s %s: status %d, want %d: %s", x.method, x.path, res.StatusCode, x.status, body)
	}
	if res.StatusCode >= 300 && res.StatusCode < 400 {
		o.t.Errorf("%s %s: a redirect (%d), which openapi3filter does not validate", x.method, x.path, res.StatusCode)
	}
	in.Request = build() // ValidateRequest read the first one's body
	err = openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: res.StatusCode, Header: res.Header, Body: io.NopCloser(bytes.NewReader(body)), Options: opts})
	if err != nil {
		o.t.Errorf("%s %s: response %d does not follow the document: %v\n%s", x.method, x.path, res.StatusCode, err, body)
	}
	key := route.Method + " " + route.Path
	if x.status == 405 {
		key = x.method + " " + route.Path
	}
	if o.seen[key] == nil {
		o.seen[key] = map[int]bool{}
	}
	o.seen[key][res.StatusCode] = true
	return resp{status: res.StatusCode, header: res.Header, body: body}
}

// otherMethod finds the route of req's path under any method it has.
func (o *oasCheck) otherMethod(req *http.Request) (*routers.Route, map[string]string, error) {
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
		probe := req.Clone(req.Context())
		probe.Method = m
		if route, params, err := o.router.FindRoute(probe); err == nil {
			return route, params, nil
		}
	}
	return nil, nil, fmt.Errorf("no method of %s is in the document", req.URL.Path)
}

// blockingBody sends a little and then nothing, so that a Content-Length
// is never met.
type blockingBody struct {
	sent bool
	stop chan struct{}
}

func (b *blockingBody) Read(p []byte) (int, error) {
	if !b.sent {
		b.sent = true
		return copy(p, `{"name":`), nil
	}
	<-b.stop
	return 0, io.EOF
}

// TestOpenAPIValidatesResponses runs every route, its success and its main
// errors, against the running server and validates each request and
// response against the served openapi.json.
func TestOpenAPIValidatesResponses(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{MaxBodyBytes: 4096, BodyTimeout: 300 * time.Millisecond})
	a := e.site("site-a", 10, numbers(100, 109)...)
	b := e.site("site-b", 1, numbers(200, 200)...)
	o := newOASCheck(t, e)
	var u contract.User
	var ph contract.Phone
	var svc contract.Service
	decode := func(r resp, v any) { e.ok(r, r.status, v) }

	huge := `{"name":"` + strings.Repeat("x", 5000) + `"}`
	const js = "application/json"
	n100, n101, n102 := "/v1/sites/site-a/numbers/%2B13125550100", "/v1/sites/site-a/numbers/%2B13125550101", "/v1/sites/site-a/numbers/%2B13125550102"
	xs := []exchange{
		{method: "GET", path: "/v1/openapi.json", status: 200},
		{method: "GET", path: "/v1/healthz", status: 200},
		{method: "GET", path: "/v1/metrics", status: 200},
		{method: "POST", path: "/v1/healthz", status: 405},
		{method: "GET", path: "/v1/healthz?x=%zz", status: 422, badRequest: true},

		{method: "POST", path: "/v1/sites", secret: e.admin, body: `{"id":"site-c","name":"C","stations_purchased":1}`, status: 201},
		{method: "POST", path: "/v1/sites", secret: e.admin, body: `{"id":"site-c","name":"C","stations_purchased":1}`, status: 409},
		{method: "POST", path: "/v1/sites", secret: e.admin, body: `{"id":"Bad ID"}`, status: 422, badRequest: true},
		{method: "POST", path: "/v1/sites", secret: e.admin, body: `{"id":"site-d"}`, headers: []string{"Content-Type", "text/plain"}, status: 415, badRequest: true},
		{method: "POST", path: "/v1/sites", secret: e.admin, body: huge, status: 413, badRequest: true},
		{method: "POST", path: "/v1/sites", secret: a, body: `{"id":"site-d"}`, status: 403},
		{method: "GET", path: "/v1/sites?limit=1", secret: e.admin, status: 200},
		{method: "GET", path: "/v1/sites?limit=0", secret: e.admin, status: 422, badRequest: true},
		{method: "GET", path: "/v1/sites?cursor=abc", secret: e.admin, status: 422},
		{method: "GET", path: "/v1/sites/site-a", secret: a, status: 200},
		{method: "GET", path: "/v1/sites/site-b", secret: a, status: 403},
		{method: "GET", path: "/v1/sites/site-z", secret: e.admin, status: 404},
		{method: "DELETE", path: "/v1/sites/site-a", secret: e.admin, status: 405},
		{method: "PATCH", path: "/v1/sites/site-a", secret: e.admin, body: `{"stations_purchased":12}`, headers: []string{"If-Match", `"1"`}, status: 200},
		{method: "PATCH", path: "/v1/sites/site-a", secret: e.admin, body: `{"stations_purchased":12}`, headers: []string{"If-Match", `"1"`}, status: 412},
		{method: "PATCH", path: "/v1/sites/site-a", secret: e.admin, body: `{}`, status: 422, badRequest: true},
		{method: "POST", path: "/v1/tokens", secret: e.admin, body: `{"name":"ci","site":"site-a"}`, status: 201},
		{method: "POST", path: "/v1/tokens", secret: e.admin, body: `{"name":"ci","site":"nowhere"}`, status: 404},
		{method: "POST", path: "/v1/tokens", secret: a, body: `{"name":"ci","site":"site-a"}`, status: 403},
		{method: "GET", path: "/v1/sites/site-a/inventory", secret: a, status: 200},
		{method: "GET", path: "/v1/sites/site-z/inventory", secret: e.admin, status: 404},

		{method: "POST", path: "/v1/sites/site-a/numbers", secret: e.admin, body: `{"numbers":["+13125550199"],"ranges":[{"from":"+13125550190","to":"+13125550191"}]}`, status: 201},
		{method: "POST", path: "/v1/sites/site-a/numbers", secret: e.admin, body: `{"numbers":["+13125550199"]}`, status: 409},
		{method: "POST", path: "/v1/sites/site-a/numbers", secret: e.admin, body: `{"numbers":[]}`, status: 422},
		{method: "GET", path: "/v1/sites/site-a/numbers?limit=2&status=available", secret: a, status: 200},
		{method: "GET", path: "/v1/sites/site-a/numbers?cursor=abc", secret: a, status: 422},
		{method: "GET", path: "/v1/sites/site-a/numbers?status=free", secret: a, status: 422, badRequest: true},
		{method: "GET", path: "/v1/sites/site-a/numbers/export.csv?status=available", secret: a, status: 200},
		{method: "GET", path: "/v1/sites/site-a/numbers/export.csv?prefix=abc", secret: a, status: 422, badRequest: true},
		{method: "GET", path: "/v1/sites/site-a/numbers/ranges?status=available&limit=1", secret: a, status: 200},
		{method: "GET", path: "/v1/sites/site-z/numbers/ranges", secret: e.admin, status: 404},
		{method: "GET", path: n100, secret: a, status: 200},
		{method: "GET", path: "/v1/sites/site-a/numbers/%2B13125550999", secret: a, status: 404},
		{method: "GET", path: "/v1/sites/site-a/numbers/12345", secret: a, status: 422},
	}
	for _, x := range xs {
		o.run(x)
	}
	decode(o.run(exchange{method: "POST", path: "/v1/sites/site-a/users", secret: a, body: `{"email":"jane@example.com","first_name":"Jane","last_name":"Doe","phone_number":"+13125550100"}`, headers: []string{"Idempotency-Key", "u1"}, status: 201}), &u)
	decode(o.run(exchange{method: "POST", path: "/v1/sites/site-a/phones", secret: a, body: `{"name":"Lobby","model":"VVX 450"}`, status: 201}), &ph)
	decode(o.run(exchange{method: "POST", path: "/v1/sites/site-a/services", secret: a, body: `{"name":"Main","type":"auto_attendant"}`, status: 201}), &svc)
	user, phone, service := "/v1/sites/site-a/users/"+u.ID, "/v1/sites/site-a/phones/"+ph.ID, "/v1/sites/site-a/services/"+svc.ID
	xs = []exchange{
		{method: "POST", path: "/v1/sites/site-a/users", secret: a, body: `{"email":"other@example.com","first_name":"O","last_name":"P","phone_number":"+13125550101"}`, headers: []string{"Idempotency-Key", "u1"}, status: 409},
		{method: "POST", path: "/v1/sites/site-a/users", secret: a, body: `{"email":"jane@example.com","first_name":"J","last_name":"D","phone_number":"+13125550101"}`, status: 409},
		{method: "POST", path: "/v1/sites/site-a/users", secret: a, body: `{"email":"bad"}`, status: 422},
		{method: "POST", path: "/v1/sites/site-a/users", secret: a, body: `{"email":"x@example.com"}`, headers: []string{"Content-Type", "text/plain"}, status: 415, badRequest: true},
		{method: "GET", path: "/v1/sites/site-a/idempotency-keys/u1", secret: a, status: 200},
		{method: "GET", path: "/v1/sites/site-a/idempotency-keys/u2", secret: a, status: 404},
		{method: "GET", path: "/v1/sites/site-a/users?limit=1", secret: a, status: 200},
		{method: "GET", path: "/v1/sites/site-a/users?email=jane@example.com", secret: a, status: 200},
		{method: "GET", path: "/v1/sites/site-a/users?phone_number=12", secret: a, status: 422},
		{method: "GET", path: user, secret: a, status: 200},
		{method: "GET", path: "/v1/sites/site-a/users/usr_nope", secret: a, status: 404},
		{method: "PATCH", path: user, secret: a, body: `{"email":"jane@example.com","first_name":"Janet","last_name":"Doe","phone_number":"+13125550100"}`, headers: []string{"If-Match", `"1"`}, status: 200},
		{method: "PATCH", path: user, secret: a, body: `{"email":"jane@example.com","first_name":"Janet","last_name":"Doe","phone_number":"+13125550100"}`, headers: []string{"If-Match", `"1"`}, status: 412},
		{method: "PATCH", path: user, secret: a, body: `{"email":"jane@example.com","first_name":"Janet","last_name":"Doe","phone_number":"+13125550100"}`, headers: []string{"If-Match", "1"}, status: 422, badRequest: true},

		{method: "GET", path: "/v1/sites/site-a/phones", secret: a, status: 200},
		{method: "GET", path: "/v1/sites/site-a/phones?name=lobby", secret: a, status: 200},
		{method: "GET", path: "/v1/sites/site-a/phones?limit=1001", secret: a, status: 422, badRequest: true},
		{method: "GET", path: phone, secret: a, status: 200},
		{method: "GET", path: "/v1/sites/site-a/phones/ph_nope", secret: a, status: 404},
		{method: "PATCH", path: phone, secret: a, body: `{"name":"Lobby east","model":"VVX 450"}`, headers: []string{"If-Match", `"1"`}, status: 200},
		{method: "PATCH", path: phone, secret: a, body: `{"name":"Lobby west","model":"VVX 450"}`, headers: []string{"If-Match", `"1"`}, status: 412},
		{method: "PATCH", path: phone, secret: a, body: `{"name":"Lobby","model":"VVX 600"}`, status: 422},
		{method: "POST", path: "/v1/sites/site-a/phones", secret: a, body: `{"name":"main"}`, status: 409},
		{method: "GET", path: "/v1/sites/site-a/services", secret: a, status: 200},
		{method: "GET", path: service, secret: a, status: 200},
		{method: "GET", path: "/v1/sites/site-a/services/svc_nope", secret: a, status: 404},
		{method: "PATCH", path: service, secret: a, body: `{"name":"Main line","type":"auto_attendant"}`, headers: []string{"If-Match", `"1"`}, status: 200},
		{method: "PATCH", path: service, secret: a, body: `{"name":"Main","type":"call_queue"}`, status: 422},
		{method: "POST", path: "/v1/sites/site-a/services", secret: a, body: `{"name":"X","type":"fax"}`, status: 422, badRequest: true},

		{method: "PUT", path: n101 + "/assignment", secret: a, body: `{"type":"phone","id":"` + ph.ID + `"}`, headers: []string{"If-None-Match", "*"}, status: 200},
		{method: "PUT", path: n101 + "/assignment", secret: a, body: `{"type":"service","id":"` + svc.ID + `"}`, headers: []string{"If-None-Match", "*"}, status: 409},
		{method: "PUT", path: n101 + "/assignment", secret: a, body: `{"type":"service","id":"` + svc.ID + `"}`, headers: []string{"If-Match", `"1"`}, status: 412},
		{method: "PUT", path: n102 + "/assignment", secret: a, body: `{"type":"phone","id":"ph_nope"}`, status: 422},
		{method: "PUT", path: n102 + "/assignment", secret: a, body: `{"type":"robot","id":"x"}`, status: 422, badRequest: true},
		{method: "PUT", path: "/v1/sites/site-a/numbers/%2B13125550103/assignment", secret: a, body: `{"type":"service","id":"` + svc.ID + `"}`, status: 200},
		{method: "DELETE", path: phone, secret: a, status: 409},
		{method: "DELETE", path: n101 + "/assignment", secret: a, headers: []string{"If-Match", `"1"`}, status: 412},
		{method: "DELETE", path: n101 + "/assignment", secret: a, status: 200},
		{method: "DELETE", path: n100 + "/assignment", secret: a, status: 409}, // a user's number
		{method: "DELETE", path: phone, secret: a, headers: []string{"Idempotency-Key", "has spaces"}, status: 422, badRequest: true},
		{method: "DELETE", path: phone, secret: a, status: 204},
		{method: "DELETE", path: phone, secret: a, status: 404},
		{method: "DELETE", path: "/v1/sites/site-a/numbers/%2B13125550103/assignment", secret: a, status: 200},
		{method: "DELETE", path: service, secret: a, headers: []string{"Idempotency-Key", "d1"}, status: 204},
		{method: "DELETE", path: "/v1/sites/site-a/services/svc_other", secret: a, headers: []string{"Idempotency-Key", "d1"}, status: 409},
		{method: "DELETE", path: user, secret: a, headers: []string{"If-Match", `"1"`}, status: 412},
		{method: "DELETE", path: user, secret: a, headers: []string{"If-Match", `"2"`}, status: 204},
		{method: "DELETE", path: user, secret: a, status: 404},
		{method: "GET", path: "/v1/sites/site-b/numbers", secret: b, status: 200},
	}
	for _, x := range xs {
		o.run(x)
	}

	// Every route without a token, with a site token where it needs an
	// admin one, and (with a body) with a body that is not JSON.
	for _, rt := range routes {
		if rt.access == public {
			continue
		}
		path := strings.NewReplacer("{site}", "site-a", "{number}", "%2B13125550102", "{id}", "x_1").Replace(rt.path)
		body := ""
		if rt.method == "POST" || rt.method == "PUT" || rt.method == "PATCH" {
			body = `{}`
		}
		o.run(exchange{method: rt.method, path: path, body: body, status: 401, badRequest: body != ""})
		if rt.access == adminOnly {
			o.run(exchange{method: rt.method, path: path, secret: a, body: body, status: 403, badRequest: body != ""})
		}
		if body != "" {
			o.run(exchange{method: rt.method, path: path, secret: e.admin, body: body, headers: []string{"Content-Type", "text/plain"}, status: 415, badRequest: true})
		}
	}

	// A body that never arrives: 408.
	stop := make(chan struct{})
	defer close(stop)
	req, err := http.NewRequest("POST", e.url+"/v1/sites/site-a/phones", &blockingBody{stop: stop})
	if err != nil {
		t.Fatal(err)
	}
	req.ContentLength = 100
	req.Header.Set("Content-Type", js)
	req.Header.Set("Authorization", "Bearer "+a)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	lateBody, _ := io.ReadAll(res.Body)
	res.Body.Close()
	route, params, _ := o.router.FindRoute(req)
	in := &openapi3filter.RequestValidationInput{Request: req, PathParams: params, Route: route,
		Options: &openapi3filter.Options{IncludeResponseStatus: true}}
	if res.StatusCode != 408 {
		t.Errorf("late body: status %d: %s", res.StatusCode, lateBody)
	}
	if err := openapi3filter.ValidateResponse(context.Background(), &openapi3filter.ResponseValidationInput{
		RequestValidationInput: in, Status: res.StatusCode, Header: res.Header, Body: io.NopCloser(bytes.NewReader(lateBody)), Options: in.Options}); err != nil {
		t.Errorf("late body: %v", err)
	}

	// Rate limits, per token and per client address.
	limited := newEnv(t, Options{RateLimit: 1, Burst: 1, Clock: newFakeClock().Now})
	la := limited.site("site-a", 1)
	lo := newOASCheck(t, limited)
	lo.run(exchange{method: "GET", path: "/v1/sites/site-a", secret: la, status: 200})
	r := lo.run(exchange{method: "GET", path: "/v1/sites/site-a", secret: la, status: 429})
	lo.run(exchange{method: "GET", path: "/v1/sites/site-a/users", secret: "cpt_guess", status: 401})
	lo.run(exchange{method: "GET", path: "/v1/sites/site-a/users", secret: "cpt_guess", status: 429})
	if r.header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}

	// Every route was answered with a success and with an error.
	for _, rt := range routes {
		statuses := o.seen[rt.method+" "+rt.path]
		var ok, failed bool
		for s := range statuses {
			ok = ok || s < 300
			failed = failed || s >= 400
		}
		if !ok || !failed && rt.access != public {
			t.Errorf("%s %s: answered %v, want a success and an error", rt.method, rt.path, statuses)
		}
	}
}
