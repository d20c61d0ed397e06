package channeltest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/money"
)

// FakeCashLedger is a channel.CashLedger in memory: accounts with
// balances, holds, and the keys already posted, so a retry posts nothing
// twice. Fail makes the next calls of a kind fail as an unavailable
// ledger would (the outcome unknown, nothing done). Safe for concurrent
// use.
type FakeCashLedger struct {
	mu       sync.Mutex
	balances map[string]decimal.Decimal // by account id; the vault is "vault"
	holds    map[string]*fakeHold
	keys     map[string]string // idempotency key -> hold id or "posted"
	// Captures and Releases count the ledger steps taken.
	Captures, Releases int
	fail               map[string]int
}

type fakeHold struct {
	account string
	amount  money.Money
	active  bool
}

// NewFakeCashLedger returns an empty fake.
func NewFakeCashLedger() *FakeCashLedger {
	return &FakeCashLedger{balances: map[string]decimal.Decimal{}, holds: map[string]*fakeHold{}, keys: map[string]string{}, fail: map[string]int{}}
}

// errLedgerDown is what the fake answers when told to fail.
var errLedgerDown = errors.New("fake ledger: unavailable")

// Fail makes the next n calls of op ("hold", "capture", "release", "move")
// fail without doing anything.
func (l *FakeCashLedger) Fail(op string, n int) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.fail[op] = n
}

func (l *FakeCashLedger) failing(op string) bool {
	if l.fail[op] > 0 {
		l.fail[op]--
		return true
	}
	return false
}

// Fund sets a customer account's balance.
func (l *FakeCashLedger) Fund(account string, amount string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.balances[account] = decimal.RequireFromString(amount)
}

// BalanceOf returns an account's balance.
func (l *FakeCashLedger) BalanceOf(account string) decimal.Decimal {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.balances[account]
}

// Held returns what active holds take of an account.
func (l *FakeCashLedger) Held(account string) decimal.Decimal {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.held(account)
}

func (l *FakeCashLedger) held(account string) decimal.Decimal {
	sum := decimal.Zero
	for _, h := range l.holds {
		if h.active && h.account == account {
			sum = sum.Add(h.amount.Amount)
		}
	}
	return sum
}

// OpenCashAccount implements channel.CashLedger.
func (l *FakeCashLedger) OpenCashAccount(_ context.Context, deviceID string, c money.Currency) (string, error) {
	return "cash/" + deviceID + "/" + string(c), nil
}

// PlaceHold implements channel.CashLedger.
func (l *FakeCashLedger) PlaceHold(_ context.Context, key, account string, amount money.Money, _ string) (string, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.failing("hold") {
		return "", errLedgerDown
	}
	if id, ok := l.keys[key]; ok {
		return id, nil
	}
	if l.balances[account].Sub(l.held(account)).LessThan(amount.Amount) {
		return "", fmt.Errorf("%w: insufficient funds", channel.ErrLimitExceeded)
	}
	id := fmt.Sprintf("hold-%d", len(l.holds)+1)
	l.holds[id] = &fakeHold{account: account, amount: amount, active: true}
	l.keys[key] = id
	return id, nil
}

// Capture implements channel.CashLedger.
func (l *FakeCashLedger) Capture(_ context.Context, key, holdID, cashAccount string, amount money.Money, _ string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.failing("capture") {
		return errLedgerDown
	}
	if _, ok := l.keys[key]; ok {
		return nil
	}
	h, ok := l.holds[holdID]
	if !ok || !h.active {
		return fmt.Errorf("%w: hold %s not active", channel.ErrConflict, holdID)
	}
	if amount.Amount.GreaterThan(h.amount.Amount) {
		return fmt.Errorf("%w: above the hold", channel.ErrInvalidInput)
	}
	h.active = false
	l.balances[h.account] = l.balances[h.account].Sub(amount.Amount)
	l.balances[cashAccount] = l.balances[cashAccount].Sub(amount.Amount) // the device's cash goes down
	l.keys[key] = "posted"
	l.Captures++
	return nil
}

// Release implements channel.CashLedger.
func (l *FakeCashLedger) Release(_ context.Context, holdID string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.failing("release") {
		return errLedgerDown
	}
	h, ok := l.holds[holdID]
	if !ok {
		return fmt.Errorf("%w: hold %s", channel.ErrNotFound, holdID)
	}
	if h.active {
		h.active = false
		l.Releases++
	}
	return nil
}

// MoveCash implements channel.CashLedger.
func (l *FakeCashLedger) MoveCash(_ context.Context, key, cashAccount string, amount money.Money, toDevice bool, _ string) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.failing("move") {
		return errLedgerDown
	}
	if _, ok := l.keys[key]; ok {
		return nil
	}
	v := amount.Amount
	if !toDevice {
		v = v.Neg()
	}
	l.balances[cashAccount] = l.balances[cashAccount].Add(v)
	l.balances["vault"] = l.balances["vault"].Sub(v)
	l.keys[key] = "posted"
	return nil
}

// Balance implements channel.CashLedger.
func (l *FakeCashLedger) Balance(_ context.Context, cashAccount string) (money.Money, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	var c money.Currency = "CNY"
	return money.Money{Amount: l.balances[cashAccount], Currency: c}, nil
}

// atmEnv is one fleet test's world.
type atmEnv struct {
	t      *testing.T
	ctx    context.Context
	store  channel.ATMStore
	clock  *calendar.ManualClock
	ledger *FakeCashLedger
	fleet  *channel.Fleet
}

