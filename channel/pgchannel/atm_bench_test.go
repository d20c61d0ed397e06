package pgchannel_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/channel/channeltest"
	"github.com/bankkit/bankkit/channel/pgchannel"
	"github.com/bankkit/bankkit/internal/pgtest"
	"github.com/bankkit/bankkit/money"
)

// BenchmarkATMHeartbeats measures the heartbeat path on PostgreSQL as a
// fleet loads it: BANKKIT_ATM_BENCH_DEVICES devices (default 10,000), each
// heartbeating every 10 s, is one heartbeat per millisecond. b.N
// heartbeats are sent open-loop at that rate (each at its scheduled time,
// whatever the earlier ones are doing) by 32 workers, round-robin over the
// devices, each with the device's counts (so the counts are checked); the
// latency of each runs from its scheduled time to its answer, so queueing
// behind slow ones counts. The reference is the same open loop of
// "SELECT 1" on the same pool, run right after: the database's own round
// trip at that moment, which the ratio sets the heartbeat against.
// Heartbeats commit as the reference server has them (AsyncHeartbeats);
// BANKKIT_ATM_BENCH_SYNC=1 waits for the WAL flush of each.
//
//	BANKKIT_TEST_DATABASE_URL=... go test -run XXX -bench ATMHeartbeats -benchtime 10000x ./channel/pgchannel/
func BenchmarkATMHeartbeats(b *testing.B) {
	ctx := context.Background()
	devices := 10_000
	if v := os.Getenv("BANKKIT_ATM_BENCH_DEVICES"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			b.Fatalf("BANKKIT_ATM_BENCH_DEVICES=%q", v)
		}
		devices = n
	}
	const workers, every = 32, 10 * time.Second
	db := pgtest.New(b)
	db.SetMaxOpenConns(workers)
	db.SetMaxIdleConns(workers)
	if err := pgchannel.Migrate(ctx, db); err != nil {
		b.Fatal(err)
	}
	var opts []pgchannel.Option
	if os.Getenv("BANKKIT_ATM_BENCH_SYNC") == "" {
		opts = append(opts, pgchannel.AsyncHeartbeats()) // as the reference server runs
	}
	store := pgchannel.New(db, opts...)
	fleet, err := channel.NewFleet(store, channeltest.NewFakeCashLedger())
	if err != nil {
		b.Fatal(err)
	}
	tokens := make([]string, devices)
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < devices; i += workers {
				tokens[i] = fmt.Sprintf("atm_bench-%08d-%032d", i, i)
				a := channel.ATM{ID: fmt.Sprintf("B-%06d", i), Branch: "bench", Address: "bench", Model: "bench",
					Cassettes: []channel.Cassette{
						{Currency: "CNY", Denomination: decimal.NewFromInt(100), Capacity: 2000, Count: 1000, LowAt: 100},
						{Currency: "CNY", Denomination: decimal.NewFromInt(50), Capacity: 1000, Count: 500, LowAt: 50}},
					CashAccounts: map[money.Currency]string{"CNY": "bench"}, State: channel.ATMStateOK,
					CredentialHash: channel.HashToken(tokens[i]), CreatedAt: time.Now().UTC().Truncate(time.Microsecond)}
				if err := store.CreateATM(ctx, a); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	if err := <-errs; err != nil {
		b.Fatal(err)
	}
	// The fleet is online, as it is between any two of its heartbeats: a
	// heartbeat after a silence longer than FleetConfig.OfflineAfter takes
	// the locked way and records the offline spell, which a steady fleet
	// never has.
	if _, err := db.ExecContext(ctx, `UPDATE channel.atms SET last_heartbeat = $1`, time.Now().UTC()); err != nil {
		b.Fatal(err)
	}
	rate := float64(devices) / every.Seconds()
	counts := []int{1000, 500}
	b.ResetTimer()
	hb := openLoop(b.N, rate, workers, func(i int) error {
		_, err := fleet.Heartbeat(ctx, tokens[i%devices], channel.Heartbeat{State: channel.ATMStateOK, Counts: counts})
		return err
	})
	b.StopTimer()
	ref := openLoop(b.N, rate, workers, func(int) error {
		_, err := db.ExecContext(ctx, "SELECT 1")
		return err
	})
	if hb.err != nil || ref.err != nil {
		b.Fatal(hb.err, ref.err)
	}
	b.ReportMetric(float64(devices), "devices")
	b.ReportMetric(hb.achieved, "heartbeats/s")
	b.ReportMetric(ms(hb.pct(0.50)), "p50-ms")
	b.ReportMetric(ms(hb.pct(0.99)), "p99-ms")
	b.ReportMetric(ms(ref.pct(0.99)), "select1-p99-ms")
	b.ReportMetric(ms(hb.pct(0.99))/ms(ref.pct(0.99)), "p99-ratio")
}

type loopResult struct {
	lat      []time.Duration
	achieved float64
	err      error
}

func (r loopResult) pct(p float64) time.Duration {
	if len(r.lat) == 0 {
		return 0
	}
	return r.lat[int(p*float64(len(r.lat)-1))]
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// openLoop calls fn n times, the i-th at start + i/rate, on workers
// goroutines, and returns each call's latency from its scheduled time.
func openLoop(n int, rate float64, workers int, fn func(i int) error) loopResult {
	start := time.Now()
	interval := time.Duration(float64(time.Second) / rate)
	jobs := make(chan int, n)
	for i := range n {
		jobs <- i
	}
	close(jobs)
	lat := make([]time.Duration, n)
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				at := start.Add(time.Duration(i) * interval)
				if d := time.Until(at); d > 0 {
					time.Sleep(d)
				}
				if err := fn(i); err != nil {
					mu.Lock()
					if first == nil {
						first = err
					}
					mu.Unlock()
				}
				lat[i] = time.Since(at)
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	slices.Sort(lat)
	return loopResult{lat: lat, achieved: float64(n) / elapsed.Seconds(), err: first}
}
