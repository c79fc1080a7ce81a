package provider

import (
	"fmt"
	"maps"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
	"github.com/hashicorp/terraform-plugin-testing/tfversion"
)

// The Terraform CLI that runs the acceptance tests here may predate
// resource identities (1.12) and `terraform query` (1.14). The tests below
// speak the plugin protocol to the provider in-process instead, as Terraform
// would, against a real portal; the acceptance tests that need a newer CLI
// skip below it.

// protoProvider is the provider served in-process and configured for a
// test portal's demo site, with the schemas it announced.
type protoProvider struct {
	t          *testing.T
	server     tfprotov6.ProviderServer
	schemas    *tfprotov6.GetProviderSchemaResponse
	identities *tfprotov6.GetResourceIdentitySchemasResponse
}

func newProtoProvider(t *testing.T, p *testPortal) *protoProvider {
	t.Helper()
	return newProtoProviderWithToken(t, p, testToken)
}

// newProtoProviderWithToken is newProtoProvider with another API token.
func newProtoProviderWithToken(t *testing.T, p *testPortal, token string) *protoProvider {
	t.Helper()
	server, err := providerserver.NewProtocol6WithError(New("test")())()
	if err != nil {
		t.Fatal(err)
	}
	pp := &protoProvider{t: t, server: server}
	pp.schemas, err = server.GetProviderSchema(t.Context(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		t.Fatal(err)
	}
	pp.noErrors("GetProviderSchema", pp.schemas.Diagnostics)
	pp.identities, err = server.GetResourceIdentitySchemas(t.Context(), &tfprotov6.GetResourceIdentitySchemasRequest{})
	if err != nil {
		t.Fatal(err)
	}
	pp.noErrors("GetResourceIdentitySchemas", pp.identities.Diagnostics)
	config := pp.value(pp.schemas.Provider.ValueType(), map[string]any{"endpoint": p.URL, "token": token, "site": "demo"})
	resp, err := server.ConfigureProvider(t.Context(), &tfprotov6.ConfigureProviderRequest{TerraformVersion: "1.14.0", Config: config})
	if err != nil {
		t.Fatal(err)
	}
	pp.noErrors("ConfigureProvider", resp.Diagnostics)
	return pp
}

// value encodes an object of typ: each attribute from values (a string,
// nil for null, or a tftypes.Value), null where values has none.
func (pp *protoProvider) value(typ tftypes.Type, values map[string]any) *tfprotov6.DynamicValue {
	pp.t.Helper()
	obj, ok := typ.(tftypes.Object)
	if !ok {
		pp.t.Fatalf("%s is not an object type", typ)
	}
	attrs := map[string]tftypes.Value{}
	for name, at := range obj.AttributeTypes {
		switch v := values[name].(type) {
		case nil:
			attrs[name] = tftypes.NewValue(at, nil)
		case string:
			attrs[name] = tftypes.NewValue(at, v)
		case tftypes.Value:
			attrs[name] = v
		default:
			pp.t.Fatalf("attribute %s: cannot encode %T", name, v)
		}
	}
	for name := range values {
		if _, ok := obj.AttributeTypes[name]; !ok {
			pp.t.Fatalf("%s has no attribute %s", typ, name)
		}
	}
	dv, err := tfprotov6.NewDynamicValue(obj, tftypes.NewValue(obj, attrs))
	if err != nil {
		pp.t.Fatal(err)
	}
	return &dv
}

// decode is an encoded object of typ as its string attributes; null ones
// are left out, and so is a null object.
func (pp *protoProvider) decode(typ tftypes.Type, dv *tfprotov6.DynamicValue) map[string]string {
	pp.t.Helper()
	if dv == nil {
		return nil
	}
	v, err := dv.Unmarshal(typ)
	if err != nil {
		pp.t.Fatal(err)
	}
	if v.IsNull() {
		return nil
	}
	var attrs map[string]tftypes.Value
	if err := v.As(&attrs); err != nil {
		pp.t.Fatal(err)
	}
	out := map[string]string{}
	for name, a := range attrs {
		if a.IsNull() || !a.Type().Is(tftypes.String) {
			continue
		}
		var s string
		if err := a.As(&s); err != nil {
			pp.t.Fatal(err)
		}
		out[name] = s
	}
	return out
}

func (pp *protoProvider) resourceType(name string) tftypes.Type {
	return pp.schemas.ResourceSchemas[name].ValueType()
}

func (pp *protoProvider) identityType(name string) tftypes.Type {
	return pp.identities.IdentitySchemas[name].ValueType()
}

// identity encodes an identity of resource type name.
func (pp *protoProvider) identity(name string, values map[string]any) *tfprotov6.ResourceIdentityData {
	return &tfprotov6.ResourceIdentityData{IdentityData: pp.value(pp.identityType(name), values)}
}

// decodeIdentity is an identity of resource type name as its attributes.
func (pp *protoProvider) decodeIdentity(name string, id *tfprotov6.ResourceIdentityData) map[string]string {
	pp.t.Helper()
	if id == nil {
		return nil
	}
	return pp.decode(pp.identityType(name), id.IdentityData)
}

func (pp *protoProvider) noErrors(call string, diags []*tfprotov6.Diagnostic) {
	pp.t.Helper()
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			pp.t.Fatalf("%s: %s: %s", call, d.Summary, d.Detail)
		}
	}
}

