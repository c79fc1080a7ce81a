package provider

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/callingportal/terraform-provider-callingportal/internal/backend"
	"github.com/callingportal/terraform-provider-callingportal/internal/client"
	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
	"github.com/callingportal/terraform-provider-callingportal/internal/store/postgres/pgtest"
)

// testAccProtoV6ProviderFactories serve the provider in-process to the real
// Terraform CLI that terraform-plugin-testing runs.
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"callingportal": providerserver.NewProtocol6WithError(New("test")()),
}

// testToken is the admin token every test portal is bootstrapped with.
const testToken = "acc-test-admin-token"

// testPortal is a bundled portal that one test starts on its own store (a
// temp SQLite file unless the test asks for PostgreSQL), seeded with the demo
// site: 100 numbers +13125550100..199, 50 stations, 7 in use (services on
// 0100-0102, the Lobby Phone on 0110, users on 0120-0122).
type testPortal struct {
	*backend.Portal
	client *client.Client
}

// storeKind is the store a test portal runs on.
type storeKind string

const (
	onSQLite   storeKind = "sqlite"   // a temp SQLite file
	onPostgres storeKind = "postgres" // a new database on the test binary's cluster
)

// testAccPreCheck skips an acceptance test unless TF_ACC is set. Every
// acceptance test calls it first, before it starts a portal or anything
// else, so that go test without TF_ACC runs the unit tests only, quickly.
func testAccPreCheck(t *testing.T) {
	t.Helper()
	if os.Getenv("TF_ACC") == "" {
		t.Skip("acceptance test: set TF_ACC=1 to run it with the Terraform CLI")
	}
}

// startPortal starts a demo portal on SQLite for an acceptance test and
// stops it when t ends. Without TF_ACC it skips t, before starting anything.
func startPortal(t *testing.T) *testPortal {
	t.Helper()
	return startPortalOn(t, onSQLite)
}

// startPortalOn starts a demo portal on a new store of kind for an
// acceptance test and stops it when t ends. Without TF_ACC it skips t,
// before starting anything.
func startPortalOn(t *testing.T, kind storeKind) *testPortal {
	t.Helper()
	testAccPreCheck(t)
	return newTestPortal(t, kind, "demo")
}

// startUnitPortal starts a demo portal on SQLite for a unit test, one that
// calls the provider's methods itself, without Terraform: it runs without
// TF_ACC.
func startUnitPortal(t *testing.T) *testPortal {
	t.Helper()
	return newTestPortal(t, onSQLite, "demo")
}

// newTestPortal starts a portal on a new store of kind, from seed: "demo"
// or a seed file whose site is demo.
func newTestPortal(t *testing.T, kind storeKind, seed string) *testPortal {
	t.Helper()
	ctx := context.Background()
	cfg := backend.Config{Listen: "127.0.0.1:0", Seed: seed, BootstrapToken: testToken}
	if kind == onPostgres {
		cfg.DatabaseURL = pgtest.NewDatabase(t)
	} else {
		cfg.DataPath = filepath.Join(t.TempDir(), "portal.db")
	}
	p, err := backend.Start(ctx, cfg)
	if err != nil {
		t.Fatalf("start portal: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := p.Close(ctx); err != nil {
			t.Errorf("stop portal: %v", err)
		}
	})
	c, err := client.New(client.Config{Endpoint: p.URL, Token: testToken, Site: "demo"})
	if err != nil {
		t.Fatalf("client: %v", err)
	}
	return &testPortal{Portal: p, client: c}
}

// config prefixes an HCL body with a provider block for this portal.
func (p *testPortal) config(body string) string {
	return fmt.Sprintf(`
provider "callingportal" {
  endpoint = %q
  token    = %q
  site     = "demo"
}
`, p.URL, testToken) + body
}

// serviceID and phoneID look up a seeded target's ID by name.
func (p *testPortal) serviceID(t *testing.T, name string) string {
	t.Helper()
	s, err := p.client.Services.FindByName(context.Background(), name)
	if err != nil {
		t.Fatalf("service %q: %v", name, err)
	}
	return s.ID
}

func (p *testPortal) phoneID(t *testing.T, name string) string {
	t.Helper()
	ph, err := p.client.Phones.FindByName(context.Background(), name)
	if err != nil {
		t.Fatalf("phone %q: %v", name, err)
	}
	return ph.ID
}

// inventory reads the station inventory straight from the store.
func (p *testPortal) inventory(t *testing.T) contract.Inventory {
	t.Helper()
	var inv contract.Inventory
	err := p.Store().View(context.Background(), func(tx portal.Tx) (err error) {
		inv, err = portal.GetInventory(tx, "demo")
		return err
	})
	if err != nil {
		t.Fatalf("inventory: %v", err)
	}
	return inv
}

// setAvailable buys or returns stations so that exactly n are available.
func (p *testPortal) setAvailable(t *testing.T, n int) {
	t.Helper()
	err := p.Store().Update(context.Background(), func(tx portal.Tx) error {
		inv, err := portal.GetInventory(tx, "demo")
		if err != nil {
			return err
		}
		_, err = portal.SetStationsPurchased(tx, "demo", inv.InUse+n, portal.Condition{})
		return err
	})
	if err != nil {
		t.Fatalf("set available stations to %d: %v", n, err)
	}
}

// addNumbers grows the demo pool by count numbers from first on.
func (p *testPortal) addNumbers(t *testing.T, first, count int) {
	t.Helper()
	numbers := make([]string, count)
	for i := range numbers {
		numbers[i] = fmt.Sprintf("+1312555%04d", first+i)
	}
	err := p.Store().Update(context.Background(), func(tx portal.Tx) error {
		_, err := portal.AddNumbers(tx, "demo", numbers)
		return err
	})
	if err != nil {
		t.Fatalf("add numbers: %v", err)
	}
}

// export is the portal's CSV export of every number: a picture of its state.
func (p *testPortal) export(t *testing.T) string {
	t.Helper()
	var b strings.Builder
	if err := p.client.Numbers.Export(context.Background(), contract.NumberFilter{}, &b); err != nil {
		t.Fatalf("export: %v", err)
	}
	return b.String()
}
