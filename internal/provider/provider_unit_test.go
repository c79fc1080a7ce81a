package provider

import (
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/diag"
)

func TestProviderDataFrom(t *testing.T) {
	configured := &providerData{site: "demo"}
	for _, tc := range []struct {
		name   string
		data   any
		want   *providerData
		errors int
	}{
		{"not configured yet", nil, nil, 0},
		{"configured", configured, configured, 0},
		{"something else", "demo", nil, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var diags diag.Diagnostics
			if got := providerDataFrom(tc.data, &diags); got != tc.want {
				t.Errorf("providerDataFrom(%v) = %v, want %v", tc.data, got, tc.want)
			}
			if diags.ErrorsCount() != tc.errors {
				t.Errorf("diagnostics %v, want %d errors", diags, tc.errors)
			}
		})
	}
}
