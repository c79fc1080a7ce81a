package client

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	pathpkg "path"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/hashicorp/go-retryablehttp"
)

// An option sets a header of one request.
type option func(http.Header)

// ifMatch makes a write conditional on the version last read; 0 means
// unconditional.
func ifMatch(version int64) option {
	return func(h http.Header) {
		if version != 0 {
			h.Set("If-Match", `"`+strconv.FormatInt(version, 10)+`"`)
		}
	}
}

// ifNoneMatchAny makes an assignment fail rather than move a held number.
func ifNoneMatchAny(on bool) option {
	return func(h http.Header) {
		if on {
			h.Set("If-None-Match", "*")
		}
	}
}

// idempotencyKey gives a write a fresh random key, which its retries reuse:
// a write that reached the portal is replayed rather than repeated. So a
// create is never made twice (creates have keys of their own, createKey),
// and a conditional write (If-Match,
// If-None-Match) whose answer was lost gets its own answer back instead of
// a 412 from meeting its own change. Only routes that honour the key may
// carry one, because a POST with a key is retried (see replayable); POST
// /v1/tokens does not, and is sent once.
func idempotencyKey() option {
	return func(h http.Header) { h.Set("Idempotency-Key", rand.Text()) }
}

// createKey is the Idempotency-Key of a create of in at path: the same for
// the same create, in this run or a later one, so that a run which lost
// the answer to a create (its retries ran out, or it was interrupted) and
// sends it again gets the object the first one made, not an error or a
// second object. The portal replays a create only while its object exists
// (DESIGN.md), so a create after a delete makes a new one. The key is an
// HMAC under the token, so that it reveals nothing of the body (a PIN) to
// whoever reads the portal's records, and differs from another token's.
func (c *Client) createKey(path string, in any) string {
	mac := hmac.New(sha256.New, []byte(c.token))
	body, _ := json.Marshal(in) // newRequest reports an input that does not encode
	mac.Write([]byte(http.MethodPost + " " + path + "\n"))
	mac.Write(body)
	return "create-" + hex.EncodeToString(mac.Sum(nil))
}

// create sends a create of in at path under its createKey. A create this
// client already had answered is another object of the same body (the
// portal refuses such a duplicate): it gets a fresh key, so that two
// resources never share one object.
func create[T any](ctx context.Context, c *Client, path string, in any) (T, error) {
	key := c.createKey(path, in)
	c.writeMu.Lock()
	if c.created[key] {
		key = rand.Text()
	}
	c.writeMu.Unlock()
	v, err := call[T](ctx, c, http.MethodPost, path, in, func(h http.Header) { h.Set("Idempotency-Key", key) })
	if err == nil {
		c.writeMu.Lock()
		c.created[key] = true
		c.writeMu.Unlock()
	}
	return v, err
}

// earlierCreate is the ID of the object that an earlier create of in at
// path made, while it exists; ErrNotFound when none did.
func (c *Client) earlierCreate(ctx context.Context, path string, in any) (string, error) {
	e, err := call[contract.EarlierCreate](ctx, c, http.MethodGet, c.sitePath("idempotency-keys", c.createKey(path, in)), nil)
	if err != nil {
		return "", err
	}
	dir, id := pathpkg.Split(e.Location)
	if dir != path+"/" || id == "" {
		return "", fmt.Errorf("GET %s: the earlier create made %q, not an object of %s", c.sitePath("idempotency-keys", "…"), e.Location, path)
	}
	return url.PathUnescape(id)
}

func accept(mediaType string) option {
	return func(h http.Header) { h.Set("Accept", mediaType) }
}

// sitePath is an API path below the client's site, each segment escaped.
func (c *Client) sitePath(segments ...string) string {
	p := "/v1/sites/" + url.PathEscape(c.Site)
	for _, s := range segments {
		p += "/" + url.PathEscape(s)
	}
	return p
}

// newRequest builds a call of the API: path is escaped and starts with /v1,
// in (if not nil) is sent as JSON, opts add conditional headers.
func (c *Client) newRequest(ctx context.Context, method, path string, q url.Values, in any, opts ...option) (*retryablehttp.Request, error) {
	var body any
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return nil, fmt.Errorf("%s %s: encoding request: %w", method, path, err)
		}
		body = b
	}
	u := c.baseURL + path
	if len(q) > 0 {
		u += "?" + q.Encode()
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, method, u, body)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", method, path, err)
	}
	req.Header.Set("Authorization", "Bearer "+c.token)
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for _, o := range opts {
		o(req.Header)
	}
	return req, nil
}

