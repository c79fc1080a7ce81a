package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/datasource/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"

	"github.com/callingportal/terraform-provider-callingportal/internal/client"
	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
)

var (
	_ datasource.DataSource              = (*usersDataSource)(nil)
	_ datasource.DataSourceWithConfigure = (*usersDataSource)(nil)
)

// NewUsersDataSource lists every user of the site, which is what importing a
// site's users in bulk starts from.
func NewUsersDataSource() datasource.DataSource { return &usersDataSource{} }

type usersDataSource struct {
	client *client.Client
}

type usersDataSourceModel struct {
	// Users are shown as callingportal_user shows one user: both data
	// sources are the portal's view of a user, so they share a model.
	Users []userDataSourceModel `tfsdk:"users"`
}

func (d *usersDataSource) Metadata(_ context.Context, req datasource.MetadataRequest, resp *datasource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_users"
}

func (d *usersDataSource) Schema(_ context.Context, _ datasource.SchemaRequest, resp *datasource.SchemaResponse) {
	computed := func(description string) schema.Attribute {
		return schema.StringAttribute{MarkdownDescription: description, Computed: true}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists every user of the site. With `import` blocks and `for_each` it brings a site's " +
			"existing users under Terraform in one plan (see the example).",
		Attributes: map[string]schema.Attribute{
			"users": schema.ListNestedAttribute{
				MarkdownDescription: "The site's users, ordered by ID; an empty list when there are none.",
				Computed:            true,
				NestedObject: schema.NestedAttributeObject{Attributes: map[string]schema.Attribute{
					"id":           computed("The user's ID, such as `usr_k3j9x2m4q7ab`."),
					"email":        computed("The user's email address."),
					"first_name":   computed("The user's first name."),
					"last_name":    computed("The user's last name."),
					"extension":    computed("The user's internal extension, 2 to 6 digits. Null when the user has none."),
					"phone_number": computed("The number the user holds, in canonical E.164."),
				}},
			},
		},
	}
}

func (d *usersDataSource) Configure(_ context.Context, req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, &resp.Diagnostics); pd != nil {
		d.client = pd.client
	}
}

func (d *usersDataSource) Read(ctx context.Context, _ datasource.ReadRequest, resp *datasource.ReadResponse) {
	users, err := d.client.Users.List(ctx)
	if err != nil {
		addPortalError(&resp.Diagnostics, path.Empty(), "list the site's users", err)
		return
	}
	resp.Diagnostics.Append(resp.State.Set(ctx, newUsersDataSourceModel(users))...)
}

// newUsersDataSourceModel maps the site's users in the portal's order;
// none gives an empty list, never null, and no extension is null.
func newUsersDataSourceModel(users []contract.User) usersDataSourceModel {
	m := usersDataSourceModel{Users: make([]userDataSourceModel, 0, len(users))}
	for _, u := range users {
		m.Users = append(m.Users, newUserDataSourceModel(u))
	}
	return m
}
