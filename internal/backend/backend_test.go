package backend_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/callingportal/terraform-provider-callingportal/internal/backend"
	"github.com/callingportal/terraform-provider-callingportal/internal/client"
	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
	"github.com/callingportal/terraform-provider-callingportal/internal/store/postgres/pgtest"
)

const adminToken = "backend-test-admin-token"

// storeKind is a store the end-to-end tests run the portal on.
type storeKind string

const (
	onSQLite   storeKind = "sqlite"   // a temp SQLite file
	onPostgres storeKind = "postgres" // a new database on TestMain's cluster
)

// forEachStore runs test as a parallel subtest on each kind of store.
func forEachStore(t *testing.T, test func(t *testing.T, kind storeKind)) {
	t.Helper()
	for _, kind := range []storeKind{onSQLite, onPostgres} {
		t.Run(string(kind), func(t *testing.T) {
			t.Parallel()
			test(t, kind)
		})
	}
}

// newStore is the config of a portal on a new, empty store of kind for t.
func newStore(t *testing.T, kind storeKind) backend.Config {
	t.Helper()
	cfg := backend.Config{Listen: "127.0.0.1:0"}
	if kind == onPostgres {
		cfg.DatabaseURL = pgtest.NewDatabase(t)
	} else {
		cfg.DataPath = filepath.Join(t.TempDir(), "portal.db")
	}
	return cfg
}

// startDemo runs the portal on a new store of kind as `serve --seed demo
// --bootstrap-token` does.
func startDemo(t *testing.T, kind storeKind) (*backend.Portal, *client.Client) {
	t.Helper()
	cfg := newStore(t, kind)
	cfg.Seed, cfg.BootstrapToken = "demo", adminToken
	p, err := backend.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})
	c, err := client.New(client.Config{Endpoint: p.URL, Token: adminToken, Site: "demo"})
	if err != nil {
		t.Fatal(err)
	}
	return p, c
}

func TestDemoInventoryMatchesSeed(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind storeKind) {
		_, c := startDemo(t, kind)
		inv, err := c.Inventory.Read(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		// demo.json: 50 stations; 4 numbers on services and phones, 3 users.
		want := contract.Inventory{Site: "demo", Total: 50, InUse: 7, Available: 43}
		if inv != want {
			t.Fatalf("inventory = %+v, want %+v", inv, want)
		}
	})
}

func TestAssignPastLastStation(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind storeKind) {
		p, c := startDemo(t, kind)
		ctx := context.Background()
		err := p.Store().Update(ctx, func(tx portal.Tx) error {
			_, err := portal.SetStationsPurchased(tx, "demo", 8, portal.Condition{})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		svc, err := c.Services.FindByName(ctx, "After Hours")
		if err != nil {
			t.Fatal(err)
		}
		target := contract.Target{Type: contract.TargetService, ID: svc.ID}
		if _, err := c.Numbers.Assign(ctx, "+13125550150", target, true); err != nil {
			t.Fatalf("assigning the last station: %v", err)
		}
		_, err = c.Numbers.Assign(ctx, "+13125550151", target, true)
		if !errors.Is(err, client.ErrNoStationsAvailable) {
			t.Fatalf("assigning past the last station: err = %v, want no_stations_available", err)
		}
		want := "this change needs 1 new station; site demo has 0 available (8 in use of 8 purchased)"
		if err.Error() != want {
			t.Fatalf("message = %q, want %q", err, want)
		}
	})
}

func TestDeletingUserFreesItsNumber(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind storeKind) {
		_, c := startDemo(t, kind)
		ctx := context.Background()
		u, err := c.Users.FindByEmail(ctx, "ada.lovelace@example.com")
		if err != nil {
			t.Fatal(err)
		}
		if err := c.Users.Delete(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
		n, err := c.Numbers.Read(ctx, u.PhoneNumber)
		if err != nil {
			t.Fatal(err)
		}
		if n.Status != contract.StatusAvailable {
			t.Fatalf("number %s after deleting its user: %+v, want available", u.PhoneNumber, n)
		}
		inv, err := c.Inventory.Read(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if inv.InUse != 6 || inv.Available != 44 {
			t.Fatalf("inventory after deleting a user = %+v, want 6 in use, 44 available", inv)
		}
	})
}

