package endofdaytest

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/endofday"
	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/bankkit/bankkit/money"
	"github.com/stretchr/testify/require"
)

// chineseTests are the deposit conventions of Chinese banks: the PBoC's
// settlement of demand deposits on the 20th, time-deposit interest by
// term, early and partial early withdrawal, and the classic RMB products.
var chineseTests = []test{
	{Name: "DemandSettledOnThe20thCreditedOnThe21st", Run: testSettlementOnThe20th},
	{Name: "TimeDepositYearAcross29FebruaryPaysTheYearsRate", Run: testYearAcrossLeapDay},
	{Name: "TimeDepositEarlyClosureDemandRateOn360Days", Run: testChineseEarlyClosure},
	{Name: "TimeDepositPartialEarlyWithdrawal", Run: testPartialEarlyWithdrawal},
	{Name: "TimeDepositAfterMaturityDemandRate", Run: testAfterMaturity},
	{Name: "DepositOperationsRetriedAfterACrash", Run: testDepositOperationsRetried},
}

// crashingUpdates fails the n-th UpdateTimeDeposit from now (1 = the
// next), as a crash between an operation's entry and the record of it
// would: the first update records the operation as pending, the second
// saves its terms.
type crashingUpdates struct {
	endofday.Store
	failAt atomic.Int32
}

func (s *crashingUpdates) UpdateTimeDeposit(ctx context.Context, id ledger.ID, fn func(endofday.TimeDeposit) (endofday.TimeDeposit, error)) (endofday.TimeDeposit, error) {
	if s.failAt.Add(-1) == 0 {
		return endofday.TimeDeposit{}, errInjected
	}
	return s.Store.UpdateTimeDeposit(ctx, id, fn)
}

// An instalment and a partial withdrawal whose entries posted but whose
// terms were not saved are finished by the next thing asked of the
// deposit, even another request, and pay once: one instalment of
// 1 000.00; the withdrawal of testPartialEarlyWithdrawal (40 066.11 out),
// after which a different second withdrawal is refused as the second of
// the term.
func testDepositOperationsRetried(t *testing.T, f *fixture) {
	crash := &crashingUpdates{Store: f.eodStore}
	f.eodStore = crash
	f.withOptions()
	f.setProduct("cnterm", cnTerm())
	f.setProduct("demand", pbocDemand())
	f.setProduct("cn-instalments", classicProduct(interest.Instalments, nil))
	demand := f.saver("alice", "102000.00", "demand")
	td := f.cnDeposit(demand.ID, "100000.00", 12, interest.PayOut)
	plan, err := f.openClassic(demand.ID, "cn-instalments", "1000.00", 12)
	require.NoError(t, err)
	f.RequireBalance(demand.ID, "1000.00")

	f.jumpTo(calendar.MustDate(2026, time.April, 2))
	crash.failAt.Store(2)
	_, _, err = f.eod.PayInstalment(f.Ctx, plan.ID)
	require.ErrorIs(t, err, errInjected)
	f.RequireBalance(plan.ID, "2000.00") // posted, not yet recorded
	pending, err := f.eod.TimeDeposit(f.Ctx, plan.ID)
	require.NoError(t, err)
	require.NotNil(t, pending.Pending)
	require.Len(t, pending.Terms.PaidOn, 1)
	_, _, err = f.eod.PayInstalment(f.Ctx, plan.ID)
	require.ErrorIs(t, err, interest.ErrInstalment, "April is paid: the pending instalment was finished first")
	stored, err := f.eod.TimeDeposit(f.Ctx, plan.ID)
	require.NoError(t, err)
	require.Nil(t, stored.Pending)
	require.Len(t, stored.Terms.PaidOn, 2)
	f.RequireBalance(plan.ID, "2000.00")
	f.RequireBalance(demand.ID, "0.00")

	// May's instalment, refused for want of funds, leaves nothing pending;
	// one that fails before its entry posts changes nothing either.
	f.jumpTo(calendar.MustDate(2026, time.May, 4))
	_, _, err = f.eod.PayInstalment(f.Ctx, plan.ID)
	require.ErrorIs(t, err, ledger.ErrInsufficientFunds)
	stored, err = f.eod.TimeDeposit(f.Ctx, plan.ID)
	require.NoError(t, err)
	require.Nil(t, stored.Pending)
	f.Deposit(demand.ID, "1000.00")
	crash.failAt.Store(1)
	_, _, err = f.eod.PayInstalment(f.Ctx, plan.ID)
	require.ErrorIs(t, err, errInjected)
	f.RequireBalance(demand.ID, "1000.00")
	stored, _, err = f.eod.PayInstalment(f.Ctx, plan.ID)
	require.NoError(t, err)
	require.Len(t, stored.Terms.PaidOn, 3)
	f.RequireBalance(plan.ID, "3000.00")
	f.RequireBalance(demand.ID, "0.00")

	f.jumpTo(calendar.MustDate(2026, time.August, 19))
	crash.failAt.Store(2)
	_, _, err = f.eod.WithdrawTimeDepositPart(f.Ctx, td.ID, cny("40000.00"))
	require.ErrorIs(t, err, errInjected)
	f.RequireBalance(demand.ID, "40066.11")
	_, _, err = f.eod.WithdrawTimeDepositPart(f.Ctx, td.ID, cny("10000.00"))
	require.ErrorIs(t, err, interest.ErrPartLimit, "the first withdrawal was finished, and was the term's one")
	f.RequireBalance(demand.ID, "40066.11")
	f.RequireBalance(td.ID, "60000.00")
	got, err := f.eod.TimeDeposit(f.Ctx, td.ID)
	require.NoError(t, err)
	require.Nil(t, got.Pending)
	require.Equal(t, "60000.00", got.Terms.Principal.ValueString())
	require.Equal(t, 1, got.Terms.PartsWithdrawn)
	f.RequireTrialBalanced()
}

