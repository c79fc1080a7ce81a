package portal

import (
	"crypto/pbkdf2"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base32"
	"encoding/hex"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
)

// Clock tells the time. A store stamps each transaction with its clock's
// time (Tx.Now), so a test can set the time the rules see.
type Clock func() time.Time

// SystemClock is the real time, in UTC to the millisecond, as the portal
// stamps its objects.
func SystemClock() time.Time { return time.Now().UTC().Truncate(time.Millisecond) }

// NewID returns a random identifier such as "usr_k3j9x2m4q7ab".
func NewID(prefix string) string {
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return prefix + "_" + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:]))
}

// HashSecret is how API tokens are stored and looked up: never in the
// clear. Tokens are long random secrets, so a fast unsalted hash is enough.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// pinIterations makes each guess at a stored PIN cost real work: a PIN has
// few digits, so a fast hash could be reversed by trying them all.
const pinIterations = 200_000

// HashPIN stores a voicemail PIN as salted PBKDF2-SHA256,
// "pbkdf2-sha256$<iterations>$<salt>$<key>".
func HashPIN(pin string) string {
	salt := make([]byte, 16)
	if _, err := rand.Read(salt); err != nil {
		panic(err)
	}
	key, err := pbkdf2.Key(sha256.New, pin, salt, pinIterations, 32)
	if err != nil {
		panic(err)
	}
	return fmt.Sprintf("pbkdf2-sha256$%d$%s$%s", pinIterations, hex.EncodeToString(salt), hex.EncodeToString(key))
}

// PINMatches reports whether pin is the one HashPIN stored as hash.
func PINMatches(hash, pin string) bool {
	var iterations int
	var saltHex, keyHex string
	if _, err := fmt.Sscanf(strings.ReplaceAll(hash, "$", " "), "pbkdf2-sha256 %d %s %s", &iterations, &saltHex, &keyHex); err != nil {
		return false
	}
	salt, errSalt := hex.DecodeString(saltHex)
	want, errKey := hex.DecodeString(keyHex)
	if errSalt != nil || errKey != nil {
		return false
	}
	got, err := pbkdf2.Key(sha256.New, pin, salt, iterations, len(want))
	return err == nil && subtle.ConstantTimeCompare(got, want) == 1
}

// Condition makes a write conditional. IfMatch, when not zero, is the version
// the caller last read. MustBeAvailable makes an assignment fail rather than
// move a number that another target holds.
type Condition struct {
	IfMatch         int64
	MustBeAvailable bool
}

func checkVersion(kind, id string, have int64, c Condition) error {
	if c.IfMatch != 0 && c.IfMatch != have {
		return contract.StaleVersion(kind, id, have, c.IfMatch)
	}
	return nil
}

var siteIDPattern = regexp.MustCompile(`^[a-z0-9-]{2,40}$`)

// CreateSite adds a site with no numbers.
func CreateSite(tx Tx, s contract.Site) (contract.Site, error) {
	if !siteIDPattern.MatchString(s.ID) {
		return contract.Site{}, contract.Invalid("id", "%q must be 2 to 40 lowercase letters, digits or dashes", s.ID)
	}
	if s.StationsPurchased < 0 {
		return contract.Site{}, contract.Invalid("stations_purchased", "must not be negative")
	}
	if _, err := tx.GetSite(s.ID); err == nil {
		return contract.Site{}, contract.Conflict("id", "site %q already exists", s.ID)
	} else if !errors.Is(err, contract.ErrNotFound) {
		return contract.Site{}, err
	}
	if s.Name == "" {
		s.Name = s.ID
	}
	s.Version, s.CreatedAt = 1, tx.Now()
	return s, tx.PutSite(s)
}

// SetStationsPurchased changes how many stations a site has bought. It can
// never drop below the stations in use.
func SetStationsPurchased(tx Tx, site string, total int, c Condition) (contract.Site, error) {
	s, err := tx.LockSite(site)
	if err != nil {
		return contract.Site{}, err
	}
	if err := checkVersion("site", site, s.Version, c); err != nil {
		return contract.Site{}, err
	}
	inUse, err := tx.CountAssigned(site)
	if err != nil {
		return contract.Site{}, err
	}
	if total < inUse {
		return contract.Site{}, contract.Invalid("stations_purchased", "%d is below the %d stations in use", total, inUse)
	}
	s.StationsPurchased = total
	s.Version++
	return s, tx.PutSite(s)
}

