package provider

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/querycheck"
	"github.com/hashicorp/terraform-plugin-testing/querycheck/queryfilter"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
)

// listedResult is one result of a ListResource stream, decoded.
type listedResult struct {
	displayName string
	identity    map[string]string
	resource    map[string]string // nil unless the request included resources
}

// list is ListResource of list resource type name with the string
// attributes of config; it reads the whole stream, and fails the test on
// an error diagnostic unless it returns them.
func (pp *protoProvider) list(name string, config map[string]any, includeResource bool, limit int64) ([]listedResult, []*tfprotov6.Diagnostic) {
	pp.t.Helper()
	schema, ok := pp.schemas.ListResourceSchemas[name]
	if !ok {
		pp.t.Fatalf("the provider has no list resource %s", name)
	}
	stream, err := pp.lists().ListResource(pp.t.Context(), &tfprotov6.ListResourceRequest{
		TypeName:        name,
		Config:          pp.value(schema.ValueType(), config),
		IncludeResource: includeResource,
		Limit:           limit,
	})
	if err != nil {
		pp.t.Fatal(err)
	}
	var (
		results []listedResult
		diags   []*tfprotov6.Diagnostic
	)
	for r := range stream.Results {
		diags = append(diags, r.Diagnostics...)
		if r.Identity == nil {
			continue // diagnostics only
		}
		results = append(results, listedResult{
			displayName: r.DisplayName,
			identity:    pp.decodeIdentity(name, r.Identity),
			resource:    pp.decode(pp.resourceType(name), r.Resource),
		})
	}
	return results, diags
}

// lists is the provider server's list resource RPCs.
func (pp *protoProvider) lists() tfprotov6.ListResourceServer {
	pp.t.Helper()
	s, ok := pp.server.(tfprotov6.ListResourceServer)
	if !ok {
		pp.t.Fatalf("the provider server %T serves no list resources", pp.server)
	}
	return s
}

// validateList is ValidateListResourceConfig of list resource type name.
func (pp *protoProvider) validateList(name string, config map[string]any) []*tfprotov6.Diagnostic {
	pp.t.Helper()
	resp, err := pp.lists().ValidateListResourceConfig(pp.t.Context(), &tfprotov6.ValidateListResourceConfigRequest{
		TypeName: name,
		Config:   pp.value(pp.schemas.ListResourceSchemas[name].ValueType(), config),
	})
	if err != nil {
		pp.t.Fatal(err)
	}
	return resp.Diagnostics
}

// identities is what the results are, by identity attribute key.
func identities(results []listedResult, key string) []string {
	var out []string
	for _, r := range results {
		out = append(out, r.identity[key])
	}
	return out
}

