package provider

import (
	"context"

	"github.com/callingportal/terraform-provider-callingportal/internal/client"
	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/hashicorp/terraform-plugin-framework-validators/datasourcevalidator"
	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"
)

var (
	_ datasource.DataSource                     = (*userDataSource)(nil)
	_ datasource.DataSourceWithConfigure        = (*userDataSource)(nil)
	_ datasource.DataSourceWithConfigValidators = (*userDataSource)(nil)
)

// NewUserDataSource finds a user of the site by email or by phone number.
func NewUserDataSource() datasource.DataSource { return &userDataSource{} }

type userDataSource struct {
	client *client.Client
}

// userDataSourceModel is the callingportal_user data source: a user as the
// portal returns it, found by email or phone number.
type userDataSourceModel struct {
	ID          types.String `tfsdk:"id"`
	Email       types.String `tfsdk:"email"`
	FirstName   types.String `tfsdk:"first_name"`
	LastName    types.String `tfsdk:"last_name"`
	Extension   types.String `tfsdk:"extension"`
	PhoneNumber types.String `tfsdk:"phone_number"`
}

func (d *userDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user"
}

func (d *userDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Finds a user of the site by email or by phone number. Set exactly one of `email` " +
			"and `phone_number`; the other is read from the portal. Fails when no user matches.",
		Attributes: map[string]schema.Attribute{
			"id": schema.StringAttribute{
				MarkdownDescription: "The user's ID, such as `usr_k3j9x2m4q7ab`.",
				Computed:            true,
			},
			"email": schema.StringAttribute{
				MarkdownDescription: "The user's email address, such as `jane@example.com`. Set it to find the user by email, in any case; " +
					"the portal's spelling is read back.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{validEmail},
			},
			"first_name": schema.StringAttribute{
				MarkdownDescription: "The user's first name.",
				Computed:            true,
			},
			"last_name": schema.StringAttribute{
				MarkdownDescription: "The user's last name.",
				Computed:            true,
			},
			"extension": schema.StringAttribute{
				MarkdownDescription: "The user's internal extension, 2 to 6 digits. Null when the user has none.",
				Computed:            true,
			},
			"phone_number": schema.StringAttribute{
				MarkdownDescription: "The number the user holds, in canonical E.164 such as `+13125550142`. " +
					"Set it to find the user who holds that number.",
				Optional:   true,
				Computed:   true,
				Validators: []validator.String{canonicalNumber},
			},
		},
	}
}

func (d *userDataSource) ConfigValidators(context.Context) []datasource.ConfigValidator {
	return []datasource.ConfigValidator{
		datasourcevalidator.ExactlyOneOf(path.MatchRoot("email"), path.MatchRoot("phone_number")),
	}
}

func (d *userDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, &resp.Diagnostics); pd != nil {
		d.client = pd.client
	}
}

func (d *userDataSource) Read(ctx context.Context, req datasource.ReadRequest, resp *datasource.ReadResponse) {
	var config userDataSourceModel
	resp.Diagnostics.Append(req.Config.Get(ctx, &config)...)
	if resp.Diagnostics.HasError() {
		return
	}
	var (
		user contract.User
		err  error
		by   path.Path
	)
	if !config.Email.IsNull() {
		by = path.Root("email")
		user, err = d.client.Users.FindByEmail(ctx, config.Email.ValueString())
	} else {
		by = path.Root("phone_number")
		user, err = d.client.Users.FindByNumber(ctx, config.PhoneNumber.ValueString())
	}
	if err != nil {
		var existing func() ([]string, error)
		if !config.Email.IsNull() {
			existing = func() ([]string, error) {
				users, err := d.client.Users.List(ctx)
				emails := make([]string, len(users))
				for i, u := range users {
					emails[i] = u.Email
				}
				return emails, err
			}
		}
		addLookupError(&resp.Diagnostics, by, "find the user", err, config.Email.ValueString(), existing)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, newUserDataSourceModel(user))...)
}

// newUserDataSourceModel maps a user found; no extension is null. The
// email is the portal's spelling, which may differ in case from the one
// looked up: the portal finds emails in any case but keeps each user's
// spelling, and state shows what the portal holds, as callingportal_user's
// does (where a configuration that respells it is an in-place update).
func newUserDataSourceModel(u contract.User) userDataSourceModel {
	return userDataSourceModel{
		ID:          types.StringValue(u.ID),
		Email:       types.StringValue(u.Email),
		FirstName:   types.StringValue(u.FirstName),
		LastName:    types.StringValue(u.LastName),
		Extension:   stringOrNull(u.Extension),
		PhoneNumber: types.StringValue(u.PhoneNumber),
	}
}