// AddNumbers puts numbers into the site's pool as available.
func AddNumbers(tx Tx, site string, numbers []string) ([]contract.Number, error) {
	if _, err := tx.LockSite(site); err != nil {
		return nil, err
	}
	added := make([]contract.Number, 0, len(numbers))
	for _, raw := range numbers {
		e164, err := contract.NormalizeNumber(raw, "")
		if err != nil {
			return nil, err
		}
		if _, err := tx.GetNumber(site, e164); err == nil {
			return nil, contract.Conflict("numbers", "number %s is already in the pool of site %s", e164, site)
		} else if !errors.Is(err, contract.ErrNotFound) {
			return nil, err
		}
		n := contract.Number{Number: e164, Status: contract.StatusAvailable, Version: 1, UpdatedAt: tx.Now()}
		if err := tx.PutNumber(site, n); err != nil {
			return nil, err
		}
		added = append(added, n)
	}
	return added, nil
}

// GetInventory counts the site's stations.
func GetInventory(tx Tx, site string) (contract.Inventory, error) {
	s, err := tx.GetSite(site)
	if err != nil {
		return contract.Inventory{}, err
	}
	inUse, err := tx.CountAssigned(site)
	if err != nil {
		return contract.Inventory{}, err
	}
	return contract.Inventory{Site: site, Total: s.StationsPurchased, InUse: inUse, Available: s.StationsPurchased - inUse}, nil
}

// takeNumber gives an available number to a holder, taking one station.
func takeNumber(tx Tx, site string, n contract.Number, holder contract.Target, name string) (contract.Number, error) {
	inv, err := GetInventory(tx, site)
	if err != nil {
		return contract.Number{}, err
	}
	if inv.Available < 1 {
		return contract.Number{}, contract.NoStations("this change", 1, inv)
	}
	n.Status, n.AssignedType, n.AssignedID, n.AssignedName = contract.StatusAssigned, holder.Type, holder.ID, name
	return putNumber(tx, site, n)
}

// putNumber stores a changed number, which carries its holder's name, and
// returns it as stored: a read back would cost a statement per write.
func putNumber(tx Tx, site string, n contract.Number) (contract.Number, error) {
	n.Version++
	n.UpdatedAt = tx.Now()
	if err := tx.PutNumber(site, n); err != nil {
		return contract.Number{}, err
	}
	return n, nil
}

// freeNumber makes a held number available again, freeing its station.
func freeNumber(tx Tx, site string, n contract.Number) (contract.Number, error) {
	n.Status, n.AssignedType, n.AssignedID, n.AssignedName = contract.StatusAvailable, "", "", ""
	return putNumber(tx, site, n)
}

// poolNumber finds a number of the site's pool, accepting any spelling.
func poolNumber(tx Tx, site, raw string) (contract.Number, error) {
	e164, err := contract.NormalizeNumber(raw, "")
	if err != nil {
		return contract.Number{}, err
	}
	n, err := tx.GetNumber(site, e164)
	if errors.Is(err, contract.ErrNotFound) {
		return contract.Number{}, contract.NotInPool(site, e164)
	}
	return n, err
}

func validateUserFields(in contract.UserInput) error {
	if in.Email != nil {
		if err := contract.ValidateEmail(*in.Email); err != nil {
			return err
		}
	}
	for _, f := range []struct {
		field string
		name  *string
	}{{"first_name", in.FirstName}, {"last_name", in.LastName}} {
		if f.name == nil {
			continue
		}
		if err := contract.ValidateName(f.field, *f.name); err != nil {
			return err
		}
	}
	if in.Extension != nil && *in.Extension != "" {
		if err := contract.ValidateExtension(*in.Extension); err != nil {
			return err
		}
	}
	if in.VoicemailPIN != nil {
		if err := contract.ValidateVoicemailPIN(*in.VoicemailPIN); err != nil {
			return err
		}
	}
	return nil
}

// checkUnique fails when another user of the site already has value; an
// extension must also be free among phones and services.
func checkUnique(tx Tx, site, field, value, self string) error {
	if field == "extension" {
		return checkExtensionFree(tx, site, value, self)
	}
	return checkFree(tx, site, field, value, self, findUser)
}

