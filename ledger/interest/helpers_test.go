package interest_test

import (
	"fmt"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/bankkit/bankkit/money"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func day(s string) calendar.Date { return calendar.MustParseDate(s) }

// flatProduct is a CNY end-of-day product paying rate from 2000-01-01,
// compounding and posting monthly.
func flatProduct(rate string, dc money.DayCount) interest.Product {
	return interest.Product{
		Currency:    money.CNY,
		DayCount:    dc,
		Basis:       interest.EndOfDayBalance,
		Credit:      interest.RateSchedule{{Effective: day("2000-01-01"), Rate: interest.Flat(dec(rate))}},
		Compounding: interest.Monthly,
		Posting:     interest.Monthly,
	}
}

// run accrues every day from first to last with the balance balanceOn
// gives, posting on the product's posting period ends (and on last), and
// returns the final state, the postings and the sum of the daily credit
// and debit accruals.
type runResult struct {
	state       interest.Accrual
	postings    []interest.Posting
	dailyCredit decimal.Decimal
	dailyDebit  decimal.Decimal
}

func run(t *testing.T, p interest.Product, s interest.Accrual, first, last calendar.Date, balanceOn func(calendar.Date) decimal.Decimal) runResult {
	t.Helper()
	res, err := runDays(p, s, first, last, balanceOn)
	require.NoError(t, err)
	return res
}

// runDays is run for goroutines other than the test's: it reports the
// first error instead of failing the test.
func runDays(p interest.Product, s interest.Accrual, first, last calendar.Date, balanceOn func(calendar.Date) decimal.Decimal) (runResult, error) {
	res := runResult{state: s, dailyCredit: decimal.Zero, dailyDebit: decimal.Zero}
	for d := first; !d.After(last); d = d.AddDays(1) {
		next, dr, err := interest.Accrue(p, res.state, d, balanceOn(d))
		if err != nil {
			return res, fmt.Errorf("accrue %s: %w", d, err)
		}
		res.state = next
		res.dailyCredit = res.dailyCredit.Add(dr.Credit)
		res.dailyDebit = res.dailyDebit.Add(dr.Debit)
		if p.IsPostingEnd(d, calendar.Date{}) || d == last {
			next, posting, err := interest.Post(p, res.state, d)
			if err != nil {
				return res, fmt.Errorf("post %s: %w", d, err)
			}
			res.state = next
			res.postings = append(res.postings, posting)
		}
	}
	return res, nil
}

func constant(b string) func(calendar.Date) decimal.Decimal {
	v := dec(b)
	return func(calendar.Date) decimal.Decimal { return v }
}

// requireAmount checks that m's amount is want exactly, in any scale.
func requireAmount(t *testing.T, want string, m money.Money, msgAndArgs ...any) {
	t.Helper()
	requireDecimal(t, dec(want), m.Amount, msgAndArgs...)
}

// requireDecimal checks that got equals want numerically: 1.50 equals 1.5.
func requireDecimal(t *testing.T, want, got decimal.Decimal, msgAndArgs ...any) {
	t.Helper()
	if !want.Equal(got) {
		require.Failf(t, "decimals differ", "want %s, got %s%s", want, got, describe(msgAndArgs))
	}
}

// describe formats testify-style message arguments: a format and its values.
func describe(msgAndArgs []any) string {
	if len(msgAndArgs) == 0 {
		return ""
	}
	if format, ok := msgAndArgs[0].(string); ok {
		return ": " + fmt.Sprintf(format, msgAndArgs[1:]...)
	}
	return fmt.Sprint(append([]any{": "}, msgAndArgs...)...)
}

// requireField checks err is a field error of kind naming field.
func requireField(t *testing.T, err error, kind error, field string) {
	t.Helper()
	require.ErrorIs(t, err, kind)
	var fe *fault.FieldError
	require.ErrorAs(t, err, &fe)
	require.Equal(t, field, fe.Field, "%v", err)
}

func decimalInt(n int) decimal.Decimal { return decimal.NewFromInt(int64(n)) }
