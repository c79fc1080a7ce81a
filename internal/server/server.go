// Package server is the calling portal's versioned JSON HTTP API (v1) over
// the rules of package portal: bearer-token auth scoped to a site, ETags and
// If-Match, pagination, idempotent creates, per-token rate limits, the CSV
// export, request counts for Prometheus and an OpenAPI description of itself.
package server

import (
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"runtime/debug"
	"strings"
	"sync/atomic"
	"time"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
)

// Options tune a server. The zero value serves with no rate limit.
type Options struct {
	// RateLimit is requests per second per token, and per client address
	// for requests whose token is missing or unknown; 0 = unlimited.
	RateLimit      float64
	Burst          int   // requests a token may send at once; default ceil(RateLimit)
	MaxBodyBytes   int64 // default 1 MiB
	Logger         *slog.Logger
	IdempotencyTTL time.Duration // default 24h
	// Clock is the time rate limits and idempotency records go by;
	// default portal.SystemClock.
	Clock portal.Clock
	// BodyTimeout bounds how long a request body may take to arrive once
	// the handler starts reading it; default 30 s. A body that is late
	// (a Content-Length larger than what is sent) is answered 408.
	BodyTimeout time.Duration
}

type access int

const (
	public    access = iota // no token
	siteScope               // a token of the {site} in the path, or an admin token
	adminOnly               // an admin token
)

// route is one operation of the API. The table below is the single list of
// them: New registers it and the OpenAPI test checks it against openapi.json.
type route struct {
	method, path string
	access       access
	idempotent   bool // a write that honours Idempotency-Key: a retry gets the first answer
	handle       func(*server, *call) error
}

var routes = []route{
	{"GET", "/v1/openapi.json", public, false, (*server).openAPI},
	{"GET", "/v1/healthz", public, false, (*server).healthz},
	{"GET", "/v1/metrics", public, false, (*server).metrics},

	{"POST", "/v1/sites", adminOnly, true, (*server).createSite},
	{"GET", "/v1/sites", adminOnly, false, (*server).listSites},
	{"GET", "/v1/sites/{site}", siteScope, false, (*server).getSite},
	{"PATCH", "/v1/sites/{site}", adminOnly, true, (*server).patchSite},
	// Not idempotent: a replay would have to store the secret in the clear.
	{"POST", "/v1/tokens", adminOnly, false, (*server).createToken},
	{"GET", "/v1/sites/{site}/inventory", siteScope, false, (*server).getInventory},
	{"GET", "/v1/sites/{site}/idempotency-keys/{key}", siteScope, false, (*server).getEarlierCreate},

	{"POST", "/v1/sites/{site}/numbers", adminOnly, true, (*server).addNumbers},
	{"GET", "/v1/sites/{site}/numbers", siteScope, false, (*server).listNumbers},
	// More specific than {number}, so ServeMux routes it here.
	{"GET", "/v1/sites/{site}/numbers/export.csv", siteScope, false, (*server).exportNumbers},
	{"GET", "/v1/sites/{site}/numbers/ranges", siteScope, false, (*server).listNumberRanges},
	{"GET", "/v1/sites/{site}/numbers/{number}", siteScope, false, (*server).getNumber},
	{"PUT", "/v1/sites/{site}/numbers/{number}/assignment", siteScope, true, (*server).assignNumber},
	{"DELETE", "/v1/sites/{site}/numbers/{number}/assignment", siteScope, true, (*server).unassignNumber},

	{"POST", "/v1/sites/{site}/users", siteScope, true, (*server).createUser},
	{"GET", "/v1/sites/{site}/users", siteScope, false, (*server).listUsers},
	{"GET", "/v1/sites/{site}/users/{id}", siteScope, false, (*server).getUser},
	{"PATCH", "/v1/sites/{site}/users/{id}", siteScope, true, (*server).updateUser},
	{"DELETE", "/v1/sites/{site}/users/{id}", siteScope, true, (*server).deleteUser},

	{"POST", "/v1/sites/{site}/phones", siteScope, true, phoneAPI.createOne},
	{"GET", "/v1/sites/{site}/phones", siteScope, false, phoneAPI.list},
	{"GET", "/v1/sites/{site}/phones/{id}", siteScope, false, phoneAPI.get},
	{"PATCH", "/v1/sites/{site}/phones/{id}", siteScope, true, phoneAPI.patch},
	{"DELETE", "/v1/sites/{site}/phones/{id}", siteScope, true, phoneAPI.remove},

	{"POST", "/v1/sites/{site}/services", siteScope, true, serviceAPI.createOne},
	{"GET", "/v1/sites/{site}/services", siteScope, false, serviceAPI.list},
	{"GET", "/v1/sites/{site}/services/{id}", siteScope, false, serviceAPI.get},
	{"PATCH", "/v1/sites/{site}/services/{id}", siteScope, true, serviceAPI.patch},
	{"DELETE", "/v1/sites/{site}/services/{id}", siteScope, true, serviceAPI.remove},
}

