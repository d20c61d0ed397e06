package ledgertest

import (
	"fmt"
	"testing"

	"github.com/bankkit/bankkit/ledger"
	"github.com/stretchr/testify/require"
)

var batchTests = []test{
	{Name: "BatchEachOnItsOwn", Run: testBatchEachOnItsOwn},
	{Name: "BatchInOrder", Run: testBatchInOrder},
	{Name: "BatchReplay", Run: testBatchReplay},
	{Name: "BatchTooLarge", Run: testBatchTooLarge},
}

func testBatchEachOnItsOwn(t *testing.T, f *fixture) {
	a, b, c := f.Open("alice"), f.Open("bob"), f.Open("carol")
	f.Deposit(a.ID, "100.00")
	results, err := f.Svc.TransferBatch(f.Ctx, []ledger.TransferRequest{
		{FromAccountID: a.ID, ToAccountID: b.ID, Amount: cny("10.00")},
		{FromAccountID: b.ID, ToAccountID: c.ID, Amount: cny("10.01")}, // bob has only 10
		{FromAccountID: a.ID, ToAccountID: c.ID, Amount: cny("20.00")},
		{FromAccountID: a.ID, ToAccountID: ledger.NewID(), Amount: cny("1.00")},
		{FromAccountID: a.ID, ToAccountID: b.ID, Amount: cny("0.00")},
		{FromAccountID: a.ID, ToAccountID: b.ID, Amount: usd("1.00")},
		{FromAccountID: a.ID, ToAccountID: b.ID, Amount: cny("5.00")},
	})
	require.NoError(t, err)
	require.Len(t, results, 7)
	require.NoError(t, results[0].Err)
	require.ErrorIs(t, results[1].Err, ledger.ErrInsufficientFunds)
	require.NoError(t, results[2].Err)
	require.ErrorIs(t, results[3].Err, ledger.ErrNotFound)
	requireInvalid(t, results[4].Err, "amount")
	require.ErrorIs(t, results[5].Err, ledger.ErrCurrencyMismatch)
	require.NoError(t, results[6].Err)
	for _, i := range []int{0, 2, 6} {
		got, err := f.Svc.Entry(f.Ctx, results[i].Entry.ID)
		require.NoError(t, err, "result %d was posted", i)
		require.Equal(t, ledger.KindTransfer, got.Kind)
	}
	// Only the three successes moved money: 100-10-20-5, 10+5, 20.
	f.RequireBalance(a.ID, "65.00")
	f.RequireBalance(b.ID, "15.00")
	f.RequireBalance(c.ID, "20.00")
	require.Equal(t, 1, f.LineCount(c.ID), "the refused transfer to carol left no line")
	require.Len(t, f.entryEvents(), 4, "one deposit and three transfers")
	f.RequireTrialBalanced()
}

func testBatchInOrder(t *testing.T, f *fixture) {
	a, b, c := f.Open("alice"), f.Open("bob"), f.Open("carol")
	f.Deposit(b.ID, "50.00")
	// alice is empty until the first transfer of the batch pays her.
	results, err := f.Svc.TransferBatch(f.Ctx, []ledger.TransferRequest{
		{FromAccountID: a.ID, ToAccountID: c.ID, Amount: cny("30.00")},
		{FromAccountID: b.ID, ToAccountID: a.ID, Amount: cny("50.00")},
		{FromAccountID: a.ID, ToAccountID: c.ID, Amount: cny("30.00")},
		{FromAccountID: a.ID, ToAccountID: c.ID, Amount: cny("30.00")},
	})
	require.NoError(t, err)
	require.ErrorIs(t, results[0].Err, ledger.ErrInsufficientFunds)
	require.NoError(t, results[1].Err)
	require.NoError(t, results[2].Err)
	require.ErrorIs(t, results[3].Err, ledger.ErrInsufficientFunds, "only 20 left")
	f.RequireBalance(a.ID, "20.00")
	f.RequireBalance(c.ID, "30.00")
}

func testBatchReplay(t *testing.T, f *fixture) {
	a, b := f.Open("alice"), f.Open("bob")
	f.Deposit(a.ID, "100.00")
	batch := make([]ledger.TransferRequest, 5)
	for i := range batch {
		batch[i] = ledger.TransferRequest{FromAccountID: a.ID, ToAccountID: b.ID, Amount: cny("1.00"),
			IdempotencyKey: fmt.Sprintf("batch-1/%d", i)}
	}
	first, err := f.Svc.TransferBatch(f.Ctx, batch)
	require.NoError(t, err)
	second, err := f.Svc.TransferBatch(f.Ctx, batch)
	require.NoError(t, err)
	for i := range batch {
		require.NoError(t, first[i].Err)
		require.False(t, first[i].Replayed)
		require.NoError(t, second[i].Err)
		require.True(t, second[i].Replayed)
		require.Equal(t, first[i].Entry.ID, second[i].Entry.ID)
	}
	f.RequireBalance(b.ID, "5.00")

	// Within one batch: a repeat of a key is a replay of the earlier item,
	// a different request under it a conflict.
	dup := []ledger.TransferRequest{
		{FromAccountID: a.ID, ToAccountID: b.ID, Amount: cny("2.00"), IdempotencyKey: "dup"},
		{FromAccountID: a.ID, ToAccountID: b.ID, Amount: cny("2.00"), IdempotencyKey: "dup"},
		{FromAccountID: a.ID, ToAccountID: b.ID, Amount: cny("3.00"), IdempotencyKey: "dup"},
	}
	results, err := f.Svc.TransferBatch(f.Ctx, dup)
	require.NoError(t, err)
	require.NoError(t, results[0].Err)
	require.NoError(t, results[1].Err)
	require.True(t, results[1].Replayed)
	require.Equal(t, results[0].Entry.ID, results[1].Entry.ID)
	require.ErrorIs(t, results[2].Err, ledger.ErrIdempotencyConflict)
	f.RequireBalance(b.ID, "7.00")
}

func testBatchTooLarge(t *testing.T, f *fixture) {
	a, b := f.Open("alice"), f.Open("bob")
	f.Deposit(a.ID, "100.00")
	big := make([]ledger.TransferRequest, ledger.MaxBatch+1)
	for i := range big {
		big[i] = ledger.TransferRequest{FromAccountID: a.ID, ToAccountID: b.ID, Amount: cny("0.01")}
	}
	_, err := f.Svc.TransferBatch(f.Ctx, big)
	requireInvalid(t, err, "transfers")
	f.RequireBalance(b.ID, "0.00")
	empty, err := f.Svc.TransferBatch(f.Ctx, nil)
	require.NoError(t, err)
	require.Empty(t, empty)
}
