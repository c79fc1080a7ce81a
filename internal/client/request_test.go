package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
)

// newStubClient is a client of a hand-written handler, with short waits.
func newStubClient(t *testing.T, h http.HandlerFunc, edit ...func(*Config)) *Client {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	cfg := Config{Endpoint: srv.URL, Token: "tok-secret", Site: "hq", MaxRetries: 2,
		RetryWaitMin: time.Millisecond, RetryWaitMax: 5 * time.Millisecond}
	for _, e := range edit {
		e(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestNewValidatesConfig(t *testing.T) {
	ok := Config{Endpoint: "https://portal.example.com", Token: "t", Site: "hq"}
	for _, tc := range []struct {
		name string
		edit func(*Config)
		want string // substring of the error; "" = no error
	}{
		{"ok", func(*Config) {}, ""},
		{"empty endpoint", func(c *Config) { c.Endpoint = "" }, "endpoint is empty"},
		{"not a URL", func(c *Config) { c.Endpoint = "http://[::1" }, "is not a URL"},
		{"no scheme", func(c *Config) { c.Endpoint = "portal.example.com" }, "must be an http or https URL"},
		{"ftp", func(c *Config) { c.Endpoint = "ftp://portal.example.com" }, "must be an http or https URL"},
		{"credentials in URL", func(c *Config) { c.Endpoint = "https://u:pw@portal.example.com" }, "must not carry credentials"},
		{"empty token", func(c *Config) { c.Token = "" }, "token is empty"},
		{"token with newline", func(c *Config) { c.Token = "t\n" }, "line break"},
		{"empty site", func(c *Config) { c.Site = "" }, "site is empty"},
		{"negative wait", func(c *Config) { c.RetryWaitMin = -time.Second }, "must not be negative"},
		{"min above max", func(c *Config) { c.RetryWaitMin, c.RetryWaitMax = 2*time.Second, time.Second }, "exceeds RetryWaitMax"},
		{"only a small max", func(c *Config) { c.RetryWaitMax = 100 * time.Millisecond }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := ok
			tc.edit(&cfg)
			_, err := New(cfg)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("New: %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("New: %v, want an error containing %q", err, tc.want)
			case err != nil && strings.Contains(err.Error(), "pw"):
				t.Fatalf("error echoes a credential: %v", err)
			}
		})
	}
}

func TestNewDefaults(t *testing.T) {
	c, err := New(Config{Endpoint: "https://portal.example.com/prefix/v1/", Token: "t", Site: "hq"})
	if err != nil {
		t.Fatal(err)
	}
	if c.baseURL != "https://portal.example.com/prefix" || c.userAgent != defaultUserAgent ||
		c.http.RetryMax != 4 || c.http.RetryWaitMin != 250*time.Millisecond || c.http.RetryWaitMax != 10*time.Second || c.http.Logger != nil {
		t.Errorf("defaults: base %q, UA %q, retries %d, waits %v..%v, logger %v",
			c.baseURL, c.userAgent, c.http.RetryMax, c.http.RetryWaitMin, c.http.RetryWaitMax, c.http.Logger)
	}
	c, _ = New(Config{Endpoint: "https://p", Token: "t", Site: "hq", MaxRetries: -1})
	if c.http.RetryMax != 0 {
		t.Errorf("MaxRetries -1: RetryMax %d, want 0", c.http.RetryMax)
	}
}

// TestRequestHeaders checks what every request carries, the conditional
// headers, and that a create's Idempotency-Key survives its retries.
// TestConnectionsKeptForTerraformsParallelism sends 10 requests at once,
// as Terraform's default -parallelism does, several times over: the
// connections of the first round serve the next ones.
func TestConnectionsKeptForTerraformsParallelism(t *testing.T) {
	t.Parallel()
	var (
		mu    sync.Mutex
		conns int
	)
	release := make(chan struct{})
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release // every request of a round is in flight at once
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"site":"hq","total":1,"in_use":0,"available":1}`)
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			mu.Lock()
			conns++
			mu.Unlock()
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	c, err := New(Config{Endpoint: srv.URL, Token: "tok-secret", Site: "hq"})
	if err != nil {
		t.Fatal(err)
	}
	const parallelism, rounds = 10, 3
	for range rounds {
		var wg sync.WaitGroup
		for range parallelism {
			wg.Go(func() {
				if _, err := c.Inventory.Read(t.Context()); err != nil {
					t.Error(err)
				}
			})
		}
		time.Sleep(50 * time.Millisecond)
		for range parallelism {
			release <- struct{}{}
		}
		wg.Wait()
	}
	if conns != parallelism {
		t.Errorf("%d rounds of %d requests at once opened %d connections, want %d", rounds, parallelism, conns, parallelism)
	}
}

func TestRequestHeaders(t *testing.T) {
	var mu sync.Mutex
	var got []*http.Request
	var bodies []string
	c := newStubClient(t, func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, r)
		bodies = append(bodies, string(b))
		n := len(got)
		mu.Unlock()
		if r.Method == http.MethodPost && n == 1 {
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, `{}`)
	}, func(cfg *Config) { cfg.UserAgent = "tf-test/1.0" })
	ctx := context.Background()

	if _, err := c.Users.Create(ctx, contract.UserInput{Email: ptr("a@example.com")}); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Users.Update(ctx, "usr_1", contract.UserInput{FirstName: ptr("Ann")}, 7); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Users.Update(ctx, "usr_1", contract.UserInput{}, 0); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Numbers.Assign(ctx, "+1 312/555 0142", contract.Target{Type: contract.TargetPhone, ID: "ph_1"}, true); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Numbers.Assign(ctx, "+13125550142", contract.Target{Type: contract.TargetPhone, ID: "ph_1"}, false); err != nil {
		t.Fatal(err)
	}

	if len(got) != 6 {
		t.Fatalf("%d requests, want 6", len(got))
	}
	for i, r := range got {
		if r.Header.Get("Authorization") != "Bearer tok-secret" || r.Header.Get("User-Agent") != "tf-test/1.0" || r.Header.Get("Accept") != "application/json" {
			t.Errorf("request %d: Authorization %q, User-Agent %q, Accept %q", i, r.Header.Get("Authorization"), r.Header.Get("User-Agent"), r.Header.Get("Accept"))
		}
	}
	create, retry := got[0], got[1]
	if k := create.Header.Get("Idempotency-Key"); k == "" || k != retry.Header.Get("Idempotency-Key") || bodies[0] != bodies[1] {
		t.Errorf("create and its retry: keys %q and %q, bodies %q and %q", k, retry.Header.Get("Idempotency-Key"), bodies[0], bodies[1])
	}
	if create.URL.Path != "/v1/sites/hq/users" || create.Header.Get("Content-Type") != "application/json" || bodies[0] != `{"email":"a@example.com"}` {
		t.Errorf("create: %s %s %q", create.URL.Path, create.Header.Get("Content-Type"), bodies[0])
	}
	if h := got[2].Header.Get("If-Match"); h != `"7"` || got[2].Method != http.MethodPatch || bodies[2] != `{"first_name":"Ann"}` {
		t.Errorf("update: If-Match %q, %s, %q", h, got[2].Method, bodies[2])
	}
	if _, ok := got[3].Header["If-Match"]; ok {
		t.Error("update with ifMatch 0 sent If-Match")
	}
	if got[4].URL.EscapedPath() != "/v1/sites/hq/numbers/+1%20312%2F555%200142/assignment" || got[4].Header.Get("If-None-Match") != "*" ||
		bodies[4] != `{"type":"phone","id":"ph_1"}` {
		t.Errorf("assign: %s If-None-Match %q %q", got[4].URL.EscapedPath(), got[4].Header.Get("If-None-Match"), bodies[4])
	}
	if _, ok := got[5].Header["If-None-Match"]; ok {
		t.Error("assign without onlyIfAvailable sent If-None-Match")
	}
	// Every write has its own key, so that a retry after a lost answer is
	// replayed rather than met with its own change (a 412).
	keys := map[string]bool{}
	for i, r := range got[1:] {
		k := r.Header.Get("Idempotency-Key")
		if k == "" || keys[k] && i > 0 {
			t.Errorf("request %d (%s): Idempotency-Key %q, want a new one per write", i+1, r.Method, k)
		}
		keys[k] = true
	}
}

// TestAttemptsByStatus runs the policy through retryablehttp: how often each
// answer is tried with MaxRetries 2.
func TestAttemptsByStatus(t *testing.T) {
	for _, tc := range []struct {
		status   int
		method   string
		ifMatch  int64
		attempts int
	}{
		{429, http.MethodGet, 0, 3},
		{502, http.MethodGet, 0, 3},
		{503, http.MethodGet, 0, 3},
		{504, http.MethodGet, 0, 3},
		{500, http.MethodGet, 0, 1},
		{400, http.MethodGet, 0, 1},
		{404, http.MethodGet, 0, 1},
		{409, http.MethodGet, 0, 1},
		{503, http.MethodPost, 0, 3}, // creates carry an Idempotency-Key
		{503, "POST token", 0, 1},    // but token creates do not
		{503, http.MethodPatch, 4, 3},
		{503, http.MethodPatch, 0, 3},
		{429, http.MethodPatch, 0, 3},
		{429, "POST token", 0, 1},
		{503, http.MethodPut, 0, 3},
		{503, http.MethodDelete, 0, 3},
	} {
		t.Run(fmt.Sprint(tc.method, tc.status, tc.ifMatch), func(t *testing.T) {
			var n int
			var mu sync.Mutex
			c := newStubClient(t, func(w http.ResponseWriter, r *http.Request) {
				mu.Lock()
				n++
				mu.Unlock()
				w.WriteHeader(tc.status)
			})
			ctx := context.Background()
			var err error
			switch tc.method {
			case http.MethodGet:
				_, err = c.Users.Read(ctx, "usr_1")
			case http.MethodPost:
				_, err = c.Phones.Create(ctx, contract.PhoneInput{TargetInput: contract.TargetInput{Name: new("desk")}})
			case "POST token":
				_, _, err = c.Tokens.Create(ctx, "ci", "hq", false)
			case http.MethodPatch:
				_, err = c.Users.Update(ctx, "usr_1", contract.UserInput{}, tc.ifMatch)
			case http.MethodPut:
				_, err = c.Numbers.Assign(ctx, "+13125550142", contract.Target{}, false)
			case http.MethodDelete:
				err = c.Phones.Delete(ctx, "ph_1")
			}
			if n != tc.attempts {
				t.Errorf("%d attempts, want %d", n, tc.attempts)
			}
			var pe *contract.Error
			if !errors.As(err, &pe) || pe.Code != codeForStatus(tc.status) || !strings.Contains(pe.Message, strconv.Itoa(tc.status)) {
				t.Errorf("err = %#v, want a portal error for %d", err, tc.status)
			}
		})
	}
}

func TestDecodeError(t *testing.T) {
	for _, tc := range []struct {
		name        string
		status      int
		contentType string
		body        string
		want        *contract.Error
		contains    []string
	}{
		{"portal error", 409, "application/json",
			`{"code":"no_stations_available","message":"this change needs 1 new station","details":{"needed":1,"site":"hq"}}`,
			ErrNoStationsAvailable, []string{"this change needs 1 new station"}},
		{"portal error without message", 404, "application/json", `{"code":"not_found"}`,
			ErrNotFound, []string{"GET /v1/sites/hq/users/usr_1", "not_found", "404"}},
		{"proxy HTML 502", 502, "text/html", "<html>\n<body>\n  <h1>502 Bad Gateway</h1>\n</body></html>",
			&contract.Error{Code: contract.CodeInternal}, []string{"GET /v1/sites/hq/users/usr_1", "502 Bad Gateway", "<h1>502 Bad Gateway</h1>"}},
		{"plain 404", 404, "text/plain", "404 page not found\n", ErrNotFound, []string{"404 page not found"}},
		{"401 empty", 401, "", "", ErrUnauthorized, []string{"401 Unauthorized"}},
		{"403", 403, "text/plain", "nope", ErrForbidden, []string{"nope"}},
		{"409", 409, "text/plain", "x", ErrConflict, nil},
		{"412", 412, "text/plain", "x", ErrPreconditionFailed, nil},
		{"422", 422, "text/plain", "x", ErrValidationFailed, nil},
		{"429", 429, "text/plain", "x", ErrRateLimited, nil},
		{"JSON without code", 400, "application/json", `{"error":"bad"}`, &contract.Error{Code: contract.CodeInternal}, []string{`{"error":"bad"}`}},
		{"long body", 500, "text/plain", strings.Repeat("é", 500), &contract.Error{Code: contract.CodeInternal}, []string{"…"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newStubClient(t, func(w http.ResponseWriter, r *http.Request) {
				if tc.contentType != "" {
					w.Header().Set("Content-Type", tc.contentType)
				}
				w.WriteHeader(tc.status)
				_, _ = io.WriteString(w, tc.body)
			}, func(cfg *Config) { cfg.MaxRetries = -1 })
			_, err := c.Users.Read(context.Background(), "usr_1")
			var pe *contract.Error
			if !errors.As(err, &pe) {
				t.Fatalf("err = %v (%T), want *contract.Error", err, err)
			}
			if !errors.Is(err, &contract.Error{Code: tc.want.Code}) {
				t.Errorf("code %q, want %q", pe.Code, tc.want.Code)
			}
			for _, s := range tc.contains {
				if !strings.Contains(pe.Message, s) {
					t.Errorf("message %q lacks %q", pe.Message, s)
				}
			}
			if len(pe.Message) > 400 {
				t.Errorf("message is %d bytes long", len(pe.Message))
			}
		})
	}
	t.Run("details", func(t *testing.T) {
		c := newStubClient(t, func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(409)
			_, _ = io.WriteString(w, `{"code":"user_number_locked","message":"locked","details":{"assigned_id":"usr_9"}}`)
		})
		_, err := c.Numbers.Unassign(context.Background(), "+13125550142", 0)
		var pe *contract.Error
		if !errors.Is(err, ErrUserNumberLocked) || errors.Is(err, ErrConflict) || !errors.As(err, &pe) || pe.Details["assigned_id"] != "usr_9" {
			t.Errorf("err = %#v", err)
		}
	})
}

// TestTransportError: a connection that never answers ends in an error
// naming the method and path, how often it was tried, and not the token.
func TestTransportError(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	endpoint := srv.URL
	srv.Close() // nothing listens there any more
	c, err := New(Config{Endpoint: endpoint, Token: "tok-secret", Site: "hq", MaxRetries: 2,
		RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Inventory.Read(context.Background())
	if err == nil {
		t.Fatal("no error")
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "GET /v1/sites/hq/inventory: giving up after 3 attempts: ") || strings.Contains(msg, "tok-secret") {
		t.Errorf("err = %q", msg)
	}
	if errors.Is(err, ErrNotFound) || contract.CodeOf(err) != contract.CodeInternal {
		t.Errorf("a transport error matches a portal code: %v", err)
	}

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := c.Inventory.Read(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestListAllFollowsCursors(t *testing.T) {
	var queries []string
	c := newStubClient(t, func(w http.ResponseWriter, r *http.Request) {
		queries = append(queries, r.URL.RawQuery)
		q := r.URL.Query()
		page := map[string]any{}
		switch q.Get("cursor") {
		case "":
			page["items"], page["next_cursor"] = []contract.Number{{Number: "+13125550100"}, {Number: "+13125550101"}}, "c1"
		case "c1":
			page["items"], page["next_cursor"] = []contract.Number{{Number: "+13125550102"}}, "c2"
		case "c2":
			page["items"] = []contract.Number{{Number: "+13125550103"}}
		}
		_ = json.NewEncoder(w).Encode(page)
	})
	got, err := c.Numbers.List(context.Background(), contract.NumberFilter{Status: contract.StatusAvailable, Prefix: "+1312"})
	if err != nil {
		t.Fatal(err)
	}
	var numbers []string
	for _, n := range got {
		numbers = append(numbers, n.Number)
	}
	if strings.Join(numbers, " ") != "+13125550100 +13125550101 +13125550102 +13125550103" {
		t.Errorf("numbers %v", numbers)
	}
	want := []string{
		"limit=1000&prefix=%2B1312&status=available",
		"cursor=c1&limit=1000&prefix=%2B1312&status=available",
		"cursor=c2&limit=1000&prefix=%2B1312&status=available",
	}
	if strings.Join(queries, "\n") != strings.Join(want, "\n") {
		t.Errorf("queries\n%s\nwant\n%s", strings.Join(queries, "\n"), strings.Join(want, "\n"))
	}
}

func TestListAllStopsOnRepeatedCursor(t *testing.T) {
	c := newStubClient(t, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, `{"items":[],"next_cursor":"same"}`)
	})
	if _, err := c.Phones.List(context.Background()); err == nil || !strings.Contains(err.Error(), "twice") {
		t.Errorf("err = %v", err)
	}
}

func TestFindNotFound(t *testing.T) {
	var query string
	c := newStubClient(t, func(w http.ResponseWriter, r *http.Request) {
		query = r.URL.RawQuery
		_, _ = io.WriteString(w, `{"items":[]}`)
	})
	_, err := c.Users.FindByEmail(context.Background(), "x@example.com")
	if !errors.Is(err, ErrNotFound) || err.Error() != `no user with email "x@example.com" on site hq` || query != "email=x%40example.com&limit=1000" {
		t.Errorf("err = %v, query %q", err, query)
	}
	if _, err := c.Services.FindByName(context.Background(), "Main line"); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), `service with name "Main line"`) {
		t.Errorf("err = %v", err)
	}
}

func TestExportCopiesBytes(t *testing.T) {
	// CRLF, quotes, a trailing line without newline: nothing may change.
	csv := "number,status,assigned_type,assigned_id,assigned_name\r\n+13125550100,assigned,phone,ph_1,\"Desk, lobby\"\r\n+13125550101,available,,,"
	var accept, query string
	c := newStubClient(t, func(w http.ResponseWriter, r *http.Request) {
		accept, query = r.Header.Get("Accept"), r.URL.RawQuery
		w.Header().Set("Content-Type", "text/csv")
		_, _ = io.WriteString(w, csv)
	})
	var buf bytes.Buffer
	if err := c.Numbers.Export(context.Background(), contract.NumberFilter{AssignedType: contract.TargetPhone}, &buf); err != nil {
		t.Fatal(err)
	}
	if buf.String() != csv || accept != "text/csv" || query != "assigned_type=phone" {
		t.Errorf("export %q (Accept %q, query %q)", buf.String(), accept, query)
	}
}

// TestIdempotencyKeys: every create but the token's carries its own key.
func TestIdempotencyKeys(t *testing.T) {
	keys := map[string]string{}
	c := newStubClient(t, func(w http.ResponseWriter, r *http.Request) {
		keys[r.URL.Path] = r.Header.Get("Idempotency-Key")
		_, _ = io.WriteString(w, `{}`)
	})
	for _, create := range []func() error{
		func() error { _, err := c.Users.Create(ctx, contract.UserInput{}); return err },
		func() error {
			_, err := c.Phones.Create(ctx, contract.PhoneInput{TargetInput: contract.TargetInput{Name: new("desk")}})
			return err
		},
		func() error {
			_, err := c.Services.Create(ctx, contract.ServiceInput{TargetInput: contract.TargetInput{Name: new("main")}, Type: new("hunt_group")})
			return err
		},
		func() error { _, err := c.Sites.Create(ctx, contract.Site{ID: "branch"}); return err },
		func() error { _, err := c.Numbers.Add(ctx, []string{"+13125550100"}); return err },
		func() error { _, _, err := c.Tokens.Create(ctx, "ci", "hq", false); return err },
	} {
		if err := create(); err != nil {
			t.Fatal(err)
		}
	}
	seen := map[string]bool{}
	for _, path := range []string{"/v1/sites/hq/users", "/v1/sites/hq/phones", "/v1/sites/hq/services", "/v1/sites", "/v1/sites/hq/numbers"} {
		k := keys[path]
		if len(k) < 16 || seen[k] {
			t.Errorf("POST %s: Idempotency-Key %q, want a fresh random one", path, k)
		}
		seen[k] = true
	}
	if k, ok := keys["/v1/tokens"]; !ok || k != "" {
		t.Errorf("POST /v1/tokens: Idempotency-Key %q (sent: %v), want none", k, ok)
	}
}

func ptr[T any](v T) *T { return &v }