type server struct {
	store   portal.Store
	opts    Options
	log     *slog.Logger
	limiter *limiter // per token ID; nil when unlimited
	// failures limits requests that fail to authenticate, per client
	// address, at the same rate; nil when unlimited.
	failures *limiter
	mux      *http.ServeMux
	counts   metrics
	tokens   tokenCache
	// swept is when a write last deleted the expired idempotency records
	// (UnixNano of the server's clock); see sweepDue.
	swept atomic.Int64
}

// New returns the API handler over store.
func New(store portal.Store, opts Options) http.Handler {
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = 1 << 20
	}
	if opts.IdempotencyTTL <= 0 {
		opts.IdempotencyTTL = 24 * time.Hour
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.Clock == nil {
		opts.Clock = portal.SystemClock
	}
	if opts.BodyTimeout <= 0 {
		opts.BodyTimeout = 30 * time.Second
	}
	s := &server{store: store, opts: opts, log: opts.Logger, mux: http.NewServeMux(),
		counts: metrics{answered: map[answerKey]uint64{}}}
	if opts.RateLimit > 0 {
		burst := opts.Burst
		if burst < 1 {
			burst = int(math.Ceil(opts.RateLimit))
		}
		s.limiter = newLimiter(opts.RateLimit, burst)
		s.failures = newLimiter(opts.RateLimit, burst)
		s.failures.prune = maxFailureBuckets
	}
	for _, rt := range routes {
		s.mux.HandleFunc(rt.method+" "+rt.path, s.endpoint(rt))
	}
	s.mux.HandleFunc("/", s.notRouted)
	return http.HandlerFunc(s.serveHTTP)
}

// serveHTTP logs each request (never its headers or bodies: they carry
// secrets and PINs) and turns a panic into a 500.
func (s *server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	rec := NewRecorder(w)
	start := time.Now()
	defer func() {
		if p := recover(); p != nil {
			if p == http.ErrAbortHandler {
				panic(p)
			}
			s.log.Error("panic serving request", "method", r.Method, "path", r.URL.Path,
				"panic", fmt.Sprint(p), "stack", string(debug.Stack()))
			if !rec.Wrote {
				s.writeError(rec, r, fmt.Errorf("panic: %v", p))
			}
		}
		s.counts.count(r, rec.Status)
		s.log.Info("request", "method", r.Method, "path", r.URL.Path, "status", rec.Status,
			"duration", time.Since(start), "token", rec.TokenID)
	}()
	if uncleanPath(r.URL.Path) {
		// ServeMux would redirect to the cleaned path, with an HTML body.
		s.writeError(rec, r, &contract.Error{Code: contract.CodeNotFound,
			Message: "no API route " + r.URL.Path + ": paths with an empty, \".\" or \"..\" segment are not cleaned, write the path itself",
			Details: map[string]any{"path": r.URL.Path}})
		return
	}
	s.mux.ServeHTTP(rec, r)
}

// endpoint authenticates, authorises and rate-limits a request before its
// handler runs, and writes whatever error the handler returns.
func (s *server) endpoint(rt route) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		c := &call{w: w, r: r, site: r.PathValue("site"), route: rt, bodyTimeout: s.opts.BodyTimeout}
		if err := s.admit(c); err != nil {
			s.writeError(w, r, err)
			return
		}
		if err := checkQuery(r.URL.RawQuery); err != nil {
			s.writeError(w, r, err)
			return
		}
		setBodyDeadline(w, r, s.opts.BodyTimeout)
		r.Body = http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes)
		if err := rt.handle(s, c); err != nil {
			s.writeError(w, r, err)
		}
	}
}