// expectError fails unless diags has an error whose summary and detail
// contain text.
func expectError(t *testing.T, call string, diags []*tfprotov6.Diagnostic, text string) {
	t.Helper()
	var got []string
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			if strings.Contains(d.Summary+": "+d.Detail, text) {
				return
			}
			got = append(got, d.Summary+": "+d.Detail)
		}
	}
	t.Errorf("%s: no error with %q; errors: %q", call, text, got)
}

// read is ReadResource of resource type name, whose state is the string
// attributes in state, with the identity Terraform keeps (nil for none).
func (pp *protoProvider) read(name string, state map[string]any, identity *tfprotov6.ResourceIdentityData) *tfprotov6.ReadResourceResponse {
	pp.t.Helper()
	resp, err := pp.server.ReadResource(pp.t.Context(), &tfprotov6.ReadResourceRequest{
		TypeName:        name,
		CurrentState:    pp.value(pp.resourceType(name), state),
		CurrentIdentity: identity,
	})
	if err != nil {
		pp.t.Fatal(err)
	}
	return resp
}

// readImported is the ReadResource that follows an import, as Terraform
// sends it: the imported state, identity and private state.
func (pp *protoProvider) readImported(imported *tfprotov6.ImportedResource) *tfprotov6.ReadResourceResponse {
	pp.t.Helper()
	resp, err := pp.server.ReadResource(pp.t.Context(), &tfprotov6.ReadResourceRequest{
		TypeName:        imported.TypeName,
		CurrentState:    imported.State,
		CurrentIdentity: imported.Identity,
		Private:         imported.Private,
	})
	if err != nil {
		pp.t.Fatal(err)
	}
	return resp
}

// importByID and importByIdentity are ImportResourceState of resource type
// name, as `terraform import` or an import block with id, and as an import
// block with identity.
func (pp *protoProvider) importByID(name, id string) *tfprotov6.ImportResourceStateResponse {
	pp.t.Helper()
	return pp.importState(&tfprotov6.ImportResourceStateRequest{TypeName: name, ID: id})
}

func (pp *protoProvider) importByIdentity(name string, identity map[string]any) *tfprotov6.ImportResourceStateResponse {
	pp.t.Helper()
	return pp.importState(&tfprotov6.ImportResourceStateRequest{TypeName: name, Identity: pp.identity(name, identity)})
}

func (pp *protoProvider) importState(req *tfprotov6.ImportResourceStateRequest) *tfprotov6.ImportResourceStateResponse {
	pp.t.Helper()
	resp, err := pp.server.ImportResourceState(pp.t.Context(), req)
	if err != nil {
		pp.t.Fatal(err)
	}
	return resp
}

