package interest_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/bankkit/bankkit/money"
)

// The rates of these tests are illustrative, near the PBoC benchmarks of
// 2015: demand 0.35%, the classic one-year products 1.35%, seven-day
// notice 1.10%. Interest is rounded half-up to the fen and the demand
// rate counts actual days over 360.

func cny(s string) money.Money { return money.MustParse(s, "CNY") }

func classic(kind interest.Kind, principal string, months int) interest.TimeDeposit {
	rules := interest.ChineseTermRules(dec("0"))
	rules.PartialWithdrawals = 0
	rules.Kind = kind
	return interest.TimeDeposit{
		Principal: cny(principal), Rate: dec("0.0135"), TermMonths: months, Start: day("2027-01-15"),
		DayCount: money.Act360, Instruction: interest.PayOut, Rounding: money.HalfUp, Rules: rules,
	}
}

// instalments is 1 000.00 a month for a year from 15 January 2027, the
// instalments paid on the given days.
func instalments(paid ...string) interest.TimeDeposit {
	td := classic(interest.Instalments, "1000.00", 12)
	td.Instalment = dec("1000.00")
	for _, d := range paid {
		td.PaidOn = append(td.PaidOn, day(d))
	}
	td.Principal = cny("1000.00")
	td.Principal.Amount = td.Principal.Amount.Mul(dec("1").Mul(decimalInt(len(paid))))
	return td
}

// Twelve instalments of 1 000.00 make a 累计月积数 of 1+2+...+12 = 78
// months of 1 000.00: 78 000 × 1.35% / 12 = 87.75.
func TestInstalmentsByMonthlyBalances(t *testing.T) {
	t.Parallel()
	var paid []string
	for i := 0; i < 12; i++ {
		paid = append(paid, day("2027-01-15").AddMonths(i).String())
	}
	td := instalments(paid...)
	require.NoError(t, td.Validate())
	requireDecimal(t, dec("78000"), td.MonthlyBalanceSum())
	res, err := td.MatureWith(dec("0.0135"), dec("0.0035"))
	require.NoError(t, err)
	requireAmount(t, "87.75", res.Interest)
	requireAmount(t, "12087.75", res.Payout)
	require.ErrorIs(t, td.CheckInstalment(day("2027-12-20")), interest.ErrInstalment, "all twelve are paid")
}

// April is missed and made up in May (two instalments): the balances are
// 1, 2, 3, 3, 5, 6 ... 12 thousand, 77 000 in all: 77000 × 1.35% / 12 =
// 86.625 → 86.63. No breach.
func TestInstalmentMissedAndMadeUp(t *testing.T) {
	t.Parallel()
	td := instalments("2027-01-15", "2027-02-15", "2027-03-15")
	pay := func(d string) {
		t.Helper()
		next, err := td.PayInstalment(day(d))
		require.NoError(t, err, d)
		td = next
	}
	pay("2027-05-16") // April's is missed; May takes two
	pay("2027-05-20")
	require.ErrorIs(t, td.CheckInstalment(day("2027-06-01")), interest.ErrInstalment, "a third in May")
	for _, d := range []string{"2027-06-15", "2027-07-15", "2027-08-15", "2027-09-15", "2027-10-15", "2027-11-15", "2027-12-15"} {
		pay(d)
	}
	requireAmount(t, "12000.00", td.Principal)
	require.False(t, td.Breached(td.Maturity()))
	requireDecimal(t, dec("77000"), td.MonthlyBalanceSum())
	got, err := td.InterestWith(dec("0.0035"))
	require.NoError(t, err)
	requireAmount(t, "86.63", got)
	require.ErrorIs(t, td.CheckInstalment(day("2027-02-20")), interest.ErrInstalment, "February is paid")
	requireField(t, td.CheckInstalment(day("2028-01-15")), interest.ErrInvalidInput, "day")
}

// Three instalments, then none: April (15 April to 14 May) and May are
// missed, a breach once May has ended on 15 June. At maturity on 15
// January 2028 each instalment earns the demand rate for its days: 365 +
// 334 + 306 = 1005 days of 1 000.00 at 0.35% / 360 = 3517.5 / 360 =
// 9.7708... → 9.77.
func TestInstalmentBreachEarnsTheDemandRate(t *testing.T) {
	t.Parallel()
	td := instalments("2027-01-15", "2027-02-15", "2027-03-15")
	require.False(t, td.Breached(day("2027-06-14")), "May has not ended: it can still make April up")
	require.True(t, td.Breached(day("2027-06-15")))
	require.ErrorIs(t, td.CheckInstalment(day("2027-06-15")), interest.ErrInstalment)
	got, err := td.InterestWith(dec("0.0035"))
	require.NoError(t, err)
	requireAmount(t, "9.77", got)

	// One miss not made up (one instalment in May) is a breach as well.
	one := instalments("2027-01-15", "2027-02-15", "2027-03-15", "2027-05-15")
	require.True(t, one.Breached(day("2027-06-15")))
}

