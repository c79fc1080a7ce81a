package provider

import (
	"context"
	"fmt"
	"time"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"
)

var _ validator.String = durationValidator{}

// durationValidator accepts a Go duration such as "10s" or "1m30s".
type durationValidator struct{}

func (durationValidator) Description(context.Context) string {
	return "value must be a duration such as 10s"
}

func (v durationValidator) MarkdownDescription(ctx context.Context) string { return v.Description(ctx) }

func (durationValidator) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if d, err := time.ParseDuration(req.ConfigValue.ValueString()); err != nil || d <= 0 {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid duration",
			"Expected a positive duration such as 10s or 1m, got "+req.ConfigValue.String()+".")
	}
}

var _ validator.String = portalRule{}

// portalRule validates a string attribute offline with one of the portal's
// own format rules, so `terraform validate` and the backend agree exactly.
type portalRule struct {
	check       func(string) error
	description string
}

var (
	canonicalNumber = portalRule{canonicalNumberHint, "value must be a phone number in canonical E.164, such as +13125550142 (see provider::callingportal::normalize_number)"}
	validExtension  = portalRule{contract.ValidateExtension, "value must be 2 to 6 digits"}
	validEmail      = portalRule{contract.ValidateEmail, "value must be an email address such as jane@example.com"}
)

// nameRule checks a name offline with the portal's rule for names
// (contract.ValidateName): a phone's or service's name, a user's first or
// last name. field is the portal's name for it, as in its messages.
func nameRule(field string) portalRule {
	return portalRule{func(name string) error { return contract.ValidateName(field, name) },
		fmt.Sprintf("value must be 1 to %d characters, not blank, without control characters", contract.MaxNameLength)}
}

// canonicalNumberHint is contract.CanonicalNumber with the way out in HCL.
func canonicalNumberHint(number string) error {
	if err := contract.CanonicalNumber(number); err != nil {
		return fmt.Errorf("%s (in HCL, provider::callingportal::normalize_number(number, region) turns a national or formatted spelling into E.164)", portalMessage(err))
	}
	return nil
}

func (r portalRule) Description(context.Context) string { return r.description }

func (r portalRule) MarkdownDescription(ctx context.Context) string { return r.Description(ctx) }

func (r portalRule) ValidateString(_ context.Context, req validator.StringRequest, resp *validator.StringResponse) {
	if req.ConfigValue.IsNull() || req.ConfigValue.IsUnknown() {
		return
	}
	if err := r.check(req.ConfigValue.ValueString()); err != nil {
		resp.Diagnostics.AddAttributeError(req.Path, "Invalid value", portalMessage(err))
	}
}
