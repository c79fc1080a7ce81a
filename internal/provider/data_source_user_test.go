package provider

import (
	"slices"
	"testing"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/hashicorp/terraform-plugin-framework/types"
	"github.com/hashicorp/terraform-plugin-testing/helper/resource"
	"github.com/hashicorp/terraform-plugin-testing/knownvalue"
	"github.com/hashicorp/terraform-plugin-testing/statecheck"
	"github.com/hashicorp/terraform-plugin-testing/tfjsonpath"
)

// expectUserDataSource checks every attribute of a callingportal_user data source;
// an empty extension must be null.
func expectUserDataSource(address, id, email, firstName, lastName, extension, phoneNumber string) []statecheck.StateCheck {
	check := func(attr string, want knownvalue.Check) statecheck.StateCheck {
		return statecheck.ExpectKnownValue(address, tfjsonpath.New(attr), want)
	}
	return []statecheck.StateCheck{
		check("id", knownvalue.StringExact(id)),
		check("email", knownvalue.StringExact(email)),
		check("first_name", knownvalue.StringExact(firstName)),
		check("last_name", knownvalue.StringExact(lastName)),
		check("extension", stringOrNullCheck(extension)),
		check("phone_number", knownvalue.StringExact(phoneNumber)),
	}
}

func TestAccUserDataSource(t *testing.T) {
	testAccPreCheck(t)
	p := startPortal(t)
	ada := p.seededUserID(t, "ada.lovelace@example.com")
	alan := p.seededUserID(t, "alan.turing@example.com")
	email, first, last, number := "edsger.dijkstra@example.com", "Edsger", "Dijkstra", "+13125550130"
	edsger, err := p.client.Users.Create(t.Context(), contract.UserInput{Email: &email, FirstName: &first, LastName: &last, PhoneNumber: &number})
	if err != nil {
		t.Fatalf("create user: %v", err)
	}
	config := p.config(`
data "callingportal_user" "by_email" {
  email = "ada.lovelace@example.com"
}

data "callingportal_user" "by_number" {
  phone_number = "+13125550121"
}

data "callingportal_user" "no_extension" {
  email = "edsger.dijkstra@example.com"
}
`)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				Config: config,
				ConfigStateChecks: slices.Concat(
					expectUserDataSource("data.callingportal_user.by_email", ada, "ada.lovelace@example.com", "Ada", "Lovelace", "201", "+13125550120"),
					expectUserDataSource("data.callingportal_user.by_number", alan, "alan.turing@example.com", "Alan", "Turing", "202", "+13125550121"),
					expectUserDataSource("data.callingportal_user.no_extension", edsger.ID, email, first, last, "", number),
				),
			},
			{
				// Changed in the portal: the next read shows it.
				PreConfig: func() {
					first, ext := "Augusta Ada", "301"
					if _, err := p.client.Users.Update(t.Context(), ada, contract.UserInput{FirstName: &first, Extension: &ext}, 0); err != nil {
						t.Fatalf("update user: %v", err)
					}
				},
				Config: config,
				ConfigStateChecks: expectUserDataSource("data.callingportal_user.by_email",
					ada, "ada.lovelace@example.com", "Augusta Ada", "Lovelace", "301", "+13125550120"),
			},
		},
	})
}

func TestAccUserDataSource_errors(t *testing.T) {
	testAccPreCheck(t)
	p := startPortal(t)
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{
			{
				// No such user: the portal's message, on the email attribute.
				Config: p.config(`
data "callingportal_user" "missing" {
  email = "ada.lovelac@example.com"
}
`),
				ExpectError: wrappedText(`email = "ada.lovelac@example.com" ` +
					`Could not find the user: no user with email "ada.lovelac@example.com" on site demo. ` +
					`The closest on the site: "ada.lovelace@example.com"`),
			},
			{
				// A number held by a phone is not a user's.
				Config: p.config(`
data "callingportal_user" "phone" {
  phone_number = "+13125550110"
}
`),
				ExpectError: wrappedText(`phone_number = "+13125550110" ` +
					`Could not find the user: no user with phone_number "+13125550110" on site demo`),
			},
			{
				Config: p.config(`
data "callingportal_user" "both" {
  email        = "ada.lovelace@example.com"
  phone_number = "+13125550120"
}
`),
				ExpectError: wrappedText(`Exactly one of these attributes must be configured: [email,phone_number]`),
			},
			{
				Config:      p.config(`data "callingportal_user" "neither" {}`),
				ExpectError: wrappedText(`Exactly one of these attributes must be configured: [email,phone_number]`),
			},
			{
				Config:      p.config(`data "callingportal_user" "x" { email = "Ada <ada.lovelace@example.com>" }`),
				ExpectError: wrappedText(`"Ada <ada.lovelace@example.com>" is not an email address such as jane@example.com`),
			},
			{
				Config:      p.config(`data "callingportal_user" "x" { phone_number = "312-555-0120" }`),
				ExpectError: wrappedText(`has no country code: write it in E.164, starting with +`),
			},
		},
	})
}

func TestUserDataSourceMapping(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   contract.User
		want types.String
	}{
		{"extension", contract.User{ID: "usr_1", Email: "a@example.com", FirstName: "A", LastName: "B", Extension: "201", PhoneNumber: "+13125550120"}, types.StringValue("201")},
		{"no extension is null", contract.User{ID: "usr_1", Email: "a@example.com", FirstName: "A", LastName: "B", PhoneNumber: "+13125550120"}, types.StringNull()},
	} {
		t.Run(tc.name, func(t *testing.T) {
			want := userDataSourceModel{
				ID:          types.StringValue("usr_1"),
				Email:       types.StringValue("a@example.com"),
				FirstName:   types.StringValue("A"),
				LastName:    types.StringValue("B"),
				Extension:   tc.want,
				PhoneNumber: types.StringValue("+13125550120"),
			}
			if got := newUserDataSourceModel(tc.in); got != want {
				t.Errorf("newUserDataSourceModel\n got %+v\nwant %+v", got, want)
			}
		})
	}
}

// TestAccUserDataSource_emailInAnyCase: the portal finds a user by email in
// any case; the data source shows the email as the portal holds it.
func TestAccUserDataSource_emailInAnyCase(t *testing.T) {
	testAccPreCheck(t)
	p := startPortal(t)
	ada := p.seededUserID(t, "ada.lovelace@example.com")
	resource.ParallelTest(t, resource.TestCase{
		ProtoV6ProviderFactories: testAccProtoV6ProviderFactories,
		Steps: []resource.TestStep{{
			Config: p.config(`data "callingportal_user" "ada" { email = "ADA.Lovelace@EXAMPLE.com" }`),
			ConfigStateChecks: expectUserDataSource("data.callingportal_user.ada",
				ada, "ada.lovelace@example.com", "Ada", "Lovelace", "201", "+13125550120"),
		}},
	})
}
