package memledger_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/memledger"
	"github.com/bankkit/bankkit/money"
)

// benchAccounts opens n funded CNY accounts on a fresh store.
func benchAccounts(b *testing.B, n int) (*ledger.Service, []ledger.ID) {
	b.Helper()
	ctx := context.Background()
	svc, err := ledger.NewService(memledger.New())
	if err != nil {
		b.Fatal(err)
	}
	if _, err := svc.SetupChart(ctx, money.CNY); err != nil {
		b.Fatal(err)
	}
	ids := make([]ledger.ID, n)
	for i := range ids {
		a, err := svc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: fmt.Sprint(i), Product: ledger.ProductDemand, Currency: money.CNY})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := svc.Deposit(ctx, ledger.DepositRequest{AccountID: a.ID, Amount: money.MustParse("1000000000.00", "CNY")}); err != nil {
			b.Fatal(err)
		}
		ids[i] = a.ID
	}
	return svc, ids
}

var benchAmount = money.MustParse("1.25", "CNY")

// cpuTime returns the CPU time this process has used. On a machine shared
// with other work, wall-clock rates understate what the code does; the
// transfers per CPU-second shown beside them do not.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// reportRates adds transfers/s (wall clock) and transfers/cpu-s (CPU time
// used by the process, garbage collection included, since cpu0).
func reportRates(b *testing.B, transfers int, cpu0 time.Duration) {
	b.ReportMetric(float64(transfers)/b.Elapsed().Seconds(), "transfers/s")
	if cpu := cpuTime() - cpu0; cpu > 0 {
		b.ReportMetric(float64(transfers)/cpu.Seconds(), "transfers/cpu-s")
	}
}

// BenchmarkTransfer is one goroutine posting transfers through the Service
// among 1000 accounts (no idempotency key).
func BenchmarkTransfer(b *testing.B) {
	svc, ids := benchAccounts(b, 1000)
	ctx := context.Background()
	b.ReportAllocs()
	cpu0 := cpuTime()
	i := 0
	for b.Loop() {
		from, to := ids[i%len(ids)], ids[(i*7+1)%len(ids)]
		if from == to {
			to = ids[(i+1)%len(ids)]
		}
		if _, err := svc.Transfer(ctx, ledger.TransferRequest{FromAccountID: from, ToAccountID: to, Amount: benchAmount}); err != nil {
			b.Fatal(err)
		}
		i++
	}
	reportRates(b, b.N, cpu0)
}

// BenchmarkTransferIdempotent is BenchmarkTransfer with an idempotency key
// on every transfer (fingerprint and key bookkeeping included).
func BenchmarkTransferIdempotent(b *testing.B) {
	svc, ids := benchAccounts(b, 1000)
	ctx := context.Background()
	b.ReportAllocs()
	cpu0 := cpuTime()
	i := 0
	for b.Loop() {
		from, to := ids[i%len(ids)], ids[(i+1)%len(ids)]
		if _, err := svc.Transfer(ctx, ledger.TransferRequest{FromAccountID: from, ToAccountID: to, Amount: benchAmount,
			IdempotencyKey: fmt.Sprint("k", i)}); err != nil {
			b.Fatal(err)
		}
		i++
	}
	reportRates(b, b.N, cpu0)
}

// BenchmarkTransferParallel posts transfers from GOMAXPROCS goroutines.
func BenchmarkTransferParallel(b *testing.B) {
	svc, ids := benchAccounts(b, 1000)
	ctx := context.Background()
	var seq atomic.Int64
	b.ReportAllocs()
	cpu0 := cpuTime()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := int(seq.Add(1)) * 7919
		for pb.Next() {
			from, to := ids[i%len(ids)], ids[(i+1)%len(ids)]
			if _, err := svc.Transfer(ctx, ledger.TransferRequest{FromAccountID: from, ToAccountID: to, Amount: benchAmount}); err != nil {
				b.Error(err)
				return
			}
			i++
		}
	})
	reportRates(b, b.N, cpu0)
}

// BenchmarkTransferBatch posts batches of 100 transfers.
func BenchmarkTransferBatch(b *testing.B) {
	svc, ids := benchAccounts(b, 1000)
	ctx := context.Background()
	batch := make([]ledger.TransferRequest, 100)
	b.ReportAllocs()
	cpu0 := cpuTime()
	i := 0
	for b.Loop() {
		for k := range batch {
			batch[k] = ledger.TransferRequest{FromAccountID: ids[i%len(ids)], ToAccountID: ids[(i+1)%len(ids)], Amount: benchAmount}
			i++
		}
		results, err := svc.TransferBatch(ctx, batch)
		if err != nil {
			b.Fatal(err)
		}
		if results[0].Err != nil {
			b.Fatal(results[0].Err)
		}
	}
	reportRates(b, b.N*len(batch), cpu0)
}

// BenchmarkDeliverEvents posts b.N transfers (not timed), then times one
// subscriber with a handler that does nothing receiving all of them, each
// rendered from the journal as it is read.
func BenchmarkDeliverEvents(b *testing.B) {
	svc, ids := benchAccounts(b, 200)
	ctx := context.Background()
	seen := 0
	if err := svc.Events().Subscribe(ctx, "bench", func(context.Context, event.Envelope) error { seen++; return nil }); err != nil {
		b.Fatal(err)
	}
	if _, err := svc.Events().Deliver(ctx); err != nil { // past the set-up's events
		b.Fatal(err)
	}
	for i := range b.N {
		if _, err := svc.Transfer(ctx, ledger.TransferRequest{FromAccountID: ids[i%len(ids)], ToAccountID: ids[(i+1)%len(ids)], Amount: benchAmount}); err != nil {
			b.Fatal(err)
		}
	}
	seen = 0
	b.ReportAllocs()
	b.ResetTimer()
	handled, err := svc.Events().Deliver(ctx)
	b.StopTimer()
	if err != nil || handled != b.N || seen != b.N {
		b.Fatalf("handled %d, seen %d of %d: %v", handled, seen, b.N, err)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
