package credit

import (
	"math/rand/v2"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
)

// Property: run day by day, or every few days, the accruals of a loan
// sum exactly to its schedule's interest, each instalment's recognised
// interest reaches its interest by its due date and never goes down; on
// every day count and method.
func TestAccrualsSumToTheScheduleInterest(t *testing.T) {
	rng := rand.New(rand.NewPCG(14, 7))
	methods := []RepaymentMethod{Annuity, EqualPrincipal, InterestOnly, Bullet}
	counts := []money.DayCount{money.Act365Fixed, money.Act360, money.ActActISDA, money.Thirty360ISDA}
	for k := range 40 {
		terms := Terms{Principal: money.MustParse(decimal.NewFromInt(int64(1000+rng.IntN(200000))).StringFixed(2), "CNY"),
			AnnualRate: decimal.NewFromInt(int64(100 + rng.IntN(2000))).Div(decimal.NewFromInt(10000)), Term: 1 + rng.IntN(36),
			Method: methods[k%4], InterestMethod: Declining, DayCount: counts[rng.IntN(4)], Frequency: Monthly,
			Start: calendar.MustParseDate("2026-01-31").AddDays(rng.IntN(60))}
		s, err := NewSchedule(terms, nil)
		require.NoError(t, err)
		zero := money.Zero("CNY")
		l := Loan{Schedule: s, Status: LoanActive, Paid: make([]InstalmentPaid, s.Len())}
		for i := range l.Paid {
			l.Paid[i] = InstalmentPaid{Principal: zero, Interest: zero}
		}
		total := decimal.Zero
		step := 1 + rng.IntN(5)
		for d := terms.Start; !d.After(s.Maturity()); d = d.AddDays(step) {
			amount, _, paid := l.accrual(d)
			require.False(t, amount.IsNegative())
			for i := range paid {
				require.False(t, paid[i].Recognised.Amount.LessThan(l.Paid[i].Recognised.Amount), "never goes down")
			}
			total = total.Add(amount)
			l.Paid = paid
		}
		amount, _, paid := l.accrual(s.Maturity())
		total = total.Add(amount)
		for i, in := range s.Instalments() {
			require.True(t, in.Interest.Equal(paid[i].Recognised), "case %d instalment %d", k, i+1)
		}
		require.Equal(t, s.TotalInterest().Amount.StringFixed(2), total.StringFixed(2), "case %d: %+v", k, terms)
	}
}
