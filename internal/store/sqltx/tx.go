// Package sqltx is the portal.Tx of the SQL stores: one implementation over
// database/sql, told by a Dialect the little that SQLite and PostgreSQL do
// differently.
package sqltx

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
	"github.com/callingportal/terraform-provider-callingportal/internal/server/replay"
)

// Dialect is what a database's SQL does differently. Statements are written
// with ? placeholders; a dialect with NumberedParams gets $1, $2... instead.
type Dialect struct {
	// Name prefixes the store's errors: "sqlite", "postgres".
	Name string
	// NumberedParams rewrites each statement's ? placeholders to $1, $2...
	NumberedParams bool
	// LockSite reads the site of ID ? (the columns of siteColumns)
	// and takes whatever lock serialises the site's writers.
	LockSite string
	// DeleteIdempotencyBefore deletes the idempotency keys created before ?.
	DeleteIdempotencyBefore string
	// UniqueViolation reports whether err is a broken unique constraint,
	// naming the constraint and describing the clash.
	UniqueViolation func(err error) (constraint, detail string, ok bool)
	// MigrationLock, if set, is run first in Migrate's transaction, to
	// serialise processes migrating one database at once.
	MigrationLock string
	// TableOptions ends Migrate's CREATE TABLE.
	TableOptions string
	// FoldedEmail is users.email with its ASCII letters, and nothing else,
	// in lower case: the expression of the users_email_folded index, which
	// FindUser compares with FoldEmail of the value sought.
	FoldedEmail string
}

// Run runs fn in a transaction of db begun with opts and commits if fn
// returns nil. An error or a panic in fn rolls everything back.
// The transaction's time is clock's, or portal.SystemClock's if it is nil.
func (d *Dialect) Run(ctx context.Context, db *DB, opts *sql.TxOptions, clock portal.Clock, fn func(portal.Tx) error) error {
	if clock == nil {
		clock = portal.SystemClock
	}
	t := d.newTx(ctx, db, nil, clock())
	err := t.do(opts, fn)
	t.prepareWhatRanUnprepared()
	return err
}

func (d *Dialect) newTx(ctx context.Context, db *DB, sqlTx *sql.Tx, now time.Time) *tx {
	return &tx{ctx: ctx, db: db, tx: sqlTx, d: d, now: now, locked: map[string]contract.Site{}, inTx: map[string]*sql.Stmt{}}
}

// prepareWhatRanUnprepared prepares, once the transaction is over, the
// statements that the pool had not prepared (see DB.prepare).
func (t *tx) prepareWhatRanUnprepared() {
	for _, query := range t.unprepared {
		t.db.prepare(t.ctx, query, t.d.bind)
	}
}

func (t *tx) do(opts *sql.TxOptions, fn func(portal.Tx) error) error {
	var err error
	if t.tx, err = t.db.BeginTx(t.ctx, opts); err != nil {
		return fmt.Errorf("%s: begin: %w", t.d.Name, err)
	}
	// After a commit this does nothing; after an error or a panic it undoes fn.
	defer func() { _ = t.tx.Rollback() }()
	if err := fn(t); err != nil {
		return err
	}
	if err := t.tx.Commit(); err != nil {
		return fmt.Errorf("%s: commit: %w", t.d.Name, err)
	}
	return nil
}

