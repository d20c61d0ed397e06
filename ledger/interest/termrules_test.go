package interest_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/bankkit/bankkit/money"
)

// chineseYear is 100 000.00 CNY for one year from 15 March 2027 at
// 2.75%, on ACT/360, under the rules of Chinese banks with a minimum
// remaining of 50.00; it matures on 15 March 2028, 366 days later (29
// February 2028 falls between).
func chineseYear() interest.TimeDeposit {
	return interest.TimeDeposit{
		Principal: money.MustParse("100000.00", "CNY"), Rate: dec("0.0275"), TermMonths: 12,
		Start: day("2027-03-15"), DayCount: money.Act360, Instruction: interest.PayOut, Rounding: money.HalfUp,
		Rules: interest.ChineseTermRules(dec("50.00")),
	}
}

// By months a year pays the year's rate: 100000 × 2.75% × 12/12 =
// 2750.00. By the day count the same 366 days would pay 100000 × 0.0275 ×
// 366/360 = 2795.83 (ACT/360) or × 366/365 = 2757.53 (ACT/365F).
func TestFullTermByMonthsAcross29February(t *testing.T) {
	t.Parallel()
	td := chineseYear()
	require.Equal(t, day("2028-03-15"), td.Maturity())
	require.Equal(t, 366, td.Maturity().DaysSince(td.Start))
	got, err := td.Interest()
	require.NoError(t, err)
	requireAmount(t, "2750.00", got)
	res, err := td.Mature(dec("0.02"))
	require.NoError(t, err)
	requireAmount(t, "102750.00", res.Payout)

	byDays := td
	byDays.Rules = interest.TermRules{}
	got, err = byDays.Interest()
	require.NoError(t, err)
	requireAmount(t, "2795.83", got)
	byDays.DayCount = money.Act365Fixed
	got, err = byDays.Interest()
	require.NoError(t, err)
	requireAmount(t, "2757.53", got)

	// Three months by months: 100000 × 2.75% × 3/12 = 687.50, whether
	// the quarter has 89 days or 92.
	for _, start := range []string{"2027-01-31", "2027-07-01"} {
		q := td
		q.TermMonths, q.Start = 3, day(start)
		got, err := q.Interest()
		require.NoError(t, err)
		requireAmount(t, "687.50", got, "from %s", start)
	}
}

// Closed on 1 September 2027 after 170 days (15 March to 1 September:
// 31+30+31+30+31+17 = 170): 100000 ×
// 0.35% × 170 / 360 = 59500 / 360 = 165.2777... → 165.28. The term rate
// would have paid 100000 × 2.75% × 170/360 = 1298.6111... → 1298.61, so
// 1133.33 is forgone.
func TestEarlyClosureAtTheDemandRateOn360Days(t *testing.T) {
	t.Parallel()
	c, err := chineseYear().EarlyClosure(day("2027-09-01"), dec("0.0035"))
	require.NoError(t, err)
	require.Equal(t, 170, c.DaysHeld)
	requireAmount(t, "165.28", c.Interest)
	requireAmount(t, "1133.33", c.Forgone)
	requireAmount(t, "100165.28", c.Payout)
	require.True(t, c.PenaltyApplied)

	// The same days on the deposit's own ACT/365F (the rule before): 100000
	// × 0.0035 × 170 / 365 = 163.01; the Chinese rules count 360 days.
	td := chineseYear()
	td.DayCount = money.Act365Fixed
	c, err = td.EarlyClosure(day("2027-09-01"), dec("0.0035"))
	require.NoError(t, err)
	requireAmount(t, "165.28", c.Interest)
	td.Rules = interest.TermRules{}
	c, err = td.EarlyClosure(day("2027-09-01"), dec("0.0035"))
	require.NoError(t, err)
	requireAmount(t, "163.01", c.Interest)
}

