package contract

import (
	"errors"
	"strings"
	"testing"
)

func TestNormalizeNumber(t *testing.T) {
	t.Parallel()
	for _, c := range []struct{ in, region, want, err string }{
		{"(312) 555-0142", "US", "+13125550142", ""},
		{"312.555.0142", "us", "+13125550142", ""},
		{"+1 312-555-0142", "", "+13125550142", ""},
		{"+1 (312) 555 0142", "GB", "+13125550142", ""},
		{"020 7946 0958", "GB", "+442079460958", ""},
		{"+13125550142", "", "+13125550142", ""},
		{"3125550142", "", "", "has no country code"},
		{"3125550142", "XX", "", "not an ISO 3166 region"},
		{"+1555", "", "", "not a valid number"},
		{"call me", "US", "", "not a phone number"},
		{"  ", "US", "", "must not be empty"},
		{"312-555-0142 ext 5", "US", "", "has an extension (5)"},
		{"+1 312 555 0186 ext. 7", "", "", "has an extension (7)"},
	} {
		got, err := NormalizeNumber(c.in, c.region)
		if got != c.want || (err == nil) != (c.err == "") || err != nil && !strings.Contains(err.Error(), c.err) {
			t.Errorf("NormalizeNumber(%q, %q) = %q, %v; want %q, error containing %q", c.in, c.region, got, err, c.want, c.err)
		}
		if err != nil && !errors.Is(err, ErrValidationFailed) {
			t.Errorf("NormalizeNumber(%q, %q): error %v is not validation_failed", c.in, c.region, err)
		}
	}
}

func TestCanonicalNumberSaysWhatToWrite(t *testing.T) {
	t.Parallel()
	if err := CanonicalNumber("+13125550142"); err != nil {
		t.Fatalf("canonical number refused: %v", err)
	}
	err := CanonicalNumber("+1 312 555 0142")
	if err == nil || !strings.Contains(err.Error(), `write "+13125550142"`) {
		t.Fatalf("CanonicalNumber(spaced) = %v, want a hint with the canonical form", err)
	}
}

func TestFieldRules(t *testing.T) {
	t.Parallel()
	for _, c := range []struct {
		check func(string) error
		in    string
		ok    bool
	}{
		{ValidateExtension, "20", true}, {ValidateExtension, "123456", true},
		{ValidateExtension, "1", false}, {ValidateExtension, "1234567", false}, {ValidateExtension, "12a", false},
		{ValidateEmail, "jane@example.com", true}, {ValidateEmail, "Jane <jane@example.com>", false}, {ValidateEmail, "jane", false},
		{ValidateVoicemailPIN, "1234", true}, {ValidateVoicemailPIN, "123", false}, {ValidateVoicemailPIN, "12345678901", false},
		{ValidatePrefix, "+1", true}, {ValidatePrefix, "+1312555", true}, {ValidatePrefix, "+123456789012345", true},
		{ValidatePrefix, "+", false}, {ValidatePrefix, "1312", false}, {ValidatePrefix, "+1 312", false},
		{ValidatePrefix, "+1234567890123456", false},
	} {
		if err := c.check(c.in); (err == nil) != c.ok {
			t.Errorf("check(%q) = %v, want ok=%v", c.in, err, c.ok)
		}
	}
}

func TestMessagesStateTheFigures(t *testing.T) {
	t.Parallel()
	inv := Inventory{Site: "demo", Total: 100, InUse: 90, Available: 10}
	if got, want := NoStations("this plan", 12, inv).Error(), "this plan needs 12 new stations; site demo has 10 available (90 in use of 100 purchased)"; got != want {
		t.Errorf("NoStations = %q, want %q", got, want)
	}
	if got := NoStations("this change", 1, inv).Error(); !strings.HasPrefix(got, "this change needs 1 new station;") {
		t.Errorf("NoStations(1) = %q, want the singular", got)
	}
	user := HolderError(Number{Number: "+13125550120", Status: StatusAssigned, AssignedType: TargetUser, AssignedID: "usr_1", AssignedName: "Ada Lovelace"})
	if !errors.Is(user, ErrUserNumberLocked) || !strings.Contains(user.Error(), "belongs to user Ada Lovelace (usr_1)") {
		t.Errorf("HolderError(user) = %v", user)
	}
	svc := HolderError(Number{Number: "+13125550100", Status: StatusAssigned, AssignedType: TargetService, AssignedID: "svc_1", AssignedName: "Main"})
	if !errors.Is(svc, ErrNumberUnavailable) || !strings.Contains(svc.Error(), `assigned to service "Main" (svc_1)`) {
		t.Errorf("HolderError(service) = %v", svc)
	}
}

func TestErrorsMatchByCode(t *testing.T) {
	t.Parallel()
	err := NotFound("user", "usr_1")
	if !errors.Is(err, ErrNotFound) || errors.Is(err, ErrConflict) || CodeOf(err) != CodeNotFound || CodeOf(errors.New("x")) != CodeInternal {
		t.Fatalf("error matching by code is broken for %v", err)
	}
}
