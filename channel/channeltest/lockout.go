package channeltest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/channel"
)

// fail makes n logins with the wrong password, each refused.
func (e *env) fail(username string, n int) {
	e.t.Helper()
	for range n {
		_, err := e.svc.Login(e.ctx, username, wrongPassword)
		require.ErrorIs(e.t, err, channel.ErrInvalidCredentials)
	}
}

var lockoutTests = []test{
	{"TenFailuresLockForThirtyMinutes", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		e := newEnv(t, newStore)
		i := e.staff("target.user", channel.RoleTeller)
		e.fail("target.user", 9)
		got := e.identity(i)
		require.Equal(t, 9, got.FailedLogins)
		require.False(t, got.Locked(e.clock.Now()), "nine failures do not lock")

		e.fail("target.user", 1)
		got = e.identity(i)
		require.Equal(t, 10, got.FailedLogins)
		lockedAt := e.clock.Now()
		require.True(t, got.LockedUntil.Equal(lockedAt.Add(30*time.Minute)))

		_, err := e.svc.Login(e.ctx, "target.user", password)
		require.ErrorIs(t, err, channel.ErrInvalidCredentials, "the right password fails while locked")
		e.fail("target.user", 3)
		got = e.identity(i)
		require.Equal(t, 10, got.FailedLogins, "attempts while locked are not counted")
		require.True(t, got.LockedUntil.Equal(lockedAt.Add(30*time.Minute)), "attempts while locked do not extend the lock")

		e.clock.Advance(30*time.Minute - time.Microsecond)
		_, err = e.svc.Login(e.ctx, "target.user", password)
		require.ErrorIs(t, err, channel.ErrInvalidCredentials, "still locked a microsecond before the end")

		e.clock.Advance(time.Microsecond)
		e.login("target.user", password)
		got = e.identity(i)
		require.Zero(t, got.FailedLogins)
		require.True(t, got.LockedUntil.IsZero())
	}},
	{"SuccessResetsTheCount", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		e := newEnv(t, newStore)
		i := e.customer("c-reset", "reset.user")
		e.fail("reset.user", 9)
		e.login("reset.user", password)
		require.Zero(t, e.identity(i).FailedLogins)
		e.fail("reset.user", 9)
		got := e.identity(i)
		require.Equal(t, 9, got.FailedLogins)
		require.False(t, got.Locked(e.clock.Now()), "the count restarted after the success")
	}},
	{"CountRestartsAfterTheLockEnds", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		e := newEnv(t, newStore)
		i := e.staff("restart.user", channel.RoleTeller)
		e.fail("restart.user", 10)
		e.clock.Advance(31 * time.Minute)
		e.fail("restart.user", 1)
		got := e.identity(i)
		require.Equal(t, 1, got.FailedLogins)
		require.False(t, got.Locked(e.clock.Now()))
	}},
	{"StaffUnlock", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		e := newEnv(t, newStore)
		i := e.customer("c-unlock", "unlock.me")
		e.fail("unlock.me", 10)
		require.True(t, e.identity(i).Locked(e.clock.Now()))
		unlocked, err := e.svc.Unlock(e.ctx, i.ID)
		require.NoError(t, err)
		require.Zero(t, unlocked.FailedLogins)
		require.False(t, unlocked.Locked(e.clock.Now()))
		e.login("unlock.me", password)
	}},
	{"LockIsPerIdentity", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		e := newEnv(t, newStore)
		e.staff("locked.one", channel.RoleTeller)
		other := e.staff("free.one", channel.RoleTeller)
		e.fail("locked.one", 10)
		e.login("free.one", password)
		require.Zero(t, e.identity(other).FailedLogins)
	}},
	{"ConfigurableLockout", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		e := newEnv(t, newStore, channel.WithLockout(channel.LockoutPolicy{MaxFailures: 3, Duration: time.Hour}))
		i := e.staff("strict.user", channel.RoleTeller)
		e.fail("strict.user", 3)
		require.True(t, e.identity(i).LockedUntil.Equal(e.clock.Now().Add(time.Hour)))
	}},
}
