package interest_test

import (
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/bankkit/bankkit/money"
)

func TestWithholdingTaxIsItsOwnLine(t *testing.T) {
	t.Parallel()
	p := flatProduct("0.0365", money.Act365Fixed)
	p.WithholdingTax = dec("0.2")
	r := run(t, p, interest.Accrual{}, day("2027-01-01"), day("2027-01-31"), constant("100000.00"))
	got := r.postings[0]
	// Gross 100000 × 0.0365 × 31/365 = 310.00; tax 20% = 62.00; net 248.00.
	requireAmount(t, "310.00", got.Gross)
	requireAmount(t, "62.00", got.Tax)
	requireAmount(t, "248.00", got.Net)
}

// periodState is an accrual state holding credit (unrounded) for one day,
// as Accrue leaves it, to test Post's rounding on chosen figures.
func periodState(d calendar.Date, credit, debit string, carry interest.Accrual) interest.Accrual {
	s := carry
	s.PeriodStart, s.LastAccrued, s.Days = d, d, 1
	s.Credit, s.Debit, s.Compounded, s.BalanceSum = dec(credit), dec(debit), decimal.Zero, decimal.Zero
	return s
}

func TestTaxRemainderIsCarried(t *testing.T) {
	t.Parallel()
	p := flatProduct("0.0365", money.Act365Fixed)
	p.WithholdingTax = dec("0.1")
	// Each period posts 0.05 gross; 10% is 0.005, which rounds half-even to
	// 0.00 the first time (carry 0.005) and to 0.01 the second (0.005 +
	// 0.005 = 0.01, carry 0).
	s := periodState(day("2027-01-31"), "0.05", "0", interest.Accrual{})
	s, first, err := interest.Post(p, s, day("2027-01-31"))
	require.NoError(t, err)
	requireAmount(t, "0.00", first.Tax)
	requireDecimal(t, dec("0.005"), s.TaxCarry)

	s = periodState(day("2027-02-28"), "0.05", "0", s)
	s, second, err := interest.Post(p, s, day("2027-02-28"))
	require.NoError(t, err)
	requireAmount(t, "0.01", second.Tax)
	requireAmount(t, "0.04", second.Net)
	requireDecimal(t, decimal.Zero, s.TaxCarry)
}

func TestPostingRoundsOnceAndCarries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		mode      money.RoundingMode
		credit    string
		carryIn   string
		wantGross string
		wantCarry string
	}{
		{"half-even down to even", money.HalfEven, "1.005", "0", "1.00", "0.005"},
		{"half-even up to even", money.HalfEven, "1.015", "0", "1.02", "-0.005"},
		{"half-up", money.HalfUp, "1.005", "0", "1.01", "-0.005"},
		{"down", money.Down, "1.0099", "0", "1.00", "0.0099"},
		{"carry in tips it over", money.HalfEven, "0.0031", "0.0049", "0.01", "-0.002"},
		{"negative carry in takes a fen back", money.HalfEven, "0.0120", "-0.004", "0.01", "-0.002"},
		// Rounding away from zero would post -0.01 on a negative carry
		// with nothing accrued; Post pays zero and keeps carrying.
		{"never posts below zero", money.Up, "0", "-0.004", "0.00", "-0.004"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := flatProduct("0.0365", money.Act365Fixed)
			p.Rounding = tt.mode
			s := periodState(day("2027-03-31"), tt.credit, "0", interest.Accrual{CreditCarry: dec(tt.carryIn)})
			next, got, err := interest.Post(p, s, day("2027-03-31"))
			require.NoError(t, err)
			requireAmount(t, tt.wantGross, got.Gross)
			requireDecimal(t, dec(tt.wantCarry), next.CreditCarry)
			// The identity: posted + carried out == accrued + carried in.
			requireDecimal(t, dec(tt.credit).Add(dec(tt.carryIn)), got.Gross.Amount.Add(next.CreditCarry))
		})
	}
}

func TestCarryOverAYearOfTinyBalances(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		dc      money.DayCount
		balance string
		rate    string
		posting interest.Period
		// exact is the year's interest as a fraction: balance × rate × 365 / denominator.
		denominator int64
	}{
		// 10.00 × 3.65% / 365 = 0.001 a day: a tenth of a fen.
		{"a tenth of a fen a day, posted daily", money.Act365Fixed, "10.00", "0.0365", interest.Daily, 365},
		{"a tenth of a fen a day, posted monthly", money.Act365Fixed, "10.00", "0.0365", interest.Monthly, 365},
		// 7.77 × 2.5% / 360 = 0.000539583… a day: never a whole number of anything.
		{"a twentieth of a fen a day on ACT/360, posted daily", money.Act360, "7.77", "0.025", interest.Daily, 360},
		{"a twentieth of a fen a day on ACT/360, posted quarterly", money.Act360, "7.77", "0.025", interest.Quarterly, 360},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			p := flatProduct(tt.rate, tt.dc)
			p.Compounding, p.Posting = interest.AtMaturity, tt.posting
			r := run(t, p, interest.Accrual{}, day("2027-01-01"), day("2027-12-31"), constant(tt.balance))
			posted := decimal.Zero
			for _, got := range r.postings {
				posted = posted.Add(got.Gross.Amount)
			}
			// Exactly: everything posted plus what is still carried is
			// everything accrued.
			requireDecimal(t, r.dailyCredit, posted.Add(r.state.CreditCarry))
			// And within one fen of the year's exact interest rounded once.
			exact := dec(tt.balance).Mul(dec(tt.rate)).Mul(dec("365")).DivRound(decimal.NewFromInt(tt.denominator), 30)
			require.True(t, posted.Sub(exact.RoundBank(2)).Abs().LessThanOrEqual(dec("0.01")),
				"posted %s over the year, exact %s", posted, exact)
			require.True(t, posted.IsPositive(), "a tiny balance must still be paid eventually")
		})
	}
}