// bind gives query the dialect's placeholders. A ? inside a quoted string
// stays as it is.
func (d *Dialect) bind(query string) string {
	if !d.NumberedParams {
		return query
	}
	var b strings.Builder
	n, quoted := 0, false
	for _, r := range query {
		switch {
		case r == '\'':
			quoted = !quoted
		case r == '?' && !quoted:
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// tx is a portal.Tx on one database/sql transaction.
type tx struct {
	ctx context.Context
	db  *DB
	tx  *sql.Tx
	d   *Dialect
	now time.Time
	// locked holds the sites LockSite locked, as this transaction has them:
	// under the lock no other transaction can change the row, so reading
	// it again (every rule that counts stations does) needs no query.
	locked map[string]contract.Site
	// unprepared are the queries run that the pool had not prepared, for
	// the pool to prepare once the transaction is over; inTx holds those
	// that ran twice, prepared on the transaction's own connection.
	unprepared []string
	inTx       map[string]*sql.Stmt
}

var (
	_ portal.Tx = (*tx)(nil)
	_ replay.Tx = (*tx)(nil)
)

func (t *tx) Now() time.Time { return t.now }

// exec runs a write. The rules check uniqueness before they write, under the
// site's lock; what only a unique constraint catches is a write no site
// lock covers (two creates of one site at once) and is a conflict.
func (t *tx) exec(op, query string, args ...any) error {
	_, err := t.run(query, args...)
	if err == nil {
		return nil
	}
	if constraint, detail, ok := t.d.UniqueViolation(err); ok {
		return contract.Conflict(constraint, "%s: %s", op, detail)
	}
	return fmt.Errorf("%s: %s: %w", t.d.Name, op, err)
}

// prepared is query as a statement of this transaction, or nil the first
// time the transaction runs a query that the pool has not prepared: it is
// then noted, for Run to prepare once the transaction is over (see DB). A
// second run prepares it on the transaction's own connection, which needs
// no other: a long transaction (a seed of 20,000 numbers) then parses each
// query once, not once a row. database/sql closes it with the transaction.
func (t *tx) prepared(query string) *sql.Stmt {
	if !t.db.prepares {
		return nil
	}
	if s := t.db.stmt(query); s != nil {
		return t.tx.StmtContext(t.ctx, s)
	}
	s, ranBefore := t.inTx[query]
	switch {
	case s != nil:
		return s
	case !ranBefore:
		t.inTx[query] = nil
		t.unprepared = append(t.unprepared, query)
		return nil
	}
	s, err := t.tx.PrepareContext(t.ctx, t.d.bind(query))
	if err != nil {
		return nil // it runs unprepared, and its error is its own
	}
	t.inTx[query] = s
	return s
}

func (t *tx) run(query string, args ...any) (sql.Result, error) {
	if s := t.prepared(query); s != nil {
		return s.ExecContext(t.ctx, args...)
	}
	return t.tx.ExecContext(t.ctx, t.d.bind(query), args...)
}

func (t *tx) queryRow(query string, args ...any) *sql.Row {
	if s := t.prepared(query); s != nil {
		return s.QueryRowContext(t.ctx, args...)
	}
	return t.tx.QueryRowContext(t.ctx, t.d.bind(query), args...)
}

func (t *tx) query(query string, args ...any) (*sql.Rows, error) {
	if s := t.prepared(query); s != nil {
		return s.QueryContext(t.ctx, args...)
	}
	return t.tx.QueryContext(t.ctx, t.d.bind(query), args...)
}

// get scans the one row of query, or reports the kind and id of what it
// looked for as not found.
func get[T any](t *tx, scan func(scanner) (T, error), kind, id, query string, args ...any) (T, error) {
	v, err := scan(t.queryRow(query, args...))
	if errors.Is(err, sql.ErrNoRows) {
		return v, contract.NotFound(kind, id)
	}
	if err != nil {
		return v, fmt.Errorf("%s: get %s %q: %w", t.d.Name, kind, id, err)
	}
	return v, nil
}

// list scans the rows of query, at most p.Limit of them if it is set.
func list[T any](t *tx, scan func(scanner) (T, error), p portal.Page, query string, args ...any) ([]T, error) {
	if p.Limit > 0 {
		query += " LIMIT ?"
		args = append(args, p.Limit)
	}
	rows, err := t.query(query, args...)
	if err != nil {
		return nil, fmt.Errorf("%s: list: %w", t.d.Name, err)
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, fmt.Errorf("%s: list: %w", t.d.Name, err)
		}
		out = append(out, v)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: list: %w", t.d.Name, err)
	}
	return out, nil
}

// remove deletes the row of a site's object by ID.
func (t *tx) remove(table, kind, site, id string) error {
	res, err := t.run("DELETE FROM "+table+" WHERE site = ? AND id = ?", site, id)
	if err != nil {
		return fmt.Errorf("%s: delete %s %q: %w", t.d.Name, kind, id, err)
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("%s: delete %s %q: %w", t.d.Name, kind, id, err)
	} else if n == 0 {
		return contract.NotFound(kind, id)
	}
	return nil
}

// Sites.

// LockSite runs the dialect's LockSite, which takes the lock that serialises
// the writers of a site, and remembers that this transaction holds it.
func (t *tx) LockSite(site string) (contract.Site, error) {
	if s, ok := t.locked[site]; ok {
		return s, nil
	}
	s, err := get(t, scanSite, "site", site, "SELECT "+siteColumns+" FROM sites WHERE id = ?"+t.d.LockSite, site)
	if err == nil {
		t.locked[site] = s
	}
	return s, err
}

func (t *tx) GetSite(site string) (contract.Site, error) {
	if s, ok := t.locked[site]; ok {
		return s, nil
	}
	return get(t, scanSite, "site", site, "SELECT "+siteColumns+" FROM sites WHERE id = ?", site)
}

func (t *tx) ListSites() ([]contract.Site, error) {
	return list(t, scanSite, portal.Page{}, "SELECT "+siteColumns+" FROM sites ORDER BY id")
}

// PutSite updates a site only under its lock; otherwise it inserts it, and
// a site created meanwhile by another transaction (CreateSite has no lock to
// take) is a conflict rather than overwritten.
func (t *tx) PutSite(s contract.Site) error {
	if _, ok := t.locked[s.ID]; ok {
		err := t.exec("put site "+s.ID, `UPDATE sites SET name = ?, stations_purchased = ?, version = ?, created_at = ?
WHERE id = ?`, s.Name, s.StationsPurchased, s.Version, formatTime(s.CreatedAt), s.ID)
		if err == nil {
			t.locked[s.ID] = s
		}
		return err
	}
	err := t.exec("put site "+s.ID, `INSERT INTO sites (`+siteColumns+`) VALUES (?, ?, ?, ?, ?)`,
		s.ID, s.Name, s.StationsPurchased, s.Version, formatTime(s.CreatedAt))
	if errors.Is(err, contract.ErrConflict) {
		return contract.Conflict("id", "site %q already exists", s.ID)
	}
	return err
}

// Numbers.

// numberSelect reads a site's numbers with their holder's name.
const numberSelect = numberFrom + "\nWHERE n.site = ?"

func (t *tx) GetNumber(site, number string) (contract.Number, error) {
	return get(t, scanNumber, "number", number, numberSelect+" AND n.number = ?", site, number)
}

func (t *tx) ListNumbers(site string, f contract.NumberFilter, p portal.Page) ([]contract.Number, error) {
	where, args := numberWhere(site, f, p.After)
	return list(t, scanNumber, p, numberSelect+where+" ORDER BY n.number", args...)
}

// NumberRuns reads only the numbers, not their holders, and stops at the
// first row of the run after the last it may return.
func (t *tx) NumberRuns(site string, f contract.NumberFilter, p portal.Page) ([]contract.NumberRange, error) {
	where, args := numberWhere(site, f, p.After)
	rows, err := t.query("SELECT n.number FROM numbers n\nWHERE n.site = ?"+where+" ORDER BY n.number", args...)
	if err != nil {
		return nil, fmt.Errorf("%s: number runs: %w", t.d.Name, err)
	}
	defer rows.Close()
	var runs []contract.NumberRange
	for rows.Next() {
		var number string
		if err := rows.Scan(&number); err != nil {
			return nil, fmt.Errorf("%s: number runs: %w", t.d.Name, err)
		}
		if p.Limit > 0 && len(runs) == p.Limit && !contract.Adjacent(runs[len(runs)-1].To, number) {
			return runs, nil
		}
		runs = contract.AppendToRuns(runs, number)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("%s: number runs: %w", t.d.Name, err)
	}
	return runs, nil
}

// numberWhere is the conditions of f, and of a page after after, that
// follow "WHERE n.site = ?", with their arguments, site first.
func numberWhere(site string, f contract.NumberFilter, after string) (string, []any) {
	var where strings.Builder
	args := []any{site}
	and := func(cond string, arg any) {
		where.WriteString(" AND " + cond)
		args = append(args, arg)
	}
	if f.Status != "" {
		and("n.status = ?", f.Status)
	}
	if f.AssignedType != "" {
		and("n.assigned_type = ?", f.AssignedType)
	}
	if f.AssignedID != "" {
		and("n.assigned_id = ?", f.AssignedID)
	}
	if f.Prefix != "" {
		// Numbers are digits and '+', so SQLite's case folding cannot
		// matter; PostgreSQL's "C" collation makes this a range scan of
		// the primary key.
		and(`n.number LIKE ? ESCAPE '\'`, likePrefix(f.Prefix))
	}
	if after != "" {
		and("n.number > ?", after)
	}
	return where.String(), args
}

func (t *tx) PutNumber(site string, n contract.Number) error {
	return t.exec("put number "+n.Number, `INSERT INTO numbers (site, number, status, assigned_type, assigned_id, version, updated_at)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (site, number) DO UPDATE SET status = excluded.status, assigned_type = excluded.assigned_type,
	assigned_id = excluded.assigned_id, version = excluded.version, updated_at = excluded.updated_at`,
		site, n.Number, n.Status, n.AssignedType, n.AssignedID, n.Version, formatTime(n.UpdatedAt))
}

func (t *tx) CountAssigned(site string) (int, error) {
	var count int
	err := t.queryRow("SELECT count(*) FROM numbers WHERE site = ? AND status = 'assigned'", site).Scan(&count)
	if err != nil {
		return 0, fmt.Errorf("%s: count assigned numbers of %s: %w", t.d.Name, site, err)
	}
	return count, nil
}

// Users.

func (t *tx) GetUser(site, id string) (contract.User, error) {
	return get(t, scanUser, "user", id, "SELECT "+userColumns+" FROM users WHERE site = ? AND id = ?", site, id)
}

func (t *tx) FindUser(site, field, value string) (contract.User, error) {
	if !userKeys[field] {
		return contract.User{}, fmt.Errorf("%s: cannot find users by %q", t.d.Name, field)
	}
	// An empty extension means none: no user is found by it.
	if value == "" {
		return contract.User{}, contract.NotFound("user", value)
	}
	cond := field + " = ?"
	if field == "email" { // emails are unique regardless of case
		cond, value = t.d.FoldedEmail+" = ?", FoldEmail(value)
	}
	return get(t, scanUser, "user", value, "SELECT "+userColumns+" FROM users WHERE site = ? AND "+cond, site, value)
}

func (t *tx) ListUsers(site string, p portal.Page) ([]contract.User, error) {
	return list(t, scanUser, p, "SELECT "+userColumns+" FROM users WHERE site = ? AND id > ? ORDER BY id",
		site, p.After)
}

func (t *tx) PutUser(site string, u contract.User) error {
	return t.exec("put user "+u.ID, `INSERT INTO users (site, `+userInsertColumns+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET email = excluded.email, first_name = excluded.first_name,
	last_name = excluded.last_name, extension = excluded.extension, phone_number = excluded.phone_number,
	version = excluded.version, created_at = excluded.created_at, updated_at = excluded.updated_at`,
		site, u.ID, u.Email, u.FirstName, u.LastName, u.Extension, u.PhoneNumber,
		u.Version, formatTime(u.CreatedAt), formatTime(u.UpdatedAt))
}

func (t *tx) SetVoicemailPINHash(site, id, hash string) error {
	return t.exec("set voicemail PIN of user "+id, "UPDATE users SET voicemail_pin_hash = ? WHERE site = ? AND id = ?", hash, site, id)
}

func (t *tx) VoicemailPINHash(site, id string) (string, error) {
	return get(t, func(r scanner) (string, error) {
		var hash string
		return hash, r.Scan(&hash)
	}, "user", id, "SELECT voicemail_pin_hash FROM users WHERE site = ? AND id = ?", site, id)
}

func (t *tx) DeleteUser(site, id string) error { return t.remove("users", "user", site, id) }

// Phones and services.

func (t *tx) Phones() portal.Targets[contract.Phone] { return targets[contract.Phone]{t, phoneTable} }
func (t *tx) Services() portal.Targets[contract.Service] {
	return targets[contract.Service]{t, serviceTable}
}

// targets is portal.Targets on one table of this transaction.
type targets[T any] struct {
	t  *tx
	tt targetTable[T]
}

func (g targets[T]) Get(site, id string) (T, error) {
	return get(g.t, g.tt.scanRow, g.tt.kind, id, "SELECT "+g.tt.columns()+" FROM "+g.tt.table+" WHERE site = ? AND id = ?", site, id)
}

// targetKeys are the columns Find may look a target up by.
var targetKeys = map[string]string{"name": "lower(name) = lower(?)", "extension": "extension = ?"}

func (g targets[T]) Find(site, field, value string) (T, error) {
	cond, ok := targetKeys[field]
	if !ok {
		var zero T
		return zero, fmt.Errorf("%s: cannot find %ss by %q", g.t.d.Name, g.tt.kind, field)
	}
	if value == "" { // an empty extension means none
		var zero T
		return zero, contract.NotFound(g.tt.kind, value)
	}
	return get(g.t, g.tt.scanRow, g.tt.kind, value, "SELECT "+g.tt.columns()+" FROM "+g.tt.table+" WHERE site = ? AND "+cond, site, value)
}

func (g targets[T]) List(site string, p portal.Page) ([]T, error) {
	return list(g.t, g.tt.scanRow, p, "SELECT "+g.tt.columns()+" FROM "+g.tt.table+" WHERE site = ? AND id > ? ORDER BY id", site, p.After)
}

func (g targets[T]) Put(site string, v T) error {
	b, _ := g.tt.scan(&v)
	args := append([]any{site, b.ID, b.Name, b.Extension, b.Version, formatTime(b.CreatedAt)}, g.tt.fields(v)...)
	set := []string{"name = excluded.name", "extension = excluded.extension", "version = excluded.version"}
	for _, c := range g.tt.own {
		set = append(set, c+" = excluded."+c)
	}
	return g.t.exec("put "+g.tt.kind+" "+b.ID,
		"INSERT INTO "+g.tt.table+" (site, "+g.tt.columns()+") VALUES (?"+strings.Repeat(", ?", len(args)-1)+")"+
			"\nON CONFLICT (id) DO UPDATE SET "+strings.Join(set, ", "),
		args...)
}

func (g targets[T]) Delete(site, id string) error { return g.t.remove(g.tt.table, g.tt.kind, site, id) }

// Tokens.

// GetTokenByHash names no token in its not-found error: the caller only
// knows the secret's hash, which does not belong in messages.
func (t *tx) GetTokenByHash(hash string) (contract.Token, error) {
	return get(t, scanToken, "token", "", "SELECT "+tokenColumns+" FROM tokens WHERE hash = ?", hash)
}

func (t *tx) PutToken(tok contract.Token, hash string) error {
	return t.exec("put token "+tok.ID, `INSERT INTO tokens (id, name, site, admin, hash, created_at)
VALUES (?, ?, NULLIF(?, ''), ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET name = excluded.name, site = excluded.site, admin = excluded.admin,
	hash = excluded.hash, created_at = excluded.created_at`,
		tok.ID, tok.Name, tok.Site, tok.Admin, hash, formatTime(tok.CreatedAt))
}

// Idempotency records.

func (t *tx) GetIdempotency(scope, key string) (replay.Record, error) {
	return get(t, idempotencyScanner(scope, key), "idempotency key", key,
		"SELECT "+idempotencyColumns+" FROM idempotency WHERE scope = ? AND key = ?", scope, key)
}

func (t *tx) PutIdempotency(r replay.Record) error {
	return t.exec("put idempotency key "+r.Key, `INSERT INTO idempotency (scope, key, request_hash, status, body, location, created_at)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (scope, key) DO UPDATE SET request_hash = excluded.request_hash, status = excluded.status,
	body = excluded.body, location = excluded.location, created_at = excluded.created_at`,
		r.Scope, r.Key, r.RequestHash, r.Status, r.Body, r.Location, formatTime(r.CreatedAt))
}

func (t *tx) DeleteIdempotencyBefore(before time.Time) error {
	return t.exec("forget idempotency keys", t.d.DeleteIdempotencyBefore, formatTime(before))
}
