package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/list"
	"github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource"

	"github.com/callingportal/terraform-provider-callingportal/internal/client"
	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
)

var (
	_ list.ListResource              = (*numberAssignmentListResource)(nil)
	_ list.ListResourceWithConfigure = (*numberAssignmentListResource)(nil)
)

// NewNumberAssignmentListResource lists, for `terraform query` (Terraform
// 1.14 and later), the numbers that phones and services hold: what
// callingportal_number_assignment manages. A user's number is the user's,
// so it is not listed.
func NewNumberAssignmentListResource() list.ListResource { return &numberAssignmentListResource{} }

type numberAssignmentListResource struct {
	client *client.Client
}

func (r *numberAssignmentListResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_number_assignment"
}

// ListResourceConfigSchema takes the filters of the callingportal_numbers
// data source that an assignment can match: a number held by a phone or a
// service.
func (r *numberAssignmentListResource) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	attributes := map[string]schema.Attribute{}
	for name, f := range numberFilters(contract.TargetPhone, contract.TargetService) {
		attributes[name] = schema.StringAttribute{MarkdownDescription: f.description, Optional: true, Validators: f.validators}
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "Lists the numbers that a phone or service holds, in E.164 order, for `terraform query`: " +
			"each by its identity (`site` and `number`), named after the number and its holder, and with `include_resource` " +
			"as the `callingportal_number_assignment` it imports as. A user's number is not listed: it is managed by " +
			"`callingportal_user`. The filters combine as in the `callingportal_numbers` data source.",
		Attributes: attributes,
	}
}

func (r *numberAssignmentListResource) Configure(_ context.Context, req resource.ConfigureRequest, resp *resource.ConfigureResponse) {
	if pd := providerDataFrom(req.ProviderData, &resp.Diagnostics); pd != nil {
		r.client = pd.client
	}
}

func (r *numberAssignmentListResource) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	var cfg numberFilterModel
	if diags := req.Config.Get(ctx, &cfg); diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	filter := cfg.filter()
	filter.Status = contract.StatusAssigned
	site := r.client.Site
	stream.Results = listResults(ctx, req, "list the site's assigned numbers", func(ctx context.Context) ([]listed, error) {
		numbers, err := r.client.Numbers.List(ctx, filter)
		if err != nil {
			return nil, err
		}
		var found []listed
		for _, n := range numbers {
			m, ok := numberAssignmentFromAPI(n)
			if !ok {
				continue // a user's number
			}
			found = append(found, listed{
				identity:    numberAssignmentIdentity(site, n.Number),
				resource:    m,
				displayName: fmt.Sprintf("%s (%s %s)", n.Number, n.AssignedType, n.AssignedName),
			})
		}
		return found, nil
	})
}