func TestUserListResource(t *testing.T) {
	p := startUnitPortal(t)
	pp := newProtoProvider(t, p)
	const user = "callingportal_user"
	users, err := p.client.Users.List(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	var ids []string
	byID := map[string]contract.User{}
	for _, u := range users {
		ids = append(ids, u.ID)
		byID[u.ID] = u
	}
	if len(ids) != 3 {
		t.Fatalf("the demo site has %d users, want 3", len(ids))
	}
	ada := p.seededUserID(t, "ada.lovelace@example.com")

	t.Run("every user, with its resource", func(t *testing.T) {
		results, diags := pp.list(user, nil, true, 0)
		pp.noErrors("ListResource", diags)
		if got := identities(results, "id"); !slices.Equal(got, ids) {
			t.Fatalf("listed %v, want the users %v in the order of their IDs", got, ids)
		}
		for _, r := range results {
			u := byID[r.identity["id"]]
			expectAttrs(t, "identity", r.identity, map[string]string{"site": "demo", "id": u.ID})
			if want := u.FirstName + " " + u.LastName + " <" + u.Email + ">"; r.displayName != want {
				t.Errorf("display name %q, want %q", r.displayName, want)
			}
			// What the read after an import would save.
			want := map[string]string{"id": u.ID, "email": u.Email, "first_name": u.FirstName, "last_name": u.LastName, "phone_number": u.PhoneNumber}
			if u.Extension != "" {
				want["extension"] = u.Extension
			}
			expectAttrs(t, "resource", r.resource, want)
		}
	})
	t.Run("identities only, unless resources are asked for", func(t *testing.T) {
		results, diags := pp.list(user, nil, false, 0)
		pp.noErrors("ListResource", diags)
		for _, r := range results {
			if r.resource != nil {
				t.Errorf("result %s has resource %v, want none", r.identity["id"], r.resource)
			}
		}
		if len(results) != 3 {
			t.Errorf("listed %d users, want 3", len(results))
		}
	})
	t.Run("up to the limit", func(t *testing.T) {
		results, diags := pp.list(user, nil, false, 2)
		pp.noErrors("ListResource", diags)
		if got := identities(results, "id"); !slices.Equal(got, ids[:2]) {
			t.Errorf("listed %v, want %v", got, ids[:2])
		}
	})
	t.Run("by email prefix, in any case", func(t *testing.T) {
		for prefix, want := range map[string][]string{"ada.": {ada}, "ADA.Love": {ada}, "nobody": nil} {
			results, diags := pp.list(user, map[string]any{"email_prefix": prefix}, false, 0)
			pp.noErrors("ListResource", diags)
			if got := identities(results, "id"); !slices.Equal(got, want) {
				t.Errorf("email_prefix %q listed %v, want %v", prefix, got, want)
			}
		}
	})
	t.Run("an empty email prefix is refused", func(t *testing.T) {
		expectError(t, "ValidateListResourceConfig", pp.validateList(user, map[string]any{"email_prefix": ""}),
			"string length must be at least 1")
	})
	t.Run("a listed identity imports the user", func(t *testing.T) {
		results, diags := pp.list(user, map[string]any{"email_prefix": "ada."}, false, 0)
		pp.noErrors("ListResource", diags)
		if len(results) != 1 {
			t.Fatalf("listed %d users, want 1", len(results))
		}
		identity := map[string]any{}
		for k, v := range results[0].identity {
			identity[k] = v
		}
		resp := pp.importByIdentity(user, identity)
		pp.noErrors("ImportResourceState", resp.Diagnostics)
		expectAttrs(t, "imported identity", pp.decodeIdentity(user, resp.ImportedResources[0].Identity), results[0].identity)
	})
}

func TestUserListResource_portalError(t *testing.T) {
	p := startUnitPortal(t)
	pp := newProtoProviderWithToken(t, p, "not-a-token")
	results, diags := pp.list("callingportal_user", nil, false, 0)
	if len(results) != 0 {
		t.Errorf("listed %d users with a wrong token", len(results))
	}
	expectError(t, "ListResource", diags, "Could not list the site's users")
}

// TestAccUserListResource runs `terraform query`; it needs Terraform 1.14
// or later.
func TestAccUserListResource(t *testing.T) {
	testAccPreCheck(t)
	p := startPortal(t)
	ada := p.seededUserID(t, "ada.lovelace@example.com")
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_14_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// A query step needs a configuration applied before it.
				Config: p.config(``),
			},
			{
				Query: true,
				Config: p.config(`
list "callingportal_user" "all" {
  provider         = callingportal
  include_resource = true
}

list "callingportal_user" "ada" {
  provider = callingportal
  config {
    email_prefix = "ADA."
  }
}
`),
				QueryResultChecks: []querycheck.QueryResultCheck{
					querycheck.ExpectLength("callingportal_user.all", 3),
					querycheck.ExpectLength("callingportal_user.ada", 1),
					querycheck.ExpectIdentity("callingportal_user.ada", map[string]knownvalue.Check{
						"site": knownvalue.StringExact("demo"),
						"id":   knownvalue.StringExact(ada),
					}),
					querycheck.ExpectResourceDisplayName("callingportal_user.all",
						queryfilter.ByResourceIdentity(map[string]knownvalue.Check{
							"site": knownvalue.StringExact("demo"),
							"id":   knownvalue.StringExact(ada),
						}),
						knownvalue.StringExact("Ada Lovelace <ada.lovelace@example.com>")),
					querycheck.ExpectResourceKnownValues("callingportal_user.all",
						queryfilter.ByResourceIdentity(map[string]knownvalue.Check{
							"site": knownvalue.StringExact("demo"),
							"id":   knownvalue.StringExact(ada),
						}),
						[]querycheck.KnownValueCheck{
							{Path: tfjsonpath.New("email"), KnownValue: knownvalue.StringExact("ada.lovelace@example.com")},
							{Path: tfjsonpath.New("phone_number"), KnownValue: knownvalue.StringExact("+13125550120")},
						}),
				},
			},
		},
	})
}

// TestListResourceDocs checks the list resources' pages, which are written
// by hand: tfplugindocs renders list resources only with Terraform 1.14 or
// later, and copies these pages to docs/ as they are. Each must have the
// schema's description, a line for each attribute as tfplugindocs writes
// it, and its example, and docs/ must have the page as it is.
func TestListResourceDocs(t *testing.T) {
	pp := newProtoProvider(t, startUnitPortal(t))
	if len(pp.schemas.ListResourceSchemas) == 0 {
		t.Fatal("the provider has no list resources")
	}
	for name, schema := range pp.schemas.ListResourceSchemas {
		short := strings.TrimPrefix(name, "callingportal_")
		page, err := os.ReadFile("../../templates/list-resources/" + short + ".md")
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		example, err := os.ReadFile("../../examples/list-resources/" + name + "/list-resource.tfquery.hcl")
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		want := []string{"# " + name + " (List Resource)\n\n" + schema.Block.Description + "\n", "```terraform\n" + string(example) + "```\n"}
		for _, a := range schema.Block.Attributes {
			want = append(want, fmt.Sprintf("- `%s` (String) %s\n", a.Name, a.Description))
		}
		for _, w := range want {
			if !strings.Contains(string(page), w) {
				t.Errorf("the page of list resource %s lacks %q", name, w)
			}
		}
		if rendered, err := os.ReadFile("../../docs/list-resources/" + short + ".md"); err != nil || string(rendered) != string(page) {
			t.Errorf("docs/list-resources/%s.md is not templates/list-resources/%s.md (%v): run make docs", short, short, err)
		}
	}
}
