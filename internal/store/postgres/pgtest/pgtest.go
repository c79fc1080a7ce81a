// Package pgtest starts a throwaway PostgreSQL cluster for tests.
//
// The cluster starts when the first test of the binary asks for a database,
// so a package's other tests never wait for it. A package whose tests need
// PostgreSQL calls Main from its TestMain, which stops the cluster after the
// tests if one started, and each test that needs a database calls
// NewDatabase:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
//
// Starting a cluster takes seconds, so, like the acceptance tests, the tests
// that need one run only with TF_ACC set (as `make test` does); without it
// NewDatabase skips them before starting anything. They need initdb, pg_ctl
// and postgres (15 or later) on PATH: without them NewDatabase skips the
// test, unless CI=true, where it fails it instead.
package pgtest

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

	"github.com/jackc/pgx/v5"
)

// cluster is the PostgreSQL server that the first NewDatabase of a test
// binary starts; each test gets databases of its own on it.
var cluster struct {
	once sync.Once
	url  func(db string) string // a connection URL for database db
	stop func()                 // stops the server and removes its files; nil if none
	err  error                  // why it did not start
	skip string                 // why there is no cluster, outside CI
	main bool                   // Main runs the tests, and so stops the cluster
}

// Main runs the tests and then stops the cluster, if a test started one,
// whatever the tests did. It returns the exit code for os.Exit.
func Main(m *testing.M) int {
	cluster.main = true
	code := m.Run()
	if cluster.stop != nil {
		cluster.stop()
	}
	return code
}

// start starts the cluster once per test binary; later calls return what
// the first found.
func start() (url func(db string) string, skip string, err error) {
	cluster.once.Do(func() {
		if _, err := exec.LookPath("initdb"); err != nil {
			msg := "PostgreSQL tests need initdb, pg_ctl and postgres (15 or later) on PATH: " + err.Error()
			if os.Getenv("CI") == "true" {
				cluster.err = errors.New(msg)
			} else {
				cluster.skip = msg
			}
			return
		}
		cluster.stop, cluster.err = startCluster()
		if cluster.err != nil {
			cluster.err = fmt.Errorf("start PostgreSQL: %w", cluster.err)
		}
	})
	return cluster.url, cluster.skip, cluster.err
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
	// Each parallel test holds a pool of a few connections. The cluster is
	// thrown away after the tests, so it never waits for the disk: that
	// halves the time CREATE DATABASE and every commit take.
	opts := fmt.Sprintf("-c listen_addresses=127.0.0.1 -p %d -k %s -c max_connections=300 -c fsync=off -c synchronous_commit=off -c full_page_writes=off", port, dir)
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

// NewDatabase creates an empty database on the cluster, starting the
// cluster first if no test of the binary has, and returns its URL. The
// database stays until Main removes the cluster. It skips t without TF_ACC,
// and without PostgreSQL outside CI; it fails t when the cluster cannot
// start, and when the package's TestMain does not call Main, which would
// leave the cluster running.
func NewDatabase(t testing.TB) string {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("this test starts a PostgreSQL cluster: set TF_ACC=1 to run it, as make test does")
	}
	if !cluster.main {
		t.Fatal("pgtest.NewDatabase needs pgtest.Main in the package's TestMain, to stop the cluster after the tests")
	}
	url, skip, err := start()
	switch {
	case err != nil:
		t.Fatal(err)
	case skip != "":
		t.Skip(skip)
	}
	conn, err := pgx.Connect(t.Context(), url("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	name := "t_" + rand.Text()
	if _, err := conn.Exec(t.Context(), "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	return url(name)
}