// 40 000.00 withdrawn on 1 September 2027 after 170 days: 40000 × 0.35% ×
// 170 / 360 = 23800 / 360 = 66.111... → 66.11, paid with it: 40 066.11.
// The other 60 000.00 keeps 2.75% and its maturity: 60000 × 2.75% × 12/12
// = 1650.00 on 15 March 2028.
func TestPartialEarlyWithdrawal(t *testing.T) {
	t.Parallel()
	td := chineseYear()
	pw, err := td.WithdrawPart(day("2027-09-01"), money.MustParse("40000.00", "CNY"), dec("0.0035"))
	require.NoError(t, err)
	require.Equal(t, 170, pw.DaysHeld)
	requireAmount(t, "66.11", pw.Interest)
	requireAmount(t, "40066.11", pw.Payout)
	rest := pw.Remaining
	requireAmount(t, "60000.00", rest.Principal)
	require.Equal(t, td.Maturity(), rest.Maturity())
	requireDecimal(t, dec("0.0275"), rest.Rate)
	require.Equal(t, 1, rest.PartsWithdrawn)
	due, err := rest.Interest()
	require.NoError(t, err)
	requireAmount(t, "1650.00", due)

	// One partial withdrawal a term.
	_, err = rest.WithdrawPart(day("2027-10-01"), money.MustParse("100.00", "CNY"), dec("0.0035"))
	require.ErrorIs(t, err, interest.ErrPartLimit)
	// A rollover starts a term with its partial withdrawal again.
	rolled, err := rest.Mature(dec("0.02"))
	require.NoError(t, err)
	require.Nil(t, rolled.Rollover, "paid out")
	rest.Instruction = interest.RolloverPrincipal
	rolled, err = rest.Mature(dec("0.02"))
	require.NoError(t, err)
	require.Equal(t, 0, rolled.Rollover.PartsWithdrawn)

	// The rest may not fall below the minimum of 50.00, nor to nothing.
	for _, amount := range []string{"99960.01", "100000.00", "100000.01"} {
		_, err = td.WithdrawPart(day("2027-09-01"), money.MustParse(amount, "CNY"), dec("0.0035"))
		requireField(t, err, interest.ErrInvalidInput, "amount")
	}
	pw, err = td.WithdrawPart(day("2027-09-01"), money.MustParse("99950.00", "CNY"), dec("0.0035"))
	require.NoError(t, err, "exactly the minimum may remain")
	requireAmount(t, "50.00", pw.Remaining.Principal)
	for _, bad := range []string{"0.00", "-1.00"} {
		_, err = td.WithdrawPart(day("2027-09-01"), money.MustParse(bad, "CNY"), dec("0.0035"))
		requireField(t, err, interest.ErrInvalidInput, "amount")
	}
	_, err = td.WithdrawPart(day("2027-09-01"), money.MustParse("10.00", "USD"), dec("0.0035"))
	requireField(t, err, interest.ErrInvalidInput, "amount")
	_, err = td.WithdrawPart(day("2028-03-15"), money.MustParse("10.00", "CNY"), dec("0.0035"))
	requireField(t, err, interest.ErrInvalidInput, "asOf")

	// Without the rules, no partial withdrawal.
	plain := td
	plain.Rules = interest.TermRules{}
	_, err = plain.WithdrawPart(day("2027-09-01"), money.MustParse("10.00", "CNY"), dec("0.0035"))
	require.ErrorIs(t, err, interest.ErrPartLimit)
}

// Held unrenewed from maturity on 15 March 2028 to 14 April (30 days):
// 102 750.00 × 0.35% × 30 / 360 = 10788.75 / 360 = 29.96875 → 29.97
// (half-up).
func TestInterestAfterMaturityAtTheDemandRate(t *testing.T) {
	t.Parallel()
	td := chineseYear()
	got, err := td.AfterMaturity(money.MustParse("102750.00", "CNY"), day("2028-04-14"), dec("0.0035"))
	require.NoError(t, err)
	requireAmount(t, "29.97", got)
	got, err = td.AfterMaturity(money.MustParse("102750.00", "CNY"), td.Maturity(), dec("0.0035"))
	require.NoError(t, err)
	requireAmount(t, "0.00", got, "nothing on the maturity day itself")
	_, err = td.AfterMaturity(money.MustParse("102750.00", "CNY"), day("2028-03-14"), dec("0.0035"))
	requireField(t, err, interest.ErrInvalidInput, "asOf")
	plain := td
	plain.Rules = interest.TermRules{}
	got, err = plain.AfterMaturity(money.MustParse("102750.00", "CNY"), day("2028-04-14"), dec("0.0035"))
	require.NoError(t, err)
	requireAmount(t, "0.00", got, "the rules before: a held deposit earns nothing")
}

func TestTermRulesValidation(t *testing.T) {
	t.Parallel()
	td := chineseYear()
	td.Rules.PartialWithdrawals = -1
	requireField(t, td.Validate(), interest.ErrInvalidDeposit, "Rules.PartialWithdrawals")
	td = chineseYear()
	td.Rules.MinimumRemaining = dec("-1")
	requireField(t, td.Validate(), interest.ErrInvalidDeposit, "Rules.MinimumRemaining")
	td = chineseYear()
	td.Rules.DemandDayCount = 99
	requireField(t, td.Validate(), interest.ErrInvalidDeposit, "Rules.DemandDayCount")
	td = chineseYear()
	td.PartsWithdrawn = 2
	requireField(t, td.Validate(), interest.ErrInvalidDeposit, "PartsWithdrawn")
}
