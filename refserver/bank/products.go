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

// The deposit products, one pair per currency, on the conventions of
// Chinese banks. The rates are illustrative.
var (
	demandRate = decimal.RequireFromString("0.0035") // 0.35% a year, settled quarterly on the 20th
	timeRate   = decimal.RequireFromString("0.0150") // 1.50% a year, paid at maturity
)

func demandProduct(c money.Currency) string { return "demand-" + string(c) }
func timeProduct(c money.Currency) string   { return "time-" + string(c) }

// minimumRemaining is the least a partial early withdrawal of a time
// deposit leaves: 50.00 CNY, the minimum of a 整存整取 deposit at the
// large banks; no minimum is set for the other currencies.
func minimumRemaining(c money.Currency) decimal.Decimal {
	if c == money.CNY {
		return decimal.NewFromInt(50)
	}
	return decimal.Zero
}

// SetUpProducts defines every currency's demand and time deposit products.
// Defining a product again with the same terms is harmless, so it runs at
// every start.
//
// Both follow the conventions of Chinese banks: a day's interest is the
// annual rate / 360 (银发〔2005〕129号), interest is rounded half-up to the
// minor unit (分以下四舍五入); demand deposits are settled quarterly on the
// 20th of March, June, September and December and credited on the 21st
// (《人民币单位存款管理办法》); a time deposit pays its term by months
// whatever the days, the demand rate for the actual days when closed early
// or for its days after maturity, and allows one partial early withdrawal.
func (b *Bank) SetUpProducts(ctx context.Context) error {
	since := calendar.MustDate(2000, time.January, 1)
	for _, c := range Currencies {
		demand := interest.Product{Currency: c, DayCount: money.Act360, Basis: interest.EndOfDayBalance,
			Credit:      interest.RateSchedule{{Effective: since, Rate: interest.Flat(demandRate)}},
			Compounding: interest.Quarterly, Posting: interest.Quarterly,
			Settlement: interest.Cycle{Day: 20}, PayNextDay: true, Rounding: money.HalfUp}
		term := interest.Product{Currency: c, DayCount: money.Act360, Basis: interest.EndOfDayBalance,
			Credit:      interest.RateSchedule{{Effective: since, Rate: interest.Flat(timeRate)}},
			Compounding: interest.AtMaturity, Posting: interest.AtMaturity, Rounding: money.HalfUp,
			Term: interest.ChineseTermRules(minimumRemaining(c))}
		if err := b.deposits.DefineProduct(ctx, demandProduct(c), demand); err != nil {
			return fmt.Errorf("bank: interest products for %s: %w", c, err)
		}
		if err := b.deposits.DefineProduct(ctx, timeProduct(c), term); err != nil {
			return fmt.Errorf("bank: interest products for %s: %w", c, err)
		}
	}
	return nil
}
