// Package postgres is the portal's scale-out store: PostgreSQL through a
// pgx connection pool, used through database/sql, so that several portal
// processes can serve one database.
package postgres

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"strconv"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
	"github.com/callingportal/terraform-provider-callingportal/internal/store/sqltx"
)

// Store is a portal.Store on one PostgreSQL database.
//
// Update runs in a READ COMMITTED transaction, and every rule that reads
// what it then writes first calls Tx.LockSite, which takes the site's row
// lock (SELECT ... FOR NO KEY UPDATE). That lock is what serialises the
// writers of a site, across connections and processes: a second writer
// waits for the first to commit, and because each statement of a READ
// COMMITTED transaction reads the latest commit, everything it reads after
// the lock (inventory, the number, uniqueness) includes the first writer's
// changes. No serialization failures, so no retries. View runs in a READ
// ONLY REPEATABLE READ transaction: one snapshot, never waiting for writers.
//
// UpdateSite runs the writes of a site queued while its last batch
// committed in one transaction, each in a savepoint (sqltx.SiteBatchers):
// they would wait for each other's row lock anyway, and this way they pay
// for one lock, one commit and one connection instead of one each.
type Store struct {
	pool  *pgxpool.Pool
	db    *sqltx.DB // on pool
	sites *sqltx.SiteBatchers

	// Clock stamps each transaction; nil is portal.SystemClock.
	Clock portal.Clock
}

var _ portal.Store = (*Store)(nil)

// Open connects to the database at url (a postgres:// URL or a key=value
// connection string) and brings its schema up to date.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's message never includes the password.
		return nil, fmt.Errorf("postgres: %w", err)
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("postgres: %w", err)
	}
	s := &Store{pool: pool, db: sqltx.NewDB(stdlib.OpenDBFromPool(pool), false)}
	s.sites = dialect.NewSiteBatchers(s.db, writeTx)
	if err := dialect.Migrate(ctx, s.db.DB, migrationFiles, "migrations"); err != nil {
		_ = s.Close()
		return nil, fmt.Errorf("postgres: migrate: %w", err)
	}
	return s, nil
}

// writeTx is how every write transaction begins.
var writeTx = &sql.TxOptions{Isolation: sql.LevelReadCommitted}

// Update runs fn in a READ COMMITTED transaction and commits if fn returns
// nil. An error or a panic in fn rolls everything back.
func (s *Store) Update(ctx context.Context, fn func(portal.Tx) error) error {
	return dialect.Run(ctx, s.db, writeTx, s.Clock, fn)
}

// UpdateSite runs fn in a savepoint of the next batch of site's writes and
// returns once that has committed. An error or a panic in fn rolls back all
// that fn did, and nothing else.
func (s *Store) UpdateSite(ctx context.Context, site string, fn func(portal.Tx) error) error {
	return s.sites.Run(ctx, site, s.Clock, fn)
}

// View runs fn in a read-only snapshot; writes inside it fail.
func (s *Store) View(ctx context.Context, fn func(portal.Tx) error) error {
	return dialect.Run(ctx, s.db, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}, s.Clock, fn)
}

// Close closes the pool's connections.
func (s *Store) Close() error {
	err := s.db.Close()
	s.pool.Close()
	return err
}

// dialect is PostgreSQL's SQL for the shared portal.Tx.
var dialect = &sqltx.Dialect{
	Name:           "postgres",
	NumberedParams: true,
	// LockSite takes the site's row lock, held until the transaction ends:
	// the lock that serialises the writers of a site (see Store). FOR NO KEY
	// UPDATE rather than FOR UPDATE, as no write changes a site's ID: it
	// conflicts with itself and with updates of the site, but not with the
	// key-share locks that inserting a token of the site takes on it.
	LockSite: " FOR NO KEY UPDATE",
	// DeleteIdempotencyBefore skips the expired keys that a concurrent
	// writer (of another site) is deleting at the same moment: they are gone
	// when it commits, and two writers deleting the same rows in different
	// orders would otherwise deadlock.
	DeleteIdempotencyBefore: `DELETE FROM idempotency WHERE (scope, key) IN (
	SELECT scope, key FROM idempotency WHERE created_at < ? FOR UPDATE SKIP LOCKED)`,
	UniqueViolation: uniqueViolation,
	MigrationLock:   "SELECT pg_advisory_xact_lock(" + strconv.FormatInt(migrationLock, 10) + ")",
	// Under the "C" collation lower() folds ASCII letters only, as SQLite's
	// does, whatever the database's locale (see 0003_email_folded_ascii.sql).
	FoldedEmail: `lower(email COLLATE "C")`,
}

// uniqueViolation recognises SQLSTATE 23505, a broken unique constraint.
func uniqueViolation(err error) (constraint, detail string, ok bool) {
	pgErr, ok := errors.AsType[*pgconn.PgError](err)
	if !ok || pgErr.Code != "23505" {
		return "", "", false
	}
	return pgErr.ConstraintName, pgErr.Detail, true
}

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLock is the key of the advisory lock that serialises portal
// processes migrating one database at once.
const migrationLock = 0x63616c6c706f7274 // "callport"
