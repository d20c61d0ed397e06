package interest_test

import (
	"errors"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/bankkit/bankkit/money"
)

// fuzzProduct builds a valid product from fuzz bytes.
func fuzzProduct(pick uint64, creditBps, debitBps uint16, taxPct uint8) interest.Product {
	currencies := []money.Currency{money.CNY, money.JPY, money.BHD}
	dayCounts := []money.DayCount{money.Act365Fixed, money.Act360, money.Thirty360ISDA, money.ActActISDA}
	periods := []interest.Period{interest.Daily, interest.Monthly, interest.Quarterly, interest.SemiAnnual, interest.Annual, interest.AtMaturity}
	modes := []money.RoundingMode{money.HalfEven, money.HalfUp, money.Down, money.Up}
	next := func(n int) int { v := int(pick % uint64(n)); pick /= uint64(n); return v }

	rate := decimal.New(int64(creditBps%10001), -4)
	p := interest.Product{
		Currency:       currencies[next(len(currencies))],
		DayCount:       dayCounts[next(len(dayCounts))],
		Basis:          interest.EndOfDayBalance,
		Credit:         interest.RateSchedule{{Effective: day("1990-01-01"), Rate: interest.Flat(rate)}},
		Debit:          interest.RateSchedule{{Effective: day("1990-01-01"), Rate: interest.Flat(decimal.New(int64(debitBps%10001), -4))}},
		Compounding:    periods[next(len(periods))],
		Posting:        periods[next(len(periods)-1)], // AtMaturity posts only when the test closes
		MinimumBalance: decimal.NewFromInt(int64(next(3) * 500)),
		WithholdingTax: decimal.New(int64(taxPct%101), -2),
		Rounding:       modes[next(len(modes))],
	}
	if next(2) == 1 {
		p.Credit[0].Rate = interest.Tiered(interest.TierMode(next(2)+1),
			interest.Tier{From: decimal.Zero, Rate: rate},
			interest.Tier{From: decimal.NewFromInt(10000), Rate: rate.Add(decimal.New(5, -3))})
	}
	if next(2) == 1 {
		p.Credit = append(p.Credit, interest.RateChange{Effective: day("2027-06-15"), Rate: interest.Flat(rate.Div(decimal.NewFromInt(2)).Round(6))})
	}
	if next(2) == 1 {
		p.Basis, p.Compounding = interest.AverageDailyBalance, p.Posting
	}
	if next(2) == 1 { // a settlement cycle: a day of the month, a month of the cycle
		p.Settlement = interest.Cycle{Day: next(32), Month: time.Month(next(13))}
		p.PayNextDay = next(2) == 1
	}
	return p
}

