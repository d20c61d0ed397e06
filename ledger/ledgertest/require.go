package ledgertest

import (
	"context"
	"slices"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
)

// The Require functions are for testers who run their code against a
// ledger (usually memledger, as a fake): each checks one fact through the
// Service and stops the test with a message that says what differs.

// RequireBalanced stops the test unless the trial balance of each
// currency — every currency when none is given — has equal debits and
// credits: no money was created or destroyed.
func RequireBalanced(t testing.TB, svc *ledger.Service, currencies ...money.Currency) {
	t.Helper()
	if len(currencies) == 0 {
		currencies = money.Currencies()
	}
	for _, c := range currencies {
		tb, err := svc.TrialBalance(context.Background(), c)
		require.NoError(t, err, "trial balance in %s", c)
		require.True(t, tb.Difference.IsZero(),
			"the %s trial balance is off by %s: debits %s, credits %s over %d accounts", c, tb.Difference, tb.Debits, tb.Credits, tb.Accounts)
	}
}

// RequireBalance stops the test unless the account's ledger balance
// (normal-side terms, holds not deducted) equals want: same currency, same
// amount (100 equals 100.00).
func RequireBalance(t testing.TB, svc *ledger.Service, accountID ledger.ID, want money.Money) {
	t.Helper()
	a, err := svc.Account(context.Background(), accountID)
	require.NoError(t, err, "account %s", accountID)
	requireMoney(t, want, a.Balance, "balance of account %s (%s)", accountID, a.Number)
}

// RequireAvailable stops the test unless the account's available balance
// (balance less active holds, plus any overdraft limit) equals want.
func RequireAvailable(t testing.TB, svc *ledger.Service, accountID ledger.ID, want money.Money) {
	t.Helper()
	a, err := svc.Account(context.Background(), accountID)
	require.NoError(t, err, "account %s", accountID)
	requireMoney(t, want, a.Available(), "available balance of account %s (%s)", accountID, a.Number)
}

// RequirePosted stops the test unless the entry exists and has exactly the
// postings want, in any order, and returns it.
func RequirePosted(t testing.TB, svc *ledger.Service, entryID ledger.ID, want ...ledger.Posting) ledger.Entry {
	t.Helper()
	e, err := svc.Entry(context.Background(), entryID)
	require.NoError(t, err, "entry %s", entryID)
	got := slices.Clone(e.Postings)
	for _, w := range want {
		i := slices.IndexFunc(got, func(p ledger.Posting) bool {
			return p.AccountID == w.AccountID && p.Side == w.Side && p.Amount.Equal(w.Amount)
		})
		require.True(t, i >= 0, "entry %s has no %s of %s on account %s; its postings: %v", entryID, w.Side, w.Amount, w.AccountID, e.Postings)
		got = slices.Delete(got, i, i+1)
	}
	require.Empty(t, got, "entry %s has postings beyond those expected", entryID)
	return e
}

func requireMoney(t testing.TB, want, got money.Money, msg string, args ...any) {
	t.Helper()
	require.True(t, want.Equal(got), append([]any{msg + ": want %s, got %s"}, append(args, want, got)...)...)
}