// do sends req with the retry policy and decodes the answer: a JSON body
// into out, a body to out itself if it is an io.Writer, nothing if out is
// nil. A failed call returns a *contract.Error, or the transport error wrapped
// with the method and path.
func (c *Client) do(req *retryablehttp.Request, out any) error {
	method, path := req.Method, req.URL.EscapedPath()
	req = req.WithContext(withReplayable(req.Context(), req.Method, req.Header))
	if method != http.MethodGet {
		defer c.wrote(method, path)
	}
	resp, err := c.http.Do(req)
	if resp != nil {
		defer resp.Body.Close()
	}
	if err != nil {
		if hint := tlsHint(err); hint != "" {
			// Nothing reached the portal, whatever the method.
			return fmt.Errorf("%s %s: %w (%s)", method, path, err, hint)
		}
		if !replayable(method, req.Header) && !errors.Is(err, context.Canceled) {
			// The portal may have applied it: say so rather than leave "EOF".
			return fmt.Errorf("%s %s: %w (sent once, not retried: it may or may not have taken effect)", method, path, err)
		}
		return fmt.Errorf("%s %s: %w", method, path, err)
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return decodeError(method, path, resp)
	}
	if l := c.log(req.Context()); l != nil && resp.Header.Get("Idempotent-Replayed") == "true" {
		l.Debug("portal replayed an earlier answer to this create", "method", method, "path", path)
	}
	switch out := out.(type) {
	case nil:
		_, err = io.Copy(io.Discard, resp.Body)
	case io.Writer:
		_, err = io.Copy(out, resp.Body)
	default:
		if err = json.NewDecoder(resp.Body).Decode(out); errors.Is(err, io.EOF) {
			err = nil // 204 or an empty body: nothing to decode
		}
	}
	if err != nil {
		return fmt.Errorf("%s %s: reading response: %w", method, path, err)
	}
	return nil
}

// call is newRequest and do for the common case of one JSON object back.
func call[T any](ctx context.Context, c *Client, method, path string, in any, opts ...option) (T, error) {
	var out T
	req, err := c.newRequest(ctx, method, path, nil, in, opts...)
	if err != nil {
		return out, err
	}
	return out, c.do(req, &out)
}

// listAll reads every page of a list, so callers never see cursors.
func listAll[T any](ctx context.Context, c *Client, path string, q url.Values) ([]T, error) {
	q = cloneValues(q)
	q.Set("limit", "1000") // the API's largest page
	all := []T{}
	for {
		var page struct {
			Items      []T    `json:"items"`
			NextCursor string `json:"next_cursor"`
		}
		req, err := c.newRequest(ctx, http.MethodGet, path, q, nil)
		if err != nil {
			return nil, err
		}
		if err := c.do(req, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Items...)
		if page.NextCursor == "" {
			return all, nil
		}
		if page.NextCursor == q.Get("cursor") {
			return nil, fmt.Errorf("GET %s: the portal returned cursor %q twice", path, page.NextCursor)
		}
		q.Set("cursor", page.NextCursor)
	}
}

// findOne is the first item a list filter matches, or a not_found error
// worded like the portal's own.
func findOne[T any](ctx context.Context, c *Client, path, kind, filter, value string) (T, error) {
	var zero T
	found, err := listAll[T](ctx, c, path, url.Values{filter: {value}})
	if err != nil {
		return zero, err
	}
	if len(found) == 0 {
		return zero, &contract.Error{Code: contract.CodeNotFound,
			Message: fmt.Sprintf("no %s with %s %q on site %s", kind, filter, value, c.Site),
			Details: map[string]any{"kind": kind, filter: value, "site": c.Site}}
	}
	return found[0], nil
}

func cloneValues(q url.Values) url.Values {
	out := make(url.Values, len(q)+2)
	for k, v := range q {
		out[k] = append([]string(nil), v...)
	}
	return out
}

// decodeError turns a failed answer into a *contract.Error: the portal's own
// JSON error when there is one, else one whose code follows the status
// (a proxy's HTML page, a truncated body).
func decodeError(method, path string, resp *http.Response) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	var e contract.Error
	if json.Unmarshal(body, &e) == nil && e.Code != "" {
		if e.Message == "" {
			e.Message = fmt.Sprintf("%s %s: %s (HTTP %d)", method, path, e.Code, resp.StatusCode)
		}
		return &e
	}
	msg := fmt.Sprintf("%s %s: HTTP %s", method, path, resp.Status)
	if x := excerpt(body, 200); x != "" {
		msg += ": " + x
	}
	return &contract.Error{Code: codeForStatus(resp.StatusCode), Message: msg,
		Details: map[string]any{"status": resp.StatusCode}}
}

func codeForStatus(status int) contract.Code {
	switch status {
	case http.StatusUnauthorized:
		return contract.CodeUnauthorized
	case http.StatusForbidden:
		return contract.CodeForbidden
	case http.StatusNotFound:
		return contract.CodeNotFound
	case http.StatusConflict:
		return contract.CodeConflict
	case http.StatusPreconditionFailed:
		return contract.CodePreconditionFailed
	case http.StatusUnprocessableEntity:
		return contract.CodeValidationFailed
	case http.StatusTooManyRequests:
		return contract.CodeRateLimited
	}
	return contract.CodeInternal
}

// excerpt is the start of body on one line, for a message.
func excerpt(body []byte, limit int) string {
	s := strings.Join(strings.Fields(string(bytes.ToValidUTF8(body, []byte("?")))), " ")
	if len(s) <= limit {
		return s
	}
	cut := limit
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}