func (s *server) admit(c *call) error {
	if c.route.access == public {
		return nil
	}
	// A client address whose requests failed to authenticate too often
	// waits, whatever token it sends now: were a right guess still let
	// through, the limit would not slow guessing down.
	addr := clientAddr(c.r)
	if err := s.limitFailures(c.w, addr); err != nil {
		return err
	}
	tok, err := s.authenticate(c.r)
	if err != nil {
		if contract.CodeOf(err) == contract.CodeUnauthorized {
			s.failedAuth(addr)
		}
		c.w.Header().Set("WWW-Authenticate", `Bearer realm="callingportal"`)
		return err
	}
	c.tok = tok
	if rec, ok := c.w.(*Recorder); ok {
		rec.TokenID = tok.ID
	}
	// Limit before authorising, so forbidden requests count too.
	if err := s.limit(c.w, tok.ID); err != nil {
		return err
	}
	switch {
	case tok.Admin:
		return nil
	case c.route.access == adminOnly:
		return &contract.Error{Code: contract.CodeForbidden, Message: "this operation needs an admin token"}
	case tok.Site != c.site:
		return &contract.Error{Code: contract.CodeForbidden,
			Message: fmt.Sprintf("this token acts on site %q, not on site %q", tok.Site, c.site),
			Details: map[string]any{"site": c.site}}
	}
	return nil
}

// authenticate finds the token of the Authorization header, which must be
// exactly "Bearer <token>": one space, and a token of the characters
// RFC 6750 allows, never trimmed. (net/http has already removed whitespace
// at the two ends of the header's value, as RFC 9110 says: "Bearer x " is
// the same header as "Bearer x".)
func (s *server) authenticate(r *http.Request) (contract.Token, error) {
	values := r.Header.Values("Authorization")
	var scheme, secret string
	ok := len(values) == 1
	if ok {
		scheme, secret, ok = strings.Cut(values[0], " ")
	}
	if !ok || !strings.EqualFold(scheme, "Bearer") || !isToken68(secret) {
		return contract.Token{}, &contract.Error{Code: contract.CodeUnauthorized,
			Message: "send an API token as Authorization: Bearer <token>, with one space and nothing else around the token"}
	}
	hash, now := portal.HashSecret(secret), s.opts.Clock()
	if tok, ok := s.tokens.get(hash, now); ok {
		return tok, nil
	}
	var tok contract.Token
	err := s.store.View(r.Context(), func(tx portal.Tx) error {
		var err error
		tok, err = tx.GetTokenByHash(hash)
		return err
	})
	if contract.CodeOf(err) == contract.CodeNotFound {
		return contract.Token{}, &contract.Error{Code: contract.CodeUnauthorized, Message: "the API token is not known to this portal"}
	}
	if err == nil {
		s.tokens.put(hash, tok, now)
	}
	return tok, err
}

// notRouted answers requests no route matches with a JSON error where
// ServeMux would answer in plain text: 405 with Allow when the path exists
// under other methods, else 404.
func (s *server) notRouted(w http.ResponseWriter, r *http.Request) {
	var allow []string
	for _, m := range []string{"GET", "POST", "PUT", "PATCH", "DELETE"} {
		probe := *r
		probe.Method = m
		if _, pattern := s.mux.Handler(&probe); pattern != "" && pattern != "/" {
			allow = append(allow, m)
		}
	}
	if len(allow) == 0 {
		s.writeError(w, r, &contract.Error{Code: contract.CodeNotFound, Message: "no API route " + r.URL.Path})
		return
	}
	w.Header().Set("Allow", strings.Join(allow, ", "))
	s.writeError(w, r, &statusError{http.StatusMethodNotAllowed, &contract.Error{Code: contract.CodeValidationFailed,
		Message: fmt.Sprintf("method %s is not allowed on %s; use %s", r.Method, r.URL.Path, strings.Join(allow, ", ")),
		Details: map[string]any{"allow": allow}}})
}

// Recorder remembers what a request's log line needs: the status sent,
// whether anything was, and (on the API) the token's ID. The web page logs
// through it too.
type Recorder struct {
	http.ResponseWriter
	Status  int
	Wrote   bool
	TokenID string
}

// NewRecorder records what is written to w; the status is 200 until set.
func NewRecorder(w http.ResponseWriter) *Recorder {
	return &Recorder{ResponseWriter: w, Status: http.StatusOK}
}

func (r *Recorder) WriteHeader(status int) {
	if !r.Wrote {
		r.Status, r.Wrote = status, true
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *Recorder) Write(b []byte) (int, error) {
	r.Wrote = true
	return r.ResponseWriter.Write(b)
}

func (r *Recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
