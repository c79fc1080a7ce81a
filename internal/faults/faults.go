// Package faults is a fault-injecting HTTP middleware for tests: it stands
// between a client and the portal and answers some requests with a failure
// instead of the portal's answer, or after it. Faults are scripted (the
// next n requests of a method) or drawn at a rate from a seeded source, so
// that a failing run can be repeated.
package faults

import (
	"bytes"
	"context"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Kind is one way for a request to fail.
type Kind string

const (
	TooMany     Kind = "429 with Retry-After: 1"
	TooManyNow  Kind = "429 with Retry-After: 0"
	Unavailable Kind = "503"
	BadGateway  Kind = "502 from a proxy"
	DropBefore  Kind = "connection dropped before the portal ran"
	DropAfter   Kind = "connection dropped after the portal ran"
	Slow        Kind = "an answer held back for SlowFor"
)

// Every is every kind, for a run that draws them all.
var Every = []Kind{TooMany, TooManyNow, Unavailable, BadGateway, DropBefore, DropAfter, Slow}

// Injector is the middleware. Its zero value is not usable: see New.
type Injector struct {
	next http.Handler
	// SlowFor is how long a Slow fault holds a request before the portal
	// runs it (default 400ms); set it before the first request.
	SlowFor time.Duration

	mu sync.Mutex
	// The script: the next n requests of method get kind.
	method string
	kind   Kind
	n      int
	// The draw: requests that match get a fault at rate, of one of kinds.
	rng   *rand.Rand
	rate  float64
	kinds []Kind
	match func(*http.Request) bool

	seen     map[string]int // requests per "METHOD /path"
	injected map[Kind]int
}

// New puts an Injector in front of next.
func New(next http.Handler) *Injector {
	return &Injector{next: next, SlowFor: 400 * time.Millisecond}
}

// NewProxy is an Injector in front of a reverse proxy to the portal at
// target, for a portal that runs in another process or server.
func NewProxy(target string) (*Injector, error) {
	u, err := url.Parse(target)
	if err != nil {
		return nil, err
	}
	return New(httputil.NewSingleHostReverseProxy(u)), nil
}

// Inject makes the next n requests of method fail with kind.
func (f *Injector) Inject(method string, kind Kind, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.method, f.kind, f.n = method, kind, n
}

// Randomly makes each request that match accepts (all when nil) fail with
// probability rate, with a kind drawn from kinds, from a source seeded
// with seed.
func (f *Injector) Randomly(rate float64, seed uint64, match func(*http.Request) bool, kinds ...Kind) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.rng, f.rate, f.kinds, f.match = rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), rate, kinds, match
}

// Stop ends the script and the draw: requests pass untouched.
func (f *Injector) Stop() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.n, f.rate = 0, 0
}

// Count is how many requests of method have reached the middleware.
func (f *Injector) Count(method string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for k, v := range f.seen {
		if strings.HasPrefix(k, method+" ") {
			n += v
		}
	}
	return n
}

// Seen is how many requests of "METHOD /path" have reached the middleware.
func (f *Injector) Seen(request string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.seen[request]
}

// Injected is how many faults of each kind the middleware has injected.
func (f *Injector) Injected() map[Kind]int {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make(map[Kind]int, len(f.injected))
	for k, v := range f.injected {
		out[k] = v
	}
	return out
}

// Reset forgets the script and what was seen.
func (f *Injector) Reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seen, f.injected, f.n = nil, nil, 0
}

// pick is the fault for r, "" for none.
func (f *Injector) pick(r *http.Request) Kind {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.seen == nil {
		f.seen, f.injected = map[string]int{}, map[Kind]int{}
	}
	f.seen[r.Method+" "+r.URL.Path]++
	kind := Kind("")
	switch {
	case f.n > 0 && r.Method == f.method:
		kind = f.kind
		f.n--
	case f.rate > 0 && (f.match == nil || f.match(r)) && f.rng.Float64() < f.rate:
		kind = f.kinds[f.rng.IntN(len(f.kinds))]
	}
	if kind != "" {
		f.injected[kind]++
	}
	return kind
}

func (f *Injector) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	kind := f.pick(r)
	switch kind {
	case "":
		f.next.ServeHTTP(w, r)
	case TooMany, TooManyNow:
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Retry-After", map[Kind]string{TooMany: "1", TooManyNow: "0"}[kind])
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = io.WriteString(w, `{"code":"rate_limited","message":"injected: too many requests"}`)
	case Unavailable:
		w.WriteHeader(http.StatusServiceUnavailable)
	case BadGateway:
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(http.StatusBadGateway)
		_, _ = io.WriteString(w, "<html><body><h1>502 Bad Gateway</h1></body></html>")
	case DropBefore:
		hangUp(w)
	case DropAfter:
		// The portal runs and commits; its answer never leaves.
		f.next.ServeHTTP(httptest.NewRecorder(), r.WithContext(context.WithoutCancel(r.Context())))
		hangUp(w)
	case Slow:
		// The client gives up on this try; the portal still runs it, once
		// the body is in, with a context of its own.
		body, _ := io.ReadAll(r.Body)
		time.Sleep(f.SlowFor)
		r = r.WithContext(context.WithoutCancel(r.Context()))
		r.Body = io.NopCloser(bytes.NewReader(body))
		f.next.ServeHTTP(w, r)
	}
}

func hangUp(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(err)
	}
	conn.Close()
}
