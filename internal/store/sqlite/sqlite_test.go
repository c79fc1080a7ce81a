package sqlite

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"
	"testing"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
	"github.com/callingportal/terraform-provider-callingportal/internal/store/sqltx"
	"github.com/callingportal/terraform-provider-callingportal/internal/store/storetest"
)

// openAt opens the store at path and, when the test ends, checks the file's
// integrity and closes it.
func openAt(t *testing.T, path string) *Store {
	t.Helper()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := s.IntegrityCheck(context.Background()); err != nil {
			t.Error(err)
		}
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	})
	return s
}

func openTemp(t *testing.T) *Store {
	t.Helper()
	return openAt(t, filepath.Join(t.TempDir(), "portal.db"))
}

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) portal.Store { return openTemp(t) })
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// schema describes what migrations left: the rows of schema_migrations and
// SQLite's schema cookie, which changes with any change to the schema.
func schema(t *testing.T, s *Store) (rows []string, cookie int) {
	t.Helper()
	r, err := s.reader.QueryContext(t.Context(), "SELECT version, name, applied_at FROM schema_migrations ORDER BY version")
	must(t, err)
	defer r.Close()
	for r.Next() {
		var version int
		var name, at string
		must(t, r.Scan(&version, &name, &at))
		rows = append(rows, fmt.Sprint(version, name, at))
	}
	must(t, r.Err())
	must(t, s.reader.QueryRowContext(t.Context(), "PRAGMA schema_version").Scan(&cookie))
	return rows, cookie
}

func TestMigrationsIdempotentOnReopen(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "portal.db")
	s, err := Open(path)
	must(t, err)
	rows, cookie := schema(t, s)
	must(t, s.Close())

	ms, err := sqltx.LoadMigrations(migrationFiles, "migrations")
	must(t, err)
	if len(rows) != len(ms) || len(ms) == 0 {
		t.Fatalf("schema_migrations = %v, want one row for each of %d migrations", rows, len(ms))
	}
	for range 2 {
		s = openAt(t, path)
		again, againCookie := schema(t, s)
		if !slices.Equal(again, rows) || againCookie != cookie {
			t.Fatalf("reopening changed the schema: migrations %v -> %v, schema_version %d -> %d", rows, again, cookie, againCookie)
		}
	}
}

func TestUpgradeFromEarlierSchemas(t *testing.T) {
	t.Parallel()
	storetest.Upgrade(t, dialect, migrationFiles, "migrations", func(t *testing.T) (*sql.DB, func(*testing.T) portal.Store) {
		path := filepath.Join(t.TempDir(), "portal.db")
		db, err := sql.Open("sqlite", dsn(path, nil))
		must(t, err)
		return db, func(t *testing.T) portal.Store { return openAt(t, path) }
	})
}

func TestNewerSchemaRefused(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "portal.db")
	s, err := Open(path)
	must(t, err)
	_, err = s.writer.ExecContext(t.Context(), "INSERT INTO schema_migrations VALUES (999, '0999_future.sql', '')")
	must(t, err)
	must(t, s.Close())
	if s, err := Open(path); err == nil {
		s.Close()
		t.Fatal("Open of a database from a newer program succeeded, want an error")
	}
}

func TestDataSurvivesReopen(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "portal.db")
	s, err := Open(path)
	must(t, err)
	var user contract.User
	var number contract.Number
	must(t, s.Update(t.Context(), func(tx portal.Tx) error {
		if _, err := portal.CreateSite(tx, contract.Site{ID: "s1", StationsPurchased: 3}); err != nil {
			return err
		}
		if _, err := portal.AddNumbers(tx, "s1", []string{"+13125550100", "+13125550101"}); err != nil {
			return err
		}
		svc, err := portal.CreateService(tx, "s1", contract.ServiceInput{TargetInput: contract.TargetInput{Name: new("Main")}, Type: new("auto_attendant")})
		if err != nil {
			return err
		}
		if number, err = portal.AssignNumber(tx, "s1", "+13125550101", contract.Target{Type: contract.TargetService, ID: svc.ID}, portal.Condition{}); err != nil {
			return err
		}
		user, err = portal.CreateUser(tx, "s1", contract.UserInput{Email: new("jane@example.com"), FirstName: new("Jane"),
			LastName: new("Doe"), PhoneNumber: new("+13125550100")})
		return err
	}))
	must(t, s.Close())

	s = openAt(t, path)
	must(t, s.View(t.Context(), func(tx portal.Tx) error {
		inv, err := portal.GetInventory(tx, "s1")
		if err != nil {
			return err
		}
		if inv != (contract.Inventory{Site: "s1", Total: 3, InUse: 2, Available: 1}) {
			t.Errorf("inventory after reopen = %+v", inv)
		}
		u, err := tx.GetUser("s1", user.ID)
		if err != nil {
			return err
		}
		if u != user {
			t.Errorf("user after reopen = %+v, want %+v", u, user)
		}
		n, err := tx.GetNumber("s1", number.Number)
		if err != nil {
			return err
		}
		if n != number {
			t.Errorf("number after reopen = %+v, want %+v", n, number)
		}
		return nil
	}))
}

