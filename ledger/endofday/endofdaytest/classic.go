package endofdaytest

import (
	"testing"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/endofday"
	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/stretchr/testify/require"
)

// classicTests are one case per classic RMB deposit product. The rates
// are illustrative, near the PBoC benchmarks of 2015: demand 0.35%
// (pbocDemand), the one-year classic products 1.35%, seven-day notice
// 1.10%; interest is rounded half-up to the fen and the demand rate
// counts actual days over 360 (cnTerm's rules).
var classicTests = []test{
	{Name: "ClassicInstalmentsByMonthlyBalances", Run: testClassicInstalments},
	{Name: "ClassicPrincipalPayouts", Run: testClassicPrincipalPayouts},
	{Name: "ClassicInterestPayouts", Run: testClassicInterestPayouts},
	{Name: "ClassicInterestPayoutsClosedEarlyTakesInterestBack", Run: testClassicInterestPayoutsClosedEarly},
	{Name: "ClassicFlexibleRateByBand", Run: testClassicFlexible},
	{Name: "ClassicNoticeDeposit", Run: testClassicNotice},
}

// classicProduct is cnTerm at 1.35% with the kind's rules.
func classicProduct(kind interest.Kind, set func(*interest.TermRules)) interest.Product {
	p := cnTerm()
	p.Credit[0].Rate = interest.Flat(dec("0.0135"))
	p.Term.Kind, p.Term.PartialWithdrawals = kind, 0
	if set != nil {
		set(&p.Term)
	}
	return p
}

func (f *fixture) openClassic(demand ledger.ID, code, principal string, months int) (endofday.TimeDeposit, error) {
	r, err := f.eod.OpenTimeDeposit(f.Ctx, endofday.OpenTimeDepositRequest{
		DemandAccountID: demand, Principal: cny(principal), TermMonths: months,
		ProductCode: code, Instruction: interest.PayOut, IdempotencyKey: "classic-" + ledger.NewID().String(),
	})
	return r.Deposit, err
}

// 1 000.00 a month for a year from Monday 2 March 2026. The fifth month
// (2 July to 1 August) is missed and made up on 3 and 4 August, so the
// monthly balances are 1, 2, 3, 4, 4, 6, 7 ... 12 thousand: 77 000, and
// the interest at maturity on 2 March 2027 is 77000 × 1.35% / 12 =
// 86.625 → 86.63 (half-up), paid with the 12 000.00.
func testClassicInstalments(t *testing.T, f *fixture) {
	f.setProduct("cn-instalments", classicProduct(interest.Instalments, nil))
	demand := f.Open("alice")
	f.Deposit(demand.ID, "20000.00")
	td, err := f.openClassic(demand.ID, "cn-instalments", "1000.00", 12)
	require.NoError(t, err)
	require.Equal(t, interest.Instalments, td.Terms.Rules.Kind)
	f.RequireBalance(td.ID, "1000.00")
	_, _, err = f.eod.PayInstalment(f.Ctx, td.ID)
	require.ErrorIs(t, err, interest.ErrInstalment, "March is paid")

	var days []calendar.Date
	for k := 1; k < 12; k++ {
		switch k {
		case 4: // missed
		case 5:
			days = append(days, calendar.MustDate(2026, time.August, 3), calendar.MustDate(2026, time.August, 4))
		default:
			days = append(days, calendar.MustDate(2026, time.March, 2).AddMonths(k))
		}
	}
	// The opening replays after an instalment: the principal grew, the
	// instalment did not.
	f.jumpTo(days[0])
	_, _, err = f.eod.PayInstalment(f.Ctx, td.ID)
	require.NoError(t, err)
	again, err := f.eod.OpenTimeDeposit(f.Ctx, endofday.OpenTimeDepositRequest{DemandAccountID: demand.ID, Principal: cny("1000.00"),
		TermMonths: 12, ProductCode: "cn-instalments", Instruction: interest.PayOut, IdempotencyKey: td.IdempotencyKey})
	require.NoError(t, err)
	require.True(t, again.Replayed)
	require.Equal(t, td.ID, again.Deposit.ID)
	for _, d := range days[1:] {
		f.jumpTo(d)
		_, _, err := f.eod.PayInstalment(f.Ctx, td.ID)
		require.NoError(t, err, "instalment on %s", d)
	}
	_, _, err = f.eod.PayInstalment(f.Ctx, td.ID)
	require.ErrorIs(t, err, interest.ErrInstalment, "all twelve are paid")
	f.RequireBalance(td.ID, "12000.00")
	f.RequireBalance(demand.ID, "8000.00")
	got, err := f.eod.TimeDeposit(f.Ctx, td.ID)
	require.NoError(t, err)
	require.Equal(t, []int{1, 1, 1, 1, 0, 2, 1, 1, 1, 1, 1, 1}, got.Terms.InstalmentCounts())

	f.jumpTo(calendar.MustDate(2027, time.March, 2))
	sum := f.runEOD()
	require.Equal(t, 1, sum.Maturities)
	require.Empty(t, sum.Failures)
	f.RequireBalance(demand.ID, "20086.63")
	f.RequireBalance(td.ID, "0.00")
	f.RequireTrialBalanced()
}

