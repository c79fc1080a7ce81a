package adopt

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
)

func TestIdentifier(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"Lobby Phone":            "lobby_phone",
		"ada.lovelace":           "ada_lovelace",
		"  Front--Desk (2nd) ":   "front_desk_2nd",
		"number +13125550100":    "number_13125550100",
		"911 Line":               "x_911_line",
		"Ünïcode ☎":              "n_code",
		"☎":                      "x",
		`=HYPERLINK("http://x")`: "hyperlink_http_x",
	} {
		if got := identifier(in); got != want {
			t.Errorf("identifier(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestLabelsAreUniqueAndStable: users whose email local parts clash fall
// back to the whole email, and the labels do not depend on list order.
func TestLabelsAreUniqueAndStable(t *testing.T) {
	t.Parallel()
	users := []contract.User{
		{ID: "usr_a", Email: "jo@east.example.com", PhoneNumber: "+13125550101"},
		{ID: "usr_b", Email: "jo@west.example.com", PhoneNumber: "+13125550102"},
		{ID: "usr_c", Email: "ann@example.com", PhoneNumber: "+13125550103"},
	}
	want := map[string]string{"usr_a": "jo_east_example_com", "usr_b": "jo_west_example_com", "usr_c": "ann"}
	for range 3 {
		w := newWriter(Site{Users: users}, ExportOptions{})
		for id, label := range want {
			if w.labels[id] != label {
				t.Errorf("label of %s = %q, want %q", id, w.labels[id], label)
			}
		}
		slices.Reverse(users)
		users = append(users[1:], users[0])
	}
}

func TestRanges(t *testing.T) {
	t.Parallel()
	single, runs := ranges([]string{"+13125550100", "+13125550101", "+13125550102", "+13125550105", "+441632960000", "+441632960001"})
	if !slices.Equal(single, []string{"+13125550105"}) ||
		!slices.Equal(runs, []contract.NumberRange{{From: "+13125550100", To: "+13125550102"}, {From: "+441632960000", To: "+441632960001"}}) {
		t.Errorf("ranges = %v, %v", single, runs)
	}
}

// TestExportKeepsHandWrittenFiles: export replaces only what it wrote, so a
// second run with --split leaves no main.tf behind, and a file of the same
// name written by someone else stops it before it writes anything.
func TestExportKeepsHandWrittenFiles(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	site := Site{Site: contract.Site{ID: "hq"}, Users: []contract.User{{ID: "usr_a", Email: "a@example.com", FirstName: "A", LastName: "B", PhoneNumber: "+13125550101"}}}
	opts := ExportOptions{Endpoint: "http://127.0.0.1:1", RequiredVersion: requiredVersion, ProviderVersion: ">= 0.1.0"}
	if _, _, err := Export(dir, site, opts); err != nil {
		t.Fatal(err)
	}
	opts.Split = true
	if n, _, err := Export(dir, site, opts); err != nil || n != 1 {
		t.Fatalf("second export: %d, %v", n, err)
	}
	if _, err := os.Stat(filepath.Join(dir, "main.tf")); !os.IsNotExist(err) {
		t.Errorf("main.tf of the first export is still there beside users.tf (%v)", err)
	}
	if err := os.WriteFile(filepath.Join(dir, "main.tf"), []byte("# mine\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, _, err := Export(dir, site, opts); err == nil || !strings.Contains(err.Error(), "not written by export") {
		t.Errorf("export over a hand-written main.tf: err = %v", err)
	}
	for _, name := range []string{"versions.tf", "users.tf"} {
		if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
			t.Errorf("a refused export removed %s: %v", name, err)
		}
	}
	if _, _, err := Export(dir, site, ExportOptions{Types: []string{"callingportal_phones"}}); err == nil || !strings.Contains(err.Error(), "unknown type") {
		t.Errorf("export of an unknown type: err = %v", err)
	}
}
