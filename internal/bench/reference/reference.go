// Package reference is the benchmark's floor for any framework provider: a
// terraform-plugin-framework provider with the same schemas as ours that does
// no I/O. Create and Update store the plan with every unknown value made
// known, Read returns the state it was given, Delete forgets it.
//
// It does not link the provider's own packages, so that their
// initialisation (the phone-number library's, for one) stays out of the
// floor: the harness writes our schemas, as the protocol serves them, to a
// JSON file (Describe) and the reference builds the same schemas from it
// (New). TestSameSchemas checks that both serve equal schemas.
package reference

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"os"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	dschema "github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/provider"
	pschema "github.com/hashicorp/terraform-plugin-framework/provider/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	rschema "github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"
)

// EnvSchema names the JSON file of schemas the reference serves.
const EnvSchema = "CALLINGPORTAL_REFERENCE_SCHEMA"

// Schemas are a provider's schemas: what GetProviderSchema serves, without
// validators or plan modifiers, which the protocol does not carry.
type Schemas struct {
	TypeName    string             `json:"type_name"`
	Provider    []Attribute        `json:"provider"`
	Resources   map[string]Element `json:"resources"`
	DataSources map[string]Element `json:"data_sources"`
}

// Element is one resource's or data source's schema.
type Element struct {
	Version     int64       `json:"version,omitempty"`
	Description string      `json:"description,omitempty"`
	Attributes  []Attribute `json:"attributes"`
}

// Attribute is one attribute: a primitive ("string", "number", "bool"), or
// nested attributes: a list of objects or one.
type Attribute struct {
	Name        string      `json:"name"`
	Type        string      `json:"type,omitempty"`
	Nested      []Attribute `json:"nested,omitempty"`
	Single      bool        `json:"single,omitempty"` // Nested is one object, not a list
	Description string      `json:"description,omitempty"`
	Required    bool        `json:"required,omitempty"`
	Optional    bool        `json:"optional,omitempty"`
	Computed    bool        `json:"computed,omitempty"`
	Sensitive   bool        `json:"sensitive,omitempty"`
	WriteOnly   bool        `json:"write_only,omitempty"`
}

// Describe reads the schemas a provider serves over the protocol.
func Describe(ctx context.Context, typeName string, server tfprotov6.ProviderServer) (Schemas, error) {
	resp, err := server.GetProviderSchema(ctx, &tfprotov6.GetProviderSchemaRequest{})
	if err != nil {
		return Schemas{}, err
	}
	for _, d := range resp.Diagnostics {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			return Schemas{}, fmt.Errorf("schema: %s: %s", d.Summary, d.Detail)
		}
	}
	s := Schemas{TypeName: typeName, Resources: map[string]Element{}, DataSources: map[string]Element{}}
	if s.Provider, err = attributes(resp.Provider.Block.Attributes); err != nil {
		return Schemas{}, err
	}
	for kind, from := range map[*map[string]Element]map[string]*tfprotov6.Schema{&s.Resources: resp.ResourceSchemas, &s.DataSources: resp.DataSourceSchemas} {
		for name, sc := range from {
			if len(sc.Block.BlockTypes) > 0 {
				return Schemas{}, fmt.Errorf("%s: blocks are not supported", name)
			}
			attrs, err := attributes(sc.Block.Attributes)
			if err != nil {
				return Schemas{}, fmt.Errorf("%s: %w", name, err)
			}
			(*kind)[name] = Element{Version: sc.Version, Description: sc.Block.Description, Attributes: attrs}
		}
	}
	return s, nil
}

