package credit_test

import (
	"encoding/json"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/money"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func cny(s string) money.Money { return money.MustParse(s, "CNY") }

func monthly(amount, rate string, n int, method credit.RepaymentMethod) credit.Terms {
	return credit.Terms{Principal: cny(amount), AnnualRate: dec(rate), Term: n, Method: method,
		InterestMethod: credit.Declining, DayCount: money.Act365Fixed, Frequency: credit.Monthly,
		Start: calendar.MustParseDate("2026-01-15")}
}

func schedule(t *testing.T, terms credit.Terms) credit.Schedule {
	t.Helper()
	s, err := credit.NewSchedule(terms, nil)
	require.NoError(t, err)
	return s
}

func requireField(t *testing.T, err error, field string) {
	t.Helper()
	require.ErrorIs(t, err, credit.ErrInvalidInput)
	var fe *fault.FieldError
	require.True(t, errors.As(err, &fe), "%v is not a field error", err)
	require.Equal(t, field, fe.Field, "%v", err)
}

// 100,000.00 at 6% over 12 months: the monthly rate is 0.5%, and
// 100000 × 0.005 / (1 − 1.005^−12) = 8,606.6429 → 8,606.64. The first
// month's interest is 100000 × 0.005 = 500.00, so its principal 8,106.64.
// The rounding left in the balance goes to the last instalment: its
// principal is what remains, 8,563.87, with interest 8563.87 × 0.005 =
// 42.82, together 8,606.69.
func TestAnnuityOfTheIssue(t *testing.T) {
	t.Parallel()
	s := schedule(t, monthly("100000.00", "0.06", 12, credit.Annuity))
	require.Len(t, s.Instalments(), 12)
	for _, in := range s.Instalments()[:11] {
		require.Equal(t, "8606.64", in.Total().ValueString(), "instalment %d", in.Number)
	}
	first, last := s.Instalments()[0], s.Instalments()[11]
	require.Equal(t, "500.00", first.Interest.ValueString())
	require.Equal(t, "8106.64", first.Principal.ValueString())
	require.Equal(t, "8563.87", last.Principal.ValueString())
	require.Equal(t, "42.82", last.Interest.ValueString())
	require.Equal(t, "8606.69", last.Total().ValueString())
	require.True(t, last.Balance.IsZero())
	require.Equal(t, "3279.73", s.TotalInterest().ValueString())
	require.Equal(t, "103279.73", s.TotalPayable().ValueString())
	require.Equal(t, calendar.MustParseDate("2027-01-15"), s.Maturity())
}

// 120,000.00 at 4.35% equal principal over 12 months: 10,000.00 of
// principal a month; the first month's interest 120000 × 0.0435 / 12 =
// 435.00, and each month's interest is 10000 × 0.0435 / 12 = 36.25 less
// than the one before. Total interest 12 × 435 − 36.25 × (0+1+…+11) =
// 5220 − 2392.50 = 2,827.50.
func TestEqualPrincipalOfTheIssue(t *testing.T) {
	t.Parallel()
	s := schedule(t, monthly("120000.00", "0.0435", 12, credit.EqualPrincipal))
	require.Equal(t, "10435.00", s.Instalments()[0].Total().ValueString())
	for k := 1; k < 12; k++ {
		prev, cur := s.Instalments()[k-1].Total(), s.Instalments()[k].Total()
		diff, err := prev.Sub(cur)
		require.NoError(t, err)
		require.Equal(t, "36.25", diff.ValueString(), "instalment %d", k+1)
		require.Equal(t, "10000.00", s.Instalments()[k].Principal.ValueString())
	}
	require.Equal(t, "10036.25", s.Instalments()[11].Total().ValueString())
	require.Equal(t, "2827.50", s.TotalInterest().ValueString())
}

// Interest-only: 500.00 a month (100000 × 0.005), the principal with the
// last. Bullet: one payment of the principal and a year's interest,
// 100000 × 6% = 6,000.00.
func TestInterestOnlyAndBullet(t *testing.T) {
	t.Parallel()
	io := schedule(t, monthly("100000.00", "0.06", 12, credit.InterestOnly))
	for _, in := range io.Instalments()[:11] {
		require.Equal(t, "500.00", in.Total().ValueString())
	}
	require.Equal(t, "100500.00", io.Instalments()[11].Total().ValueString())

	b := schedule(t, monthly("100000.00", "0.06", 12, credit.Bullet))
	require.Len(t, b.Instalments(), 1)
	require.Equal(t, "106000.00", b.Instalments()[0].Total().ValueString())
	require.Equal(t, calendar.MustParseDate("2027-01-15"), b.Maturity())
}

// A first period from 10 January to 20 February is 41 days: its interest
// at ACT/365F is 100000 × 0.06 × 41/365 = 673.972… → 673.97. Its principal
// is the regular one (8,106.64), so the later instalments are unchanged
// and fall on the 20th.
func TestBrokenFirstPeriod(t *testing.T) {
	t.Parallel()
	terms := monthly("100000.00", "0.06", 12, credit.Annuity)
	terms.Start = calendar.MustParseDate("2026-01-10")
	terms.FirstDue = calendar.MustParseDate("2026-02-20")
	s := schedule(t, terms)
	first := s.Instalments()[0]
	require.Equal(t, "673.97", first.Interest.ValueString())
	require.Equal(t, "8106.64", first.Principal.ValueString())
	require.Equal(t, "8606.64", s.Instalments()[1].Total().ValueString())
	require.Equal(t, calendar.MustParseDate("2026-03-20"), s.Instalments()[1].DueDate)

	terms.FirstDue = calendar.MustParseDate("2026-04-11")
	_, err := credit.NewSchedule(terms, nil)
	requireField(t, err, "first_due")
}

// 15 February and 15 March 2026 are Sundays: with Following the money is
// due on Monday the 16th, but interest still runs to the 15th, so every
// amount is that of the unadjusted schedule.
func TestDueDatesOnBusinessDays(t *testing.T) {
	t.Parallel()
	cal, err := calendar.NewBusinessCalendar(calendar.WithHolidays(calendar.MustParseDate("2026-04-15")))
	require.NoError(t, err)
	terms := monthly("100000.00", "0.06", 12, credit.Annuity)
	terms.Adjustment = calendar.Following
	adjusted, err := credit.NewSchedule(terms, cal)
	require.NoError(t, err)
	plain := schedule(t, terms)
	require.Equal(t, calendar.MustParseDate("2026-02-16"), adjusted.Instalments()[0].DueDate)
	require.Equal(t, calendar.MustParseDate("2026-02-15"), adjusted.Instalments()[0].PeriodEnd)
	require.Equal(t, calendar.MustParseDate("2026-03-16"), adjusted.Instalments()[1].DueDate)
	require.Equal(t, calendar.MustParseDate("2026-04-16"), adjusted.Instalments()[2].DueDate, "the holiday is skipped")
	for k := range plain.Instalments() {
		require.True(t, plain.Instalments()[k].Total().Equal(adjusted.Instalments()[k].Total()))
		require.True(t, cal.IsBusinessDay(adjusted.Instalments()[k].DueDate))
	}
}

// Three months' grace on principal, the first of them on interest too: the
// first month pays nothing (its 500.00 is deferred), the second pays two
// months' interest, the third one month's, and nine annuity instalments
// repay 100,000.00: 100000 × 0.005 / (1 − 1.005^−9) = 11,390.74.
func TestGrace(t *testing.T) {
	t.Parallel()
	terms := monthly("100000.00", "0.06", 12, credit.Annuity)
	terms.GracePrincipal, terms.GraceInterest = 3, 1
	s := schedule(t, terms)
	require.True(t, s.Instalments()[0].Total().IsZero())
	require.Equal(t, "500.00", s.Instalments()[0].Accrued.ValueString())
	require.Equal(t, "1000.00", s.Instalments()[1].Total().ValueString())
	require.Equal(t, "500.00", s.Instalments()[2].Total().ValueString())
	require.Equal(t, "11390.74", s.Instalments()[3].Total().ValueString())

	terms.GraceInterest = 4
	_, err := credit.NewSchedule(terms, nil)
	requireField(t, err, "grace_interest")
	terms.GraceInterest, terms.GracePrincipal = 0, 12
	_, err = credit.NewSchedule(terms, nil)
	requireField(t, err, "term")
}

// Flat: 12,000.00 at 10% flat over a year is 12000 × 10% / 12 = 100.00 of
// interest a month on the original principal, with 1,000.00 of principal:
// 1,100.00 every month.
func TestFlat(t *testing.T) {
	t.Parallel()
	terms := monthly("12000.00", "0.10", 12, credit.Annuity)
	terms.InterestMethod = credit.Flat
	s := schedule(t, terms)
	for _, in := range s.Instalments() {
		require.Equal(t, "1100.00", in.Total().ValueString())
	}
	terms.Method = credit.EqualPrincipal
	_, err := credit.NewSchedule(terms, nil)
	requireField(t, err, "interest_method")
}

func TestTermsAreValidatedField(t *testing.T) {
	t.Parallel()
	good := monthly("100000.00", "0.06", 12, credit.Annuity)
	for _, tc := range []struct {
		field string
		edit  func(*credit.Terms)
	}{
		{"principal", func(t *credit.Terms) { t.Principal = cny("0") }},
		{"principal", func(t *credit.Terms) { t.Principal = cny("-1.00") }},
		{"principal", func(t *credit.Terms) { t.Principal.Amount = dec("1.001") }},
		{"principal", func(t *credit.Terms) { t.Principal = money.Capacity("CNY") }},
		{"principal.currency", func(t *credit.Terms) { t.Principal.Currency = "XXY" }},
		{"disbursed", func(t *credit.Terms) { t.Disbursed = cny("100000.01") }},
		{"disbursed.currency", func(t *credit.Terms) { t.Disbursed = money.MustParse("1.00", "USD") }},
		{"annual_rate", func(t *credit.Terms) { t.AnnualRate = dec("-0.01") }},
		{"annual_rate", func(t *credit.Terms) { t.AnnualRate = dec("1.5") }},
		{"annual_rate", func(t *credit.Terms) { t.AnnualRate = dec("0.0000001") }},
		{"term", func(t *credit.Terms) { t.Term = 0 }},
		{"term", func(t *credit.Terms) { t.Term = credit.MaxProductTerm + 1 }},
		{"repayment_method", func(t *credit.Terms) { t.Method = "balloon" }},
		{"interest_method", func(t *credit.Terms) { t.InterestMethod = "" }},
		{"day_count", func(t *credit.Terms) { t.DayCount = 0 }},
		{"frequency", func(t *credit.Terms) { t.Frequency = "daily" }},
		{"adjustment", func(t *credit.Terms) { t.Adjustment = 99 }},
		{"start", func(t *credit.Terms) { t.Start = calendar.Date{} }},
		{"first_due", func(t *credit.Terms) { t.FirstDue = t.Start }},
		{"grace_principal", func(t *credit.Terms) { t.GracePrincipal = -1 }},
	} {
		terms := good
		tc.edit(&terms)
		_, err := credit.NewSchedule(terms, nil)
		requireField(t, err, tc.field)
	}
}

// The properties every schedule has, over random terms: the principal sums
// exactly to the amount, an annuity's instalment is the formula's (worked
// here in decimal, apart from the engine's fixed point), each period's interest is the declining balance's
// (the balance before it times the periodic rate, rounded half-even —
// worked here in decimal, apart from the engine's integers), nothing is
// negative, and the balance ends at zero.
func TestScheduleProperties(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(14, 2026))
	methods := []credit.RepaymentMethod{credit.Annuity, credit.EqualPrincipal, credit.InterestOnly}
	freqs := []credit.Frequency{credit.Monthly, credit.Biweekly, credit.Weekly}
	for range 500 {
		freq := freqs[rng.IntN(3)]
		terms := credit.Terms{
			Principal:  money.Money{Amount: decimal.New(rng.Int64N(1_000_000_000_00)+1, -2), Currency: "CNY"},
			AnnualRate: decimal.New(rng.Int64N(240_000), -6), Term: rng.IntN(360) + 1,
			Method: methods[rng.IntN(3)], InterestMethod: credit.Declining, DayCount: money.Act360,
			Frequency: freq, Start: calendar.MustParseDate("2026-01-31").AddDays(rng.IntN(400)),
		}
		if terms.Method == credit.Annuity && terms.Term > 3 && rng.IntN(3) == 0 {
			terms.GracePrincipal = rng.IntN(terms.Term - 1)
		}
		s := schedule(t, terms)
		require.Len(t, s.Instalments(), terms.Term)
		ppy := decimal.NewFromInt(int64(freq.PerYear()))
		balance, sumP, sumI := terms.Principal.Amount, decimal.Zero, decimal.Zero
		for _, in := range s.Instalments() {
			want := balance.Mul(terms.AnnualRate).Div(ppy).RoundBank(2)
			require.True(t, want.Equal(in.Accrued.Amount), "%+v: instalment %d accrued %s, want %s", terms, in.Number, in.Accrued, want)
			require.False(t, in.Principal.IsNegative() || in.Interest.IsNegative())
			balance = balance.Sub(in.Principal.Amount)
			require.True(t, balance.Equal(in.Balance.Amount))
			require.False(t, balance.IsNegative())
			sumP, sumI = sumP.Add(in.Principal.Amount), sumI.Add(in.Interest.Amount)
		}
		require.True(t, sumP.Equal(terms.Principal.Amount), "%+v: principal sums to %s", terms, sumP)
		if terms.Method == credit.Annuity && terms.GracePrincipal == 0 && terms.Term > 1 && terms.AnnualRate.IsPositive() {
			// The level instalment, worked in decimal to 40 places.
			r := terms.AnnualRate.DivRound(ppy, 40)
			q := decimal.NewFromInt(1)
			for x, n := r.Add(decimal.NewFromInt(1)), terms.Term; n > 0; n >>= 1 {
				if n&1 == 1 {
					q = q.Mul(x).Round(40)
				}
				x = x.Mul(x).Round(40)
			}
			want := terms.Principal.Amount.Mul(r).Mul(q).DivRound(q.Sub(decimal.NewFromInt(1)), 40).RoundBank(2)
			require.True(t, want.Equal(s.Instalments()[0].Total().Amount), "%+v: instalment %s, want %s", terms, s.Instalments()[0].Total(), want)
		}
		require.True(t, balance.IsZero())
		require.True(t, sumI.Equal(s.TotalInterest().Amount))
	}
}

