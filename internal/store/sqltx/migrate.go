package sqltx

import (
	"context"
	"database/sql"
	"fmt"
	"io/fs"

	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
)

// Migrate applies the migrations of dir in fsys (see LoadMigrations)
// that db has not seen, in order, in one transaction: a failed upgrade
// leaves the schema as it was. An up-to-date database is left untouched.
func (d *Dialect) Migrate(ctx context.Context, db *sql.DB, fsys fs.FS, dir string) error {
	ms, err := LoadMigrations(fsys, dir)
	if err != nil {
		return err
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback() }()
	if d.MigrationLock != "" {
		if _, err := tx.ExecContext(ctx, d.MigrationLock); err != nil {
			return err
		}
	}
	if _, err := tx.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    INTEGER PRIMARY KEY,
	name       TEXT NOT NULL,
	applied_at TEXT NOT NULL
)`+d.TableOptions); err != nil {
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
		// Exec without arguments runs every statement of the file.
		if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
			return fmt.Errorf("%s: %w", m.Name, err)
		}
		if _, err := tx.ExecContext(ctx, d.bind("INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)"),
			m.Version, m.Name, formatTime(portal.SystemClock())); err != nil {
			return err
		}
	}
	return tx.Commit()
}
