package client

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"syscall"
	"testing"
	"time"
)

func TestReplayable(t *testing.T) {
	for _, tc := range []struct {
		method string
		header http.Header
		want   bool
	}{
		{http.MethodGet, nil, true},
		{http.MethodPut, nil, true},
		{http.MethodDelete, nil, true},
		{http.MethodPost, nil, false},
		{http.MethodPost, http.Header{"Idempotency-Key": {"k1"}}, true},
		{http.MethodPatch, nil, true},
		{http.MethodPatch, http.Header{"If-Match": {`"3"`}}, true},
		{"CONNECT", nil, false},
	} {
		if got := replayable(tc.method, tc.header); got != tc.want {
			t.Errorf("replayable(%s, %v) = %v, want %v", tc.method, tc.header, got, tc.want)
		}
	}
}

func TestCheckRetry(t *testing.T) {
	urlErr := func(err error) error { return &url.Error{Op: "Post", URL: "http://portal/v1/x", Err: err} }
	refused := urlErr(&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED})
	reset := urlErr(&net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET})
	status := func(code int) *http.Response { return &http.Response{StatusCode: code, Header: http.Header{}} }
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	expired, cancelExpired := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancelExpired()

	for _, tc := range []struct {
		name       string
		ctx        context.Context
		replayable bool
		resp       *http.Response
		err        error
		want       bool
	}{
		{"connection refused", nil, true, nil, refused, true},
		{"connection reset", nil, true, nil, reset, true},
		{"dropped connection", nil, true, nil, urlErr(io.EOF), true},
		{"unexpected EOF", nil, true, nil, urlErr(io.ErrUnexpectedEOF), true},
		{"dropped connection, not replayable", nil, false, nil, urlErr(io.EOF), false},
		{"context cancelled", cancelled, true, nil, urlErr(context.Canceled), false},
		{"context cancelled with answer", cancelled, true, status(503), nil, false},
		{"the per-try timeout", nil, true, nil, urlErr(context.DeadlineExceeded), true},
		{"the caller's deadline", expired, true, nil, urlErr(context.DeadlineExceeded), false},
		{"unknown CA", nil, true, nil, urlErr(x509.UnknownAuthorityError{}), false},
		{"invalid certificate", nil, true, nil, urlErr(x509.CertificateInvalidError{}), false},
		{"hostname mismatch", nil, true, nil, urlErr(x509.HostnameError{}), false},
		{"TLS verification", nil, true, nil, urlErr(&tls.CertificateVerificationError{Err: errors.New("x")}), false},
		{"TLS to a plain HTTP port", nil, true, nil, urlErr(tls.RecordHeaderError{Msg: "first record does not look like a TLS handshake"}), false},
		{"unsupported scheme", nil, true, nil, urlErr(errors.New(`unsupported protocol scheme "ftp"`)), false},
		{"no host", nil, true, nil, urlErr(errors.New("http: no Host in request URL")), false},
		{"too many redirects", nil, true, nil, urlErr(errors.New("stopped after 10 redirects")), false},
		{"redirect to plain http", nil, true, nil, urlErr(fmt.Errorf("redirect to http://portal refused: %w", ErrInsecureHTTP)), false},
		{"HTTPS to a plain HTTP port", nil, true, nil, urlErr(errors.New("http: server gave HTTP response to HTTPS client")), false},
		{"429", nil, true, status(429), nil, true},
		{"429, not replayable", nil, false, status(429), nil, false},
		{"502", nil, true, status(502), nil, true},
		{"503", nil, true, status(503), nil, true},
		{"503, not replayable", nil, false, status(503), nil, false},
		{"504", nil, true, status(504), nil, true},
		{"200", nil, true, status(200), nil, false},
		{"400", nil, true, status(400), nil, false},
		{"404", nil, true, status(404), nil, false},
		{"409", nil, true, status(409), nil, false},
		{"412", nil, true, status(412), nil, false},
		{"422", nil, true, status(422), nil, false},
		{"500", nil, true, status(500), nil, false},
		{"501", nil, true, status(501), nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := tc.ctx
			if ctx == nil {
				ctx = context.Background()
			}
			method, h := http.MethodPost, http.Header{}
			if tc.replayable {
				h.Set("Idempotency-Key", "k")
			}
			got, err := checkRetry(withReplayable(ctx, method, h), tc.resp, tc.err)
			if got != tc.want {
				t.Errorf("retry = %v, want %v", got, tc.want)
			}
			if tc.ctx != nil && !errors.Is(err, tc.ctx.Err()) {
				t.Errorf("err = %v, want the context's error", err)
			}
		})
	}
}

// TestCheckRetryUnmarkedRequest: a request that did not go through do is
// never retried.
func TestCheckRetryUnmarkedRequest(t *testing.T) {
	if got, _ := checkRetry(context.Background(), &http.Response{StatusCode: 503}, nil); got {
		t.Error("retried a request whose replayability is unknown")
	}
}

func TestRetryAfter(t *testing.T) {
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		header string
		want   time.Duration
		ok     bool
	}{
		{"", 0, false},
		{"1", time.Second, true},
		{" 7 ", 7 * time.Second, true},
		{"0", 0, true},
		{"-1", 0, false},
		{"1.5", 0, false},
		{"soon", 0, false},
		{"99999999999999999", 0, false},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{now.Add(30 * time.Second).Format(time.RFC850), 30 * time.Second, true},
	} {
		got, ok := retryAfter(tc.header, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("retryAfter(%q) = %v, %v; want %v, %v", tc.header, got, ok, tc.want, tc.ok)
		}
	}
}

func TestBackoffBounds(t *testing.T) {
	const minWait, maxWait = 250 * time.Millisecond, 10 * time.Second
	for attempt := range 40 {
		hi := maxWait
		if attempt < 10 {
			hi = min(maxWait, minWait<<(attempt+1))
		}
		lo := max(minWait, hi/2)
		seen := map[time.Duration]bool{}
		for range 200 {
			w := backoff(minWait, maxWait, attempt, nil)
			if w < lo || w > hi {
				t.Fatalf("attempt %d: wait %v outside [%v, %v]", attempt, w, lo, hi)
			}
			seen[w] = true
		}
		if len(seen) < 10 {
			t.Errorf("attempt %d: %d distinct waits in 200: no jitter?", attempt, len(seen))
		}
	}
	// Huge minimums must not overflow into short or negative waits.
	if w := backoff(time.Hour, 2*time.Hour, 62, nil); w < time.Hour || w > 2*time.Hour {
		t.Errorf("backoff(1h, 2h, 62) = %v", w)
	}
}

func TestBackoffRetryAfter(t *testing.T) {
	resp := func(v string) *http.Response {
		return &http.Response{StatusCode: 429, Header: http.Header{"Retry-After": {v}}}
	}
	for _, tc := range []struct {
		header string
		want   time.Duration
	}{
		{"3", 3 * time.Second},   // exactly, no jitter
		{"0", 0},                 // the server says now
		{"60", 10 * time.Second}, // capped at RetryWaitMax
		{time.Now().Add(time.Hour).UTC().Format(http.TimeFormat), 10 * time.Second},
	} {
		if got := backoff(250*time.Millisecond, 10*time.Second, 0, resp(tc.header)); got != tc.want {
			t.Errorf("Retry-After %q: wait %v, want %v", tc.header, got, tc.want)
		}
	}
	// Unparseable: fall back to the backoff.
	if got := backoff(250*time.Millisecond, 10*time.Second, 0, resp("later")); got < 250*time.Millisecond || got > 500*time.Millisecond {
		t.Errorf("Retry-After later: wait %v", got)
	}
}
