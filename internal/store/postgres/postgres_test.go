package postgres

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
	"github.com/callingportal/terraform-provider-callingportal/internal/store"
	"github.com/callingportal/terraform-provider-callingportal/internal/store/storetest"
)

// cluster is the PostgreSQL server TestMain starts for the package's tests;
// each test gets databases of its own on it.
var cluster struct {
	url  func(db string) string // a connection URL for database db
	skip string                 // why there is no cluster, outside CI
}

func TestMain(m *testing.M) { os.Exit(runTests(m)) }

// runTests starts a throwaway cluster, runs the tests and always removes the
// cluster, whatever the tests did.
func runTests(m *testing.M) int {
	if _, err := exec.LookPath("initdb"); err != nil {
		msg := "PostgreSQL tests need initdb, pg_ctl and postgres (15 or later) on PATH: " + err.Error()
		if os.Getenv("CI") == "true" {
			fmt.Fprintln(os.Stderr, "FAIL:", msg)
			return 1
		}
		cluster.skip = msg
		return m.Run()
	}
	stop, err := startCluster()
	if stop != nil {
		defer stop()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "FAIL: start PostgreSQL:", err)
		return 1
	}
	return m.Run()
}

// startCluster runs initdb and pg_ctl start in a temp dir, listening on a
// free port of 127.0.0.1 only. PostgreSQL refuses to run as root, so as root
// it runs as the postgres user, which then owns the temp dir. stop stops the
// server and removes the dir; it is non-nil once the dir exists.
func startCluster() (stop func(), err error) {
	dir, err := os.MkdirTemp("", "callingportal-pg-")
	if err != nil {
		return nil, err
	}
	var as []string // the command prefix that runs as the cluster's owner
	if os.Geteuid() == 0 {
		if err := chownToPostgres(dir); err != nil {
			os.RemoveAll(dir)
			return nil, err
		}
		as = []string{"runuser", "-u", "postgres", "--"}
	}
	run := func(args ...string) error {
		args = append(as, args...)
		out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("%s: %w\n%s", args, err, out)
		}
		return nil
	}
	data, logFile := filepath.Join(dir, "data"), filepath.Join(dir, "postgres.log")
	stop = func() {
		if err := run("pg_ctl", "stop", "-D", data, "-m", "fast", "-w"); err != nil {
			fmt.Fprintln(os.Stderr, "stop PostgreSQL:", err)
		}
		os.RemoveAll(dir)
	}
	port, err := freePort()
	if err != nil {
		return stop, err
	}
	if err := run("initdb", "-D", data, "-U", "postgres", "--auth=trust", "--no-instructions", "-E", "UTF8"); err != nil {
		return stop, err
	}
	// Each parallel test holds a pool of a few connections.
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c max_connections=300", port, dir)
	if err := run("pg_ctl", "start", "-D", data, "-l", logFile, "-w", "-t", "60", "-o", opts); err != nil {
		log, _ := os.ReadFile(logFile)
		return stop, fmt.Errorf("%w\n%s", err, log)
	}
	cluster.url = func(db string) string {
		return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", port, db)
	}
	return stop, nil
}

func chownToPostgres(dir string) error {
	u, err := user.Lookup("postgres")
	if err != nil {
		return fmt.Errorf("PostgreSQL does not run as root and there is no postgres user: %w", err)
	}
	uid, _ := strconv.Atoi(u.Uid)
	gid, _ := strconv.Atoi(u.Gid)
	return filepath.WalkDir(dir, func(path string, _ fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		return os.Chown(path, uid, gid)
	})
}

func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port, nil //nolint:forcetypeassert // a TCP listener's address
}

// newDatabase creates an empty database and returns its URL.
func newDatabase(t *testing.T) string {
	t.Helper()
	if cluster.skip != "" {
		t.Skip(cluster.skip)
	}
	conn, err := pgx.Connect(t.Context(), cluster.url("postgres"))
	must(t, err)
	defer conn.Close(context.Background())
	name := "t_" + rand.Text()
	_, err = conn.Exec(t.Context(), "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	must(t, err)
	return cluster.url(name)
}

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
	storetest.Run(t, func(t *testing.T) portal.Store { return openAt(t, newDatabase(t)) })
}

// TestMigrationsOnceUnderConcurrentOpens opens one new database from several
// stores at once, as portal processes starting together would: the advisory
// lock lets one migrate and the others find the schema up to date.
func TestMigrationsOnceUnderConcurrentOpens(t *testing.T) {
	t.Parallel()
	url := newDatabase(t)
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
	ms, err := store.LoadMigrations(migrationFiles, "migrations")
	must(t, err)
	if len(ms) == 0 || len(versions) != len(ms) || versions[len(versions)-1] != len(ms) {
		t.Fatalf("schema_migrations versions = %v, want 1..%d once each", versions, len(ms))
	}
}

