package client

import (
	"context"
	"errors"
	"fmt"
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
	// HTTPClient, if set, is the underlying transport client.
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
)

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
	if cfg.HTTPClient == nil {
		cfg.HTTPClient = cleanhttp.DefaultPooledClient()
		// Bounds each try, so a portal that hangs fails over to a retry
		// instead of holding a Terraform run (and the plan ledger) forever.
		cfg.HTTPClient.Timeout = defaultRequestTimeout
	}
	return cfg, nil
}
