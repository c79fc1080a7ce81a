package provider

import (
	"context"

	"github.com/callingportal/terraform-provider-callingportal/internal/client"
	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	_ datasource.DataSource              = (*numberDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*numberDataSource)(nil)
)

// NewNumberDataSource reads one number of the site's pool and its holder.
func NewNumberDataSource() datasource.DataSource { return &numberDataSource{} }

type numberDataSource struct {
	client *client.Client
}

// numberModel is one number of the pool as callingportal_number shows it,
// and as each element of callingportal_numbers.numbers shows it. The
// holder's fields are null while the number is available.
type numberModel struct {
	Number       types.String `tfsdk:"number"`
	Status       types.String `tfsdk:"status"`
	AssignedType types.String `tfsdk:"assigned_type"`
	AssignedID   types.String `tfsdk:"assigned_id"`
	AssignedName types.String `tfsdk:"assigned_name"`
}

func (d *numberDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_number"
}

func (d *numberDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	attributes := numberAttributes()
	attributes["number"] = schema.StringAttribute{
		MarkdownDescription: "The number to read, in canonical E.164 such as `+13125550142`. " +
			"`provider::callingportal::normalize_number` converts other spellings.",
		Required:   true,
		Validators: []validator.String{canonicalNumber},
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Reads one number of the site's pool: whether it is available and, when it is " +
			"assigned, the user, phone or service that holds it. Fails when the number is not in the site's pool.",
		Attributes: attributes,
	}
}

func (d *numberDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, &resp.Diagnostics); pd != nil {
		d.client = pd.client
	}
}

func (d *numberDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config numberModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	n, err := d.client.Numbers.Read(ctx, config.Number.ValueString())
	if err != nil {
		addLookupError(&resp.Diagnostics, path.Root("number"), "read the number", err, "", nil)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, newNumberModel(n))...)
}

// numberAttributes describes a number of the pool, every attribute
// computed; callingportal_number makes `number` its required argument.
func numberAttributes() map[string]schema.Attribute {
	return map[string]schema.Attribute{
		"number": schema.StringAttribute{
			MarkdownDescription: "The number in canonical E.164, such as `+13125550142`.",
			Computed:            true,
		},
		"status": schema.StringAttribute{
			MarkdownDescription: "`available` (free to assign) or `assigned` (held by a user, a phone or a service, and taking one station).",
			Computed:            true,
		},
		"assigned_type": schema.StringAttribute{
			MarkdownDescription: "What holds the number: `user`, `phone` or `service`. Null while the number is available.",
			Computed:            true,
		},
		"assigned_id": schema.StringAttribute{
			MarkdownDescription: "The ID of the user, phone or service that holds the number. Null while the number is available.",
			Computed:            true,
		},
		"assigned_name": schema.StringAttribute{
			MarkdownDescription: "The name of the holder: a user's first and last name, or the phone's or service's name. Null while the number is available.",
			Computed:            true,
		},
	}
}

// newNumberModel maps a number of the portal to its model: an available
// number has null holder fields.
func newNumberModel(n contract.Number) numberModel {
	return numberModel{
		Number:       types.StringValue(n.Number),
		Status:       types.StringValue(string(n.Status)),
		AssignedType: stringOrNull(string(n.AssignedType)),
		AssignedID:   stringOrNull(n.AssignedID),
		AssignedName: stringOrNull(n.AssignedName),
	}
}