// 12 000.00 for a year paid back 3 000.00 every three months: the
// balances 12 000, 9 000, 6 000 and 3 000 for three months each, 30 000 ×
// 3 = 90 000 month-yuan × 1.35% / 12 = 101.25 at maturity, with the last
// 3 000.00. (The average balance (12000 + 3000) / 2 × 12 × 1.35% / 12.)
func TestPrincipalPayouts(t *testing.T) {
	t.Parallel()
	td := classic(interest.PrincipalPayouts, "12000.00", 12)
	td.Rules.PayoutMonths = 3
	require.NoError(t, td.Validate())
	var dates []string
	for i := 0; i < 3; i++ {
		require.Equal(t, td.Due(), td.Start.AddMonths(3*(i+1)))
		p, err := td.PayScheduled()
		require.NoError(t, err)
		requireAmount(t, "3000.00", p.Principal)
		requireAmount(t, "0.00", p.Interest)
		dates = append(dates, p.Date.String())
		td = p.Next
	}
	require.Equal(t, []string{"2027-04-15", "2027-07-15", "2027-10-15"}, dates)
	require.Equal(t, td.Maturity(), td.Due())
	_, err := td.PayScheduled()
	require.Error(t, err, "the next event is the maturity")
	res, err := td.MatureWith(dec("0.0135"), dec("0.0035"))
	require.NoError(t, err)
	requireAmount(t, "3000.00", res.Principal)
	requireAmount(t, "101.25", res.Interest)
	requireAmount(t, "3101.25", res.Payout)

	// Parts are rounded down, the last takes the rest: 10 000.01 in four.
	odd := classic(interest.PrincipalPayouts, "10000.01", 12)
	odd.Rules.PayoutMonths = 3
	p, err := odd.PayScheduled()
	require.NoError(t, err)
	requireAmount(t, "2500.00", p.Principal)
	odd.Payouts = 3
	res, err = odd.MatureWith(dec("0.0135"), dec("0.0035"))
	require.NoError(t, err)
	requireAmount(t, "2500.01", res.Principal)
}

// 100 000.00 for a year paying its interest every three months: 100000 ×
// 1.35% × 3/12 = 337.50 each time, the fourth with the principal. Closed
// on 15 May 2027 after one payout and 120 days, it earns the demand rate:
// 100000 × 0.35% × 120 / 360 = 116.666... → 116.67, less the 337.50 paid:
// 220.83 is taken back, 99 779.17 paid out.
func TestInterestPayouts(t *testing.T) {
	t.Parallel()
	td := classic(interest.InterestPayouts, "100000.00", 12)
	td.Rules.PayoutMonths = 3
	p, err := td.PayScheduled()
	require.NoError(t, err)
	requireAmount(t, "337.50", p.Interest)
	requireAmount(t, "0.00", p.Principal)
	require.Equal(t, day("2027-04-15"), p.Date)
	after := p.Next
	c, err := after.EarlyClosure(day("2027-05-15"), dec("0.0035"))
	require.NoError(t, err)
	require.Equal(t, 120, c.DaysHeld)
	requireAmount(t, "-220.83", c.Interest)
	requireAmount(t, "99779.17", c.Payout)

	after.Payouts = 3
	res, err := after.MatureWith(dec("0.0135"), dec("0.0035"))
	require.NoError(t, err)
	requireAmount(t, "337.50", res.Interest)
	requireAmount(t, "100337.50", res.Payout)
}

