package provider

import (
	"strings"

	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/callingportal/terraform-provider-callingportal/internal/client"
	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
)

// NewServiceResource is the callingportal_service resource: an auto
// attendant, hunt group, call queue and the like.
func NewServiceResource() resource.Resource {
	return &targetResource[contract.Service, contract.ServiceInput, serviceModel]{kind: serviceKind}
}

type serviceModel struct {
	targetModel
	Type        types.String `tfsdk:"type"`
	Description types.String `tfsdk:"description"`
}

var serviceKind = targetKind[contract.Service, contract.ServiceInput, serviceModel]{
	typ: contract.TargetService, idPrefix: "svc", nameExample: "Sales Hunt Group",
	description: "A service of the site (auto attendant, hunt group, call queue...), which numbers can be assigned to with " +
		"`callingportal_number_assignment`. A service takes no station: each number on it does. Its name, extension and " +
		"description change in place; changing its type replaces it. The portal refuses to delete a service that still holds " +
		"numbers; Terraform destroys the assignments that point at it first.",
	own: map[string]schema.Attribute{
		"type": schema.StringAttribute{
			MarkdownDescription: "The kind of service: one of `" + strings.Join(contract.ServiceTypes, "`, `") + "`. Changing it replaces the service.",
			Required:            true,
			Validators:          []validator.String{serviceType},
			PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
		},
		"description": schema.StringAttribute{
			MarkdownDescription: "What the service is for, as people on the site read it. At most 1000 bytes. Changes in place.",
			Optional:            true,
			Validators:          []validator.String{nonEmpty, stringvalidator.LengthAtMost(1000)},
		},
	},
	api:  func(c *client.Client) client.Targets[contract.Service, contract.ServiceInput] { return c.Services },
	read: (*client.View).Service,
	fromAPI: func(s contract.Service) serviceModel {
		return serviceModel{
			targetModel: targetFromAPI(s.TargetBase),
			Type:        types.StringValue(s.Type),
			Description: stringOrNull(s.Description),
		}
	},
	input: func(m serviceModel, update bool) contract.ServiceInput {
		return contract.ServiceInput{
			TargetInput: targetInput(m.targetModel, update),
			Type:        m.Type.ValueStringPointer(),
			Description: optional(m.Description, update),
		}
	},
	base:     func(m *serviceModel) *targetModel { return &m.targetModel },
	replaces: func(plan, state *serviceModel) bool { return !plan.Type.Equal(state.Type) },
}

// serviceType accepts the portal's kinds of service.
var serviceType = stringvalidator.OneOf(contract.ServiceTypes...)
