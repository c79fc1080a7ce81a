package portal

import (
	"context"
	"time"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
)

// Store is durable storage for the portal. Update runs fn in one read-write
// transaction that is serialised against every other writer of the same site
// (SQLite: BEGIN IMMEDIATE; PostgreSQL: a row lock taken by LockSite), and
// commits only if fn returns nil. View runs fn in a read-only snapshot.
//
// UpdateSite is Update for a write whose rules read and write the one site
// it names: the store may run it in a transaction shared with other writes
// of that site (group commit), each still all-or-nothing and acknowledged
// only once committed.
type Store interface {
	Update(ctx context.Context, fn func(Tx) error) error
	UpdateSite(ctx context.Context, site string, fn func(Tx) error) error
	View(ctx context.Context, fn func(Tx) error) error
	Close() error
}

// Page asks for at most Limit rows whose key sorts after After.
type Page struct {
	After string
	Limit int
}

// Tx is what the rules may do inside a transaction. Getters return an error
// matching ErrNotFound when nothing matches. Keys are unique per site: a
// number, a user's email (regardless of case), an extension among users,
// phones and services, a name among phones and services (regardless of case).
type Tx interface {
	// Now is the time of this transaction, from the store's Clock: every
	// object it writes is stamped with it.
	Now() time.Time

	// LockSite serialises writers of one site and returns it.
	LockSite(site string) (contract.Site, error)
	GetSite(site string) (contract.Site, error)
	ListSites() ([]contract.Site, error)
	PutSite(s contract.Site) error // insert or update by ID

	GetNumber(site, number string) (contract.Number, error)
	// ListNumbers pages numbers in E.164 order; AssignedName is filled in.
	ListNumbers(site string, f contract.NumberFilter, p Page) ([]contract.Number, error)
	// NumberRuns folds the numbers that f matches, after p.After, into runs
	// of consecutive numbers (contract.AppendToRuns), in E.164 order: at
	// most p.Limit runs (all when 0), each one whole.
	NumberRuns(site string, f contract.NumberFilter, p Page) ([]contract.NumberRange, error)
	PutNumber(site string, n contract.Number) error // insert or update by contract.Number
	CountAssigned(site string) (int, error)

	GetUser(site, id string) (contract.User, error)
	// FindUser looks a user up by "email", "extension" or "phone_number".
	FindUser(site, field, value string) (contract.User, error)
	ListUsers(site string, p Page) ([]contract.User, error) // in ID order
	// PutUser inserts or updates by ID; the PIN is kept apart, below.
	PutUser(site string, u contract.User) error
	// SetVoicemailPINHash stores the hash of a user's PIN, which is never
	// served: the user only says that one is set.
	SetVoicemailPINHash(site, id, hash string) error
	VoicemailPINHash(site, id string) (string, error)
	DeleteUser(site, id string) error

	// Phones and Services keep the two kinds of target a number can ring
	// besides a user, in one shape.
	Phones() Targets[contract.Phone]
	Services() Targets[contract.Service]

	// GetTokenByHash finds the token whose secret has this HashSecret.
	GetTokenByHash(hash string) (contract.Token, error)
	PutToken(t contract.Token, hash string) error
}

// Targets keeps one kind of target: the site's phones or its services.
type Targets[T any] interface {
	Get(site, id string) (T, error)
	// Find looks one up by "name", regardless of case, or by "extension".
	Find(site, field, value string) (T, error)
	List(site string, p Page) ([]T, error) // in ID order
	Put(site string, v T) error            // insert or update by ID
	Delete(site, id string) error
}
