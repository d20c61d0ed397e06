package channel_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/channel/memchannel"
)

// Every login, whatever its outcome, must cost exactly one argon2id
// derivation: otherwise the time it takes tells an unknown username from a
// known one, or a locked identity from an open one. The test counts
// derivations instead of measuring time. It swaps a package variable, so it
// does not run in parallel (parallel tests start after it ends).
func TestEveryLoginOutcomeCostsOneHash(t *testing.T) {
	var derivations atomic.Int64
	var derive func(password, salt []byte, passes, memory uint32, threads uint8, keyLen uint32) []byte
	derive = channel.SwapDeriveKey(func(password, salt []byte, passes, memory uint32, threads uint8, keyLen uint32) []byte {
		derivations.Add(1)
		return derive(password, salt, passes, memory, threads, keyLen)
	})
	t.Cleanup(func() { channel.SwapDeriveKey(derive) })

	ctx := context.Background()
	svc, err := channel.NewService(memchannel.New(), channel.WithParams(fast),
		channel.WithClock(calendar.NewManualClock(time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC))))
	require.NoError(t, err)
	const pw = "correct horse battery"
	for _, u := range []string{"known.user", "disabled.user", "locked.user"} {
		_, err := svc.CreateStaff(ctx, channel.NewStaff{Username: u, Password: pw, Roles: []channel.Role{channel.RoleTeller}})
		require.NoError(t, err)
	}
	disabled, err := svc.IdentityByUsername(ctx, "disabled.user")
	require.NoError(t, err)
	_, err = svc.Disable(ctx, disabled.ID)
	require.NoError(t, err)
	for range channel.DefaultLockout.MaxFailures {
		_, err := svc.Login(ctx, "locked.user", "wrong password!!")
		require.ErrorIs(t, err, channel.ErrInvalidCredentials)
	}
	// The dummy credential is made once, on the first unknown username;
	// make it now so that it does not count below.
	require.NoError(t, svc.PrepareDummy())

	for _, tc := range []struct {
		name, username, password string
		ok                       bool
	}{
		{"unknown username", "no.such.user", pw, false},
		{"wrong password", "known.user", "wrong password!!", false},
		{"disabled identity", "disabled.user", pw, false},
		{"locked identity", "locked.user", pw, false},
		{"success", "known.user", pw, true},
	} {
		before := derivations.Load()
		_, err := svc.Login(ctx, tc.username, tc.password)
		if tc.ok {
			require.NoError(t, err, tc.name)
		} else {
			require.ErrorIs(t, err, channel.ErrInvalidCredentials, tc.name)
		}
		require.Equal(t, int64(1), derivations.Load()-before, tc.name)
	}
}
