package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
	"github.com/callingportal/terraform-provider-callingportal/internal/server/replay"
)

// call is one request on its way through a handler.
type call struct {
	w     http.ResponseWriter
	r     *http.Request
	tok   contract.Token
	site  string // the {site} path value, if the route has one
	route route
	body  []byte // the request decode parsed, encoded again, for the idempotency hash
	// bodyTimeout bounds the body's arrival (Options.BodyTimeout).
	bodyTimeout time.Duration
}

// statusError answers a portal error with a status other than its code's
// (413 for a body over the limit, 405 for a wrong method).
type statusError struct {
	status int
	err    *contract.Error
}

func (e *statusError) Error() string { return e.err.Message }
func (e *statusError) Unwrap() error { return e.err }

// writeError answers with {"code","message","details"}. Errors that are not
// portal errors are bugs or outages: logged in full, answered generically.
func (s *server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	var pe *contract.Error
	status := 0
	var se *statusError
	if errors.As(err, &se) {
		pe, status = se.err, se.status
	} else if errors.As(err, &pe) {
		status = contract.StatusOf(pe)
	}
	if pe == nil || status == 0 || pe.Code == contract.CodeInternal {
		s.log.Error("request failed", "method", r.Method, "path", r.URL.Path, "error", err)
		pe, status = &contract.Error{Code: contract.CodeInternal, Message: "internal error: the portal could not complete the request"},
			http.StatusInternalServerError
	}
	if pe.Message == "" { // a bare sentinel from a store
		pe = &contract.Error{Code: pe.Code, Message: strings.ReplaceAll(string(pe.Code), "_", " "), Details: pe.Details}
	}
	body, _ := marshal(pe)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body) // a failed write means the client has gone
}

// marshal encodes v without HTML escaping: messages quote "Name <email>".
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(v)
	return buf.Bytes(), err
}

// reply is a response made inside a transaction, so that an idempotent
// create can record exactly what it sends.
type reply struct {
	status   int
	body     []byte
	etag     string
	location string
}

func jsonReply(status int, v any, location string) (reply, error) {
	rep := reply{status: status, location: location, etag: etagOf(v)}
	if status == http.StatusNoContent {
		return rep, nil
	}
	var err error
	rep.body, err = marshal(v)
	return rep, err
}

// etagOf is the ETag of objects with a version.
func etagOf(v any) string {
	var version int64
	switch o := v.(type) {
	case contract.Site:
		version = o.Version
	case contract.Number:
		version = o.Version
	case contract.User:
		version = o.Version
	case contract.Phone:
		version = o.Version
	case contract.Service:
		version = o.Version
	default:
		return ""
	}
	return `"` + strconv.FormatInt(version, 10) + `"`
}

func (c *call) send(rep reply, replayed bool) {
	h := c.w.Header()
	if rep.body != nil {
		h.Set("Content-Type", "application/json")
	}
	if rep.etag != "" {
		h.Set("ETag", rep.etag)
	}
	if rep.location != "" {
		h.Set("Location", rep.location)
	}
	if replayed {
		h.Set("Idempotent-Replayed", "true")
	}
	c.w.WriteHeader(rep.status)
	_, _ = c.w.Write(rep.body) // a failed write means the client has gone
}

// view answers 200 with what fn reads in one snapshot. An unknown {site} is
// 404 rather than an empty list.
func view[T any](s *server, c *call, fn func(portal.Tx) (T, error)) error {
	var v T
	err := s.store.View(c.r.Context(), func(tx portal.Tx) error {
		if err := siteExists(tx, c.site); err != nil {
			return err
		}
		var err error
		v, err = fn(tx)
		return err
	})
	if err != nil {
		return err
	}
	rep, err := jsonReply(http.StatusOK, v, "")
	if err != nil {
		return err
	}
	c.send(rep, false)
	return nil
}

func siteExists(tx portal.Tx, site string) error {
	if site == "" {
		return nil
	}
	_, err := tx.GetSite(site)
	return err
}

