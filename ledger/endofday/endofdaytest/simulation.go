package endofdaytest

import (
	"testing"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/endofday"
	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/bankkit/bankkit/money"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

var simulationTests = []test{
	{Name: "YearOfBusinessDays", Run: testYearSimulation},
}

// testYearSimulation runs end of day on every business day from 2 March
// 2026 to 31 March 2027 — a year and its last quarter end — on a calendar
// with weekends and the mainland holidays, for a savings account paying 1.50% (1.20% from 1
// July), posting quarterly with 20% withholding tax, with a deposit of
// 50,000.00 in May. The expected postings are worked out here day by day
// from the formula: each day earns balance × rate / 365; a quarter's
// interest plus the carried remainder is rounded half-even to the fen;
// tax is 20% of that plus its own carried remainder, rounded the same way.
func testYearSimulation(t *testing.T, f *fixture) {
	holidays := []calendar.Date{
		calendar.MustDate(2026, time.April, 6),
		calendar.MustDate(2026, time.May, 1), calendar.MustDate(2026, time.May, 4), calendar.MustDate(2026, time.May, 5),
		calendar.MustDate(2026, time.June, 19),
		calendar.MustDate(2026, time.October, 1), calendar.MustDate(2026, time.October, 2),
		calendar.MustDate(2026, time.October, 5), calendar.MustDate(2026, time.October, 6), calendar.MustDate(2026, time.October, 7),
		calendar.MustDate(2027, time.January, 1),
	}
	cal, err := calendar.NewBusinessCalendar(calendar.WithHolidays(holidays...))
	require.NoError(t, err)
	f.cal = cal
	f.withOptions()

	rateChange := calendar.MustDate(2026, time.July, 1)
	p := product("0.015", interest.Quarterly)
	p.Credit = append(p.Credit, interest.RateChange{Effective: rateChange, Rate: interest.Flat(dec("0.012"))})
	p.WithholdingTax = dec("0.2")
	f.setProduct("savings", p)
	a := f.saver("alice", "100000.00", "savings")
	depositDay := calendar.MustDate(2026, time.May, 18)
	last := calendar.MustDate(2027, time.March, 31)

	runs := 0
	for !f.Today.After(last) {
		if f.Today == depositDay {
			f.Deposit(a.ID, "50000.00")
		}
		f.Clock.Set(time.Date(f.Today.Year, f.Today.Month, f.Today.Day, 18, 0, 0, 0, time.UTC))
		f.runEOD()
		runs++
	}
	require.Equal(t, calendar.MustDate(2027, time.April, 1), f.Today)
	require.Equal(t, 272, runs, "283 weekdays from 2 March 2026 to 31 March 2027, less eleven holidays")

	// The expectation, day by day.
	rate := func(d calendar.Date) decimal.Decimal {
		if d.Before(rateChange) {
			return dec("0.015")
		}
		return dec("0.012")
	}
	balance := dec("100000.00")
	carry, taxCarry := decimal.Zero, decimal.Zero
	quarterEnds := []calendar.Date{
		calendar.MustDate(2026, time.March, 31), calendar.MustDate(2026, time.June, 30),
		calendar.MustDate(2026, time.September, 30), calendar.MustDate(2026, time.December, 31),
		calendar.MustDate(2027, time.March, 31),
	}
	type want struct{ gross, tax, net decimal.Decimal }
	var wants []want
	day := calendar.MustDate(2026, time.March, 2)
	for _, end := range quarterEnds {
		raw := decimal.Zero
		for ; !day.After(end); day = day.AddDays(1) {
			if day == depositDay {
				balance = balance.Add(dec("50000.00"))
			}
			raw = raw.Add(balance.Mul(rate(day)).DivRound(decimal.NewFromInt(365), 24))
		}
		gross := raw.Add(carry).RoundBank(2)
		carry = raw.Add(carry).Sub(gross)
		tax := gross.Mul(dec("0.2")).Add(taxCarry).RoundBank(2)
		taxCarry = gross.Mul(dec("0.2")).Add(taxCarry).Sub(tax)
		wants = append(wants, want{gross, tax, gross.Sub(tax)})
		balance = balance.Add(gross.Sub(tax))
	}

	lines := f.interestLines(a.ID)
	require.Len(t, lines, len(quarterEnds))
	totalTax := decimal.Zero
	for i, l := range lines {
		require.Equal(t, quarterEnds[i], l.ValueDate)
		requireDec(t, wants[i].net, l.Amount.Amount, "net interest of quarter "+quarterEnds[i].String())
		e, err := f.Svc.Entry(f.Ctx, l.EntryID)
		require.NoError(t, err)
		require.Equal(t, wants[i].gross.StringFixed(2), e.Metadata["gross"], "gross of "+quarterEnds[i].String())
		require.Equal(t, wants[i].tax.StringFixed(2), e.Metadata["tax"], "tax of "+quarterEnds[i].String())
		totalTax = totalTax.Add(wants[i].tax)
	}
	f.RequireBalance(a.ID, balance.StringFixed(2))
	requireDec(t, totalTax, f.chartBalance(endofday.CodeTaxPayable), "tax payable")

	ia, err := f.eod.InterestAccount(f.Ctx, a.ID)
	require.NoError(t, err)
	require.True(t, ia.Accrual.CreditCarry.Sub(carry).Abs().LessThan(dec("1e-15")), "carry %s, want %s", ia.Accrual.CreditCarry, carry)
	// The last run (31 March 2027, a Wednesday) accrued only its own day,
	// and posted it: interest payable holds just the remainder carried to
	// the next posting, within the half fen its own daily booking carries.
	require.Equal(t, calendar.MustDate(2027, time.March, 31), ia.Accrual.LastAccrued)
	unpaid := carry
	payable := f.chartBalance(ledger.CodeInterestPayable)
	require.True(t, payable.Sub(unpaid).Abs().LessThanOrEqual(dec("0.005")), "payable %s, unpaid %s", payable, unpaid)
	tb := f.RequireTrialBalanced()
	require.Equal(t, money.CNY, tb.Currency)
}
