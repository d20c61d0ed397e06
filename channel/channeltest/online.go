package channeltest

import (
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/pquerna/otp/totp"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/money"
)

// onlineEnv is one online-banking test's world: a fresh store, a manual
// clock, and an Online service whose account directory says which
// accounts are whose.
type onlineEnv struct {
	t      *testing.T
	ctx    context.Context
	store  channel.OnlineStore
	clock  *calendar.ManualClock
	svc    *channel.Online
	owners accountOwners
}

// accountOwners is a fake account directory: account id → customer id.
type accountOwners map[string]string

func (a accountOwners) AccountOwner(_ context.Context, id string) (string, error) {
	owner, ok := a[id]
	if !ok {
		return "", fmt.Errorf("%w: account %s", channel.ErrNotFound, id)
	}
	return owner, nil
}

// Accounts of the fake directory.
var (
	aliceAccount = uuid.MustParse("01900000-0000-7000-8000-00000000a001")
	bobAccount   = uuid.MustParse("01900000-0000-7000-8000-00000000b001")
)

func newOnlineEnv(t *testing.T, newStore func(t *testing.T) channel.OnlineStore, cfg ...func(*channel.OnlineConfig)) *onlineEnv {
	t.Helper()
	e := &onlineEnv{t: t, ctx: context.Background(), store: newStore(t), clock: calendar.NewManualClock(Start),
		owners: accountOwners{aliceAccount.String(): "alice", bobAccount.String(): "bob"}}
	c := channel.DefaultOnlineConfig()
	for _, f := range cfg {
		f(&c)
	}
	var err error
	e.svc, err = channel.NewOnline(e.store, channel.WithOnlineClock(e.clock), channel.WithOnlineConfig(c),
		channel.WithAccountOwners(e.owners))
	require.NoError(t, err)
	return e
}

// principal is a customer's login with one session.
func principal(customerID string) channel.Principal {
	return channel.Principal{IdentityID: uuid.Must(uuid.NewV7()), SessionID: uuid.Must(uuid.NewV7()),
		Kind: channel.KindCustomer, Username: customerID, CustomerID: customerID}
}

// code is the TOTP code of secret at the clock's now.
func (e *onlineEnv) code(secret string) string {
	e.t.Helper()
	c, err := totp.GenerateCode(secret, e.clock.Now())
	require.NoError(e.t, err)
	return c
}

// nextStep moves the clock to the next 30-second TOTP step.
func (e *onlineEnv) nextStep() { e.clock.Advance(30 * time.Second) }

// enrol enrols p's identity and returns the secret and recovery codes.
func (e *onlineEnv) enrol(p channel.Principal) (string, []string) {
	e.t.Helper()
	en, err := e.svc.BeginTOTP(e.ctx, p.IdentityID, p.Username)
	require.NoError(e.t, err)
	codes, err := e.svc.ConfirmTOTP(e.ctx, p.IdentityID, e.code(en.Secret))
	require.NoError(e.t, err)
	e.nextStep()
	return en.Secret, codes
}

// stepUp issues a proof for action and params with a fresh code.
func (e *onlineEnv) stepUp(p channel.Principal, secret string, a channel.Action, params channel.ActionParams) string {
	e.t.Helper()
	g, err := e.svc.StepUp(e.ctx, p, a, params, e.code(secret))
	require.NoError(e.t, err)
	e.nextStep()
	return g.Token
}

func cny(v string) money.Money { return money.MustParse(v, "CNY") }

func dec(v string) decimal.Decimal { return decimal.RequireFromString(v) }

type onlineTest struct {
	name string
	run  func(t *testing.T, newStore func(t *testing.T) channel.OnlineStore)
}

// RunOnline runs the online-banking contract suite; newStore must return a
// fresh, empty store for each call.
func RunOnline(t *testing.T, newStore func(t *testing.T) channel.OnlineStore) {
	t.Helper()
	groups := []struct {
		name  string
		tests []onlineTest
	}{
		{"SecondFactor", secondFactorTests},
		{"Devices", deviceTests},
		{"StepUp", stepUpTests},
		{"Payees", payeeTests},
		{"Limits", limitTests},
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) {
					t.Parallel()
					tc.run(t, newStore)
				})
			}
		})
	}
}

