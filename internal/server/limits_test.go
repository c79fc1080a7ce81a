package server

import (
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
)

// TestHostileSizes: what TestBodyLimit (a limit set by Options) and
// TestNetHTTPOwnAnswers (headers over MaxHeaderBytes: net/http's 431) leave
// out. The default body limit holds, for a chunked body of no announced
// length too; JSON nested deeper than encoding/json goes is a 422; and a
// long header line that net/http lets through, on each header the API
// reads, is a 4xx with the JSON error shape.
func TestHostileSizes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	a := e.site("site-a", 5, numbers(100, 101)...)

	big := `{"name":"` + strings.Repeat("x", 1<<20) + `"}`
	pe := e.fails(e.do("POST", "/v1/sites/site-a/phones", a, big), 413, contract.CodeValidationFailed)
	if pe.Details["limit_bytes"] != float64(1<<20) {
		t.Errorf("default limit: details %v, want limit_bytes 1 MiB", pe.Details)
	}
	// Chunked: no Content-Length to refuse up front, so the read stops at the limit.
	r, _ := e.raw(fmt.Sprintf("POST /v1/sites/site-a/phones HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer %s\r\n"+
		"Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n", a, len(big), big))
	e.fails(r, 413, contract.CodeValidationFailed)

	for name, body := range map[string]string{
		"arrays":          strings.Repeat("[", 100_000),
		"closed arrays":   strings.Repeat("[", 20_000) + strings.Repeat("]", 20_000),
		"objects":         `{"name":` + strings.Repeat(`{"a":`, 20_000) + "1" + strings.Repeat("}", 20_001),
		"in a field":      `{"name":"Desk","model":` + strings.Repeat("[", 50_000) + `}`,
		"at the top":      strings.Repeat(`{"":`, 50_000),
		"under the limit": strings.Repeat("[", 9_000) + strings.Repeat("]", 9_000),
	} {
		pe := e.fails(e.do("POST", "/v1/sites/site-a/phones", a, body), 422, contract.CodeValidationFailed)
		if pe.Details["field"] == nil {
			t.Errorf("deep JSON, %s: details %v name no field", name, pe.Details)
		}
	}

	long := strings.Repeat("a", 512<<10) // well under MaxHeaderBytes, so net/http lets it through
	for _, c := range []struct {
		method, path, header string
		status               int
		code                 contract.Code
	}{
		{"GET", "/v1/sites/site-a", "Authorization", 401, contract.CodeUnauthorized},
		{"POST", "/v1/sites/site-a/phones", "Idempotency-Key", 422, contract.CodeValidationFailed},
		{"PATCH", "/v1/sites/site-a/phones/ph_x", "If-Match", 422, contract.CodeValidationFailed},
		{"PUT", "/v1/sites/site-a/numbers/%2B13125550100/assignment", "If-None-Match", 422, contract.CodeValidationFailed},
		{"POST", "/v1/sites/site-a/phones", "Content-Type", 415, contract.CodeValidationFailed},
	} {
		value := long
		if c.header == "Authorization" {
			value = "Bearer " + long
		}
		body := `{"name":"Desk"}`
		if c.method == "PUT" {
			body = `{"type":"phone","id":"ph_x"}`
		}
		req, err := http.NewRequest(c.method, e.url+c.path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		if c.header != "Authorization" {
			req.Header.Set("Authorization", "Bearer "+a)
		}
		req.Header.Set(c.header, value)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(res.Body)
		res.Body.Close()
		if err != nil {
			t.Fatal(err)
		}
		e.fails(resp{status: res.StatusCode, header: res.Header, body: b}, c.status, c.code)
	}
}