func newATMEnv(t *testing.T, newStore func(t *testing.T) channel.ATMStore) *atmEnv {
	t.Helper()
	e := &atmEnv{t: t, ctx: context.Background(), store: newStore(t), clock: calendar.NewManualClock(Start), ledger: NewFakeCashLedger()}
	var err error
	e.fleet, err = channel.NewFleet(e.store, e.ledger, channel.WithFleetClock(e.clock))
	require.NoError(t, err)
	return e
}

func d(v string) decimal.Decimal { return dec(v) }

// testCassettes: 100s (capacity 2000, low at 200) and 50s (capacity 1000,
// low at 100).
func testCassettes() []channel.Cassette {
	return []channel.Cassette{
		{Currency: "CNY", Denomination: d("100"), Capacity: 2000, LowAt: 200},
		{Currency: "CNY", Denomination: d("50"), Capacity: 1000, LowAt: 100},
	}
}

// register adds a device and returns it with its token.
func (e *atmEnv) register(id string) (channel.ATM, string) {
	e.t.Helper()
	a, token, err := e.fleet.Register(e.ctx, channel.NewATM{ID: id, Branch: "Pudong", Address: "1 Century Avenue",
		Latitude: d("31.2397"), Longitude: d("121.4998"), Model: "NCR 6688", Cassettes: testCassettes()})
	require.NoError(e.t, err)
	return a, token
}

// load schedules, loads and confirms 100s and 50s.
func (e *atmEnv) load(a channel.ATM, hundreds, fifties int) channel.Replenishment {
	e.t.Helper()
	r, err := e.fleet.ScheduleReplenishment(e.ctx, a.ID, calendar.DateOf(e.clock.Now()), []channel.ReplenishmentLine{
		{Currency: "CNY", Denomination: d("100"), Count: hundreds}, {Currency: "CNY", Denomination: d("50"), Count: fifties}})
	require.NoError(e.t, err)
	r, err = e.fleet.LoadReplenishment(e.ctx, r.ID)
	require.NoError(e.t, err)
	r, err = e.fleet.ConfirmReplenishment(e.ctx, a.ID, r.ID, []int{hundreds, fifties})
	require.NoError(e.t, err)
	require.Equal(e.t, channel.ReplenishmentConfirmed, r.State)
	return r
}

func (e *atmEnv) device(id string) channel.ATM {
	e.t.Helper()
	a, err := e.fleet.Device(e.ctx, id)
	require.NoError(e.t, err)
	return a
}

// balanced checks the device's ledger balance equals its cassettes.
func (e *atmEnv) balanced(id string) {
	e.t.Helper()
	a := e.device(id)
	require.True(e.t, e.ledger.BalanceOf(a.CashAccounts["CNY"]).Equal(a.Cash("CNY").Amount),
		"ledger %s, cassettes %s", e.ledger.BalanceOf(a.CashAccounts["CNY"]), a.Cash("CNY").Amount)
	rec, err := e.fleet.Reconcile(e.ctx)
	require.NoError(e.t, err)
	require.Zero(e.t, rec.Differences, "%+v", rec)
}

func requireATMField(t *testing.T, err error, sentinel error, field string) {
	t.Helper()
	require.ErrorIs(t, err, sentinel)
	var fe *fault.FieldError
	require.True(t, errors.As(err, &fe), "%v names no field", err)
	require.Equal(t, field, fe.Field, "%v", err)
}

type atmTest struct {
	name string
	run  func(t *testing.T, newStore func(*testing.T) channel.ATMStore)
}

// RunATM runs the contract suite of channel.ATMStore, through a Fleet over
// a FakeCashLedger.
func RunATM(t *testing.T, newStore func(t *testing.T) channel.ATMStore) {
	t.Helper()
	for _, tc := range atmTests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, newStore)
		})
	}
}