// apply plans and applies config for resource type name over prior (nil to
// create), as Terraform does: it returns the apply's answer.
func (pp *protoProvider) apply(name string, prior *tfprotov6.ReadResourceResponse, config map[string]any) *tfprotov6.ApplyResourceChangeResponse {
	pp.t.Helper()
	typ := pp.resourceType(name)
	priorState, priorIdentity := pp.value(typ, nil), (*tfprotov6.ResourceIdentityData)(nil)
	proposed := maps.Clone(config)
	var priorPrivate []byte
	if prior != nil {
		priorState, priorIdentity, priorPrivate = prior.NewState, prior.NewIdentity, prior.Private
		// Terraform proposes the prior value of a computed attribute that
		// the configuration leaves out.
		for k, v := range pp.decode(typ, prior.NewState) {
			if _, set := config[k]; !set && k == "id" {
				proposed[k] = v
			}
		}
	}
	cfg := pp.value(typ, config)
	// A real null object, not an object of nulls, is the prior state of a create.
	if prior == nil {
		null, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, nil))
		if err != nil {
			pp.t.Fatal(err)
		}
		priorState = &null
	}
	plan, err := pp.server.PlanResourceChange(pp.t.Context(), &tfprotov6.PlanResourceChangeRequest{
		TypeName: name, PriorState: priorState, ProposedNewState: pp.value(typ, proposed), Config: cfg,
		PriorPrivate: priorPrivate, PriorIdentity: priorIdentity,
	})
	if err != nil {
		pp.t.Fatal(err)
	}
	pp.noErrors("PlanResourceChange", plan.Diagnostics)
	resp, err := pp.server.ApplyResourceChange(pp.t.Context(), &tfprotov6.ApplyResourceChangeRequest{
		TypeName: name, PriorState: priorState, PlannedState: plan.PlannedState, Config: cfg,
		PlannedPrivate: plan.PlannedPrivate, PlannedIdentity: plan.PlannedIdentity,
	})
	if err != nil {
		pp.t.Fatal(err)
	}
	pp.noErrors("ApplyResourceChange", resp.Diagnostics)
	return resp
}

// expectAttrs fails unless got has exactly the attributes of want.
func expectAttrs(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	if !maps.Equal(got, want) {
		t.Errorf("%s = %v, want %v", what, got, want)
	}
}

func TestIdentitySchemas(t *testing.T) {
	pp := newProtoProvider(t, startUnitPortal(t))
	for name, want := range map[string]map[string]string{
		"callingportal_user":              {"site": "optional", "id": "required"},
		"callingportal_number_assignment": {"site": "optional", "number": "required"},
	} {
		schema := pp.identities.IdentitySchemas[name]
		if schema == nil {
			t.Errorf("%s has no identity schema", name)
			continue
		}
		got := map[string]string{}
		for _, a := range schema.IdentityAttributes {
			switch {
			case a.RequiredForImport:
				got[a.Name] = "required"
			case a.OptionalForImport:
				got[a.Name] = "optional"
			default:
				got[a.Name] = "neither"
			}
			if !a.Type.Is(tftypes.String) {
				t.Errorf("%s identity attribute %s is %s, want a string", name, a.Name, a.Type)
			}
		}
		expectAttrs(t, name+" identity attributes (for import)", got, want)
	}
}