func TestNewerSchemaRefused(t *testing.T) {
	t.Parallel()
	url := newDatabase(t)
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
	url := newDatabase(t)
	a, b := openAt(t, url), openAt(t, url)
	const writers, free = 100, 10
	numbers := make([]string, writers)
	for i := range numbers {
		numbers[i] = fmt.Sprintf("+1312555%04d", 100+i)
	}
	var queue portal.Service
	must(t, a.Update(t.Context(), func(tx portal.Tx) error {
		if _, err := portal.CreateSite(tx, portal.Site{ID: "s1", StationsPurchased: free}); err != nil {
			return err
		}
		if _, err := portal.AddNumbers(tx, "s1", numbers); err != nil {
			return err
		}
		var err error
		queue, err = portal.CreateService(tx, "s1", portal.Service{Name: "Queue", Type: "call_queue"})
		return err
	}))

	errs := make([]error, writers)
	var wg sync.WaitGroup
	for i, number := range numbers {
		store := []*Store{a, b}[i%2]
		wg.Go(func() {
			errs[i] = store.Update(t.Context(), func(tx portal.Tx) error {
				_, err := portal.AssignNumber(tx, "s1", number, portal.Target{Type: portal.TargetService, ID: queue.ID}, portal.Condition{})
				return err
			})
		})
	}
	wg.Wait()
	won := 0
	for _, err := range errs {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, portal.ErrNoStationsAvailable):
			t.Fatalf("assign: %v, want success or no_stations_available", err)
		}
	}
	if won != free {
		t.Fatalf("%d assignments succeeded, want %d", won, free)
	}
	must(t, b.View(t.Context(), func(tx portal.Tx) error {
		inv, err := portal.GetInventory(tx, "s1")
		if err == nil && inv.InUse != free {
			t.Errorf("inventory = %+v, want %d in use", inv, free)
		}
		return err
	}))
}

// TestConcurrentSiteCreatesConflict creates one site from two stores at
// once: no site lock covers it, so the primary key decides, and the loser
// gets a conflict, as it would had it come second.
func TestConcurrentSiteCreatesConflict(t *testing.T) {
	t.Parallel()
	url := newDatabase(t)
	a, b := openAt(t, url), openAt(t, url)
	inserted, release := make(chan struct{}), make(chan struct{})
	first := make(chan error)
	go func() {
		first <- a.Update(t.Context(), func(tx portal.Tx) error {
			if _, err := portal.CreateSite(tx, portal.Site{ID: "s1"}); err != nil {
				return err
			}
			close(inserted)
			<-release
			return nil
		})
	}()
	<-inserted
	second := make(chan error)
	go func() {
		second <- b.Update(t.Context(), func(tx portal.Tx) error {
			_, err := portal.CreateSite(tx, portal.Site{ID: "s1"})
			return err
		})
	}()
	time.Sleep(100 * time.Millisecond) // let the second insert wait for the first
	close(release)
	must(t, <-first)
	if err := <-second; !errors.Is(err, portal.ErrConflict) {
		t.Fatalf("second create = %v, want a conflict", err)
	}
}

// TestViewDoesNotWaitForWriter reads while a write transaction holds the
// site's lock: the reader sees the last commit at once.
func TestViewDoesNotWaitForWriter(t *testing.T) {
	t.Parallel()
	s := openAt(t, newDatabase(t))
	must(t, s.Update(t.Context(), func(tx portal.Tx) error {
		_, err := portal.CreateSite(tx, portal.Site{ID: "s1", StationsPurchased: 1})
		return err
	}))
	writing, release := make(chan struct{}), make(chan struct{})
	done := make(chan error)
	go func() {
		done <- s.Update(t.Context(), func(tx portal.Tx) error {
			if _, err := portal.SetStationsPurchased(tx, "s1", 5, portal.Condition{}); err != nil {
				return err
			}
			close(writing)
			<-release
			return nil
		})
	}()
	<-writing
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Second)
	defer cancel()
	err := s.View(ctx, func(tx portal.Tx) error {
		site, err := tx.GetSite("s1")
		if err == nil && site.StationsPurchased != 1 {
			t.Errorf("View saw %d stations before the write committed, want 1", site.StationsPurchased)
		}
		return err
	})
	close(release)
	must(t, err)
	must(t, <-done)
}
