package server

import (
	"sync"
	"time"

	"github.com/callingportal/terraform-provider-callingportal/internal/contract"
)

// tokenCacheTTL is how long a token found in the store is trusted without
// reading it again. Looking the token up was a store read on every request
// (8.6% of the portal's CPU under load); the portal has no way to revoke or
// change a token, so the cache serves only what the store would, and a
// later way to revoke one is honoured within this time by every portal on
// the database.
const tokenCacheTTL = 5 * time.Second

// tokenCache keeps the tokens that authenticated recently, by secret hash.
// Only tokens that exist are kept, so its size is bounded by the store's
// tokens, not by what clients send.
type tokenCache struct {
	mu      sync.Mutex
	byHash  map[string]cachedToken
	pruneAt time.Time
}

type cachedToken struct {
	tok   contract.Token
	until time.Time
}

// get returns the token of hash if it was put less than tokenCacheTTL ago.
func (c *tokenCache) get(hash string, now time.Time) (contract.Token, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.byHash[hash]
	if !ok || !now.Before(e.until) {
		return contract.Token{}, false
	}
	return e.tok, true
}

// put keeps tok under hash, and now and then forgets the expired tokens.
func (c *tokenCache) put(hash string, tok contract.Token, now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.byHash == nil {
		c.byHash = map[string]cachedToken{}
	}
	if now.After(c.pruneAt) {
		for h, e := range c.byHash {
			if !now.Before(e.until) {
				delete(c.byHash, h)
			}
		}
		c.pruneAt = now.Add(tokenCacheTTL)
	}
	c.byHash[hash] = cachedToken{tok: tok, until: now.Add(tokenCacheTTL)}
}