func TestUserIdentity(t *testing.T) {
	p := startUnitPortal(t)
	pp := newProtoProvider(t, p)
	const user = "callingportal_user"
	ada := p.seededUserID(t, "ada.lovelace@example.com")
	adaIdentity := map[string]string{"site": "demo", "id": ada}
	adaState := map[string]string{
		"id": ada, "email": "ada.lovelace@example.com", "first_name": "Ada", "last_name": "Lovelace",
		"phone_number": "+13125550120",
	}
	if u, err := p.client.Users.Read(t.Context(), ada); err != nil {
		t.Fatal(err)
	} else if u.Extension != "" {
		adaState["extension"] = u.Extension
	}

	t.Run("read gives the identity to a state that has none", func(t *testing.T) {
		resp := pp.read(user, map[string]any{"id": ada}, nil)
		pp.noErrors("ReadResource", resp.Diagnostics)
		expectAttrs(t, "identity", pp.decodeIdentity(user, resp.NewIdentity), adaIdentity)
		expectAttrs(t, "state", pp.decode(pp.resourceType(user), resp.NewState), adaState)
	})
	t.Run("read keeps the identity", func(t *testing.T) {
		resp := pp.read(user, map[string]any{"id": ada}, pp.identity(user, map[string]any{"site": "demo", "id": ada}))
		pp.noErrors("ReadResource", resp.Diagnostics)
		expectAttrs(t, "identity", pp.decodeIdentity(user, resp.NewIdentity), adaIdentity)
	})
	t.Run("a user deleted outside Terraform leaves state, with or without identity", func(t *testing.T) {
		for _, identity := range []*tfprotov6.ResourceIdentityData{nil, pp.identity(user, map[string]any{"site": "demo", "id": "usr_gone"})} {
			resp := pp.read(user, map[string]any{"id": "usr_gone"}, identity)
			pp.noErrors("ReadResource", resp.Diagnostics)
			if got := pp.decode(pp.resourceType(user), resp.NewState); got != nil {
				t.Errorf("state = %v, want none", got)
			}
		}
	})
	t.Run("read of another site's user fails and says which", func(t *testing.T) {
		resp := pp.read(user, map[string]any{"id": ada}, pp.identity(user, map[string]any{"site": "branch", "id": ada}))
		expectError(t, "ReadResource", resp.Diagnostics, `names site "branch", but the provider is configured for site "demo"`)
	})

	for _, tc := range []struct {
		name     string
		identity map[string]any
	}{
		{"import by identity", map[string]any{"id": ada}},
		{"import by identity with the site", map[string]any{"site": "demo", "id": ada}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := pp.importByIdentity(user, tc.identity)
			pp.noErrors("ImportResourceState", resp.Diagnostics)
			if len(resp.ImportedResources) != 1 {
				t.Fatalf("imported %d resources, want 1", len(resp.ImportedResources))
			}
			imported := resp.ImportedResources[0]
			expectAttrs(t, "imported state", pp.decode(pp.resourceType(user), imported.State), map[string]string{"id": ada})
			expectAttrs(t, "imported identity", pp.decodeIdentity(user, imported.Identity), adaIdentity)
			// Terraform then reads the imported user.
			read := pp.readImported(imported)
			pp.noErrors("ReadResource", read.Diagnostics)
			expectAttrs(t, "state after import", pp.decode(pp.resourceType(user), read.NewState), adaState)
			expectAttrs(t, "identity after import", pp.decodeIdentity(user, read.NewIdentity), adaIdentity)
		})
	}
	for _, key := range []string{ada, "ada.lovelace@example.com", "+1 (312) 555-0120"} {
		t.Run("import by ID "+key+" gives the identity", func(t *testing.T) {
			resp := pp.importByID(user, key)
			pp.noErrors("ImportResourceState", resp.Diagnostics)
			if len(resp.ImportedResources) != 1 {
				t.Fatalf("imported %d resources, want 1", len(resp.ImportedResources))
			}
			expectAttrs(t, "imported identity", pp.decodeIdentity(user, resp.ImportedResources[0].Identity), adaIdentity)
		})
	}
	t.Run("import by identity of another site fails", func(t *testing.T) {
		resp := pp.importByIdentity(user, map[string]any{"site": "branch", "id": ada})
		expectError(t, "ImportResourceState", resp.Diagnostics, `names site "branch", but the provider is configured for site "demo"`)
	})
	t.Run("import by identity without an ID fails", func(t *testing.T) {
		resp := pp.importByIdentity(user, map[string]any{"id": ""})
		expectError(t, "ImportResourceState", resp.Diagnostics, "Invalid import identity")
	})

	t.Run("create and update save the identity", func(t *testing.T) {
		config := map[string]any{"email": "jane.doe@example.com", "first_name": "Jane", "last_name": "Doe", "phone_number": "+13125550150"}
		created := pp.apply(user, nil, config)
		state := pp.decode(pp.resourceType(user), created.NewState)
		id := state["id"]
		if !strings.HasPrefix(id, "usr_") {
			t.Fatalf("created state %v has no user ID", state)
		}
		expectAttrs(t, "identity after create", pp.decodeIdentity(user, created.NewIdentity), map[string]string{"site": "demo", "id": id})

		read := pp.read(user, map[string]any{"id": id}, created.NewIdentity)
		pp.noErrors("ReadResource", read.Diagnostics)
		config["first_name"] = "Janet"
		updated := pp.apply(user, read, config)
		if got := pp.decode(pp.resourceType(user), updated.NewState)["first_name"]; got != "Janet" {
			t.Errorf("first_name after update = %q, want Janet", got)
		}
		expectAttrs(t, "identity after update", pp.decodeIdentity(user, updated.NewIdentity), map[string]string{"site": "demo", "id": id})
	})
}