var secondFactorTests = []onlineTest{
	{"StaffLoginNeedsTheSecondFactorOfTheirRole", func(t *testing.T, newStore func(*testing.T) channel.OnlineStore) {
		e := newOnlineEnv(t, newStore)
		store, ok := e.store.(channel.Store)
		if !ok {
			t.Fatalf("%T keeps no identities: the staff second factor needs both", e.store)
		}
		svc, err := channel.NewService(store, channel.WithClock(e.clock), channel.WithParams(FastParams),
			channel.WithStaffSecondFactor(e.svc, channel.RoleAdmin, channel.RoleFinance))
		require.NoError(t, err)
		_, err = channel.NewService(store, channel.WithStaffSecondFactor(e.svc, "janitor"))
		require.ErrorIs(t, err, channel.ErrInvalidInput)
		_, err = channel.NewService(store, channel.WithStaffSecondFactor(nil, channel.RoleAdmin))
		require.ErrorIs(t, err, channel.ErrInvalidInput)
		admin, err := svc.CreateStaff(e.ctx, channel.NewStaff{Username: "wang.admin", Password: "correct horse battery", Roles: []channel.Role{channel.RoleAdmin}})
		require.NoError(t, err)
		_, err = svc.CreateStaff(e.ctx, channel.NewStaff{Username: "li.teller", Password: "correct horse battery", Roles: []channel.Role{channel.RoleTeller}})
		require.NoError(t, err)
		_, err = svc.CreateCustomerLogin(e.ctx, channel.NewCustomerLogin{CustomerID: "cust-1", Username: "zhao.cust", Password: "correct horse battery"})
		require.NoError(t, err)
		require.True(t, svc.NeedsSecondFactor(channel.KindStaff, []channel.Role{channel.RoleTeller, channel.RoleFinance}))
		require.False(t, svc.NeedsSecondFactor(channel.KindStaff, []channel.Role{channel.RoleTeller}))

		// Roles that need none, and customers, log in as before.
		g, err := svc.Login(e.ctx, "li.teller", "correct horse battery")
		require.NoError(t, err)
		require.False(t, g.Principal.EnrolmentOnly)
		g, err = svc.Login(e.ctx, "zhao.cust", "correct horse battery")
		require.NoError(t, err)
		require.False(t, g.Principal.EnrolmentOnly)

		// Not enrolled: the session may only enrol, and says so after a
		// fresh read.
		g, err = svc.LoginWithCode(e.ctx, "wang.admin", "correct horse battery", "123456")
		require.NoError(t, err)
		require.True(t, g.Principal.EnrolmentOnly)
		p, err := svc.Authenticate(e.ctx, g.Token)
		require.NoError(t, err)
		require.True(t, p.EnrolmentOnly)
		_, err = svc.Login(e.ctx, "wang.admin", "wrong horse battery")
		require.ErrorIs(t, err, channel.ErrInvalidCredentials, "the password comes first")

		en, err := e.svc.BeginTOTP(e.ctx, admin.ID, "wang.admin")
		require.NoError(t, err)
		_, err = e.svc.ConfirmTOTP(e.ctx, admin.ID, e.code(en.Secret))
		require.NoError(t, err)

		// Enrolled: no code, a wrong code, a reused code are refused and
		// open no session; a fresh code opens a full one.
		_, err = svc.Login(e.ctx, "wang.admin", "correct horse battery")
		require.ErrorIs(t, err, channel.ErrSecondFactorRequired)
		_, err = svc.LoginWithCode(e.ctx, "wang.admin", "wrong horse battery", e.code(en.Secret))
		require.ErrorIs(t, err, channel.ErrInvalidCredentials, "no code is looked at without the password")
		_, err = svc.LoginWithCode(e.ctx, "wang.admin", "correct horse battery", "000000")
		require.ErrorIs(t, err, channel.ErrInvalidCode)
		e.nextStep()
		code := e.code(en.Secret)
		g, err = svc.LoginWithCode(e.ctx, "wang.admin", "correct horse battery", code)
		require.NoError(t, err)
		require.False(t, g.Principal.EnrolmentOnly)
		p, err = svc.Authenticate(e.ctx, g.Token)
		require.NoError(t, err)
		require.False(t, p.EnrolmentOnly)
		_, err = svc.LoginWithCode(e.ctx, "wang.admin", "correct horse battery", code)
		require.ErrorIs(t, err, channel.ErrInvalidCode, "a code is good once")
		sessions, err := svc.ActiveSessions(e.ctx, admin.ID)
		require.NoError(t, err)
		require.Len(t, sessions, 2, "the enrolment-only one and the full one; no refused login opened one")

		// Wrong codes lock the second factor, not the password.
		for range channel.DefaultOnlineConfig().SecondFactorLockout.MaxFailures {
			_, _ = svc.LoginWithCode(e.ctx, "wang.admin", "correct horse battery", "000000")
		}
		e.nextStep()
		_, err = svc.LoginWithCode(e.ctx, "wang.admin", "correct horse battery", e.code(en.Secret))
		require.ErrorIs(t, err, channel.ErrSecondFactorLocked)
	}},
	{"EnrolConfirmAndRecoveryCodes", func(t *testing.T, newStore func(*testing.T) channel.OnlineStore) {
		e := newOnlineEnv(t, newStore)
		p := principal("alice")
		st, err := e.svc.SecondFactorStatus(e.ctx, p.IdentityID)
		require.NoError(t, err)
		require.False(t, st.Enrolled)
		require.ErrorIs(t, e.svc.VerifySecondFactor(e.ctx, p.IdentityID, "123456"), channel.ErrNotEnrolled)

		en, err := e.svc.BeginTOTP(e.ctx, p.IdentityID, "alice")
		require.NoError(t, err)
		require.Contains(t, en.URL, "otpauth://totp/bankkit:alice")
		require.Contains(t, en.URL, "secret="+en.Secret)
		// Unconfirmed: the code confirms, VerifySecondFactor does not yet.
		require.ErrorIs(t, e.svc.VerifySecondFactor(e.ctx, p.IdentityID, e.code(en.Secret)), channel.ErrNotEnrolled)
		_, err = e.svc.ConfirmTOTP(e.ctx, p.IdentityID, "000000")
		if e.code(en.Secret) != "000000" {
			require.ErrorIs(t, err, channel.ErrInvalidCode)
		}
		codes, err := e.svc.ConfirmTOTP(e.ctx, p.IdentityID, e.code(en.Secret))
		require.NoError(t, err)
		require.Len(t, codes, 10)
		require.Regexp(t, `^[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}$`, codes[0])
		_, err = e.svc.BeginTOTP(e.ctx, p.IdentityID, "alice")
		require.ErrorIs(t, err, channel.ErrDuplicate, "a confirmed enrolment is not replaced")

		// A recovery code works once, typed in any case.
		require.NoError(t, e.svc.VerifySecondFactor(e.ctx, p.IdentityID, " "+codes[3]+" "))
		require.ErrorIs(t, e.svc.VerifySecondFactor(e.ctx, p.IdentityID, codes[3]), channel.ErrInvalidCode)
		upper := []byte(codes[4])
		for i, c := range upper {
			if c >= 'a' && c <= 'z' {
				upper[i] = c - 'a' + 'A'
			}
		}
		require.NoError(t, e.svc.VerifySecondFactor(e.ctx, p.IdentityID, string(upper)))
		st, err = e.svc.SecondFactorStatus(e.ctx, p.IdentityID)
		require.NoError(t, err)
		require.Equal(t, channel.SecondFactorStatus{Enrolled: true, Confirmed: true, RecoveryCodesLeft: 8}, st)

		// Regenerating replaces all codes.
		e.nextStep()
		fresh, err := e.svc.RegenerateRecoveryCodes(e.ctx, p.IdentityID, e.code(en.Secret))
		require.NoError(t, err)
		require.ErrorIs(t, e.svc.VerifySecondFactor(e.ctx, p.IdentityID, codes[5]), channel.ErrInvalidCode)
		require.NoError(t, e.svc.VerifySecondFactor(e.ctx, p.IdentityID, fresh[0]))
		// The stored record holds neither the secret in clear (no sealer
		// here, so it does) nor any recovery code in clear.
		f, err := e.store.SecondFactor(e.ctx, p.IdentityID)
		require.NoError(t, err)
		for _, r := range f.Recovery {
			require.NotContains(t, string(r.Hash[:]), fresh[1])
		}
	}},
	{"ACodeIsAcceptedOnce", func(t *testing.T, newStore func(*testing.T) channel.OnlineStore) {
		e := newOnlineEnv(t, newStore)
		p := principal("alice")
		secret, _ := e.enrol(p)
		c := e.code(secret)
		require.NoError(t, e.svc.VerifySecondFactor(e.ctx, p.IdentityID, c))
		require.ErrorIs(t, e.svc.VerifySecondFactor(e.ctx, p.IdentityID, c), channel.ErrInvalidCode, "replay in the same step")
		// 10 s later the same code is still within its window: still refused.
		e.clock.Advance(10 * time.Second)
		require.ErrorIs(t, e.svc.VerifySecondFactor(e.ctx, p.IdentityID, c), channel.ErrInvalidCode, "replay within the skew")
		// The previous step's code, never used, is older than the one used: refused.
		prev, err := totp.GenerateCode(secret, e.clock.Now().Add(-40*time.Second))
		require.NoError(t, err)
		if prev != c {
			require.ErrorIs(t, e.svc.VerifySecondFactor(e.ctx, p.IdentityID, prev), channel.ErrInvalidCode)
		}
		e.nextStep()
		require.NoError(t, e.svc.VerifySecondFactor(e.ctx, p.IdentityID, e.code(secret)))
	}},
	{"ConcurrentUsesOfOneCodePassOnce", func(t *testing.T, newStore func(*testing.T) channel.OnlineStore) {
		e := newOnlineEnv(t, newStore, func(c *channel.OnlineConfig) {
			c.SecondFactorLockout = channel.LockoutPolicy{MaxFailures: 100, Duration: time.Minute}
		})
		p := principal("alice")
		secret, _ := e.enrol(p)
		c := e.code(secret)
		ok := 0
		for _, err := range parallel(12, func(int) error { return e.svc.VerifySecondFactor(e.ctx, p.IdentityID, c) }) {
			if err == nil {
				ok++
			} else {
				require.ErrorIs(t, err, channel.ErrInvalidCode)
			}
		}
		require.Equal(t, 1, ok)
	}},
	{"WrongCodesLockAsTheLoginLockoutDoes", func(t *testing.T, newStore func(*testing.T) channel.OnlineStore) {
		e := newOnlineEnv(t, newStore) // 5 wrong codes lock for 15 minutes
		p := principal("alice")
		secret, _ := e.enrol(p)
		wrong := "000000"
		if e.code(secret) == wrong {
			wrong = "111111"
		}
		for i := range 4 {
			require.ErrorIs(t, e.svc.VerifySecondFactor(e.ctx, p.IdentityID, wrong), channel.ErrInvalidCode, i)
			require.NotErrorIs(t, e.svc.VerifySecondFactor(e.ctx, p.IdentityID, "not-a-recovery-code"), channel.ErrSecondFactorLocked)
			break
		}
		// 2 failures so far; three more reach 5 and lock.
		for range 3 {
			_ = e.svc.VerifySecondFactor(e.ctx, p.IdentityID, wrong)
		}
		err := e.svc.VerifySecondFactor(e.ctx, p.IdentityID, e.code(secret))
		require.ErrorIs(t, err, channel.ErrSecondFactorLocked, "the right code is not checked while locked")
		st, err := e.svc.SecondFactorStatus(e.ctx, p.IdentityID)
		require.NoError(t, err)
		require.Equal(t, Start.Add(30*time.Second+15*time.Minute), st.LockedUntil)
		e.clock.Advance(15 * time.Minute)
		require.NoError(t, e.svc.VerifySecondFactor(e.ctx, p.IdentityID, e.code(secret)))
		f, err := e.store.SecondFactor(e.ctx, p.IdentityID)
		require.NoError(t, err)
		require.Zero(t, f.Failures)
	}},
	{"ConcurrentGuessesAdmitOnlyTheLimit", func(t *testing.T, newStore func(*testing.T) channel.OnlineStore) {
		e := newOnlineEnv(t, newStore)
		p := principal("alice")
		secret, _ := e.enrol(p)
		wrong := "000000"
		if e.code(secret) == wrong {
			wrong = "111111"
		}
		invalid, locked := 0, 0
		for _, err := range parallel(20, func(int) error { return e.svc.VerifySecondFactor(e.ctx, p.IdentityID, wrong) }) {
			switch {
			case errors.Is(err, channel.ErrSecondFactorLocked) && !errors.Is(err, channel.ErrInvalidCode):
				locked++
			case errors.Is(err, channel.ErrInvalidCode):
				invalid++
			default:
				t.Fatalf("unexpected %v", err)
			}
		}
		require.Equal(t, 5, invalid, "five guesses checked, the fifth locking")
		require.Equal(t, 15, locked)
	}},
	{"BadInputChangesNothing", func(t *testing.T, newStore func(*testing.T) channel.OnlineStore) {
		e := newOnlineEnv(t, newStore)
		p := principal("alice")
		_, err := e.svc.BeginTOTP(e.ctx, uuid.Nil, "alice")
		require.ErrorIs(t, err, channel.ErrInvalidInput)
		_, err = e.svc.BeginTOTP(e.ctx, p.IdentityID, "")
		require.ErrorIs(t, err, channel.ErrInvalidInput)
		secret, _ := e.enrol(p)
		for _, c := range []string{"", "                                             x"} {
			require.ErrorIs(t, e.svc.VerifySecondFactor(e.ctx, p.IdentityID, c), channel.ErrInvalidInput)
		}
		f, err := e.store.SecondFactor(e.ctx, p.IdentityID)
		require.NoError(t, err)
		require.Zero(t, f.Failures, "malformed input is not an attempt")
		require.NoError(t, e.svc.ResetSecondFactor(e.ctx, p.IdentityID))
		require.ErrorIs(t, e.svc.VerifySecondFactor(e.ctx, p.IdentityID, e.code(secret)), channel.ErrNotEnrolled)
		require.ErrorIs(t, e.svc.ResetSecondFactor(e.ctx, p.IdentityID), channel.ErrNotFound)
	}},
}

