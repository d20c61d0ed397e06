package pgledger_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/pgledger"
	"github.com/bankkit/bankkit/money"
)

// benchBank opens n funded accounts on a fresh store.
func benchBank(b *testing.B, n int) (*ledger.Service, *pgledger.Store, []ledger.ID) {
	b.Helper()
	ctx := context.Background()
	store := newStore(b)
	svc, err := ledger.NewService(store)
	require.NoError(b, err)
	_, err = svc.SetupChart(ctx, money.CNY)
	require.NoError(b, err)
	ids := make([]ledger.ID, n)
	for i := range ids {
		a, err := svc.OpenAccount(ctx, ledger.OpenAccountRequest{
			OwnerID: fmt.Sprintf("bench-%d", i), Product: ledger.ProductDemand, Currency: money.CNY})
		require.NoError(b, err)
		_, err = svc.Deposit(ctx, ledger.DepositRequest{AccountID: a.ID, Amount: money.MustParse("1000000.00", "CNY")})
		require.NoError(b, err)
		ids[i] = a.ID
	}
	return svc, store, ids
}

// BenchmarkTransfer posts one transfer per operation, from parallel
// goroutines (16 per GOMAXPROCS, so that concurrent single postings share
// batches as they do in a busy server), between 1000 accounts.
func BenchmarkTransfer(b *testing.B) {
	svc, _, ids := benchBank(b, 1000)
	ctx := context.Background()
	amount := money.MustParse("0.01", "CNY")
	var seq atomic.Int64
	b.SetParallelism(16)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := int(seq.Add(1)) * 7919 // each goroutine on its own accounts
		for pb.Next() {
			i++
			from, to := ids[i%len(ids)], ids[(i*7+1)%len(ids)]
			if from == to {
				to = ids[(i+1)%len(ids)]
			}
			_, err := svc.Transfer(ctx, ledger.TransferRequest{FromAccountID: from, ToAccountID: to, Amount: amount})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "transfers/s")
}

// BenchmarkTransferSerial posts one transfer at a time from one
// goroutine: nothing to merge with, so it shows a lone caller's latency.
func BenchmarkTransferSerial(b *testing.B) {
	svc, _, ids := benchBank(b, 1000)
	ctx := context.Background()
	amount := money.MustParse("0.01", "CNY")
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		from, to := ids[n%len(ids)], ids[(n*7+1)%len(ids)]
		if from == to {
			to = ids[(n+1)%len(ids)]
		}
		_, err := svc.Transfer(ctx, ledger.TransferRequest{FromAccountID: from, ToAccountID: to, Amount: amount})
		require.NoError(b, err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "transfers/s")
}

// BenchmarkTransferBatch posts 100 transfers per operation in one
// TransferBatch call.
func BenchmarkTransferBatch(b *testing.B) {
	const size = 100
	svc, _, ids := benchBank(b, 200)
	ctx := context.Background()
	amount := money.MustParse("0.01", "CNY")
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		reqs := make([]ledger.TransferRequest, size)
		for i := range reqs {
			reqs[i] = ledger.TransferRequest{FromAccountID: ids[(n+2*i)%len(ids)], ToAccountID: ids[(n+2*i+1)%len(ids)], Amount: amount}
		}
		results, err := svc.TransferBatch(ctx, reqs)
		require.NoError(b, err)
		for _, r := range results {
			require.NoError(b, r.Err)
		}
	}
	b.ReportMetric(float64(b.N*size)/b.Elapsed().Seconds(), "transfers/s")
}

// BenchmarkPostEntriesBatch is BenchmarkTransferBatch on the Store alone,
// without the Service's building and checking of the transfers, to show
// the store's own cost per batch.
func BenchmarkPostEntriesBatch(b *testing.B) {
	const size = 100
	svc, store, ids := benchBank(b, 200)
	ctx := context.Background()
	amount := money.MustParse("0.01", "CNY")
	today, err := svc.BusinessDate(ctx)
	require.NoError(b, err)
	b.ResetTimer()
	for n := 0; n < b.N; n++ {
		reqs := make([]ledger.PostRequest, size)
		for i := range reqs {
			reqs[i].Entry = ledger.Entry{ID: ledger.NewID(), Kind: ledger.KindTransfer, ValueDate: today, BookedAt: time.Now(),
				Postings: []ledger.Posting{
					{AccountID: ids[(n+2*i)%len(ids)], Side: ledger.Debit, Amount: amount},
					{AccountID: ids[(n+2*i+1)%len(ids)], Side: ledger.Credit, Amount: amount},
				}}
		}
		results, err := store.PostEntries(ctx, reqs)
		require.NoError(b, err)
		for _, r := range results {
			require.NoError(b, r.Err)
		}
	}
	b.ReportMetric(float64(b.N*size)/b.Elapsed().Seconds(), "transfers/s")
}

// BenchmarkDeliverEvents posts b.N transfers (not timed), then times one
// subscriber with a handler that does nothing receiving all of them:
// delivery has to keep up with posting, or risk monitoring and analytics
// fall behind the ledger.
func BenchmarkDeliverEvents(b *testing.B) {
	svc, _, ids := benchBank(b, 200)
	ctx := context.Background()
	amount := money.MustParse("0.01", "CNY")
	var seen int
	require.NoError(b, svc.Events().Subscribe(ctx, "bench", func(context.Context, event.Envelope) error { seen++; return nil }))
	_, err := svc.Events().Deliver(ctx) // past the set-up's events
	require.NoError(b, err)
	for n := 0; n < b.N; n += ledger.MaxBatch {
		reqs := make([]ledger.TransferRequest, min(ledger.MaxBatch, b.N-n))
		for i := range reqs {
			reqs[i] = ledger.TransferRequest{FromAccountID: ids[(n+i)%len(ids)], ToAccountID: ids[(n+i+1)%len(ids)], Amount: amount}
		}
		_, err := svc.TransferBatch(ctx, reqs)
		require.NoError(b, err)
	}
	seen = 0
	b.ResetTimer()
	handled, err := svc.Events().Deliver(ctx)
	require.NoError(b, err)
	b.StopTimer()
	require.Equal(b, b.N, handled)
	require.Equal(b, b.N, seen)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
