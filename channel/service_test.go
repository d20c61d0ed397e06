package channel_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/channel/memchannel"
	"github.com/bankkit/bankkit/fault"
)

func TestBadOptionsFailOperationsInsteadOfPanicking(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		opt   channel.Option
		field string
	}{
		{"params", channel.WithParams(channel.Params{}), "argon2.threads"},
		{"lockout", channel.WithLockout(channel.LockoutPolicy{MaxFailures: 0, Duration: time.Minute}), "lockout.max_failures"},
		{"ttl", channel.WithSessionTTL(0, time.Hour), "session_ttl"},
	} {
		store := memchannel.New()
		svc := channel.NewService(store, tc.opt)
		_, err := svc.CreateStaff(ctx, channel.NewStaff{Username: "someone", Password: "long enough password", Roles: []channel.Role{channel.RoleAdmin}})
		var ve *fault.FieldError
		require.ErrorAs(t, err, &ve, tc.name)
		require.Equal(t, tc.field, ve.Field, tc.name)
		id := uuid.Must(uuid.NewV7())
		for name, call := range map[string]func() error{
			"Login":                 func() error { _, err := svc.Login(ctx, "someone", "long enough password"); return err },
			"Authenticate":          func() error { _, err := svc.Authenticate(ctx, "bk_token"); return err },
			"Identity":              func() error { _, err := svc.Identity(ctx, id); return err },
			"Disable":               func() error { _, err := svc.Disable(ctx, id); return err },
			"Unlock":                func() error { _, err := svc.Unlock(ctx, id); return err },
			"ResetPassword":         func() error { return svc.ResetPassword(ctx, id, "long enough password") },
			"RevokeAll":             func() error { _, err := svc.RevokeAll(ctx, id); return err },
			"DeleteExpiredSessions": func() error { _, err := svc.DeleteExpiredSessions(ctx); return err },
		} {
			require.ErrorIs(t, call(), channel.ErrInvalidInput, "%s: %s", tc.name, name)
		}
		_, err = store.IdentityByUsername(ctx, "someone")
		require.ErrorIs(t, err, channel.ErrNotFound, "%s: nothing was stored", tc.name)
	}
	_, err := channel.NewService(nil).Login(ctx, "someone", "long enough password")
	require.ErrorIs(t, err, channel.ErrInvalidInput)
}

func TestRolesAreTheAPIRoles(t *testing.T) {
	t.Parallel()
	// The role names of the HTTP contract (/v1/staff), in its order.
	want := []channel.Role{"admin", "teller", "loan_officer", "risk_officer", "marketing", "finance", "analyst", "support"}
	require.Equal(t, want, channel.Roles())
	for _, r := range want {
		require.True(t, r.Valid())
	}
	require.False(t, channel.Role("root").Valid())
}

func TestGenerateToken(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for range 100 {
		tok, err := channel.GenerateToken()
		require.NoError(t, err)
		require.Regexp(t, `^bk_[A-Za-z0-9_-]{43}$`, tok)
		require.False(t, seen[tok])
		seen[tok] = true
	}
	require.NotEqual(t, channel.HashToken("a"), channel.HashToken("b"))
	require.Len(t, channel.HashToken("a").String(), 64)
}
