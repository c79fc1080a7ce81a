package client

import (
	"net/http"
	"time"

	"github.com/hashicorp/go-retryablehttp"
)

// Config says where the portal is and how hard to try.
type Config struct {
	Endpoint string // e.g. http://127.0.0.1:8080 (without /v1)
	Token    string
	Site     string

	// UserAgent is sent on every request, e.g. "terraform-provider-callingportal/0.1.0".
	UserAgent string
	// MaxRetries is how often a retryable request is tried again (default 4).
	MaxRetries int
	// RetryWaitMin and RetryWaitMax bound the backoff between tries
	// (defaults 250ms and 10s); a server's Retry-After wins, up to RetryWaitMax.
	RetryWaitMin, RetryWaitMax time.Duration
	// HTTPClient, if set, is the underlying transport client.
	HTTPClient *http.Client
	// Logger receives retry and request logs, never headers or bodies.
	Logger retryablehttp.LeveledLogger
}
