package adopt

import (
	"context"
	"io"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callingportal/terraform-provider-callingportal/internal/backend"
	"github.com/callingportal/terraform-provider-callingportal/internal/tlstest"
)

// TestConnectionTransport: export and snapshot connect as the provider does:
// a private CA from $CALLINGPORTAL_CA_CERTIFICATE, and plain http to another
// machine only with $CALLINGPORTAL_INSECURE_HTTP=true.
func TestConnectionTransport(t *testing.T) {
	const token = "adopt-test-admin-token"
	ca := tlstest.NewCA(t, "adopt test CA")
	cfg := backend.Config{Listen: "127.0.0.1:0", Seed: "demo", BootstrapToken: token, DataPath: filepath.Join(t.TempDir(), "portal.db")}
	cfg.TLSCertFile, cfg.TLSKeyFile = ca.ServerFiles(t, "127.0.0.1")
	p, err := backend.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = p.Close(context.Background()) })
	t.Setenv(envToken, token)
	t.Setenv(envInsecure, "")
	conn := &connection{endpoint: p.URL, site: "demo"}

	t.Setenv(envCA, "")
	if _, _, err := conn.read(io.Discard); err == nil || !strings.Contains(err.Error(), "give the CA certificate that signed it") {
		t.Errorf("without the CA: %v", err)
	}
	t.Setenv(envCA, string(ca.PEM))
	if s, _, err := conn.read(io.Discard); err != nil || s.Site.ID != "demo" {
		t.Errorf("with the CA in $%s: %+v, %v", envCA, s.Site, err)
	}

	remote := &connection{endpoint: "http://portal.example.com", site: "demo"}
	if _, _, err := remote.read(io.Discard); err == nil || !strings.Contains(err.Error(), envInsecure+"=true") {
		t.Errorf("plain http to another machine: %v", err)
	}
	t.Setenv(envInsecure, "maybe")
	if _, _, err := remote.read(io.Discard); err == nil || !strings.Contains(err.Error(), "set it to true or false") {
		t.Errorf("$%s=maybe: %v", envInsecure, err)
	}
}
