package provider

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
)

// wrappedText matches text in Terraform's output, where long diagnostics
// are wrapped: every space of text matches any run of whitespace.
func wrappedText(text string) *regexp.Regexp {
	return regexp.MustCompile(strings.ReplaceAll(regexp.QuoteMeta(text), " ", `\s+`))
}

// stringOrNullCheck expects want, or null when want is empty.
func stringOrNullCheck(want string) knownvalue.Check {
	if want == "" {
		return knownvalue.Null()
	}
	return knownvalue.StringExact(want)
}

// seededUserID looks a user's ID up by email.
func (p *testPortal) seededUserID(t *testing.T, email string) string {
	t.Helper()
	u, err := p.client.Users.FindByEmail(t.Context(), email)
	if err != nil {
		t.Fatalf("user %q: %v", email, err)
	}
	return u.ID
}

func TestDataSourceHelpers_stringOrNull(t *testing.T) {
	if got := stringOrNull(""); !got.Equal(types.StringNull()) {
		t.Errorf(`stringOrNull("") = %v, want null`, got)
	}
	if got := stringOrNull("201"); !got.Equal(types.StringValue("201")) {
		t.Errorf(`stringOrNull("201") = %v, want "201"`, got)
	}
}

func TestDataSourceHelpers_addLookupError(t *testing.T) {
	attr := path.Root("email")
	for _, tc := range []struct {
		name    string
		err     error
		onAttr  bool
		summary string
	}{
		{"not found is about the key", &contract.Error{Code: contract.CodeNotFound, Message: `no user with email "x@example.com" on site demo`}, true, "Not found in the portal"},
		{"rejected key is about the key", contract.Invalid("email", "bad"), true, "Rejected by the portal"},
		{"token is about the data source", &contract.Error{Code: contract.CodeUnauthorized, Message: "token not accepted"}, false, "Portal token not accepted"},
		{"transport is about the data source", errors.New("GET /v1/sites/demo/users: connection refused"), false, "Calling portal error"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var diags diag.Diagnostics
			addLookupError(&diags, attr, "find the user", tc.err, "", nil)
			if len(diags) != 1 {
				t.Fatalf("got %d diagnostics, want 1: %v", len(diags), diags)
			}
			d := diags[0]
			withPath, onAttr := d.(diag.DiagnosticWithPath)
			switch {
			case onAttr != tc.onAttr:
				t.Errorf("diagnostic on an attribute: %v, want %v", onAttr, tc.onAttr)
			case onAttr && !withPath.Path().Equal(attr):
				t.Errorf("path = %q, want %q", withPath.Path(), attr)
			}
			if d.Summary() != tc.summary {
				t.Errorf("summary = %q, want %q", d.Summary(), tc.summary)
			}
			if want := "Could not find the user: " + portalMessage(tc.err); d.Detail() != want {
				t.Errorf("detail = %q, want %q", d.Detail(), want)
			}
		})
	}
}

func TestDataSourceHelpers_closest(t *testing.T) {
	names := []string{"Sales Hunt Group", "Support Queue", "After Hours", "Main Auto Attendant"}
	if got := closest("sales hunt grp", names, 2); len(got) != 2 || got[0] != `"Sales Hunt Group"` {
		t.Errorf("closest = %v", got)
	}
	if got := closest("x", names[:1], 3); !slices.Equal(got, []string{`"Sales Hunt Group"`}) {
		t.Errorf("closest of one = %v", got)
	}
}
