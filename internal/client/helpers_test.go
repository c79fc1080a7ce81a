package client

import (
	"context"
	"fmt"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/callingportal/terraform-provider-callingportal/internal/faults"
	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
	"github.com/callingportal/terraform-provider-callingportal/internal/server"
	"github.com/callingportal/terraform-provider-callingportal/internal/store/sqlite"
)

// testPortal is the real API server on a temporary SQLite file, behind a
// fault-injecting middleware, with a client that logs into a capture.
type testPortal struct {
	store  *sqlite.Store
	url    string
	secret string // the admin token's secret
	faults *faults.Injector
	logs   *captureLogger
	client *Client
}

const testSite = "hq"

// newPortal sets up site hq with stations, numbers +13125550100..109 and a
// service "Main line", and an admin token; the client retries quickly.
func newPortal(t *testing.T, stations int, opts server.Options) *testPortal {
	t.Helper()
	st, err := sqlite.Open(filepath.Join(t.TempDir(), "portal.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	p := &testPortal{store: st, secret: "cpt_test-" + portal.NewID("secret"), logs: &captureLogger{}}
	err = st.Update(context.Background(), func(tx portal.Tx) error {
		if _, err := portal.CreateSite(tx, contract.Site{ID: testSite, Name: "Headquarters", StationsPurchased: stations}); err != nil {
			return err
		}
		if _, err := portal.AddNumbers(tx, testSite, numberRange(100, 109)); err != nil {
			return err
		}
		if _, err := portal.CreateService(tx, testSite, contract.ServiceInput{TargetInput: contract.TargetInput{Name: new("Main line")}, Type: new("auto_attendant")}); err != nil {
			return err
		}
		return tx.PutToken(contract.Token{ID: portal.NewID("tok"), Name: "test admin", Admin: true,
			CreatedAt: tx.Now()}, portal.HashSecret(p.secret))
	})
	if err != nil {
		t.Fatal(err)
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	p.faults = faults.New(server.New(st, opts))
	p.faults.SlowFor = slowFor
	srv := httptest.NewServer(p.faults)
	t.Cleanup(srv.Close)
	p.url = srv.URL
	p.client = p.newClient(t)
	// (f) Whatever a test did, the logger never saw the token.
	t.Cleanup(func() { p.logs.assertNever(t, p.secret) })
	return p
}

// newClient is a client of the portal with quick retries; edit changes its
// config.
func (p *testPortal) newClient(t *testing.T, edit ...func(*Config)) *Client {
	t.Helper()
	cfg := Config{Endpoint: p.url, Token: p.secret, Site: testSite,
		RetryWaitMin: 10 * time.Millisecond, RetryWaitMax: 2 * time.Second, Logger: p.logs.forContext}
	for _, e := range edit {
		e(&cfg)
	}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// numberRange is +1312555<from>..+1312555<to>, zero-padded to four digits.
func numberRange(from, to int) []string {
	var ns []string
	for i := from; i <= to; i++ {
		ns = append(ns, fmt.Sprintf("+1312555%04d", i))
	}
	return ns
}

// The fault kinds, by their short names in these tests.
const (
	tooMany     = faults.TooMany
	tooManyNow  = faults.TooManyNow
	unavailable = faults.Unavailable
	badGateway  = faults.BadGateway
	dropBefore  = faults.DropBefore
	dropAfter   = faults.DropAfter
	slow        = faults.Slow
)

type faultKind = faults.Kind

// slowFor is how long a slow fault holds a request before the portal runs it.
const slowFor = 400 * time.Millisecond

// captureLogger is a retryablehttp.LeveledLogger that keeps every line.
type captureLogger struct {
	mu    sync.Mutex
	lines []string
}

func (l *captureLogger) log(level, msg string, kv ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, level+" "+msg+" "+fmt.Sprint(kv...)+fmt.Sprintf(" %#v", kv))
}

func (l *captureLogger) Error(msg string, kv ...any) { l.log("ERROR", msg, kv...) }
func (l *captureLogger) Warn(msg string, kv ...any)  { l.log("WARN", msg, kv...) }
func (l *captureLogger) Info(msg string, kv ...any)  { l.log("INFO", msg, kv...) }
func (l *captureLogger) Debug(msg string, kv ...any) { l.log("DEBUG", msg, kv...) }

// forContext is the client's Config.Logger: one capture for every request.
func (l *captureLogger) forContext(context.Context) retryablehttp.LeveledLogger { return l }

func (l *captureLogger) text() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Join(l.lines, "\n")
}

func (l *captureLogger) assertNever(t *testing.T, secrets ...string) {
	t.Helper()
	text := l.text()
	for _, s := range secrets {
		if strings.Contains(text, s) {
			t.Errorf("the logger received %q:\n%s", s, text)
		}
	}
}