func attributes(in []*tfprotov6.SchemaAttribute) ([]Attribute, error) {
	out := make([]Attribute, 0, len(in))
	for _, a := range in {
		attr := Attribute{Name: a.Name, Description: a.Description, Required: a.Required, Optional: a.Optional,
			Computed: a.Computed, Sensitive: a.Sensitive, WriteOnly: a.WriteOnly}
		switch {
		case a.NestedType != nil && (a.NestedType.Nesting == tfprotov6.SchemaObjectNestingModeList || a.NestedType.Nesting == tfprotov6.SchemaObjectNestingModeSingle):
			nested, err := attributes(a.NestedType.Attributes)
			if err != nil {
				return nil, err
			}
			attr.Nested, attr.Single = nested, a.NestedType.Nesting == tfprotov6.SchemaObjectNestingModeSingle
		case a.Type != nil && a.Type.Is(tftypes.String):
			attr.Type = "string"
		case a.Type != nil && a.Type.Is(tftypes.Number):
			attr.Type = "number"
		case a.Type != nil && a.Type.Is(tftypes.Bool):
			attr.Type = "bool"
		default:
			return nil, fmt.Errorf("attribute %s: type %v is not supported", a.Name, a.Type)
		}
		out = append(out, attr)
	}
	return out, nil
}

// Load reads schemas from the file EnvSchema names.
func Load() (Schemas, error) {
	path := os.Getenv(EnvSchema)
	if path == "" {
		return Schemas{}, fmt.Errorf("%s is not set", EnvSchema)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return Schemas{}, err
	}
	var s Schemas
	return s, json.Unmarshal(data, &s)
}

// New is the reference provider serving s.
func New(s Schemas) func() provider.Provider {
	return func() provider.Provider { return &referenceProvider{s: s} }
}

type referenceProvider struct{ s Schemas }

func (p *referenceProvider) Metadata(_ context.Context, _ provider.MetadataRequest, resp *provider.MetadataResponse) {
	resp.TypeName = p.s.TypeName
}

func (p *referenceProvider) Schema(_ context.Context, _ provider.SchemaRequest, resp *provider.SchemaResponse) {
	attrs := map[string]pschema.Attribute{}
	for _, a := range p.s.Provider {
		switch a.Type {
		case "string":
			attrs[a.Name] = pschema.StringAttribute{Description: a.Description, Required: a.Required, Optional: a.Optional, Sensitive: a.Sensitive}
		case "number":
			attrs[a.Name] = pschema.Int64Attribute{Description: a.Description, Required: a.Required, Optional: a.Optional, Sensitive: a.Sensitive}
		case "bool":
			attrs[a.Name] = pschema.BoolAttribute{Description: a.Description, Required: a.Required, Optional: a.Optional, Sensitive: a.Sensitive}
		}
	}
	resp.Schema = pschema.Schema{Attributes: attrs}
}

func (p *referenceProvider) Configure(context.Context, provider.ConfigureRequest, *provider.ConfigureResponse) {
}

func (p *referenceProvider) Resources(context.Context) []func() resource.Resource {
	var out []func() resource.Resource
	for name, e := range p.s.Resources {
		out = append(out, func() resource.Resource { return &referenceResource{name: name, e: e} })
	}
	return out
}

func (p *referenceProvider) DataSources(context.Context) []func() datasource.DataSource {
	var out []func() datasource.DataSource
	for name, e := range p.s.DataSources {
		out = append(out, func() datasource.DataSource { return &referenceDataSource{name: name, e: e} })
	}
	return out
}

type referenceResource struct {
	name string
	e    Element
}

func (r *referenceResource) Metadata(_ context.Context, _ resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = r.name
}

func (r *referenceResource) Schema(_ context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	resp.Schema = rschema.Schema{Version: r.e.Version, Description: r.e.Description, Attributes: resourceAttributes(r.e.Attributes)}
}

