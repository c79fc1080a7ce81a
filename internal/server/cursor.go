package server

import (
	"bytes"
	"crypto/sha256"
	"encoding/base64"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
)

// A cursor is opaque to callers: base64url of a tag and the last key of the
// page before. The tag is the first bytes of SHA-256 over the list (its
// route and site), its filters (the query without limit and cursor) and the
// key, so a cursor of another list or filter, a truncated one or one made up
// is refused (422) instead of being read as a key. The tag is no secret: it
// catches mistakes, not forgery, and a forged cursor only moves the page's
// start within what the token may read anyway. Cursors do not depend on the
// process, so they work across restarts and across portals on one database.
const cursorTagLen = 8

// pager is one page's limit and start, with the list it pages.
type pager struct {
	portal.Page
	scope string // the list and its filters
}

// page reads limit and cursor. Limit is what the caller asked for; fetch
// asks the store for one more row to learn whether another page follows.
func (c *call) page() (pager, error) {
	q := c.r.URL.Query()
	p := pager{Page: portal.Page{Limit: defaultLimit}, scope: c.cursorScope(q)}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxLimit {
			return p, contract.Invalid("limit", "%q must be a whole number from 1 to %d", v, maxLimit)
		}
		p.Limit = n
	}
	if v := q.Get("cursor"); v != "" {
		raw, err := base64.RawURLEncoding.DecodeString(v)
		switch {
		case err != nil || len(raw) <= cursorTagLen || !utf8.Valid(raw[cursorTagLen:]):
			return p, contract.Invalid("cursor", "is not a cursor this API returned: pass next_cursor unchanged")
		case !bytes.Equal(raw[:cursorTagLen], p.tag(raw[cursorTagLen:])):
			return p, contract.Invalid("cursor", "is a cursor of another list or of other filters: "+
				"pass next_cursor unchanged, with the same path and filters as the page it came with")
		}
		p.After = string(raw[cursorTagLen:])
	}
	return p, nil
}

// cursorScope names the list this call reads with query q.
func (c *call) cursorScope(q url.Values) string {
	filters := url.Values{}
	for k, v := range q {
		if k != "limit" && k != "cursor" {
			filters[k] = v
		}
	}
	return c.route.method + " " + c.route.path + "\n" + c.site + "\n" + filters.Encode() + "\n"
}

// tag is the tag of a cursor of this list after key.
func (p pager) tag(key []byte) []byte {
	h := sha256.New()
	h.Write([]byte(p.scope))
	h.Write(key)
	return h.Sum(nil)[:cursorTagLen]
}

func (p pager) cursor(key string) string {
	return base64.RawURLEncoding.EncodeToString(append(p.tag([]byte(key)), key...))
}

func fetch(p pager) portal.Page { return portal.Page{After: p.After, Limit: p.Limit + 1} }

// pageOf trims rows fetched with fetch(p) to one page.
func pageOf[T any](rows []T, p pager, key func(T) string) list[T] {
	l := list[T]{Items: rows}
	if len(rows) > p.Limit {
		l.Items = rows[:p.Limit]
		l.NextCursor = p.cursor(key(l.Items[p.Limit-1]))
	}
	if l.Items == nil {
		l.Items = []T{}
	}
	return l
}

// checkQuery refuses a query string that does not parse, which url.Query
// would silently drop a part of (cursor=%zz would read the first page).
// The error names the parameter of the first part that does not parse.
func checkQuery(raw string) error {
	if _, err := url.ParseQuery(raw); err == nil {
		return nil
	}
	for part := range strings.SplitSeq(raw, "&") {
		if _, err := url.ParseQuery(part); err != nil {
			name, _, _ := strings.Cut(part, "=")
			if n, err := url.QueryUnescape(name); err == nil && n != "" && !strings.Contains(n, ";") {
				name = n
			} else {
				name = "query"
			}
			return contract.Invalid(name, "%q is not URL-encoded: escape %% as %%25 and ; as %%3B", part)
		}
	}
	return contract.Invalid("query", "is not URL-encoded")
}
