package server

import (
	"bytes"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
)

type openAPIDoc struct {
	Paths      map[string]map[string]json.RawMessage `json:"paths"`
	Components map[string]map[string]json.RawMessage `json:"components"`
}

type openAPIParam struct {
	Ref  string `json:"$ref"`
	Name string `json:"name"`
	In   string `json:"in"`
}

type openAPIOp struct {
	Parameters  []openAPIParam             `json:"parameters"`
	Security    *[]map[string][]string     `json:"security"`
	Responses   map[string]json.RawMessage `json:"responses"`
	RequestBody json.RawMessage            `json:"requestBody"`
}

func loadOpenAPI(t *testing.T) openAPIDoc {
	t.Helper()
	var doc openAPIDoc
	dec := json.NewDecoder(bytes.NewReader(openAPISpec))
	if err := dec.Decode(&doc); err != nil {
		t.Fatalf("openapi.json: %v", err)
	}
	return doc
}

// params resolves an operation's parameters, path-level ones included, to
// "in:name" strings.
func (d openAPIDoc) params(t *testing.T, lists ...[]openAPIParam) []string {
	var out []string
	for _, ps := range lists {
		for _, p := range ps {
			if name, ok := strings.CutPrefix(p.Ref, "#/components/parameters/"); ok {
				if err := json.Unmarshal(d.Components["parameters"][name], &p); err != nil {
					t.Fatalf("parameter %s: %v", p.Ref, err)
				}
			}
			out = append(out, p.In+":"+p.Name)
		}
	}
	return out
}

// TestOpenAPICoversRoutes walks the route table: every route is in
// openapi.json with its path parameters, its auth and, for idempotent
// creates, Idempotency-Key; and openapi.json has no operation the server
// does not serve.
func TestOpenAPICoversRoutes(t *testing.T) {
	t.Parallel()
	doc := loadOpenAPI(t)
	served := map[string]bool{}
	for _, rt := range routes {
		served[rt.method+" "+rt.path] = true
		item, ok := doc.Paths[rt.path]
		if !ok {
			t.Errorf("%s %s: path missing from openapi.json", rt.method, rt.path)
			continue
		}
		raw, ok := item[strings.ToLower(rt.method)]
		if !ok {
			t.Errorf("%s %s: method missing from openapi.json", rt.method, rt.path)
			continue
		}
		var op openAPIOp
		if err := json.Unmarshal(raw, &op); err != nil {
			t.Fatalf("%s %s: %v", rt.method, rt.path, err)
		}
		var pathLevel []openAPIParam
		if p, ok := item["parameters"]; ok {
			if err := json.Unmarshal(p, &pathLevel); err != nil {
				t.Fatal(err)
			}
		}
		params := doc.params(t, pathLevel, op.Parameters)
		for _, m := range regexp.MustCompile(`\{(\w+)\}`).FindAllStringSubmatch(rt.path, -1) {
			if !slices.Contains(params, "path:"+m[1]) {
				t.Errorf("%s %s: path parameter %s not described", rt.method, rt.path, m[1])
			}
		}
		if got := slices.Contains(params, "header:Idempotency-Key"); got != rt.idempotent {
			t.Errorf("%s %s: Idempotency-Key described %v, honoured %v", rt.method, rt.path, got, rt.idempotent)
		}
		noAuth := op.Security != nil && len(*op.Security) == 0
		if noAuth != (rt.access == public) {
			t.Errorf("%s %s: openapi says no auth=%v", rt.method, rt.path, noAuth)
		}
		// What every route, every route with a token, with a body or with
		// Idempotency-Key can answer besides its own answers.
		statuses := []string{"405", "422", "500"}
		if rt.access != public {
			statuses = append(statuses, "401", "403", "429")
		}
		if op.RequestBody != nil {
			statuses = append(statuses, "408", "413", "415")
		}
		if rt.idempotent {
			statuses = append(statuses, "409")
		}
		for _, status := range statuses {
			if _, ok := op.Responses[status]; !ok {
				t.Errorf("%s %s: no %s response", rt.method, rt.path, status)
			}
		}
	}
	for path, item := range doc.Paths {
		for method := range item {
			if method != "parameters" && !served[strings.ToUpper(method)+" "+path] {
				t.Errorf("openapi.json describes %s %s, which the server does not serve", strings.ToUpper(method), path)
			}
		}
	}
}

// TestOpenAPIRefsResolve catches a $ref to a component that is not there.
func TestOpenAPIRefsResolve(t *testing.T) {
	t.Parallel()
	doc := loadOpenAPI(t)
	for _, m := range regexp.MustCompile(`"\$ref":\s*"#/components/(\w+)/(\w+)"`).FindAllSubmatch(openAPISpec, -1) {
		if _, ok := doc.Components[string(m[1])][string(m[2])]; !ok {
			t.Errorf("dangling $ref #/components/%s/%s", m[1], m[2])
		}
	}
	if n := strings.Count(string(openAPISpec), `"$ref"`); n < 50 {
		t.Errorf("only %d $refs: the pattern above is probably stale", n)
	}
}

func TestOpenAPIServed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	r := e.do("GET", "/v1/openapi.json", "", nil)
	if r.status != 200 || r.header.Get("Content-Type") != "application/json" || !bytes.Equal(r.body, openAPISpec) {
		t.Fatalf("GET /v1/openapi.json: %d %s", r.status, r.header.Get("Content-Type"))
	}
	var v struct{ OpenAPI string }
	if err := json.Unmarshal(r.body, &v); err != nil || !strings.HasPrefix(v.OpenAPI, "3.") {
		t.Fatalf("not an OpenAPI 3 document: %v %q", err, v.OpenAPI)
	}
}
