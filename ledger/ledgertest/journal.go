package ledgertest

import (
	"fmt"
	"testing"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
	"github.com/stretchr/testify/require"
)

var journalTests = []test{
	{Name: "JournalBatchEachOnItsOwn", Run: testJournalBatchEachOnItsOwn},
	{Name: "JournalBatchScopesItsKeys", Run: testJournalBatchScopesItsKeys},
	{Name: "JournalBatchValueDates", Run: testJournalBatchValueDates},
	{Name: "JournalBatchLargerThanMaxBatch", Run: testJournalBatchLargerThanMaxBatch},
	{Name: "EnsureChartAccount", Run: testEnsureChartAccount},
}

// move is a journal request moving amount from one account to another.
func move(from, to ledger.ID, amount, key string) ledger.JournalRequest {
	return ledger.JournalRequest{IdempotencyKey: key, Postings: []ledger.Posting{
		{AccountID: from, Side: ledger.Debit, Amount: cny(amount)},
		{AccountID: to, Side: ledger.Credit, Amount: cny(amount)},
	}}
}

func testJournalBatchEachOnItsOwn(t *testing.T, f *fixture) {
	a, b := f.Open("alice"), f.Open("bob")
	f.Deposit(a.ID, "10.00")
	results, err := f.Svc.PostJournal(f.Ctx, ledger.JournalBatch{Scope: "test", Entries: []ledger.JournalRequest{
		move(a.ID, b.ID, "4.00", "k1"),
		move(a.ID, b.ID, "7.00", "k2"), // only 6 left
		{IdempotencyKey: "k3", Postings: []ledger.Posting{{AccountID: a.ID, Side: ledger.Debit, Amount: cny("1.00")}}},
		move(a.ID, b.ID, "6.00", "k4"),
	}})
	require.NoError(t, err)
	require.Len(t, results, 4)
	require.NoError(t, results[0].Err)
	require.ErrorIs(t, results[1].Err, ledger.ErrInsufficientFunds)
	requireInvalid(t, results[2].Err, "postings")
	require.NoError(t, results[3].Err)
	require.Equal(t, ledger.KindJournal, results[3].Entry.Kind)
	require.Equal(t, "test/k4", results[3].Entry.IdempotencyKey)
	f.RequireBalance(a.ID, "0.00")
	f.RequireBalance(b.ID, "10.00")
	require.Equal(t, 2, f.LineCount(b.ID), "the refused entries left no line")
	f.RequireTrialBalanced()
}

func testJournalBatchScopesItsKeys(t *testing.T, f *fixture) {
	a, b := f.Open("alice"), f.Open("bob")
	f.Deposit(a.ID, "10.00")
	for _, bad := range []string{"", "Upper", "has space", "journal", "transfer", "a/b", "x123456789012345678901234567890123"} {
		_, err := f.Svc.PostJournal(f.Ctx, ledger.JournalBatch{Scope: bad, Entries: []ledger.JournalRequest{move(a.ID, b.ID, "1.00", "k")}})
		requireInvalid(t, err, "scope")
	}
	f.RequireBalance(b.ID, "0.00")

	first, err := f.Svc.PostJournal(f.Ctx, ledger.JournalBatch{Scope: "eod", Entries: []ledger.JournalRequest{move(a.ID, b.ID, "1.00", "k")}})
	require.NoError(t, err)
	require.NoError(t, first[0].Err)
	// The same caller key in another scope, and in PostEntry, names other
	// requests.
	other, err := f.Svc.PostJournal(f.Ctx, ledger.JournalBatch{Scope: "loans", Entries: []ledger.JournalRequest{move(a.ID, b.ID, "2.00", "k")}})
	require.NoError(t, err)
	require.NoError(t, other[0].Err)
	_, err = f.Svc.PostEntry(f.Ctx, move(a.ID, b.ID, "3.00", "k"))
	require.NoError(t, err)
	f.RequireBalance(b.ID, "6.00")

	again, err := f.Svc.PostJournal(f.Ctx, ledger.JournalBatch{Scope: "eod", Entries: []ledger.JournalRequest{
		move(a.ID, b.ID, "1.00", "k"),
		move(a.ID, b.ID, "1.50", "k"),
	}})
	require.NoError(t, err)
	require.True(t, again[0].Replayed)
	require.Equal(t, first[0].Entry.ID, again[0].Entry.ID)
	require.ErrorIs(t, again[1].Err, ledger.ErrIdempotencyConflict)
	f.RequireBalance(b.ID, "6.00")
}

