package channeltest

import (
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/channel"
)

func (e *env) requireUnauthenticated(token string, msgAndArgs ...any) {
	e.t.Helper()
	_, err := e.svc.Authenticate(e.ctx, token)
	require.ErrorIs(e.t, err, channel.ErrUnauthenticated, msgAndArgs...)
}

func (e *env) requireAuthenticated(token string, msgAndArgs ...any) channel.Principal {
	e.t.Helper()
	p, err := e.svc.Authenticate(e.ctx, token)
	require.NoError(e.t, err, msgAndArgs...)
	return p
}

var sessionTests = []test{
	{"TokensExpire", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		e := newEnv(t, newStore)
		e.customer("c-exp", "expiring.customer")
		e.staff("expiring.staff", channel.RoleTeller)
		cust := e.login("expiring.customer", password)
		staff := e.login("expiring.staff", password)

		e.clock.Advance(30*time.Minute - time.Microsecond)
		e.requireAuthenticated(cust.Token, "a customer token lives 30 minutes")
		e.clock.Advance(time.Microsecond)
		e.requireUnauthenticated(cust.Token, "and not a moment longer")
		e.requireAuthenticated(staff.Token, "a staff token outlives it")

		e.clock.Set(Start.Add(8 * time.Hour))
		e.requireUnauthenticated(staff.Token, "a staff token lives 8 hours")
	}},
	{"EachLoginIsItsOwnSession", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		e := newEnv(t, newStore)
		i := e.staff("two.devices", channel.RoleTeller)
		a := e.login("two.devices", password)
		b := e.login("two.devices", password)
		require.NotEqual(t, a.Token, b.Token)
		require.NotEqual(t, a.SessionID, b.SessionID)
		active, err := e.svc.ActiveSessions(e.ctx, i.ID)
		require.NoError(t, err)
		require.Len(t, active, 2)
		require.Equal(t, a.SessionID, active[0].ID, "oldest first")
		require.Equal(t, b.SessionID, active[1].ID)
		require.Equal(t, channel.HashToken(a.Token), active[0].TokenHash)
	}},
	{"RevokeByToken", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		e := newEnv(t, newStore)
		e.staff("logout.user", channel.RoleTeller)
		a := e.login("logout.user", password)
		b := e.login("logout.user", password)
		require.NoError(t, e.svc.Revoke(e.ctx, a.Token))
		e.requireUnauthenticated(a.Token)
		e.requireAuthenticated(b.Token, "other sessions stay")

		first, err := e.svc.Session(e.ctx, a.SessionID)
		require.NoError(t, err)
		require.True(t, first.RevokedAt.Equal(Start))
		e.clock.Advance(time.Minute)
		require.NoError(t, e.svc.Revoke(e.ctx, a.Token), "revoking twice is fine")
		again, err := e.svc.Session(e.ctx, a.SessionID)
		require.NoError(t, err)
		require.True(t, again.RevokedAt.Equal(Start), "the first revocation time stays")

		require.ErrorIs(t, e.svc.Revoke(e.ctx, "bk_not-a-token"), channel.ErrUnauthenticated)
		require.ErrorIs(t, e.svc.Revoke(e.ctx, ""), channel.ErrUnauthenticated)
	}},
	{"RevokeBySessionID", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		e := newEnv(t, newStore)
		e.customer("c-dev", "device.user")
		g := e.login("device.user", password)
		revoked, err := e.svc.RevokeSession(e.ctx, g.SessionID)
		require.NoError(t, err)
		require.True(t, revoked.RevokedAt.Equal(Start))
		e.requireUnauthenticated(g.Token)
		_, err = e.svc.RevokeSession(e.ctx, uuid.Must(uuid.NewV7()))
		require.ErrorIs(t, err, channel.ErrNotFound)
		_, err = e.svc.RevokeSession(e.ctx, uuid.Nil)
		require.ErrorIs(t, err, channel.ErrInvalidInput)
	}},
	{"RevokeAllEndsOnlyThatIdentitysSessions", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		e := newEnv(t, newStore)
		i := e.staff("everywhere", channel.RoleTeller)
		e.staff("bystander", channel.RoleTeller)
		var tokens []string
		for range 3 {
			tokens = append(tokens, e.login("everywhere", password).Token)
		}
		require.NoError(t, e.svc.Revoke(e.ctx, tokens[0]))
		other := e.login("bystander", password)

		n, err := e.svc.RevokeAll(e.ctx, i.ID)
		require.NoError(t, err)
		require.Equal(t, 2, n, "the already-revoked session is not counted")
		for _, tok := range tokens {
			e.requireUnauthenticated(tok)
		}
		e.requireAuthenticated(other.Token)
		active, err := e.svc.ActiveSessions(e.ctx, i.ID)
		require.NoError(t, err)
		require.Empty(t, active)
		e.login("everywhere", password)
	}},
	{"DisableEndsSessionsAndLogins", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		e := newEnv(t, newStore)
		i := e.customer("c-dis", "to.disable")
		g := e.login("to.disable", password)
		disabled, err := e.svc.Disable(e.ctx, i.ID)
		require.NoError(t, err)
		require.Equal(t, channel.StatusDisabled, disabled.Status)
		e.requireUnauthenticated(g.Token)
		_, err = e.svc.Login(e.ctx, "to.disable", password)
		require.ErrorIs(t, err, channel.ErrInvalidCredentials)
		require.Zero(t, e.identity(i).FailedLogins, "logins of a disabled identity are not counted")

		enabled, err := e.svc.Enable(e.ctx, i.ID)
		require.NoError(t, err)
		require.Equal(t, channel.StatusActive, enabled.Status)
		e.requireUnauthenticated(g.Token, "enabling does not revive old sessions")
		e.requireAuthenticated(e.login("to.disable", password).Token)
	}},
	{"EnableDoesNotReviveASessionOpenedDuringDisable", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		// A login that checked the password just before Disable may store
		// its session just after; such a session must not come alive when
		// the identity is enabled again.
		e := newEnv(t, newStore)
		i := e.customer("c-race", "racing.login")
		_, err := e.svc.Disable(e.ctx, i.ID)
		require.NoError(t, err)
		token, err := channel.GenerateToken()
		require.NoError(t, err)
		require.NoError(t, e.store.CreateSession(e.ctx, channel.Session{ID: uuid.Must(uuid.NewV7()), IdentityID: i.ID,
			TokenHash: channel.HashToken(token), CreatedAt: Start, ExpiresAt: Start.Add(time.Hour)}))
		e.requireUnauthenticated(token, "a disabled identity's session does not authenticate")
		_, err = e.svc.Enable(e.ctx, i.ID)
		require.NoError(t, err)
		e.requireUnauthenticated(token, "nor after the identity is enabled again")
	}},
	{"MalformedAndUnknownTokens", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		e := newEnv(t, newStore)
		e.staff("token.owner", channel.RoleTeller)
		g := e.login("token.owner", password)
		for _, tok := range []string{"", "bk_", g.Token + "x", g.Token[:len(g.Token)-1], string(make([]byte, channel.MaxTokenLength+1))} {
			e.requireUnauthenticated(tok, "%q", tok)
		}
		fresh, err := channel.GenerateToken()
		require.NoError(t, err)
		e.requireUnauthenticated(fresh, "a well-formed token nobody issued")
	}},
	{"DeleteExpiredSessions", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		e := newEnv(t, newStore)
		e.customer("c-del", "cleanup.customer")
		e.staff("cleanup.staff", channel.RoleTeller)
		old := e.login("cleanup.customer", password)
		revoked := e.login("cleanup.customer", password)
		require.NoError(t, e.svc.Revoke(e.ctx, revoked.Token))
		staff := e.login("cleanup.staff", password)
		e.clock.Advance(10 * time.Minute)
		young := e.login("cleanup.customer", password)

		e.clock.Advance(20 * time.Minute) // old and revoked expire now
		n, err := e.svc.DeleteExpiredSessions(e.ctx)
		require.NoError(t, err)
		require.Equal(t, 2, n)
		for _, id := range []uuid.UUID{old.SessionID, revoked.SessionID} {
			_, err := e.svc.Session(e.ctx, id)
			require.ErrorIs(t, err, channel.ErrNotFound)
		}
		e.requireAuthenticated(young.Token)
		e.requireAuthenticated(staff.Token)
		n, err = e.svc.DeleteExpiredSessions(e.ctx)
		require.NoError(t, err)
		require.Zero(t, n)
	}},
}
