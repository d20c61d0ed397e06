package refserver

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/internal/pgtest"
)

// productionStaffSecondFactor is the default the server ships with; this
// package's other tests log staff in by password alone, so it is cleared
// for them (and set explicitly where a test needs it).
var productionStaffSecondFactor = defaultStaffSecondFactor

func init() { defaultStaffSecondFactor = nil }

func TestStaffSecondFactorDefaults(t *testing.T) {
	defer func(d []channel.Role) { defaultStaffSecondFactor = d }(defaultStaffSecondFactor)
	defaultStaffSecondFactor = productionStaffSecondFactor
	require.Equal(t, []channel.Role{channel.RoleAdmin}, Config{DatabaseURL: "postgres://db/bank"}.staffSecondFactorRoles(), "admin on PostgreSQL")
	require.Empty(t, Config{}.staffSecondFactorRoles(), "none in memory")
	require.Empty(t, Config{DatabaseURL: "postgres://db/bank", StaffSecondFactorRoles: []channel.Role{}}.staffSecondFactorRoles(), "turned off")
	require.Equal(t, []channel.Role{channel.RoleFinance}, Config{StaffSecondFactorRoles: []channel.Role{channel.RoleFinance}}.staffSecondFactorRoles())
	require.ErrorContains(t, Config{Addr: ":8080", StaffSecondFactorRoles: []channel.Role{"janitor"}}.Validate(), "janitor")
}

// TestStaffSecondFactor: an admin (the role set to need it) logs in first
// to an enrolment-only token, enrols, and from then on logs in with a code
// (or a recovery code); a teller does not need one; an admin's reset ends
// the user's sessions and sends them back to enrolment.
func TestStaffSecondFactor(t *testing.T) {
	t.Parallel()
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			clock := calendar.NewManualClock(time.Date(2026, 3, 2, 1, 0, 0, 0, time.UTC))
			cfg := Config{Addr: "127.0.0.1:0", AdminToken: testAdminToken, PIIKeyring: testKeyring, Clock: clock,
				Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), passwordParams: &testPasswordParams,
				StaffSecondFactorRoles: []channel.Role{channel.RoleAdmin}}
			if storage == "postgres" {
				_, cfg.DatabaseURL = pgtest.NewWithURL(t)
				cfg.ClearingDir = t.TempDir()
			}
			srv, err := New(context.Background(), cfg)
			require.NoError(t, err)
			t.Cleanup(func() { srv.Close() })
			b := &testBank{t: t, srv: srv, h: srv.Handler()}
			const pw = "a long staff password"
			login := func(user string, extra map[string]any) resp {
				body := map[string]any{"username": user, "password": pw}
				for k, v := range extra {
					body[k] = v
				}
				return b.do("POST", "/v1/auth/token", "", body)
			}
			admin := b.must(201, b.do("POST", "/v1/staff", testAdminToken, map[string]any{"username": "sec.admin", "password": pw, "roles": []string{"admin"}})).str("id")
			b.must(201, b.do("POST", "/v1/staff", testAdminToken, map[string]any{"username": "sec.teller", "password": pw, "roles": []string{"teller"}}))

			// A teller's role needs none.
			teller := b.must(200, login("sec.teller", nil))
			require.Nil(t, teller.body["enrolment_only"])
			b.must(200, b.do("GET", "/v1/business-date", teller.str("token"), nil))
			st := b.must(200, b.do("GET", "/v1/staff/me/second-factor", teller.str("token"), nil))
			require.Equal(t, false, st.body["required"])

			// The admin's first login may only enrol.
			first := b.must(200, login("sec.admin", nil))
			require.Equal(t, true, first.body["enrolment_only"])
			tok := first.str("token")
			r := b.must(403, b.do("GET", "/v1/business-date", tok, nil))
			require.Equal(t, "https://bankkit.dev/problems/second-factor-enrolment-required", r.str("type"))
			b.must(403, b.do("POST", "/v1/staff", tok, map[string]any{"username": "sneaky", "password": pw, "roles": []string{"admin"}}))
			st = b.must(200, b.do("GET", "/v1/staff/me/second-factor", tok, nil))
			require.Equal(t, true, st.body["required"])
			require.Equal(t, false, st.body["enrolled"])
			en := b.must(201, b.do("POST", "/v1/staff/me/second-factor/totp", tok, nil))
			secret := en.str("secret")
			require.Contains(t, en.str("otpauth_url"), "sec.admin")
			code := func() string {
				clock.Advance(30 * time.Second)
				c, err := totp.GenerateCode(secret, clock.Now())
				require.NoError(t, err)
				return c
			}
			b.must(422, b.do("POST", "/v1/staff/me/second-factor/totp/confirm", tok, map[string]any{"code": "000000"}))
			rc := b.must(200, b.do("POST", "/v1/staff/me/second-factor/totp/confirm", tok, map[string]any{"code": code()}))
			recovery := rc.body["recovery_codes"].([]any)
			require.NotEmpty(t, recovery)
			b.must(403, b.do("GET", "/v1/business-date", tok, nil)) // still enrolment-only: log in again

			// From now on: password and code.
			r = b.must(401, login("sec.admin", nil))
			require.Equal(t, "https://bankkit.dev/problems/second-factor-required", r.str("type"))
			r = b.must(422, login("sec.admin", map[string]any{"code": "000000"}))
			require.Equal(t, "https://bankkit.dev/problems/invalid-code", r.str("type"))
			b.must(401, b.do("POST", "/v1/auth/token", "", map[string]any{"username": "sec.admin", "password": "not the password", "code": code()}))
			c := code()
			full := b.must(200, login("sec.admin", map[string]any{"code": c}))
			require.Nil(t, full.body["enrolment_only"])
			b.must(200, b.do("GET", "/v1/business-date", full.str("token"), nil))
			b.must(201, b.do("POST", "/v1/staff", full.str("token"), map[string]any{"username": "new.teller", "password": pw, "roles": []string{"teller"}}))
			b.must(422, login("sec.admin", map[string]any{"code": c})) // a code is good once
			b.must(200, login("sec.admin", map[string]any{"code": recovery[0]}))

			// A lost phone: the reset ends the admin's sessions and sends
			// them back to enrolment.
			b.must(403, b.do("POST", "/v1/staff/"+admin+"/second-factor/reset", teller.str("token"), nil))
			b.must(200, b.do("POST", "/v1/staff/"+admin+"/second-factor/reset", testAdminToken, nil))
			b.must(401, b.do("GET", "/v1/business-date", full.str("token"), nil))
			require.Equal(t, true, b.must(200, login("sec.admin", nil)).body["enrolment_only"])
			b.must(404, b.do("POST", "/v1/staff/01900000-0000-7000-8000-000000000001/second-factor/reset", testAdminToken, nil))
		})
	}
}