func testJournalBatchValueDates(t *testing.T, f *fixture) {
	a, b := f.Open("alice"), f.Open("bob")
	f.Deposit(a.ID, "10.00")
	later := move(a.ID, b.ID, "1.00", "later")
	later.ValueDate = f.Today.AddDays(2)
	earlier := move(a.ID, b.ID, "1.00", "earlier")
	earlier.ValueDate = f.Today.AddDays(-3)
	today := move(a.ID, b.ID, "1.00", "today")

	refused, err := f.Svc.PostJournal(f.Ctx, ledger.JournalBatch{Scope: "test", Entries: []ledger.JournalRequest{later}})
	require.NoError(t, err)
	requireInvalid(t, refused[0].Err, "value_date")

	results, err := f.Svc.PostJournal(f.Ctx, ledger.JournalBatch{Scope: "test", FutureValueDates: true,
		Entries: []ledger.JournalRequest{later, earlier, today}})
	require.NoError(t, err)
	for i, want := range []ledger.JournalRequest{later, earlier} {
		require.NoError(t, results[i].Err)
		require.Equal(t, want.ValueDate, results[i].Entry.ValueDate)
	}
	require.Equal(t, f.Today, results[2].Entry.ValueDate, "no date: the business date")
	bal, err := f.Svc.BalanceAsOf(f.Ctx, b.ID, f.Today)
	require.NoError(t, err)
	require.Equal(t, "2.00", bal.ValueString(), "the future-dated entry counts from its value date")
	f.RequireBalance(b.ID, "3.00")
}

func testJournalBatchLargerThanMaxBatch(t *testing.T, f *fixture) {
	a, b := f.Open("alice"), f.Open("bob")
	f.Deposit(a.ID, "100.00")
	entries := make([]ledger.JournalRequest, ledger.MaxBatch+3)
	for i := range entries {
		entries[i] = move(a.ID, b.ID, "0.01", fmt.Sprintf("k%d", i))
	}
	entries[ledger.MaxBatch+1].Postings[0].Amount = money.MustParse("1", "USD")
	results, err := f.Svc.PostJournal(f.Ctx, ledger.JournalBatch{Scope: "test", Entries: entries})
	require.NoError(t, err)
	require.Len(t, results, len(entries))
	for i, r := range results {
		if i == ledger.MaxBatch+1 {
			require.Error(t, r.Err)
			continue
		}
		require.NoError(t, r.Err, "entry %d", i)
		require.Equal(t, fmt.Sprintf("test/k%d", i), r.Entry.IdempotencyKey, "result %d is entry %d's", i, i)
	}
	f.RequireBalance(b.ID, "10.02")
	f.RequireTrialBalanced()
}

func testEnsureChartAccount(t *testing.T, f *fixture) {
	owed := ledger.ChartAccount{Code: "tax_payable", Name: "Tax payable", NormalSide: ledger.Credit}
	_, err := f.Svc.ChartAccountID(f.Ctx, money.CNY, owed.Code)
	require.ErrorIs(t, err, ledger.ErrNotFound)

	created, err := f.Svc.EnsureChartAccount(f.Ctx, money.CNY, owed)
	require.NoError(t, err)
	require.Equal(t, owed.Code, created.Code)
	require.Equal(t, ledger.ProductInternal, created.Product)
	require.Equal(t, ledger.Credit, created.NormalSide)
	require.Equal(t, ledger.PolicyUnchecked, created.Policy.Kind)
	again, err := f.Svc.EnsureChartAccount(f.Ctx, money.CNY, owed)
	require.NoError(t, err)
	require.Equal(t, created.ID, again.ID)
	id, err := f.Svc.ChartAccountID(f.Ctx, money.CNY, owed.Code)
	require.NoError(t, err)
	require.Equal(t, created.ID, id)

	// Another Service over the same store finds it, and the default chart
	// is there as SetupChart made it.
	other, err := ledger.NewService(f.Store, ledger.WithClock(f.Clock))
	require.NoError(t, err)
	found, err := other.EnsureChartAccount(f.Ctx, money.CNY, owed)
	require.NoError(t, err)
	require.Equal(t, created.ID, found.ID)
	vault, err := other.ChartAccountID(f.Ctx, money.CNY, ledger.CodeVaultCash)
	require.NoError(t, err)
	require.Equal(t, f.Vault.ID, vault)

	_, err = f.Svc.EnsureChartAccount(f.Ctx, money.CNY, ledger.ChartAccount{Code: "x"})
	requireInvalid(t, err, "normal_side")
	_, err = f.Svc.EnsureChartAccount(f.Ctx, "XXX", owed)
	requireInvalid(t, err, "currency")
}