// cnTerm is a time-deposit product under the rules of Chinese banks:
// 1.50% a year, ACT/360, interest rounded half-up to the fen, a full term
// by months, early withdrawal and the days after maturity at the demand
// rate on ACT/360, one partial withdrawal leaving at least 50.00.
func cnTerm() interest.Product {
	p := product("0.015", interest.AtMaturity)
	p.DayCount, p.Rounding = money.Act360, money.HalfUp
	p.Term = interest.ChineseTermRules(dec("50.00"))
	return p
}

// jumpTo moves the business date straight to d, with no end of day in
// between: for tests of what happens on a date far ahead.
func (f *fixture) jumpTo(d calendar.Date) {
	f.T.Helper()
	require.NoError(f.T, f.eodStore.AdvanceBusinessDate(f.Ctx, f.Today, d))
	f.moveTo(d)
}

// cnDeposit opens a deposit of the "cnterm" product.
func (f *fixture) cnDeposit(demand ledger.ID, principal string, months int, in interest.Instruction) endofday.TimeDeposit {
	f.T.Helper()
	r, err := f.eod.OpenTimeDeposit(f.Ctx, endofday.OpenTimeDepositRequest{
		DemandAccountID: demand, Principal: cny(principal), TermMonths: months,
		ProductCode: "cnterm", Instruction: in, IdempotencyKey: "cn-" + ledger.NewID().String(),
	})
	require.NoError(f.T, err)
	return r.Deposit
}

