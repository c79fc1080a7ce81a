package storetest

import (
	"context"
	"database/sql"
	"io/fs"
	"testing"
	"testing/fstest"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
	"github.com/callingportal/terraform-provider-callingportal/internal/store/sqltx"
)

// oldRows is a site with two numbers and a user, in SQL that every schema
// version takes: the first one's columns, whose later companions default.
const oldRows = `
INSERT INTO sites (id, name, stations_purchased, version, created_at)
	VALUES ('s1', 'Old', 5, 1, '2026-01-02T03:04:05.000000000Z');
INSERT INTO numbers (site, number, status, assigned_type, assigned_id, version, updated_at) VALUES
	('s1', '+13125550100', 'assigned', 'user', 'usr_old', 1, '2026-01-02T03:04:05.000000000Z'),
	('s1', '+13125550101', 'available', '', '', 1, '2026-01-02T03:04:05.000000000Z');
INSERT INTO users (id, site, email, first_name, last_name, phone_number, version, created_at, updated_at)
	VALUES ('usr_old', 's1', 'Ada.Lovelace@Example.com', 'Ada', 'Lovelace', '+13125550100', 1,
		'2026-01-02T03:04:05.000000000Z', '2026-01-02T03:04:05.000000000Z');
`

// Upgrade checks that a database left by each earlier schema version opens
// and works. For each version, db gives a new database, which d migrates to
// that version with the first migrations of dir in fsys and fills with a
// user; open then opens it as a store of this version, bringing its schema up
// to date, and the user is found by email in another case and keeps its
// email's spelling.
func Upgrade(t *testing.T, d *sqltx.Dialect, fsys fs.FS, dir string, db func(t *testing.T) (*sql.DB, func(t *testing.T) portal.Store)) {
	ms, err := sqltx.LoadMigrations(fsys, dir)
	must(t, err)
	for n := 1; n < len(ms); n++ {
		t.Run(ms[n-1].Name, func(t *testing.T) {
			raw, open := db(t)
			old := fstest.MapFS{}
			for _, m := range ms[:n] {
				old[dir+"/"+m.Name] = &fstest.MapFile{Data: []byte(m.SQL)}
			}
			must(t, d.Migrate(context.Background(), raw, old, dir))
			_, err := raw.ExecContext(t.Context(), oldRows)
			must(t, err)
			must(t, raw.Close())

			s := open(t)
			var ada contract.User
			must(t, s.View(t.Context(), func(tx portal.Tx) error {
				var err error
				ada, err = tx.FindUser("s1", "email", "ada.lovelace@example.com")
				return err
			}))
			wantEqual(t, "old user's email", ada.Email, "Ada.Lovelace@Example.com")
			err = s.Update(t.Context(), func(tx portal.Tx) error {
				_, err := portal.CreateUser(tx, "s1", contract.UserInput{Email: new("ADA.LOVELACE@EXAMPLE.COM"),
					FirstName: new("Ada"), LastName: new("Again"), PhoneNumber: new("+13125550101")})
				return err
			})
			wantErr(t, err, contract.ErrConflict, "usr_old")
			must(t, s.Update(t.Context(), func(tx portal.Tx) error {
				_, err := portal.CreateUser(tx, "s1", contract.UserInput{Email: new("bob@example.com"),
					FirstName: new("Bob"), LastName: new("Roe"), PhoneNumber: new("+13125550101")})
				return err
			}))
		})
	}
}
