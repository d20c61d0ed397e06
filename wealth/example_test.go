package wealth_test

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/wealth"
	"github.com/bankkit/bankkit/wealth/memwealth"
	"github.com/bankkit/bankkit/wealth/wealthtest"
)

// A subscription is held when placed and confirmed at the trade date's
// NAV by the end of day: 10,000.00 CNY at a 1.5% fee and a NAV of 1.0250.
func Example_subscription() {
	ctx := context.Background()
	clock := calendar.NewManualClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	ledger := wealthtest.NewLedger() // in a bank: refserver/wealthport over the ledger
	svc, _ := wealth.NewService(memwealth.New(), wealth.WithClock(clock), wealth.WithLedger(ledger))

	noCoolingOff := 0
	p, err := svc.CreateProduct(ctx, wealth.ProductSpec{Code: "STEADY", Name: "Steady Growth", Issuer: "Bankkit Wealth",
		Currency: "CNY", Type: wealth.OpenEnded, Risk: 3, MinFirst: money.MustParse("1000.00", "CNY"),
		MinAdditional: money.MustParse("100.00", "CNY"), Step: money.MustParse("100.00", "CNY"),
		SubscriptionFee: decimal.RequireFromString("0.015"), SettlementDays: 1, CoolingOffHours: &noCoolingOff})
	if err != nil {
		fmt.Println(err)
		return
	}
	customer := wealth.NewID()
	account := ledger.Open(customer, money.MustParse("20000.00", "CNY"))
	if _, err := svc.Assess(ctx, customer, wealthtest.AnswersFor(3)); err != nil {
		fmt.Println(err)
		return
	}
	placed, err := svc.Subscribe(ctx, wealth.SubscribeRequest{CustomerID: customer, ProductID: p.ID, Account: account,
		Amount: money.MustParse("10000.00", "CNY"), Key: "first-purchase"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("placed:", placed.Order.Status, "trades", placed.Order.Trade, "held", ledger.Account(account).Held)

	today := calendar.MustParseDate("2026-03-02")
	_, _ = svc.PublishNAV(ctx, wealth.NAVRequest{ProductID: p.ID, Date: today, Value: decimal.RequireFromString("1.0250"), PublishedBy: "issuer"})
	_, _ = svc.EndOfDay(ctx, today)
	o, _ := svc.Order(ctx, customer, placed.Order.ID)
	fmt.Println("confirmed: net", o.Net, "fee", o.Fee, "units", o.Units)
	r, _ := svc.Reconcile(ctx)
	fmt.Println("books agree with the ledger:", r.Agrees)
	// Output:
	// placed: pending trades 2026-03-02 held 10000.00 CNY
	// confirmed: net 9852.22 CNY fee 147.78 CNY units 9611.92
	// books agree with the ledger: true
}

// The 7-day annualised yield of a cash-management product compounds the
// last seven days' income per 10,000 units.
func ExampleYield7D() {
	day := decimal.RequireFromString("0.5")
	y, _ := wealth.Yield7D([]decimal.Decimal{day, day, day, day, day, day, day})
	fmt.Println(y.Mul(decimal.NewFromInt(100)).StringFixed(3) + "%")
	// Output: 1.842%
}

// Split is the arithmetic of a confirmation.
func ExampleSplit() {
	s, _ := wealth.Split(money.MustParse("10000.00", "CNY"), decimal.RequireFromString("0.015"), decimal.RequireFromString("1.0250"), 2)
	fmt.Println(s.Net, s.Fee, s.Units, s.Refund)
	// Output: 9852.22 CNY 147.78 CNY 9611.92 0.00 CNY
}
