package interest_test

import (
	"sync"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/bankkit/bankkit/money"
)

func TestMonthOfFlatRateByDayCount(t *testing.T) {
	t.Parallel()
	// 100 000.00 CNY at 3.65% for a 31-day January: annual interest 3 650.
	tests := []struct {
		name  string
		dc    money.DayCount
		month string // first day of the month
		last  string
		want  string // rounded half-even
		exact decimal.Decimal
	}{
		// 3650 × 31/365 = 310 exactly.
		{"ACT/365F", money.Act365Fixed, "2027-01-01", "2027-01-31", "310.00", dec("310")},
		// 3650 × 31/360 = 113150/360 = 314.30555…
		{"ACT/360", money.Act360, "2027-01-01", "2027-01-31", "314.31", dec("113150").Div(dec("360"))},
		// 30/360 counts January as 30 days: 3650 × 30/360 = 304.1666…
		{"30/360", money.Thirty360ISDA, "2027-01-01", "2027-01-31", "304.17", dec("109500").Div(dec("360"))},
		// 2027 is a common year: 3650 × 31/365.
		{"ACT/ACT common year", money.ActActISDA, "2027-01-01", "2027-01-31", "310.00", dec("310")},
		// 2028 is a leap year: 3650 × 31/366 = 309.1530…
		{"ACT/ACT leap year", money.ActActISDA, "2028-01-01", "2028-01-31", "309.15", dec("113150").Div(dec("366"))},
		// ACT/365F ignores the leap day: February 2028 has 29 days, 3650 × 29/365 = 290.
		{"ACT/365F leap February", money.Act365Fixed, "2028-02-01", "2028-02-29", "290.00", dec("290")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := flatProduct("0.0365", tt.dc)
			r := run(t, p, interest.Accrual{}, day(tt.month), day(tt.last), constant("100000.00"))
			require.Len(t, r.postings, 1)
			requireAmount(t, tt.want, r.postings[0].Gross)
			// What was not posted is carried: exact - posted, to far below a fen.
			diff := tt.exact.Sub(dec(tt.want)).Sub(r.state.CreditCarry).Abs()
			require.True(t, diff.LessThan(dec("1e-12")), "carry %s, want %s - %s", r.state.CreditCarry, tt.exact, tt.want)
		})
	}
}

func TestRateChangeAppliesFromItsEffectiveDate(t *testing.T) {
	t.Parallel()
	p := flatProduct("0.0365", money.Act365Fixed)
	p.Credit = interest.RateSchedule{
		{Effective: day("2027-01-01"), Rate: interest.Flat(dec("0.0365"))},
		{Effective: day("2027-01-16"), Rate: interest.Flat(dec("0.073"))},
	}
	r := run(t, p, interest.Accrual{}, day("2027-01-01"), day("2027-01-31"), constant("10000.00"))
	// 1–15 January: 10000 × 0.0365 × 15/365 = 15.00
	// 16–31 January: 10000 × 0.073 × 16/365 = 32.00
	requireAmount(t, "47.00", r.postings[0].Gross)
}

func TestRateScheduleStartingLaterRefusesEarlierDays(t *testing.T) {
	t.Parallel()
	p := flatProduct("0.01", money.Act365Fixed)
	p.Credit[0].Effective = day("2027-02-01")
	_, _, err := interest.Accrue(p, interest.Accrual{}, day("2027-01-31"), dec("100"))
	require.ErrorIs(t, err, interest.ErrNoRate)
}

func TestMinimumBalanceEndOfDay(t *testing.T) {
	t.Parallel()
	p := flatProduct("0.0365", money.Act365Fixed)
	p.MinimumBalance = dec("1000")
	balance := func(d calendar.Date) decimal.Decimal {
		if d.Day <= 10 {
			return dec("999.99") // just under: earns nothing
		}
		return dec("1000.00") // at the minimum: earns
	}
	r := run(t, p, interest.Accrual{}, day("2027-01-01"), day("2027-01-31"), balance)
	// 21 days at 1000: 1000 × 0.0365 × 21/365 = 2.10
	requireAmount(t, "2.10", r.postings[0].Gross)
}

