package refserver

import (
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/bankkit/bankkit/channel"
)

// TokenCacheTTL bounds how long this process trusts a token it has
// authenticated without asking the channel store again: every request
// otherwise costs two lookups (session, identity). A token revoked through
// another process (a logout there, an identity disabled in the database)
// may therefore still work here for up to this long; a logout through this
// process ends it here at once. docs/api.md and docs/operations.md say so.
const TokenCacheTTL = 5 * time.Second

// tokenCacheMax bounds the entries; a full cache is emptied of what has
// expired, or else wholly, rather than grown.
const tokenCacheMax = 10000

// tokenCache remembers authenticated principals by token hash (never the
// token itself) for TokenCacheTTL on the server's clock, and no longer
// than the session lasts.
type tokenCache struct {
	mu sync.Mutex
	m  map[channel.TokenHash]cachedPrincipal
}

type cachedPrincipal struct {
	p     channel.Principal
	until time.Time
}

func newTokenCache() *tokenCache { return &tokenCache{m: map[channel.TokenHash]cachedPrincipal{}} }

func (c *tokenCache) get(hash channel.TokenHash, now time.Time) (channel.Principal, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[hash]
	if !ok || !now.Before(e.until) {
		return channel.Principal{}, false
	}
	return e.p, true
}

func (c *tokenCache) put(hash channel.TokenHash, p channel.Principal, now time.Time) {
	until := now.Add(TokenCacheTTL)
	if !p.ExpiresAt.IsZero() && p.ExpiresAt.Before(until) {
		until = p.ExpiresAt
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.m) >= tokenCacheMax {
		for k, e := range c.m {
			if !now.Before(e.until) {
				delete(c.m, k)
			}
		}
		if len(c.m) >= tokenCacheMax {
			clear(c.m)
		}
	}
	c.m[hash] = cachedPrincipal{p: p, until: until}
}

// forgetSession drops every entry of session id: it was revoked here.
func (c *tokenCache) forgetSession(id uuid.UUID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k, e := range c.m {
		if e.p.SessionID == id {
			delete(c.m, k)
		}
	}
}
