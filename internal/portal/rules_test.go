package portal

import (
	"fmt"
	"strings"
	"testing"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
)

func TestPINHashIsSaltedAndVerifiable(t *testing.T) {
	t.Parallel()
	a, b := HashPIN("4321"), HashPIN("4321")
	if a == b {
		t.Fatal("two hashes of one PIN are equal: no salt")
	}
	if strings.Contains(a, "4321") || !PINMatches(a, "4321") || PINMatches(a, "4322") || PINMatches("garbage", "4321") {
		t.Fatalf("PIN hash %q does not verify as it should", a)
	}
}

// TestValidateUserFields_names: a user's first and last names follow the
// rule of phones' and services' names (contract.ValidateName), which the
// provider's schema applies offline.
func TestValidateUserFields_names(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		first, last string
		want        string // the error, "" for none
	}{
		{"Ada", "Lovelace", ""},
		{"", "Lovelace", "first_name: must not be empty"},
		{"Ada", " \t", "last_name: must not be empty"},
		{strings.Repeat("é", contract.MaxNameLength), "Lovelace", ""},
		{"Ada", strings.Repeat("x", contract.MaxNameLength+1), "last_name: must be at most 100 characters"},
		{"Ada\x00", "Lovelace", "first_name: must not contain control characters"},
	} {
		err := validateUserFields(contract.UserInput{FirstName: &tc.first, LastName: &tc.last})
		if got := fmt.Sprint(err); (tc.want == "" && err != nil) || (tc.want != "" && got != tc.want) {
			t.Errorf("first %q, last %q: %v, want %q", tc.first, tc.last, err, tc.want)
		}
	}
}
