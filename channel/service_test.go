package channel_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/channel/memchannel"
	"github.com/bankkit/bankkit/fault"
)

func TestBadOptionsFailConstruction(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		opt   channel.Option
		field string
	}{
		{"params", channel.WithParams(channel.Params{}), "argon2.threads"},
		{"lockout", channel.WithLockout(channel.LockoutPolicy{MaxFailures: 0, Duration: time.Minute}), "lockout.max_failures"},
		{"ttl", channel.WithSessionTTL(0, time.Hour), "session_ttl"},
	} {
		svc, err := channel.NewService(memchannel.New(), tc.opt)
		var ve *fault.FieldError
		require.ErrorAs(t, err, &ve, tc.name)
		require.ErrorIs(t, err, channel.ErrInvalidInput, tc.name)
		require.Equal(t, tc.field, ve.Field, tc.name)
		require.Nil(t, svc, tc.name)
	}
	_, err := channel.NewService(nil)
	require.ErrorIs(t, err, channel.ErrInvalidInput)
	_, err = channel.NewService(memchannel.New(), channel.WithClock(nil))
	require.ErrorIs(t, err, channel.ErrInvalidInput)
}

func TestRolesAreTheAPIRoles(t *testing.T) {
	t.Parallel()
	// The role names of the HTTP contract (/v1/staff), in its order, and
	// the roles added since: auditor (reads the staff audit trail, nothing
	// else) and wealth_ops (the wealth-management desk).
	want := []channel.Role{"admin", "teller", "loan_officer", "risk_officer", "marketing", "finance", "analyst", "support", "auditor", "wealth_ops", "agent", "atm_operator", "collector"}
	require.Equal(t, want, channel.Roles())
	for _, r := range want {
		require.True(t, r.Valid())
	}
	require.False(t, channel.Role("root").Valid())
}

func TestGenerateToken(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 100 {
		tok, err := channel.GenerateToken()
		require.NoError(t, err)
		require.Regexp(t, `^bk_[A-Za-z0-9_-]{43}$`, tok)
		require.False(t, seen[tok])
		seen[tok] = true
	}
	require.NotEqual(t, channel.HashToken("a"), channel.HashToken("b"))
	require.Len(t, channel.HashToken("a").String(), 64)
}
