package backend_test

import (
	"bufio"
	"bytes"
	"context"
	"crypto/x509"
	"errors"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/callingportal/terraform-provider-callingportal/internal/backend"
	"github.com/callingportal/terraform-provider-callingportal/internal/client"
	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/callingportal/terraform-provider-callingportal/internal/tlstest"
)

// TestServeTLS: with a certificate and key the portal serves HTTPS only, at
// an https URL; a client that trusts the CA reads the API, one that does
// not is refused, and plain http to the port gets no API answer.
func TestServeTLS(t *testing.T) {
	t.Parallel()
	ca := tlstest.NewCA(t, "portal test CA")
	cfg := newStore(t, onSQLite)
	cfg.Seed, cfg.BootstrapToken = "demo", adminToken
	cfg.TLSCertFile, cfg.TLSKeyFile = ca.ServerFiles(t, "127.0.0.1", "localhost")
	p, err := backend.Start(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := p.Close(context.Background()); err != nil {
			t.Error(err)
		}
	})
	if !strings.HasPrefix(p.URL, "https://127.0.0.1:") {
		t.Fatalf("URL = %q, want https://127.0.0.1:...", p.URL)
	}

	c, err := client.New(client.Config{Endpoint: p.URL, Token: adminToken, Site: "demo", CACertificate: string(ca.PEM)})
	if err != nil {
		t.Fatal(err)
	}
	inv, err := c.Inventory.Read(context.Background())
	if want := (contract.Inventory{Site: "demo", Total: 50, InUse: 7, Available: 43}); err != nil || inv != want {
		t.Fatalf("inventory over TLS = %+v, %v; want %+v", inv, err, want)
	}

	untrusting, err := client.New(client.Config{Endpoint: p.URL, Token: adminToken, Site: "demo", MaxRetries: -1})
	if err != nil {
		t.Fatal(err)
	}
	var unknown x509.UnknownAuthorityError
	if _, err := untrusting.Inventory.Read(context.Background()); !errors.As(err, &unknown) {
		t.Errorf("a client without the CA: err = %v, want x509.UnknownAuthorityError", err)
	}

	plain := "http://" + strings.TrimPrefix(p.URL, "https://") + "/v1/healthz"
	resp, err := http.Get(plain)
	if err == nil {
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK || bytes.Contains(body, []byte(`"ok"`)) {
			t.Errorf("plain http to the TLS port answered %d %s", resp.StatusCode, body)
		}
	}
}

// TestServeTLSNeedsCertificateAndKey: a certificate without its key, or a
// file that is not one, stops the start before a store is created.
func TestServeTLSNeedsCertificateAndKey(t *testing.T) {
	t.Parallel()
	ca := tlstest.NewCA(t, "portal test CA")
	certFile, keyFile := ca.ServerFiles(t, "127.0.0.1")
	for _, tc := range []struct {
		name, cert, key, want string
	}{
		{"certificate only", certFile, "", "give both --tls-cert and --tls-key"},
		{"key only", "", keyFile, "give both --tls-cert and --tls-key"},
		{"key for certificate", keyFile, keyFile, "TLS certificate"},
		{"missing file", filepath.Join(t.TempDir(), "none.crt"), keyFile, "none.crt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg := newStore(t, onSQLite)
			cfg.Seed, cfg.TLSCertFile, cfg.TLSKeyFile = "demo", tc.cert, tc.key
			p, err := backend.Start(context.Background(), cfg)
			if err == nil {
				p.Close(context.Background())
				t.Fatal("started")
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("err = %v, want it to contain %q", err, tc.want)
			}
			if _, err := os.Stat(cfg.DataPath); !errors.Is(err, os.ErrNotExist) {
				t.Errorf("a refused start left a data file: %v", err)
			}
		})
	}
}

// TestServeCommandTLS runs `serve --tls-cert --tls-key` as a process: the
// banner's endpoint, API and web page URLs are https, and the endpoint
// answers a client that trusts the CA.
func TestServeCommandTLS(t *testing.T) {
	t.Parallel()
	ca := tlstest.NewCA(t, "portal test CA")
	certFile, keyFile := ca.ServerFiles(t, "127.0.0.1")
	cmd := exec.Command(os.Args[0], "--listen", "127.0.0.1:0", "--data", filepath.Join(t.TempDir(), "portal.db"),
		"--seed", "demo", "--tls-cert", certFile, "--tls-key", keyFile)
	cmd.Env = append(os.Environ(), serveEnv+"=1", backend.EnvBootstrapToken+"="+adminToken)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
	})
	var banner []string
	lines := bufio.NewScanner(stdout)
	for lines.Scan() && !strings.Contains(lines.Text(), "web page:") {
		banner = append(banner, lines.Text())
	}
	banner = append(banner, lines.Text())
	go func() { _, _ = io.Copy(io.Discard, stdout) }()

	var endpoint string
	for _, l := range banner {
		l = strings.TrimSpace(l)
		if e, ok := strings.CutPrefix(l, "endpoint: "); ok {
			endpoint = e
		}
		if strings.Contains(l, "http://") {
			t.Errorf("banner line %q names plain http", l)
		}
	}
	if !strings.HasPrefix(endpoint, "https://127.0.0.1:") {
		t.Fatalf("endpoint %q, banner:\n%s", endpoint, strings.Join(banner, "\n"))
	}
	c, err := client.New(client.Config{Endpoint: endpoint, Token: adminToken, Site: "demo", CACertificate: string(ca.PEM)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := c.Sites.Read(context.Background()); err != nil {
		t.Fatalf("reading the site over the served TLS: %v", err)
	}
}