// 100 000.00 for a year from Monday 15 March 2027 matures on Wednesday 15
// March 2028, 366 days later, 29 February 2028 between: by months it
// pays 100000 × 1.50% × 12/12 = 1500.00 exactly. (The day count would pay
// 100000 × 0.015 × 366/360 = 1525.00.)
func testYearAcrossLeapDay(t *testing.T, f *fixture) {
	f.setProduct("cnterm", cnTerm())
	demand := f.Open("alice")
	f.jumpTo(calendar.MustDate(2027, time.March, 15))
	f.Deposit(demand.ID, "100000.00")
	td := f.cnDeposit(demand.ID, "100000.00", 12, interest.PayOut)
	require.True(t, td.Terms.Rules.ByMonths, "the product's rules are the deposit's")
	require.Equal(t, calendar.MustDate(2028, time.March, 15), td.Terms.Maturity())
	f.RequireBalance(demand.ID, "0.00")

	f.jumpTo(calendar.MustDate(2028, time.March, 15))
	sum := f.runEOD()
	require.Equal(t, 1, sum.Maturities)
	require.Empty(t, sum.Failures)
	f.RequireBalance(demand.ID, "101500.00")
	f.RequireBalance(td.ID, "0.00")
	requireDec(t, dec("1500.00"), f.chartBalance(ledger.CodeInterestExpense), "the year's interest")
	f.RequireTrialBalanced()
}

// The demand account earns 0.35% (pbocDemand). 100 000.00 placed for a
// year on Monday 2 March 2026 and closed on Wednesday 19 August after 170
// days (31+30+31+30+31+17) earns 100000 × 0.35% × 170 / 360 = 59500 / 360
// = 165.2777... → 165.28, not the term's 1.50% (which would be 708.33).
func testChineseEarlyClosure(t *testing.T, f *fixture) {
	f.setProduct("cnterm", cnTerm())
	f.setProduct("demand", pbocDemand())
	demand := f.saver("alice", "100000.00", "demand")
	td := f.cnDeposit(demand.ID, "100000.00", 12, interest.PayOut)
	f.jumpTo(calendar.MustDate(2026, time.August, 19))
	c, receipt, err := f.eod.CloseTimeDepositEarly(f.Ctx, td.ID)
	require.NoError(t, err)
	require.Equal(t, 170, c.DaysHeld)
	require.Equal(t, "165.28", c.Interest.ValueString())
	require.Equal(t, "543.05", c.Forgone.ValueString(), "100000 × 1.5%% × 170/360 = 708.33, less 165.28")
	require.True(t, c.PenaltyApplied)
	require.Contains(t, receipt.Entry.Description, "demand-deposit rate of 0.35%")
	f.RequireBalance(demand.ID, "100165.28")
	f.RequireBalance(td.ID, "0.00")
	got, err := f.eod.TimeDeposit(f.Ctx, td.ID)
	require.NoError(t, err)
	require.Equal(t, endofday.TimeDepositClosed, got.Status)
	f.RequireTrialBalanced()
}

