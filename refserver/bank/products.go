package bank

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/bankkit/bankkit/money"
)

// Currencies are the currencies the reference bank keeps accounts in.
var Currencies = []money.Currency{money.CNY, money.USD, money.EUR, money.HKD, money.JPY, money.GBP}

// The deposit products, one pair per currency. The rates are illustrative.
var (
	demandRate = decimal.RequireFromString("0.0035") // 0.35% a year, posted quarterly
	timeRate   = decimal.RequireFromString("0.0150") // 1.50% a year, paid at maturity
)

func demandProduct(c money.Currency) string { return "demand-" + string(c) }
func timeProduct(c money.Currency) string   { return "time-" + string(c) }

// SetUpProducts defines every currency's demand and time deposit products.
// Defining a product again with the same terms is harmless, so it runs at
// every start.
func (b *Bank) SetUpProducts(ctx context.Context) error {
	since := calendar.MustDate(2000, time.January, 1)
	for _, c := range Currencies {
		demand := interest.Product{Currency: c, DayCount: money.Act360, Basis: interest.EndOfDayBalance,
			Credit:      interest.RateSchedule{{Effective: since, Rate: interest.Flat(demandRate)}},
			Compounding: interest.Quarterly, Posting: interest.Quarterly}
		term := interest.Product{Currency: c, DayCount: money.Act365Fixed, Basis: interest.EndOfDayBalance,
			Credit:      interest.RateSchedule{{Effective: since, Rate: interest.Flat(timeRate)}},
			Compounding: interest.AtMaturity, Posting: interest.AtMaturity}
		if err := b.deposits.DefineProduct(ctx, demandProduct(c), demand); err != nil {
			return fmt.Errorf("bank: interest products for %s: %w", c, err)
		}
		if err := b.deposits.DefineProduct(ctx, timeProduct(c), term); err != nil {
			return fmt.Errorf("bank: interest products for %s: %w", c, err)
		}
	}
	return nil
}
