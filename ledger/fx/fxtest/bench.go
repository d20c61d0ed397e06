package fxtest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/fx"
	"github.com/bankkit/bankkit/ledger/internal/suite"
	"github.com/bankkit/bankkit/money"
)

// NewBenchStores is NewStores for benchmarks.
type NewBenchStores func(b *testing.B) (ledger.Store, fx.Store)

// RunBenchmarks runs the FX benchmarks on a backend:
//
//	Convert   one sale of USD 1.00 for CNY at the rate in force, with the
//	          quota checked and charged: the record, the entry (five
//	          postings in two currencies) and its completion
//	Cross     one conversion of USD 1.00 into EUR through CNY: two rates
//	          read, six postings in three currencies, two running-total
//	          rows moved
//	Totals    after 1,000 conversions, the running totals read (Totals)
//	          against their recomputation from every conversion
//	          (RecomputeTotals), in the same run
func RunBenchmarks(b *testing.B, newStores NewBenchStores) {
	b.Run("Convert", func(b *testing.B) {
		ctx := context.Background()
		bb := newBenchBank(b, newStores)
		i := 0
		for b.Loop() {
			i++
			_, err := bb.svc.Convert(ctx, fx.ConvertRequest{FromAccountID: bb.usd.ID, ToAccountID: bb.cny.ID,
				Amount: money.MustParse("1.00", "USD"), IdempotencyKey: fmt.Sprint("bench-", i)})
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "conversions/s")
	})
	b.Run("Cross", func(b *testing.B) {
		ctx := context.Background()
		bb := newBenchBank(b, newStores)
		i := 0
		for b.Loop() {
			i++
			_, err := bb.svc.Convert(ctx, fx.ConvertRequest{FromAccountID: bb.usd.ID, ToAccountID: bb.eur.ID,
				Amount: money.MustParse("1.00", "USD"), IdempotencyKey: fmt.Sprint("bench-", i)})
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "conversions/s")
	})
	b.Run("Totals", func(b *testing.B) {
		ctx := context.Background()
		bb := newBenchBank(b, newStores)
		const history = 1000
		for i := range history {
			to := bb.cny
			if i%2 == 1 {
				to = bb.eur
			}
			_, err := bb.svc.Convert(ctx, fx.ConvertRequest{FromAccountID: bb.usd.ID, ToAccountID: to.ID, Amount: money.MustParse("1.00", "USD")})
			must(b, err)
		}
		var running, recompute time.Duration
		for b.Loop() {
			start := time.Now()
			_, err := bb.fstore.Totals(ctx)
			must(b, err)
			mid := time.Now()
			_, _, err = bb.fstore.RecomputeTotals(ctx)
			must(b, err)
			running += mid.Sub(start)
			recompute += time.Since(mid)
		}
		b.ReportMetric(float64(running.Nanoseconds())/float64(b.N), "running-ns/op")
		b.ReportMetric(float64(recompute.Nanoseconds())/float64(b.N), "recompute-ns/op")
		b.ReportMetric(float64(recompute)/float64(running), "recompute/running")
	})
}

// benchBank is a ledger with CNY, USD and EUR, an FX Service with a quota
// that never runs out (so the usage row is still read and written), USD,
// CNY and EUR accounts, the USD one funded, and both pairs' rates.
type benchBank struct {
	svc           *fx.Service
	fstore        fx.Store
	usd, cny, eur ledger.Account
}

func newBenchBank(b *testing.B, newStores NewBenchStores) benchBank {
	ctx := context.Background()
	lstore, fstore := newStores(b)
	clock := calendar.NewManualClock(suite.Start)
	books, err := ledger.NewService(lstore, ledger.WithClock(clock))
	must(b, err)
	for _, c := range []money.Currency{money.CNY, money.USD, money.EUR} {
		_, err := books.SetupChart(ctx, c)
		must(b, err)
	}
	svc, err := fx.NewService(books, fstore, fx.WithClock(clock),
		fx.WithQuota(fx.Quota{Currency: money.USD, Limit: decimal.New(1, 12)}))
	must(b, err)
	bb := benchBank{svc: svc, fstore: fstore}
	for _, a := range []struct {
		acc *ledger.Account
		c   money.Currency
	}{{&bb.usd, money.USD}, {&bb.cny, money.CNY}, {&bb.eur, money.EUR}} {
		*a.acc, err = books.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "o", Product: ledger.ProductDemand, Currency: a.c})
		must(b, err)
	}
	_, err = books.Deposit(ctx, ledger.DepositRequest{AccountID: bb.usd.ID, Amount: money.MustParse("100000000.00", "USD")})
	must(b, err)
	for _, r := range []struct{ base, mid, buy, sell string }{{"USD", "7.15", "7.10", "7.20"}, {"EUR", "7.80", "7.75", "7.85"}} {
		_, err = svc.PublishRate(ctx, fx.PublishRateRequest{Pair: fx.Pair{Base: money.Currency(r.base), Quote: money.CNY},
			Mid: decimal.RequireFromString(r.mid), Buy: decimal.RequireFromString(r.buy), Sell: decimal.RequireFromString(r.sell),
			Source: "treasury", PublishedAt: opening})
		must(b, err)
	}
	return bb
}

func must(b *testing.B, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
}
