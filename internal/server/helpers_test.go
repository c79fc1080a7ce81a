package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
	"github.com/callingportal/terraform-provider-callingportal/internal/store/sqlite"
)

// env is one portal on its own SQLite file, served over real HTTP.
type env struct {
	t     *testing.T
	url   string
	store *sqlite.Store
	admin string // an admin token's secret
}

func newEnv(t *testing.T, opts Options) *env {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "portal.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))
	}
	srv := httptest.NewServer(New(st, opts))
	t.Cleanup(srv.Close)
	e := &env{t: t, url: srv.URL, store: st}
	e.admin = e.token("admin", "", true)
	return e
}

// fakeClock is a clock a test moves by hand: the server's rate limits and
// idempotency records then go by it instead of by real sleeps.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Date(2026, 12, 2, 9, 0, 0, 0, time.UTC)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// token issues a token straight in the store, as bootstrap code does.
func (e *env) token(name, site string, admin bool) string {
	e.t.Helper()
	var secret string
	err := e.store.Update(context.Background(), func(tx portal.Tx) error {
		var err error
		_, secret, err = portal.IssueToken(tx, name, site, admin, "")
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return secret
}

// site creates a site with stations and numbers straight in the store, and
// returns a token of that site. Setting up this way spends no rate limit.
func (e *env) site(id string, stations int, numbers ...string) string {
	e.t.Helper()
	err := e.store.Update(context.Background(), func(tx portal.Tx) error {
		if _, err := portal.CreateSite(tx, contract.Site{ID: id, StationsPurchased: stations}); err != nil {
			return err
		}
		_, err := portal.AddNumbers(tx, id, numbers)
		return err
	})
	if err != nil {
		e.t.Fatal(err)
	}
	return e.token(id+"-token", id, false)
}

// numbers returns +1312555<from>..+1312555<to>, e.g. numbers(100, 102).
func numbers(from, to int) []string {
	var ns []string
	for i := from; i <= to; i++ {
		ns = append(ns, fmt.Sprintf("+1312555%04d", i))
	}
	return ns
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

// do sends a request. body is nil, a string sent as is, or a value sent as
// JSON; headers are name, value pairs.
func (e *env) do(method, path, secret string, body any, headers ...string) resp {
	e.t.Helper()
	var r io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		r = strings.NewReader(b)
	default:
		j, err := json.Marshal(b)
		if err != nil {
			e.t.Fatal(err)
		}
		r = bytes.NewReader(j)
	}
	req, err := http.NewRequest(method, e.url+path, r)
	if err != nil {
		e.t.Fatal(err)
	}
	if secret != "" {
		req.Header.Set("Authorization", "Bearer "+secret)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		e.t.Fatal(err)
	}
	return resp{status: res.StatusCode, header: res.Header, body: b}
}

// ok fails unless the response has status, then decodes its body into v.
func (e *env) ok(r resp, status int, v any) {
	e.t.Helper()
	if r.status != status {
		e.t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	if v != nil {
		reflect.ValueOf(v).Elem().SetZero() // absent fields must not keep old values
		if err := json.Unmarshal(r.body, v); err != nil {
			e.t.Fatalf("decode %s: %v", r.body, err)
		}
	}
}

// fails checks an error answer's status and code and returns the error.
func (e *env) fails(r resp, status int, code contract.Code) contract.Error {
	e.t.Helper()
	var pe contract.Error
	if r.status != status {
		e.t.Fatalf("status %d, want %d: %s", r.status, status, r.body)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		e.t.Errorf("Content-Type %q, want application/json", ct)
	}
	if err := json.Unmarshal(r.body, &pe); err != nil {
		e.t.Fatalf("decode %s: %v", r.body, err)
	}
	if pe.Code != code || pe.Message == "" {
		e.t.Fatalf("error %s, want code %s and a message", r.body, code)
	}
	return pe
}

func (e *env) inventory(site, secret string) contract.Inventory {
	e.t.Helper()
	var inv contract.Inventory
	e.ok(e.do("GET", "/v1/sites/"+site+"/inventory", secret, nil), 200, &inv)
	return inv
}

// lockedBuffer is a log sink the server may write while the test reads.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
