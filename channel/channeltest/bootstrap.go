package channeltest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/fault"
)

// operatorToken stands for a BANKKIT_ADMIN_TOKEN an operator chose.
const operatorToken = "operator-chosen-admin-token-0123456789"

var bootstrapTests = []test{
	{"EnsureBootstrapAdmin", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		e := newEnv(t, newStore)
		g, err := e.svc.EnsureBootstrapAdmin(e.ctx, "admin", operatorToken, 365*24*time.Hour)
		require.NoError(t, err)
		require.Equal(t, operatorToken, g.Token)
		require.True(t, g.ExpiresAt.Equal(Start.Add(365*24*time.Hour)))
		p := e.requireAuthenticated(operatorToken)
		require.Equal(t, channel.KindStaff, p.Kind)
		require.True(t, p.HasRole(channel.RoleAdmin))
		require.Equal(t, "admin", p.Username)

		// A restart: same admin, same session.
		e.clock.Advance(time.Hour)
		again, err := e.svc.EnsureBootstrapAdmin(e.ctx, "admin", operatorToken, 365*24*time.Hour)
		require.NoError(t, err)
		require.Equal(t, g.SessionID, again.SessionID)
		require.Equal(t, g.Principal.IdentityID, again.Principal.IdentityID)
		require.True(t, again.ExpiresAt.Equal(g.ExpiresAt))

		// A different token for the same admin is a new session, and the
		// end of the previous one: the bootstrap admin holds one credential
		// at a time.
		other, err := channel.GenerateToken()
		require.NoError(t, err)
		second, err := e.svc.EnsureBootstrapAdmin(e.ctx, "admin", other, time.Hour)
		require.NoError(t, err)
		require.Equal(t, g.Principal.IdentityID, second.Principal.IdentityID)
		require.NotEqual(t, g.SessionID, second.SessionID)
		e.requireAuthenticated(other)
		e.requireUnauthenticated(operatorToken)

		// A revoked token is not brought back, and the admin's other
		// sessions end all the same.
		require.NoError(t, e.svc.Revoke(e.ctx, other))
		third, err := channel.GenerateToken()
		require.NoError(t, err)
		_, err = e.svc.EnsureBootstrapAdmin(e.ctx, "admin", third, time.Hour)
		require.NoError(t, err)
		_, err = e.svc.EnsureBootstrapAdmin(e.ctx, "admin", other, time.Hour)
		require.ErrorIs(t, err, channel.ErrDuplicate)
		e.requireUnauthenticated(other)
		e.requireUnauthenticated(third)

		// So is an expired one.
		_, err = e.svc.EnsureBootstrapAdmin(e.ctx, "admin", third, time.Hour)
		require.ErrorIs(t, err, channel.ErrDuplicate, "a revoked token stays revoked")
		fourth, err := channel.GenerateToken()
		require.NoError(t, err)
		_, err = e.svc.EnsureBootstrapAdmin(e.ctx, "admin", fourth, time.Minute)
		require.NoError(t, err)
		e.clock.Advance(time.Minute)
		_, err = e.svc.EnsureBootstrapAdmin(e.ctx, "admin", fourth, time.Hour)
		require.ErrorIs(t, err, channel.ErrDuplicate)
		e.requireUnauthenticated(fourth)

		// Nobody can log in as the bootstrap admin with a password.
		_, err = e.svc.Login(e.ctx, "admin", operatorToken)
		require.ErrorIs(t, err, channel.ErrInvalidCredentials)
	}},
	{"EnsureBootstrapAdminRefusesOthersAndBadInput", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		e := newEnv(t, newStore)
		e.staff("teller.only", channel.RoleTeller)
		_, err := e.svc.EnsureBootstrapAdmin(e.ctx, "teller.only", operatorToken, time.Hour)
		require.ErrorIs(t, err, channel.ErrConflict, "an existing non-admin is not promoted")
		e.requireUnauthenticated(operatorToken)

		for _, tc := range []struct {
			name, username, token string
			ttl                   time.Duration
			field                 string
		}{
			{"short token", "admin", "too-short", time.Hour, "token"},
			{"token with space", "admin", "operator chosen admin token 0123456789", time.Hour, "token"},
			{"bad username", "ad", operatorToken, time.Hour, "username"},
			{"zero ttl", "admin", operatorToken, 0, "ttl"},
		} {
			_, err := e.svc.EnsureBootstrapAdmin(e.ctx, tc.username, tc.token, tc.ttl)
			var ve *fault.FieldError
			require.ErrorAs(t, err, &ve, tc.name)
			require.Equal(t, tc.field, ve.Field, tc.name)
		}
		_, err = e.svc.IdentityByUsername(e.ctx, "admin")
		require.ErrorIs(t, err, channel.ErrNotFound, "refused requests create no admin")
	}},
}
