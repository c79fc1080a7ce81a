package portal

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
)

// Phones and services are the targets a number can ring besides a user. One
// set of rules serves both: a name unique among them regardless of case, an
// extension unique among users, phones and services, in-place updates, and
// no delete while they hold numbers. A targetKind says what differs.
type targetKind[T, In any] struct {
	typ    contract.TargetType
	prefix string // of IDs
	table  func(Tx) Targets[T]
	// set validates the fields only this kind has and sets them on v. On
	// update (create false) a nil field keeps its value, and a field the
	// hardware or the kind fixes must not change.
	set func(v *T, in In, create bool) error
}

// targetValue and targetInput reach the shared parts of a phone or service
// and of their inputs.
type (
	targetValue[T any] interface {
		*T
		Base() *contract.TargetBase
	}
	targetInput[In any] interface {
		*In
		Shared() *contract.TargetInput
	}
)

var phoneKind = targetKind[contract.Phone, contract.PhoneInput]{
	typ: contract.TargetPhone, prefix: "ph",
	table: func(tx Tx) Targets[contract.Phone] { return tx.Phones() },
	set: func(ph *contract.Phone, in contract.PhoneInput, create bool) error {
		if in.MACAddress != nil && *in.MACAddress != "" {
			mac, err := contract.CanonicalMAC(*in.MACAddress)
			if err != nil {
				return err
			}
			in.MACAddress = &mac
		}
		if err := setFixed("model", &ph.Model, in.Model, create, "a phone's model is its hardware: replace the phone"); err != nil {
			return err
		}
		return setFixed("mac_address", &ph.MACAddress, in.MACAddress, create, "a phone's MAC address is its hardware: replace the phone")
	},
}

var serviceKind = targetKind[contract.Service, contract.ServiceInput]{
	typ: contract.TargetService, prefix: "svc",
	table: func(tx Tx) Targets[contract.Service] { return tx.Services() },
	set: func(s *contract.Service, in contract.ServiceInput, create bool) error {
		if in.Type != nil && !slices.Contains(contract.ServiceTypes, *in.Type) {
			return contract.Invalid("type", "%q must be one of %s", *in.Type, strings.Join(contract.ServiceTypes, ", "))
		}
		if create && in.Type == nil {
			return contract.Invalid("type", "is required: one of %s", strings.Join(contract.ServiceTypes, ", "))
		}
		if err := setFixed("type", &s.Type, in.Type, create, "a service's type cannot change: replace the service"); err != nil {
			return err
		}
		if in.Description != nil {
			if len(*in.Description) > maxDescription {
				return contract.Invalid("description", "must be at most %d bytes", maxDescription)
			}
			s.Description = *in.Description
		}
		return nil
	},
}

const maxDescription = 1000

// setFixed sets a field that only a create may set; an update may repeat
// the value it has.
func setFixed(field string, dst, v *string, create bool, why string) error {
	switch {
	case v == nil:
	case create:
		*dst = *v
	case *v != *dst:
		return contract.Invalid(field, "%q cannot become %q: %s", *dst, *v, why)
	}
	return nil
}

// CreatePhone adds a phone.
func CreatePhone(tx Tx, site string, in contract.PhoneInput) (contract.Phone, error) {
	return createTarget(tx, site, phoneKind, NewID(phoneKind.prefix), in)
}

// RestorePhone is CreatePhone for a seed, keeping the phone's ID (see
// RestoreUser).
func RestorePhone(tx Tx, site, id string, in contract.PhoneInput) (contract.Phone, error) {
	return restoreTarget(tx, site, phoneKind, id, in)
}

// UpdatePhone renames a phone or changes its extension.
func UpdatePhone(tx Tx, site, id string, in contract.PhoneInput, c Condition) (contract.Phone, error) {
	return updateTarget(tx, site, id, phoneKind, in, c)
}

// CreateService adds an auto attendant, hunt group, call queue and so on.
func CreateService(tx Tx, site string, in contract.ServiceInput) (contract.Service, error) {
	return createTarget(tx, site, serviceKind, NewID(serviceKind.prefix), in)
}

// RestoreService is CreateService for a seed, keeping the service's ID (see
// RestoreUser).
func RestoreService(tx Tx, site, id string, in contract.ServiceInput) (contract.Service, error) {
	return restoreTarget(tx, site, serviceKind, id, in)
}

// UpdateService changes a service's name, extension or description.
func UpdateService(tx Tx, site, id string, in contract.ServiceInput, c Condition) (contract.Service, error) {
	return updateTarget(tx, site, id, serviceKind, in, c)
}

func restoreTarget[T any, PT targetValue[T], In any, PI targetInput[In]](tx Tx, site string, k targetKind[T, In], id string, in In) (T, error) {
	id, err := restoredID(k.prefix, id)
	if err != nil {
		var zero T
		return zero, err
	}
	return createTarget[T, PT, In, PI](tx, site, k, id, in)
}

func createTarget[T any, PT targetValue[T], In any, PI targetInput[In]](tx Tx, site string, k targetKind[T, In], id string, in In) (T, error) {
	var v T
	if PI(&in).Shared().Name == nil {
		return v, contract.Invalid("name", "is required")
	}
	if _, err := tx.LockSite(site); err != nil {
		return v, err
	}
	b := PT(&v).Base()
	b.ID, b.Version, b.CreatedAt = id, 1, tx.Now()
	if err := setTarget(tx, site, k, PT(&v), PI(&in), true); err != nil {
		var zero T
		return zero, err
	}
	return v, k.table(tx).Put(site, v)
}