// With no fees and regular periods the APR is the contract rate and the
// effective annual rate is 1.005^12 − 1 = 6.1678%: the instalment's
// rounding (8,606.64 for 8,606.6429) moves neither by a millionth.
func TestRatesWithoutFees(t *testing.T) {
	t.Parallel()
	r, err := schedule(t, monthly("100000.00", "0.06", 12, credit.Annuity)).Rates()
	require.NoError(t, err)
	require.True(t, r.APR.Sub(dec("0.06")).Abs().LessThan(dec("0.000001")), "APR %s", r.APR)
	require.True(t, r.EffectiveAnnual.Sub(dec("0.0616778")).Abs().LessThan(dec("0.000001")), "EAR %s", r.EffectiveAnnual)
	require.Equal(t, "3279.73", r.TotalCost.ValueString())
}

// A deducted fee of 2,000.00 raises the APR: the borrower gets 98,000.00
// for the same instalments. The rate found discounts the instalments back
// to the cash received, to the cent.
func TestRatesWithAFee(t *testing.T) {
	t.Parallel()
	terms := monthly("100000.00", "0.06", 12, credit.Annuity)
	terms.Disbursed = cny("98000.00")
	s := schedule(t, terms)
	r, err := s.Rates()
	require.NoError(t, err)
	require.True(t, r.APR.GreaterThan(dec("0.095")) && r.APR.LessThan(dec("0.10")), "APR %s", r.APR)
	i := r.APR.Div(dec("12"))
	pv := decimal.Zero
	for k, in := range s.Instalments() {
		pv = pv.Add(in.Total().Amount.Div(decimal.NewFromInt(1).Add(i).Pow(decimal.NewFromInt(int64(k + 1)))))
	}
	require.True(t, pv.Sub(dec("98000")).Abs().LessThan(dec("0.05")), "present value %s", pv)
	require.Equal(t, "5279.73", r.TotalCost.ValueString())
}