func TestAverageDailyBalance(t *testing.T) {
	t.Parallel()
	p := flatProduct("0.0365", money.Act365Fixed)
	p.Basis = interest.AverageDailyBalance
	p.MinimumBalance = dec("1000")
	tests := []struct {
		name     string
		lowDays  int // days at 500 at the start of January, then 1500
		gross    string
		accrued  string // the provisional daily accruals: only days at 1500 reach the minimum
		adjusted string // Accrued + Adjustment: the period's interest
	}{
		// ADB = (15×500 + 16×1500)/31 = 31500/31 ≥ 1000,
		// interest = ADB × 0.0365 × 31/365 = 31500 × 0.0001 = 3.15.
		// Provisional: 16 days × 1500 × 0.0001 = 2.40.
		{"average above the minimum", 15, "3.15", "2.40", "3.15"},
		// ADB = (16×500 + 15×1500)/31 = 30500/31 = 983.87 < 1000: nothing,
		// though 15 days at 1500 accrued 2.25 provisionally.
		{"average below the minimum", 16, "0.00", "2.25", "0"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			balance := func(d calendar.Date) decimal.Decimal {
				if d.Day <= tt.lowDays {
					return dec("500.00")
				}
				return dec("1500.00")
			}
			r := run(t, p, interest.Accrual{}, day("2027-01-01"), day("2027-01-31"), balance)
			got := r.postings[0]
			requireAmount(t, tt.gross, got.Gross)
			requireDecimal(t, dec(tt.accrued), got.Accrued.Round(10))
			requireDecimal(t, dec(tt.adjusted), got.Accrued.Add(got.Adjustment).Round(10))
		})
	}
}

func TestAverageDailyBalanceWeighsEachDaysRate(t *testing.T) {
	t.Parallel()
	p := flatProduct("0.0365", money.Act365Fixed)
	p.Basis = interest.AverageDailyBalance
	p.Credit = append(p.Credit, interest.RateChange{Effective: day("2027-01-21"), Rate: interest.Flat(dec("0.073"))})
	balance := func(d calendar.Date) decimal.Decimal {
		if d.Day <= 10 {
			return dec("0.00")
		}
		return dec("3100.00")
	}
	r := run(t, p, interest.Accrual{}, day("2027-01-01"), day("2027-01-31"), balance)
	// ADB = 21 × 3100 / 31 = 2100. Days 1–20 at 3.65%, days 21–31 at 7.3%:
	// 2100 × (0.0365 × 20 + 0.073 × 11)/365 = 2100 × 1.533/365 = 8.82.
	requireAmount(t, "8.82", r.postings[0].Gross)
}

func TestDebitInterestIsSeparateFromCredit(t *testing.T) {
	t.Parallel()
	p := flatProduct("0.0365", money.Act365Fixed)
	p.Debit = interest.RateSchedule{{Effective: day("2027-01-01"), Rate: interest.Flat(dec("0.1825"))}}
	balance := func(d calendar.Date) decimal.Decimal {
		if d.Day <= 10 {
			return dec("10000.00")
		}
		return dec("-5000.00")
	}
	r := run(t, p, interest.Accrual{}, day("2027-01-01"), day("2027-01-31"), balance)
	got := r.postings[0]
	// Credit: 10000 × 0.0365 × 10/365 = 10.00. Debit: 5000 × 0.1825 × 21/365 = 52.50.
	requireAmount(t, "10.00", got.Gross)
	requireAmount(t, "52.50", got.Debit)
	requireAmount(t, "10.00", got.Net, "debit interest must not be netted into the credit line")
}

func TestOverdraftWithoutDebitRateCostsNothing(t *testing.T) {
	t.Parallel()
	p := flatProduct("0.0365", money.Act365Fixed)
	r := run(t, p, interest.Accrual{}, day("2027-01-01"), day("2027-01-31"), constant("-5000.00"))
	requireAmount(t, "0.00", r.postings[0].Debit)
	requireAmount(t, "0.00", r.postings[0].Gross)
}

func TestCompoundingBeforePosting(t *testing.T) {
	t.Parallel()
	months := []int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31} // 2027
	rate := dec("0.0365")
	// Monthly compounding: each month earns on 10 000 plus the interest
	// compounded at the previous month ends.
	monthly := decimal.Zero
	for _, n := range months {
		monthly = monthly.Add(dec("10000").Add(monthly).Mul(rate).Mul(decimal.NewFromInt(int64(n))).DivRound(dec("365"), 30))
	}
	// Daily compounding: 10 000 × (1 + 0.0365/365)^365 - 10 000.
	daily := dec("10000")
	for range 365 {
		daily = daily.Add(daily.Mul(dec("0.0001")))
	}
	daily = daily.Sub(dec("10000"))

	tests := []struct {
		name        string
		compounding interest.Period
		want        decimal.Decimal
	}{
		{"simple: compounding at maturity", interest.AtMaturity, dec("365")}, // 10000 × 0.0365
		{"compounding at the annual posting", interest.Annual, dec("365")},
		{"monthly compounding", interest.Monthly, monthly},
		{"daily compounding", interest.Daily, daily},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := flatProduct("0.0365", money.Act365Fixed)
			p.Compounding, p.Posting = tt.compounding, interest.Annual
			r := run(t, p, interest.Accrual{}, day("2027-01-01"), day("2027-12-31"), constant("10000.00"))
			require.Len(t, r.postings, 1)
			requireDecimal(t, tt.want.RoundBank(2), r.postings[0].Gross.Amount)
		})
	}
	require.Equal(t, "371.17", monthly.StringFixed(2))
	require.Equal(t, "371.72", daily.StringFixed(2))
}

