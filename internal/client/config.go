package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/hashicorp/go-cleanhttp"
	"github.com/hashicorp/go-retryablehttp"
)

// Config says where the portal is and how hard to try.
type Config struct {
	Endpoint string // e.g. http://127.0.0.1:8080 (a trailing /v1 is tolerated)
	Token    string
	Site     string

	// UserAgent is sent on every request, e.g. "terraform-provider-callingportal/0.1.0"
	// (default "terraform-provider-callingportal").
	UserAgent string
	// MaxRetries is how often a retryable request is tried again: 0 means
	// the default (4), a negative value means never.
	MaxRetries int
	// RetryWaitMin and RetryWaitMax bound the backoff between tries
	// (defaults 250ms and 10s); a server's Retry-After wins, up to RetryWaitMax.
	RetryWaitMin, RetryWaitMax time.Duration
	// CACertificate, if set, is the PEM certificate (or several) of the
	// authority that signed a private portal's certificate: the client then
	// trusts only it, not the system's roots.
	CACertificate string
	// AllowInsecureHTTP allows a plain http:// endpoint on another machine,
	// where the token would cross the network in the clear. Without it such
	// an endpoint is refused (ErrInsecureHTTP); http to this machine
	// (localhost, 127.0.0.0/8, ::1) is always allowed.
	AllowInsecureHTTP bool
	// HTTPClient, if set, is the underlying transport client; it cannot be
	// combined with CACertificate.
	HTTPClient *http.Client
	// Logger gives the logger for a request's context, so that each line
	// belongs to the operation that made the request (nil: silent). Lines
	// never carry headers or bodies.
	Logger func(ctx context.Context) retryablehttp.LeveledLogger
}

const (
	defaultUserAgent    = "terraform-provider-callingportal"
	defaultMaxRetries   = 4
	defaultRetryWaitMin = 250 * time.Millisecond
	defaultRetryWaitMax = 10 * time.Second

	defaultRequestTimeout = time.Minute
	maxIdleConnsPerHost   = 16
)

// ErrInsecureHTTP is the error of an endpoint, or a redirect, that would
// send the token over plain http to another machine.
var ErrInsecureHTTP = errors.New("plain http to another machine would send the token unencrypted")

// ErrCACertificate is the error of a CA certificate that is not PEM.
var ErrCACertificate = errors.New("calling portal CA certificate holds no PEM certificate")

