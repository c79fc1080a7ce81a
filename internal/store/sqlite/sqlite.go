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
	"runtime"
	"strconv"
	"strings"
	"time"

	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
	"github.com/callingportal/terraform-provider-callingportal/internal/store/sqltx"

	"modernc.org/sqlite" // registers the "sqlite" driver
	sqlite3 "modernc.org/sqlite/lib"
)

// Store is a portal.Store on one SQLite file.
//
// Writers share one connection, on which the Update calls of this process
// run in batches (sqltx.Batcher): the calls queued while one batch commits
// share the next transaction, each in its own savepoint, and so share one
// fsync. Each batch runs in BEGIN IMMEDIATE, which takes SQLite's write lock
// before the first read, so a rule's reads and writes see no other writer,
// even one in another process (it waits up to busy_timeout). Readers have
// their own pool and, thanks to WAL, never wait for the writer.
type Store struct {
	writer  *sqltx.DB
	batches *sqltx.Batcher
	reader  *sqltx.DB

	// Clock stamps each transaction; nil is portal.SystemClock.
	Clock portal.Clock
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
	if err := dialect.Migrate(context.Background(), writer, migrationFiles, "migrations"); err != nil {
		writer.Close()
		return nil, fmt.Errorf("sqlite: migrate %s: %w", path, err)
	}
	reader, err := sql.Open("sqlite", dsn(path, url.Values{"_pragma": {"query_only(1)"}}))
	if err != nil {
		writer.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	// Reads run in this process's CPU: more connections than a few per
	// core add no throughput, and every one kept idle saves reopening the
	// file and its WAL index for the next request (database/sql keeps 2).
	readers := max(4, 2*runtime.GOMAXPROCS(0))
	reader.SetMaxOpenConns(readers)
	reader.SetMaxIdleConns(readers)
	s := &Store{writer: sqltx.NewDB(writer, true), reader: sqltx.NewDB(reader, true)}
	s.batches = dialect.NewBatcher(s.writer, nil)
	return s, nil
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

// Update runs fn in a savepoint of the next batch's BEGIN IMMEDIATE
// transaction and returns once that has committed. An error or a panic in
// fn rolls back all that fn did, and nothing else.
func (s *Store) Update(ctx context.Context, fn func(portal.Tx) error) error {
	return s.batches.Run(ctx, s.Clock, fn)
}

// UpdateSite is Update: the writes of every site already share batches,
// as SQLite has one write lock for the whole file.
func (s *Store) UpdateSite(ctx context.Context, _ string, fn func(portal.Tx) error) error {
	return s.Update(ctx, fn)
}

// View runs fn in a read-only snapshot; writes inside it fail.
func (s *Store) View(ctx context.Context, fn func(portal.Tx) error) error {
	return dialect.Run(ctx, s.reader, &sql.TxOptions{ReadOnly: true}, s.Clock, fn)
}

// dialect is SQLite's SQL for the shared portal.Tx.
var dialect = &sqltx.Dialect{
	Name: "sqlite",
	// LockSite is empty: Update's BEGIN IMMEDIATE already holds the
	// database's write lock, so there is nothing more to lock.
	DeleteIdempotencyBefore: "DELETE FROM idempotency WHERE created_at < ?",
	UniqueViolation:         uniqueViolation,
	TableOptions:            " STRICT",
	// SQLite's lower() folds ASCII letters only.
	FoldedEmail: "lower(email)",
}

// uniqueViolation recognises a broken UNIQUE or PRIMARY KEY constraint and
// names its columns ("table.column, ...").
func uniqueViolation(err error) (constraint, detail string, ok bool) {
	e, ok := errors.AsType[*sqlite.Error](err)
	if !ok || (e.Code() != sqlite3.SQLITE_CONSTRAINT_UNIQUE && e.Code() != sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY) {
		return "", "", false
	}
	// The driver's message is "constraint failed: UNIQUE constraint failed:
	// table.column, ... (code)".
	_, detail, _ = strings.Cut(e.Error(), "constraint failed: ")
	detail, _, _ = strings.Cut(detail, " (")
	_, constraint, _ = strings.Cut(detail, "constraint failed: ")
	return constraint, detail, true
}

// Close closes both pools; SQLite checkpoints the WAL as the last one closes.
func (s *Store) Close() error {
	s.batches.Close()
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
