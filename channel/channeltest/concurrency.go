package channeltest

import (
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/channel"
)

// parallel runs fn n times at once and returns the errors by index.
func parallel(n int, fn func(i int) error) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[i] = fn(i)
		}()
	}
	close(start)
	wg.Wait()
	return errs
}

var concurrencyTests = []test{
	{"ConcurrentWrongPasswordsAreAllCounted", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		e := newEnv(t, newStore)
		i := e.staff("under.attack", channel.RoleTeller)
		for _, err := range parallel(9, func(int) error {
			_, err := e.svc.Login(e.ctx, "under.attack", wrongPassword)
			return err
		}) {
			require.ErrorIs(t, err, channel.ErrInvalidCredentials)
		}
		got := e.identity(i)
		require.Equal(t, 9, got.FailedLogins, "no concurrent failure is lost")
		require.False(t, got.Locked(e.clock.Now()))

		for _, err := range parallel(16, func(int) error {
			_, err := e.svc.Login(e.ctx, "under.attack", wrongPassword)
			return err
		}) {
			require.ErrorIs(t, err, channel.ErrInvalidCredentials)
		}
		got = e.identity(i)
		require.Equal(t, 10, got.FailedLogins, "exactly the tenth failure locks; later ones are not admitted")
		require.True(t, got.Locked(e.clock.Now()))
	}},
	{"ConcurrentGuessesCannotOutrunTheLock", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		// Thirty guesses at once, one of them right. Attempts are admitted
		// before the password is checked, so the wrong ones cannot push the
		// count past the limit, and the right one either is admitted and
		// succeeds or arrives after the lock and is refused.
		e := newEnv(t, newStore)
		i := e.staff("guess.me", channel.RoleTeller)
		errs := parallel(30, func(n int) error {
			pw := wrongPassword
			if n == 29 {
				pw = password
			}
			_, err := e.svc.Login(e.ctx, "guess.me", pw)
			return err
		})
		succeeded := 0
		for _, err := range errs {
			if err == nil {
				succeeded++
			} else {
				require.ErrorIs(t, err, channel.ErrInvalidCredentials)
			}
		}
		require.LessOrEqual(t, succeeded, 1)
		require.LessOrEqual(t, e.identity(i).FailedLogins, 10)
	}},
	{"ConcurrentCreatesOfOneUsernameOneWins", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		e := newEnv(t, newStore)
		const n = 8
		ids := make([]uuid.UUID, n)
		errs := parallel(n, func(k int) error {
			var i channel.Identity
			var err error
			if k%2 == 0 {
				i, err = e.svc.CreateStaff(e.ctx, channel.NewStaff{Username: "Contested", Password: password, Roles: []channel.Role{channel.RoleTeller}})
			} else {
				i, err = e.svc.CreateCustomerLogin(e.ctx, channel.NewCustomerLogin{CustomerID: uuid.NewString(), Username: "contested", Password: password})
			}
			ids[k] = i.ID
			return err
		})
		winners := 0
		var winner uuid.UUID
		for k, err := range errs {
			if err == nil {
				winners++
				winner = ids[k]
				continue
			}
			require.ErrorIs(t, err, channel.ErrDuplicate)
		}
		require.Equal(t, 1, winners)
		all, err := e.svc.ListIdentities(e.ctx, uuid.Nil, channel.MaxListLimit)
		require.NoError(t, err)
		require.Len(t, all, 1)
		require.Equal(t, winner, all[0].ID)
	}},
	{"ConcurrentLoginsAndRevokeAll", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		e := newEnv(t, newStore)
		i := e.customer("c-busy", "busy.customer")
		tokens := make([]string, 8)
		for _, err := range parallel(len(tokens), func(k int) error {
			g, err := e.svc.Login(e.ctx, "busy.customer", password)
			tokens[k] = g.Token
			return err
		}) {
			require.NoError(t, err)
		}
		active, err := e.svc.ActiveSessions(e.ctx, i.ID)
		require.NoError(t, err)
		require.Len(t, active, len(tokens))
		n, err := e.svc.RevokeAll(e.ctx, i.ID)
		require.NoError(t, err)
		require.Equal(t, len(tokens), n)
		for _, tok := range tokens {
			e.requireUnauthenticated(tok)
		}
	}},
}
