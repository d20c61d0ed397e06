package risktest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/risk"
)

// BenchDraft is the benchmark's rule set: 20 rules over 5 windowed
// aggregates (counts, sums, an average and distinct counterparties, 10
// minutes to 90 days), none of which fires on the benchmark's traffic.
func BenchDraft() risk.Draft {
	d := risk.Draft{Thresholds: risk.Thresholds{Review: 40, BlockAndReview: 90, Decline: 150},
		Aggregates: []risk.Aggregate{
			{Name: "out_10m", Entity: risk.EntityAccount, Side: risk.SideFrom, Measure: risk.Count, Window: risk.Window(10 * time.Minute)},
			{Name: "out_sum_24h", Entity: risk.EntityCustomer, Side: risk.SideFrom, Measure: risk.Sum, Window: risk.Window(24 * time.Hour)},
			{Name: "in_avg_7d", Entity: risk.EntityAccount, Side: risk.SideTo, Measure: risk.Average, Window: risk.Window(7 * 24 * time.Hour)},
			{Name: "senders_24h", Entity: risk.EntityAccount, Side: risk.SideTo, Measure: risk.Distinct, Window: risk.Window(24 * time.Hour)},
			{Name: "pair_90d", Entity: risk.EntityPair, Side: risk.SideFrom, Measure: risk.Count, Window: risk.Window(90 * 24 * time.Hour)},
		}}
	for i := range 20 {
		d.Rules = append(d.Rules, risk.Rule{Name: fmt.Sprintf("rule_%02d", i), Score: 10,
			Expr: fmt.Sprintf("amount > %d && (agg.out_10m > %d || agg.out_sum_24h > %d || agg.senders_24h > %d) && agg.pair_90d < 100000 && agg.in_avg_7d >= 0",
				1_000_000+i, 1000+i, 100_000_000, 500+i)})
	}
	return d
}

// BenchScreen screens b.N transfers among accounts accounts against
// BenchDraft on store, from workers goroutines, and reports the p50 and
// p99 latency of one screening.
func BenchScreen(b *testing.B, store risk.Store, accounts, workers int) {
	ctx := context.Background()
	clock := calendar.NewManualClock(start)
	svc, err := risk.NewService(store, risk.WithClock(clock))
	if err != nil {
		b.Fatal(err)
	}
	v, err := svc.CreateDraft(ctx, BenchDraft(), "bench")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := svc.Publish(ctx, v.ID, "bench"); err != nil {
		b.Fatal(err)
	}
	day := calendar.DateOf(start)
	amount := money.MustParse("100.00", "CNY")
	lat := make([][]time.Duration, workers)
	var wg sync.WaitGroup
	b.ResetTimer()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < b.N; i += workers {
				from, to := i%accounts, (i*7+1)%accounts
				t := risk.Transaction{ID: risk.NewID(), Kind: risk.KindTransfer, Amount: amount,
					From: risk.Party{Account: fmt.Sprintf("a%d", from), Customer: fmt.Sprintf("c%d", from)},
					To:   risk.Party{Account: fmt.Sprintf("a%d", to), Customer: fmt.Sprintf("c%d", to)},
					At:   start.Add(time.Duration(i) * time.Millisecond), BusinessDate: day}
				t0 := time.Now()
				if _, err := svc.Screen(ctx, t, ""); err != nil {
					b.Error(err)
					return
				}
				lat[w] = append(lat[w], time.Since(t0))
			}
		}()
	}
	wg.Wait()
	b.StopTimer()
	all := slices.Concat(lat...)
	slices.Sort(all)
	if len(all) > 0 {
		b.ReportMetric(float64(all[len(all)/2].Microseconds()), "p50_µs")
		b.ReportMetric(float64(all[len(all)*99/100].Microseconds()), "p99_µs")
	}
}

// BenchObserveBatch evaluates b.N transfers among accounts accounts
// against BenchDraft on store with ObserveBatch, in pages of page (the
// ledger's event feed pages are 500), one after the other as the observer
// runs them, and reports events evaluated a second.
func BenchObserveBatch(b *testing.B, store risk.Store, accounts, page int) {
	ctx := context.Background()
	clock := calendar.NewManualClock(start)
	svc, err := risk.NewService(store, risk.WithClock(clock))
	if err != nil {
		b.Fatal(err)
	}
	v, err := svc.CreateDraft(ctx, BenchDraft(), "bench")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := svc.Publish(ctx, v.ID, "bench"); err != nil {
		b.Fatal(err)
	}
	day := calendar.DateOf(start)
	amount := money.MustParse("100.00", "CNY")
	ts := make([]risk.Transaction, b.N)
	for i := range ts {
		from, to := i%accounts, (i*7+1)%accounts
		ts[i] = risk.Transaction{ID: risk.NewID(), Kind: risk.KindTransfer, Amount: amount,
			From: risk.Party{Account: fmt.Sprintf("a%d", from), Customer: fmt.Sprintf("c%d", from)},
			To:   risk.Party{Account: fmt.Sprintf("a%d", to), Customer: fmt.Sprintf("c%d", to)},
			At:   start.Add(time.Duration(i) * time.Millisecond), BusinessDate: day}
	}
	b.ResetTimer()
	t0 := time.Now()
	for i := 0; i < len(ts); i += page {
		end := min(i+page, len(ts))
		if _, err := svc.ObserveBatch(ctx, "bench", int64(end), ts[i:end]); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/time.Since(t0).Seconds(), "events/s")
}
