package sqltx

import (
	"context"
	"database/sql"
	"sync"
)

// DB is a database/sql pool that keeps its statements prepared: a
// transaction runs each statement through a *sql.Stmt of the pool, which
// database/sql prepares once on each connection that runs it and keeps for
// the connection's life. Unprepared, SQLite parses and plans every
// statement on every run (12% of the portal's CPU in the bench's profile).
// pgx keeps a statement cache on each of its own connections, which this
// would only defeat, so the PostgreSQL store's DB does not prepare.
type DB struct {
	*sql.DB
	prepares bool
	mu       sync.RWMutex
	stmts    map[string]*sql.Stmt // by query, as the code writes it
}

// NewDB is pool, keeping the statements its transactions run if prepares.
func NewDB(pool *sql.DB, prepares bool) *DB {
	return &DB{DB: pool, prepares: prepares, stmts: map[string]*sql.Stmt{}}
}

// stmt is the pool's statement for query, if one was prepared.
func (db *DB) stmt(query string) *sql.Stmt {
	db.mu.RLock()
	defer db.mu.RUnlock()
	return db.stmts[query]
}

// prepare prepares query, with its placeholders bound, for the next
// transactions. It needs a connection of its own, so it runs after a
// transaction, never inside one: a transaction waiting for another of the
// pool's connections could wait for ever (the SQLite writer has one).
// Queries are the code's own strings, so the map holds a bounded set.
func (db *DB) prepare(ctx context.Context, query string, bind func(string) string) {
	if db.stmt(query) != nil {
		return
	}
	s, err := db.PrepareContext(ctx, bind(query))
	if err != nil {
		return // the query runs unprepared, and its error is its own
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.stmts[query] != nil {
		_ = s.Close()
		return
	}
	db.stmts[query] = s
}

// Close closes the statements, then the pool.
func (db *DB) Close() error {
	db.mu.Lock()
	defer db.mu.Unlock()
	for _, s := range db.stmts {
		_ = s.Close()
	}
	return db.DB.Close()
}