func TestAccrueRefusesOutOfOrderDays(t *testing.T) {
	t.Parallel()
	p := flatProduct("0.0365", money.Act365Fixed)
	s, _, err := interest.Accrue(p, interest.Accrual{}, day("2027-01-10"), dec("100"))
	require.NoError(t, err)
	monthEnd, _, err := interest.Accrue(p, interest.Accrual{}, day("2027-01-31"), dec("100"))
	require.NoError(t, err)

	tests := []struct {
		name  string
		state interest.Accrual
		day   calendar.Date
		want  error
	}{
		{"the same day again", s, day("2027-01-10"), interest.ErrOutOfOrder},
		{"an earlier day", s, day("2027-01-09"), interest.ErrOutOfOrder},
		{"a skipped day", s, day("2027-01-12"), interest.ErrOutOfOrder},
		{"past an unposted month end", monthEnd, day("2027-02-01"), interest.ErrPostingDue},
		{"an invalid day", s, calendar.Date{Year: 2027, Month: 2, Day: 30}, interest.ErrInvalidInput},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, _, err := interest.Accrue(p, tt.state, tt.day, dec("100"))
			require.ErrorIs(t, err, tt.want)
			require.Equal(t, tt.state, got, "a refused accrual changes nothing")
		})
	}
}

func TestAccrueRefusesBadInput(t *testing.T) {
	t.Parallel()
	p := flatProduct("0.0365", money.Act365Fixed)
	_, _, err := interest.Accrue(p, interest.Accrual{}, day("2027-01-01"), dec("1.005"))
	var ve *fault.FieldError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, "balance", ve.Field)
	require.ErrorIs(t, err, interest.ErrInvalidInput)

	bad := p
	bad.Posting = 0
	_, _, err = interest.Accrue(bad, interest.Accrual{}, day("2027-01-01"), dec("1"))
	require.ErrorIs(t, err, interest.ErrInvalidProduct)

	_, _, err = interest.Accrue(p, interest.Accrual{Credit: dec("-1")}, day("2027-01-01"), dec("1"))
	require.ErrorIs(t, err, interest.ErrInvalidAccrual)
}

func TestDebitScheduleStartingLaterRefusesOverdrawnDays(t *testing.T) {
	t.Parallel()
	p := flatProduct("0.01", money.Act365Fixed)
	p.Debit = interest.RateSchedule{{Effective: day("2027-02-01"), Rate: interest.Flat(dec("0.18"))}}
	_, _, err := interest.Accrue(p, interest.Accrual{}, day("2027-01-31"), dec("-100"))
	require.ErrorIs(t, err, interest.ErrNoRate)
}

func TestOneProductSharedByManyGoroutines(t *testing.T) {
	t.Parallel()
	// Accrue and Post only read the product: runners share one per product
	// across workers. Every worker must get the same figures.
	p := flatProduct("0", money.Act365Fixed)
	p.Credit[0].Rate = interest.Tiered(interest.Marginal, bands...)
	p.Debit = interest.RateSchedule{{Effective: day("2000-01-01"), Rate: interest.Flat(dec("0.18"))}}
	balance := func(d calendar.Date) decimal.Decimal {
		return decimal.NewFromInt(int64(d.Day*7919%60000 - 5000))
	}
	const workers = 8
	results := make([]runResult, workers)
	errs := make([]error, workers)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			results[w], errs[w] = runDays(p, interest.Accrual{}, day("2027-01-01"), day("2027-03-31"), balance)
		})
	}
	wg.Wait()
	for w := range workers {
		require.NoError(t, errs[w], "worker %d", w)
	}
	for w := 1; w < workers; w++ {
		require.Equal(t, results[0].postings, results[w].postings)
	}
	require.Len(t, results[0].postings, 3)
}