// change answers 200 with the object fn writes.
func change[T any](s *server, c *call, fn func(portal.Tx) (T, error)) error {
	return s.write(c, func(tx portal.Tx) (reply, error) {
		v, err := fn(tx)
		if err != nil {
			return reply{}, err
		}
		return jsonReply(http.StatusOK, v, "")
	})
}

// create answers 201 with the object fn creates and its Location.
func create[T any](s *server, c *call, fn func(portal.Tx) (T, error), location func(T) string) error {
	return s.write(c, func(tx portal.Tx) (reply, error) {
		v, err := fn(tx)
		if err != nil {
			return reply{}, err
		}
		return jsonReply(http.StatusCreated, v, location(v))
	})
}

// idempotencyCutoff is when the records still kept were made, at the
// earliest: older ones have expired (Options.IdempotencyTTL).
func (s *server) idempotencyCutoff() time.Time {
	return s.opts.Clock().Add(-s.opts.IdempotencyTTL)
}

// sweepEvery is how often writes delete the expired idempotency records: a
// sweep on every write was one more statement in each, under the site's
// lock. A record read is checked against the cutoff anyway, so one that
// has expired but is not yet swept is never replayed.
const sweepEvery = time.Minute

// sweepDue says whether this write should sweep, and if so claims the sweep:
// at most one write per sweepEvery does, across the server's goroutines.
func (s *server) sweepDue() bool {
	now, last := s.opts.Clock().UnixNano(), s.swept.Load()
	return now-last >= int64(sweepEvery) && s.swept.CompareAndSwap(last, now)
}

// createdExists says whether the object at location, which a create
// answered with, still exists: a create is replayed only while it does, so
// that a key that a later run sends again (see the client's createKey)
// makes the object anew once it was deleted. Answers that made no object
// (no location) always replay.
func createdExists(tx portal.Tx, location string) (bool, error) {
	if location == "" {
		return true, nil
	}
	var parts []string
	for _, p := range strings.Split(strings.TrimPrefix(location, "/v1/sites/"), "/") {
		u, err := url.PathUnescape(p)
		if err != nil {
			return false, fmt.Errorf("server: replay record with a bad location %q: %w", location, err)
		}
		parts = append(parts, u)
	}
	var err error
	switch {
	case len(parts) == 1:
		_, err = tx.GetSite(parts[0])
	case len(parts) == 3 && parts[1] == "users":
		_, err = tx.GetUser(parts[0], parts[2])
	case len(parts) == 3 && parts[1] == "phones":
		_, err = tx.Phones().Get(parts[0], parts[2])
	case len(parts) == 3 && parts[1] == "services":
		_, err = tx.Services().Get(parts[0], parts[2])
	default:
		return false, fmt.Errorf("server: replay record with an unknown location %q", location)
	}
	if contract.CodeOf(err) == contract.CodeNotFound {
		return false, nil
	}
	return err == nil, err
}

// remove answers 204 once fn has deleted.
func remove(s *server, c *call, fn func(portal.Tx) error) error {
	return s.write(c, func(tx portal.Tx) (reply, error) {
		return reply{status: http.StatusNoContent}, fn(tx)
	})
}

// update runs fn as a write of c's site when the route names one, so the
// store may batch it with the site's other writes (portal.Store.UpdateSite).
func (s *server) update(c *call, fn func(portal.Tx) error) error {
	if c.site == "" {
		return s.store.Update(c.r.Context(), fn)
	}
	return s.store.UpdateSite(c.r.Context(), c.site, fn)
}

