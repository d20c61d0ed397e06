// Package suite is what the ledger's contract suites (ledgertest,
// endofdaytest, clearingtest) share: the runner of named parallel
// subtests, and a bank to run them on — a Service over a fresh store with a
// manual clock and the CNY chart, and the helpers the tests use.
package suite

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

// Test is one named contract test on a fixture of type F.
type Test[F any] struct {
	Name string
	Run  func(t *testing.T, f F)
}

// Run runs every test of the groups as a parallel subtest, each on a
// fresh fixture from newFixture.
func Run[F any](t *testing.T, newFixture func(*testing.T) F, groups ...[]Test[F]) {
	for _, group := range groups {
		for _, tc := range group {
			t.Run(tc.Name, func(t *testing.T) {
				t.Parallel()
				tc.Run(t, newFixture(t))
			})
		}
	}
}

// Start is the bank clock's first reading; its date is the first business
// date.
var Start = time.Date(2026, time.March, 2, 9, 30, 0, 0, time.UTC)

// Bank is a Service over a store, with a manual clock and the CNY chart
// set up.
type Bank struct {
	T     *testing.T
	Ctx   context.Context
	Store ledger.Store
	Clock *calendar.ManualClock
	Svc   *ledger.Service
	Today calendar.Date
	Vault ledger.Account // CNY vault cash
}

// NewBank returns a Bank over store, which should be fresh.
func NewBank(t *testing.T, store ledger.Store) *Bank {
	t.Helper()
	b := &Bank{T: t, Ctx: context.Background(), Store: store, Clock: calendar.NewManualClock(Start)}
	svc, err := ledger.NewService(store, ledger.WithClock(b.Clock))
	require.NoError(t, err)
	b.Svc = svc
	today, err := b.Svc.BusinessDate(b.Ctx)
	require.NoError(t, err)
	b.Today = today
	chart, err := b.Svc.SetupChart(b.Ctx, money.CNY)
	require.NoError(t, err)
	b.Vault = chart[0]
	require.Equal(t, ledger.CodeVaultCash, b.Vault.Code)
	return b
}

// CNY and USD are money in those currencies, from a decimal string.
func CNY(v string) money.Money { return money.MustParse(v, "CNY") }
func USD(v string) money.Money { return money.MustParse(v, "USD") }

// Open opens a CNY demand account for owner with a NonNegative policy.
func (b *Bank) Open(owner string) ledger.Account {
	b.T.Helper()
	return b.OpenWith(ledger.OpenAccountRequest{OwnerID: owner, Product: ledger.ProductDemand, Currency: money.CNY})
}

// OpenWith opens an account as r asks.
func (b *Bank) OpenWith(r ledger.OpenAccountRequest) ledger.Account {
	b.T.Helper()
	a, err := b.Svc.OpenAccount(b.Ctx, r)
	require.NoError(b.T, err)
	return a
}

// Deposit pays CNY amount into the account in cash.
func (b *Bank) Deposit(id ledger.ID, amount string) ledger.Entry {
	b.T.Helper()
	r, err := b.Svc.Deposit(b.Ctx, ledger.DepositRequest{AccountID: id, Amount: CNY(amount)})
	require.NoError(b.T, err)
	return r.Entry
}

// Transfer moves CNY amount between two accounts.
func (b *Bank) Transfer(from, to ledger.ID, amount string) ledger.Entry {
	b.T.Helper()
	r, err := b.Svc.Transfer(b.Ctx, ledger.TransferRequest{FromAccountID: from, ToAccountID: to, Amount: CNY(amount)})
	require.NoError(b.T, err)
	return r.Entry
}

// Account reads an account.
func (b *Bank) Account(id ledger.ID) ledger.Account {
	b.T.Helper()
	a, err := b.Svc.Account(b.Ctx, id)
	require.NoError(b.T, err)
	return a
}

// RequireBalance checks the ledger balance (and, if given, the available
// balance) of an account, as decimal strings in its currency.
func (b *Bank) RequireBalance(id ledger.ID, balance string, available ...string) {
	b.T.Helper()
	a := b.Account(id)
	require.Equal(b.T, balance, a.Balance.ValueString(), "balance of %s", a.Number)
	if len(available) > 0 {
		require.Equal(b.T, available[0], a.Available().ValueString(), "available balance of %s", a.Number)
	}
}

// LineCount returns how many statement lines the account has today.
func (b *Bank) LineCount(id ledger.ID) int {
	b.T.Helper()
	st, err := b.Svc.Statement(b.Ctx, id, b.Today.AddDays(-400), b.Today)
	require.NoError(b.T, err)
	return len(st.Lines)
}

// RequireTrialBalanced checks that the CNY trial balance nets to zero and
// returns it.
func (b *Bank) RequireTrialBalanced() ledger.TrialBalance {
	b.T.Helper()
	tb, err := b.Svc.TrialBalance(b.Ctx, money.CNY)
	require.NoError(b.T, err)
	require.True(b.T, tb.Difference.IsZero(), "trial balance difference %s", tb.Difference)
	require.True(b.T, tb.Debits.Equal(tb.Credits))
	return tb
}

// RequireInvalid checks that err is a validation error naming field.
func RequireInvalid(t *testing.T, err error, field string) {
	t.Helper()
	require.ErrorIs(t, err, ledger.ErrInvalidInput)
	var ve *fault.FieldError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, field, ve.Field)
}

// RequirePostings compares postings by value: amounts by number, not by
// their decimal representation.
func RequirePostings(t *testing.T, want, got []ledger.Posting) {
	t.Helper()
	require.Len(t, got, len(want))
	for i := range want {
		require.Equal(t, want[i].AccountID, got[i].AccountID, "posting %d account", i)
		require.Equal(t, want[i].Side, got[i].Side, "posting %d side", i)
		require.True(t, want[i].Amount.Equal(got[i].Amount), "posting %d amount: want %s, got %s", i, want[i].Amount, got[i].Amount)
	}
}
