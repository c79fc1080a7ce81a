package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
	"github.com/callingportal/terraform-provider-callingportal/internal/store/postgres/pgtest"
	"github.com/callingportal/terraform-provider-callingportal/internal/store/sqltx"
	"github.com/callingportal/terraform-provider-callingportal/internal/store/storetest"
)

// TestMain runs the tests with a throwaway PostgreSQL cluster.
func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }

// openAt opens the store at url and closes it when the test ends.
func openAt(t *testing.T, url string) *Store {
	t.Helper()
	s, err := Open(t.Context(), url)
	must(t, err)
	t.Cleanup(func() { must(t, s.Close()) })
	return s
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func TestConformance(t *testing.T) {
	t.Parallel()
	storetest.Run(t, func(t *testing.T) portal.Store { return openAt(t, pgtest.NewDatabase(t)) })
}

// TestMigrationsOnceUnderConcurrentOpens opens one new database from several
// stores at once, as portal processes starting together would: the advisory
// lock lets one migrate and the others find the schema up to date.
func TestMigrationsOnceUnderConcurrentOpens(t *testing.T) {
	t.Parallel()
	url := pgtest.NewDatabase(t)
	errs := make([]error, 5)
	var wg sync.WaitGroup
	for i := range errs {
		wg.Go(func() {
			s, err := Open(t.Context(), url)
			if err == nil {
				s.Close()
			}
			errs[i] = err
		})
	}
	wg.Wait()
	must(t, errors.Join(errs...))

	s := openAt(t, url)
	rows, err := s.pool.Query(t.Context(), "SELECT version FROM schema_migrations ORDER BY version")
	must(t, err)
	versions, err := pgx.CollectRows(rows, pgx.RowTo[int])
	must(t, err)
	ms, err := sqltx.LoadMigrations(migrationFiles, "migrations")
	must(t, err)
	if len(ms) == 0 || len(versions) != len(ms) || versions[len(versions)-1] != len(ms) {
		t.Fatalf("schema_migrations versions = %v, want 1..%d once each", versions, len(ms))
	}
}

func TestUpgradeFromEarlierSchemas(t *testing.T) {
	t.Parallel()
	storetest.Upgrade(t, dialect, migrationFiles, "migrations", func(t *testing.T) (*sql.DB, func(*testing.T) portal.Store) {
		url := pgtest.NewDatabase(t)
		db, err := sql.Open("pgx", url)
		must(t, err)
		return db, func(t *testing.T) portal.Store { return openAt(t, url) }
	})
}

func TestNewerSchemaRefused(t *testing.T) {
	t.Parallel()
	url := pgtest.NewDatabase(t)
	s := openAt(t, url)
	_, err := s.pool.Exec(t.Context(), "INSERT INTO schema_migrations VALUES (999, '0999_future.sql', '')")
	must(t, err)
	if s, err := Open(t.Context(), url); err == nil {
		s.Close()
		t.Fatal("Open of a database from a newer program succeeded, want an error")
	}
}

// TestStoresOnOneDatabaseSerialise races writers of two stores, each with
// its own pool, as two portal processes would be, for the same 10 stations:
// the site's row lock makes each wait for the other rather than oversell.
func TestStoresOnOneDatabaseSerialise(t *testing.T) {
	t.Parallel()
	url := pgtest.NewDatabase(t)
	storetest.RaceStores(t, openAt(t, url), openAt(t, url), 100)
}

// TestSitesWriteSideBySide holds a write of one site in its batch: a write
// of another site commits meanwhile, as each site has its own batches.
func TestSitesWriteSideBySide(t *testing.T) {
	t.Parallel()
	s := openAt(t, pgtest.NewDatabase(t))
	for _, id := range []string{"s1", "s2"} {
		must(t, s.Update(t.Context(), func(tx portal.Tx) error {
			_, err := portal.CreateSite(tx, contract.Site{ID: id, StationsPurchased: 1})
			return err
		}))
	}
	running, release := make(chan struct{}), make(chan struct{})
	held := make(chan error, 1)
	go func() {
		held <- s.UpdateSite(t.Context(), "s1", func(tx portal.Tx) error {
			if _, err := tx.LockSite("s1"); err != nil {
				return err
			}
			close(running)
			<-release
			return nil
		})
	}()
	<-running
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	err := s.UpdateSite(ctx, "s2", func(tx portal.Tx) error {
		_, err := portal.SetStationsPurchased(tx, "s2", 2, portal.Condition{})
		return err
	})
	cancel()
	close(release)
	if err != nil {
		t.Fatalf("write of s2 while a batch of s1 was held: %v, want it committed meanwhile", err)
	}
	must(t, <-held)
}

// TestConcurrentSiteCreatesConflict creates one site from two stores at
// once: no site lock covers it, so the primary key decides, and the loser
// gets a conflict, as it would had it come second.
func TestConcurrentSiteCreatesConflict(t *testing.T) {
	t.Parallel()
	url := pgtest.NewDatabase(t)
	a, b := openAt(t, url), openAt(t, url)
	inserted, release := make(chan struct{}), make(chan struct{})
	first := make(chan error, 1)
	go func() {
		first <- a.Update(t.Context(), func(tx portal.Tx) error {
			if _, err := portal.CreateSite(tx, contract.Site{ID: "s1"}); err != nil {
				return err
			}
			close(inserted)
			<-release
			return nil
		})
	}()
	<-inserted
	second := make(chan error, 1)
	go func() {
		second <- b.Update(t.Context(), func(tx portal.Tx) error {
			_, err := portal.CreateSite(tx, contract.Site{ID: "s1"})
			return err
		})
	}()
	// The race path is the second insert waiting on the first's uncommitted
	// row: release the first only once PostgreSQL shows the second blocked.
	err := waitForBlockedSession(t, a, second)
	close(release)
	must(t, err)
	must(t, <-first)
	if err := <-second; !errors.Is(err, contract.ErrConflict) {
		t.Fatalf("second create = %v, want a conflict", err)
	}
}

// waitForBlockedSession returns once a session of s's database waits for a
// lock that another session holds, as pg_blocking_pids reports it. It fails
// when the session that should wait returns on done first, or after 10s.
func waitForBlockedSession(t *testing.T, s *Store, done <-chan error) error {
	const query = `SELECT count(*) FROM pg_stat_activity
		WHERE datname = current_database() AND cardinality(pg_blocking_pids(pid)) > 0`
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		select {
		case err := <-done:
			return fmt.Errorf("returned before it waited for a lock: %v", err)
		default:
		}
		var blocked int
		if err := s.pool.QueryRow(t.Context(), query).Scan(&blocked); err != nil {
			return fmt.Errorf("look for a blocked session: %w", err)
		}
		if blocked > 0 {
			return nil
		}
	}
	return errors.New("no session of the database waited for a lock within 10s")
}