func TestExportListsEveryNumber(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind storeKind) {
		_, c := startDemo(t, kind)
		var buf bytes.Buffer
		if err := c.Numbers.Export(context.Background(), contract.NumberFilter{}, &buf); err != nil {
			t.Fatal(err)
		}
		rows, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatal(err)
		}
		if len(rows) != 101 {
			t.Fatalf("export has %d rows, want a header and 100 numbers", len(rows))
		}
		assigned := map[string]string{}
		for _, r := range rows[1:] {
			if r[1] == "assigned" {
				assigned[r[0]] = r[4]
			}
		}
		if len(assigned) != 7 || assigned["+13125550120"] != "Ada Lovelace" || assigned["+13125550100"] != "Main Auto Attendant" {
			t.Fatalf("assigned numbers in the export = %v", assigned)
		}
	})
}

func TestRestartKeepsDataAndSkipsSeed(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind storeKind) {
		cfg := newStore(t, kind)
		cfg.Seed, cfg.BootstrapToken = "demo", adminToken
		ctx := context.Background()
		for i := range 2 {
			p, err := backend.Start(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			if isNew := i == 0; p.New != isNew {
				t.Errorf("start %d: New = %v, want %v", i, p.New, isNew)
			}
			c, err := client.New(client.Config{Endpoint: p.URL, Token: adminToken, Site: "demo"})
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				_, err = c.Phones.Create(ctx, contract.PhoneInput{TargetInput: contract.TargetInput{Name: new("Kept Phone")}})
			} else {
				_, err = c.Phones.FindByName(ctx, "Kept Phone")
			}
			if err != nil {
				t.Fatalf("start %d: %v", i, err)
			}
			shutdown, cancel := context.WithTimeout(ctx, 5*time.Second)
			err = p.Close(shutdown)
			cancel()
			if err != nil {
				t.Fatal(err)
			}
		}
	})
}

// TestBootstrapTokenOnlyForNewStore: a bootstrap token given to a store that
// already exists creates nothing, and is not accepted by the API.
func TestBootstrapTokenOnlyForNewStore(t *testing.T) {
	t.Parallel()
	forEachStore(t, func(t *testing.T, kind storeKind) {
		cfg := newStore(t, kind)
		ctx := context.Background()
		seeded := cfg
		seeded.Seed, seeded.BootstrapToken = "demo", adminToken
		first, err := backend.Start(ctx, seeded)
		if err != nil {
			t.Fatal(err)
		}
		if err := first.Close(ctx); err != nil {
			t.Fatal(err)
		}
		cfg.BootstrapToken = "late-token"
		p, err := backend.Start(ctx, cfg)
		if err != nil {
			t.Fatal(err)
		}
		defer p.Close(ctx)
		if p.New || p.BootstrapTokenValid || len(p.Sites) != 1 || p.Sites[0] != "demo" {
			t.Fatalf("second start: New=%v BootstrapTokenValid=%v Sites=%v", p.New, p.BootstrapTokenValid, p.Sites)
		}
		c, err := client.New(client.Config{Endpoint: p.URL, Token: "late-token", Site: "demo"})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := c.Inventory.Read(ctx); !errors.Is(err, client.ErrUnauthorized) {
			t.Fatalf("late bootstrap token: err = %v, want unauthorized", err)
		}
	})
}

// TestFailedSeedLeavesNoDataFile: a seed the portal refuses leaves no data
// file behind, so the next start is a new store again; a data file that was
// there before is kept.
func TestFailedSeedLeavesNoDataFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(bad, []byte(`{"site": {"id": "xx", "stations_purchased": 0}, "numbers": ["+13125550100"],
		"services": [{"name": "Main", "type": "hunt_group", "numbers": ["+13125550100"]}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := backend.Config{Listen: "127.0.0.1:0", DataPath: filepath.Join(dir, "portal.db"), Seed: bad}
	if _, err := backend.Start(context.Background(), cfg); !errors.Is(err, contract.ErrNoStationsAvailable) {
		t.Fatalf("start with a seed that needs a station: err = %v", err)
	}
	if left, _ := filepath.Glob(cfg.DataPath + "*"); len(left) > 0 {
		t.Errorf("a refused seed left %v behind", left)
	}
}

// TestTokenNeedsAnExistingDataFile: `token --data` with a path that does
// not exist says so and creates nothing.
func TestTokenNeedsAnExistingDataFile(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "typo.db")
	var stdout, stderr bytes.Buffer
	if code := backend.Token([]string{"--data", path, "--site", "demo"}, &stdout, &stderr); code != 1 || !strings.Contains(stderr.String(), "no portal data file at "+path) {
		t.Errorf("token --data %s: exit %d, stderr %q", path, code, stderr.String())
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Errorf("token created %s (%v)", path, err)
	}
}