// 12 000.00 for a year from 2 March 2026, 3 000.00 paid back every three
// months (2 June, 2 September, 2 December) and the last 3 000.00 at
// maturity with the interest on the balances 12, 9, 6 and 3 thousand for
// three months each: 90 000 month-yuan × 1.35% / 12 = 101.25.
func testClassicPrincipalPayouts(t *testing.T, f *fixture) {
	f.setProduct("cn-principal", classicProduct(interest.PrincipalPayouts, func(r *interest.TermRules) { r.PayoutMonths = 3 }))
	demand := f.Open("alice")
	f.Deposit(demand.ID, "12000.00")
	// Ten months are not whole quarters; a classic deposit pays out at
	// maturity, it does not roll over. Neither opens anything.
	_, err := f.openClassic(demand.ID, "cn-principal", "12000.00", 10)
	requireInvalid(t, err, "term_months")
	_, err = f.eod.OpenTimeDeposit(f.Ctx, endofday.OpenTimeDepositRequest{DemandAccountID: demand.ID, Principal: cny("12000.00"),
		TermMonths: 12, ProductCode: "cn-principal", Instruction: interest.RolloverAll, IdempotencyKey: "classic-rollover"})
	requireInvalid(t, err, "instruction")
	f.RequireBalance(demand.ID, "12000.00")
	open, _, err := f.Svc.ListAccounts(f.Ctx, ledger.AccountFilter{Product: ledger.ProductTime})
	require.NoError(t, err)
	require.Empty(t, open)
	td, err := f.openClassic(demand.ID, "cn-principal", "12000.00", 12)
	require.NoError(t, err)
	for i, d := range []calendar.Date{calendar.MustDate(2026, time.June, 2), calendar.MustDate(2026, time.September, 2), calendar.MustDate(2026, time.December, 2)} {
		f.jumpTo(d)
		sum := f.runEOD()
		require.Equal(t, 1, sum.Payouts, "payout %d", i+1)
		require.Zero(t, sum.Maturities)
		f.RequireBalance(demand.ID, []string{"3000.00", "6000.00", "9000.00"}[i])
	}
	f.jumpTo(calendar.MustDate(2027, time.March, 2))
	sum := f.runEOD()
	require.Equal(t, 1, sum.Maturities)
	f.RequireBalance(demand.ID, "12101.25")
	f.RequireBalance(td.ID, "0.00")
	requireDec(t, dec("101.25"), f.chartBalance(ledger.CodeInterestExpense), "interest")
	f.RequireTrialBalanced()
}

