package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callingportal/terraform-provider-callingportal/internal/tlstest"
)

// TestNewRefusesPlainHTTPToAnotherMachine: plain http is for this machine
// only, unless the configuration allows it; the refusal names the opt-in.
func TestNewRefusesPlainHTTPToAnotherMachine(t *testing.T) {
	for _, tc := range []struct {
		endpoint string
		allow    bool
		refused  bool
	}{
		{"http://portal.example.com", false, true},
		{"http://portal.example.com:8080/v1", false, true},
		{"http://10.0.0.5:8080", false, true},
		{"http://[fe80::1]:8080", false, true},
		{"http://[::ffff:10.0.0.5]:8080", false, true},
		{"http://127.0.0.1.example.com", false, true}, // a name, not the address
		{"http://localhost.example.com", false, true},
		{"HTTP://portal.example.com", false, true},
		{"http://portal.example.com", true, false},
		{"https://portal.example.com", false, false},
		{"https://10.0.0.5", false, false},
		{"http://localhost:8080", false, false},
		{"http://LOCALHOST", false, false},
		{"http://localhost.:8080", false, false},
		{"http://127.0.0.1:8080", false, false},
		{"http://127.9.8.7", false, false},
		{"http://[::1]:8080", false, false},
	} {
		t.Run(tc.endpoint, func(t *testing.T) {
			_, err := New(Config{Endpoint: tc.endpoint, Token: "tok-secret", Site: "hq", AllowInsecureHTTP: tc.allow})
			switch {
			case !tc.refused && err != nil:
				t.Fatalf("New: %v", err)
			case tc.refused && !errors.Is(err, ErrInsecureHTTP):
				t.Fatalf("New: %v, want ErrInsecureHTTP", err)
			case tc.refused && (!strings.Contains(err.Error(), "AllowInsecureHTTP") || !strings.Contains(err.Error(), "use https")):
				t.Fatalf("the refusal does not say what to do: %v", err)
			}
		})
	}
}

// tlsStub is a portal stand-in serving HTTPS with a certificate for
// 127.0.0.1 signed by ca. It counts TLS handshakes and requests.
type tlsStub struct {
	url                  string
	handshakes, requests atomic.Int32
}

func newTLSStub(t *testing.T, ca *tlstest.CA, h http.HandlerFunc) *tlsStub {
	t.Helper()
	certFile, keyFile := ca.ServerFiles(t, "127.0.0.1")
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		t.Fatal(err)
	}
	s := &tlsStub{}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.requests.Add(1)
		h(w, r)
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}, GetConfigForClient: func(*tls.ClientHelloInfo) (*tls.Config, error) {
		s.handshakes.Add(1)
		return nil, nil
	}}
	// The refused handshakes are what the tests expect.
	srv.Config.ErrorLog = log.New(io.Discard, "", 0)
	srv.StartTLS()
	t.Cleanup(srv.Close)
	s.url = srv.URL
	return s
}