// FuzzAccrueAndPost runs random products and balances over up to two years
// and checks that nothing is lost or invented: posted plus carried equals
// accrued, exactly, for credit, debit and tax.
func FuzzAccrueAndPost(f *testing.F) {
	f.Add(uint64(0), uint16(365), uint16(1825), uint8(20), int64(1), uint16(400))
	f.Add(uint64(12345), uint16(10000), uint16(0), uint8(100), int64(7), uint16(31))
	f.Add(uint64(987654321), uint16(1), uint16(10000), uint8(0), int64(-3), uint16(730))
	f.Add(uint64(1)<<40|uint64(2)<<20, uint16(35), uint16(0), uint8(0), int64(5), uint16(500))
	f.Fuzz(func(t *testing.T, pick uint64, creditBps, debitBps uint16, taxPct uint8, seed int64, days uint16) {
		p := fuzzProduct(pick, creditBps, debitBps, taxPct)
		require.NoError(t, p.Validate())
		rng := rand.New(rand.NewPCG(uint64(seed), pick))
		unit := decimal.New(1, -p.Currency.MinorUnits())

		var s interest.Accrual
		dailyCredit, dailyDebit := decimal.Zero, decimal.Zero
		periodCredit, gross, tax, debit, taxable := decimal.Zero, decimal.Zero, decimal.Zero, decimal.Zero, decimal.Zero
		first := day("2027-01-01").AddDays(rng.IntN(365))
		last := first.AddDays(int(days % 731))
		balance := decimal.New(rng.Int64N(2_000_000_000)-500_000_000, -p.Currency.MinorUnits())
		for d := first; !d.After(last); d = d.AddDays(1) {
			if rng.IntN(4) == 0 {
				balance = balance.Add(decimal.New(rng.Int64N(20_000_000)-10_000_000, -p.Currency.MinorUnits()))
			}
			next, res, err := interest.Accrue(p, s, d, balance)
			require.NoError(t, err)
			require.False(t, res.Credit.IsNegative() || res.Debit.IsNegative())
			s = next
			dailyCredit, dailyDebit = dailyCredit.Add(res.Credit), dailyDebit.Add(res.Debit)
			if !p.IsPostingEnd(d, calendar.Date{}) && d != last {
				continue
			}
			next, posting, err := interest.Post(p, s, d)
			require.NoError(t, err)
			s = next
			require.NoError(t, s.Validate(p.Currency))
			for _, m := range []money.Money{posting.Gross, posting.Tax, posting.Net, posting.Debit} {
				require.True(t, m.Valid() && !m.IsNegative(), "%s", m)
			}
			require.True(t, posting.Tax.Amount.LessThanOrEqual(posting.Gross.Amount))
			require.True(t, posting.Net.Amount.Equal(posting.Gross.Amount.Sub(posting.Tax.Amount)))
			periodCredit = periodCredit.Add(posting.Accrued).Add(posting.Adjustment)
			gross, tax, debit = gross.Add(posting.Gross.Amount), tax.Add(posting.Tax.Amount), debit.Add(posting.Debit.Amount)
			taxable = taxable.Add(posting.Gross.Amount.Mul(p.WithholdingTax))
		}
		for _, c := range []decimal.Decimal{s.CreditCarry, s.DebitCarry, s.TaxCarry} {
			require.True(t, c.Abs().LessThan(unit), "carry %s", c)
		}
		requireDecimal(t, periodCredit, gross.Add(s.CreditCarry), "credit: posted + carried = the periods' interest")
		requireDecimal(t, dailyDebit, debit.Add(s.DebitCarry), "debit: posted + carried = accrued")
		requireDecimal(t, taxable, tax.Add(s.TaxCarry), "tax: posted + carried = gross × rate")
		if p.Basis == interest.EndOfDayBalance {
			requireDecimal(t, dailyCredit, periodCredit, "end-of-day basis: no adjustment")
		}
	})
}

// FuzzAccrueInput feeds arbitrary balances and dates: Accrue must never
// panic, and must either succeed or refuse with one of its sentinels and
// the state unchanged.
func FuzzAccrueInput(f *testing.F) {
	f.Add("100.00", 2027, 1, 31)
	f.Add("-1e400", 2027, 2, 29)
	f.Add("0.001", 0, 0, 0)
	f.Add("1e9999", 2027, 3, 1)
	f.Add("1e-9999", 2027, 3, 1)
	f.Add("99999999999999999999999999999999999.99", 9999, 12, 31)
	f.Fuzz(func(t *testing.T, balance string, y, m, d int) {
		b, err := decimal.NewFromString(balance)
		if err != nil {
			return
		}
		p := flatProduct("0.0365", money.Act365Fixed)
		p.Debit = interest.RateSchedule{{Effective: day("2000-01-01"), Rate: interest.Flat(dec("0.18"))}}
		start := interest.Accrual{}
		if prev := (calendar.Date{Year: y, Month: time.Month(m), Day: d}); prev.Valid() && prev.Year > 1 {
			start.LastAccrued = prev.AddDays(-1)
		}
		s, _, err := interest.Accrue(p, start, calendar.Date{Year: y, Month: time.Month(m), Day: d}, b)
		if err != nil {
			require.True(t, errors.Is(err, interest.ErrInvalidInput) || errors.Is(err, interest.ErrNoRate) ||
				errors.Is(err, interest.ErrOutOfOrder), "%v", err)
			require.Equal(t, start, s)
			return
		}
		_, posting, err := interest.Post(p, s, s.LastAccrued)
		require.NoError(t, err)
		require.False(t, posting.Gross.IsNegative() || posting.Debit.IsNegative())
	})
}
