package refserver

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
)

// A logout through this process ends the token here at once, cached or
// not; a token revoked elsewhere (another process, straight in the store)
// may still work here within TokenCacheTTL, and not after it.
func TestTokenCacheHonoursRevocation(t *testing.T) {
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			clock := calendar.NewManualClock(calendar.SystemClock{}.Now())
			b := newBankWithClock(t, storage, clock)
			token := b.staff("teller")
			b.must(200, b.do("GET", "/v1/business-date", token, nil)) // cached now
			b.must(204, b.do("POST", "/v1/auth/logout", token, nil))
			b.must(401, b.do("GET", "/v1/business-date", token, nil))

			other := b.staff("teller")
			p := b.must(200, b.do("GET", "/v1/business-date", other, nil))
			require.NotEmpty(t, p.raw)
			principal, err := b.srv.channel.Authenticate(context.Background(), other)
			require.NoError(t, err)
			_, err = b.srv.channel.RevokeSession(context.Background(), principal.SessionID) // as another process would
			require.NoError(t, err)
			b.must(200, b.do("GET", "/v1/business-date", other, nil)) // within the bound
			clock.Advance(TokenCacheTTL)
			b.must(401, b.do("GET", "/v1/business-date", other, nil))
		})
	}
}
