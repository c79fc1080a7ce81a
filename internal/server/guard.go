package server

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
)

// Guards on a request before its handler reads it: the path as sent, the
// body's media type and how long the body may take to arrive.

// uncleanPath reports whether path has an empty, "." or ".." segment, which
// ServeMux would answer with a redirect to the cleaned path and an HTML
// body. The API answers such paths as routes it does not have.
func uncleanPath(path string) bool {
	for seg := range strings.SplitSeq(strings.TrimPrefix(path, "/"), "/") {
		if seg == "" || seg == "." || seg == ".." {
			return true
		}
	}
	return false
}

// hasBody reports whether r carries a request body, of any length.
func hasBody(r *http.Request) bool {
	return r.ContentLength != 0 // -1: chunked, of unknown length
}

// checkContentType refuses a body that is not JSON with 415. Parameters are
// allowed (charset=utf-8), but JSON is UTF-8 (RFC 8259), so no other charset.
func checkContentType(r *http.Request) error {
	ct := r.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if err == nil && mt == "application/json" {
		if cs, ok := params["charset"]; !ok || strings.EqualFold(cs, "utf-8") {
			return nil
		}
	}
	got := "no Content-Type"
	if ct != "" {
		got = fmt.Sprintf("Content-Type %q", ct)
	}
	return &statusError{http.StatusUnsupportedMediaType, &contract.Error{Code: contract.CodeValidationFailed,
		Message: fmt.Sprintf("Content-Type: the request body must be JSON sent as application/json (or application/json; charset=utf-8), not with %s", got),
		Details: map[string]any{"field": "Content-Type"}}}
}

// setBodyDeadline bounds the time a request's body may take to arrive, so
// a request whose Content-Length promises more than it sends is answered
// (408) instead of holding the connection until the client gives up. The
// deadline stays once the body is read: net/http reads what a handler left
// of a body before it answers, and then gives up on it and closes the
// connection; a deadline that passes while a handler works on a body it has
// read cancels nothing (TestBodyTimeoutLeavesSlowHandlers).
func setBodyDeadline(w http.ResponseWriter, r *http.Request, d time.Duration) {
	if hasBody(r) {
		// Only a ResponseWriter that is no connection (a test recorder) cannot.
		_ = http.NewResponseController(w).SetReadDeadline(time.Now().Add(d))
	}
}

// bodyReadError is the answer to a body that could not be read.
func bodyReadError(r *http.Request, timeout time.Duration, err error) error {
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return &statusError{http.StatusRequestTimeout, &contract.Error{Code: contract.CodeValidationFailed,
			Message: fmt.Sprintf("body: did not arrive within %s (Content-Length %d)", timeout, r.ContentLength),
			Details: map[string]any{"field": "body", "timeout_seconds": timeout.Seconds()}}}
	}
	return contract.Invalid("body", "could not be read: %v", err)
}