// withDefaults validates cfg and fills in what was left unset. Errors name
// the setting at fault and never echo the token.
func (cfg Config) withDefaults() (Config, error) {
	if cfg.Endpoint == "" {
		return cfg, errors.New("calling portal endpoint is empty: set it to the portal's URL, e.g. https://portal.example.com")
	}
	u, err := url.Parse(cfg.Endpoint)
	if err != nil {
		return cfg, fmt.Errorf("calling portal endpoint %q is not a URL: %w", cfg.Endpoint, err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return cfg, fmt.Errorf("calling portal endpoint %q must be an http or https URL with a host, e.g. https://portal.example.com", cfg.Endpoint)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return cfg, fmt.Errorf("calling portal endpoint %q must not carry credentials, a query or a fragment: the token is set on its own", u.Redacted())
	}
	if !cfg.AllowInsecureHTTP && insecure(u) {
		return cfg, fmt.Errorf("calling portal endpoint %q: %w: use https, or allow plain http explicitly (AllowInsecureHTTP)", u.Redacted(), ErrInsecureHTTP)
	}
	// Paths are appended to the endpoint, which may sit below a proxy prefix.
	u.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), "/v1")
	u.RawPath = ""
	cfg.Endpoint = u.String()

	switch {
	case cfg.Token == "":
		return cfg, errors.New("calling portal token is empty")
	case strings.TrimSpace(cfg.Token) != cfg.Token || strings.ContainsAny(cfg.Token, "\r\n"):
		return cfg, errors.New("calling portal token has surrounding whitespace or a line break: check how it was copied")
	case cfg.Site == "":
		return cfg, errors.New("calling portal site is empty: set the ID of the site to manage")
	}

	if cfg.UserAgent == "" {
		cfg.UserAgent = defaultUserAgent
	}
	switch {
	case cfg.MaxRetries == 0:
		cfg.MaxRetries = defaultMaxRetries
	case cfg.MaxRetries < 0:
		cfg.MaxRetries = 0
	}
	if cfg.RetryWaitMin < 0 || cfg.RetryWaitMax < 0 {
		return cfg, errors.New("calling portal retry waits must not be negative")
	}
	if cfg.RetryWaitMax == 0 {
		cfg.RetryWaitMax = defaultRetryWaitMax
	}
	if cfg.RetryWaitMin == 0 {
		// Only a maximum was set: a lower one also lowers the default minimum.
		cfg.RetryWaitMin = min(defaultRetryWaitMin, cfg.RetryWaitMax)
	}
	if cfg.RetryWaitMin > cfg.RetryWaitMax {
		return cfg, fmt.Errorf("calling portal RetryWaitMin (%s) exceeds RetryWaitMax (%s)", cfg.RetryWaitMin, cfg.RetryWaitMax)
	}
	if cfg.HTTPClient != nil && cfg.CACertificate != "" {
		return cfg, errors.New("calling portal CACertificate cannot be combined with an HTTPClient: set the CA in that client's transport")
	}
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = cleanhttp.DefaultPooledClient()
		// Bounds each try, so a portal that hangs fails over to a retry
		// instead of holding a Terraform run (and the plan ledger) forever.
		cfg.HTTPClient.Timeout = defaultRequestTimeout
		transport, _ := cfg.HTTPClient.Transport.(*http.Transport)
		if transport == nil {
			return cfg, errors.New("calling portal client: unexpected default transport")
		}
		// Terraform runs 10 operations at once by default: keep a
		// connection for each between requests, rather than cleanhttp's
		// GOMAXPROCS+1, which makes an apply open a connection per request.
		transport.MaxIdleConnsPerHost = maxIdleConnsPerHost
		if cfg.CACertificate != "" {
			roots, err := certPool(cfg.CACertificate)
			if err != nil {
				return cfg, err
			}
			transport.TLSClientConfig = &tls.Config{RootCAs: roots, MinVersion: tls.VersionTLS12}
		}
		// A redirect must not take the token where the endpoint could not.
		allowHTTP := cfg.AllowInsecureHTTP
		cfg.HTTPClient.CheckRedirect = func(req *http.Request, via []*http.Request) error {
			if !allowHTTP && insecure(req.URL) {
				return fmt.Errorf("redirect to %s refused: %w", req.URL.Redacted(), ErrInsecureHTTP)
			}
			if len(via) >= 10 {
				return errors.New("stopped after 10 redirects")
			}
			return nil
		}
	}
	return cfg, nil
}

// insecure says whether u is plain http to a host other than this machine.
func insecure(u *url.URL) bool {
	return u.Scheme == "http" && !loopback(u.Hostname())
}

// loopback says whether host is this machine: localhost, 127.0.0.0/8 or ::1.
// Other names count as remote, even those that resolve to a loopback
// address, as what they resolve to can change.
func loopback(host string) bool {
	if strings.EqualFold(strings.TrimSuffix(host, "."), "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// certPool is the pool of the PEM certificates in pemCerts; it refuses
// anything else, such as a file name given for the file's content.
func certPool(pemCerts string) (*x509.CertPool, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM([]byte(pemCerts)) {
		hint := ""
		if !strings.Contains(pemCerts, "-----BEGIN") {
			hint = ` (it must be the certificate itself, not a file name)`
		}
		return nil, fmt.Errorf("%w%s", ErrCACertificate, hint)
	}
	return pool, nil
}

// tlsHint says what to do about a TLS failure in err, or "" when err is not
// one that the configuration can fix.
func tlsHint(err error) string {
	var (
		unknownCA x509.UnknownAuthorityError
		hostname  x509.HostnameError
	)
	switch {
	case errors.As(err, &unknownCA):
		return "the portal's certificate is signed by an authority this client does not trust: give the CA certificate that signed it"
	case errors.As(err, &hostname):
		return "the portal's certificate is not for this host name: use the name it was issued for in the endpoint"
	case strings.Contains(err.Error(), "server gave HTTP response to HTTPS client"):
		return "the portal serves plain http at this address, not https"
	}
	return ""
}
