package provider

import (
	"errors"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework/datasource"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/callingportal/terraform-provider-callingportal/internal/client"
)

// configureDataSource returns the client the provider configured. It is nil
// while Terraform validates a configuration, before the provider is set up.
func configureDataSource(req datasource.ConfigureRequest, resp *datasource.ConfigureResponse) *client.Client {
	if req.ProviderData == nil {
		return nil
	}
	data, ok := req.ProviderData.(*providerData)
	if !ok {
		resp.Diagnostics.AddError("Unexpected provider data",
			fmt.Sprintf("Expected *providerData, got %T. This is a bug in the provider: please report it.", req.ProviderData))
		return nil
	}
	return data.client
}

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