// 100 000.00 kept for a year from 2 March 2026, its interest paid every
// three months: 100000 × 1.35% × 3/12 = 337.50 on 2 June, 2 September and
// 2 December, and the principal with the last 337.50 on 2 March 2027.
func testClassicInterestPayouts(t *testing.T, f *fixture) {
	f.setProduct("cn-interest", classicProduct(interest.InterestPayouts, func(r *interest.TermRules) { r.PayoutMonths = 3 }))
	demand := f.Open("alice")
	f.Deposit(demand.ID, "100000.00")
	td, err := f.openClassic(demand.ID, "cn-interest", "100000.00", 12)
	require.NoError(t, err)
	for i, d := range []calendar.Date{calendar.MustDate(2026, time.June, 2), calendar.MustDate(2026, time.September, 2), calendar.MustDate(2026, time.December, 2)} {
		f.jumpTo(d)
		sum := f.runEOD()
		require.Equal(t, 1, sum.Payouts)
		f.RequireBalance(demand.ID, []string{"337.50", "675.00", "1012.50"}[i])
		f.RequireBalance(td.ID, "100000.00")
	}
	// Run again on the same date: nothing is paid twice.
	_, err = f.eod.Run(f.Ctx, calendar.MustDate(2026, time.December, 2))
	require.NoError(t, err)
	f.RequireBalance(demand.ID, "1012.50")
	f.jumpTo(calendar.MustDate(2027, time.March, 2))
	f.runEOD()
	f.RequireBalance(demand.ID, "101350.00")
	requireDec(t, dec("1350.00"), f.chartBalance(ledger.CodeInterestExpense), "four payouts of 337.50")
	f.RequireTrialBalanced()
}

// The same deposit closed on Wednesday 1 July 2026, after its first payout
// (337.50 on 2 June) and 121 days, earns the demand rate: 100000 × 0.35% ×
// 121 / 360 = 42350 / 360 = 117.638... → 117.64. The 337.50 paid is taken
// back: 219.86 comes off the principal, 99 780.14 is paid out, and the
// bank's interest expense is 117.64 in the end.
func testClassicInterestPayoutsClosedEarly(t *testing.T, f *fixture) {
	f.setProduct("cn-interest", classicProduct(interest.InterestPayouts, func(r *interest.TermRules) { r.PayoutMonths = 3 }))
	f.setProduct("demand", pbocDemand())
	demand := f.Open("alice")
	f.Deposit(demand.ID, "100000.00")
	td, err := f.openClassic(demand.ID, "cn-interest", "100000.00", 12)
	require.NoError(t, err)
	f.jumpTo(calendar.MustDate(2026, time.June, 2))
	require.Equal(t, 1, f.runEOD().Payouts)
	f.RequireBalance(demand.ID, "337.50")
	// The demand account earns from here on (so no accrual runs back over
	// the jump); its product gives the demand rate.
	_, err = f.eod.AssignInterestProduct(f.Ctx, demand.ID, "demand")
	require.NoError(t, err)

	f.jumpTo(calendar.MustDate(2026, time.July, 1))
	c, _, err := f.eod.CloseTimeDepositEarly(f.Ctx, td.ID)
	require.NoError(t, err)
	require.Equal(t, 121, c.DaysHeld)
	require.Equal(t, "-219.86", c.Interest.ValueString())
	require.Equal(t, "99780.14", c.Payout.ValueString())
	f.RequireBalance(td.ID, "0.00")
	f.RequireBalance(demand.ID, "100117.64")
	requireDec(t, dec("117.64"), f.chartBalance(ledger.CodeInterestExpense), "337.50 paid, 219.86 taken back")
	f.RequireTrialBalanced()
}