// A broken first period is discounted at simple interest for its fraction
// (Regulation Z, Appendix J). From 10 January to 20 February is one period
// and 10/31 of another (1.3226 months, 0.11022 of a year), but ACT/365F
// charges 41/365 = 0.11233 of a year's interest for it: 1.9% more than the
// time it covers, on the first month only, so the APR is a little above
// 6% — 6.02%.
func TestRatesBrokenPeriod(t *testing.T) {
	t.Parallel()
	terms := monthly("100000.00", "0.06", 12, credit.Annuity)
	terms.Start = calendar.MustParseDate("2026-01-10")
	terms.FirstDue = calendar.MustParseDate("2026-02-20")
	r, err := schedule(t, terms).Rates()
	require.NoError(t, err)
	require.True(t, r.APR.GreaterThan(dec("0.0601")) && r.APR.LessThan(dec("0.0603")), "APR %s", r.APR)
}

// After the sixth instalment the balance is 50,748.10; 20,000.00 prepaid
// leaves 30,748.10.
//   - reduce the instalment: over the same six months,
//     30748.10 × 0.005 / (1 − 1.005^−6) = 5,214.74 a month;
//   - reduce the term: 8,606.64 a month repays it in four months, the last
//     5,262.40 of principal with 26.31 of interest, 5,288.71.
func TestPrepay(t *testing.T) {
	t.Parallel()
	s := schedule(t, monthly("100000.00", "0.06", 12, credit.Annuity))
	ri, err := s.Prepay(6, cny("20000.00"), credit.ReduceInstalment, nil)
	require.NoError(t, err)
	require.Len(t, ri.Instalments(), 12)
	require.Equal(t, s.Instalments()[:5], ri.Instalments()[:5])
	require.Equal(t, "5214.74", ri.Instalments()[6].Total().ValueString())
	require.True(t, ri.Instalments()[6].Principal.Amount.Add(ri.Instalments()[6].Balance.Amount).Equal(dec("30748.10")))
	require.Equal(t, "20000.00", ri.Instalments()[5].Prepaid.ValueString())
	require.Equal(t, "30748.10", ri.Instalments()[5].Balance.ValueString())
	require.True(t, s.Instalments()[5].Prepaid.IsZero())

	rt, err := s.Prepay(6, cny("20000.00"), credit.ReduceTerm, nil)
	require.NoError(t, err)
	require.Len(t, rt.Instalments(), 10)
	for _, in := range rt.Instalments()[6:9] {
		require.Equal(t, "8606.64", in.Total().ValueString())
	}
	last := rt.Instalments()[9]
	require.Equal(t, "5262.40", last.Principal.ValueString())
	require.Equal(t, "5288.71", last.Total().ValueString())
	for _, p := range []credit.Schedule{ri, rt} {
		sum := decimal.Zero
		for _, in := range p.Instalments() {
			sum = sum.Add(in.Principal.Amount).Add(in.Prepaid.Amount)
		}
		require.True(t, sum.Equal(dec("100000")), "principal and prepayment sum to the amount: %s", sum)
		require.True(t, p.TotalPayable().Amount.Sub(p.TotalInterest().Amount).Equal(dec("100000")))
	}
	_, err = ri.Prepay(5, cny("1.00"), credit.ReduceTerm, nil)
	requireField(t, err, "after")
	_, err = ri.Reprice(calendar.MustParseDate("2026-06-01"), dec("0.05"), nil)
	requireField(t, err, "on")
	again, err := ri.Prepay(6, cny("1000.00"), credit.ReduceInstalment, nil)
	require.NoError(t, err)
	require.Equal(t, "21000.00", again.Instalments()[5].Prepaid.ValueString(), "a second prepayment on the same day adds up")

	_, err = s.Prepay(0, cny("1.00"), credit.ReduceTerm, nil)
	requireField(t, err, "after")
	_, err = s.Prepay(6, cny("50748.10"), credit.ReduceTerm, nil)
	requireField(t, err, "amount")
	_, err = s.Prepay(6, money.MustParse("1.00", "USD"), credit.ReduceTerm, nil)
	requireField(t, err, "amount.currency")
	_, err = s.Prepay(6, cny("1.00"), "reduce_both", nil)
	requireField(t, err, "mode")
	_, err = schedule(t, monthly("100000.00", "0.06", 12, credit.Bullet)).Prepay(1, cny("1.00"), credit.ReduceTerm, nil)
	requireField(t, err, "repayment_method")
}

