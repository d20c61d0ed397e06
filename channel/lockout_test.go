package channel_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/channel"
)

func TestLockoutAttempt(t *testing.T) {
	t.Parallel()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	p := channel.LockoutPolicy{MaxFailures: 3, Duration: time.Hour}
	for _, tc := range []struct {
		name         string
		in           channel.Identity
		wantAdmitted bool
		wantCount    int
		wantUntil    time.Time
	}{
		{"first attempt", channel.Identity{}, true, 1, time.Time{}},
		{"below the limit", channel.Identity{FailedLogins: 1}, true, 2, time.Time{}},
		{"reaching the limit locks", channel.Identity{FailedLogins: 2}, true, 3, now.Add(time.Hour)},
		{"locked: refused, unchanged", channel.Identity{FailedLogins: 3, LockedUntil: now.Add(time.Minute)}, false, 3, now.Add(time.Minute)},
		{"lock ended: count restarts", channel.Identity{FailedLogins: 3, LockedUntil: now}, true, 1, time.Time{}},
	} {
		got, admitted := p.Attempt(tc.in, now)
		require.Equal(t, tc.wantAdmitted, admitted, tc.name)
		require.Equal(t, tc.wantCount, got.FailedLogins, tc.name)
		require.True(t, tc.wantUntil.Equal(got.LockedUntil), "%s: locked until %v", tc.name, got.LockedUntil)
	}
	require.Error(t, channel.LockoutPolicy{MaxFailures: 0, Duration: time.Hour}.Validate())
	require.Error(t, channel.LockoutPolicy{MaxFailures: 1}.Validate())
}
