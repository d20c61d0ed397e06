package ledger_test

import (
	"context"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/memledger"
	"github.com/bankkit/bankkit/money"
)

// countingStore counts business-date reads, which cost a round trip on a
// database store.
type countingStore struct {
	ledger.Store
	reads atomic.Int64
}

func (c *countingStore) BusinessDate(ctx context.Context, initial calendar.Date) (calendar.Date, error) {
	c.reads.Add(1)
	return c.Store.BusinessDate(ctx, initial)
}

func TestTransferBatchReadsTheBusinessDateOnce(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	store := &countingStore{Store: memledger.New()}
	svc, err := ledger.NewService(store)
	require.NoError(t, err)
	_, err = svc.SetupChart(ctx, money.CNY)
	require.NoError(t, err)
	a, err := svc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "a", Product: ledger.ProductDemand, Currency: money.CNY})
	require.NoError(t, err)
	b, err := svc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "b", Product: ledger.ProductDemand, Currency: money.CNY})
	require.NoError(t, err)
	_, err = svc.Deposit(ctx, ledger.DepositRequest{AccountID: a.ID, Amount: money.MustParse("100.00", "CNY")})
	require.NoError(t, err)

	reqs := make([]ledger.TransferRequest, 20)
	for i := range reqs {
		reqs[i] = ledger.TransferRequest{FromAccountID: a.ID, ToAccountID: b.ID, Amount: money.MustParse("1.00", "CNY")}
	}
	before := store.reads.Load()
	results, err := svc.TransferBatch(ctx, reqs)
	require.NoError(t, err)
	for _, r := range results {
		require.NoError(t, r.Err)
	}
	require.Equal(t, int64(1), store.reads.Load()-before)
}