// From the same deposit 40 000.00 is withdrawn on 19 August 2026, after
// 170 days: 40000 × 0.35% × 170 / 360 = 23800 / 360 = 66.111... → 66.11,
// so 40 066.11 reaches the demand account. The other 60 000.00 keeps
// 1.50% and matures on Tuesday 2 March 2027 with 60000 × 1.50% × 12/12 =
// 900.00: 60 900.00 more.
func testPartialEarlyWithdrawal(t *testing.T, f *fixture) {
	f.setProduct("cnterm", cnTerm())
	f.setProduct("demand", pbocDemand())
	demand := f.saver("alice", "100000.00", "demand")
	td := f.cnDeposit(demand.ID, "100000.00", 12, interest.PayOut)
	f.jumpTo(calendar.MustDate(2026, time.August, 19))

	// The rest may not fall below the product's 50.00.
	_, _, err := f.eod.WithdrawTimeDepositPart(f.Ctx, td.ID, cny("99950.01"))
	requireInvalid(t, err, "amount")
	_, _, err = f.eod.WithdrawTimeDepositPart(f.Ctx, td.ID, cny("100000.00"))
	requireInvalid(t, err, "amount")
	_, _, err = f.eod.WithdrawTimeDepositPart(f.Ctx, td.ID, cny("0.00"))
	requireInvalid(t, err, "amount")
	_, _, err = f.eod.WithdrawTimeDepositPart(f.Ctx, td.ID, usd("10.00"))
	require.ErrorIs(t, err, ledger.ErrCurrencyMismatch)
	f.RequireBalance(demand.ID, "0.00")

	pw, _, err := f.eod.WithdrawTimeDepositPart(f.Ctx, td.ID, cny("40000.00"))
	require.NoError(t, err)
	require.Equal(t, 170, pw.DaysHeld)
	require.Equal(t, "66.11", pw.Interest.ValueString())
	require.Equal(t, "40066.11", pw.Payout.ValueString())
	f.RequireBalance(demand.ID, "40066.11")
	f.RequireBalance(td.ID, "60000.00")
	got, err := f.eod.TimeDeposit(f.Ctx, td.ID)
	require.NoError(t, err)
	require.Equal(t, endofday.TimeDepositOpen, got.Status)
	require.Equal(t, "60000.00", got.Terms.Principal.ValueString())
	require.Equal(t, 1, got.Terms.PartsWithdrawn)
	require.Equal(t, td.Terms.Maturity(), got.Terms.Maturity(), "the rest keeps its maturity")
	requireDec(t, dec("0.015"), got.Terms.Rate, "and its rate")

	_, _, err = f.eod.WithdrawTimeDepositPart(f.Ctx, td.ID, cny("100.00"))
	require.ErrorIs(t, err, interest.ErrPartLimit, "one partial withdrawal a term")
	f.RequireBalance(td.ID, "60000.00")

	// At maturity the demand account also settles the year's demand
	// interest; the maturity is its own entry of 60 900.00.
	f.jumpTo(calendar.MustDate(2027, time.March, 2))
	sum := f.runEOD()
	require.Equal(t, 1, sum.Maturities)
	require.Empty(t, sum.Failures)
	f.RequireBalance(td.ID, "0.00")
	var maturity []string
	for _, l := range f.interestLines(demand.ID) {
		if l.ValueDate == calendar.MustDate(2027, time.March, 2) {
			maturity = append(maturity, l.Amount.ValueString())
		}
	}
	require.Equal(t, []string{"60900.00"}, maturity)
	f.RequireTrialBalanced()
}

// A deposit held at maturity (Hold) on Tuesday 2 March 2027 holds
// 100000 + 100000 × 1.50% = 101 500.00. Paid out 30 days later on
// Thursday 1 April, it earns 101500 × 0.35% × 30 / 360 = 10657.5 / 360 =
// 29.604... → 29.60 at the demand rate: 101 529.60 to the demand account.
// Renewed instead, it starts a new term on 101 529.60.
func testAfterMaturity(t *testing.T, f *fixture) {
	f.setProduct("cnterm", cnTerm())
	f.setProduct("demand", pbocDemand())
	demand := f.Open("alice")
	f.Deposit(demand.ID, "200000.00")
	paid := f.cnDeposit(demand.ID, "100000.00", 12, interest.Hold)
	renewed := f.cnDeposit(demand.ID, "100000.00", 12, interest.Hold)
	f.jumpTo(calendar.MustDate(2027, time.March, 2))
	sum := f.runEOD()
	require.Equal(t, 2, sum.Maturities)
	f.RequireBalance(paid.ID, "101500.00")
	// The demand account earns from here on; its rate is the one paid
	// after maturity.
	_, err := f.eod.AssignInterestProduct(f.Ctx, demand.ID, "demand")
	require.NoError(t, err)

	f.jumpTo(calendar.MustDate(2027, time.April, 1))
	c, _, err := f.eod.CloseTimeDepositEarly(f.Ctx, paid.ID)
	require.NoError(t, err)
	require.Equal(t, "29.60", c.Interest.ValueString())
	require.False(t, c.PenaltyApplied)
	f.RequireBalance(demand.ID, "101529.60")
	f.RequireBalance(paid.ID, "0.00")

	td, err := f.eod.RenewHeldTimeDeposit(f.Ctx, renewed.ID, 6, interest.PayOut)
	require.NoError(t, err)
	require.Equal(t, "101529.60", td.Terms.Principal.ValueString())
	require.Equal(t, calendar.MustDate(2027, time.April, 1), td.Terms.Start)
	f.RequireBalance(renewed.ID, "101529.60")
	_, err = f.eod.RenewHeldTimeDeposit(f.Ctx, renewed.ID, 6, interest.PayOut)
	require.ErrorIs(t, err, endofday.ErrTimeDepositState, "renewed once")
	f.RequireBalance(renewed.ID, "101529.60")
	f.RequireTrialBalanced()
}

