package channeltest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/fault"
)

var passwordTests = []test{
	{"ChangePassword", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		e := newEnv(t, newStore)
		i := e.customer("c-pw", "changes.password")
		g := e.login("changes.password", password)

		err := e.svc.ChangePassword(e.ctx, i.ID, wrongPassword, newPassword)
		require.ErrorIs(t, err, channel.ErrInvalidCredentials)
		require.Equal(t, 1, e.identity(i).FailedLogins, "a wrong current password counts towards the lock")
		e.requireAuthenticated(g.Token, "a refused change changes nothing")

		err = e.svc.ChangePassword(e.ctx, i.ID, password, "short")
		var ve *fault.FieldError
		require.ErrorAs(t, err, &ve)
		require.Equal(t, "new_password", ve.Field)

		require.NoError(t, e.svc.ChangePassword(e.ctx, i.ID, password, newPassword))
		e.requireUnauthenticated(g.Token, "changing the password ends the sessions")
		_, err = e.svc.Login(e.ctx, "changes.password", password)
		require.ErrorIs(t, err, channel.ErrInvalidCredentials)
		e.login("changes.password", newPassword)
		require.Zero(t, e.identity(i).FailedLogins)
	}},
	{"ResetPasswordByStaff", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		e := newEnv(t, newStore)
		i := e.customer("c-forgot", "forgot.password")
		g := e.login("forgot.password", password)
		require.ErrorIs(t, e.svc.ResetPassword(e.ctx, i.ID, "        "), channel.ErrInvalidInput)
		e.login("forgot.password", password)

		require.NoError(t, e.svc.ResetPassword(e.ctx, i.ID, newPassword))
		e.requireUnauthenticated(g.Token)
		_, err := e.svc.Login(e.ctx, "forgot.password", password)
		require.ErrorIs(t, err, channel.ErrInvalidCredentials)
		e.login("forgot.password", newPassword)
	}},
	{"CredentialIsStoredAsArgon2idPHC", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		e := newEnv(t, newStore)
		i := e.staff("hash.check", channel.RoleTeller)
		c, err := e.store.Credential(e.ctx, i.ID)
		require.NoError(t, err)
		require.Equal(t, FastParams, c.Params())
		require.True(t, c.Verify(password))
		require.False(t, c.Verify(wrongPassword))
		require.NotContains(t, c.String(), password)
		parsed, err := channel.ParseCredential(c.String())
		require.NoError(t, err)
		require.Equal(t, c, parsed)
	}},
}