// 10 000.00 from 15 January 2027, bands 3 months 1.05%, 6 months 1.25%,
// a year 1.35%, at 60%:
//   - 1 March (45 days, no band): demand 0.35%, 10000 × 0.0035 × 45 / 360
//     = 4.375 → 4.38;
//   - 3 August (200 days, six months reached on 15 July): 1.25% × 60% =
//     0.75%, 10000 × 0.0075 × 200 / 360 = 41.666... → 41.67;
//   - 15 February 2028 (396 days, a year reached): 1.35% × 60% = 0.81%,
//     10000 × 0.0081 × 396 / 360 = 89.10.
func TestFlexibleRateByBandReached(t *testing.T) {
	t.Parallel()
	td := classic(interest.Flexible, "10000.00", interest.MaxTermMonths)
	td.Rules.FlexibleFraction = dec("0.6")
	td.Rules.Bands = []interest.Band{{Months: 3, Rate: dec("0.0105")}, {Months: 6, Rate: dec("0.0125")}, {Months: 12, Rate: dec("0.0135")}}
	require.NoError(t, td.Validate())
	for _, tc := range []struct {
		on       string
		days     int
		rate     string
		interest string
	}{
		{"2027-03-01", 45, "0.0035", "4.38"},
		{"2027-04-14", 89, "0.0035", "8.65"},  // the day before three months: 10000 × 0.0035 × 89/360 = 8.6527...
		{"2027-04-15", 90, "0.0063", "15.75"}, // three months: 0.63%, 10000 × 0.0063 × 90/360
		{"2027-08-03", 200, "0.0075", "41.67"},
		{"2028-02-15", 396, "0.0081", "89.10"},
	} {
		requireDecimal(t, dec(tc.rate), td.FlexibleRate(day(tc.on), dec("0.0035")), tc.on)
		c, err := td.EarlyClosure(day(tc.on), dec("0.0035"))
		require.NoError(t, err)
		require.Equal(t, tc.days, c.DaysHeld)
		requireAmount(t, tc.interest, c.Interest, tc.on)
	}
	_, err := td.Interest()
	require.Error(t, err, "no term, no interest at maturity")
	bad := td
	bad.Rules.Bands = []interest.Band{{Months: 6, Rate: dec("0.0125")}, {Months: 3, Rate: dec("0.0105")}}
	requireField(t, bad.Validate(), interest.ErrInvalidDeposit, "Rules.Bands[1].Months")
}

// 120 000.00 on seven-day notice at 1.10% from 15 January 2027, at least
// 50 000 withdrawn and left. Notice of 50 000 on 1 February falls due on
// 8 February (24 days held): 60 000 withdrawn that day earns 50000 ×
// 1.10% × 24/360 = 36.666... on notice plus 10000 × 0.35% × 24/360 =
// 2.333... at the demand rate, 39.00 in all. Withdrawn a day early, all
// earns the demand rate: 60000 × 0.0035 × 23/360 = 13.416... → 13.42.
func TestNoticeDeposit(t *testing.T) {
	t.Parallel()
	td := classic(interest.Notice, "120000.00", interest.MaxTermMonths)
	td.Rate = dec("0.011")
	td.Rules.NoticeDays = 7
	td.Rules.MinimumDeposit, td.Rules.MinimumWithdrawal, td.Rules.MinimumRemaining = dec("50000"), dec("50000"), dec("50000")
	noticed, err := td.GiveNotice(day("2027-02-01"), cny("50000.00"))
	require.NoError(t, err)
	require.Equal(t, day("2027-02-08"), noticed.Notice.Due)

	w, err := noticed.WithdrawNoticed(day("2027-02-08"), cny("60000.00"), dec("0.0035"))
	require.NoError(t, err)
	require.Equal(t, 24, w.DaysHeld)
	requireAmount(t, "50000.00", w.Noticed)
	requireAmount(t, "39.00", w.Interest)
	requireAmount(t, "60039.00", w.Payout)
	requireAmount(t, "60000.00", w.Remaining.Principal)
	require.Nil(t, w.Remaining.Notice, "the notice is used")
	require.False(t, w.Closed)

	early, err := noticed.WithdrawNoticed(day("2027-02-07"), cny("60000.00"), dec("0.0035"))
	require.NoError(t, err)
	requireAmount(t, "0.00", early.Noticed)
	requireAmount(t, "13.42", early.Interest)

	for _, amount := range []string{"40000.00", "80000.00", "120000.01"} {
		_, err := td.WithdrawNoticed(day("2027-02-08"), cny(amount), dec("0.0035"))
		requireField(t, err, interest.ErrInvalidInput, "amount")
		_, err = td.GiveNotice(day("2027-02-01"), cny(amount))
		requireField(t, err, interest.ErrInvalidInput, "amount")
	}
	all, err := td.WithdrawNoticed(day("2027-02-08"), cny("120000.00"), dec("0.0035"))
	require.NoError(t, err, "everything may go, whatever the minimums")
	require.True(t, all.Closed)
}