// 10 000.00 from 2 March 2026 with no term, bands 3 months 1.05%, 6
// months 1.25%, a year 1.35%, at 60%. Withdrawn on Friday 18 September
// after 200 days, it has reached six months (2 September): 1.25% × 60% =
// 0.75%, 10000 × 0.0075 × 200 / 360 = 41.666... → 41.67.
func testClassicFlexible(t *testing.T, f *fixture) {
	f.setProduct("cn-flexible", classicProduct(interest.Flexible, func(r *interest.TermRules) {
		r.FlexibleFraction = dec("0.6")
		r.Bands = []interest.Band{{Months: 3, Rate: dec("0.0105")}, {Months: 6, Rate: dec("0.0125")}, {Months: 12, Rate: dec("0.0135")}}
	}))
	f.setProduct("demand", pbocDemand())
	demand := f.saver("alice", "10000.00", "demand")
	_, err := f.openClassic(demand.ID, "cn-flexible", "10000.00", 12)
	requireInvalid(t, err, "term_months")
	td, err := f.openClassic(demand.ID, "cn-flexible", "10000.00", 0)
	require.NoError(t, err)
	f.jumpTo(calendar.MustDate(2026, time.September, 18))
	c, _, err := f.eod.CloseTimeDepositEarly(f.Ctx, td.ID)
	require.NoError(t, err)
	require.Equal(t, 200, c.DaysHeld)
	require.Equal(t, "41.67", c.Interest.ValueString())
	require.False(t, c.PenaltyApplied)
	f.RequireBalance(demand.ID, "10041.67")
	f.RequireTrialBalanced()
}

// 120 000.00 on seven-day notice at 1.10% from 2 March 2026, at least
// 50 000.00 opened, withdrawn and left. Notice of 50 000.00 on 19 March
// falls due on 26 March (24 days held): 60 000.00 withdrawn that day earns
// 50000 × 1.10% × 24/360 = 36.666... and 10000 × 0.35% × 24/360 =
// 2.333..., 39.00 in all. The other 60 000.00, withdrawn the same day
// without notice, earns 60000 × 0.35% × 24/360 = 14.00 and closes it.
func testClassicNotice(t *testing.T, f *fixture) {
	p := classicProduct(interest.Notice, func(r *interest.TermRules) {
		r.NoticeDays = 7
		r.MinimumDeposit, r.MinimumWithdrawal, r.MinimumRemaining = dec("50000"), dec("50000"), dec("50000")
	})
	p.Credit[0].Rate = interest.Flat(dec("0.011"))
	f.setProduct("cn-notice7", p)
	f.setProduct("demand", pbocDemand())
	demand := f.saver("alice", "200000.00", "demand")
	_, err := f.openClassic(demand.ID, "cn-notice7", "49999.99", 0)
	requireInvalid(t, err, "principal")
	td, err := f.openClassic(demand.ID, "cn-notice7", "120000.00", 0)
	require.NoError(t, err)

	f.jumpTo(calendar.MustDate(2026, time.March, 19))
	_, err = f.eod.GiveNotice(f.Ctx, td.ID, cny("80000.00"))
	requireInvalid(t, err, "amount") // would leave 40 000.00
	noticed, err := f.eod.GiveNotice(f.Ctx, td.ID, cny("50000.00"))
	require.NoError(t, err)
	require.Equal(t, calendar.MustDate(2026, time.March, 26), noticed.Terms.Notice.Due)

	f.jumpTo(calendar.MustDate(2026, time.March, 26))
	w, _, err := f.eod.WithdrawNotice(f.Ctx, td.ID, cny("60000.00"))
	require.NoError(t, err)
	require.Equal(t, "50000.00", w.Noticed.ValueString())
	require.Equal(t, "39.00", w.Interest.ValueString())
	f.RequireBalance(demand.ID, "140039.00")
	f.RequireBalance(td.ID, "60000.00")
	_, _, err = f.eod.WithdrawNotice(f.Ctx, td.ID, cny("40000.00"))
	requireInvalid(t, err, "amount")

	w, _, err = f.eod.WithdrawNotice(f.Ctx, td.ID, cny("60000.00"))
	require.NoError(t, err)
	require.Equal(t, "14.00", w.Interest.ValueString())
	require.True(t, w.Closed)
	f.RequireBalance(demand.ID, "200053.00")
	got, err := f.eod.TimeDeposit(f.Ctx, td.ID)
	require.NoError(t, err)
	require.Equal(t, endofday.TimeDepositClosed, got.Status)
	f.RequireTrialBalanced()
}