func newKey(t *testing.T) (ed25519.PublicKey, ed25519.PrivateKey) {
	pub, priv, err := ed25519.GenerateKey(nil)
	require.NoError(t, err)
	return pub, priv
}

var deviceTests = []onlineTest{
	{"ANewDeviceNeedsTheSecondFactor", func(t *testing.T, newStore func(*testing.T) channel.OnlineStore) {
		e := newOnlineEnv(t, newStore)
		p := principal("alice")
		secret, _ := e.enrol(p)
		pub, priv := newKey(t)
		n := channel.NewDevice{ID: "iphone-7f3a9c", PublicKey: pub, Name: "Alice's phone"}
		_, err := e.svc.RecogniseDevice(e.ctx, p.IdentityID, n.ID)
		require.ErrorIs(t, err, channel.ErrDeviceNotBound)
		_, err = e.svc.BindDevice(e.ctx, p.IdentityID, n, "999999x")
		require.ErrorIs(t, err, channel.ErrInvalidCode)
		ds, err := e.svc.Devices(e.ctx, p.IdentityID)
		require.NoError(t, err)
		require.Empty(t, ds, "a refused binding stores nothing")

		d, err := e.svc.BindDevice(e.ctx, p.IdentityID, n, e.code(secret))
		require.NoError(t, err)
		require.Equal(t, e.clock.Now(), d.FirstSeen)
		_, err = e.svc.BindDevice(e.ctx, p.IdentityID, n, e.code(secret))
		require.ErrorIs(t, err, channel.ErrDuplicate)

		e.clock.Advance(time.Hour)
		seen, err := e.svc.RecogniseDevice(e.ctx, p.IdentityID, n.ID)
		require.NoError(t, err)
		require.Equal(t, d.FirstSeen, seen.FirstSeen)
		require.Equal(t, e.clock.Now(), seen.LastSeen)
		msg := []byte("login challenge 42")
		require.NoError(t, e.svc.VerifyDeviceSignature(e.ctx, p.IdentityID, n.ID, msg, ed25519.Sign(priv, msg)))
		require.ErrorIs(t, e.svc.VerifyDeviceSignature(e.ctx, p.IdentityID, n.ID, []byte("other"), ed25519.Sign(priv, msg)), channel.ErrDeviceNotBound)
		// Another identity does not know the device.
		_, err = e.svc.RecogniseDevice(e.ctx, principal("bob").IdentityID, n.ID)
		require.ErrorIs(t, err, channel.ErrDeviceNotBound)

		r, err := e.svc.RevokeDevice(e.ctx, p.IdentityID, n.ID)
		require.NoError(t, err)
		require.Equal(t, e.clock.Now(), r.RevokedAt)
		_, err = e.svc.RecogniseDevice(e.ctx, p.IdentityID, n.ID)
		require.ErrorIs(t, err, channel.ErrDeviceNotBound)
		e.nextStep()
		again, err := e.svc.BindDevice(e.ctx, p.IdentityID, n, e.code(secret))
		require.NoError(t, err, "a revoked device can be bound afresh, with the second factor")
		require.True(t, again.Bound())
		ds, err = e.svc.Devices(e.ctx, p.IdentityID)
		require.NoError(t, err)
		require.Len(t, ds, 1)
		require.Equal(t, n.Name, ds[0].Name)
	}},
	{"BadDevicesAreRefused", func(t *testing.T, newStore func(*testing.T) channel.OnlineStore) {
		e := newOnlineEnv(t, newStore)
		p := principal("alice")
		secret, _ := e.enrol(p)
		pub, _ := newKey(t)
		for _, n := range []channel.NewDevice{
			{ID: "short", PublicKey: pub, Name: "x"},
			{ID: "device with spaces", PublicKey: pub, Name: "x"},
			{ID: "device-0001", PublicKey: pub[:31], Name: "x"},
			{ID: "device-0001", PublicKey: pub, Name: ""},
			{ID: "device-0001", PublicKey: pub, Name: "bell\a"},
		} {
			_, err := e.svc.BindDevice(e.ctx, p.IdentityID, n, e.code(secret))
			require.ErrorIs(t, err, channel.ErrInvalidInput, n)
		}
		// Refused before the code was checked: the code is still good.
		require.NoError(t, e.svc.VerifySecondFactor(e.ctx, p.IdentityID, e.code(secret)))
	}},
}

