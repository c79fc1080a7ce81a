package provider

import (
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/callingportal/terraform-provider-callingportal/internal/client"
	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
)

// NewPhoneResource is the callingportal_phone resource: a desk phone or
// other device that numbers can ring.
func NewPhoneResource() resource.Resource {
	return &targetResource[contract.Phone, contract.PhoneInput, phoneModel]{kind: phoneKind}
}

type phoneModel struct {
	targetModel
	Model      types.String `tfsdk:"model"`
	MACAddress types.String `tfsdk:"mac_address"`
}

var phoneKind = targetKind[contract.Phone, contract.PhoneInput, phoneModel]{
	typ: contract.TargetPhone, idPrefix: "ph", nameExample: "Front Desk",
	description: "A desk phone or other device of the site, which numbers can be assigned to with `callingportal_number_assignment`. " +
		"A phone takes no station: each number on it does. Its name and extension change in place; its model and MAC address are " +
		"the hardware's, so changing them replaces the phone. The portal refuses to delete a phone that still holds numbers; " +
		"Terraform destroys the assignments that point at it first.",
	own: map[string]schema.Attribute{
		"model": schema.StringAttribute{
			MarkdownDescription: "The phone's make and model, such as `Poly VVX 450`. Changing it replaces the phone.",
			Optional:            true,
			Validators:          []validator.String{nonEmpty},
			PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
		},
		"mac_address": schema.StringAttribute{
			MarkdownDescription: "The phone's MAC address, lowercase and colon-separated as the portal keeps it: `00:1a:2b:3c:4d:5e`. Unique on the site. Changing it replaces the phone.",
			Optional:            true,
			Validators:          []validator.String{canonicalMAC},
			PlanModifiers:       []planmodifier.String{stringplanmodifier.RequiresReplace()},
		},
	},
	api:  func(c *client.Client) client.Targets[contract.Phone, contract.PhoneInput] { return c.Phones },
	read: (*client.View).Phone,
	fromAPI: func(ph contract.Phone) phoneModel {
		return phoneModel{
			targetModel: targetFromAPI(ph.TargetBase),
			Model:       stringOrNull(ph.Model),
			MACAddress:  stringOrNull(ph.MACAddress),
		}
	},
	input: func(m phoneModel, update bool) contract.PhoneInput {
		return contract.PhoneInput{
			TargetInput: targetInput(m.targetModel, update),
			// Both never change, so an update repeats them or leaves them out.
			Model:      m.Model.ValueStringPointer(),
			MACAddress: m.MACAddress.ValueStringPointer(),
		}
	},
	base: func(m *phoneModel) *targetModel { return &m.targetModel },
	replaces: func(plan, state *phoneModel) bool {
		return !plan.Model.Equal(state.Model) || !plan.MACAddress.Equal(state.MACAddress)
	},
}

// canonicalMAC accepts only the form the portal keeps, and says what to
// write instead.
var canonicalMAC = portalRule{func(mac string) error {
	canonical, err := contract.CanonicalMAC(mac)
	if err == nil && canonical != mac {
		err = contract.Invalid("mac_address", "%q is not in the portal's form: write %q", mac, canonical)
	}
	return err
}, "value must be a MAC address, lowercase and colon-separated, such as 00:1a:2b:3c:4d:5e"}

// targetFromAPI and targetInput map the part phones and services share.
func targetFromAPI(b contract.TargetBase) targetModel {
	return targetModel{ID: types.StringValue(b.ID), Name: types.StringValue(b.Name), Extension: stringOrNull(b.Extension), Timeouts: noTimeouts()}
}

func targetInput(m targetModel, update bool) contract.TargetInput {
	return contract.TargetInput{Name: m.Name.ValueStringPointer(), Extension: optional(m.Extension, update)}
}