// setPIN stores the hash of a user's new voicemail PIN, if there is one.
func setPIN(tx Tx, site, id string, pin *string) error {
	if pin == nil {
		return nil
	}
	return tx.SetVoicemailPINHash(site, id, HashPIN(*pin))
}

// CreateUser sets a user up with an available number of the site, taking one
// station.
func CreateUser(tx Tx, site string, in contract.UserInput) (contract.User, error) {
	return createUser(tx, site, NewID("usr"), in)
}

// RestoreUser is CreateUser for a seed: the user keeps the ID it has in the
// site the seed was taken from, so a replica answers to that site's state.
// An empty id gets a new one.
func RestoreUser(tx Tx, site, id string, in contract.UserInput) (contract.User, error) {
	id, err := restoredID("usr", id)
	if err != nil {
		return contract.User{}, err
	}
	return createUser(tx, site, id, in)
}

// restoredID is id, or a new ID when it is empty; it refuses an ID that
// NewID(prefix) could not have made.
func restoredID(prefix, id string) (string, error) {
	if id == "" {
		return NewID(prefix), nil
	}
	rest, ok := strings.CutPrefix(id, prefix+"_")
	if !ok || rest == "" || len(rest) > 32 || strings.Trim(rest, "abcdefghijklmnopqrstuvwxyz0123456789") != "" {
		return "", contract.Invalid("id", "%q is not an ID of this kind: %s_ followed by up to 32 lower-case letters and digits", id, prefix)
	}
	return id, nil
}

func createUser(tx Tx, site, id string, in contract.UserInput) (contract.User, error) {
	// In a fixed order, so the same request always names the same field.
	for _, f := range []struct {
		name  string
		value *string
	}{{"email", in.Email}, {"first_name", in.FirstName}, {"last_name", in.LastName}, {"phone_number", in.PhoneNumber}} {
		if f.value == nil {
			return contract.User{}, contract.Invalid(f.name, "is required")
		}
	}
	if err := validateUserFields(in); err != nil {
		return contract.User{}, err
	}
	if _, err := tx.LockSite(site); err != nil {
		return contract.User{}, err
	}
	n, err := poolNumber(tx, site, *in.PhoneNumber)
	if err != nil {
		return contract.User{}, err
	}
	if n.Status != contract.StatusAvailable {
		return contract.User{}, contract.HolderError(n)
	}
	if err := checkUnique(tx, site, "email", *in.Email, ""); err != nil {
		return contract.User{}, err
	}
	u := contract.User{ID: id, Email: *in.Email, FirstName: *in.FirstName, LastName: *in.LastName,
		PhoneNumber: n.Number, Version: 1, CreatedAt: tx.Now()}
	u.UpdatedAt = u.CreatedAt
	if in.Extension != nil && *in.Extension != "" {
		if err := checkUnique(tx, site, "extension", *in.Extension, ""); err != nil {
			return contract.User{}, err
		}
		u.Extension = *in.Extension
	}
	u.VoicemailPINSet = in.VoicemailPIN != nil
	if err := tx.PutUser(site, u); err != nil {
		return contract.User{}, err
	}
	if err := setPIN(tx, site, u.ID, in.VoicemailPIN); err != nil {
		return contract.User{}, err
	}
	_, err = takeNumber(tx, site, n, contract.Target{Type: contract.TargetUser, ID: u.ID}, u.FirstName+" "+u.LastName)
	return u, err
}

