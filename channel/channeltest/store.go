package channeltest

import (
	"errors"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/channel"
)

// Corners of the Store contract that the Service does not reach.
var storeTests = []test{
	{"UpdateIdentityFailureChangesNothing", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		e := newEnv(t, newStore)
		i := e.staff("update.me", channel.RoleTeller)
		boom := errors.New("refused by fn")
		_, err := e.store.UpdateIdentity(e.ctx, i.ID, func(x channel.Identity) (channel.Identity, error) {
			x.Status = channel.StatusDisabled
			return x, boom
		})
		require.ErrorIs(t, err, boom)
		require.Equal(t, channel.StatusActive, e.identity(i).Status)

		_, err = e.store.UpdateIdentity(e.ctx, i.ID, func(x channel.Identity) (channel.Identity, error) {
			x.Roles = []channel.Role{"owner"}
			return x, nil
		})
		require.ErrorIs(t, err, channel.ErrInvalidInput, "an invalid result is refused")
		require.Equal(t, []channel.Role{channel.RoleTeller}, e.identity(i).Roles)

		// Only Status and Roles are persisted.
		_, err = e.store.UpdateIdentity(e.ctx, i.ID, func(x channel.Identity) (channel.Identity, error) {
			x.Username, x.FailedLogins = "renamed", 7
			x.Status = channel.StatusDisabled
			return x, nil
		})
		require.NoError(t, err)
		got := e.identity(i)
		require.Equal(t, "update.me", got.Username)
		require.Zero(t, got.FailedLogins)
		require.Equal(t, channel.StatusDisabled, got.Status)
	}},
	{"ReturnedRecordsAreCopies", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		e := newEnv(t, newStore)
		i := e.staff("copy.me", channel.RoleAnalyst, channel.RoleFinance)
		got := e.identity(i)
		got.Roles[0] = channel.RoleAdmin
		require.Equal(t, []channel.Role{channel.RoleAnalyst, channel.RoleFinance}, e.identity(i).Roles)
		c, err := e.store.Credential(e.ctx, i.ID)
		require.NoError(t, err)
		c.Hash[0] ^= 0xff
		again, err := e.store.Credential(e.ctx, i.ID)
		require.NoError(t, err)
		require.True(t, again.Verify(password))
	}},
	{"ReplaceCredentialIsCompareAndSet", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		e := newEnv(t, newStore)
		i := e.staff("cas.user", channel.RoleTeller)
		prev, err := e.store.Credential(e.ctx, i.ID)
		require.NoError(t, err)
		a, err := channel.HashPassword("first replacement", FastParams)
		require.NoError(t, err)
		b, err := channel.HashPassword("second replacement", FastParams)
		require.NoError(t, err)
		require.NoError(t, e.store.ReplaceCredential(e.ctx, i.ID, prev, a))
		require.ErrorIs(t, e.store.ReplaceCredential(e.ctx, i.ID, prev, b), channel.ErrConflict)
		cur, err := e.store.Credential(e.ctx, i.ID)
		require.NoError(t, err)
		require.Equal(t, a.String(), cur.String())
		require.ErrorIs(t, e.store.ReplaceCredential(e.ctx, uuid.Must(uuid.NewV7()), prev, b), channel.ErrNotFound)
	}},
	{"SessionsNeedTheirIdentityAndUniqueToken", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		e := newEnv(t, newStore)
		i := e.staff("session.owner", channel.RoleTeller)
		s := channel.Session{ID: uuid.Must(uuid.NewV7()), IdentityID: i.ID, TokenHash: channel.HashToken("one"),
			CreatedAt: Start, ExpiresAt: Start.Add(time.Hour)}
		require.NoError(t, e.store.CreateSession(e.ctx, s))

		sameToken := s
		sameToken.ID = uuid.Must(uuid.NewV7())
		require.ErrorIs(t, e.store.CreateSession(e.ctx, sameToken), channel.ErrDuplicate)
		sameID := s
		sameID.TokenHash = channel.HashToken("two")
		require.ErrorIs(t, e.store.CreateSession(e.ctx, sameID), channel.ErrDuplicate)
		orphan := s
		orphan.ID, orphan.IdentityID, orphan.TokenHash = uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7()), channel.HashToken("three")
		require.ErrorIs(t, e.store.CreateSession(e.ctx, orphan), channel.ErrNotFound)

		got, err := e.store.SessionByTokenHash(e.ctx, channel.HashToken("one"))
		require.NoError(t, err)
		require.Equal(t, s.ID, got.ID)
		require.True(t, got.ExpiresAt.Equal(s.ExpiresAt))
		require.True(t, got.RevokedAt.IsZero())
		list, err := e.store.ListSessions(e.ctx, i.ID)
		require.NoError(t, err)
		require.Len(t, list, 1)
		_, err = e.store.SessionByTokenHash(e.ctx, channel.HashToken("two"))
		require.ErrorIs(t, err, channel.ErrNotFound)
		_, err = e.store.RevokeSession(e.ctx, uuid.Must(uuid.NewV7()), Start)
		require.ErrorIs(t, err, channel.ErrNotFound)
	}},
	{"StoresRefuseInvalidRecords", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		e := newEnv(t, newStore)
		good, err := channel.HashPassword(password, FastParams)
		require.NoError(t, err)
		valid := channel.Identity{ID: uuid.Must(uuid.NewV7()), Kind: channel.KindStaff, Username: "raw.insert",
			Roles: []channel.Role{channel.RoleTeller}, Status: channel.StatusActive, CreatedAt: Start}
		unnormalised := valid
		unnormalised.Username = "Raw.Insert"
		customerWithRoles := valid
		customerWithRoles.Kind, customerWithRoles.CustomerID = channel.KindCustomer, "c-raw"
		require.ErrorIs(t, e.store.CreateIdentity(e.ctx, unnormalised, good), channel.ErrInvalidInput)
		require.ErrorIs(t, e.store.CreateIdentity(e.ctx, customerWithRoles, good), channel.ErrInvalidInput)
		require.ErrorIs(t, e.store.CreateIdentity(e.ctx, valid, channel.Credential{}), channel.ErrInvalidInput)
		_, err = e.store.IdentityByUsername(e.ctx, "raw.insert")
		require.ErrorIs(t, err, channel.ErrNotFound, "nothing was stored")

		require.NoError(t, e.store.CreateIdentity(e.ctx, valid, good))
		require.ErrorIs(t, e.store.ReplaceCredential(e.ctx, valid.ID, good, channel.Credential{}), channel.ErrInvalidInput)
		cur, err := e.store.Credential(e.ctx, valid.ID)
		require.NoError(t, err)
		require.Equal(t, good.String(), cur.String())
	}},
	{"UnknownIdentityInStoreMethods", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		e := newEnv(t, newStore)
		ghost := uuid.Must(uuid.NewV7())
		_, _, err := e.store.RecordAttempt(e.ctx, ghost, Start, channel.DefaultLockout)
		require.ErrorIs(t, err, channel.ErrNotFound)
		_, err = e.store.ResetFailures(e.ctx, ghost)
		require.ErrorIs(t, err, channel.ErrNotFound)
		_, err = e.store.Credential(e.ctx, ghost)
		require.ErrorIs(t, err, channel.ErrNotFound)
		_, err = e.store.UpdateIdentity(e.ctx, ghost, func(i channel.Identity) (channel.Identity, error) { return i, nil })
		require.ErrorIs(t, err, channel.ErrNotFound)
		n, err := e.store.RevokeSessions(e.ctx, ghost, Start)
		require.NoError(t, err)
		require.Zero(t, n)
		list, err := e.store.ListSessions(e.ctx, ghost)
		require.NoError(t, err)
		require.Empty(t, list)
	}},
}