// pbocDemand is a demand deposit as the People's Bank of China settles
// it (《人民币单位存款管理办法》; 银发〔2005〕129号): 0.35% a year, a day's
// interest being the annual rate / 360, settled quarterly on the 20th of
// the last month of each quarter and credited on the 21st.
func pbocDemand() interest.Product {
	p := product("0.0035", interest.Quarterly)
	p.DayCount = money.Act360
	p.Settlement = interest.Cycle{Day: 20}
	p.PayNextDay = true
	return p
}

// 10 000.00 from Monday 2 March 2026 to Friday 20 March is 19 days:
// 10000 × 0.0035 × 19 / 360 = 665 / 360 = 1.847222... → 1.85 (carry
// -0.002777...), credited with value date Saturday 21 March. From the 21st
// the balance 10 001.85 earns 10001.85 × 0.0035 / 360 = 0.09724020833...
// a day: 12 days to 1 April are 420.0777 / 360 = 1.1668825. Nothing is
// posted on 31 March, the calendar quarter end.
func testSettlementOnThe20th(t *testing.T, f *fixture) {
	f.setProduct("demand", pbocDemand())
	a := f.saver("alice", "10000.00", "demand")
	f.runThrough(calendar.MustDate(2026, time.March, 19))
	require.Empty(t, f.interestLines(a.ID))

	sum := f.runEOD() // Friday 20 March: accrues the 20th, posts, accrues the weekend
	require.Equal(t, 1, sum.Postings)
	require.True(t, cny("1.85").Equal(sum.InterestPosted[money.CNY]), "posted %v", sum.InterestPosted)
	lines := f.interestLines(a.ID)
	require.Len(t, lines, 1)
	require.Equal(t, calendar.MustDate(2026, time.March, 21), lines[0].ValueDate)
	require.Equal(t, "1.85", lines[0].Amount.ValueString())
	require.Equal(t, "Interest 2026-03-02 to 2026-03-20", lines[0].Description)
	on20, err := f.Svc.BalanceAsOf(f.Ctx, a.ID, calendar.MustDate(2026, time.March, 20))
	require.NoError(t, err)
	require.Equal(t, "10000.00", on20.ValueString())
	on21, err := f.Svc.BalanceAsOf(f.Ctx, a.ID, calendar.MustDate(2026, time.March, 21))
	require.NoError(t, err)
	require.Equal(t, "10001.85", on21.ValueString())

	f.runThrough(calendar.MustDate(2026, time.April, 1))
	require.Len(t, f.interestLines(a.ID), 1, "no settlement on the calendar quarter end")
	ia, err := f.eod.InterestAccount(f.Ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, calendar.MustDate(2026, time.March, 21), ia.Accrual.PeriodStart)
	require.Equal(t, 12, ia.Accrual.Days)
	requireDec(t, dec("1.1668825"), ia.Accrual.Credit.Round(10), "21 March to 1 April")
	requireDec(t, dec("-0.0027777778"), ia.Accrual.CreditCarry.Round(10), "carry of the first settlement")
	f.RequireTrialBalanced()

	got, err := f.eod.InterestProduct(f.Ctx, "demand")
	require.NoError(t, err)
	require.Equal(t, interest.Cycle{Day: 20}, got.Settlement, "the store keeps the settlement cycle")
	require.True(t, got.PayNextDay)
}
