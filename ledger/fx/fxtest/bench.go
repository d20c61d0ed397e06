package fxtest

import (
	"context"
	"fmt"
	"testing"

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
func RunBenchmarks(b *testing.B, newStores NewBenchStores) {
	b.Run("Convert", func(b *testing.B) {
		ctx := context.Background()
		lstore, fstore := newStores(b)
		clock := calendar.NewManualClock(suite.Start)
		books, err := ledger.NewService(lstore, ledger.WithClock(clock))
		must(b, err)
		for _, c := range []money.Currency{money.CNY, money.USD} {
			_, err := books.SetupChart(ctx, c)
			must(b, err)
		}
		// A quota large enough never to run out in a benchmark, so the
		// usage row is still read and written on every conversion.
		svc, err := fx.NewService(books, fstore, fx.WithClock(clock),
			fx.WithQuota(fx.Quota{Currency: money.USD, Limit: decimal.New(1, 12)}))
		must(b, err)
		usd, err := books.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "o", Product: ledger.ProductDemand, Currency: money.USD})
		must(b, err)
		cny, err := books.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "o", Product: ledger.ProductDemand, Currency: money.CNY})
		must(b, err)
		_, err = books.Deposit(ctx, ledger.DepositRequest{AccountID: usd.ID, Amount: money.MustParse("100000000.00", "USD")})
		must(b, err)
		_, err = svc.PublishRate(ctx, fx.PublishRateRequest{Pair: fx.Pair{Base: money.USD, Quote: money.CNY},
			Mid: decimal.RequireFromString("7.15"), Buy: decimal.RequireFromString("7.10"), Sell: decimal.RequireFromString("7.20"),
			Source: "treasury", PublishedAt: opening})
		must(b, err)
		i := 0
		for b.Loop() {
			i++
			_, err := svc.Convert(ctx, fx.ConvertRequest{FromAccountID: usd.ID, ToAccountID: cny.ID,
				Amount: money.MustParse("1.00", "USD"), IdempotencyKey: fmt.Sprint("bench-", i)})
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "conversions/s")
	})
}

func must(b *testing.B, err error) {
	b.Helper()
	if err != nil {
		b.Fatal(err)
	}
}
