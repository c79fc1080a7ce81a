package provider

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
)

func TestAccUsersDataSource(t *testing.T) {
	testAccPreCheck(t)
	p := startPortal(t)
	type seeded struct{ id, email, first, last, extension, number string }
	users := []seeded{
		{"", "ada.lovelace@example.com", "Ada", "Lovelace", "201", "+13125550120"},
		{"", "alan.turing@example.com", "Alan", "Turing", "202", "+13125550121"},
		{"", "grace.hopper@example.com", "Grace", "Hopper", "203", "+13125550122"},
	}
	for i := range users {
		users[i].id = p.seededUserID(t, users[i].email)
	}
	// The documented order: by ID, which the portal makes at random.
	slices.SortFunc(users, func(a, b seeded) int { return strings.Compare(a.id, b.id) })
	want := make([]knownvalue.Check, 0, len(users))
	for _, u := range users {
		want = append(want, knownvalue.ObjectExact(map[string]knownvalue.Check{
			"id":           knownvalue.StringExact(u.id),
			"email":        knownvalue.StringExact(u.email),
			"first_name":   knownvalue.StringExact(u.first),
			"last_name":    knownvalue.StringExact(u.last),
			"extension":    stringOrNullCheck(u.extension),
			"phone_number": knownvalue.StringExact(u.number),
		}))
	}
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: p.config(`data "callingportal_users" "all" {}`),
			ConfigStateChecks: []statecheck.StateCheck{
				statecheck.ExpectKnownValue("data.callingportal_users.all", tfjsonpath.New("users"), knownvalue.ListExact(want)),
			},
		}},
	})
}

// TestBulkImport adopts the whole demo site with examples/bulk-import in
// one `terraform apply`: the 4 numbers on services and phones and the 3
// users are imported with no change and no station taken, and the next plan
// is empty. (The Terraform CLI directly: plugin-testing cannot yet shim a
// state with for_each keys.)
func TestBulkImport(t *testing.T) {
	c := newCLI(t)
	skipBelow(t, "1.7.0", "import blocks with for_each")
	p := startPortal(t)
	example, err := os.ReadFile("../../examples/bulk-import/main.tf")
	if err != nil {
		t.Fatal(err)
	}
	// The example declares its own required_providers, which c.write adds.
	writeFile(t, filepath.Join(c.work, "main.tf"), p.config(string(example)))
	out, err := c.run("apply", "-auto-approve")
	if err != nil || !strings.Contains(out, "Resources: 7 imported, 0 added, 0 changed, 0 destroyed.") {
		t.Fatalf("bulk import: %v\n%s", err, out)
	}
	c.expectNoChanges(t)
	p.expectInUse(t, 7)
	state, err := c.run("state", "list")
	if err != nil || !strings.Contains(state, `callingportal_user.existing["ada.lovelace@example.com"]`) ||
		!strings.Contains(state, `callingportal_number_assignment.existing["+13125550110"]`) {
		t.Fatalf("state after bulk import: %v\n%s", err, state)
	}
}

func TestUsersDataSourceMapping(t *testing.T) {
	if got := newUsersDataSourceModel(nil); got.Users == nil || len(got.Users) != 0 {
		t.Errorf("no users = %#v, want an empty list", got.Users)
	}
	got := newUsersDataSourceModel([]contract.User{
		{ID: "usr_1", Email: "a@example.com", FirstName: "A", LastName: "B", Extension: "201", PhoneNumber: "+13125550120"},
		{ID: "usr_2", Email: "c@example.com", FirstName: "C", LastName: "D", PhoneNumber: "+13125550121"},
	})
	want := []userDataSourceModel{
		{ID: types.StringValue("usr_1"), Email: types.StringValue("a@example.com"), FirstName: types.StringValue("A"),
			LastName: types.StringValue("B"), Extension: types.StringValue("201"), PhoneNumber: types.StringValue("+13125550120")},
		{ID: types.StringValue("usr_2"), Email: types.StringValue("c@example.com"), FirstName: types.StringValue("C"),
			LastName: types.StringValue("D"), Extension: types.StringNull(), PhoneNumber: types.StringValue("+13125550121")},
	}
	if !slices.Equal(got.Users, want) {
		t.Errorf("newUsersDataSourceModel\n got %+v\nwant %+v", got.Users, want)
	}
}
