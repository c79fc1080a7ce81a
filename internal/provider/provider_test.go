package provider

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-framework/providerserver"
	"github.com/hashicorp/terraform-plugin-go/tfprotov6"

	"github.com/callingportal/terraform-provider-callingportal/internal/backend"
	"github.com/callingportal/terraform-provider-callingportal/internal/client"
	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
)

// testAccProtoV6ProviderFactories serve the provider in-process to the real
// Terraform CLI that terraform-plugin-testing runs.
var testAccProtoV6ProviderFactories = map[string]func() (tfprotov6.ProviderServer, error){
	"callingportal": providerserver.NewProtocol6WithError(New("test")()),
}

// testToken is the admin token every test portal is bootstrapped with.
const testToken = "acc-test-admin-token"

// testPortal is a bundled portal that one test starts on its own temp SQLite
// file, seeded with the demo site: 100 numbers +13125550100..199, 50 stations,
// 7 in use (services on 0100-0102, the Lobby Phone on 0110, users on 0120-0122).
type testPortal struct {
	*backend.Portal
	client *client.Client
}

// startPortal starts a demo portal for t and stops it when t ends.
func startPortal(t *testing.T) *testPortal {
	t.Helper()
	ctx := context.Background()
	p, err := backend.Start(ctx, backend.Config{
		Listen:         "127.0.0.1:0",
		DataPath:       filepath.Join(t.TempDir(), "portal.db"),
		Seed:           "demo",
		BootstrapToken: testToken,
	})
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
func (p *testPortal) inventory(t *testing.T) portal.Inventory {
	t.Helper()
	var inv portal.Inventory
	err := p.Store().View(context.Background(), func(tx portal.Tx) (err error) {
		inv, err = portal.GetInventory(tx, "demo")
		return err
	})
	if err != nil {
		t.Fatalf("inventory: %v", err)
	}
	return inv
}
