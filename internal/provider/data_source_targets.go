package provider

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework/attr"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/callingportal/terraform-provider-callingportal/internal/client"
	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
)

var (
	_ datasource.DataSource              = (*targetsDataSource[contract.Phone])(nil)
	_ datasource.DataSourceWithConfigure = (*targetsDataSource[contract.Phone])(nil)
)

// NewPhonesDataSource lists the site's phones, optionally filtered.
func NewPhonesDataSource() datasource.DataSource {
	return &targetsDataSource[contract.Phone]{kind: phoneTargets}
}

// NewServicesDataSource lists the site's services, optionally filtered.
func NewServicesDataSource() datasource.DataSource {
	return &targetsDataSource[contract.Service]{kind: serviceTargets}
}

// phoneTargets and serviceTargets are what the phone and service data
// sources, one and many, show of each kind.
var (
	phoneTargets = targetsKind[contract.Phone]{
		typ: contract.TargetPhone, examples: "a desk phone or other device", nameExample: "Lobby Phone",
		filter: "model", filterDescription: "Only phones of this model, such as `Poly VVX 450` (exact).",
		list: func(ctx context.Context, c *client.Client) ([]contract.Phone, error) { return c.Phones.List(ctx) },
		find: func(ctx context.Context, c *client.Client, name string) (contract.Phone, error) {
			return c.Phones.FindByName(ctx, name)
		},
		own: map[string]string{
			"model":       "The phone's make and model, such as `Poly VVX 250`. Null when the portal has none.",
			"mac_address": "The phone's MAC address, `00:1a:2b:3c:4d:5e`. Null when the portal has none.",
		},
		values: func(ph contract.Phone) (contract.TargetBase, map[string]string) {
			return ph.TargetBase, map[string]string{"model": ph.Model, "mac_address": ph.MACAddress}
		},
	}
	serviceTargets = targetsKind[contract.Service]{
		typ: contract.TargetService, examples: "auto attendant, hunt group, call queue...", nameExample: "Sales Hunt Group",
		filter:            "type",
		filterDescription: "Only services of this type: one of `" + strings.Join(contract.ServiceTypes, "`, `") + "`.",
		list:              func(ctx context.Context, c *client.Client) ([]contract.Service, error) { return c.Services.List(ctx) },
		find: func(ctx context.Context, c *client.Client, name string) (contract.Service, error) {
			return c.Services.FindByName(ctx, name)
		},
		own: map[string]string{
			"type":        "The kind of service: one of `" + strings.Join(contract.ServiceTypes, "`, `") + "`.",
			"description": "What the service is for. Null when the portal has none.",
		},
		values: func(s contract.Service) (contract.TargetBase, map[string]string) {
			return s.TargetBase, map[string]string{"type": s.Type, "description": s.Description}
		},
	}
)

// targetsDataSource is callingportal_phones and callingportal_services: the
// site's targets of one kind, ordered by name, filtered by a name prefix
// (any case) and by one attribute of the kind's own.
type targetsDataSource[T any] struct {
	kind   targetsKind[T]
	client *client.Client
}

type targetsKind[T any] struct {
	typ               contract.TargetType
	examples          string // what the kind covers, for descriptions
	nameExample       string // a seeded target's name
	filter            string // the kind's own filter attribute, matched exactly
	filterDescription string
	list              func(context.Context, *client.Client) ([]T, error)
	find              func(ctx context.Context, c *client.Client, name string) (T, error)
	own               map[string]string // the kind's own item attributes and their descriptions
	// values is the shared part of an item and the kind's own values, ""
	// for none.
	values func(T) (contract.TargetBase, map[string]string)
}

func (d *targetsDataSource[T]) plural() string { return string(d.kind.typ) + "s" }

func (d *targetsDataSource[T]) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_" + d.plural()
}

