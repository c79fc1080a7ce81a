package provider

import (
	"cmp"
	"errors"
	"slices"
	"strconv"
	"strings"

	"github.com/agext/levenshtein"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"

	"github.com/callingportal/terraform-provider-callingportal/internal/client"
	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
)

// addLookupError reports a failed lookup. When the object does not exist, or
// the portal rejects the key it was looked up by, the error points at attr;
// anything else (the network, the token) is about the data source as a whole.
// When nothing has the key and existing is not nil, the message names the
// closest keys that exist, so that a typo shows its fix.
func addLookupError(diags *diag.Diagnostics, attr path.Path, action string, err error, key string, existing func() ([]string, error)) {
	if !errors.Is(err, client.ErrNotFound) && !errors.Is(err, client.ErrValidationFailed) {
		attr = path.Empty()
	}
	var pe *contract.Error
	if errors.Is(err, client.ErrNotFound) && existing != nil && errors.As(err, &pe) {
		if keys, listErr := existing(); listErr == nil && len(keys) > 0 {
			hinted := *pe
			hinted.Message += ". The closest on the site: " + strings.Join(closest(key, keys, 3), ", ")
			err = &hinted
		}
	}
	addPortalError(diags, attr, action, err)
}

// closest is up to n of keys nearest to want by edit distance, ignoring
// case, each quoted, nearest first.
func closest(want string, keys []string, n int) []string {
	want = strings.ToLower(want)
	distance := func(k string) int { return levenshtein.Distance(want, strings.ToLower(k), nil) }
	keys = slices.Clone(keys)
	slices.SortStableFunc(keys, func(a, b string) int {
		return cmp.Or(cmp.Compare(distance(a), distance(b)), strings.Compare(a, b))
	})
	quoted := make([]string, 0, n)
	for _, k := range keys[:min(n, len(keys))] {
		quoted = append(quoted, strconv.Quote(k))
	}
	return quoted
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
