package provider

import (
	"context"
	"iter"
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/callingportal/terraform-provider-callingportal/internal/client"
	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
)

var (
	_ list.ListResource              = (*userListResource)(nil)
	_ list.ListResourceWithConfigure = (*userListResource)(nil)
)

// NewUserListResource lists the site's users for `terraform query`
// (Terraform 1.14 and later): each by its identity, and as the
// callingportal_user resource when the query asks for resources.
func NewUserListResource() list.ListResource { return &userListResource{} }

type userListResource struct {
	client *client.Client
}

// userListModel is the configuration of a list "callingportal_user" block.
type userListModel struct {
	EmailPrefix types.String `tfsdk:"email_prefix"`
}

func (r *userListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_user"
}

func (r *userListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the site's users, in the order of their IDs, for `terraform query`: each by its identity " +
			"(`site` and `id`), named `First Last <email>`, and with `include_resource` as the `callingportal_user` it imports as.",
		Attributes: map[string]schema.Attribute{
			"email_prefix": schema.StringAttribute{
				MarkdownDescription: "Only users whose email starts with this, in any case, such as `sales.` or `ada`.",
				Optional:            true,
				Validators:          []validator.String{stringvalidator.LengthAtLeast(1)},
			},
		},
	}
}

func (r *userListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, &resp.Diagnostics); pd != nil {
		r.client = pd.client
	}
}

func (r *userListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg userListModel
	if diags := req.Config.Get(ctx, &cfg); diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	site := r.client.Site
	stream.Results = listResults(ctx, req, "list the site's users", func(ctx context.Context) ([]listed, error) {
		users, err := r.client.Users.List(ctx)
		if err != nil {
			return nil, err
		}
		var found []listed
		for _, u := range users {
			if !cfg.matches(u) {
				continue
			}
			found = append(found, listed{
				identity:    userIdentity(site, u.ID),
				resource:    userFromAPI(u, types.Int64Null()),
				displayName: u.FirstName + " " + u.LastName + " <" + u.Email + ">",
			})
		}
		return found, nil
	})
}

// matches reports whether the configured filter lists u.
func (m userListModel) matches(u contract.User) bool {
	return m.EmailPrefix.IsNull() || strings.HasPrefix(contract.FoldEmail(u.Email), contract.FoldEmail(m.EmailPrefix.ValueString()))
}

// listed is one object that a list resource found: its identity, its
// resource model, and the name Terraform shows for it.
type listed struct {
	identity    any
	resource    any
	displayName string
}

// listResults streams what fetch finds, up to the request's limit, with the
// resource model only when the query asks for resources. fetch runs when
// Terraform reads the stream; action says in an error what it did.
func listResults(ctx context.Context, req list.ListRequest, action string, fetch func(context.Context) ([]listed, error)) iter.Seq[list.ListResult] {
	return func(push func(list.ListResult) bool) {
		found, err := fetch(ctx)
		if err != nil {
			var diags diag.Diagnostics
			addPortalError(&diags, path.Empty(), action, err)
			push(list.ListResult{Diagnostics: diags})
			return
		}
		for i, f := range found {
			if req.Limit > 0 && int64(i) >= req.Limit {
				return
			}
			result := req.NewListResult(ctx)
			result.DisplayName = f.displayName
			result.Diagnostics.Append(result.Identity.Set(ctx, f.identity)...)
			if req.IncludeResource {
				result.Diagnostics.Append(result.Resource.Set(ctx, f.resource)...)
			}
			if !push(result) {
				return
			}
		}
	}
}