func TestClassicKindValidation(t *testing.T) {
	t.Parallel()
	td := classic(interest.InterestPayouts, "100.00", 12)
	requireField(t, td.Validate(), interest.ErrInvalidDeposit, "Rules.PayoutMonths")
	td.Rules.PayoutMonths = 5
	requireField(t, td.Validate(), interest.ErrInvalidDeposit, "TermMonths")
	n := classic(interest.Notice, "100.00", interest.MaxTermMonths)
	requireField(t, n.Validate(), interest.ErrInvalidDeposit, "Rules.NoticeDays")
	n.Rules.NoticeDays = 7
	n.TermMonths = 12
	requireField(t, n.Validate(), interest.ErrInvalidDeposit, "TermMonths")
	i := instalments("2027-01-15")
	i.Instruction = interest.RolloverAll
	requireField(t, i.Validate(), interest.ErrInvalidDeposit, "Instruction")
	i = instalments("2027-01-15")
	i.Principal = cny("2000.00")
	requireField(t, i.Validate(), interest.ErrInvalidDeposit, "Principal")
	k := classic(interest.Kind(99), "100.00", 12)
	requireField(t, k.Validate(), interest.ErrInvalidDeposit, "Rules.Kind")
	require.False(t, k.Breached(calendar.Date{}), "only an instalment deposit can break its plan")
}

// FuzzInstalments pays instalments on random days of a year and checks
// what any sequence must keep: the principal is the instalments paid, no
// month holds more than two, the monthly balances never exceed a regular
// plan's 78 instalments, and a deposit in breach takes no more.
func FuzzInstalments(f *testing.F) {
	f.Add([]byte{0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30})
	f.Add([]byte{1, 1, 1, 90, 2, 2, 40})
	f.Fuzz(func(t *testing.T, steps []byte) {
		td := instalments("2027-01-15")
		d := td.Start
		for _, s := range steps {
			d = d.AddDays(int(s))
			if !d.Before(td.Maturity()) {
				break
			}
			breached := td.Breached(d)
			next, err := td.PayInstalment(d)
			if err != nil {
				require.ErrorIs(t, err, interest.ErrInstalment)
				continue
			}
			require.False(t, breached, "an instalment taken in breach on %s", d)
			td = next
		}
		require.NoError(t, td.Validate())
		requireDecimal(t, dec("1000").Mul(decimalInt(len(td.PaidOn))), td.Principal.Amount)
		for m, n := range td.InstalmentCounts() {
			require.LessOrEqual(t, n, 2, "month %d", m)
		}
		require.True(t, td.MonthlyBalanceSum().LessThanOrEqual(dec("78000")))
		got, err := td.InterestWith(dec("0.0035"))
		require.NoError(t, err)
		require.False(t, got.IsNegative())
	})
}

// Closed early on 15 April 2027, each instalment earns the demand rate
// for its own days: 90 + 59 + 31 = 180 days of 1 000.00 at 0.35% / 360 =
// 630 / 360 = 1.75, paid with the 3 000.00.
func TestInstalmentsClosedEarly(t *testing.T) {
	t.Parallel()
	td := instalments("2027-01-15", "2027-02-15", "2027-03-15")
	c, err := td.EarlyClosure(day("2027-04-15"), dec("0.0035"))
	require.NoError(t, err)
	requireAmount(t, "1.75", c.Interest)
	requireAmount(t, "3001.75", c.Payout)
}

// 12 000.00 paying 3 000.00 back each quarter, closed on 14 June 2027
// after the first part: 12 000 for 90 days and 9 000 for 60 earn the
// demand rate, (1 080 000 + 540 000) × 0.35% / 360 = 5670 / 360 = 15.75,
// paid with the 9 000.00 left.
func TestPrincipalPayoutsClosedEarly(t *testing.T) {
	t.Parallel()
	td := classic(interest.PrincipalPayouts, "12000.00", 12)
	td.Rules.PayoutMonths = 3
	p, err := td.PayScheduled()
	require.NoError(t, err)
	c, err := p.Next.EarlyClosure(day("2027-06-14"), dec("0.0035"))
	require.NoError(t, err)
	requireAmount(t, "15.75", c.Interest)
	requireAmount(t, "9015.75", c.Payout)
}

// A one-day notice given on 1 February falls due on the 2nd.
func TestOneDayNotice(t *testing.T) {
	t.Parallel()
	td := classic(interest.Notice, "100000.00", interest.MaxTermMonths)
	td.Rules.NoticeDays = 1
	n, err := td.GiveNotice(day("2027-02-01"), cny("100000.00"))
	require.NoError(t, err)
	require.Equal(t, day("2027-02-02"), n.Notice.Due)
	// 18 days at 1.35% (the deposit's rate here): 100000 × 0.0135 × 18/360 = 67.50.
	w, err := n.WithdrawNoticed(day("2027-02-02"), cny("100000.00"), dec("0.0035"))
	require.NoError(t, err)
	requireAmount(t, "67.50", w.Interest)
	require.True(t, w.Closed)
}
