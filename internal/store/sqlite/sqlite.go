// Package sqlite is the portal's embedded store: one SQLite file, written
// through the pure-Go modernc.org/sqlite driver (no cgo), in WAL mode with
// synchronous=FULL so a committed write survives a crash or power loss.
package sqlite

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
	"github.com/callingportal/terraform-provider-callingportal/internal/store"

	_ "modernc.org/sqlite" // registers the "sqlite" driver
)

// Store is a portal.Store on one SQLite file.
//
// Writers share one connection, so Update calls of this process queue in
// database/sql; each then runs in BEGIN IMMEDIATE, which takes SQLite's write
// lock before the first read, so a rule's reads and writes see no other
// writer, even one in another process (it waits up to busy_timeout). Readers
// have their own pool and, thanks to WAL, never wait for the writer.
type Store struct {
	writer *sql.DB
	reader *sql.DB
}

var _ portal.Store = (*Store)(nil)

// busyTimeout is how long a writer waits for another process's write lock.
const busyTimeout = 10 * time.Second

// Open opens, or creates, the store at path and brings its schema up to date.
func Open(path string) (*Store, error) {
	if path == "" {
		return nil, errors.New("sqlite: empty database path")
	}
	writer, err := sql.Open("sqlite", dsn(path, url.Values{"_txlock": {"immediate"}}))
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	writer.SetMaxOpenConns(1)
	if err := migrate(context.Background(), writer); err != nil {
		writer.Close()
		return nil, fmt.Errorf("sqlite: migrate %s: %w", path, err)
	}
	reader, err := sql.Open("sqlite", dsn(path, url.Values{"_pragma": {"query_only(1)"}}))
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return &Store{writer: writer, reader: reader}, nil
}

// dsn builds a modernc.org/sqlite data source name: a file: URI, so any path
// works (its '?', '#' and '%' are escaped), whose _pragma parameters the
// driver runs on every new connection.
func dsn(path string, extra url.Values) string {
	q := url.Values{"_pragma": {
		"busy_timeout(" + strconv.FormatInt(busyTimeout.Milliseconds(), 10) + ")",
		"foreign_keys(1)",
		"journal_mode(WAL)",
		"synchronous(FULL)",
	}}
	for k, v := range extra {
		q[k] = append(q[k], v...)
	}
	return (&url.URL{Scheme: "file", OmitHost: true, Path: path, RawQuery: q.Encode()}).String()
}

// Update runs fn in a BEGIN IMMEDIATE transaction and commits if fn returns
// nil. An error or a panic in fn rolls everything back.
func (s *Store) Update(ctx context.Context, fn func(portal.Tx) error) error {
	sqlTx, err := s.writer.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	// After a commit this does nothing; after an error or a panic it undoes fn.
	defer func() { _ = sqlTx.Rollback() }()
	if err := fn(&tx{ctx: ctx, tx: sqlTx}); err != nil {
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("sqlite: commit: %w", err)
	}
	return nil
}

// View runs fn in a read-only snapshot; writes inside it fail.
func (s *Store) View(ctx context.Context, fn func(portal.Tx) error) error {
	sqlTx, err := s.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("sqlite: begin: %w", err)
	}
	defer func() { _ = sqlTx.Rollback() }()
	return fn(&tx{ctx: ctx, tx: sqlTx})
}

// Close closes both pools; SQLite checkpoints the WAL as the last one closes.
func (s *Store) Close() error {
	return errors.Join(s.reader.Close(), s.writer.Close())
}

// IntegrityCheck reports whether the file is sound: its b-trees and indexes
// (PRAGMA integrity_check) and its foreign keys (PRAGMA foreign_key_check).
func (s *Store) IntegrityCheck(ctx context.Context) error {
	var problems []string
	err := s.eachRow(ctx, "PRAGMA integrity_check", func(rows *sql.Rows) error {
		var line string
		if err := rows.Scan(&line); err != nil || line == "ok" {
			return err
		}
		problems = append(problems, line)
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: integrity check: %w", err)
	}
	err = s.eachRow(ctx, "PRAGMA foreign_key_check", func(rows *sql.Rows) error {
		var table, parent string
		var rowid sql.NullInt64
		var fk int
		if err := rows.Scan(&table, &rowid, &parent, &fk); err != nil {
			return err
		}
		problems = append(problems, fmt.Sprintf("%s row %d references a missing %s", table, rowid.Int64, parent))
		return nil
	})
	if err != nil {
		return fmt.Errorf("sqlite: foreign key check: %w", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("sqlite: integrity check failed: %s", strings.Join(problems, "; "))
	}
	return nil
}

func (s *Store) eachRow(ctx context.Context, query string, fn func(*sql.Rows) error) error {
	rows, err := s.reader.QueryContext(ctx, query)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

//go:embed migrations/*.sql
var migrationFiles embed.FS

// migrate applies the migrations the database has not seen, in order, in one
// transaction: a failed upgrade leaves the schema as it was. An up-to-date
// database is left untouched.
func migrate(ctx context.Context, db *sql.DB) error {
	ms, err := store.LoadMigrations(migrationFiles, "migrations")
	if err != nil {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	applied_at TEXT NOT NULL
) STRICT`); err != nil {
		return err
	}
	var current int
	if err := tx.QueryRowContext(ctx, "SELECT COALESCE(MAX(version), 0) FROM schema_migrations").Scan(&current); err != nil {
		return err
	}
	if current > len(ms) {
		return fmt.Errorf("schema version %d is newer than this program's %d: use a newer version", current, len(ms))
	}
	for _, m := range ms[current:] {
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			return fmt.Errorf("%s: %w", m.Name, err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)",
			m.Version, m.Name, store.FormatTime(portal.Now())); err != nil {
			return err
		}
	}
	return tx.Commit()
}
