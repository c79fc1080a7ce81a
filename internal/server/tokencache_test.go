package server

import (
	"context"
	"net/http/httptest"
	"sync/atomic"
	"testing"
	"time"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
	"github.com/callingportal/terraform-provider-callingportal/internal/portal"
)

// lookupCounter is a store whose reads count the token lookups.
type lookupCounter struct {
	portal.Store
	lookups atomic.Int64
}

func (s *lookupCounter) View(ctx context.Context, fn func(portal.Tx) error) error {
	return s.Store.View(ctx, func(tx portal.Tx) error { return fn(countedTx{tx, &s.lookups}) })
}

type countedTx struct {
	portal.Tx
	lookups *atomic.Int64
}

func (t countedTx) GetTokenByHash(hash string) (contract.Token, error) {
	t.lookups.Add(1)
	return t.Tx.GetTokenByHash(hash)
}

// TestTokenLookedUpOncePerTTL sends requests with one token: the store is
// asked for it once per tokenCacheTTL, not once per request, and an unknown
// token is asked for every time.
func TestTokenLookedUpOncePerTTL(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	a := e.site("site-a", 1, numbers(100, 100)...)
	clock := newFakeClock()
	st := &lookupCounter{Store: e.store}
	srv := httptest.NewServer(New(st, Options{Clock: clock.Now}))
	t.Cleanup(srv.Close)
	cached := &env{t: t, url: srv.URL, store: e.store}

	for range 5 {
		cached.ok(cached.do("GET", "/v1/sites/site-a/inventory", a, nil), 200, nil)
	}
	if n := st.lookups.Load(); n != 1 {
		t.Errorf("5 requests with one token looked it up %d times, want once", n)
	}
	clock.Advance(tokenCacheTTL + time.Second)
	cached.ok(cached.do("GET", "/v1/sites/site-a/inventory", a, nil), 200, nil)
	if n := st.lookups.Load(); n != 2 {
		t.Errorf("after %s: %d lookups, want the token read again", tokenCacheTTL, n)
	}
	for range 2 {
		cached.fails(cached.do("GET", "/v1/sites/site-a/inventory", "cpt_unknown", nil), 401, contract.CodeUnauthorized)
	}
	if n := st.lookups.Load(); n != 4 {
		t.Errorf("two unknown tokens: %d lookups in all, want each looked up", n)
	}
}
