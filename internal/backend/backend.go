// Package backend runs the bundled calling portal: it opens the store, seeds
// a new one, and serves the HTTP API. The serve and token commands use it, and
// so do the tests, which start a portal in-process on a temp file. The store
// is a SQLite file, or a PostgreSQL database that several portals can share.
package backend

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
	"github.com/callingportal/terraform-provider-callingportal/internal/seed"
	"github.com/callingportal/terraform-provider-callingportal/internal/server"
	"github.com/callingportal/terraform-provider-callingportal/internal/store/postgres"
	"github.com/callingportal/terraform-provider-callingportal/internal/store/sqlite"
	"github.com/callingportal/terraform-provider-callingportal/internal/web"
)

// Config is how to run a portal.
type Config struct {
	Listen string // host:port; port 0 picks a free one
	// TLSCertFile and TLSKeyFile, both or neither, are the PEM certificate
	// (chain) and key to serve HTTPS with; neither serves plain HTTP.
	TLSCertFile, TLSKeyFile string
	// DatabaseURL is the PostgreSQL database to use; when empty the store is
	// the SQLite file at DataPath, created when missing.
	DatabaseURL string
	DataPath    string
	// Seed is "demo", a seed file, or empty; it applies only to a new store.
	Seed string
	// BootstrapToken becomes an admin token when the store is new.
	BootstrapToken string
	RateLimit      float64 // requests per second per token; 0 = unlimited
	Burst          int
	Logger         *slog.Logger
}

// Portal is a running portal.
type Portal struct {
	URL  string // e.g. http://127.0.0.1:8080, or https:// when serving TLS
	Site string // the seeded site; empty when the store was not new
	// New is true when this start created the store's first site or token.
	New bool
	// Sites are the sites the store holds.
	Sites []string
	// BootstrapTokenValid says the --bootstrap-token is an admin token of
	// this store: created now, or by an earlier start.
	BootstrapTokenValid bool

	store portal.Store
	srv   *http.Server
	done  chan error
}

// Start opens the store, seeds it when new and serves until Close.
func Start(ctx context.Context, cfg Config) (*Portal, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	// The certificate is read before anything is opened: a typo in a path
	// creates no store.
	tlsConfig, err := loadTLS(cfg)
	if err != nil {
		return nil, err
	}
	created := cfg.DatabaseURL == "" && !exists(cfg.DataPath)
	st, err := openStore(ctx, cfg)
	if err != nil {
		return nil, err
	}
	p := &Portal{store: st, done: make(chan error, 1)}
	if err := p.bootstrap(ctx, cfg); err != nil {
		st.Close()
		if created {
			// A seed that failed leaves no half-made data file behind.
			removeSQLite(cfg.DataPath)
		}
		return nil, err
	}
	ln, err := net.Listen("tcp", cfg.Listen)
	if err != nil {
		st.Close()
		return nil, err
	}
	p.URL = "http://" + ln.Addr().String()
	if tlsConfig != nil {
		p.URL = "https://" + ln.Addr().String()
	}
	p.srv = &http.Server{
		// The API under /v1, the web page (package web) everywhere else.
		Handler: web.New(st, server.New(st, server.Options{RateLimit: cfg.RateLimit, Burst: cfg.Burst, Logger: cfg.Logger}), web.Options{Logger: cfg.Logger}),
		// Timeouts keep a slow or stuck client from holding a connection forever.
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      2 * time.Minute,
		IdleTimeout:       2 * time.Minute,
		TLSConfig:         tlsConfig,
		// net/http's own errors, such as a failed TLS handshake, go to the
		// portal's log rather than to stderr.
		ErrorLog: slog.NewLogLogger(cfg.Logger.Handler(), slog.LevelWarn),
	}
	go func() {
		if tlsConfig != nil {
			// The certificate is in TLSConfig; ServeTLS adds HTTP/2.
			p.done <- p.srv.ServeTLS(ln, "", "")
			return
		}
		p.done <- p.srv.Serve(ln)
	}()
	return p, nil
}

