package fx_test

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/fx"
	"github.com/bankkit/bankkit/ledger/memledger"
	"github.com/bankkit/bankkit/money"
)

// A customer sells USD 100.00 to the bank and buys some back; the bank's
// positions and spread income follow.
func Example() {
	ctx := context.Background()
	clock := calendar.NewManualClock(time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC))
	store := memledger.New()
	books, _ := ledger.NewService(store, ledger.WithClock(clock))
	for _, c := range []money.Currency{money.CNY, money.USD} {
		_, _ = books.SetupChart(ctx, c)
	}
	exchange, _ := fx.NewService(books, store, fx.WithClock(clock))

	usd, _ := books.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "li-wei", Product: ledger.ProductDemand, Currency: money.USD})
	cny, _ := books.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "li-wei", Product: ledger.ProductDemand, Currency: money.CNY})
	_, _ = books.Deposit(ctx, ledger.DepositRequest{AccountID: usd.ID, Amount: money.MustParse("500.00", "USD")})

	_, err := exchange.PublishRate(ctx, fx.PublishRateRequest{Pair: fx.Pair{Base: money.USD, Quote: money.CNY},
		Mid: decimal.RequireFromString("7.15"), Buy: decimal.RequireFromString("7.10"), Sell: decimal.RequireFromString("7.20"),
		Source: "treasury 09:00", PublishedAt: clock.Now().Add(-30 * time.Minute)})
	if err != nil {
		fmt.Println(err)
		return
	}
	sale, _ := exchange.Convert(ctx, fx.ConvertRequest{FromAccountID: usd.ID, ToAccountID: cny.ID,
		Amount: money.MustParse("100.00", "USD"), IdempotencyKey: "sale-1"})
	fmt.Println("sold USD 100.00 for", sale.Conversion.Receives)

	q, _ := exchange.Quote(ctx, fx.QuoteRequest{OwnerID: "li-wei", Pays: money.MustParse("360.00", "CNY"), Receive: money.USD})
	buy, _ := exchange.Convert(ctx, fx.ConvertRequest{FromAccountID: cny.ID, ToAccountID: usd.ID,
		Amount: money.MustParse("360.00", "CNY"), QuoteID: q.ID, IdempotencyKey: "buy-1"})
	fmt.Println("paid CNY 360.00 for", buy.Conversion.Receives)

	positions, _ := exchange.Positions(ctx)
	for _, p := range positions {
		fmt.Println("position", p.Open)
	}
	income, _ := exchange.Income(ctx)
	fmt.Println("spread income", income)
	// Output:
	// sold USD 100.00 for 710.00 CNY
	// paid CNY 360.00 for 50.00 USD
	// position -357.50 CNY
	// position 50.00 USD
	// spread income 7.50 CNY
}

// A customer converts USD into EUR when the treasury publishes only
// USD/CNY and EUR/CNY: the cross rate goes through CNY, each spread once.
func ExampleService_Convert_cross() {
	ctx := context.Background()
	clock := calendar.NewManualClock(time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC))
	store := memledger.New()
	books, _ := ledger.NewService(store, ledger.WithClock(clock))
	for _, c := range []money.Currency{money.CNY, money.USD, money.EUR} {
		_, _ = books.SetupChart(ctx, c)
	}
	exchange, _ := fx.NewService(books, store, fx.WithClock(clock))
	usd, _ := books.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "li-wei", Product: ledger.ProductDemand, Currency: money.USD})
	eur, _ := books.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "li-wei", Product: ledger.ProductDemand, Currency: money.EUR})
	_, _ = books.Deposit(ctx, ledger.DepositRequest{AccountID: usd.ID, Amount: money.MustParse("500.00", "USD")})
	for _, r := range []struct{ base, mid, buy, sell string }{{"USD", "7.15", "7.10", "7.20"}, {"EUR", "7.80", "7.75", "7.85"}} {
		_, _ = exchange.PublishRate(ctx, fx.PublishRateRequest{Pair: fx.Pair{Base: money.Currency(r.base), Quote: money.CNY},
			Mid: decimal.RequireFromString(r.mid), Buy: decimal.RequireFromString(r.buy), Sell: decimal.RequireFromString(r.sell),
			Source: "treasury 09:00", PublishedAt: clock.Now().Add(-30 * time.Minute)})
	}
	r, err := exchange.Convert(ctx, fx.ConvertRequest{FromAccountID: usd.ID, ToAccountID: eur.ID,
		Amount: money.MustParse("100.00", "USD"), IdempotencyKey: "cross-1"})
	if err != nil {
		fmt.Println(err)
		return
	}
	c := r.Conversion
	fmt.Println("cross rate", c.Cross.CrossRate, "=", c.Rate, "/", c.Cross.Rate)
	fmt.Println("received", c.Receives)
	fmt.Println("legs at mid", c.HomeAtMid, "and", c.Cross.HomeAtMid)
	fmt.Println("spread income", c.Income)
	totals, _ := store.Totals(ctx)
	for _, t := range totals {
		fmt.Println("running total", t.Currency, t.Position, "carried at", t.Carrying)
	}
	// Output:
	// cross rate 0.90445859 = 7.1 / 7.85
	// received 90.44 EUR
	// legs at mid 715.00 CNY and 705.43 CNY
	// spread income 9.57 CNY
	// running total EUR -90.44 carried at -705.43
	// running total USD 100 carried at 715
}