// attributes are the computed attributes of one target.
func (k targetsKind[T]) attributes() map[string]schema.Attribute {
	attrs := map[string]schema.Attribute{
		"id": schema.StringAttribute{
			MarkdownDescription: fmt.Sprintf("The %s's ID: the `%s_id` of a `callingportal_number_assignment`.", k.typ, k.typ),
			Computed:            true,
		},
		"name":      schema.StringAttribute{MarkdownDescription: fmt.Sprintf("The %s's name.", k.typ), Computed: true},
		"extension": schema.StringAttribute{MarkdownDescription: "The internal extension. Null when there is none.", Computed: true},
	}
	for name, description := range k.own {
		attrs[name] = schema.StringAttribute{MarkdownDescription: description, Computed: true}
	}
	return attrs
}

// attrValues is v as the attributes show it; what the portal leaves empty
// is null.
func (k targetsKind[T]) attrValues(v T) (name string, values map[string]attr.Value) {
	b, own := k.values(v)
	values = map[string]attr.Value{"id": types.StringValue(b.ID), "name": types.StringValue(b.Name), "extension": stringOrNull(b.Extension)}
	for attr, value := range own {
		values[attr] = stringOrNull(value)
	}
	return b.Name, values
}

func (d *targetsDataSource[T]) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	items := d.kind.attributes()
	filter := schema.StringAttribute{MarkdownDescription: d.kind.filterDescription, Optional: true}
	if d.kind.typ == contract.TargetService {
		filter.Validators = []validator.String{serviceType}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: fmt.Sprintf("Lists the site's %s, ordered by name, optionally filtered. With `import` blocks and `for_each` "+
			"it brings a site's existing %s under Terraform in one plan.", d.plural(), d.plural()),
		Attributes: map[string]schema.Attribute{
			"name_prefix": schema.StringAttribute{
				MarkdownDescription: fmt.Sprintf("Only %s whose name starts with this, regardless of case.", d.plural()),
				Optional:            true,
			},
			d.kind.filter: filter,
			d.plural(): schema.ListNestedAttribute{
				MarkdownDescription: fmt.Sprintf("The %s that match, ordered by name; an empty list when none do.", d.plural()),
				Computed:            true,
				NestedObject:        schema.NestedAttributeObject{Attributes: items},
			},
		},
	}
}

func (d *targetsDataSource[T]) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, &resp.Diagnostics); pd != nil {
		d.client = pd.client
	}
}

func (d *targetsDataSource[T]) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var prefix, filter types.String
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root("name_prefix"), &prefix)...)
	resp.Diagnostics.Append(req.Config.GetAttribute(ctx, path.Root(d.kind.filter), &filter)...)
	if resp.Diagnostics.HasError() {
		return
	}
	all, err := d.kind.list(ctx, d.client)
	if err != nil {
		addPortalError(&resp.Diagnostics, path.Empty(), "list the site's "+d.plural(), err)
		return
	}
	itemType := map[string]attr.Type{"id": types.StringType, "name": types.StringType, "extension": types.StringType}
	for name := range d.kind.own {
		itemType[name] = types.StringType
	}
	type item struct {
		name  string
		value attr.Value
	}
	var matched []item
	for _, v := range all {
		name, values := d.kind.attrValues(v)
		if !strings.HasPrefix(strings.ToLower(name), strings.ToLower(prefix.ValueString())) ||
			!filter.IsNull() && values[d.kind.filter] != types.StringValue(filter.ValueString()) {
			continue
		}
		obj, diags := types.ObjectValue(itemType, values)
		resp.Diagnostics.Append(diags...)
		matched = append(matched, item{name, obj})
	}
	sort.SliceStable(matched, func(i, j int) bool { return matched[i].name < matched[j].name })
	elems := make([]attr.Value, 0, len(matched))
	for _, m := range matched {
		elems = append(elems, m.value)
	}
	list, diags := types.ListValue(types.ObjectType{AttrTypes: itemType}, elems)
	resp.Diagnostics.Append(diags...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root("name_prefix"), prefix)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(d.kind.filter), filter)...)
	resp.Diagnostics.Append(resp.State.SetAttribute(ctx, path.Root(d.plural()), list)...)
}