func TestNumberAssignmentIdentity(t *testing.T) {
	p := startUnitPortal(t)
	pp := newProtoProvider(t, p)
	const assignment = "callingportal_number_assignment"
	lobby, conference := p.phoneID(t, "Lobby Phone"), p.phoneID(t, "Conference Room A")
	lobbyIdentity := map[string]string{"site": "demo", "number": "+13125550110"}
	lobbyState := map[string]string{"id": "+13125550110", "number": "+13125550110", "phone_id": lobby}

	t.Run("read gives the identity to a state that has none", func(t *testing.T) {
		resp := pp.read(assignment, map[string]any{"id": "+13125550110", "number": "+13125550110", "phone_id": lobby}, nil)
		pp.noErrors("ReadResource", resp.Diagnostics)
		expectAttrs(t, "identity", pp.decodeIdentity(assignment, resp.NewIdentity), lobbyIdentity)
		expectAttrs(t, "state", pp.decode(pp.resourceType(assignment), resp.NewState), lobbyState)
	})
	t.Run("a number freed outside Terraform leaves state without an identity error", func(t *testing.T) {
		resp := pp.read(assignment, map[string]any{"id": "+13125550199", "number": "+13125550199", "phone_id": lobby}, nil)
		pp.noErrors("ReadResource", resp.Diagnostics)
		if got := pp.decode(pp.resourceType(assignment), resp.NewState); got != nil {
			t.Errorf("state = %v, want none", got)
		}
	})
	t.Run("read of another site's assignment fails", func(t *testing.T) {
		resp := pp.read(assignment, map[string]any{"id": "+13125550110", "number": "+13125550110", "phone_id": lobby},
			pp.identity(assignment, map[string]any{"site": "branch", "number": "+13125550110"}))
		expectError(t, "ReadResource", resp.Diagnostics, `names site "branch"`)
	})
	for _, tc := range []struct {
		name     string
		identity map[string]any
	}{
		{"import by identity", map[string]any{"number": "+13125550110"}},
		{"import by identity with the site", map[string]any{"site": "demo", "number": "+13125550110"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp := pp.importByIdentity(assignment, tc.identity)
			pp.noErrors("ImportResourceState", resp.Diagnostics)
			if len(resp.ImportedResources) != 1 {
				t.Fatalf("imported %d resources, want 1", len(resp.ImportedResources))
			}
			imported := resp.ImportedResources[0]
			expectAttrs(t, "imported state", pp.decode(pp.resourceType(assignment), imported.State),
				map[string]string{"id": "+13125550110", "number": "+13125550110"})
			expectAttrs(t, "imported identity", pp.decodeIdentity(assignment, imported.Identity), lobbyIdentity)
			read := pp.readImported(imported)
			pp.noErrors("ReadResource", read.Diagnostics)
			expectAttrs(t, "state after import", pp.decode(pp.resourceType(assignment), read.NewState), lobbyState)
		})
	}
	t.Run("import by ID gives the identity", func(t *testing.T) {
		resp := pp.importByID(assignment, "+1 (312) 555-0110")
		pp.noErrors("ImportResourceState", resp.Diagnostics)
		if len(resp.ImportedResources) != 1 {
			t.Fatalf("imported %d resources, want 1", len(resp.ImportedResources))
		}
		expectAttrs(t, "imported identity", pp.decodeIdentity(assignment, resp.ImportedResources[0].Identity), lobbyIdentity)
	})
	for _, tc := range []struct {
		name     string
		identity map[string]any
		error    string
	}{
		{"of another site", map[string]any{"site": "branch", "number": "+13125550110"}, `names site "branch"`},
		{"of no number", map[string]any{"number": "lobby"}, "Invalid import identity"},
		{"of a user's number", map[string]any{"number": "+13125550120"}, "Number belongs to a user"},
		{"of an available number", map[string]any{"number": "+13125550199"}, "Number not assigned"},
	} {
		t.Run("import by identity "+tc.name+" fails", func(t *testing.T) {
			expectError(t, "ImportResourceState", pp.importByIdentity(assignment, tc.identity).Diagnostics, tc.error)
		})
	}

	t.Run("create and update save the identity", func(t *testing.T) {
		config := map[string]any{"number": "+13125550150", "phone_id": lobby}
		created := pp.apply(assignment, nil, config)
		identity := map[string]string{"site": "demo", "number": "+13125550150"}
		expectAttrs(t, "identity after create", pp.decodeIdentity(assignment, created.NewIdentity), identity)
		read := pp.read(assignment, map[string]any{"id": "+13125550150", "number": "+13125550150", "phone_id": lobby}, created.NewIdentity)
		pp.noErrors("ReadResource", read.Diagnostics)
		moved := pp.apply(assignment, read, map[string]any{"number": "+13125550150", "phone_id": conference})
		if got := pp.decode(pp.resourceType(assignment), moved.NewState)["phone_id"]; got != conference {
			t.Errorf("phone_id after the move = %q, want %q", got, conference)
		}
		expectAttrs(t, "identity after update", pp.decodeIdentity(assignment, moved.NewIdentity), identity)
	})
}

