// Package ledgertest is the contract suite for ledger.Store: every backend
// runs it (memledger always, pgledger against a real PostgreSQL), and so can
// anyone who writes another. The tests drive the store through
// ledger.Service, so they prove the behaviour users see, with the same
// errors and the same atomicity on every backend.
package ledgertest

import (
	"context"
	"testing"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
	"github.com/stretchr/testify/require"
)

// NewStore returns a fresh, empty store for one test.
type NewStore func(t *testing.T) ledger.Store

type test = suiteTest[*fixture]

// suiteTest is one named contract test on a fixture of type F.
type suiteTest[F any] struct {
	name string
	run  func(t *testing.T, f F)
}

// runSuite runs every test of the groups as a parallel subtest, each on a
// fresh fixture from newFixture.
func runSuite[F any](t *testing.T, newFixture func(*testing.T) F, groups ...[]suiteTest[F]) {
	for _, group := range groups {
		for _, tc := range group {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				tc.run(t, newFixture(t))
			})
		}
	}
}

// Run runs the whole suite, each named subtest on a fresh store from
// newStore. Subtests run in parallel.
func Run(t *testing.T, newStore NewStore) {
	runSuite(t, func(t *testing.T) *fixture { return newFixture(t, newStore) },
		accountTests, postingTests, holdTests, reversalTests,
		idempotencyTests, readTests, eventTests, batchTests, journalTests, concurrencyTests, modelTests)
}

// start is the fixture clock's first reading; its date is the first
// business date.
var start = time.Date(2026, time.March, 2, 9, 30, 0, 0, time.UTC)

// fixture is a Service over a fresh store, with a manual clock and the CNY
// chart set up.
type fixture struct {
	t        *testing.T
	ctx      context.Context
	newStore NewStore
	store    ledger.Store
	clock    *calendar.ManualClock
	svc      *ledger.Service
	today    calendar.Date
	vault    ledger.Account // CNY vault cash
}

func newFixture(t *testing.T, newStore NewStore) *fixture {
	t.Helper()
	f := &fixture{t: t, ctx: context.Background(), newStore: newStore, clock: calendar.NewManualClock(start)}
	f.store = newStore(t)
	svc, err := ledger.NewService(f.store, ledger.WithClock(f.clock))
	require.NoError(t, err)
	f.svc = svc
	today, err := f.svc.BusinessDate(f.ctx)
	require.NoError(t, err)
	f.today = today
	chart, err := f.svc.SetupChart(f.ctx, money.CNY)
	require.NoError(t, err)
	f.vault = chart[0]
	require.Equal(t, ledger.CodeVaultCash, f.vault.Code)
	return f
}

func cny(v string) money.Money { return money.MustParse(v, "CNY") }
func usd(v string) money.Money { return money.MustParse(v, "USD") }

// open opens a CNY demand account for owner with a NonNegative policy.
func (f *fixture) open(owner string) ledger.Account {
	f.t.Helper()
	return f.openWith(ledger.OpenAccountRequest{OwnerID: owner, Product: ledger.ProductDemand, Currency: money.CNY})
}

func (f *fixture) openWith(r ledger.OpenAccountRequest) ledger.Account {
	f.t.Helper()
	a, err := f.svc.OpenAccount(f.ctx, r)
	require.NoError(f.t, err)
	return a
}

func (f *fixture) deposit(id ledger.ID, amount string) ledger.Entry {
	f.t.Helper()
	r, err := f.svc.Deposit(f.ctx, ledger.DepositRequest{AccountID: id, Amount: cny(amount)})
	require.NoError(f.t, err)
	return r.Entry
}

func (f *fixture) transfer(from, to ledger.ID, amount string) ledger.Entry {
	f.t.Helper()
	r, err := f.svc.Transfer(f.ctx, ledger.TransferRequest{FromAccountID: from, ToAccountID: to, Amount: cny(amount)})
	require.NoError(f.t, err)
	return r.Entry
}

func (f *fixture) account(id ledger.ID) ledger.Account {
	f.t.Helper()
	a, err := f.svc.Account(f.ctx, id)
	require.NoError(f.t, err)
	return a
}

// requireBalance checks the ledger balance (and, if given, the available
// balance) of an account, as decimal strings in its currency.
func (f *fixture) requireBalance(id ledger.ID, balance string, available ...string) {
	f.t.Helper()
	a := f.account(id)
	require.Equal(f.t, balance, a.Balance.ValueString(), "balance of %s", a.Number)
	if len(available) > 0 {
		require.Equal(f.t, available[0], a.Available().ValueString(), "available balance of %s", a.Number)
	}
}

// lineCount returns how many statement lines the account has today.
func (f *fixture) lineCount(id ledger.ID) int {
	f.t.Helper()
	st, err := f.svc.Statement(f.ctx, id, f.today.AddDays(-400), f.today)
	require.NoError(f.t, err)
	return len(st.Lines)
}

// requireTrialBalanced checks that the CNY trial balance nets to zero and
// returns it.
func (f *fixture) requireTrialBalanced() ledger.TrialBalance {
	f.t.Helper()
	tb, err := f.svc.TrialBalance(f.ctx, money.CNY)
	require.NoError(f.t, err)
	require.True(f.t, tb.Difference.IsZero(), "trial balance difference %s", tb.Difference)
	require.True(f.t, tb.Debits.Equal(tb.Credits))
	return tb
}

// requireInvalid checks that err is a validation error naming field.
func requireInvalid(t *testing.T, err error, field string) {
	t.Helper()
	require.ErrorIs(t, err, ledger.ErrInvalidInput)
	var ve *fault.FieldError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, field, ve.Field)
}

// requirePostings compares postings by value: amounts by number, not by
// their decimal representation.
func requirePostings(t *testing.T, want, got []ledger.Posting) {
	t.Helper()
	require.Len(t, got, len(want))
	for i := range want {
		require.Equal(t, want[i].AccountID, got[i].AccountID, "posting %d account", i)
		require.Equal(t, want[i].Side, got[i].Side, "posting %d side", i)
		require.True(t, want[i].Amount.Equal(got[i].Amount), "posting %d amount: want %s, got %s", i, want[i].Amount, got[i].Amount)
	}
}
