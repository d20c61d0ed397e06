package ledgertest

import (
	"testing"

	"github.com/bankkit/bankkit/ledger"
	"github.com/stretchr/testify/require"
)

var reversalTests = []test{
	{Name: "ReverseTransfer", Run: testReverseTransfer},
	{Name: "ReversalIgnoresPolicyAndFreeze", Run: testReversalIgnoresPolicy},
	{Name: "ReversalErrors", Run: testReversalErrors},
}

func testReverseTransfer(t *testing.T, f *fixture) {
	a, b := f.Open("alice"), f.Open("bob")
	f.Deposit(a.ID, "100.00")
	tr := f.Transfer(a.ID, b.ID, "40.00")
	r, err := f.Svc.Reverse(f.Ctx, ledger.ReversalRequest{EntryID: tr.ID})
	require.NoError(t, err)
	require.Equal(t, ledger.KindReversal, r.Entry.Kind)
	require.Equal(t, tr.ID, r.Entry.Reverses)
	requirePostings(t, []ledger.Posting{
		{AccountID: a.ID, Side: ledger.Credit, Amount: cny("40.00")},
		{AccountID: b.ID, Side: ledger.Debit, Amount: cny("40.00")},
	}, r.Entry.Postings)
	f.RequireBalance(a.ID, "100.00")
	f.RequireBalance(b.ID, "0.00")

	original, err := f.Svc.Entry(f.Ctx, tr.ID)
	require.NoError(t, err)
	require.Equal(t, r.Entry.ID, original.ReversedBy)

	_, err = f.Svc.Reverse(f.Ctx, ledger.ReversalRequest{EntryID: tr.ID})
	require.ErrorIs(t, err, ledger.ErrAlreadyReversed)
	_, err = f.Svc.Reverse(f.Ctx, ledger.ReversalRequest{EntryID: r.Entry.ID})
	requireInvalid(t, err, "entry_id")
	f.RequireBalance(a.ID, "100.00")
	require.Equal(t, 3, f.LineCount(a.ID), "deposit, transfer, reversal")
	f.RequireTrialBalanced()
}

func testReversalIgnoresPolicy(t *testing.T, f *fixture) {
	a, b := f.Open("alice"), f.Open("bob")
	dep := f.Deposit(a.ID, "100.00")
	f.Transfer(a.ID, b.ID, "100.00")
	_, err := f.Svc.Freeze(f.Ctx, a.ID, ledger.StatusFrozen)
	require.NoError(t, err)
	// The deposit was a teller's mistake; the money has been spent. The
	// correction leaves the account overdrawn, frozen or not.
	_, err = f.Svc.Reverse(f.Ctx, ledger.ReversalRequest{EntryID: dep.ID, Description: "teller error"})
	require.NoError(t, err)
	f.RequireBalance(a.ID, "-100.00")
	f.RequireBalance(f.Vault.ID, "0.00")

	_, err = f.Svc.Unfreeze(f.Ctx, a.ID)
	require.NoError(t, err)
	_, err = f.Svc.Withdraw(f.Ctx, ledger.WithdrawalRequest{AccountID: a.ID, Amount: cny("0.01")})
	require.ErrorIs(t, err, ledger.ErrInsufficientFunds, "ordinary postings still respect the policy")
	f.Transfer(b.ID, a.ID, "100.00")
	f.RequireBalance(a.ID, "0.00")
	f.RequireTrialBalanced()
}

func testReversalErrors(t *testing.T, f *fixture) {
	a, b := f.Open("alice"), f.Open("bob")
	f.Deposit(a.ID, "10.00")
	tr := f.Transfer(a.ID, b.ID, "10.00")
	f.Transfer(b.ID, a.ID, "10.00")
	_, err := f.Svc.Withdraw(f.Ctx, ledger.WithdrawalRequest{AccountID: a.ID, Amount: cny("10.00")})
	require.NoError(t, err)
	_, err = f.Svc.Close(f.Ctx, a.ID)
	require.NoError(t, err)
	_, err = f.Svc.Reverse(f.Ctx, ledger.ReversalRequest{EntryID: tr.ID})
	require.ErrorIs(t, err, ledger.ErrAccountClosed, "a closed account takes nothing, not even a correction")

	_, err = f.Svc.Reverse(f.Ctx, ledger.ReversalRequest{EntryID: ledger.NewID()})
	require.ErrorIs(t, err, ledger.ErrNotFound)
	_, err = f.Svc.Reverse(f.Ctx, ledger.ReversalRequest{EntryID: ledger.NilID})
	requireInvalid(t, err, "entry_id")
	f.RequireBalance(b.ID, "0.00")
	got, err := f.Svc.Entry(f.Ctx, tr.ID)
	require.NoError(t, err)
	require.Equal(t, ledger.NilID, got.ReversedBy)
}
