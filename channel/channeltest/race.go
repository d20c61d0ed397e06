package channeltest

import (
	"context"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/channel"
)

// interleavingStore runs a hook just before ResetFailures, which the
// Service calls after a password has been verified and before the session
// is stored: the moment a concurrent change is most awkward.
type interleavingStore struct {
	channel.Store
	hook func()
}

func (s *interleavingStore) ResetFailures(ctx context.Context, id uuid.UUID) (channel.Identity, error) {
	if s.hook != nil {
		hook := s.hook
		s.hook = nil
		hook()
	}
	return s.Store.ResetFailures(ctx, id)
}

var raceTests = []test{
	{"PasswordChangeDuringLoginRefusesTheLogin", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		e := newEnv(t, newStore)
		i := e.customer("c-mid", "mid.change")
		store := &interleavingStore{Store: e.store}
		svc, err := channel.NewService(store, channel.WithClock(e.clock), channel.WithParams(FastParams))
		require.NoError(t, err)
		store.hook = func() { require.NoError(t, e.svc.ResetPassword(e.ctx, i.ID, newPassword)) }
		_, err = svc.Login(e.ctx, "mid.change", password)
		require.ErrorIs(t, err, channel.ErrInvalidCredentials, "the old password must not open a session after the change")
		active, err := e.svc.ActiveSessions(e.ctx, i.ID)
		require.NoError(t, err)
		require.Empty(t, active)
		e.login("mid.change", newPassword)
	}},
	{"DisableDuringLoginRefusesTheLogin", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		e := newEnv(t, newStore)
		i := e.staff("mid.disable", channel.RoleTeller)
		store := &interleavingStore{Store: e.store}
		svc, err := channel.NewService(store, channel.WithClock(e.clock), channel.WithParams(FastParams))
		require.NoError(t, err)
		store.hook = func() {
			_, err := e.svc.Disable(e.ctx, i.ID)
			require.NoError(t, err)
		}
		_, err = svc.Login(e.ctx, "mid.disable", password)
		require.ErrorIs(t, err, channel.ErrInvalidCredentials)
		all, err := e.store.ListSessions(e.ctx, i.ID)
		require.NoError(t, err)
		for _, s := range all {
			require.False(t, s.Active(e.clock.Now()), "no session of a disabled identity stays active")
		}
	}},
}
