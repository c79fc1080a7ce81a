// Package importid parses the import IDs of the provider's resources, as
// `terraform import` and import blocks give them, before any call to the
// portal. It is its own package so that its fuzz target builds without the
// Terraform libraries. A number assignment's import ID is its number, which
// contract.NormalizeNumber parses.
package importid

import (
	"errors"
	"fmt"
	"strings"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
)

// User is what a user's import ID names: By is "id", "email" or
// "phone number" (canonical E.164), Value the ID, email or number.
type User struct{ By, Value string }

// ParseUser reads a user's import ID: an email (it has an @), a
// phone number in any international spelling (it starts with +) or else
// the user's ID. Whitespace around it is dropped. A problem is the
// diagnostic's detail, "" when the ID parses.
func ParseUser(id string) (key User, problem string) {
	v := strings.TrimSpace(id)
	switch {
	case strings.Contains(v, "@"):
		return User{"email", v}, ""
	case strings.HasPrefix(v, "+"):
		number, err := contract.NormalizeNumber(v, "")
		if err != nil {
			return User{}, fmt.Sprintf("%q starts with + but is not a phone number: %s. Import a user by its ID (usr_...), its email or its phone number.", v, message(err))
		}
		return User{"phone number", number}, ""
	case v == "":
		return User{}, "Import a user by its ID (usr_...), its email or its phone number, e.g. terraform import callingportal_user.jane jane@example.com."
	}
	return User{"id", v}, ""
}

// ParseTarget reads a phone's or service's import ID: the ID when
// it starts with idPrefix and "_", else a name (any case). Whitespace
// around it is dropped; ok is false when nothing is left.
func ParseTarget(id, idPrefix string) (key string, byID, ok bool) {
	key = strings.TrimSpace(id)
	return key, strings.HasPrefix(key, idPrefix+"_"), key != ""
}

// message is a validation error's message without the field it names, as
// the provider's diagnostics show portal errors.
func message(err error) string {
	var pe *contract.Error
	if errors.As(err, &pe) {
		if field, ok := pe.Details["field"].(string); ok {
			return strings.TrimPrefix(pe.Message, field+": ")
		}
		return pe.Message
	}
	return err.Error()
}