// UpdateUser changes a user's details. The phone number cannot change: the
// portal frees a user's number only when the user is deleted.
func UpdateUser(tx Tx, site, id string, in contract.UserInput, c Condition) (contract.User, error) {
	if err := validateUserFields(in); err != nil {
		return contract.User{}, err
	}
	if _, err := tx.LockSite(site); err != nil {
		return contract.User{}, err
	}
	u, err := tx.GetUser(site, id)
	if err != nil {
		return contract.User{}, err
	}
	if err := checkVersion("user", id, u.Version, c); err != nil {
		return contract.User{}, err
	}
	if in.PhoneNumber != nil {
		e164, err := contract.NormalizeNumber(*in.PhoneNumber, "")
		if err != nil {
			return contract.User{}, err
		}
		if e164 != u.PhoneNumber {
			return contract.User{}, &contract.Error{Code: contract.CodeUserNumberLocked,
				Message: fmt.Sprintf("user %s keeps number %s: a user's number cannot be changed, only freed by deleting the user", u.DisplayName(), u.PhoneNumber),
				Details: map[string]any{"field": "phone_number", "number": u.PhoneNumber, "assigned_id": u.ID}}
		}
	}
	if in.Email != nil {
		if err := checkUnique(tx, site, "email", *in.Email, id); err != nil {
			return contract.User{}, err
		}
		u.Email = *in.Email
	}
	if in.Extension != nil {
		if *in.Extension != "" {
			if err := checkUnique(tx, site, "extension", *in.Extension, id); err != nil {
				return contract.User{}, err
			}
		}
		u.Extension = *in.Extension
	}
	if in.FirstName != nil {
		u.FirstName = *in.FirstName
	}
	if in.LastName != nil {
		u.LastName = *in.LastName
	}
	if in.VoicemailPIN != nil {
		u.VoicemailPINSet = true
	}
	u.Version++
	u.UpdatedAt = tx.Now()
	if err := tx.PutUser(site, u); err != nil {
		return contract.User{}, err
	}
	return u, setPIN(tx, site, u.ID, in.VoicemailPIN)
}

// DeleteUser removes a user and makes its number available again.
func DeleteUser(tx Tx, site, id string, c Condition) error {
	if _, err := tx.LockSite(site); err != nil {
		return err
	}
	u, err := tx.GetUser(site, id)
	if err != nil {
		return err
	}
	if err := checkVersion("user", id, u.Version, c); err != nil {
		return err
	}
	n, err := tx.GetNumber(site, u.PhoneNumber)
	if err != nil {
		return err
	}
	if _, err := freeNumber(tx, site, n); err != nil {
		return err
	}
	return tx.DeleteUser(site, id)
}

// lockNumber takes the site's lock and reads a number of its pool that a
// write conditional on c is about to change.
func lockNumber(tx Tx, site, number string, c Condition) (contract.Number, error) {
	if _, err := tx.LockSite(site); err != nil {
		return contract.Number{}, err
	}
	n, err := poolNumber(tx, site, number)
	if err != nil {
		return contract.Number{}, err
	}
	return n, checkVersion("number", n.Number, n.Version, c)
}

// AssignNumber points a number at a phone or service. An available number
// takes a station; a number on another phone or service moves without
// taking one (unless c.MustBeAvailable); a user's number never moves.
func AssignNumber(tx Tx, site, number string, t contract.Target, c Condition) (contract.Number, error) {
	n, err := lockNumber(tx, site, number, c)
	if err != nil {
		return contract.Number{}, err
	}
	// Here the target is part of the request body: a missing one is bad input.
	name, err := targetName(tx, site, t)
	if errors.Is(err, contract.ErrNotFound) {
		return contract.Number{}, contract.Invalid(string(t.Type)+"_id", "%s %q does not exist on site %s", t.Type, t.ID, site)
	} else if err != nil {
		return contract.Number{}, err
	}
	switch {
	case n.Status == contract.StatusAvailable:
		return takeNumber(tx, site, n, t, name)
	case n.AssignedType == contract.TargetUser:
		return contract.Number{}, contract.HolderError(n)
	case n.AssignedType == t.Type && n.AssignedID == t.ID:
		return n, nil
	case c.MustBeAvailable:
		return contract.Number{}, contract.HolderError(n)
	}
	n.AssignedType, n.AssignedID, n.AssignedName = t.Type, t.ID, name
	return putNumber(tx, site, n)
}

// UnassignNumber frees a number held by a phone or service. Unassigning an
// available number is a no-op; a user's number cannot be unassigned.
func UnassignNumber(tx Tx, site, number string, c Condition) (contract.Number, error) {
	n, err := lockNumber(tx, site, number, c)
	if err != nil {
		return contract.Number{}, err
	}
	switch {
	case n.Status == contract.StatusAvailable:
		return n, nil
	case n.AssignedType == contract.TargetUser:
		return contract.Number{}, contract.HolderError(n)
	}
	return freeNumber(tx, site, n)
}