var stepUpTests = []onlineTest{
	{"ExpiredProofsArePruned", func(t *testing.T, newStore func(*testing.T) channel.OnlineStore) {
		e := newOnlineEnv(t, newStore)
		p := principal("alice")
		secret, _ := e.enrol(p)
		params := channel.TransferParams(aliceAccount.String(), bobAccount.String(), cny("8000.00"))
		used := e.stepUp(p, secret, channel.ActionTransfer, params)
		require.NoError(t, e.svc.ConsumeStepUp(e.ctx, p, used, channel.ActionTransfer, params))
		idle := e.stepUp(p, secret, channel.ActionTransfer, params)
		n, err := e.svc.PruneStepUps(e.ctx)
		require.NoError(t, err)
		require.Zero(t, n, "none has expired")
		e.clock.Advance(5*time.Minute + time.Second)
		fresh := e.stepUp(p, secret, channel.ActionTransfer, params)
		n, err = e.svc.PruneStepUps(e.ctx)
		require.NoError(t, err)
		require.Equal(t, 2, n, "the used one and the idle one, both expired")
		n, err = e.svc.PruneStepUps(e.ctx)
		require.NoError(t, err)
		require.Zero(t, n)
		require.ErrorIs(t, e.svc.ConsumeStepUp(e.ctx, p, idle, channel.ActionTransfer, params), channel.ErrStepUpRequired, "a pruned proof proves nothing")
		require.ErrorIs(t, e.svc.ConsumeStepUp(e.ctx, p, used, channel.ActionTransfer, params), channel.ErrStepUpRequired)
		require.NoError(t, e.svc.ConsumeStepUp(e.ctx, p, fresh, channel.ActionTransfer, params), "a live one stays")
	}},
	{"AProofIsGoodForOneRequest", func(t *testing.T, newStore func(*testing.T) channel.OnlineStore) {
		e := newOnlineEnv(t, newStore)
		p := principal("alice")
		secret, _ := e.enrol(p)
		params := channel.TransferParams(aliceAccount.String(), bobAccount.String(), cny("8000.00"))
		tok := e.stepUp(p, secret, channel.ActionTransfer, params)
		require.NoError(t, e.svc.ConsumeStepUp(e.ctx, p, tok, channel.ActionTransfer, params))
		require.ErrorIs(t, e.svc.ConsumeStepUp(e.ctx, p, tok, channel.ActionTransfer, params), channel.ErrStepUpRequired, "replayed")
		require.ErrorIs(t, e.svc.ConsumeStepUp(e.ctx, p, "", channel.ActionTransfer, params), channel.ErrStepUpRequired)

		// Bound to the parameters: another amount spends and refuses it.
		tok = e.stepUp(p, secret, channel.ActionTransfer, params)
		other := channel.TransferParams(aliceAccount.String(), bobAccount.String(), cny("8000.01"))
		require.ErrorIs(t, e.svc.ConsumeStepUp(e.ctx, p, tok, channel.ActionTransfer, other), channel.ErrStepUpRequired)
		require.ErrorIs(t, e.svc.ConsumeStepUp(e.ctx, p, tok, channel.ActionTransfer, params), channel.ErrStepUpRequired, "spent by the mismatch")
		// To the action.
		tok = e.stepUp(p, secret, channel.ActionTransfer, params)
		require.ErrorIs(t, e.svc.ConsumeStepUp(e.ctx, p, tok, channel.ActionAddPayee, params), channel.ErrStepUpRequired)
		// To the session.
		tok = e.stepUp(p, secret, channel.ActionTransfer, params)
		otherSession := p
		otherSession.SessionID = uuid.Must(uuid.NewV7())
		require.ErrorIs(t, e.svc.ConsumeStepUp(e.ctx, otherSession, tok, channel.ActionTransfer, params), channel.ErrStepUpRequired)
		// And it expires after five minutes.
		tok = e.stepUp(p, secret, channel.ActionTransfer, params)
		e.clock.Advance(5 * time.Minute)
		require.ErrorIs(t, e.svc.ConsumeStepUp(e.ctx, p, tok, channel.ActionTransfer, params), channel.ErrStepUpRequired)
	}},
	{"ConcurrentUsesOfOneProofPassOnce", func(t *testing.T, newStore func(*testing.T) channel.OnlineStore) {
		e := newOnlineEnv(t, newStore)
		p := principal("alice")
		secret, _ := e.enrol(p)
		params := channel.ActionParams{"x": "1"}
		tok := e.stepUp(p, secret, channel.ActionRaiseLimits, params)
		ok := 0
		for _, err := range parallel(12, func(int) error {
			return e.svc.ConsumeStepUp(e.ctx, p, tok, channel.ActionRaiseLimits, params)
		}) {
			if err == nil {
				ok++
			} else {
				require.ErrorIs(t, err, channel.ErrStepUpRequired)
			}
		}
		require.Equal(t, 1, ok)
	}},
	{"AWrongCodeIssuesNothing", func(t *testing.T, newStore func(*testing.T) channel.OnlineStore) {
		e := newOnlineEnv(t, newStore)
		p := principal("alice")
		e.enrol(p)
		_, err := e.svc.StepUp(e.ctx, p, channel.ActionTransfer, nil, "12345x")
		require.ErrorIs(t, err, channel.ErrInvalidCode)
		_, err = e.svc.StepUp(e.ctx, p, "transfer.everything", nil, "123456")
		require.ErrorIs(t, err, channel.ErrInvalidInput)
		require.True(t, e.svc.TransferNeedsStepUp(cny("5000.01")))
		require.False(t, e.svc.TransferNeedsStepUp(cny("5000.00")))
		require.True(t, e.svc.TransferNeedsStepUp(money.MustParse("1", "USD")), "no threshold for the currency: always")
		require.True(t, e.svc.WealthPurchaseNeedsStepUp(4))
		require.False(t, e.svc.WealthPurchaseNeedsStepUp(3))
	}},
}

