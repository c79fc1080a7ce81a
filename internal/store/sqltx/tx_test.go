package sqltx

import (
	"database/sql"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/callingportal/terraform-provider-callingportal/internal/portal"

	_ "modernc.org/sqlite" // the "sqlite" driver, for a real connection
)

func TestBind(t *testing.T) {
	query := `SELECT a FROM t WHERE b = ? AND c LIKE ? ESCAPE '\' AND d = '?' AND e = NULLIF(?, '')`
	if got := (&Dialect{}).bind(query); got != query {
		t.Errorf("bind without NumberedParams = %q, want the query unchanged", got)
	}
	want := `SELECT a FROM t WHERE b = $1 AND c LIKE $2 ESCAPE '\' AND d = '?' AND e = NULLIF($3, '')`
	if got := (&Dialect{NumberedParams: true}).bind(query); got != want {
		t.Errorf("bind = %q, want %q", got, want)
	}
}

// writerPool is a real SQLite file behind a pool of one connection, as the
// SQLite writer's, with schema run on it; it is closed when the test ends.
func writerPool(t *testing.T, schema string) *sql.DB {
	t.Helper()
	pool, err := sql.Open("sqlite", filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pool.Close() })
	pool.SetMaxOpenConns(1)
	if _, err := pool.Exec(schema); err != nil {
		t.Fatal(err)
	}
	return pool
}

// TestQueryPreparedOnItsSecondRunInATransaction: on a pool of one
// connection (the SQLite writer's), a query the pool has not prepared runs
// unprepared once, is prepared on the transaction's connection on its
// second run and reused after, and the pool prepares it once the
// transaction is over; every run reads the right row.
func TestQueryPreparedOnItsSecondRunInATransaction(t *testing.T) {
	pool := writerPool(t, "CREATE TABLE t (k INTEGER PRIMARY KEY, v TEXT); INSERT INTO t VALUES (1, 'a'), (2, 'b'), (3, 'c')")
	db := NewDB(pool, true)
	sqlTx, err := pool.BeginTx(t.Context(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = sqlTx.Rollback() }()
	tx := (&Dialect{Name: "test"}).newTx(t.Context(), db, sqlTx, time.Now())
	const query = "SELECT v FROM t WHERE k = ?"
	for k, want := range []string{"a", "b", "c"} {
		var v string
		if err := tx.queryRow(query, k+1).Scan(&v); err != nil || v != want {
			t.Fatalf("run %d: %q, %v; want %q", k+1, v, err, want)
		}
		if prepared := tx.inTx[query] != nil; prepared != (k > 0) {
			t.Errorf("after run %d: prepared in the transaction = %v", k+1, prepared)
		}
	}
	if db.stmt(query) != nil || len(tx.unprepared) != 1 {
		t.Fatalf("during the transaction: pool statement %v, unprepared %q; want none and the query once", db.stmt(query), tx.unprepared)
	}
	if err := sqlTx.Commit(); err != nil {
		t.Fatal(err)
	}
	tx.prepareWhatRanUnprepared()
	if db.stmt(query) == nil {
		t.Error("the pool did not prepare the query after the transaction")
	}
}

// TestSiteBatchersStopWhenIdle writes to many sites, one at a time and then
// many at once: every write commits, and once they have all returned no
// Batcher is left running, whatever names the requests brought.
func TestSiteBatchersStopWhenIdle(t *testing.T) {
	pool := writerPool(t, "CREATE TABLE t (site TEXT)")
	sites := (&Dialect{Name: "test"}).NewSiteBatchers(NewDB(pool, false), nil)
	write := func(site string) error {
		return sites.Run(t.Context(), site, nil, func(ptx portal.Tx) error {
			w, ok := ptx.(*tx)
			if !ok {
				return fmt.Errorf("a %T, not this package's tx", ptx)
			}
			return w.exec("insert", "INSERT INTO t VALUES (?)", site)
		})
	}
	for i := range 20 {
		if err := write(fmt.Sprintf("alone%d", i)); err != nil {
			t.Fatal(err)
		}
	}
	var wg sync.WaitGroup
	for i := range 100 {
		wg.Go(func() {
			if err := write(fmt.Sprintf("together%d", i%3)); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	var rows int
	if err := pool.QueryRow("SELECT count(*) FROM t").Scan(&rows); err != nil || rows != 120 {
		t.Errorf("%d rows written (%v), want 120", rows, err)
	}
	if len(sites.live) != 0 {
		t.Errorf("%d batchers running after every write returned, want none", len(sites.live))
	}
}