func TestPragmas(t *testing.T) {
	t.Parallel()
	s := openTemp(t)
	for _, pool := range []struct {
		name      string
		db        *sql.DB
		queryOnly int
	}{{"writer", s.writer.DB, 0}, {"reader", s.reader.DB, 1}} {
		for pragma, want := range map[string]string{
			"journal_mode": "wal",
			"synchronous":  "2", // FULL
			"foreign_keys": "1",
			"busy_timeout": fmt.Sprint(busyTimeout.Milliseconds()),
			"query_only":   fmt.Sprint(pool.queryOnly),
		} {
			var got string
			must(t, pool.db.QueryRowContext(t.Context(), "PRAGMA "+pragma).Scan(&got))
			if got != want {
				t.Errorf("%s: PRAGMA %s = %s, want %s", pool.name, pragma, got, want)
			}
		}
	}
}

func TestForeignKeysEnforced(t *testing.T) {
	t.Parallel()
	s := openTemp(t)
	must(t, s.Update(t.Context(), func(tx portal.Tx) error {
		_, err := portal.CreateSite(tx, contract.Site{ID: "s1"})
		return err
	}))
	for name, write := range map[string]func(portal.Tx) error{
		"number of a missing site": func(tx portal.Tx) error {
			return tx.PutNumber("nope", contract.Number{Number: "+13125550100", Status: contract.StatusAvailable, Version: 1})
		},
		"user whose number is not in the pool": func(tx portal.Tx) error {
			return tx.PutUser("s1", contract.User{ID: "usr_1", Email: "a@example.com", PhoneNumber: "+13125550100", Version: 1})
		},
		"token of a missing site": func(tx portal.Tx) error {
			return tx.PutToken(contract.Token{ID: "tok_1", Site: "nope"}, "h")
		},
		"assigned number without holder": func(tx portal.Tx) error {
			return tx.PutNumber("s1", contract.Number{Number: "+13125550100", Status: contract.StatusAssigned, Version: 1})
		},
	} {
		if err := s.Update(t.Context(), write); err == nil {
			t.Errorf("storing a %s succeeded, want a constraint error", name)
		}
	}
}

func TestIntegrityCheckReportsDanglingRows(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "portal.db")
	s, err := Open(path)
	must(t, err)
	defer s.Close()
	must(t, s.IntegrityCheck(t.Context()))

	// Another program, with foreign keys off, leaves a phone without a site.
	raw, err := sql.Open("sqlite", path)
	must(t, err)
	defer raw.Close()
	_, err = raw.ExecContext(t.Context(), "INSERT INTO phones (id, site, name, version, created_at) VALUES ('ph_1', 'ghost', 'Desk', 1, '')")
	must(t, err)
	if err := s.IntegrityCheck(t.Context()); err == nil {
		t.Fatal("IntegrityCheck passed a phone of a missing site")
	}
}

func TestOpenAnyPath(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "my portal?v=1#x%20.db")
	openAt(t, path)
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("database not created at its path: %v", err)
	}
	if _, err := Open(""); err == nil {
		t.Fatal("Open(\"\") succeeded, want an error")
	}
}

// TestStoresOnOneFileSerialise races writers of two stores, as two processes
// would be, for the same 10 stations: BEGIN IMMEDIATE makes each wait for
// the other's write lock rather than fail or oversell.
func TestStoresOnOneFileSerialise(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "portal.db")
	storetest.RaceStores(t, openAt(t, path), openAt(t, path), 40)
}

// TestConcurrentReadsKeepTheirConnections runs 32 reads at once, several
// times over, as a busy portal does: the reader pool waits for a
// connection rather than open one per read and close it after.
func TestConcurrentReadsKeepTheirConnections(t *testing.T) {
	t.Parallel()
	s := openTemp(t)
	if err := s.Update(context.Background(), func(tx portal.Tx) error {
		_, err := portal.CreateSite(tx, contract.Site{ID: "hq", Name: "HQ", StationsPurchased: 1})
		return err
	}); err != nil {
		t.Fatal(err)
	}
	for range 5 {
		var wg sync.WaitGroup
		for range 32 {
			wg.Go(func() {
				if err := s.View(context.Background(), func(tx portal.Tx) error {
					_, err := tx.GetSite("hq")
					return err
				}); err != nil {
					t.Error(err)
				}
			})
		}
		wg.Wait()
	}
	if st := s.reader.Stats(); st.MaxIdleClosed != 0 || st.OpenConnections > max(4, 2*runtime.GOMAXPROCS(0)) {
		t.Errorf("reader pool after 5 rounds of 32 reads: %d connections open, %d closed for want of idle room; want none closed",
			st.OpenConnections, st.MaxIdleClosed)
	}
}