func updateTarget[T any, PT targetValue[T], In any, PI targetInput[In]](tx Tx, site, id string, k targetKind[T, In], in In, c Condition) (T, error) {
	var zero T
	if _, err := tx.LockSite(site); err != nil {
		return zero, err
	}
	v, err := k.table(tx).Get(site, id)
	if err != nil {
		return zero, err
	}
	b := PT(&v).Base()
	if err := checkVersion(string(k.typ), id, b.Version, c); err != nil {
		return zero, err
	}
	if err := setTarget(tx, site, k, PT(&v), PI(&in), false); err != nil {
		return zero, err
	}
	b.Version++
	return v, k.table(tx).Put(site, v)
}

// setTarget validates in and sets it on v: the shared fields here, under
// the site's uniqueness rules, the rest by the kind.
func setTarget[T any, PT targetValue[T], In any, PI targetInput[In]](tx Tx, site string, k targetKind[T, In], v PT, in PI, create bool) error {
	b, shared := v.Base(), in.Shared()
	if shared.Name != nil {
		if err := contract.ValidateName("name", *shared.Name); err != nil {
			return err
		}
		if err := checkNameFree(tx, site, *shared.Name, b.ID); err != nil {
			return err
		}
		b.Name = *shared.Name
	}
	if shared.Extension != nil {
		if *shared.Extension != "" {
			if err := contract.ValidateExtension(*shared.Extension); err != nil {
				return err
			}
			if err := checkExtensionFree(tx, site, *shared.Extension, b.ID); err != nil {
				return err
			}
		}
		b.Extension = *shared.Extension
	}
	return k.set(v, *in, create)
}

// checkNameFree fails when a phone or service other than self has name,
// regardless of case: a number's holder is then never ambiguous.
func checkNameFree(tx Tx, site, name, self string) error {
	return checkFree(tx, site, "name", name, self, findPhone, findService)
}

// checkExtensionFree fails when a user, phone or service other than self
// has ext: an extension rings one target.
func checkExtensionFree(tx Tx, site, ext, self string) error {
	return checkFree(tx, site, "extension", ext, self, findUser, findPhone, findService)
}

// A finder looks up the holder of a unique field among one kind of object,
// and names it for messages.
type finder func(tx Tx, site, field, value string) (id, holder string, err error)

func findUser(tx Tx, site, field, value string) (string, string, error) {
	u, err := tx.FindUser(site, field, value)
	return u.ID, "user " + u.DisplayName(), err
}

func findPhone(tx Tx, site, field, value string) (string, string, error) {
	ph, err := tx.Phones().Find(site, field, value)
	return ph.ID, fmt.Sprintf("phone %q", ph.Name), err
}

func findService(tx Tx, site, field, value string) (string, string, error) {
	s, err := tx.Services().Find(site, field, value)
	return s.ID, fmt.Sprintf("service %q", s.Name), err
}

// checkFree fails when an object other than self already has value in a
// field that is unique per site among the kinds finders look in.
func checkFree(tx Tx, site, field, value, self string, finders ...finder) error {
	for _, find := range finders {
		id, holder, err := find(tx, site, field, value)
		switch {
		case errors.Is(err, contract.ErrNotFound):
		case err != nil:
			return err
		case id != self:
			return contract.AlreadyUsed(field, value, holder, id)
		}
	}
	return nil
}

// DeleteTarget removes a phone or service. One that still holds numbers
// cannot be deleted: unassign or move them first, so no number is freed by
// surprise. The refusal names the numbers it holds.
func DeleteTarget(tx Tx, site string, t contract.Target) error {
	if _, err := tx.LockSite(site); err != nil {
		return err
	}
	if _, err := targetName(tx, site, t); err != nil {
		return err
	}
	const shown = 10
	held, err := tx.ListNumbers(site, contract.NumberFilter{AssignedType: t.Type, AssignedID: t.ID}, Page{Limit: shown + 1})
	if err != nil {
		return err
	}
	if len(held) > 0 {
		return heldNumbers(t, held, shown)
	}
	if t.Type == contract.TargetPhone {
		return tx.Phones().Delete(site, t.ID)
	}
	return tx.Services().Delete(site, t.ID)
}

// heldNumbers refuses to delete t, which holds numbers: at most shown of
// them are named, and one more says there are others.
func heldNumbers(t contract.Target, held []contract.Number, shown int) error {
	names := make([]string, 0, shown)
	for _, n := range held[:min(len(held), shown)] {
		names = append(names, n.Number)
	}
	list := strings.Join(names, ", ")
	if len(held) > shown {
		list += " and more"
	}
	return &contract.Error{Code: contract.CodeConflict,
		Message: string(t.Type) + " " + t.ID + " still holds " + list + ": unassign or move its numbers first",
		Details: map[string]any{"field": "id", "numbers": names}}
}

// targetName is the name of a phone or service, which must exist: a missing
// one is ErrNotFound, so deleting it again is a 404 that a retry can
// recognise.
func targetName(tx Tx, site string, t contract.Target) (string, error) {
	switch t.Type {
	case contract.TargetPhone:
		p, err := tx.Phones().Get(site, t.ID)
		return p.Name, err
	case contract.TargetService:
		s, err := tx.Services().Get(site, t.ID)
		return s.Name, err
	}
	return "", contract.Invalid("type", "%q must be phone or service: users get their number when they are created", t.Type)
}