func TestPostRefusesOutOfOrder(t *testing.T) {
	t.Parallel()
	p := flatProduct("0.0365", money.Act365Fixed)
	accrued, _, err := interest.Accrue(p, interest.Accrual{}, day("2027-01-31"), dec("100"))
	require.NoError(t, err)
	posted, _, err := interest.Post(p, accrued, day("2027-01-31"))
	require.NoError(t, err)

	tests := []struct {
		name  string
		state interest.Accrual
		day   calendar.Date
	}{
		{"nothing accrued", interest.Accrual{}, day("2027-01-31")},
		{"a day not yet accrued", accrued, day("2027-02-01")},
		{"a day before the last accrued", accrued, day("2027-01-30")},
		{"posted twice", posted, day("2027-01-31")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, _, err := interest.Post(p, tt.state, tt.day)
			require.ErrorIs(t, err, interest.ErrOutOfOrder)
			require.Equal(t, tt.state, got)
		})
	}
}

func TestPostBeforePeriodEndSettlesEarly(t *testing.T) {
	t.Parallel()
	// An account closing on 10 January is paid its interest to date.
	p := flatProduct("0.0365", money.Act365Fixed)
	r := run(t, p, interest.Accrual{}, day("2027-01-01"), day("2027-01-10"), constant("10000.00"))
	require.Len(t, r.postings, 1)
	requireAmount(t, "10.00", r.postings[0].Gross) // 10000 × 0.0365 × 10/365
}

func TestAccrualStateValidation(t *testing.T) {
	t.Parallel()
	jan := day("2027-01-01")
	tests := []struct {
		name  string
		state interest.Accrual
		field string
	}{
		{"negative credit", interest.Accrual{PeriodStart: jan, LastAccrued: jan, Days: 1, Credit: dec("-0.1")}, "Credit"},
		{"negative debit", interest.Accrual{PeriodStart: jan, LastAccrued: jan, Days: 1, Debit: dec("-0.1")}, "Debit"},
		{"a whole fen carried", interest.Accrual{CreditCarry: dec("0.01")}, "CreditCarry"},
		{"a negative whole fen carried", interest.Accrual{TaxCarry: dec("-0.01")}, "TaxCarry"},
		{"accruals without a period", interest.Accrual{LastAccrued: jan, Credit: dec("1")}, "PeriodStart"},
		{"period after last day", interest.Accrual{PeriodStart: jan.AddDays(1), LastAccrued: jan, Days: 1}, "PeriodStart"},
		{"day count disagrees", interest.Accrual{PeriodStart: jan, LastAccrued: jan.AddDays(4), Days: 4}, "Days"},
		{"invalid last day", interest.Accrual{LastAccrued: calendar.Date{Year: 2027, Month: 13, Day: 1}}, "LastAccrued"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := tt.state.Validate(money.CNY)
			var ve *fault.FieldError
			require.ErrorAs(t, err, &ve)
			require.Equal(t, tt.field, ve.Field)
			require.ErrorIs(t, err, interest.ErrInvalidAccrual)
		})
	}
	require.NoError(t, interest.Accrual{PeriodStart: jan, LastAccrued: jan.AddDays(4), Days: 5}.Validate(money.CNY))
}

func TestHugeAndTinyInputsAreRefusedCheaply(t *testing.T) {
	t.Parallel()
	p := flatProduct("0.0365", money.Act365Fixed)
	// Built with decimal.New: parsing refuses such exponents, but a caller
	// may compute one.
	for _, b := range []decimal.Decimal{decimal.New(1, 1_000_000_000), decimal.New(-1, 1_000_000_000), decimal.New(1, -1_000_000_000), dec("1e30")} {
		_, _, err := interest.Accrue(p, interest.Accrual{}, day("2027-01-01"), b)
		var ve *fault.FieldError
		require.ErrorAs(t, err, &ve, "%s", b.Exponent())
		require.Equal(t, "balance", ve.Field)
	}
	_, _, err := interest.Accrue(p, interest.Accrual{}, day("2027-01-01"), dec("999999999999999999999999999999"))
	require.NoError(t, err, "just below 10^30 is accepted")

	p.Credit[0].Rate = interest.Flat(decimal.New(1, -1_000_000_000))
	require.ErrorIs(t, p.Validate(), interest.ErrInvalidProduct)
	require.ErrorIs(t, interest.Accrual{CreditCarry: decimal.New(1, -1_000_000_000)}.Validate(money.CNY), interest.ErrInvalidAccrual)
}
