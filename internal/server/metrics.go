package server

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
)

// metrics counts the answers the API has given, by method, route and status,
// so an operator (and a test) can see how many requests a Terraform run
// costs. Labels come from the route table, never from the request's own
// path or method, so a hostile client cannot grow the set.
type metrics struct {
	mu       sync.Mutex
	answered map[answerKey]uint64
}

type answerKey struct {
	method, route string
	status        int
}

// count records the answer to r. It runs after the mux has routed r, which
// sets r.Pattern to the route that served it ("GET /v1/sites/{site}/users").
func (m *metrics) count(r *http.Request, status int) {
	method, route, routed := strings.Cut(r.Pattern, " ")
	if !routed {
		method, route = "other", "unrouted"
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.answered[answerKey{method, route, status}]++
}

// metrics serves the counts in the Prometheus text format, sorted so that
// two scrapes of the same counts are identical.
func (s *server) metrics(c *call) error {
	s.counts.mu.Lock()
	keys := make([]answerKey, 0, len(s.counts.answered))
	for k := range s.counts.answered {
		keys = append(keys, k)
	}
	var b strings.Builder
	b.WriteString("# HELP callingportal_http_requests_total Requests the API answered, by method, route and status.\n")
	b.WriteString("# TYPE callingportal_http_requests_total counter\n")
	slices.SortFunc(keys, func(a, b answerKey) int {
		return cmp.Or(strings.Compare(a.route, b.route), strings.Compare(a.method, b.method), cmp.Compare(a.status, b.status))
	})
	for _, k := range keys {
		fmt.Fprintf(&b, "callingportal_http_requests_total{method=%q,route=%q,status=\"%d\"} %d\n", k.method, k.route, k.status, s.counts.answered[k])
	}
	s.counts.mu.Unlock()
	c.w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
	_, _ = c.w.Write([]byte(b.String()))
	return nil
}