// TestAccUserIdentity and TestAccNumberAssignmentIdentity import by
// identity with an import block; they need Terraform 1.12 or later.
func TestAccUserIdentity(t *testing.T) {
	testAccPreCheck(t)
	p := startPortal(t)
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		CheckDestroy:             p.checkUsersDestroyed,
		Steps: []resource.TestStep{
			{
				Config: p.config(userHCL("jane.doe@example.com", "Jane", "Doe", "+13125550150")),
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(testUser, map[string]knownvalue.Check{
						"site": knownvalue.StringExact("demo"),
						"id":   knownvalue.StringRegexp(regexp.MustCompile(`^usr_`)),
					}),
					statecheck.ExpectIdentityValueMatchesState(testUser, tfjsonpath.New("id")),
				},
			},
			{
				ResourceName:    testUser,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
				Config:          p.config(userHCL("jane.doe@example.com", "Jane", "Doe", "+13125550150")),
			},
		},
	})
}

func TestAccNumberAssignmentIdentity(t *testing.T) {
	testAccPreCheck(t)
	p := startPortal(t)
	config := p.config(fmt.Sprintf(`
resource "callingportal_number_assignment" "main" {
  number   = "+13125550150"
  phone_id = %q
}
`, p.phoneID(t, "Conference Room A")))
	resource.ParallelTest(t, resource.TestCase{
		TerraformVersionChecks:   []tfversion.TerraformVersionCheck{tfversion.SkipBelow(tfversion.Version1_12_0)},
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: []statecheck.StateCheck{
					statecheck.ExpectIdentity(testAssignment, map[string]knownvalue.Check{
						"site":   knownvalue.StringExact("demo"),
						"number": knownvalue.StringExact("+13125550150"),
					}),
				},
			},
			{
				ResourceName:    testAssignment,
				ImportState:     true,
				ImportStateKind: resource.ImportBlockWithResourceIdentity,
				Config:          config,
			},
		},
	})
}

// TestIdentityDocs checks that the resource pages' templates describe each
// identity attribute as the schema has it: tfplugindocs renders identity
// schemas only with Terraform 1.12 or later, so the templates spell them out.
func TestIdentityDocs(t *testing.T) {
	pp := newProtoProvider(t, startUnitPortal(t))
	for name, schema := range pp.identities.IdentitySchemas {
		page, err := os.ReadFile("../../templates/resources/" + strings.TrimPrefix(name, "callingportal_") + ".md.tmpl")
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		for _, a := range schema.IdentityAttributes {
			use := "optional for import"
			if a.RequiredForImport {
				use = "required for import"
			}
			if line := fmt.Sprintf("- `%s` (String, %s) ", a.Name, use); !strings.Contains(string(page), line) {
				t.Errorf("the page of %s does not describe its identity attribute %s with %q", name, a.Name, line)
			}
		}
	}
}
