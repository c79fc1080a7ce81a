package provider

import (
	"errors"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/callingportal/terraform-provider-callingportal/internal/client"
)

// addLookupError reports a failed lookup. When the object does not exist, or
// the portal rejects the key it was looked up by, the error points at attr;
// anything else (the network, the token) is about the data source as a whole.
func addLookupError(diags *diag.Diagnostics, attr path.Path, action string, err error) {
	if !errors.Is(err, client.ErrNotFound) && !errors.Is(err, client.ErrValidationFailed) {
		attr = path.Empty()
	}
	addPortalError(diags, attr, action, err)
}

// stringOrNull maps a value the portal leaves empty (an available number's
// holder, a user without an extension) to null, so that configurations test
// it with `== null` wherever it appears.
func stringOrNull(s string) types.String {
	if s == "" {
		return types.StringNull()
	}
	return types.StringValue(s)
}
