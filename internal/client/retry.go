package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The retry policy, written out rather than taken from retryablehttp's
// defaults, because what may be sent twice depends on the request:
//
//   - A request is replayable when sending it twice cannot do two things:
//     GET, HEAD, PUT, DELETE and PATCH (the portal's PATCH bodies set
//     values, never add to them, so a second try leaves the same object);
//     POST only with an Idempotency-Key (the portal replays the first
//     answer). Other requests are sent once.
//   - A replayable request is retried after a connection error (but not a
//     cancelled context, a TLS or certificate failure, a malformed URL or a
//     refused redirect to plain http, which no retry fixes), and after 429,
//     502, 503 and 504. Other 4xx and 5xx answers are final.
//   - The wait is the server's Retry-After when it sends one, else a capped
//     exponential backoff with jitter; both stay within RetryWaitMax.

// replayableKey marks a request's context with whether it may be sent again;
// CheckRetry sees only the context, not the request, after a connection error.
type replayableKey struct{}

func withReplayable(ctx context.Context, method string, h http.Header) context.Context {
	return context.WithValue(ctx, replayableKey{}, replayable(method, h))
}

// replayable says whether sending the request twice has the effect of once.
func replayable(method string, h http.Header) bool {
	switch method {
	case http.MethodGet, http.MethodHead, http.MethodOptions, http.MethodPut, http.MethodDelete, http.MethodPatch:
		return true
	case http.MethodPost:
		return h.Get("Idempotency-Key") != ""
	}
	return false
}

// checkRetry is the client's retryablehttp.CheckRetry.
func checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	if ctx.Err() != nil {
		return false, ctx.Err()
	}
	if ok, _ := ctx.Value(replayableKey{}).(bool); !ok {
		return false, nil
	}
	if err != nil {
		return retryableError(err), nil
	}
	return retryableStatus(resp.StatusCode), nil
}

// retryableStatus: the server was overloaded, limited us, or a proxy could
// not reach it. 500 is a bug that a retry repeats.
func retryableStatus(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// retryableError says whether a transport error may pass: refused, reset and
// dropped connections do, and so does a try that outlived the per-try
// timeout (checkRetry has already stopped if the caller's own deadline
// passed); cancellation, TLS trouble and bad URLs do not.
func retryableError(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, ErrInsecureHTTP) {
		return false
	}
	var (
		unknownCA   x509.UnknownAuthorityError
		invalidCert x509.CertificateInvalidError
		hostname    x509.HostnameError
		verify      *tls.CertificateVerificationError
		record      tls.RecordHeaderError
	)
	if errors.As(err, &unknownCA) || errors.As(err, &invalidCert) || errors.As(err, &hostname) ||
		errors.As(err, &verify) || errors.As(err, &record) {
		return false
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		// net/http reports these as plain strings.
		msg := urlErr.Err.Error()
		for _, final := range []string{"unsupported protocol scheme", "no Host in request URL", "invalid header", "stopped after", "certificate", "server gave HTTP response to HTTPS client"} {
			if strings.Contains(msg, final) {
				return false
			}
		}
	}
	return true
}

// backoff is the client's retryablehttp.Backoff: Retry-After if the server
// sent one, else attempt n waits a random time in [c/2, c] with
// c = min(max, 2^(n+1)·min), never below min.
func backoff(minWait, maxWait time.Duration, attempt int, resp *http.Response) time.Duration {
	if resp != nil {
		if wait, ok := retryAfter(resp.Header.Get("Retry-After"), time.Now()); ok {
			return min(wait, maxWait)
		}
	}
	ceiling := minWait
	for range attempt + 1 {
		if ceiling > maxWait/2 {
			ceiling = maxWait
			break
		}
		ceiling *= 2
	}
	wait := ceiling/2 + rand.N(ceiling/2+1)
	return max(wait, minWait)
}

// retryAfter parses Retry-After as seconds or an HTTP date; a date in the
// past means now.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil {
		if secs < 0 || secs > int64(time.Duration(1<<63-1)/time.Second) {
			return 0, false
		}
		return time.Duration(secs) * time.Second, true
	}
	at, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return max(at.Sub(now), 0), true
}

// giveUp is the client's retryablehttp.ErrorHandler: it passes the last
// answer through to be decoded and, for a transport error, says how often
// the call was tried.
func giveUp(resp *http.Response, err error, tries int) (*http.Response, error) {
	if err == nil {
		return resp, nil
	}
	// net/http's url.Error repeats the method and the full URL, which the
	// caller states once.
	var ue *url.Error
	if errors.As(err, &ue) && ue.Err != nil {
		err = ue.Err
	}
	if tries > 1 {
		err = fmt.Errorf("giving up after %d attempts: %w", tries, err)
	}
	return resp, err
}