// write runs fn in one write transaction and sends its reply. As in view,
// an unknown {site} is 404 before any rule runs. On a write with an
// Idempotency-Key, the key is looked up and recorded in that same
// transaction: a write that committed is replayed, never repeated (so a
// conditional write whose answer was lost does not meet its own change as a
// conflict), and one that failed left no record and may be retried.
func (s *server) write(c *call, fn func(portal.Tx) (reply, error)) error {
	key := c.r.Header.Get("Idempotency-Key")
	idempotent := key != "" && c.route.idempotent
	var hash string
	if idempotent {
		if len(key) > 255 || strings.ContainsFunc(key, func(r rune) bool { return r < 0x21 || r > 0x7e }) {
			return contract.Invalid("Idempotency-Key", "must be 1 to 255 printable ASCII characters, such as a UUID")
		}
		hash = requestHash(c)
	}
	var rep reply
	replayed := false
	err := s.update(c, func(tx portal.Tx) error {
		if c.site != "" {
			// Lock the site first, as every rule of a site's write does, so
			// that two retries racing on a store with row locks cannot both
			// miss the record and both create. An unknown site is 404.
			if _, err := tx.LockSite(c.site); err != nil {
				return err
			}
		}
		records, ok := tx.(replay.Tx)
		if idempotent && !ok {
			return fmt.Errorf("server: the store keeps no idempotency records (%T is no replay.Tx)", tx)
		}
		if idempotent {
			cutoff := s.idempotencyCutoff()
			if s.sweepDue() {
				if err := records.DeleteIdempotencyBefore(cutoff); err != nil {
					return err
				}
			}
			rec, err := records.GetIdempotency(c.tok.ID, key)
			switch {
			case contract.CodeOf(err) == contract.CodeNotFound, err == nil && rec.CreatedAt.Before(cutoff):
			case err != nil:
				return err
			case rec.RequestHash != hash:
				return &contract.Error{Code: contract.CodeIdempotencyKeyReused,
					Message: "this Idempotency-Key was already used for a different request: send a new key for each new request",
					Details: map[string]any{"idempotency_key": key}}
			default:
				live, err := createdExists(tx, rec.Location)
				if err != nil {
					return err
				}
				if live {
					rep, replayed = reply{status: rec.Status, body: rec.Body, location: rec.Location, etag: etagOfBody(rec.Body)}, true
					return nil
				}
			}
			// No record, or one of a create whose object is gone since: the
			// request runs as new, and its answer replaces the record.
		}
		var err error
		if rep, err = fn(tx); err != nil || !idempotent {
			return err
		}
		return records.PutIdempotency(replay.Record{Scope: c.tok.ID, Key: key, RequestHash: hash,
			Status: rep.status, Body: rep.body, Location: rep.location, CreatedAt: s.opts.Clock()})
	})
	if err != nil {
		return err
	}
	c.send(rep, replayed)
	return nil
}

// requestHash identifies a write as parsed: its route, its path values
// (a number in canonical E.164, however the path spelt it) and its body as
// decode parsed it.
func requestHash(c *call) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s %s\n", c.route.method, c.route.path)
	for _, name := range pathValueNames(c.route.path) {
		v := c.r.PathValue(name)
		if name == "number" {
			if n, err := contract.NormalizeNumber(v, ""); err == nil {
				v = n
			}
		}
		fmt.Fprintf(h, "%s=%q\n", name, v)
	}
	h.Write(c.body)
	return hex.EncodeToString(h.Sum(nil))
}

// pathValueNames lists the wildcards of a route's path, in order.
func pathValueNames(path string) []string {
	var names []string
	for seg := range strings.SplitSeq(path, "/") {
		if name, ok := strings.CutPrefix(seg, "{"); ok {
			names = append(names, strings.TrimSuffix(name, "}"))
		}
	}
	return names
}

// etagOfBody recovers a replayed object's ETag: records keep only the body.
func etagOfBody(body []byte) string {
	var v struct {
		Version int64 `json:"version"`
	}
	if json.Unmarshal(body, &v) != nil || v.Version == 0 {
		return ""
	}
	return `"` + strconv.FormatInt(v.Version, 10) + `"`
}

