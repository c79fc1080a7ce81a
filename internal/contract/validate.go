package contract

import (
	"net"
	"net/mail"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/nyaruka/phonenumbers"
)

// NormalizeNumber parses a phone number written in any common spelling and
// returns it in canonical E.164 ("+13125550142"). region is the ISO 3166
// country code used when the number has no leading "+"; with an empty region
// the number must be international.
func NormalizeNumber(number, region string) (string, error) {
	raw := strings.TrimSpace(number)
	if raw == "" {
		return "", Invalid("number", "must not be empty")
	}
	region = strings.ToUpper(strings.TrimSpace(region))
	if region == "" && !strings.HasPrefix(raw, "+") {
		return "", Invalid("number", "%q has no country code: write it in E.164, starting with +", number)
	}
	if region != "" && !strings.HasPrefix(raw, "+") && phonenumbers.GetCountryCodeForRegion(region) == 0 {
		return "", Invalid("region", "%q is not an ISO 3166 region code such as US or GB", region)
	}
	parsed, err := phonenumbers.Parse(raw, region)
	if err != nil {
		return "", Invalid("number", "%q is not a phone number: %v", number, err)
	}
	if ext := parsed.GetExtension(); ext != "" {
		// E.164 has no extensions: dropping it would silently change the number meant.
		return "", Invalid("number", "%q has an extension (%s): E.164 numbers have none; give the number alone", number, ext)
	}
	if !phonenumbers.IsValidNumber(parsed) {
		return "", Invalid("number", "%q is not a valid number for its country", number)
	}
	return phonenumbers.Format(parsed, phonenumbers.E164), nil
}

// CanonicalNumber accepts only a number already in canonical E.164, and says
// what to write instead otherwise. Configurations and state hold this form.
func CanonicalNumber(number string) error {
	canonical, err := NormalizeNumber(number, "")
	if err != nil {
		return err
	}
	if canonical != number {
		return Invalid("number", "%q is not in canonical E.164: write %q", number, canonical)
	}
	return nil
}

var extensionPattern = regexp.MustCompile(`^[0-9]{2,6}$`)

// ValidateExtension checks an internal extension: 2 to 6 digits.
func ValidateExtension(ext string) error {
	if !extensionPattern.MatchString(ext) {
		return Invalid("extension", "%q must be 2 to 6 digits", ext)
	}
	return nil
}

// FoldEmail is the key emails compare by: the address with its ASCII
// letters in lower case. Only ASCII letters fold, as SQLite's lower() and
// PostgreSQL's under the "C" collation do, so that both stores, and the
// provider's plan checks, agree whatever the database's locale.
func FoldEmail(email string) string {
	// Byte by byte, not rune by rune: strings.Map would also turn a byte
	// that is not UTF-8 into U+FFFD, which the databases do not.
	b := []byte(email)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// ValidateEmail checks a bare address such as jane@example.com.
func ValidateEmail(email string) error {
	addr, err := mail.ParseAddress(email)
	if err != nil || addr.Address != email || addr.Name != "" {
		return Invalid("email", "%q is not an email address such as jane@example.com", email)
	}
	return nil
}

// PrefixPattern is the start of an E.164 number: "+" and 1 to 15 digits.
var PrefixPattern = regexp.MustCompile(`^\+[0-9]{1,15}$`)

// ValidatePrefix checks a number prefix filter such as "+1312555".
func ValidatePrefix(prefix string) error {
	if !PrefixPattern.MatchString(prefix) {
		return Invalid("prefix", "%q must be + followed by 1 to 15 digits, such as +1312555", prefix)
	}
	return nil
}

// CanonicalMAC returns a MAC address (EUI-48) written with colons, hyphens
// or dots, in either case, as the portal keeps it: "00:1a:2b:3c:4d:5e".
func CanonicalMAC(mac string) (string, error) {
	hw, err := net.ParseMAC(strings.TrimSpace(mac))
	if err != nil || len(hw) != 6 {
		return "", Invalid("mac_address", "%q is not a MAC address such as 00:1a:2b:3c:4d:5e", mac)
	}
	return hw.String(), nil
}

// ValidateName checks a name in field: a phone's or service's name, a
// user's first or last name. Not blank, at most MaxNameLength characters,
// no control characters.
func ValidateName(field, name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return Invalid(field, "must not be empty")
	case utf8.RuneCountInString(name) > MaxNameLength:
		return Invalid(field, "must be at most %d characters", MaxNameLength)
	case strings.ContainsFunc(name, unicode.IsControl):
		return Invalid(field, "must not contain control characters")
	}
	return nil
}

// MaxNameLength bounds names and descriptions' lines.
const MaxNameLength = 100

var pinPattern = regexp.MustCompile(`^[0-9]{4,10}$`)

// ValidateVoicemailPIN checks a PIN: 4 to 10 digits. The PIN is never echoed.
func ValidateVoicemailPIN(pin string) error {
	if !pinPattern.MatchString(pin) {
		return Invalid("voicemail_pin", "must be 4 to 10 digits")
	}
	return nil
}
