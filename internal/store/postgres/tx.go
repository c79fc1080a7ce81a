package postgres

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
	"github.com/callingportal/terraform-provider-callingportal/internal/store"
)

// tx is a portal.Tx on one PostgreSQL transaction.
type tx struct {
	ctx    context.Context
	tx     pgx.Tx
	locked map[string]bool // the sites LockSite locked
}

var _ portal.Tx = (*tx)(nil)

// uniqueViolation is PostgreSQL's SQLSTATE for a broken unique constraint.
const uniqueViolation = "23505"

// exec runs a write. The rules check uniqueness before they write, under the
// site's lock; what only a unique constraint catches is a write no site
// lock covers (two creates of one site at once) and is a conflict.
func (t *tx) exec(op, query string, args ...any) error {
	_, err := t.tx.Exec(t.ctx, query, args...)
	if pgErr, ok := errors.AsType[*pgconn.PgError](err); ok && pgErr.Code == uniqueViolation {
		return portal.Conflict(pgErr.ConstraintName, "%s: %s", op, pgErr.Detail)
	}
	if err != nil {
		return fmt.Errorf("postgres: %s: %w", op, err)
	}
	return nil
}

// get scans the one row of query, or reports the kind and id of what it
// looked for as not found.
func get[T any](t *tx, scan func(store.Scanner) (T, error), kind, id, query string, args ...any) (T, error) {
	v, err := scan(t.tx.QueryRow(t.ctx, query, args...))
	if errors.Is(err, pgx.ErrNoRows) {
		return v, portal.NotFound(kind, id)
	}
	if err != nil {
		return v, fmt.Errorf("postgres: get %s %q: %w", kind, id, err)
	}
	return v, nil
}

