package server

import (
	"strings"
	"testing"
)

// TestMetrics counts answers by route template and status, never by the
// request's own path, and serves them in the Prometheus text format.
func TestMetrics(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	tok := e.site("m1", 5, numbers(100, 101)...)
	for range 3 {
		e.ok(e.do("GET", "/v1/sites/m1/numbers/+13125550100", tok, nil), 200, nil)
	}
	e.fails(e.do("GET", "/v1/sites/m1/numbers/+13125550199", tok, nil), 404, "not_found")
	e.fails(e.do("BREW", "/v1/coffee/../pot", tok, nil), 404, "not_found")

	r := e.do("GET", "/v1/metrics", "", nil)
	if r.status != 200 || !strings.HasPrefix(r.header.Get("Content-Type"), "text/plain; version=0.0.4") {
		t.Fatalf("GET /v1/metrics: %d %q", r.status, r.header.Get("Content-Type"))
	}
	body := string(r.body)
	for _, want := range []string{
		"# TYPE callingportal_http_requests_total counter\n",
		`callingportal_http_requests_total{method="GET",route="/v1/sites/{site}/numbers/{number}",status="200"} 3` + "\n",
		`callingportal_http_requests_total{method="GET",route="/v1/sites/{site}/numbers/{number}",status="404"} 1` + "\n",
		`callingportal_http_requests_total{method="other",route="unrouted",status="404"} 1` + "\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("metrics lack %q:\n%s", want, body)
		}
	}
	if strings.Contains(body, "BREW") || strings.Contains(body, "coffee") || strings.Contains(body, "m1") {
		t.Errorf("metrics carry the request's own method, path or site:\n%s", body)
	}
}