func inventoryHandler(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"site":"hq","total":10,"in_use":2,"available":8}`))
}

// TestCACertificate: a portal whose certificate the given CA signed is
// trusted; one signed by another CA, or checked against the system's roots,
// is refused at once (one handshake, no request, no retry) with an error
// that says what to give, and never the token.
func TestCACertificate(t *testing.T) {
	portalCA, otherCA := tlstest.NewCA(t, "portal CA"), tlstest.NewCA(t, "another CA")
	stub := newTLSStub(t, portalCA, inventoryHandler)
	connect := func(ca string) *Client {
		t.Helper()
		c, err := New(Config{Endpoint: stub.url, Token: "tok-secret", Site: "hq", CACertificate: ca,
			MaxRetries: 3, RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		return c
	}

	inv, err := connect(string(portalCA.PEM)).Inventory.Read(context.Background())
	if err != nil || inv.Available != 8 {
		t.Fatalf("with the portal's CA: %+v, %v", inv, err)
	}
	// Several certificates in one PEM: any of them may be the signer.
	if _, err := connect(string(otherCA.PEM) + string(portalCA.PEM)).Inventory.Read(context.Background()); err != nil {
		t.Fatalf("with a bundle holding the portal's CA: %v", err)
	}

	for name, ca := range map[string]string{"another CA": string(otherCA.PEM), "the system's roots": ""} {
		t.Run(name, func(t *testing.T) {
			stub.handshakes.Store(0)
			stub.requests.Store(0)
			_, err := connect(ca).Inventory.Read(context.Background())
			var unknown x509.UnknownAuthorityError
			if !errors.As(err, &unknown) {
				t.Fatalf("err = %v, want x509.UnknownAuthorityError", err)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "GET /v1/sites/hq/inventory: ") || !strings.Contains(msg, "give the CA certificate that signed it") ||
				strings.Contains(msg, "giving up") || strings.Contains(msg, "tok-secret") {
				t.Errorf("err = %q", msg)
			}
			if h, r := stub.handshakes.Load(), stub.requests.Load(); h != 1 || r != 0 {
				t.Errorf("%d handshakes and %d requests, want 1 and 0: an untrusted portal is not retried", h, r)
			}
		})
	}
}

// TestCACertificateMustBePEM: a CA certificate that is not PEM, such as a
// file name, is refused when the client is made, and so is one beside an
// HTTPClient that would ignore it.
func TestCACertificateMustBePEM(t *testing.T) {
	cfg := Config{Endpoint: "https://portal.example.com", Token: "tok-secret", Site: "hq"}
	cfg.CACertificate = "ca.pem"
	if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "holds no PEM certificate") || !strings.Contains(err.Error(), "not a file name") {
		t.Errorf("a file name: %v", err)
	}
	cfg.CACertificate = "-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n"
	if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "holds no PEM certificate") {
		t.Errorf("a broken PEM block: %v", err)
	}
	cfg.CACertificate, cfg.HTTPClient = string(tlstest.NewCA(t, "ca").PEM), &http.Client{}
	if _, err := New(cfg); err == nil || !strings.Contains(err.Error(), "cannot be combined with an HTTPClient") {
		t.Errorf("CA and HTTPClient: %v", err)
	}
}

// TestRedirectToPlainHTTPRefused: a redirect cannot take the token where
// the endpoint could not: to plain http on another machine. It is refused
// before anything is sent there, and not retried.
func TestRedirectToPlainHTTPRefused(t *testing.T) {
	ca := tlstest.NewCA(t, "portal CA")
	stub := newTLSStub(t, ca, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://portal.example.com"+r.URL.Path, http.StatusTemporaryRedirect)
	})
	cfg := Config{Endpoint: stub.url, Token: "tok-secret", Site: "hq", CACertificate: string(ca.PEM),
		MaxRetries: 3, RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Inventory.Read(context.Background())
	if !errors.Is(err, ErrInsecureHTTP) || strings.Contains(err.Error(), "tok-secret") {
		t.Fatalf("err = %v, want ErrInsecureHTTP", err)
	}
	if n := stub.requests.Load(); n != 1 {
		t.Errorf("%d requests, want 1: a refused redirect is not retried", n)
	}
}

// TestHTTPSToAPlainPort: https to a port that speaks plain http fails at
// once and says so.
func TestHTTPSToAPlainPort(t *testing.T) {
	var conns atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(inventoryHandler))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		if s == http.StateNew {
			conns.Add(1)
		}
	}
	srv.Start()
	t.Cleanup(srv.Close)
	c, err := New(Config{Endpoint: strings.Replace(srv.URL, "http://", "https://", 1), Token: "tok-secret", Site: "hq",
		MaxRetries: 3, RetryWaitMin: time.Millisecond, RetryWaitMax: time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Inventory.Read(context.Background())
	if err == nil || !strings.Contains(err.Error(), "serves plain http at this address, not https") {
		t.Fatalf("err = %v", err)
	}
	if n := conns.Load(); n != 1 {
		t.Errorf("%d connections, want 1: not retried", n)
	}
}