func resourceAttributes(in []Attribute) map[string]rschema.Attribute {
	out := make(map[string]rschema.Attribute, len(in))
	for _, a := range in {
		switch {
		case a.Nested != nil && a.Single:
			out[a.Name] = rschema.SingleNestedAttribute{Attributes: resourceAttributes(a.Nested),
				Description: a.Description, Required: a.Required, Optional: a.Optional, Computed: a.Computed, Sensitive: a.Sensitive}
		case a.Nested != nil:
			out[a.Name] = rschema.ListNestedAttribute{NestedObject: rschema.NestedAttributeObject{Attributes: resourceAttributes(a.Nested)},
				Description: a.Description, Required: a.Required, Optional: a.Optional, Computed: a.Computed, Sensitive: a.Sensitive}
		case a.Type == "string":
			out[a.Name] = rschema.StringAttribute{Description: a.Description, Required: a.Required, Optional: a.Optional, Computed: a.Computed, Sensitive: a.Sensitive, WriteOnly: a.WriteOnly}
		case a.Type == "number":
			out[a.Name] = rschema.Int64Attribute{Description: a.Description, Required: a.Required, Optional: a.Optional, Computed: a.Computed, Sensitive: a.Sensitive, WriteOnly: a.WriteOnly}
		case a.Type == "bool":
			out[a.Name] = rschema.BoolAttribute{Description: a.Description, Required: a.Required, Optional: a.Optional, Computed: a.Computed, Sensitive: a.Sensitive, WriteOnly: a.WriteOnly}
		}
	}
	return out
}

func (r *referenceResource) Create(_ context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	resp.State.Raw = known(req.Plan.Raw)
}

func (r *referenceResource) Read(context.Context, resource.ReadRequest, *resource.ReadResponse) {
	// The framework hands the prior state back when Read changes nothing.
}

func (r *referenceResource) Update(_ context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	resp.State.Raw = known(req.Plan.Raw)
}

func (r *referenceResource) Delete(context.Context, resource.DeleteRequest, *resource.DeleteResponse) {
}

// known replaces each unknown value of v with a known one of its type: a
// string as long as a portal ID, 0, false, or an empty list.
func known(v tftypes.Value) tftypes.Value {
	out, _ := tftypes.Transform(v, func(_ *tftypes.AttributePath, v tftypes.Value) (tftypes.Value, error) {
		if v.IsKnown() {
			return v, nil
		}
		switch t := v.Type(); {
		case t.Is(tftypes.String):
			return tftypes.NewValue(t, "ref_"+rand.Text()[:12]), nil
		case t.Is(tftypes.Number):
			return tftypes.NewValue(t, 0), nil
		case t.Is(tftypes.Bool):
			return tftypes.NewValue(t, false), nil
		case t.Is(tftypes.List{}):
			return tftypes.NewValue(t, []tftypes.Value{}), nil
		}
		return tftypes.NewValue(v.Type(), nil), nil
	})
	return out
}

type referenceDataSource struct {
	name string
	e    Element
}

func (d *referenceDataSource) Metadata(_ context.Context, _ datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = d.name
}

func (d *referenceDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = dschema.Schema{Description: d.e.Description, Attributes: dataSourceAttributes(d.e.Attributes)}
}

func dataSourceAttributes(in []Attribute) map[string]dschema.Attribute {
	out := make(map[string]dschema.Attribute, len(in))
	for _, a := range in {
		switch {
		case a.Nested != nil && a.Single:
			out[a.Name] = dschema.SingleNestedAttribute{Attributes: dataSourceAttributes(a.Nested),
				Description: a.Description, Required: a.Required, Optional: a.Optional, Computed: a.Computed, Sensitive: a.Sensitive}
		case a.Nested != nil:
			out[a.Name] = dschema.ListNestedAttribute{NestedObject: dschema.NestedAttributeObject{Attributes: dataSourceAttributes(a.Nested)},
				Description: a.Description, Required: a.Required, Optional: a.Optional, Computed: a.Computed, Sensitive: a.Sensitive}
		case a.Type == "string":
			out[a.Name] = dschema.StringAttribute{Description: a.Description, Required: a.Required, Optional: a.Optional, Computed: a.Computed, Sensitive: a.Sensitive}
		case a.Type == "number":
			out[a.Name] = dschema.Int64Attribute{Description: a.Description, Required: a.Required, Optional: a.Optional, Computed: a.Computed, Sensitive: a.Sensitive}
		case a.Type == "bool":
			out[a.Name] = dschema.BoolAttribute{Description: a.Description, Required: a.Required, Optional: a.Optional, Computed: a.Computed, Sensitive: a.Sensitive}
		}
	}
	return out
}

func (d *referenceDataSource) Read(_ context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	resp.State.Raw = known(req.Config.Raw)
}