// The LPR falls and a floating loan reprices to 4.35% from the period that
// starts on 15 July (the seventh): 50,748.10 over six months at 0.3625% a
// month is 8,565.65; the first six instalments keep 6%.
func TestReprice(t *testing.T) {
	t.Parallel()
	s := schedule(t, monthly("100000.00", "0.06", 12, credit.Annuity))
	r, err := s.Reprice(calendar.MustParseDate("2026-07-01"), dec("0.0435"), nil)
	require.NoError(t, err)
	require.Equal(t, s.Instalments()[:6], r.Instalments()[:6])
	require.Equal(t, "8565.65", r.Instalments()[6].Total().ValueString())
	require.True(t, r.Instalments()[6].Rate.Equal(dec("0.0435")))
	require.True(t, r.Instalments()[11].Balance.IsZero())

	_, err = s.Reprice(calendar.MustParseDate("2026-01-15"), dec("0.0435"), nil)
	requireField(t, err, "on")
	_, err = s.Reprice(calendar.MustParseDate("2027-01-01"), dec("0.0435"), nil)
	requireField(t, err, "on")
	_, err = s.Reprice(calendar.MustParseDate("2026-07-01"), dec("-0.01"), nil)
	requireField(t, err, "rate")
}

// After random prepayments and repricings the instalments before the
// change are kept, principal and prepayment still sum to the amount, and
// every later period's interest is the declining balance's at its rate.
func TestRescheduleProperties(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(14, 7))
	methods := []credit.RepaymentMethod{credit.Annuity, credit.EqualPrincipal, credit.InterestOnly}
	for range 300 {
		terms := credit.Terms{
			Principal:  money.Money{Amount: decimal.New(rng.Int64N(100_000_000_00)+100_00, -2), Currency: "CNY"},
			AnnualRate: decimal.New(rng.Int64N(200_000)+1, -6), Term: rng.IntN(240) + 2,
			Method: methods[rng.IntN(3)], InterestMethod: credit.Declining, DayCount: money.Act365Fixed,
			Frequency: credit.Monthly, Start: calendar.MustParseDate("2026-01-31"),
		}
		s := schedule(t, terms)
		after := rng.IntN(terms.Term-1) + 1
		bal := s.Instalments()[after-1].Balance.Amount
		paid := bal.Mul(decimal.New(rng.Int64N(99)+1, -2)).RoundDown(2)
		if !paid.IsPositive() {
			continue
		}
		mode := []credit.PrepaymentMode{credit.ReduceTerm, credit.ReduceInstalment}[rng.IntN(2)]
		p, err := s.Prepay(after, money.Money{Amount: paid, Currency: "CNY"}, mode, nil)
		require.NoError(t, err)
		rate := decimal.New(rng.Int64N(200_000), -6)
		on := p.Instalments()[after+rng.IntN(p.Len()-after)].PeriodStart
		r, err := p.Reprice(on, rate, nil)
		require.NoError(t, err)
		for _, c := range []struct {
			sched credit.Schedule
			kept  int
			extra decimal.Decimal
		}{{p, after - 1, paid}, {r, after - 1, paid}} {
			ins := c.sched.Instalments()
			require.Equal(t, s.Instalments()[:c.kept], ins[:c.kept])
			sum := decimal.Zero
			balance := terms.Principal.Amount
			for k, in := range ins {
				want := balance.Mul(in.Rate).Div(decimal.NewFromInt(12)).RoundBank(2)
				require.True(t, want.Equal(in.Accrued.Amount), "instalment %d: accrued %s, want %s", k+1, in.Accrued, want)
				balance = balance.Sub(in.Principal.Amount).Sub(in.Prepaid.Amount)
				require.True(t, balance.Equal(in.Balance.Amount))
				sum = sum.Add(in.Principal.Amount).Add(in.Prepaid.Amount)
			}
			require.True(t, ins[after-1].Prepaid.Amount.Equal(c.extra))
			require.True(t, sum.Equal(terms.Principal.Amount), "principal and prepayment sum to %s", sum)
			require.True(t, ins[len(ins)-1].Balance.IsZero())
		}
	}
}

