// Package replay is the server's memory of creates sent with an
// Idempotency-Key: the first answer, which a retry with the same key and
// request gets again instead of a second object. A store keeps the records
// in the same transaction as the create they answer, so a create that
// committed can always be replayed and never repeated.
package replay

import "time"

// Record is the first answer to a create, under the token that sent it.
type Record struct {
	Scope       string // the token that sent it
	Key         string
	RequestHash string
	Status      int
	Body        []byte
	Location    string
	CreatedAt   time.Time
}

// Tx is what a store's transaction offers the server for its records, beside
// the portal's own Tx. A missing record is contract.ErrNotFound.
type Tx interface {
	GetIdempotency(scope, key string) (Record, error)
	PutIdempotency(r Record) error
	// DeleteIdempotencyBefore forgets records older than t.
	DeleteIdempotencyBefore(t time.Time) error
}
