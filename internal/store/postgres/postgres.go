// Package postgres is the portal's scale-out store: PostgreSQL through a
// pgx connection pool, so that several portal processes can serve one
// database.
package postgres

import (
	"context"
	"embed"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
	"github.com/callingportal/terraform-provider-callingportal/internal/store"
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
type Store struct {
	pool *pgxpool.Pool
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
	if err := migrate(ctx, pool); err != nil {
		pool.Close()
		return nil, fmt.Errorf("postgres: migrate: %w", err)
	}
	return &Store{pool: pool}, nil
}

// Update runs fn in a READ COMMITTED transaction and commits if fn returns
// nil. An error or a panic in fn rolls everything back.
func (s *Store) Update(ctx context.Context, fn func(portal.Tx) error) error {
	return s.run(ctx, pgx.TxOptions{IsoLevel: pgx.ReadCommitted}, fn)
}

// View runs fn in a read-only snapshot; writes inside it fail.
func (s *Store) View(ctx context.Context, fn func(portal.Tx) error) error {
	return s.run(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly}, fn)
}

func (s *Store) run(ctx context.Context, opts pgx.TxOptions, fn func(portal.Tx) error) error {
	pgTx, err := s.pool.BeginTx(ctx, opts)
	if err != nil {
		return fmt.Errorf("postgres: begin: %w", err)
	}
	// After a commit this does nothing; after an error or a panic it undoes
	// fn (or, if ctx is done, closes the connection, which does too).
	defer func() { _ = pgTx.Rollback(ctx) }()
	if err := fn(&tx{ctx: ctx, tx: pgTx, locked: map[string]bool{}}); err != nil {
		return err
	}
	if err := pgTx.Commit(ctx); err != nil {
		return fmt.Errorf("postgres: commit: %w", err)
	}
	return nil
}

// Close closes the pool's connections.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrationLock is the key of the advisory lock that serialises portal
// processes migrating one database at once.
const migrationLock = 0x63616c6c706f7274 // "callport"

// migrate applies the migrations the database has not seen, in order, in one
// transaction: a failed upgrade leaves the schema as it was. An up-to-date
// database is left untouched.
func migrate(ctx context.Context, pool *pgxpool.Pool) error {
	ms, err := store.LoadMigrations(migrationFiles, "migrations")
	if err != nil {
		return err
	}
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, "SELECT pg_advisory_xact_lock($1)", int64(migrationLock)); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    integer PRIMARY KEY,
	name       text NOT NULL,
	applied_at text NOT NULL
)`); err != nil {
			return err
		}
		var current int
		if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&current); err != nil {
			return err
		}
		if current > len(ms) {
			return fmt.Errorf("schema version %d is newer than this program's %d: use a newer version", current, len(ms))
		}
		for _, m := range ms[current:] {
			// Exec without arguments runs every statement of the file.
			if _, err := tx.Exec(ctx, m.SQL); err != nil {
				return fmt.Errorf("%s: %w", m.Name, err)
			}
			if _, err := tx.Exec(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, $2, $3)",
				m.Version, m.Name, store.FormatTime(portal.Now())); err != nil {
				return err
			}
		}
		return nil
	})
}
