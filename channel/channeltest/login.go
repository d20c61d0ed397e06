package channeltest

import (
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/fault"
)

var loginTests = []test{
	{"StaffLoginAuthenticatesWithRoles", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		e := newEnv(t, newStore)
		staff := e.staff("liu.yang", channel.RoleTeller, channel.RoleSupport)
		g := e.login("Liu.Yang", password)
		require.True(t, strings.HasPrefix(g.Token, channel.TokenPrefix))
		require.True(t, g.ExpiresAt.Equal(Start.Add(channel.DefaultStaffSessionTTL)))
		require.Equal(t, staff.ID, g.Principal.IdentityID)
		require.Equal(t, g.SessionID, g.Principal.SessionID)

		p, err := e.svc.Authenticate(e.ctx, g.Token)
		require.NoError(t, err)
		require.Equal(t, staff.ID, p.IdentityID)
		require.Equal(t, channel.KindStaff, p.Kind)
		require.Equal(t, "liu.yang", p.Username)
		require.Equal(t, []channel.Role{channel.RoleSupport, channel.RoleTeller}, p.Roles)
		require.Empty(t, p.CustomerID)
		require.True(t, p.ExpiresAt.Equal(g.ExpiresAt))
	}},
	{"CustomerLoginCarriesCustomerID", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		e := newEnv(t, newStore)
		e.customer("cust-42", "zhao.lei")
		g := e.login("zhao.lei", password)
		require.True(t, g.ExpiresAt.Equal(Start.Add(channel.DefaultCustomerSessionTTL)))
		p, err := e.svc.Authenticate(e.ctx, g.Token)
		require.NoError(t, err)
		require.Equal(t, channel.KindCustomer, p.Kind)
		require.Equal(t, "cust-42", p.CustomerID)
		require.Empty(t, p.Roles)
		require.ErrorIs(t, p.RequireRole(channel.RoleTeller), channel.ErrForbidden)
	}},
	{"EveryRefusalIsTheSameGenericError", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		e := newEnv(t, newStore)
		e.staff("known.user", channel.RoleTeller)
		disabled := e.staff("disabled.user", channel.RoleTeller)
		_, err := e.svc.Disable(e.ctx, disabled.ID)
		require.NoError(t, err)
		locked := e.staff("locked.user", channel.RoleTeller)
		for range channel.DefaultLockout.MaxFailures {
			_, err := e.svc.Login(e.ctx, "locked.user", wrongPassword)
			require.ErrorIs(t, err, channel.ErrInvalidCredentials)
		}
		require.True(t, e.identity(locked).Locked(e.clock.Now()))

		var messages []string
		for _, tc := range []struct{ name, username, password string }{
			{"unknown username", "no.such.user", password},
			{"wrong password", "known.user", wrongPassword},
			{"disabled identity, right password", "disabled.user", password},
			{"locked identity, right password", "locked.user", password},
		} {
			_, err := e.svc.Login(e.ctx, tc.username, tc.password)
			require.ErrorIs(t, err, channel.ErrInvalidCredentials, tc.name)
			require.NotErrorIs(t, err, channel.ErrNotFound, tc.name)
			messages = append(messages, err.Error())
		}
		for _, m := range messages {
			require.Equal(t, messages[0], m, "the error must not tell the cases apart")
		}
	}},
	{"MalformedLoginRequestsAreInvalidInput", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		e := newEnv(t, newStore)
		for _, tc := range []struct{ name, username, password, field string }{
			{"empty username", "", password, "username"},
			{"username with a slash", "a/b/c", password, "username"},
			{"empty password", "someone", "", "password"},
			{"password over 128 bytes", "someone", strings.Repeat("x", 129), "password"},
		} {
			_, err := e.svc.Login(e.ctx, tc.username, tc.password)
			var ve *fault.FieldError
			require.ErrorAs(t, err, &ve, tc.name)
			require.Equal(t, tc.field, ve.Field, tc.name)
		}
	}},
	{"OldPasswordPolicyStillLogsIn", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		// A password shorter than today's minimum, stored under an older
		// policy, must still log in: the policy applies to new passwords.
		e := newEnv(t, newStore)
		i := e.staff("old.timer", channel.RoleAnalyst)
		prev, err := e.store.Credential(e.ctx, i.ID)
		require.NoError(t, err)
		short, err := channel.HashPassword("hunter2", FastParams)
		require.NoError(t, err)
		require.NoError(t, e.store.ReplaceCredential(e.ctx, i.ID, prev, short))
		e.login("old.timer", "hunter2")
	}},
	{"RehashOnLoginRaisesWeakParameters", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		e := newEnv(t, newStore)
		i := e.staff("rehash.me", channel.RoleFinance)
		before, err := e.store.Credential(e.ctx, i.ID)
		require.NoError(t, err)
		require.Equal(t, FastParams, before.Params())

		stronger := FastParams
		stronger.Memory, stronger.Time = 2*FastParams.Memory, FastParams.Time+1
		svc, err := channel.NewService(e.store, channel.WithClock(e.clock), channel.WithParams(stronger))
		require.NoError(t, err)
		_, err = svc.Login(e.ctx, "rehash.me", password)
		require.NoError(t, err)
		after, err := e.store.Credential(e.ctx, i.ID)
		require.NoError(t, err)
		require.Equal(t, stronger, after.Params())
		require.True(t, after.Verify(password))
		require.NotEqual(t, before.String(), after.String())

		// Equal parameters: the hash stays as it is.
		_, err = svc.Login(e.ctx, "rehash.me", password)
		require.NoError(t, err)
		again, err := e.store.Credential(e.ctx, i.ID)
		require.NoError(t, err)
		require.Equal(t, after.String(), again.String())
	}},
	{"ConfigurableSessionLifetimes", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		e := newEnv(t, newStore)
		svc, err := channel.NewService(e.store, channel.WithClock(e.clock), channel.WithParams(FastParams),
			channel.WithSessionTTL(5*time.Minute, time.Hour))
		require.NoError(t, err)
		e.staff("short.staff", channel.RoleTeller)
		e.customer("c-ttl", "short.customer")
		g, err := svc.Login(e.ctx, "short.staff", password)
		require.NoError(t, err)
		require.True(t, g.ExpiresAt.Equal(Start.Add(time.Hour)))
		g, err = svc.Login(e.ctx, "short.customer", password)
		require.NoError(t, err)
		require.True(t, g.ExpiresAt.Equal(Start.Add(5*time.Minute)))
	}},
}