// loadTLS is the TLS configuration cfg asks for, or nil for plain HTTP.
func loadTLS(cfg Config) (*tls.Config, error) {
	if cfg.TLSCertFile == "" && cfg.TLSKeyFile == "" {
		return nil, nil
	}
	if cfg.TLSCertFile == "" || cfg.TLSKeyFile == "" {
		return nil, errors.New("give both --tls-cert and --tls-key, or neither")
	}
	cert, err := tls.LoadX509KeyPair(cfg.TLSCertFile, cfg.TLSKeyFile)
	if err != nil {
		return nil, fmt.Errorf("TLS certificate %s and key %s: %w", cfg.TLSCertFile, cfg.TLSKeyFile, err)
	}
	return &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS12,
	}, nil
}

// bootstrap seeds a new store and creates the bootstrap admin token, in one
// transaction: a store is either new or fully set up.
func (p *Portal) bootstrap(ctx context.Context, cfg Config) error {
	return p.store.Update(ctx, func(tx portal.Tx) error {
		defer func() { p.Sites = siteIDs(tx) }()
		if cfg.BootstrapToken != "" {
			_, err := tx.GetTokenByHash(portal.HashSecret(cfg.BootstrapToken))
			p.BootstrapTokenValid = err == nil
		}
		sites, err := tx.ListSites()
		if err != nil || len(sites) > 0 {
			return err
		}
		if cfg.Seed != "" {
			s, err := seed.Load(cfg.Seed)
			if err != nil {
				return err
			}
			if err := s.Apply(tx); err != nil {
				return err
			}
			p.Site, p.New = s.Site.ID, true
		}
		if cfg.BootstrapToken != "" && !p.BootstrapTokenValid {
			if _, _, err := portal.IssueToken(tx, "bootstrap", "", true, cfg.BootstrapToken); err != nil {
				return err
			}
			p.New, p.BootstrapTokenValid = true, true
		}
		return nil
	})
}

// siteIDs lists the store's sites for the serve banner; a failure only
// leaves the banner without them.
func siteIDs(tx portal.Tx) []string {
	sites, _ := tx.ListSites()
	ids := make([]string, len(sites))
	for i, s := range sites {
		ids[i] = s.ID
	}
	return ids
}

// Store is the portal's store, for tests that change the portal behind the API.
func (p *Portal) Store() portal.Store { return p.store }

// Close stops serving, waits for requests in flight, and closes the store.
func (p *Portal) Close(ctx context.Context) error {
	err := p.srv.Shutdown(ctx)
	if serveErr := <-p.done; !errors.Is(serveErr, http.ErrServerClosed) {
		err = errors.Join(err, serveErr)
	}
	return errors.Join(err, p.store.Close())
}

// openStore opens the store cfg names: PostgreSQL or SQLite.
func openStore(ctx context.Context, cfg Config) (portal.Store, error) {
	if cfg.DatabaseURL != "" {
		return postgres.Open(ctx, cfg.DatabaseURL)
	}
	return sqlite.Open(cfg.DataPath)
}

// exists says whether path names a file.
func exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// removeSQLite removes a SQLite data file with its WAL and shared-memory files.
func removeSQLite(path string) {
	for _, suffix := range []string{"", "-wal", "-shm"} {
		os.Remove(path + suffix)
	}
}

// IssueToken creates a token in cfg's store directly, without a server. It
// never creates a store: a data file that does not exist is an error.
func IssueToken(ctx context.Context, cfg Config, name, site string, admin bool) (string, error) {
	if cfg.DatabaseURL == "" && !exists(cfg.DataPath) {
		return "", fmt.Errorf("no portal data file at %s: give the --data file that serve uses", cfg.DataPath)
	}
	st, err := openStore(ctx, cfg)
	if err != nil {
		return "", err
	}
	defer st.Close()
	var secret string
	err = st.Update(ctx, func(tx portal.Tx) error {
		if site != "" {
			if _, err := tx.GetSite(site); err != nil {
				return fmt.Errorf("site %q: %w", site, err)
			}
		}
		_, secret, err = portal.IssueToken(tx, name, site, admin, "")
		return err
	})
	return secret, err
}
