package sqltx

// What the statements of tx share: how times are stored, how rows scan into
// the API's objects, how a number prefix becomes a LIKE pattern, and how
// migrations are numbered.

import (
	"fmt"
	"io/fs"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/callingportal/terraform-provider-callingportal/internal/server/replay"
)

// timeLayout is RFC 3339 in UTC with fixed-width nanoseconds: it round-trips
// any time exactly and sorts as text, which DeleteIdempotencyBefore relies on.
const timeLayout = "2006-01-02T15:04:05.000000000Z"

// formatTime is how the stores write a time.
func formatTime(t time.Time) string { return t.UTC().Format(timeLayout) }

// timeColumn scans a time stored by FormatTime.
type timeColumn struct{ t *time.Time }

func (c timeColumn) Scan(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("time column holds %T, want text", v)
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	*c.t = t
	return err
}

// scanner is a row of database/sql.
type scanner interface{ Scan(dest ...any) error }

// likePrefix is a LIKE ... ESCAPE '\' pattern that matches the values
// starting with prefix, taken literally.
func likePrefix(prefix string) string { return likeEscaper.Replace(prefix) + "%" }

var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

// FoldEmail is the key emails compare by: contract.FoldEmail, which the
// provider's plan checks compare with too.
func FoldEmail(email string) string { return contract.FoldEmail(email) }

// userKeys are the columns FindUser may look a user up by; each is unique
// per site.
var userKeys = map[string]bool{"email": true, "extension": true, "phone_number": true}

const siteColumns = "id, name, stations_purchased, version, created_at"

func scanSite(r scanner) (contract.Site, error) {
	var s contract.Site
	err := r.Scan(&s.ID, &s.Name, &s.StationsPurchased, &s.Version, timeColumn{&s.CreatedAt})
	return s, err
}

// numberFrom reads numbers, aliased n, with their holder's name: a user's
// "First Last", a phone's or service's name. The caller adds the WHERE.
const numberFrom = `SELECT n.number, n.status, n.assigned_type, n.assigned_id,
	COALESCE(u.first_name || ' ' || u.last_name, p.name, s.name, ''), n.version, n.updated_at
FROM numbers n
LEFT JOIN users u ON n.assigned_type = 'user' AND u.id = n.assigned_id AND u.site = n.site
LEFT JOIN phones p ON n.assigned_type = 'phone' AND p.id = n.assigned_id AND p.site = n.site
LEFT JOIN services s ON n.assigned_type = 'service' AND s.id = n.assigned_id AND s.site = n.site`

func scanNumber(r scanner) (contract.Number, error) {
	var n contract.Number
	err := r.Scan(&n.Number, &n.Status, &n.AssignedType, &n.AssignedID, &n.AssignedName, &n.Version, timeColumn{&n.UpdatedAt})
	return n, err
}

// userColumns says whether a PIN is set; its hash is read only by
// VoicemailPINHash.
const userColumns = "id, email, first_name, last_name, extension, phone_number, voicemail_pin_hash <> '', version, created_at, updated_at"

// userInsertColumns are the columns PutUser writes; the PIN hash is
// SetVoicemailPINHash's.
const userInsertColumns = "id, email, first_name, last_name, extension, phone_number, version, created_at, updated_at"

func scanUser(r scanner) (contract.User, error) {
	var u contract.User
	err := r.Scan(&u.ID, &u.Email, &u.FirstName, &u.LastName, &u.Extension, &u.PhoneNumber, &u.VoicemailPINSet,
		&u.Version, timeColumn{&u.CreatedAt}, timeColumn{&u.UpdatedAt})
	return u, err
}

// A targetTable is how the phones or the services table holds its kind of
// target: the shared columns (id, name, extension, version, created_at)
// and the kind's own.
type targetTable[T any] struct {
	table, kind string
	own         []string // the kind's own columns, after the shared ones
	// scan reads the shared columns into base and returns where the own
	// ones go; fields gives the own values to write.
	scan   func(v *T) (base *contract.TargetBase, own []any)
	fields func(v T) []any
}

var phoneTable = targetTable[contract.Phone]{
	table: "phones", kind: "phone", own: []string{"model", "mac_address"},
	scan: func(ph *contract.Phone) (*contract.TargetBase, []any) {
		return &ph.TargetBase, []any{&ph.Model, &ph.MACAddress}
	},
	fields: func(ph contract.Phone) []any { return []any{ph.Model, ph.MACAddress} },
}

var serviceTable = targetTable[contract.Service]{
	table: "services", kind: "service", own: []string{"type", "description"},
	scan: func(s *contract.Service) (*contract.TargetBase, []any) {
		return &s.TargetBase, []any{&s.Type, &s.Description}
	},
	fields: func(s contract.Service) []any { return []any{s.Type, s.Description} },
}

func (tt targetTable[T]) columns() string {
	return "id, name, extension, version, created_at, " + strings.Join(tt.own, ", ")
}

func (tt targetTable[T]) scanRow(r scanner) (T, error) {
	var v T
	b, own := tt.scan(&v)
	err := r.Scan(append([]any{&b.ID, &b.Name, &b.Extension, &b.Version, timeColumn{&b.CreatedAt}}, own...)...)
	return v, err
}

// tokenColumns gives an admin token's NULL site as "".
const tokenColumns = "id, name, COALESCE(site, ''), admin, created_at"

func scanToken(r scanner) (contract.Token, error) {
	var tok contract.Token
	err := r.Scan(&tok.ID, &tok.Name, &tok.Site, &tok.Admin, timeColumn{&tok.CreatedAt})
	return tok, err
}

// idempotencyColumns are the columns besides the scope and key.
const idempotencyColumns = "request_hash, status, body, location, created_at"

// idempotencyScanner scans the record of scope and key.
func idempotencyScanner(scope, key string) func(scanner) (replay.Record, error) {
	return func(r scanner) (replay.Record, error) {
		rec := replay.Record{Scope: scope, Key: key}
		err := r.Scan(&rec.RequestHash, &rec.Status, &rec.Body, &rec.Location, timeColumn{&rec.CreatedAt})
		return rec, err
	}
}

// Migration is one file of a store's migrations directory, named
// NNNN_what.sql; NNNN is its version, and versions run 1, 2, 3... with no gap.
type Migration struct {
	Version int
	Name    string
	SQL     string
}

// LoadMigrations reads the migrations in dir of fsys, in order.
func LoadMigrations(fsys fs.FS, dir string) ([]Migration, error) {
	entries, err := fs.ReadDir(fsys, dir) // sorted by name
	if err != nil {
		return nil, err
	}
	ms := make([]Migration, 0, len(entries))
	for i, e := range entries {
		num, _, _ := strings.Cut(e.Name(), "_")
		if v, err := strconv.Atoi(num); err != nil || v != i+1 {
			return nil, fmt.Errorf("migration %s: want version %04d", e.Name(), i+1)
		}
		body, err := fs.ReadFile(fsys, path.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		ms = append(ms, Migration{Version: i + 1, Name: e.Name(), SQL: string(body)})
	}
	return ms, nil
}