// A stored schedule comes back as it was, prepayment and repricing
// included, and goes on changing as the original would; a tampered one is
// refused naming the field.
func TestScheduleJSONRoundTrip(t *testing.T) {
	t.Parallel()
	s := schedule(t, monthly("100000.00", "0.06", 12, credit.Annuity))
	p, err := s.Prepay(6, cny("20000.00"), credit.ReduceTerm, nil)
	require.NoError(t, err)
	r, err := p.Reprice(calendar.MustParseDate("2026-08-01"), dec("0.05"), nil)
	require.NoError(t, err)
	b, err := json.Marshal(r)
	require.NoError(t, err)
	var back credit.Schedule
	require.NoError(t, json.Unmarshal(b, &back))
	again, err := json.Marshal(back)
	require.NoError(t, err)
	require.JSONEq(t, string(b), string(again))
	require.Equal(t, r.Instalments(), back.Instalments())
	_, err = back.Prepay(5, cny("1.00"), credit.ReduceTerm, nil)
	requireField(t, err, "after")
	want, err := r.Prepay(8, cny("1000.00"), credit.ReduceInstalment, nil)
	require.NoError(t, err)
	got, err := back.Prepay(8, cny("1000.00"), credit.ReduceInstalment, nil)
	require.NoError(t, err)
	require.Equal(t, want.Instalments(), got.Instalments())

	for _, tc := range []struct{ from, to, field string }{
		{`"number":3`, `"number":4`, "instalments[2].number"},
		{`"balance":{"value":"83746.19"`, `"balance":{"value":"83746.20"`, "instalments[1].balance"},
		{`"principal":{"value":"8147.17"`, `"principal":{"value":"-8147.17"`, "instalments[1].principal"},
		{`"principal":{"value":"8147.17"`, `"principal":{"value":"8147.171"`, "schedule"},
		{`"due_date":"2026-03-15"`, `"due_date":"2026-02-10"`, "instalments[1].due_date"},
		{`"total_interest":{"value":"`, `"total_interest":{"value":"1`, "total_interest"},
		{`"fixed_through":7`, `"fixed_through":70`, "fixed_through"},
	} {
		text := string(b)
		require.Contains(t, text, tc.from)
		var bad credit.Schedule
		err := json.Unmarshal([]byte(strings.Replace(text, tc.from, tc.to, 1)), &bad)
		requireField(t, err, tc.field)
	}
}
