// Package pgtest starts a throwaway PostgreSQL cluster for tests.
//
// A package whose tests need PostgreSQL calls Main from its TestMain, and
// each test that needs a database calls NewDatabase:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Main(m)) }
//
// Main needs initdb, pg_ctl and postgres (15 or later) on PATH. Without
// them, NewDatabase skips the test, unless CI=true, where Main fails the
// test binary instead.
package pgtest

import (
	"context"
	"crypto/rand"
	"fmt"
	"io/fs"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/jackc/pgx/v5"
)

// cluster is the PostgreSQL server Main starts for the package's tests;
// each test gets databases of its own on it.
var cluster struct {
	url  func(db string) string // a connection URL for database db
	skip string                 // why there is no cluster, outside CI
}

// Main starts a throwaway cluster, runs the tests and always removes the
// cluster, whatever the tests did. It returns the exit code for os.Exit.
func Main(m *testing.M) int {
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

// NewDatabase creates an empty database on the cluster and returns its URL.
// The database stays until Main removes the cluster. It skips t when there
// is no cluster outside CI, and fails t when Main did not run.
func NewDatabase(t testing.TB) string {
	t.Helper()
	if cluster.skip != "" {
		t.Skip(cluster.skip)
	}
	if cluster.url == nil {
		t.Fatal("pgtest.NewDatabase needs a cluster: call pgtest.Main from the package's TestMain")
	}
	conn, err := pgx.Connect(t.Context(), cluster.url("postgres"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(context.Background())
	name := "t_" + rand.Text()
	if _, err := conn.Exec(t.Context(), "CREATE DATABASE "+pgx.Identifier{name}.Sanitize()); err != nil {
		t.Fatal(err)
	}
	return cluster.url(name)
}
