package ledgertest

import (
	"testing"

	"github.com/bankkit/bankkit/ledger"
	"github.com/stretchr/testify/require"
)

var reversalTests = []test{
	{"ReverseTransfer", testReverseTransfer},
	{"ReversalIgnoresPolicyAndFreeze", testReversalIgnoresPolicy},
	{"ReversalErrors", testReversalErrors},
}

func testReverseTransfer(t *testing.T, f *fixture) {
	a, b := f.open("alice"), f.open("bob")
	f.deposit(a.ID, "100.00")
	tr := f.transfer(a.ID, b.ID, "40.00")
	r, err := f.svc.Reverse(f.ctx, ledger.ReversalRequest{EntryID: tr.ID})
	require.NoError(t, err)
	require.Equal(t, ledger.KindReversal, r.Entry.Kind)
	require.Equal(t, tr.ID, r.Entry.Reverses)
	requirePostings(t, []ledger.Posting{
		{AccountID: a.ID, Side: ledger.Credit, Amount: cny("40.00")},
		{AccountID: b.ID, Side: ledger.Debit, Amount: cny("40.00")},
	}, r.Entry.Postings)
	f.requireBalance(a.ID, "100.00")
	f.requireBalance(b.ID, "0.00")

	original, err := f.svc.Entry(f.ctx, tr.ID)
	require.NoError(t, err)
	require.Equal(t, r.Entry.ID, original.ReversedBy)

	_, err = f.svc.Reverse(f.ctx, ledger.ReversalRequest{EntryID: tr.ID})
	require.ErrorIs(t, err, ledger.ErrAlreadyReversed)
	_, err = f.svc.Reverse(f.ctx, ledger.ReversalRequest{EntryID: r.Entry.ID})
	requireInvalid(t, err, "entry_id")
	f.requireBalance(a.ID, "100.00")
	require.Equal(t, 3, f.lineCount(a.ID), "deposit, transfer, reversal")
	f.requireTrialBalanced()
}

func testReversalIgnoresPolicy(t *testing.T, f *fixture) {
	a, b := f.open("alice"), f.open("bob")
	dep := f.deposit(a.ID, "100.00")
	f.transfer(a.ID, b.ID, "100.00")
	_, err := f.svc.Freeze(f.ctx, a.ID, ledger.StatusFrozen)
	require.NoError(t, err)
	// The deposit was a teller's mistake; the money has been spent. The
	// correction leaves the account overdrawn, frozen or not.
	_, err = f.svc.Reverse(f.ctx, ledger.ReversalRequest{EntryID: dep.ID, Description: "teller error"})
	require.NoError(t, err)
	f.requireBalance(a.ID, "-100.00")
	f.requireBalance(f.vault.ID, "0.00")

	_, err = f.svc.Unfreeze(f.ctx, a.ID)
	require.NoError(t, err)
	_, err = f.svc.Withdraw(f.ctx, ledger.WithdrawalRequest{AccountID: a.ID, Amount: cny("0.01")})
	require.ErrorIs(t, err, ledger.ErrInsufficientFunds, "ordinary postings still respect the policy")
	f.transfer(b.ID, a.ID, "100.00")
	f.requireBalance(a.ID, "0.00")
	f.requireTrialBalanced()
}

func testReversalErrors(t *testing.T, f *fixture) {
	a, b := f.open("alice"), f.open("bob")
	f.deposit(a.ID, "10.00")
	tr := f.transfer(a.ID, b.ID, "10.00")
	f.transfer(b.ID, a.ID, "10.00")
	_, err := f.svc.Withdraw(f.ctx, ledger.WithdrawalRequest{AccountID: a.ID, Amount: cny("10.00")})
	require.NoError(t, err)
	_, err = f.svc.Close(f.ctx, a.ID)
	require.NoError(t, err)
	_, err = f.svc.Reverse(f.ctx, ledger.ReversalRequest{EntryID: tr.ID})
	require.ErrorIs(t, err, ledger.ErrAccountClosed, "a closed account takes nothing, not even a correction")

	_, err = f.svc.Reverse(f.ctx, ledger.ReversalRequest{EntryID: ledger.NewID()})
	require.ErrorIs(t, err, ledger.ErrNotFound)
	_, err = f.svc.Reverse(f.ctx, ledger.ReversalRequest{EntryID: ledger.NilID})
	requireInvalid(t, err, "entry_id")
	f.requireBalance(b.ID, "0.00")
	got, err := f.svc.Entry(f.ctx, tr.ID)
	require.NoError(t, err)
	require.Equal(t, ledger.NilID, got.ReversedBy)
}
