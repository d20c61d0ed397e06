package channeltest

import (
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/fault"
)

var identityTests = []test{
	{"CreateStaffStoresNormalisedRecord", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		e := newEnv(t, newStore)
		created, err := e.svc.CreateStaff(e.ctx, channel.NewStaff{
			Username: "  Li.Wei@Branch-01 ",
			Password: password,
			Roles:    []channel.Role{channel.RoleTeller, channel.RoleAdmin, channel.RoleTeller},
		})
		require.NoError(t, err)
		require.Equal(t, uuid.Version(7), created.ID.Version(), "ids are UUIDv7")
		require.Equal(t, "li.wei@branch-01", created.Username)
		require.Equal(t, []channel.Role{channel.RoleAdmin, channel.RoleTeller}, created.Roles, "sorted, duplicates removed")
		require.Equal(t, channel.KindStaff, created.Kind)
		require.Equal(t, channel.StatusActive, created.Status)
		require.True(t, created.CreatedAt.Equal(Start))

		for _, lookup := range []string{"li.wei@branch-01", "LI.WEI@BRANCH-01", " Li.Wei@Branch-01"} {
			got, err := e.svc.IdentityByUsername(e.ctx, lookup)
			require.NoError(t, err, lookup)
			require.Equal(t, created.ID, got.ID)
		}
		got := e.identity(created)
		require.Equal(t, created.Roles, got.Roles)
		require.True(t, got.CreatedAt.Equal(created.CreatedAt))
	}},
	{"CreateCustomerLogin", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		e := newEnv(t, newStore)
		created := e.customer("cust-0001", "zhang.san")
		require.Equal(t, channel.KindCustomer, created.Kind)
		require.Equal(t, "cust-0001", created.CustomerID)
		require.Empty(t, created.Roles)

		got, err := e.svc.IdentityByCustomer(e.ctx, "cust-0001")
		require.NoError(t, err)
		require.Equal(t, created.ID, got.ID)
		_, err = e.svc.IdentityByCustomer(e.ctx, "cust-0002")
		require.ErrorIs(t, err, channel.ErrNotFound)
	}},
	{"UsernameIsUniqueAcrossKindsAndCase", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		e := newEnv(t, newStore)
		e.staff("wang.fang", channel.RoleTeller)
		_, err := e.svc.CreateCustomerLogin(e.ctx, channel.NewCustomerLogin{CustomerID: "c1", Username: "Wang.Fang", Password: password})
		require.ErrorIs(t, err, channel.ErrDuplicate)
		_, err = e.svc.CreateStaff(e.ctx, channel.NewStaff{Username: "WANG.FANG", Password: password, Roles: []channel.Role{channel.RoleAnalyst}})
		require.ErrorIs(t, err, channel.ErrDuplicate)
		_, err = e.svc.IdentityByCustomer(e.ctx, "c1")
		require.ErrorIs(t, err, channel.ErrNotFound, "a refused create stores nothing")
	}},
	{"OneLoginPerCustomer", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		e := newEnv(t, newStore)
		e.customer("cust-7", "first.login")
		_, err := e.svc.CreateCustomerLogin(e.ctx, channel.NewCustomerLogin{CustomerID: "cust-7", Username: "second.login", Password: password})
		require.ErrorIs(t, err, channel.ErrDuplicate)
		_, err = e.svc.IdentityByUsername(e.ctx, "second.login")
		require.ErrorIs(t, err, channel.ErrNotFound)
	}},
	{"InvalidRequestsNameTheFieldAndStoreNothing", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		e := newEnv(t, newStore)
		staff := func(username, pw string, roles ...channel.Role) func() error {
			return func() error {
				_, err := e.svc.CreateStaff(e.ctx, channel.NewStaff{Username: username, Password: pw, Roles: roles})
				return err
			}
		}
		customer := func(customerID, username, pw string) func() error {
			return func() error {
				_, err := e.svc.CreateCustomerLogin(e.ctx, channel.NewCustomerLogin{CustomerID: customerID, Username: username, Password: pw})
				return err
			}
		}
		for _, tc := range []struct {
			name  string
			call  func() error
			field string
		}{
			{"username too short", staff("ab", password, channel.RoleTeller), "username"},
			{"username with space inside", staff("li wei", password, channel.RoleTeller), "username"},
			{"username not ASCII", staff("李伟abc", password, channel.RoleTeller), "username"},
			{"username starting with a dot", staff(".liwei", password, channel.RoleTeller), "username"},
			{"password too short", staff("liwei", "short pw", channel.RoleTeller), "password"},
			{"password only spaces", staff("liwei", "               ", channel.RoleTeller), "password"},
			{"password over 128 bytes", staff("liwei", string(make([]byte, 129)), channel.RoleTeller), "password"},
			{"no roles", staff("liwei", password), "roles"},
			{"unknown role", staff("liwei", password, "janitor"), "roles"},
			{"empty customer id", customer("", "liwei", password), "customer_id"},
			{"customer id with space", customer("c 1", "liwei", password), "customer_id"},
			{"customer username", customer("c1", "x", password), "username"},
		} {
			err := tc.call()
			require.ErrorIs(t, err, channel.ErrInvalidInput, tc.name)
			var ve *fault.FieldError
			require.ErrorAs(t, err, &ve, tc.name)
			require.Equal(t, tc.field, ve.Field, tc.name)
		}
		all, err := e.svc.ListIdentities(e.ctx, uuid.Nil, channel.MaxListLimit)
		require.NoError(t, err)
		require.Empty(t, all)
	}},
	{"ListIdentitiesPagesInIDOrder", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		e := newEnv(t, newStore)
		var want []uuid.UUID
		for _, u := range []string{"user.c", "user.a", "user.e", "user.b", "user.d"} {
			want = append(want, e.staff(u, channel.RoleSupport).ID)
		}
		// UUIDv7 ids made one after another increase.
		var got []uuid.UUID
		after := uuid.Nil
		for {
			page, err := e.svc.ListIdentities(e.ctx, after, 2)
			require.NoError(t, err)
			require.LessOrEqual(t, len(page), 2)
			if len(page) == 0 {
				break
			}
			for _, i := range page {
				got = append(got, i.ID)
			}
			after = page[len(page)-1].ID
		}
		require.Equal(t, want, got)
		_, err := e.svc.ListIdentities(e.ctx, uuid.Nil, 0)
		require.ErrorIs(t, err, channel.ErrInvalidInput)
	}},
	{"SetRolesAppliesAtNextRequest", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		e := newEnv(t, newStore)
		staff := e.staff("chen.jie", channel.RoleTeller)
		g := e.login("chen.jie", password)
		_, err := e.svc.SetRoles(e.ctx, staff.ID, []channel.Role{channel.RoleLoanOfficer, channel.RoleRiskOfficer})
		require.NoError(t, err)
		p, err := e.svc.Authenticate(e.ctx, g.Token)
		require.NoError(t, err)
		require.Equal(t, []channel.Role{channel.RoleLoanOfficer, channel.RoleRiskOfficer}, p.Roles)
		require.ErrorIs(t, p.RequireRole(channel.RoleTeller), channel.ErrForbidden)
		require.NoError(t, p.RequireRole(channel.RoleAdmin, channel.RoleRiskOfficer))

		_, err = e.svc.SetRoles(e.ctx, staff.ID, []channel.Role{"owner"})
		require.ErrorIs(t, err, channel.ErrInvalidInput)
		_, err = e.svc.SetRoles(e.ctx, staff.ID, nil)
		require.ErrorIs(t, err, channel.ErrInvalidInput)
		cust := e.customer("c9", "customer.nine")
		_, err = e.svc.SetRoles(e.ctx, cust.ID, []channel.Role{channel.RoleAdmin})
		require.ErrorIs(t, err, channel.ErrInvalidInput, "customers have no roles")
		require.Empty(t, e.identity(cust).Roles)
		require.Equal(t, []channel.Role{channel.RoleLoanOfficer, channel.RoleRiskOfficer}, e.identity(staff).Roles)
	}},
	{"UnknownIdsAreNotFound", func(t *testing.T, newStore func(*testing.T) channel.Store) {
		e := newEnv(t, newStore)
		ghost := uuid.Must(uuid.NewV7())
		_, err := e.svc.Identity(e.ctx, ghost)
		require.ErrorIs(t, err, channel.ErrNotFound)
		_, err = e.svc.Disable(e.ctx, ghost)
		require.ErrorIs(t, err, channel.ErrNotFound)
		_, err = e.svc.Enable(e.ctx, ghost)
		require.ErrorIs(t, err, channel.ErrNotFound)
		_, err = e.svc.Unlock(e.ctx, ghost)
		require.ErrorIs(t, err, channel.ErrNotFound)
		_, err = e.svc.SetRoles(e.ctx, ghost, []channel.Role{channel.RoleAdmin})
		require.ErrorIs(t, err, channel.ErrNotFound)
		_, err = e.svc.RevokeAll(e.ctx, ghost)
		require.ErrorIs(t, err, channel.ErrNotFound)
		require.ErrorIs(t, e.svc.ResetPassword(e.ctx, ghost, newPassword), channel.ErrNotFound)
		_, err = e.svc.IdentityByUsername(e.ctx, "nobody.here")
		require.ErrorIs(t, err, channel.ErrNotFound)
		_, err = e.svc.Identity(e.ctx, uuid.Nil)
		require.ErrorIs(t, err, channel.ErrInvalidInput)
	}},
}