// decode reads the JSON body into v, strictly: an unknown field is a
// mistake the caller should hear about, not have silently dropped.
//
// A body must be sent as application/json (415 otherwise). The body read is
// bounded by a deadline that endpoint set (408 when it passes).
func (c *call) decode(v any) error {
	if hasBody(c.r) {
		if err := checkContentType(c.r); err != nil {
			return err
		}
	}
	body, err := io.ReadAll(c.r.Body)
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return &statusError{http.StatusRequestEntityTooLarge, &contract.Error{Code: contract.CodeValidationFailed,
			Message: fmt.Sprintf("the request body is larger than the limit of %d bytes", tooBig.Limit),
			Details: map[string]any{"field": "body", "limit_bytes": tooBig.Limit}}}
	}
	if err != nil {
		return bodyReadError(c.r, c.bodyTimeout, err)
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return contract.Invalid("body", "is required: send a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return jsonError(err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return contract.Invalid("body", "must hold a single JSON object")
	}
	// The request as parsed, not its bytes: a retry that spells the same
	// JSON with other spacing, key order or key case is the same request.
	c.body, err = json.Marshal(v)
	return err
}

func jsonError(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr) && typeErr.Field != "":
		return contract.Invalid(jsonPath(typeErr.Field), "must be %s, not a JSON %s", jsonKind(typeErr.Type), typeErr.Value)
	case errors.As(err, &typeErr):
		return contract.Invalid("body", "must be a JSON object, not a JSON %s", typeErr.Value)
	case errors.As(err, &syntaxErr):
		return contract.Invalid("body", "is not valid JSON: %v (at byte %d)", err, syntaxErr.Offset)
	case errors.Is(err, io.ErrUnexpectedEOF):
		return contract.Invalid("body", "is not valid JSON: it ends too early")
	}
	// encoding/json reports an unknown field only in its message.
	if name, ok := strings.CutPrefix(err.Error(), "json: unknown field "); ok {
		name = strings.Trim(name, `"`)
		return contract.Invalid(name, "is not a field of this request")
	}
	return contract.Invalid("body", "is not valid JSON: %v", err)
}

func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a whole number"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Pointer:
		return jsonKind(t.Elem())
	}
	return "an object"
}

// condition reads If-Match (and, where allowed, If-None-Match: *).
func (c *call) condition(allowIfNoneMatch bool) (portal.Condition, error) {
	var cond portal.Condition
	if v := strings.TrimSpace(c.r.Header.Get("If-Match")); v != "" && v != "*" {
		n, ok := parseETag(v)
		if !ok {
			return cond, contract.Invalid("If-Match", `%q is not an ETag of this API, such as "3"`, v)
		}
		cond.IfMatch = n
	}
	if v := strings.TrimSpace(c.r.Header.Get("If-None-Match")); v != "" {
		if !allowIfNoneMatch || v != "*" {
			return cond, contract.Invalid("If-None-Match", `only "*" is supported, and only to assign a number that is available`)
		}
		cond.MustBeAvailable = true
	}
	return cond, nil
}

// parseETag reads a strong ETag "<version>". Version 0 would mean
// "unconditional" to the rules, so it is malformed too.
func parseETag(v string) (int64, bool) {
	inner, open := strings.CutPrefix(v, `"`)
	inner, closed := strings.CutSuffix(inner, `"`)
	n, err := strconv.ParseInt(inner, 10, 64)
	return n, open && closed && err == nil && n > 0
}

const (
	defaultLimit = 100
	maxLimit     = 1000
)

// list is every list response: one page of items and, unless it is the
// last page, the cursor of the next.
type list[T any] struct {
	Items      []T    `json:"items"`
	NextCursor string `json:"next_cursor,omitempty"`
}

// found is the list a filter on a unique key gives: one item or none.
func found[T any](v T, err error) (list[T], error) {
	switch {
	case err == nil:
		return list[T]{Items: []T{v}}, nil
	case contract.CodeOf(err) == contract.CodeNotFound:
		return list[T]{Items: []T{}}, nil
	}
	return list[T]{}, err
}

// jsonPath is the JSON name of a field that encoding/json reports with the
// Go names of the structs it is embedded in ("TargetInput.name"): the API's
// names are all lowercase.
func jsonPath(field string) string {
	parts := strings.Split(field, ".")
	return strings.Join(slices.DeleteFunc(parts, func(p string) bool { return p != "" && unicode.IsUpper(rune(p[0])) }), ".")
}
