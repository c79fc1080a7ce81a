package portal

import (
	"context"
	"time"
)

// Store is durable storage for the portal. Update runs fn in one read-write
// transaction that is serialised against every other writer of the same site
// (SQLite: BEGIN IMMEDIATE; PostgreSQL: a row lock taken by LockSite), and
// commits only if fn returns nil. View runs fn in a read-only snapshot.
type Store interface {
	Update(ctx context.Context, fn func(Tx) error) error
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
// number, a user's email and extension, a phone's or service's name.
type Tx interface {
	// LockSite serialises writers of one site and returns it.
	LockSite(site string) (Site, error)
	GetSite(site string) (Site, error)
	ListSites() ([]Site, error)
	PutSite(s Site) error // insert or update by ID

	GetNumber(site, number string) (Number, error)
	// ListNumbers pages numbers in E.164 order; AssignedName is filled in.
	ListNumbers(site string, f NumberFilter, p Page) ([]Number, error)
	PutNumber(site string, n Number) error // insert or update by Number
	CountAssigned(site string) (int, error)

	GetUser(site, id string) (User, error)
	// FindUser looks a user up by "email", "extension" or "phone_number".
	FindUser(site, field, value string) (User, error)
	ListUsers(site string, p Page) ([]User, error) // in ID order
	PutUser(site string, u User) error             // insert or update by ID
	DeleteUser(site, id string) error

	GetPhone(site, id string) (Phone, error)
	ListPhones(site string, p Page) ([]Phone, error)
	PutPhone(site string, ph Phone) error
	FindPhone(site, name string) (Phone, error)
	DeletePhone(site, id string) error

	GetService(site, id string) (Service, error)
	ListServices(site string, p Page) ([]Service, error)
	PutService(site string, s Service) error
	FindService(site, name string) (Service, error)
	DeleteService(site, id string) error

	GetTokenByHash(hash string) (Token, error)
	PutToken(t Token) error

	GetIdempotency(scope, key string) (IdempotencyRecord, error)
	PutIdempotency(r IdempotencyRecord) error
	// DeleteIdempotencyBefore forgets keys older than t.
	DeleteIdempotencyBefore(t time.Time) error
}
