package provider

import (
	"context"
	"strconv"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

// privateKeys is the private state of a resource response, and
// privateReader that of a request.
type (
	privateKeys interface {
		SetKey(context.Context, string, []byte) diag.Diagnostics
	}
	privateReader interface {
		GetKey(context.Context, string) ([]byte, diag.Diagnostics)
	}
)

// versionKey is the private-state key of an object's version as Read or the
// last write saw it: the user's and the phone's or service's updates, and a
// number assignment's delete, are conditional on it (If-Match).
const versionKey = "version"

// saveVersion and readVersion keep the version in private state; a state
// without one (written before the provider kept it, or edited by hand)
// reads as 0, and the resource then reads the object's version first.
func saveVersion(ctx context.Context, private privateKeys, version int64) diag.Diagnostics {
	return private.SetKey(ctx, versionKey, []byte(strconv.FormatInt(version, 10)))
}

func readVersion(ctx context.Context, private privateReader) (int64, diag.Diagnostics) {
	raw, diags := private.GetKey(ctx, versionKey)
	if diags.HasError() || len(raw) == 0 {
		return 0, diags
	}
	version, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		diags.AddError("Unreadable private state", "The saved version "+strconv.Quote(string(raw))+" is not a number: "+err.Error())
	}
	return version, diags
}
