package server

import (
	"fmt"
	"math"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
)

// limiter is a token bucket per key: each bucket holds up to burst
// requests and refills at rate per second. The server keeps one limiter
// keyed by token ID, so there are only as many buckets as the portal has
// tokens, and one keyed by client address for requests that fail to
// authenticate, which forgets the buckets that have refilled once it holds
// many.
type limiter struct {
	rate, burst float64

	mu      sync.Mutex
	buckets map[string]*bucket
	prune   int // prune full buckets once there are this many; 0 = never
}

type bucket struct {
	tokens float64
	at     time.Time
}

// maxFailureBuckets is how many client addresses the failure limiter
// holds before it forgets those whose buckets have refilled.
const maxFailureBuckets = 4096

func newLimiter(rate float64, burst int) *limiter {
	return &limiter{rate: rate, burst: float64(burst), buckets: map[string]*bucket{}}
}

// refill returns key's bucket as of now. The caller holds l.mu.
func (l *limiter) refill(key string, now time.Time) *bucket {
	b, ok := l.buckets[key]
	if !ok {
		if l.prune > 0 && len(l.buckets) >= l.prune {
			l.pruneFull(now)
		}
		b = &bucket{tokens: l.burst, at: now}
		l.buckets[key] = b
	}
	b.tokens = min(l.burst, b.tokens+now.Sub(b.at).Seconds()*l.rate)
	b.at = now
	return b
}

// pruneFull forgets the buckets that are full again: they are as a new one.
// If that frees less than half, the next prune waits until twice as many.
func (l *limiter) pruneFull(now time.Time) {
	for key, b := range l.buckets {
		if b.tokens+now.Sub(b.at).Seconds()*l.rate >= l.burst {
			delete(l.buckets, key)
		}
	}
	l.prune = max(l.prune, 2*len(l.buckets))
}

// take spends one request from key's bucket, or says how long until the
// bucket holds one again.
func (l *limiter) take(key string, now time.Time) (time.Duration, bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.refill(key, now)
	if b.tokens >= 1 {
		b.tokens--
		return 0, true
	}
	return l.until(b), false
}

// wait says how long until key's bucket holds a request, without spending
// one: zero when it holds one now.
func (l *limiter) wait(key string, now time.Time) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.buckets[key]; !ok {
		return 0
	}
	if b := l.refill(key, now); b.tokens < 1 {
		return l.until(b)
	}
	return 0
}

func (l *limiter) until(b *bucket) time.Duration {
	return time.Duration((1 - b.tokens) / l.rate * float64(time.Second))
}

// limit spends one request of the token's bucket, or answers 429.
func (s *server) limit(w http.ResponseWriter, tokenID string) error {
	if s.limiter == nil {
		return nil
	}
	wait, ok := s.limiter.take(tokenID, s.opts.Clock())
	if ok {
		return nil
	}
	return tooMany(w, wait, "this token")
}

// limitFailures answers 429 while the client address has spent its bucket
// of requests that failed to authenticate.
func (s *server) limitFailures(w http.ResponseWriter, addr string) error {
	if s.failures == nil {
		return nil
	}
	if wait := s.failures.wait(addr, s.opts.Clock()); wait > 0 {
		return tooMany(w, wait, "this client address with a missing or unknown token")
	}
	return nil
}

// failedAuth counts a request from addr that failed to authenticate.
func (s *server) failedAuth(addr string) {
	if s.failures != nil {
		s.failures.take(addr, s.opts.Clock())
	}
}

func tooMany(w http.ResponseWriter, wait time.Duration, whose string) error {
	secs := max(1, int(math.Ceil(wait.Seconds())))
	w.Header().Set("Retry-After", fmt.Sprint(secs))
	return &contract.Error{Code: contract.CodeRateLimited,
		Message: fmt.Sprintf("too many requests for %s: retry in %d s", whose, secs),
		Details: map[string]any{"retry_after_seconds": secs}}
}

// clientAddr is the address a request came from, without its port. Behind
// a proxy that is the proxy's: the portal trusts no forwarding header.
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return host
}

// isToken68 reports whether s is an RFC 6750 bearer token: letters,
// digits and -._~+/ with trailing =, and nothing else (no whitespace).
func isToken68(s string) bool {
	body := len(s)
	for body > 0 && s[body-1] == '=' {
		body--
	}
	if body == 0 {
		return false
	}
	for i := range body {
		c := s[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case c == '-', c == '.', c == '_', c == '~', c == '+', c == '/':
		default:
			return false
		}
	}
	return true
}