func list[T any](t *tx, scan func(store.Scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := t.tx.Query(t.ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("postgres: list: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (T, error) { return scan(r) })
	if err != nil {
		return nil, fmt.Errorf("postgres: list: %w", err)
	}
	return out, nil
}

// remove deletes the row of a site's object by ID.
func (t *tx) remove(table, kind, site, id string) error {
	tag, err := t.tx.Exec(t.ctx, "DELETE FROM "+table+" WHERE site = $1 AND id = $2", site, id)
	if err != nil {
		return fmt.Errorf("postgres: delete %s %q: %w", kind, id, err)
	}
	if tag.RowsAffected() == 0 {
		return portal.NotFound(kind, id)
	}
	return nil
}

// limit turns a Page's Limit into SQL's: NULL is no limit.
func limit(p portal.Page) *int {
	if p.Limit <= 0 {
		return nil
	}
	return &p.Limit
}

// Sites.

// LockSite takes the site's row lock, held until the transaction ends: the
// lock that serialises the writers of a site (see Store). FOR NO KEY UPDATE
// rather than FOR UPDATE, as no write changes a site's ID: it conflicts with
// itself and with updates of the site, but not with the key-share locks that
// inserting a token of the site takes on it.
func (t *tx) LockSite(site string) (portal.Site, error) {
	s, err := get(t, store.ScanSite, "site", site, "SELECT "+store.SiteColumns+" FROM sites WHERE id = $1 FOR NO KEY UPDATE", site)
	if err == nil {
		t.locked[site] = true
	}
	return s, err
}

func (t *tx) GetSite(site string) (portal.Site, error) {
	return get(t, store.ScanSite, "site", site, "SELECT "+store.SiteColumns+" FROM sites WHERE id = $1", site)
}

func (t *tx) ListSites() ([]portal.Site, error) {
	return list(t, store.ScanSite, "SELECT "+store.SiteColumns+" FROM sites ORDER BY id")
}

// PutSite updates a site only under its lock; otherwise it inserts it, and
// a site created meanwhile by another transaction (CreateSite has no lock to
// take) is a conflict rather than overwritten.
func (t *tx) PutSite(s portal.Site) error {
	if t.locked[s.ID] {
		return t.exec("put site "+s.ID, `UPDATE sites SET name = $2, stations_purchased = $3, version = $4, created_at = $5
WHERE id = $1`, s.ID, s.Name, s.StationsPurchased, s.Version, store.FormatTime(s.CreatedAt))
	}
	err := t.exec("put site "+s.ID, `INSERT INTO sites (`+store.SiteColumns+`) VALUES ($1, $2, $3, $4, $5)`,
		s.ID, s.Name, s.StationsPurchased, s.Version, store.FormatTime(s.CreatedAt))
	if errors.Is(err, portal.ErrConflict) {
		return portal.Conflict("id", "site %q already exists", s.ID)
	}
	return err
}

// Numbers.

// numberSelect reads a site's numbers with their holder's name.
const numberSelect = store.NumberFrom + "\nWHERE n.site = $1"

func (t *tx) GetNumber(site, number string) (portal.Number, error) {
	return get(t, store.ScanNumber, "number", number, numberSelect+" AND n.number = $2", site, number)
}

func (t *tx) ListNumbers(site string, f portal.NumberFilter, p portal.Page) ([]portal.Number, error) {
	query, args := numberSelect, []any{site}
	where := func(cond string, arg any) {
		args = append(args, arg)
		query += " AND " + cond + " $" + strconv.Itoa(len(args))
	}
	if f.Status != "" {
		where("n.status =", f.Status)
	}
	if f.AssignedType != "" {
		where("n.assigned_type =", f.AssignedType)
	}
	if f.AssignedID != "" {
		where("n.assigned_id =", f.AssignedID)
	}
	if f.Prefix != "" {
		// The "C" collation makes this a range scan of the primary key.
		where(`n.number LIKE`, store.LikePrefix(f.Prefix))
		query += ` ESCAPE '\'`
	}
	if p.After != "" {
		where("n.number >", p.After)
	}
	args = append(args, limit(p))
	return list(t, store.ScanNumber, query+" ORDER BY n.number LIMIT $"+strconv.Itoa(len(args)), args...)
}

func (t *tx) PutNumber(site string, n portal.Number) error {
	return t.exec("put number "+n.Number, `INSERT INTO numbers (site, number, status, assigned_type, assigned_id, version, updated_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (site, number) DO UPDATE SET status = excluded.status, assigned_type = excluded.assigned_type,
	assigned_id = excluded.assigned_id, version = excluded.version, updated_at = excluded.updated_at`,
		site, n.Number, n.Status, n.AssignedType, n.AssignedID, n.Version, store.FormatTime(n.UpdatedAt))
}

func (t *tx) CountAssigned(site string) (int, error) {
	var count int
	err := t.tx.QueryRow(t.ctx, "SELECT count(*) FROM numbers WHERE site = $1 AND status = 'assigned'", site).Scan(&count)
	if err != nil {
		return 0, fmt.Errorf("postgres: count assigned numbers of %s: %w", site, err)
	}
	return count, nil
}

// Users.

func (t *tx) GetUser(site, id string) (portal.User, error) {
	return get(t, store.ScanUser, "user", id, "SELECT "+store.UserColumns+" FROM users WHERE site = $1 AND id = $2", site, id)
}

func (t *tx) FindUser(site, field, value string) (portal.User, error) {
	if !store.UserKeys[field] {
		return portal.User{}, fmt.Errorf("postgres: cannot find users by %q", field)
	}
	// An empty extension means none: no user is found by it.
	if value == "" {
		return portal.User{}, portal.NotFound("user", value)
	}
	return get(t, store.ScanUser, "user", value,
		"SELECT "+store.UserColumns+" FROM users WHERE site = $1 AND "+field+" = $2", site, value)
}

func (t *tx) ListUsers(site string, p portal.Page) ([]portal.User, error) {
	return list(t, store.ScanUser, "SELECT "+store.UserColumns+" FROM users WHERE site = $1 AND id > $2 ORDER BY id LIMIT $3",
		site, p.After, limit(p))
}

func (t *tx) PutUser(site string, u portal.User) error {
	return t.exec("put user "+u.ID, `INSERT INTO users (site, `+store.UserColumns+`)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
ON CONFLICT (id) DO UPDATE SET email = excluded.email, first_name = excluded.first_name,
	last_name = excluded.last_name, extension = excluded.extension, phone_number = excluded.phone_number,
	voicemail_pin_hash = excluded.voicemail_pin_hash, version = excluded.version,
	created_at = excluded.created_at, updated_at = excluded.updated_at`,
		site, u.ID, u.Email, u.FirstName, u.LastName, u.Extension, u.PhoneNumber, u.VoicemailPINHash,
		u.Version, store.FormatTime(u.CreatedAt), store.FormatTime(u.UpdatedAt))
}

func (t *tx) DeleteUser(site, id string) error { return t.remove("users", "user", site, id) }

// Phones.

func (t *tx) GetPhone(site, id string) (portal.Phone, error) {
	return get(t, store.ScanPhone, "phone", id, "SELECT "+store.PhoneColumns+" FROM phones WHERE site = $1 AND id = $2", site, id)
}

func (t *tx) FindPhone(site, name string) (portal.Phone, error) {
	return get(t, store.ScanPhone, "phone", name, "SELECT "+store.PhoneColumns+" FROM phones WHERE site = $1 AND name = $2", site, name)
}

func (t *tx) ListPhones(site string, p portal.Page) ([]portal.Phone, error) {
	return list(t, store.ScanPhone, "SELECT "+store.PhoneColumns+" FROM phones WHERE site = $1 AND id > $2 ORDER BY id LIMIT $3",
		site, p.After, limit(p))
}

func (t *tx) PutPhone(site string, ph portal.Phone) error {
	return t.exec("put phone "+ph.ID, `INSERT INTO phones (site, `+store.PhoneColumns+`) VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (id) DO UPDATE SET name = excluded.name, model = excluded.model, version = excluded.version,
	created_at = excluded.created_at`,
		site, ph.ID, ph.Name, ph.Model, ph.Version, store.FormatTime(ph.CreatedAt))
}

func (t *tx) DeletePhone(site, id string) error { return t.remove("phones", "phone", site, id) }

// Services.

func (t *tx) GetService(site, id string) (portal.Service, error) {
	return get(t, store.ScanService, "service", id, "SELECT "+store.ServiceColumns+" FROM services WHERE site = $1 AND id = $2", site, id)
}

func (t *tx) FindService(site, name string) (portal.Service, error) {
	return get(t, store.ScanService, "service", name, "SELECT "+store.ServiceColumns+" FROM services WHERE site = $1 AND name = $2", site, name)
}

func (t *tx) ListServices(site string, p portal.Page) ([]portal.Service, error) {
	return list(t, store.ScanService, "SELECT "+store.ServiceColumns+" FROM services WHERE site = $1 AND id > $2 ORDER BY id LIMIT $3",
		site, p.After, limit(p))
}

func (t *tx) PutService(site string, s portal.Service) error {
	return t.exec("put service "+s.ID, `INSERT INTO services (site, `+store.ServiceColumns+`) VALUES ($1, $2, $3, $4, $5, $6)
ON CONFLICT (id) DO UPDATE SET name = excluded.name, type = excluded.type, version = excluded.version,
	created_at = excluded.created_at`,
		site, s.ID, s.Name, s.Type, s.Version, store.FormatTime(s.CreatedAt))
}

func (t *tx) DeleteService(site, id string) error { return t.remove("services", "service", site, id) }

// Tokens.

// GetTokenByHash names no token in its not-found error: the caller only
// knows the secret's hash, which does not belong in messages.
func (t *tx) GetTokenByHash(hash string) (portal.Token, error) {
	return get(t, store.ScanToken, "token", "", "SELECT "+store.TokenColumns+" FROM tokens WHERE hash = $1", hash)
}

func (t *tx) PutToken(tok portal.Token) error {
	return t.exec("put token "+tok.ID, `INSERT INTO tokens (id, name, site, admin, hash, created_at)
VALUES ($1, $2, NULLIF($3, ''), $4, $5, $6)
ON CONFLICT (id) DO UPDATE SET name = excluded.name, site = excluded.site, admin = excluded.admin,
	hash = excluded.hash, created_at = excluded.created_at`,
		tok.ID, tok.Name, tok.Site, tok.Admin, tok.Hash, store.FormatTime(tok.CreatedAt))
}

// Idempotency records.

func (t *tx) GetIdempotency(scope, key string) (portal.IdempotencyRecord, error) {
	return get(t, store.IdempotencyScanner(scope, key), "idempotency key", key,
		"SELECT "+store.IdempotencyColumns+" FROM idempotency WHERE scope = $1 AND key = $2", scope, key)
}

func (t *tx) PutIdempotency(r portal.IdempotencyRecord) error {
	return t.exec("put idempotency key "+r.Key, `INSERT INTO idempotency (scope, key, request_hash, status, body, location, created_at)
VALUES ($1, $2, $3, $4, $5, $6, $7)
ON CONFLICT (scope, key) DO UPDATE SET request_hash = excluded.request_hash, status = excluded.status,
	body = excluded.body, location = excluded.location, created_at = excluded.created_at`,
		r.Scope, r.Key, r.RequestHash, r.Status, r.Body, r.Location, store.FormatTime(r.CreatedAt))
}

// DeleteIdempotencyBefore skips the expired keys that a concurrent writer
// (of another site) is deleting at the same moment: they are gone when it
// commits, and two writers deleting the same rows in different orders
// would otherwise deadlock.
func (t *tx) DeleteIdempotencyBefore(before time.Time) error {
	return t.exec("forget idempotency keys", `DELETE FROM idempotency WHERE (scope, key) IN (
	SELECT scope, key FROM idempotency WHERE created_at < $1 FOR UPDATE SKIP LOCKED)`, store.FormatTime(before))
}
