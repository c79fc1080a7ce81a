package importid

import (
	"strings"
	"testing"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
)

// FuzzImportIDs: the import ID parsers of every resource never panic, and
// what they read is what a user would mean: a user's ID, email or number
// (canonical, and parsing it again gives the same key), a phone's or
// service's ID or name, an assignment's number (canonical); an ID they
// refuse gets a detail to show. Whitespace around an ID never matters.
func FuzzImportIDs(f *testing.F) {
	for _, s := range []string{
		"usr_k3j9x2m4q7ab", "jane@example.com", " JANE@example.com ", "+13125550142", "+1 (312) 555-0142", "+1 312 555 0186 ext. 7",
		"+", "+abc", "", "   ", "\t", "ph_a1", "svc_q1", "Front Desk", "sales hunt group", "ph", "ph_", "svc ph_x", "@", "a@b@c",
		"+1@x", "\x00", "\xff", "usr_" + strings.Repeat("x", 1000), "\u00a0usr_1\u00a0", "\u2028",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, id string) {
		trimmed := strings.TrimSpace(id)
		key, problem := ParseUser(id)
		switch {
		case problem != "":
			if key != (User{}) || !strings.Contains(problem, "Import a user by its ID") {
				t.Fatalf("user %q: key %+v with problem %q", id, key, problem)
			}
		case key.Value == "":
			t.Fatalf("user %q: an empty %s", id, key.By)
		case key.By == "email" && (key.Value != trimmed || !strings.Contains(key.Value, "@")),
			key.By == "id" && (key.Value != trimmed || strings.HasPrefix(key.Value, "+")):
			t.Fatalf("user %q: read as %s %q", id, key.By, key.Value)
		case key.By == "phone number":
			if err := contract.CanonicalNumber(key.Value); err != nil {
				t.Fatalf("user %q: number %q is not canonical: %v", id, key.Value, err)
			}
			if again, _ := ParseUser(" " + key.Value + " "); again != key {
				t.Fatalf("user %q: read as %+v, but its number reads as %+v", id, key, again)
			}
		case key.By != "email" && key.By != "id":
			t.Fatalf("user %q: read by %q", id, key.By)
		}
		if again, againProblem := ParseUser(trimmed); again != key || againProblem != problem {
			t.Fatalf("user %q and %q read differently: %+v %q, %+v %q", id, trimmed, key, problem, again, againProblem)
		}

		for _, prefix := range []string{"ph", "svc"} {
			name, byID, ok := ParseTarget(id, prefix)
			if name != trimmed || ok != (trimmed != "") || byID != strings.HasPrefix(trimmed, prefix+"_") {
				t.Fatalf("%s %q: read as %q, by ID %v, ok %v", prefix, id, name, byID, ok)
			}
		}

		// A number assignment's import ID.
		if number, err := contract.NormalizeNumber(id, ""); err == nil {
			if contract.CanonicalNumber(number) != nil {
				t.Fatalf("assignment %q: number %q is not canonical", id, number)
			}
		} else if message(err) == "" {
			t.Fatalf("assignment %q: no detail to show for %v", id, err)
		}
	})
}