var payeeTests = []onlineTest{
	{"AddListRenameDelete", func(t *testing.T, newStore func(*testing.T) channel.OnlineStore) {
		e := newOnlineEnv(t, newStore)
		p := principal("alice")
		secret, _ := e.enrol(p)
		n := channel.NewPayee{Name: "Bob", AccountID: bobAccount.String()}
		_, err := e.svc.AddPayee(e.ctx, p, n, "")
		require.ErrorIs(t, err, channel.ErrStepUpRequired)
		py, err := e.svc.AddPayee(e.ctx, p, n, e.stepUp(p, secret, channel.ActionAddPayee, n.Params()))
		require.NoError(t, err)
		require.Equal(t, e.clock.Now().Add(24*time.Hour), py.CoolingUntil)
		_, err = e.svc.AddPayee(e.ctx, p, n, e.stepUp(p, secret, channel.ActionAddPayee, n.Params()))
		require.ErrorIs(t, err, channel.ErrDuplicate)
		ext := channel.NewPayee{Name: "Carol at ICBC", BankCode: "102100099996", AccountNumber: "6222020200112233"}
		_, err = e.svc.AddPayee(e.ctx, p, ext, e.stepUp(p, secret, channel.ActionAddPayee, ext.Params()))
		require.NoError(t, err)

		ps, err := e.svc.Payees(e.ctx, "alice")
		require.NoError(t, err)
		require.Len(t, ps, 2)
		require.Equal(t, "Bob", ps[0].Name)
		renamed, err := e.svc.RenamePayee(e.ctx, "alice", py.ID, "Bob (rent)")
		require.NoError(t, err)
		require.Equal(t, py.CoolingUntil, renamed.CoolingUntil, "renaming does not restart the cooling-off")
		_, err = e.svc.Payee(e.ctx, "bob", py.ID)
		require.ErrorIs(t, err, channel.ErrNotFound, "another customer's payee")
		require.ErrorIs(t, e.svc.DeletePayee(e.ctx, "bob", py.ID), channel.ErrNotFound)
		require.NoError(t, e.svc.DeletePayee(e.ctx, "alice", py.ID))
		require.ErrorIs(t, e.svc.DeletePayee(e.ctx, "alice", py.ID), channel.ErrNotFound)
		ps, err = e.svc.Payees(e.ctx, "alice")
		require.NoError(t, err)
		require.Len(t, ps, 1)
	}},
	{"OwnAccountAndBadInputAreRefused", func(t *testing.T, newStore func(*testing.T) channel.OnlineStore) {
		e := newOnlineEnv(t, newStore)
		p := principal("alice")
		secret, _ := e.enrol(p)
		own := channel.NewPayee{Name: "Me", AccountID: aliceAccount.String()}
		tok := e.stepUp(p, secret, channel.ActionAddPayee, own.Params())
		_, err := e.svc.AddPayee(e.ctx, p, own, tok)
		require.ErrorIs(t, err, channel.ErrOwnAccount)
		for _, n := range []channel.NewPayee{
			{Name: "", AccountID: bobAccount.String()},
			{Name: "x\x00", AccountID: bobAccount.String()},
			{Name: "x", AccountID: "not-an-id"},
			{Name: "x", AccountID: bobAccount.String(), BankCode: "102"},
			{Name: "x", BankCode: "102100099996"},
			{Name: "x", BankCode: "1-2", AccountNumber: "12345"},
		} {
			_, err := e.svc.AddPayee(e.ctx, p, n, tok)
			require.ErrorIs(t, err, channel.ErrInvalidInput, n)
		}
		unknown := channel.NewPayee{Name: "x", AccountID: uuid.Must(uuid.NewV7()).String()}
		_, err = e.svc.AddPayee(e.ctx, p, unknown, tok)
		require.ErrorIs(t, err, channel.ErrNotFound)
		// The proof was not spent by the refusals: it still adds the own
		// account's... no: own accounts are refused before it is spent.
		require.NoError(t, e.svc.ConsumeStepUp(e.ctx, p, tok, channel.ActionAddPayee, own.Params()))
		ps, err := e.svc.Payees(e.ctx, "alice")
		require.NoError(t, err)
		require.Empty(t, ps)
		staffP := p
		staffP.Kind = channel.KindStaff
		_, err = e.svc.AddPayee(e.ctx, staffP, channel.NewPayee{Name: "Bob", AccountID: bobAccount.String()}, tok)
		require.ErrorIs(t, err, channel.ErrForbidden)
	}},
	{"ANewPayeeIsCappedWhileCoolingOff", func(t *testing.T, newStore func(*testing.T) channel.OnlineStore) {
		e := newOnlineEnv(t, newStore) // 24 h, CNY 1,000.00
		p := principal("alice")
		secret, _ := e.enrol(p)
		n := channel.NewPayee{Name: "Bob", AccountID: bobAccount.String()}
		py, err := e.svc.AddPayee(e.ctx, p, n, e.stepUp(p, secret, channel.ActionAddPayee, n.Params()))
		require.NoError(t, err)
		bob := bobAccount.String()
		require.NoError(t, e.svc.CheckPayeeCap(e.ctx, "alice", bob, cny("1000.00")))
		require.ErrorIs(t, e.svc.CheckPayeeCap(e.ctx, "alice", bob, cny("1000.01")), channel.ErrCoolingOff)
		require.ErrorIs(t, e.svc.CheckPayeeCap(e.ctx, "alice", bob, money.MustParse("1", "USD")), channel.ErrCoolingOff, "no cap row: nothing passes")
		require.NoError(t, e.svc.CheckPayeeCap(e.ctx, "carol", bob, cny("5000.00")), "not carol's payee")
		// The reservation checks the same cap, in its one step, and counts
		// nothing when it refuses.
		_, err = e.svc.ReserveLimits(e.ctx, "alice", channel.ChannelOnline, "to-bob-1", cny("1000.01"), bob)
		require.ErrorIs(t, err, channel.ErrCoolingOff)
		_, err = e.svc.ReserveLimits(e.ctx, "alice", channel.ChannelOnline, "to-bob-2", cny("1000.00"), bob)
		require.NoError(t, err)
		v, err := e.svc.Limits(e.ctx, channel.LimitKey{CustomerID: "alice", Channel: channel.ChannelOnline, Currency: "CNY"})
		require.NoError(t, err)
		require.True(t, v.Usage.DayUsed.Equal(dec("1000")), v.Usage.DayUsed.String())
		e.clock.Set(py.CoolingUntil.Add(-time.Microsecond)) // still cooling
		require.ErrorIs(t, e.svc.CheckPayeeCap(e.ctx, "alice", bob, cny("1000.01")), channel.ErrCoolingOff)
		_, err = e.svc.ReserveLimits(e.ctx, "alice", channel.ChannelOnline, "to-bob-3", cny("1000.01"), bob)
		require.ErrorIs(t, err, channel.ErrCoolingOff)
		e.clock.Set(py.CoolingUntil)
		require.NoError(t, e.svc.CheckPayeeCap(e.ctx, "alice", bob, cny("90000.00")))
		_, err = e.svc.ReserveLimits(e.ctx, "alice", channel.ChannelOnline, "to-bob-4", cny("40000.00"), bob)
		require.NoError(t, err)
	}},
}