var atmTests = []atmTest{
	{"OfflineSpellsCountAsDowntime", func(t *testing.T, newStore func(*testing.T) channel.ATMStore) {
		e := newATMEnv(t, newStore)
		a, token := e.register("SH-0050")
		e.load(a, 100, 100)
		beat := func(s channel.ATMState, code string) {
			t.Helper()
			_, err := e.fleet.Heartbeat(e.ctx, token, channel.Heartbeat{State: s, FaultCode: code, Counts: []int{100, 100}})
			require.NoError(t, err)
		}
		beat(channel.ATMStateOK, "")
		e.clock.Advance(10 * time.Second)
		beat(channel.ATMStateOK, "") // on time: nothing to record
		ts, down, err := e.fleet.Tickets(e.ctx, a.ID)
		require.NoError(t, err)
		require.Empty(t, ts)
		require.Zero(t, down)

		// Silent for two minutes: offline now, and the spell counts while
		// it lasts.
		last := e.clock.Now().UTC().Truncate(time.Microsecond)
		e.clock.Advance(2 * time.Minute)
		require.Equal(t, channel.ATMOffline, e.fleet.Status(e.device(a.ID)))
		_, down, err = e.fleet.Tickets(e.ctx, a.ID)
		require.NoError(t, err)
		require.Equal(t, 2*time.Minute, down.Round(time.Millisecond))
		// Back: the spell is a closed ticket from the last heartbeat.
		beat(channel.ATMStateOK, "")
		back := e.clock.Now().UTC().Truncate(time.Microsecond)
		e.clock.Advance(10 * time.Second)
		beat(channel.ATMStateOK, "")
		ts, down, err = e.fleet.Tickets(e.ctx, a.ID)
		require.NoError(t, err)
		require.Len(t, ts, 1)
		require.Equal(t, channel.OfflineCode, ts[0].Code)
		require.Equal(t, last, ts[0].OpenedAt)
		require.Equal(t, back, ts[0].ClosedAt)
		require.Equal(t, 2*time.Minute, down)

		// Silent while a fault's ticket is open: the fault counts the time,
		// once.
		beat(channel.ATMStateFault, "E42")
		e.clock.Advance(5 * time.Minute)
		beat(channel.ATMStateFault, "E42")
		e.clock.Advance(time.Minute)
		beat(channel.ATMStateOK, "")
		ts, down, err = e.fleet.Tickets(e.ctx, a.ID)
		require.NoError(t, err)
		require.Len(t, ts, 2)
		require.Equal(t, "E42", ts[1].Code)
		require.Equal(t, 8*time.Minute, down, "two minutes offline, six at fault")
		// Every device's list has them too.
		all, _, err := e.fleet.Tickets(e.ctx, "")
		require.NoError(t, err)
		require.Len(t, all, 2)
	}},
	{"CloseDayKeepsOneReconciliationPerDate", func(t *testing.T, newStore func(*testing.T) channel.ATMStore) {
		e := newATMEnv(t, newStore)
		a, _ := e.register("SH-0040")
		e.load(a, 100, 0)
		b, _ := e.register("SH-0041")
		e.load(b, 0, 10)
		day := calendar.MustParseDate("2026-03-02")
		_, err := e.fleet.ClosedDay(e.ctx, day)
		require.ErrorIs(t, err, channel.ErrNotFound, "not closed yet")
		_, _, err = e.fleet.CloseDay(e.ctx, calendar.Date{})
		requireATMField(t, err, channel.ErrInvalidInput, "day")

		// The ledger is down for b's return of cash: b's books differ.
		r, err := e.fleet.ScheduleReplenishment(e.ctx, b.ID, day, []channel.ReplenishmentLine{{Currency: "CNY", Denomination: d("50"), Count: 20}})
		require.NoError(t, err)
		e.ledger.Fail("move", 1)
		_, err = e.fleet.LoadReplenishment(e.ctx, r.ID)
		require.Error(t, err)

		rec, created, err := e.fleet.CloseDay(e.ctx, day)
		require.NoError(t, err)
		require.True(t, created)
		require.Equal(t, day, rec.Day)
		require.Equal(t, e.clock.Now().UTC().Truncate(time.Microsecond), rec.ClosedAt)
		require.Equal(t, 1, rec.Differences)
		require.Len(t, rec.Lines, 2)
		require.Equal(t, "SH-0041", rec.Lines[1].DeviceID)
		require.Equal(t, "1000", rec.Lines[1].Counted.Amount.String(), "the cassettes hold the new order")
		require.Equal(t, "500", rec.Lines[1].Ledger.Amount.String())
		require.Equal(t, 1, rec.Lines[1].UnpostedLoads)

		// Settled afterwards, the kept day does not change: a re-run of the
		// step returns it as it was, and computes nothing new.
		_, err = e.fleet.LoadReplenishment(e.ctx, r.ID)
		require.NoError(t, err)
		e.clock.Advance(time.Hour)
		again, created, err := e.fleet.CloseDay(e.ctx, day)
		require.NoError(t, err)
		require.False(t, created)
		require.Equal(t, rec, again)
		got, err := e.fleet.ClosedDay(e.ctx, day)
		require.NoError(t, err)
		require.Equal(t, rec, got)

		// The next day closes on its own, balanced.
		next, created, err := e.fleet.CloseDay(e.ctx, day.AddDays(1))
		require.NoError(t, err)
		require.True(t, created)
		require.Zero(t, next.Differences)

		// Concurrent closes of one date keep one.
		var wg sync.WaitGroup
		var mu sync.Mutex
		made := 0
		for range 6 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, c, err := e.fleet.CloseDay(e.ctx, day.AddDays(2))
				assert.NoError(t, err)
				if c {
					mu.Lock()
					made++
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		require.Equal(t, 1, made)
	}},
	{"RegisterAndAuthenticate", func(t *testing.T, newStore func(*testing.T) channel.ATMStore) {
		e := newATMEnv(t, newStore)
		a, token := e.register("SH-0001")
		require.Equal(t, "cash/SH-0001/CNY", a.CashAccounts["CNY"])
		got, err := e.fleet.Authenticate(e.ctx, token)
		require.NoError(t, err)
		require.Equal(t, "SH-0001", got.ID)
		require.Equal(t, channel.HashToken(token), got.CredentialHash)
		require.True(t, got.Latitude.Equal(d("31.2397")))
		require.Equal(t, testCassettes()[1].Denomination.String(), got.Cassettes[1].Denomination.String())
		_, err = e.fleet.Authenticate(e.ctx, token+"x")
		require.ErrorIs(t, err, channel.ErrDeviceUnauthenticated)
		_, err = e.fleet.Authenticate(e.ctx, "bk_not-a-device-token")
		require.ErrorIs(t, err, channel.ErrDeviceUnauthenticated)

		_, _, err = e.fleet.Register(e.ctx, channel.NewATM{ID: "SH-0001", Branch: "b", Address: "a", Model: "m", Cassettes: testCassettes()})
		requireATMField(t, err, channel.ErrDuplicate, "id")

		// Rotation: the old token stops working at once.
		fresh, err := e.fleet.RotateCredential(e.ctx, "SH-0001")
		require.NoError(t, err)
		_, err = e.fleet.Authenticate(e.ctx, token)
		require.ErrorIs(t, err, channel.ErrDeviceUnauthenticated)
		_, err = e.fleet.Authenticate(e.ctx, fresh)
		require.NoError(t, err)
		_, err = e.fleet.RotateCredential(e.ctx, "nobody")
		require.ErrorIs(t, err, channel.ErrNotFound)

		all, err := e.fleet.Devices(e.ctx)
		require.NoError(t, err)
		require.Len(t, all, 1)
	}},
	{"RegisterRefusesBadInput", func(t *testing.T, newStore func(*testing.T) channel.ATMStore) {
		e := newATMEnv(t, newStore)
		good := channel.NewATM{ID: "SH-1", Branch: "b", Address: "a", Model: "m", Cassettes: testCassettes()}
		for field, change := range map[string]func(*channel.NewATM){
			"id":                        func(n *channel.NewATM) { n.ID = "bad id" },
			"branch":                    func(n *channel.NewATM) { n.Branch = "" },
			"latitude":                  func(n *channel.NewATM) { n.Latitude = d("91") },
			"cassettes":                 func(n *channel.NewATM) { n.Cassettes = nil },
			"cassettes[0].capacity":     func(n *channel.NewATM) { n.Cassettes[0].Capacity = 0 },
			"cassettes[1].denomination": func(n *channel.NewATM) { n.Cassettes[1].Denomination = d("100") },
			"cassettes[0].currency":     func(n *channel.NewATM) { n.Cassettes[0].Currency = "XXY" },
			"cassettes[0].low_at":       func(n *channel.NewATM) { n.Cassettes[0].LowAt = 5000 },
		} {
			n := good
			n.Cassettes = testCassettes()
			change(&n)
			_, _, err := e.fleet.Register(e.ctx, n)
			requireATMField(t, err, channel.ErrInvalidInput, field)
		}
		all, err := e.fleet.Devices(e.ctx)
		require.NoError(t, err)
		require.Empty(t, all, "nothing registered")
	}},
	{"HeartbeatStatusAndTickets", func(t *testing.T, newStore func(*testing.T) channel.ATMStore) {
		e := newATMEnv(t, newStore)
		a, token := e.register("SH-0002")
		require.Equal(t, channel.ATMOffline, e.fleet.Status(a), "never heard from")
		_, err := e.fleet.Heartbeat(e.ctx, token, channel.Heartbeat{State: channel.ATMStateOK})
		require.NoError(t, err)
		require.Equal(t, channel.ATMCashOut, e.fleet.Status(e.device(a.ID)), "empty cassettes")
		e.load(a, 1000, 500)
		require.Equal(t, channel.ATMOnline, e.fleet.Status(e.device(a.ID)))
		e.clock.Advance(31 * time.Second)
		require.Equal(t, channel.ATMOffline, e.fleet.Status(e.device(a.ID)))

		_, err = e.fleet.Heartbeat(e.ctx, token, channel.Heartbeat{State: channel.ATMStateFault, FaultCode: "E101", Counts: []int{1000, 500}})
		require.NoError(t, err)
		got := e.device(a.ID)
		require.Equal(t, channel.ATMFault, e.fleet.Status(got))
		require.Equal(t, "E101", got.FaultCode)
		e.clock.Advance(10 * time.Minute)
		_, err = e.fleet.Heartbeat(e.ctx, token, channel.Heartbeat{State: channel.ATMStateFault, FaultCode: "E101"})
		require.NoError(t, err)
		ts, down, err := e.fleet.Tickets(e.ctx, a.ID)
		require.NoError(t, err)
		require.Len(t, ts, 2, "the 31 s offline, then one ticket while the fault lasts")
		require.Equal(t, channel.OfflineCode, ts[0].Code)
		require.Equal(t, 31*time.Second, ts[0].Downtime(e.clock.Now()))
		require.True(t, ts[1].Open())
		require.Equal(t, 10*time.Minute+31*time.Second, down)
		alerts, err := e.fleet.Alerts(e.ctx)
		require.NoError(t, err)
		require.Len(t, alerts, 1)
		require.Equal(t, channel.ATMFault, alerts[0].Status)
		require.Equal(t, ts[1].OpenedAt, alerts[0].Since)

		e.clock.Advance(5 * time.Minute)
		_, err = e.fleet.Heartbeat(e.ctx, token, channel.Heartbeat{State: channel.ATMStateOK})
		require.NoError(t, err)
		e.clock.Advance(time.Hour)
		ts, down, err = e.fleet.Tickets(e.ctx, a.ID)
		require.NoError(t, err)
		require.Len(t, ts, 2)
		require.False(t, ts[1].Open(), "closed on recovery")
		require.Equal(t, "E101", ts[1].Code)
		require.Equal(t, 15*time.Minute+31*time.Second+time.Hour, down, "the fault's downtime stops at the recovery; the silent hour since counts as offline")

		// A second fault opens a second ticket (the silent hour closes as a
		// spell of its own).
		_, err = e.fleet.Heartbeat(e.ctx, token, channel.Heartbeat{State: channel.ATMStateFault, FaultCode: "E7"})
		require.NoError(t, err)
		e.clock.Advance(time.Minute)
		_, err = e.fleet.Heartbeat(e.ctx, token, channel.Heartbeat{State: channel.ATMStateOutOfService})
		require.NoError(t, err)
		require.Equal(t, channel.ATMOutOfService, e.fleet.Status(e.device(a.ID)))
		ts, down, err = e.fleet.Tickets(e.ctx, "")
		require.NoError(t, err)
		require.Len(t, ts, 4)
		require.Equal(t, channel.OfflineCode, ts[2].Code)
		require.True(t, ts[3].Open(), "out of service does not close a fault's ticket")
		require.Equal(t, 16*time.Minute+31*time.Second+time.Hour, down)

		_, err = e.fleet.Heartbeat(e.ctx, "atm_unknown", channel.Heartbeat{State: channel.ATMStateOK})
		require.ErrorIs(t, err, channel.ErrDeviceUnauthenticated)
		_, err = e.fleet.Heartbeat(e.ctx, token, channel.Heartbeat{State: channel.ATMStateFault})
		requireATMField(t, err, channel.ErrInvalidInput, "fault_code")
		_, err = e.fleet.Heartbeat(e.ctx, token, channel.Heartbeat{State: "sleeping"})
		requireATMField(t, err, channel.ErrInvalidInput, "state")
	}},
	{"HeartbeatRefusesImpossibleCounts", func(t *testing.T, newStore func(*testing.T) channel.ATMStore) {
		e := newATMEnv(t, newStore)
		a, token := e.register("SH-0003")
		e.load(a, 100, 100)
		_, err := e.fleet.Heartbeat(e.ctx, token, channel.Heartbeat{State: channel.ATMStateOK, Counts: []int{100, 100}})
		require.NoError(t, err)
		before := e.device(a.ID)
		e.clock.Advance(time.Minute)
		for field, counts := range map[string][]int{
			"counts[1]": {100, -1},
			"counts[0]": {2001, 100},
			"counts":    {100},
		} {
			_, err := e.fleet.Heartbeat(e.ctx, token, channel.Heartbeat{State: channel.ATMStateFault, FaultCode: "X", Counts: counts})
			requireATMField(t, err, channel.ErrImpossibleCount, field)
		}
		_, err = e.fleet.Heartbeat(e.ctx, token, channel.Heartbeat{State: channel.ATMStateOK, Counts: []int{99, 100}})
		requireATMField(t, err, channel.ErrImpossibleCount, "counts[0]")
		after := e.device(a.ID)
		require.Equal(t, before.LastHeartbeat, after.LastHeartbeat, "a refused heartbeat records nothing")
		require.Equal(t, channel.ATMStateOK, after.State)
		ts, _, err := e.fleet.Tickets(e.ctx, a.ID)
		require.NoError(t, err)
		require.Empty(t, ts)
	}},
	{"ReplenishmentPostsVaultToDevice", func(t *testing.T, newStore func(*testing.T) channel.ATMStore) {
		e := newATMEnv(t, newStore)
		a, _ := e.register("SH-0004")
		r := e.load(a, 1000, 400)
		require.True(t, r.Posted)
		require.Equal(t, "120000", e.ledger.BalanceOf(a.CashAccounts["CNY"]).String())
		require.Equal(t, "-120000", e.ledger.BalanceOf("vault").String())
		e.balanced(a.ID)

		// A second order exchanges the cassettes: what is left returns.
		r2, err := e.fleet.ScheduleReplenishment(e.ctx, a.ID, calendar.DateOf(e.clock.Now()).AddDays(1),
			[]channel.ReplenishmentLine{{Currency: "CNY", Denomination: d("100"), Count: 2000}})
		require.NoError(t, err)
		require.Equal(t, channel.ReplenishmentScheduled, r2.State)
		_, err = e.fleet.ConfirmReplenishment(e.ctx, a.ID, r2.ID, []int{2000, 0})
		require.ErrorIs(t, err, channel.ErrReplenishmentState, "not loaded yet")
		e.ledger.Fail("move", 1)
		_, err = e.fleet.LoadReplenishment(e.ctx, r2.ID)
		require.Error(t, err, "the ledger is down")
		rec, err := e.fleet.Reconcile(e.ctx)
		require.NoError(t, err)
		require.Equal(t, 1, rec.Differences, "the load is counted, not posted")
		require.Equal(t, 1, rec.Lines[0].UnpostedLoads)
		r2, err = e.fleet.LoadReplenishment(e.ctx, r2.ID) // the retry posts the rest, once
		require.NoError(t, err)
		require.True(t, r2.Posted)
		require.Len(t, r2.Returned, 2)
		require.Equal(t, "200000", e.ledger.BalanceOf(a.CashAccounts["CNY"]).String())
		_, err = e.fleet.ConfirmReplenishment(e.ctx, a.ID, r2.ID, []int{2000, 1})
		requireATMField(t, err, channel.ErrImpossibleCount, "counts[1]")
		_, err = e.fleet.ConfirmReplenishment(e.ctx, "SH-other", r2.ID, []int{2000, 0})
		require.ErrorIs(t, err, channel.ErrNotFound, "another device's order")
		r2, err = e.fleet.ConfirmReplenishment(e.ctx, a.ID, r2.ID, []int{2000, 0})
		require.NoError(t, err)
		require.Equal(t, channel.ReplenishmentConfirmed, r2.State)
		_, err = e.fleet.LoadReplenishment(e.ctx, r2.ID)
		require.ErrorIs(t, err, channel.ErrReplenishmentState)
		e.balanced(a.ID)

		_, err = e.fleet.ScheduleReplenishment(e.ctx, a.ID, calendar.DateOf(e.clock.Now()),
			[]channel.ReplenishmentLine{{Currency: "CNY", Denomination: d("20"), Count: 1}})
		requireATMField(t, err, channel.ErrInvalidInput, "lines[0].denomination")
		_, err = e.fleet.ScheduleReplenishment(e.ctx, a.ID, calendar.DateOf(e.clock.Now()),
			[]channel.ReplenishmentLine{{Currency: "CNY", Denomination: d("50"), Count: 1001}})
		requireATMField(t, err, channel.ErrInvalidInput, "lines[0].count")
		rs, err := e.fleet.Replenishments(e.ctx, a.ID)
		require.NoError(t, err)
		require.Len(t, rs, 2)
	}},
	{"WithdrawalDispensedPartialFailed", func(t *testing.T, newStore func(*testing.T) channel.ATMStore) {
		e := newATMEnv(t, newStore)
		a, _ := e.register("SH-0005")
		e.load(a, 100, 100)
		e.ledger.Fund("alice", "10000")
		acct := a.CashAccounts["CNY"]

		w, err := e.fleet.Authorize(e.ctx, a.ID, channel.WithdrawalRequest{TxnID: "t1", AccountID: "alice", Amount: cny("350")})
		require.NoError(t, err)
		require.Equal(t, channel.WithdrawalAuthorized, w.State)
		require.Equal(t, []channel.NoteCount{{Denomination: d("100"), Count: 3}, {Denomination: d("50"), Count: 1}}, w.Plan)
		require.Equal(t, "350", e.ledger.Held("alice").String())
		w, err = e.fleet.ReportDispense(e.ctx, a.ID, "t1", w.Plan)
		require.NoError(t, err)
		require.Equal(t, channel.WithdrawalDispensed, w.State)
		require.False(t, w.SettledAt.IsZero())
		require.Equal(t, "9650", e.ledger.BalanceOf("alice").String())
		require.Equal(t, "0", e.ledger.Held("alice").String())
		require.Equal(t, []int{97, 99}, counts(e.device(a.ID)))
		e.balanced(a.ID)

		// Partial: two of three notes; the rest of the hold released.
		w, err = e.fleet.Authorize(e.ctx, a.ID, channel.WithdrawalRequest{TxnID: "t2", AccountID: "alice", Amount: cny("300")})
		require.NoError(t, err)
		w, err = e.fleet.ReportDispense(e.ctx, a.ID, "t2", []channel.NoteCount{{Denomination: d("100"), Count: 2}})
		require.NoError(t, err)
		require.Equal(t, channel.WithdrawalPartial, w.State)
		require.Equal(t, "200", w.DispensedAmount().Amount.String())
		require.Equal(t, "9450", e.ledger.BalanceOf("alice").String())
		require.Equal(t, "0", e.ledger.Held("alice").String())
		e.balanced(a.ID)

		// Failed: nothing dispensed, the hold released, nothing moved.
		w, err = e.fleet.Authorize(e.ctx, a.ID, channel.WithdrawalRequest{TxnID: "t3", AccountID: "alice", Amount: cny("500")})
		require.NoError(t, err)
		w, err = e.fleet.ReportDispense(e.ctx, a.ID, "t3", nil)
		require.NoError(t, err)
		require.Equal(t, channel.WithdrawalFailed, w.State)
		require.Equal(t, "9450", e.ledger.BalanceOf("alice").String())
		require.Equal(t, "0", e.ledger.Held("alice").String())
		require.Equal(t, []int{95, 99}, counts(e.device(a.ID)))
		require.Equal(t, "14450", e.ledger.BalanceOf(acct).String(), "15,000.00 loaded less 550.00 dispensed")
		e.balanced(a.ID)
	}},
	{"WithdrawalIsOncePerTransactionID", func(t *testing.T, newStore func(*testing.T) channel.ATMStore) {
		e := newATMEnv(t, newStore)
		a, _ := e.register("SH-0006")
		e.load(a, 100, 100)
		e.ledger.Fund("alice", "10000")
		req := channel.WithdrawalRequest{TxnID: "t1", AccountID: "alice", Amount: cny("500")}
		w1, err := e.fleet.Authorize(e.ctx, a.ID, req)
		require.NoError(t, err)
		w2, err := e.fleet.Authorize(e.ctx, a.ID, req)
		require.NoError(t, err)
		require.Equal(t, w1.ID, w2.ID)
		require.Equal(t, w1.HoldID, w2.HoldID)
		require.Equal(t, "500", e.ledger.Held("alice").String(), "one hold")
		other := req
		other.Amount = cny("600")
		_, err = e.fleet.Authorize(e.ctx, a.ID, other)
		requireATMField(t, err, channel.ErrConflict, "txn_id")

		// The capture fails once: the dispense is recorded, the retry
		// settles it, a third report changes nothing.
		e.ledger.Fail("capture", 1)
		_, err = e.fleet.ReportDispense(e.ctx, a.ID, "t1", w1.Plan)
		require.Error(t, err)
		rec, err := e.fleet.Reconcile(e.ctx)
		require.NoError(t, err)
		require.Equal(t, 1, rec.Differences)
		require.Equal(t, 1, rec.Lines[0].Unsettled)
		w, err := e.fleet.ReportDispense(e.ctx, a.ID, "t1", w1.Plan)
		require.NoError(t, err)
		require.False(t, w.SettledAt.IsZero())
		_, err = e.fleet.ReportDispense(e.ctx, a.ID, "t1", w1.Plan)
		require.NoError(t, err)
		require.Equal(t, 1, e.ledger.Captures)
		require.Equal(t, "9500", e.ledger.BalanceOf("alice").String())
		require.Equal(t, []int{95, 100}, counts(e.device(a.ID)), "counted down once")
		_, err = e.fleet.ReportDispense(e.ctx, a.ID, "t1", []channel.NoteCount{{Denomination: d("100"), Count: 4}})
		requireATMField(t, err, channel.ErrWithdrawalState, "dispensed")
		e.balanced(a.ID)

		// A crash after the record and before the settlement: Settle
		// finishes it.
		w, err = e.fleet.Authorize(e.ctx, a.ID, channel.WithdrawalRequest{TxnID: "t2", AccountID: "alice", Amount: cny("100")})
		require.NoError(t, err)
		e.ledger.Fail("capture", 1)
		_, err = e.fleet.ReportDispense(e.ctx, a.ID, "t2", w.Plan)
		require.Error(t, err)
		n, err := e.fleet.Settle(e.ctx, a.ID)
		require.NoError(t, err)
		require.Equal(t, 1, n)
		e.balanced(a.ID)
	}},
	{"WithdrawalRefusals", func(t *testing.T, newStore func(*testing.T) channel.ATMStore) {
		e := newATMEnv(t, newStore)
		a, token := e.register("SH-0007")
		e.load(a, 10, 1)
		e.ledger.Fund("alice", "100000")
		e.ledger.Fund("bob", "50")

		_, err := e.fleet.Authorize(e.ctx, a.ID, channel.WithdrawalRequest{TxnID: "t1", AccountID: "alice", Amount: cny("1100")})
		requireATMField(t, err, channel.ErrCannotDispense, "amount")
		_, err = e.fleet.Authorize(e.ctx, a.ID, channel.WithdrawalRequest{TxnID: "t1", AccountID: "alice", Amount: cny("20")})
		requireATMField(t, err, channel.ErrCannotDispense, "amount")
		_, err = e.fleet.Authorize(e.ctx, a.ID, channel.WithdrawalRequest{TxnID: "t1", AccountID: "alice", Amount: cny("0")})
		requireATMField(t, err, channel.ErrInvalidInput, "amount")
		_, err = e.fleet.Authorize(e.ctx, a.ID, channel.WithdrawalRequest{TxnID: "", AccountID: "alice", Amount: cny("100")})
		requireATMField(t, err, channel.ErrInvalidInput, "txn_id")
		_, err = e.fleet.Authorize(e.ctx, a.ID, channel.WithdrawalRequest{TxnID: "t1", AccountID: "alice", Amount: money.Money{Amount: d("100"), Currency: "USD"}})
		requireATMField(t, err, channel.ErrCannotDispense, "amount.currency")
		require.Equal(t, "0", e.ledger.Held("alice").String(), "nothing held")

		// Declined: the hold is refused; no dispense may be reported.
		w, err := e.fleet.Authorize(e.ctx, a.ID, channel.WithdrawalRequest{TxnID: "b1", AccountID: "bob", Amount: cny("100")})
		require.ErrorIs(t, err, channel.ErrLimitExceeded, "the ledger's refusal")
		require.Equal(t, channel.WithdrawalDeclined, w.State)
		_, err = e.fleet.ReportDispense(e.ctx, a.ID, "b1", []channel.NoteCount{{Denomination: d("100"), Count: 1}})
		require.ErrorIs(t, err, channel.ErrWithdrawalState)
		_, err = e.fleet.ReportDispense(e.ctx, a.ID, "nope", nil)
		require.ErrorIs(t, err, channel.ErrNotFound)

		// More notes than planned, a denomination the device lacks.
		w, err = e.fleet.Authorize(e.ctx, a.ID, channel.WithdrawalRequest{TxnID: "t2", AccountID: "alice", Amount: cny("150")})
		require.NoError(t, err)
		_, err = e.fleet.ReportDispense(e.ctx, a.ID, "t2", []channel.NoteCount{{Denomination: d("100"), Count: 2}})
		requireATMField(t, err, channel.ErrImpossibleCount, "dispensed[0].count")
		_, err = e.fleet.ReportDispense(e.ctx, a.ID, "t2", []channel.NoteCount{{Denomination: d("20"), Count: 1}})
		requireATMField(t, err, channel.ErrImpossibleCount, "dispensed[0].denomination")
		_, err = e.fleet.ReportDispense(e.ctx, a.ID, "t2", []channel.NoteCount{{Denomination: d("100"), Count: -1}})
		requireATMField(t, err, channel.ErrImpossibleCount, "dispensed[0].count")
		require.Equal(t, []int{10, 1}, counts(e.device(a.ID)), "refused reports change no count")
		_, err = e.fleet.ReportDispense(e.ctx, a.ID, "t2", w.Plan)
		require.NoError(t, err)

		// A faulty device takes no withdrawal.
		_, err = e.fleet.Heartbeat(e.ctx, token, channel.Heartbeat{State: channel.ATMStateFault, FaultCode: "E1"})
		require.NoError(t, err)
		_, err = e.fleet.Authorize(e.ctx, a.ID, channel.WithdrawalRequest{TxnID: "t3", AccountID: "alice", Amount: cny("100")})
		require.ErrorIs(t, err, channel.ErrDeviceNotReady)
		e.balanced(a.ID)
	}},
	{"ConcurrentRetriesDispenseOnce", func(t *testing.T, newStore func(*testing.T) channel.ATMStore) {
		e := newATMEnv(t, newStore)
		a, _ := e.register("SH-0008")
		e.load(a, 500, 500)
		e.ledger.Fund("alice", "1000000")
		const txns, tries = 12, 4
		var wg sync.WaitGroup
		errs := make(chan error, txns*tries)
		for i := range txns {
			for range tries {
				wg.Add(1)
				go func() {
					defer wg.Done()
					req := channel.WithdrawalRequest{TxnID: fmt.Sprintf("t%d", i), AccountID: "alice", Amount: cny("250")}
					w, err := e.fleet.Authorize(e.ctx, a.ID, req)
					if err != nil {
						errs <- err
						return
					}
					if _, err := e.fleet.ReportDispense(e.ctx, a.ID, req.TxnID, w.Plan); err != nil {
						errs <- err
					}
				}()
			}
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		require.Equal(t, txns, e.ledger.Captures, "one capture per transaction")
		require.Equal(t, "997000", e.ledger.BalanceOf("alice").String())
		require.Equal(t, []int{500 - 2*txns, 500 - txns}, counts(e.device(a.ID)))
		e.balanced(a.ID)
	}},
	{"ForecastByWeekday", func(t *testing.T, newStore func(*testing.T) channel.ATMStore) {
		e := newATMEnv(t, newStore)
		a, _ := e.register("SH-0009")
		e.load(a, 2000, 0)
		e.ledger.Fund("alice", "10000000")
		// Four weeks, 2,000.00 a day on weekdays, nothing at weekends.
		start := e.clock.Now()
		for day := range 28 {
			at := start.AddDate(0, 0, day)
			if wd := at.In(e.fleet.Config().Location).Weekday(); wd == time.Saturday || wd == time.Sunday {
				continue
			}
			e.clock.Set(at)
			txn := fmt.Sprintf("d%d", day)
			w, err := e.fleet.Authorize(e.ctx, a.ID, channel.WithdrawalRequest{TxnID: txn, AccountID: "alice", Amount: cny("2000")})
			require.NoError(t, err)
			_, err = e.fleet.ReportDispense(e.ctx, a.ID, txn, w.Plan)
			require.NoError(t, err)
		}
		e.clock.Set(start.AddDate(0, 0, 28))
		fs, err := e.fleet.Forecast(e.ctx, a.ID)
		require.NoError(t, err)
		require.Len(t, fs, 1)
		f := fs[0]
		require.Equal(t, "160000", f.Cash.Amount.String()) // 200,000 less 20 days of 2,000
		require.Equal(t, "0", f.ByWeekday[time.Sunday].Amount.String())
		require.Equal(t, "2000", f.ByWeekday[time.Monday].Amount.String())
		// 160,000 at 10,000 a week lasts 16 weeks: 80 weekdays, the 80th
		// weekday from Monday 30 March (today, UTC+8) is Friday 17 July.
		require.Equal(t, calendar.MustDate(2026, time.July, 17), f.EmptyOn)
		require.Equal(t, 109, f.DaysUntilEmpty)

		b, _ := e.register("SH-0010")
		fs, err = e.fleet.Forecast(e.ctx, b.ID)
		require.NoError(t, err)
		require.Equal(t, -1, fs[0].DaysUntilEmpty, "no withdrawals: no end in sight")
		_, err = e.fleet.Forecast(e.ctx, "nobody")
		require.ErrorIs(t, err, channel.ErrNotFound)
	}},
	{"LowCashAlerts", func(t *testing.T, newStore func(*testing.T) channel.ATMStore) {
		e := newATMEnv(t, newStore)
		a, token := e.register("SH-0011")
		e.load(a, 201, 500)
		_, err := e.fleet.Heartbeat(e.ctx, token, channel.Heartbeat{State: channel.ATMStateOK})
		require.NoError(t, err)
		alerts, err := e.fleet.Alerts(e.ctx)
		require.NoError(t, err)
		require.Empty(t, alerts)
		e.ledger.Fund("alice", "100000")
		w, err := e.fleet.Authorize(e.ctx, a.ID, channel.WithdrawalRequest{TxnID: "t1", AccountID: "alice", Amount: cny("100")})
		require.NoError(t, err)
		_, err = e.fleet.ReportDispense(e.ctx, a.ID, "t1", w.Plan)
		require.NoError(t, err)
		alerts, err = e.fleet.Alerts(e.ctx)
		require.NoError(t, err)
		require.Len(t, alerts, 1)
		require.Equal(t, channel.ATMCashLow, alerts[0].Status)
		require.Len(t, alerts[0].Low, 1)
		require.True(t, alerts[0].Low[0].Denomination.Equal(d("100")))
	}},
}

func counts(a channel.ATM) []int {
	out := make([]int, len(a.Cassettes))
	for i, k := range a.Cassettes {
		out[i] = k.Count
	}
	return out
}