var limitTests = []onlineTest{
	{"DefaultsLoweringAndRaising", func(t *testing.T, newStore func(*testing.T) channel.OnlineStore) {
		e := newOnlineEnv(t, newStore)
		p := principal("alice")
		secret, _ := e.enrol(p)
		k := channel.LimitKey{CustomerID: "alice", Channel: channel.ChannelOnline, Currency: "CNY"}
		v, err := e.svc.Limits(e.ctx, k)
		require.NoError(t, err)
		require.False(t, v.Own)
		require.True(t, v.Limits.PerDay.Equal(dec("200000")))
		require.True(t, v.Max.PerDay.Equal(dec("1000000")))

		lower := channel.Limits{PerTransaction: dec("1000"), PerDay: dec("3000"), PerMonth: dec("10000")}
		v, err = e.svc.SetLimits(e.ctx, p, k, lower, "")
		require.NoError(t, err, "lowering needs no step-up")
		require.True(t, v.Own)
		require.True(t, v.Limits.PerDay.Equal(dec("3000")))

		higher := channel.Limits{PerTransaction: dec("1000"), PerDay: dec("4000"), PerMonth: dec("10000")}
		_, err = e.svc.SetLimits(e.ctx, p, k, higher, "")
		require.ErrorIs(t, err, channel.ErrStepUpRequired)
		tok := e.stepUp(p, secret, channel.ActionRaiseLimits, higher.Params(k.Channel, k.Currency))
		v, err = e.svc.SetLimits(e.ctx, p, k, higher, tok)
		require.NoError(t, err)
		require.True(t, v.Limits.PerDay.Equal(dec("4000")))

		tooHigh := channel.Limits{PerTransaction: dec("500000"), PerDay: dec("1000000.01"), PerMonth: dec("5000000")}
		_, err = e.svc.SetLimits(e.ctx, p, k, tooHigh, e.stepUp(p, secret, channel.ActionRaiseLimits, tooHigh.Params(k.Channel, k.Currency)))
		require.ErrorIs(t, err, channel.ErrAboveMaximum)
		for _, bad := range []channel.Limits{
			{PerTransaction: dec("-1"), PerDay: dec("1"), PerMonth: dec("1")},
			{PerTransaction: dec("2"), PerDay: dec("1"), PerMonth: dec("1")},
			{PerTransaction: dec("1"), PerDay: dec("2"), PerMonth: dec("1")},
			{PerTransaction: dec("0.001"), PerDay: dec("1"), PerMonth: dec("1")},
		} {
			_, err = e.svc.SetLimits(e.ctx, p, k, bad, "")
			require.ErrorIs(t, err, channel.ErrInvalidInput, bad)
		}
		_, err = e.svc.SetLimits(e.ctx, p, channel.LimitKey{CustomerID: "bob", Channel: channel.ChannelOnline, Currency: "CNY"}, lower, "")
		require.ErrorIs(t, err, channel.ErrNotFound)
		v, err = e.svc.Limits(e.ctx, k)
		require.NoError(t, err)
		require.True(t, v.Limits.PerDay.Equal(dec("4000")), "refused changes changed nothing")
		// Channels are apart: the mobile limits are still the default.
		v, err = e.svc.Limits(e.ctx, channel.LimitKey{CustomerID: "alice", Channel: channel.ChannelMobile, Currency: "CNY"})
		require.NoError(t, err)
		require.False(t, v.Own)
	}},
	{"ReconcileReservationsReleasesThoseWithoutAPosting", func(t *testing.T, newStore func(*testing.T) channel.OnlineStore) {
		e := newOnlineEnv(t, newStore)
		k := channel.LimitKey{CustomerID: "alice", Channel: channel.ChannelOnline, Currency: "CNY"}
		reserve := func(key, amount string) {
			t.Helper()
			_, err := e.svc.ReserveLimits(e.ctx, "alice", channel.ChannelOnline, key, cny(amount), "")
			require.NoError(t, err)
		}
		// 17:00 UTC+8 on 2 March. Yesterday (1 March there) one posted and
		// one whose transfer never did; today three: posted, never posted,
		// and one made a minute before the close, its transfer maybe on
		// its way.
		e.clock.Set(Start.Add(-24 * time.Hour))
		reserve("y-posted", "100.00")
		reserve("y-lost", "200.00")
		e.clock.Set(Start)
		reserve("t-posted", "300.00")
		reserve("t-lost", "400.00")
		e.clock.Advance(time.Hour)
		reserve("t-late", "500.00")
		e.clock.Advance(time.Minute)
		ledger := fakePostings{"y-posted": true, "t-posted": true}
		day := calendar.MustParseDate("2026-03-02")

		_, _, err := e.svc.ReconcileReservations(e.ctx, day, nil)
		require.ErrorIs(t, err, channel.ErrInvalidInput)
		_, _, err = e.svc.ReconcileReservations(e.ctx, calendar.Date{}, ledger)
		require.ErrorIs(t, err, channel.ErrInvalidInput)
		_, err = e.svc.ReservationsReconciled(e.ctx, day)
		require.ErrorIs(t, err, channel.ErrNotFound)
		// The ledger cannot answer: nothing is kept, a re-run finishes.
		_, _, err = e.svc.ReconcileReservations(e.ctx, day, fakePostings{"fail": true})
		require.Error(t, err)
		_, err = e.svc.ReservationsReconciled(e.ctx, day)
		require.ErrorIs(t, err, channel.ErrNotFound)

		rep, created, err := e.svc.ReconcileReservations(e.ctx, day, ledger)
		require.NoError(t, err)
		require.True(t, created)
		require.Equal(t, day, rep.Day)
		require.Equal(t, 4, rep.Checked)
		require.Equal(t, 2, rep.Posted)
		require.Equal(t, 1, rep.Pending, "younger than the grace")
		require.Equal(t, []string{"y-lost", "t-lost"}, rep.Released)
		require.Equal(t, e.clock.Now().UTC().Truncate(time.Microsecond), rep.ClosedAt)
		v, err := e.svc.Limits(e.ctx, k)
		require.NoError(t, err)
		require.Equal(t, "800", v.Usage.DayUsed.String(), "today: posted 300 and the pending 500")
		require.Equal(t, "900", v.Usage.MonthUsed.String(), "March: the 100 of the 1st as well")
		rs, err := e.svc.Reservations(e.ctx, "2026-03-01")
		require.NoError(t, err)
		require.Len(t, rs, 1)
		require.Equal(t, "y-posted", rs[0].IdempotencyKey)

		// A re-run for the day keeps the report and releases nothing more,
		// even once the late one is old enough and the ledger forgets.
		e.clock.Advance(time.Hour)
		again, created, err := e.svc.ReconcileReservations(e.ctx, day, fakePostings{})
		require.NoError(t, err)
		require.False(t, created)
		require.Equal(t, rep, again)
		got, err := e.svc.ReservationsReconciled(e.ctx, day)
		require.NoError(t, err)
		require.Equal(t, rep, got)
		v, err = e.svc.Limits(e.ctx, k)
		require.NoError(t, err)
		require.Equal(t, "800", v.Usage.DayUsed.String())

		// The next day's run looks at the day before again: the late one,
		// whose transfer never posted, goes then.
		next, created, err := e.svc.ReconcileReservations(e.ctx, day.AddDays(1), ledger)
		require.NoError(t, err)
		require.True(t, created)
		require.Equal(t, []string{"t-late"}, next.Released)
		require.Equal(t, 1, next.Posted)
		v, err = e.svc.Limits(e.ctx, k)
		require.NoError(t, err)
		require.Equal(t, "400", v.Usage.MonthUsed.String())
	}},
	{"ReservationsCountPerTransactionDayAndMonth", func(t *testing.T, newStore func(*testing.T) channel.OnlineStore) {
		e := newOnlineEnv(t, newStore)
		p := principal("alice")
		k := channel.LimitKey{CustomerID: "alice", Channel: channel.ChannelOnline, Currency: "CNY"}
		_, err := e.svc.SetLimits(e.ctx, p, k, channel.Limits{PerTransaction: dec("1000"), PerDay: dec("2500"), PerMonth: dec("4000")}, "")
		require.NoError(t, err)
		reserve := func(key, amount string) error {
			_, err := e.svc.ReserveLimits(e.ctx, "alice", channel.ChannelOnline, key, cny(amount), "")
			return err
		}
		require.ErrorIs(t, reserve("t0", "1000.01"), channel.ErrLimitExceeded, "above per transaction")
		require.NoError(t, reserve("t1", "1000.00"))
		require.NoError(t, reserve("t2", "1000.00"))
		require.NoError(t, reserve("t2", "1000.00"), "a retry under the same key counts nothing more")
		require.ErrorIs(t, reserve("t2", "999.00"), channel.ErrConflict)
		err = reserve("t3", "500.01")
		require.ErrorIs(t, err, channel.ErrLimitExceeded, "2000 + 500.01 > 2500 a day")
		require.ErrorContains(t, err, "500.00 left of the daily limit of 2500.00")
		require.NoError(t, reserve("t3", "500.00"))
		v, err := e.svc.Limits(e.ctx, k)
		require.NoError(t, err)
		require.True(t, v.Usage.DayUsed.Equal(dec("2500")), v.Usage.DayUsed.String())
		// 17:00 UTC+8 on 2 March; 7 hours on it is 3 March there.
		e.clock.Advance(7 * time.Hour)
		require.NoError(t, reserve("t4", "1000.00"), "a new day")
		err = reserve("t5", "500.01")
		require.ErrorIs(t, err, channel.ErrLimitExceeded, "3500 + 500.01 > 4000 a month")
		require.ErrorContains(t, err, "monthly")
		// Releasing yesterday's reservation takes it off the month, not
		// off today.
		require.NoError(t, e.svc.ReleaseLimits(e.ctx, "t1"))
		require.ErrorIs(t, e.svc.ReleaseLimits(e.ctx, "t1"), channel.ErrNotFound)
		v, err = e.svc.Limits(e.ctx, k)
		require.NoError(t, err)
		require.True(t, v.Usage.DayUsed.Equal(dec("1000")), v.Usage.DayUsed.String())
		require.True(t, v.Usage.MonthUsed.Equal(dec("2500")), v.Usage.MonthUsed.String())
		rs, err := e.svc.Reservations(e.ctx, "2026-03-02")
		require.NoError(t, err)
		require.Len(t, rs, 2) // t2 and t3
		require.Equal(t, "t2", rs[0].IdempotencyKey)
		// Bad input.
		require.ErrorIs(t, reserve("", "1"), channel.ErrInvalidInput)
		require.ErrorIs(t, reserve("t6", "0"), channel.ErrInvalidInput)
		_, err = e.svc.ReserveLimits(e.ctx, "alice", channel.ChannelOnline, "t7", money.MustParse("1", "USD"), "")
		require.ErrorIs(t, err, channel.ErrLimitExceeded, "no USD limits: the bank takes none")
		_, err = e.svc.ReserveLimits(e.ctx, "alice", "atm", "t7", cny("1"), "")
		require.ErrorIs(t, err, channel.ErrInvalidInput)
	}},
	{"ConcurrentTransfersRaceOneDailyLimit", func(t *testing.T, newStore func(*testing.T) channel.OnlineStore) {
		// Default limits: 50,000 a transaction, 200,000 a day. Forty
		// transfers of 7,000.00 race: 28 × 7,000 = 196,000 fit, the 29th
		// would make 203,000. Exactly 28 pass and 196,000.00 is counted.
		e := newOnlineEnv(t, newStore)
		errs := parallel(40, func(i int) error {
			_, err := e.svc.ReserveLimits(e.ctx, "alice", channel.ChannelOnline, fmt.Sprintf("race-%02d", i), cny("7000.00"), "")
			return err
		})
		passed := 0
		for _, err := range errs {
			if err == nil {
				passed++
			} else {
				require.ErrorIs(t, err, channel.ErrLimitExceeded)
			}
		}
		require.Equal(t, 28, passed)
		v, err := e.svc.Limits(e.ctx, channel.LimitKey{CustomerID: "alice", Channel: channel.ChannelOnline, Currency: "CNY"})
		require.NoError(t, err)
		require.True(t, v.Usage.DayUsed.Equal(dec("196000")), v.Usage.DayUsed.String())
		rs, err := e.svc.Reservations(e.ctx, "2026-03-02")
		require.NoError(t, err)
		require.Len(t, rs, 28)
	}},
}

// fakePostings answers the limits' reconciliation: the keys that posted;
// "fail" makes every look-up fail.
type fakePostings map[string]bool

func (f fakePostings) Posted(_ context.Context, key string) (bool, error) {
	if f["fail"] {
		return false, errors.New("fake ledger: unavailable")
	}
	return f[key], nil
}
