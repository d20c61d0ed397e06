package endofdaytest

import (
	"testing"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/endofday"
	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/bankkit/bankkit/money"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

var interestTests = []test{
	{Name: "AccruesDailyAndPostsAtMonthEnd", Run: testAccruesAndPostsMonthly},
	{Name: "WeekendAccruedOnFriday", Run: testWeekendAccruedOnFriday},
	{Name: "PeriodEndOnWeekendValueDated", Run: testPeriodEndOnWeekend},
	{Name: "TaxAndDebitInterestSeparateLines", Run: testTaxAndDebitLines},
	{Name: "RoundingRemainderCarried", Run: testRoundingCarry},
	{Name: "RateChangeFromEffectiveDate", Run: testRateChange},
	{Name: "AverageBalanceTrueUpBooked", Run: testAverageBalanceTrueUp},
	{Name: "RefusedPostingRetried", Run: testRefusedPostingRetried},
	{Name: "ProductValidation", Run: testProductValidation},
}

// 1000.00 at 3.65% ACT/365F earns exactly 0.10 a day.
func testAccruesAndPostsMonthly(t *testing.T, f *fixture) {
	f.setProduct("savings", product("0.0365", interest.Monthly))
	a := f.saver("alice", "1000.00", "savings")
	f.runThrough(calendar.MustDate(2026, time.March, 30))
	f.RequireBalance(a.ID, "1000.00")
	requireDec(t, dec("2.90"), f.chartBalance(ledger.CodeInterestPayable), "payable after 29 days")

	sum := f.runEOD() // Tuesday 31 March: the 30th day, and the month end
	require.Equal(t, 1, sum.Postings)
	require.True(t, cny("3.00").Equal(sum.InterestPosted[money.CNY]), "posted %v", sum.InterestPosted)
	f.RequireBalance(a.ID, "1003.00")
	lines := f.interestLines(a.ID)
	require.Len(t, lines, 1)
	require.Equal(t, calendar.MustDate(2026, time.March, 31), lines[0].ValueDate)
	require.Equal(t, "Interest 2026-03-02 to 2026-03-31", lines[0].Description)
	requireDec(t, decimal.Zero, f.chartBalance(ledger.CodeInterestPayable), "payable once paid")
	requireDec(t, dec("3.00"), f.chartBalance(ledger.CodeInterestExpense), "expense")
	f.RequireTrialBalanced()

	// April accrues on the new balance: 1003.00 × 3.65% / 365 = 0.1003.
	f.runEOD()
	ia, err := f.eod.InterestAccount(f.Ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, calendar.MustDate(2026, time.April, 1), ia.Accrual.LastAccrued)
	requireDec(t, dec("0.1003"), ia.Accrual.Credit, "1 April's accrual")
}

func testWeekendAccruedOnFriday(t *testing.T, f *fixture) {
	f.setProduct("savings", product("0.0365", interest.Monthly))
	a := f.saver("alice", "1000.00", "savings")
	f.runThrough(calendar.MustDate(2026, time.March, 5))
	sum := f.runEOD() // Friday 6 March
	require.Equal(t, calendar.MustDate(2026, time.March, 9), sum.Next)
	require.Equal(t, 3, sum.DaysAccrued, "Friday, Saturday and Sunday")
	ia, err := f.eod.InterestAccount(f.Ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, calendar.MustDate(2026, time.March, 8), ia.Accrual.LastAccrued)
	requireDec(t, dec("0.70"), ia.Accrual.Credit, "2 to 8 March")
	require.Equal(t, 7, ia.Accrual.Days)
}

// May 2026 ends on a Sunday: the Friday run posts May's interest dated
// 31 May, which counts in the balance from then and not before.
func testPeriodEndOnWeekend(t *testing.T, f *fixture) {
	f.setProduct("savings", product("0.0365", interest.Monthly))
	a := f.saver("alice", "1000.00", "savings")
	f.runThrough(calendar.MustDate(2026, time.May, 29))
	require.Equal(t, calendar.MustDate(2026, time.June, 1), f.Today)
	lines := f.interestLines(a.ID)
	require.Len(t, lines, 3)
	require.Equal(t, calendar.MustDate(2026, time.May, 31), lines[2].ValueDate)
	// April on 1003.00: 30 × 0.1003 = 3.009 → 3.01 (carry -0.001); May on
	// 1006.01: 31 × 0.100601 = 3.118631, plus the carry, 3.117631 → 3.12.
	require.Equal(t, "3.12", lines[2].Amount.ValueString())
	friday, err := f.Svc.BalanceAsOf(f.Ctx, a.ID, calendar.MustDate(2026, time.May, 29))
	require.NoError(t, err)
	require.Equal(t, "1006.01", friday.ValueString())
	f.RequireBalance(a.ID, "1009.13")
}

// 1000.00 earns 0.10 a day, 20% of it withheld; an overdraft of 100.00 at
// 18.25% costs 0.05 a day. Each posting is one entry with its own lines.
func testTaxAndDebitLines(t *testing.T, f *fixture) {
	p := product("0.0365", interest.Monthly)
	p.WithholdingTax = dec("0.2")
	p.Debit = interest.RateSchedule{{Effective: epoch, Rate: interest.Flat(dec("0.1825"))}}
	f.setProduct("current", p)
	saver := f.saver("alice", "1000.00", "current")
	borrower := f.OpenWith(ledger.OpenAccountRequest{OwnerID: "bob", Product: ledger.ProductDemand, Currency: money.CNY, Policy: ledger.Overdraft(dec("500"))})
	_, err := f.Svc.Withdraw(f.Ctx, ledger.WithdrawalRequest{AccountID: borrower.ID, Amount: cny("100.00")})
	require.NoError(t, err)
	_, err = f.eod.AssignInterestProduct(f.Ctx, borrower.ID, "current")
	require.NoError(t, err)

	sums := f.runThrough(calendar.MustDate(2026, time.March, 31))
	last := sums[len(sums)-1]
	require.True(t, cny("3.00").Equal(last.InterestPosted[money.CNY]))
	require.True(t, cny("0.60").Equal(last.TaxWithheld[money.CNY]))
	require.True(t, cny("1.50").Equal(last.DebitInterest[money.CNY]))
	f.RequireBalance(saver.ID, "1002.40")
	f.RequireBalance(borrower.ID, "-101.50")

	payable, err := f.Svc.ChartAccount(f.Ctx, money.CNY, ledger.CodeInterestPayable)
	require.NoError(t, err)
	tax, err := f.Svc.ChartAccount(f.Ctx, money.CNY, endofday.CodeTaxPayable)
	require.NoError(t, err)
	receivable, err := f.Svc.ChartAccount(f.Ctx, money.CNY, ledger.CodeInterestReceivable)
	require.NoError(t, err)
	credit := f.interestLines(saver.ID)
	require.Len(t, credit, 1)
	e, err := f.Svc.Entry(f.Ctx, credit[0].EntryID)
	require.NoError(t, err)
	requirePostings(t, []ledger.Posting{
		{AccountID: payable.ID, Side: ledger.Debit, Amount: cny("3.00")},
		{AccountID: saver.ID, Side: ledger.Credit, Amount: cny("2.40")},
		{AccountID: tax.ID, Side: ledger.Credit, Amount: cny("0.60")},
	}, e.Postings)
	debit := f.interestLines(borrower.ID)
	require.Len(t, debit, 1)
	e, err = f.Svc.Entry(f.Ctx, debit[0].EntryID)
	require.NoError(t, err)
	requirePostings(t, []ledger.Posting{
		{AccountID: borrower.ID, Side: ledger.Debit, Amount: cny("1.50")},
		{AccountID: receivable.ID, Side: ledger.Credit, Amount: cny("1.50")},
	}, e.Postings)

	requireDec(t, decimal.Zero, f.chartBalance(ledger.CodeInterestPayable), "payable")
	requireDec(t, decimal.Zero, f.chartBalance(ledger.CodeInterestReceivable), "receivable")
	requireDec(t, dec("1.50"), f.chartBalance(ledger.CodeInterestIncome), "income")
	requireDec(t, dec("0.60"), f.chartBalance(endofday.CodeTaxPayable), "tax payable")
	f.RequireTrialBalanced()
}

// 123.45 at 1% earns 0.00338219... a day: a month's interest is rounded
// once, and the remainder is carried into the next month, not lost.
func testRoundingCarry(t *testing.T, f *fixture) {
	f.setProduct("savings", product("0.01", interest.Monthly))
	a := f.saver("alice", "123.45", "savings")
	f.runThrough(calendar.MustDate(2026, time.April, 30))

	day := func(balance string) decimal.Decimal {
		return dec(balance).Mul(dec("0.01")).DivRound(decimal.NewFromInt(365), 30)
	}
	march := day("123.45").Mul(decimal.NewFromInt(30)) // 2 to 31 March
	marchPaid := march.RoundBank(2)
	carry := march.Sub(marchPaid)
	balance := dec("123.45").Add(marchPaid)
	aprilRaw := balance.Mul(dec("0.01")).DivRound(decimal.NewFromInt(365), 30).Mul(decimal.NewFromInt(30)).Add(carry)
	aprilPaid := aprilRaw.RoundBank(2)

	lines := f.interestLines(a.ID)
	require.Len(t, lines, 2)
	requireDec(t, marchPaid, lines[0].Amount.Amount, "March")
	requireDec(t, aprilPaid, lines[1].Amount.Amount, "April")
	ia, err := f.eod.InterestAccount(f.Ctx, a.ID)
	require.NoError(t, err)
	require.True(t, ia.Accrual.CreditCarry.Sub(aprilRaw.Sub(aprilPaid)).Abs().LessThan(dec("1e-15")),
		"carry %s, want %s", ia.Accrual.CreditCarry, aprilRaw.Sub(aprilPaid))
	// Interest payable holds what was accrued and not paid, within the
	// half minor unit the daily booking carries.
	unpaid := march.Add(aprilRaw.Sub(carry)).Sub(marchPaid).Sub(aprilPaid)
	require.True(t, f.chartBalance(ledger.CodeInterestPayable).Sub(unpaid).Abs().LessThanOrEqual(dec("0.005")),
		"payable %s, unpaid %s", f.chartBalance(ledger.CodeInterestPayable), unpaid)
}

// A rate change set on 10 March, effective 16 March: 14 days at 3.65%
// (0.10 a day on 1000.00) and 16 at 7.30% (0.20 a day).
func testRateChange(t *testing.T, f *fixture) {
	p := product("0.0365", interest.Monthly)
	f.setProduct("savings", p)
	a := f.saver("alice", "1000.00", "savings")
	f.runThrough(calendar.MustDate(2026, time.March, 10))
	p.Credit = append(p.Credit, interest.RateChange{Effective: calendar.MustDate(2026, time.March, 16), Rate: interest.Flat(dec("0.073"))})
	f.setProduct("savings", p)
	f.runThrough(calendar.MustDate(2026, time.March, 31))
	lines := f.interestLines(a.ID)
	require.Len(t, lines, 1)
	require.Equal(t, "4.60", lines[0].Amount.ValueString())
}

// Under the average basis with a minimum of 1600.00, a month averaging
// 1500.00 earns nothing, though its second half (at 2000.00) accrued
// 0.20 a day provisionally: the true-up reverses those accruals out of
// interest payable at the posting.
func testAverageBalanceTrueUp(t *testing.T, f *fixture) {
	p := product("0.0365", interest.Monthly)
	p.Basis = interest.AverageDailyBalance
	p.MinimumBalance = dec("1600")
	f.setProduct("average", p)
	a := f.saver("alice", "1000.00", "average")
	f.runThrough(calendar.MustDate(2026, time.March, 16))
	f.Deposit(a.ID, "1000.00") // 17 March: 15 days at 1000, 15 at 2000
	f.runThrough(calendar.MustDate(2026, time.March, 30))
	requireDec(t, dec("2.80"), f.chartBalance(ledger.CodeInterestPayable), "provisional accruals")
	f.runEOD()
	require.Empty(t, f.interestLines(a.ID))
	f.RequireBalance(a.ID, "2000.00")
	requireDec(t, decimal.Zero, f.chartBalance(ledger.CodeInterestPayable), "payable after the true-up")
	requireDec(t, decimal.Zero, f.chartBalance(ledger.CodeInterestExpense), "expense after the true-up")
}

func testProductValidation(t *testing.T, f *fixture) {
	f.setProduct("savings", product("0.0365", interest.Monthly))
	a := f.Open("alice")

	bad := product("0.0365", interest.Monthly)
	bad.Posting = 0
	requireInvalid(t, f.eod.SetInterestProduct(f.Ctx, "broken", bad), "product")
	requireInvalid(t, f.eod.SetInterestProduct(f.Ctx, "", product("0.01", interest.Monthly)), "product_code")
	requireInvalid(t, f.eod.SetInterestProduct(f.Ctx, "with space", product("0.01", interest.Monthly)), "product_code")
	usdProduct := product("0.01", interest.Monthly)
	usdProduct.Currency = money.USD
	require.ErrorIs(t, f.eod.SetInterestProduct(f.Ctx, "savings", usdProduct), ledger.ErrCurrencyMismatch, "a product keeps its currency")
	require.NoError(t, f.eod.SetInterestProduct(f.Ctx, "dollars", usdProduct))

	_, err := f.eod.AssignInterestProduct(f.Ctx, a.ID, "missing")
	require.ErrorIs(t, err, ledger.ErrNotFound)
	_, err = f.eod.AssignInterestProduct(f.Ctx, a.ID, "dollars")
	require.ErrorIs(t, err, ledger.ErrCurrencyMismatch)
	_, err = f.eod.AssignInterestProduct(f.Ctx, ledger.NilID, "savings")
	requireInvalid(t, err, "account_id")
	_, err = f.eod.AssignInterestProduct(f.Ctx, ledger.NewID(), "savings")
	require.ErrorIs(t, err, ledger.ErrNotFound)
	loan := f.OpenWith(ledger.OpenAccountRequest{OwnerID: "bob", Product: ledger.ProductLoan, Currency: money.CNY})
	_, err = f.eod.AssignInterestProduct(f.Ctx, loan.ID, "savings")
	requireInvalid(t, err, "account_id")

	first, err := f.eod.AssignInterestProduct(f.Ctx, a.ID, "savings")
	require.NoError(t, err)
	require.Equal(t, f.Today, first.From)
	again, err := f.eod.AssignInterestProduct(f.Ctx, a.ID, "savings")
	require.NoError(t, err, "assigning the same product twice is harmless")
	require.Equal(t, first, again)
	f.setProduct("other", product("0.02", interest.Monthly))
	_, err = f.eod.AssignInterestProduct(f.Ctx, a.ID, "other")
	require.ErrorIs(t, err, ledger.ErrDuplicate)
}

// A frozen account refuses its month-end interest: the run reports it and
// goes on, the account waits at its unposted period end, and once it is
// unfrozen the next run posts March (dated 31 March) and accrues the days
// since on the capitalised balance.
func testRefusedPostingRetried(t *testing.T, f *fixture) {
	f.setProduct("savings", product("0.0365", interest.Monthly))
	a := f.saver("alice", "1000.00", "savings")
	other := f.saver("bob", "1000.00", "savings")
	f.runThrough(calendar.MustDate(2026, time.March, 30))
	_, err := f.Svc.Freeze(f.Ctx, a.ID, ledger.StatusFrozen)
	require.NoError(t, err)

	sum := f.runEOD()
	require.Len(t, sum.Failures, 1)
	require.Equal(t, a.ID, sum.Failures[0].ID)
	require.Equal(t, endofday.StepAccrual, sum.Failures[0].Step)
	require.Equal(t, 1, sum.Postings, "the other account is paid")
	f.RequireBalance(other.ID, "1003.00")
	f.RequireBalance(a.ID, "1000.00")

	sum = f.runEOD() // 1 April, still frozen
	require.Len(t, sum.Failures, 1)
	ia, err := f.eod.InterestAccount(f.Ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, calendar.MustDate(2026, time.March, 31), ia.Accrual.LastAccrued, "waits at the period end")

	_, err = f.Svc.Unfreeze(f.Ctx, a.ID)
	require.NoError(t, err)
	sum = f.runEOD() // 2 April
	require.Empty(t, sum.Failures)
	f.RequireBalance(a.ID, "1003.00")
	lines := f.interestLines(a.ID)
	require.Len(t, lines, 1)
	require.Equal(t, calendar.MustDate(2026, time.March, 31), lines[0].ValueDate)
	ia, err = f.eod.InterestAccount(f.Ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, calendar.MustDate(2026, time.April, 2), ia.Accrual.LastAccrued)
	requireDec(t, dec("0.2006"), ia.Accrual.Credit, "1 and 2 April on 1003.00")
	// Interest payable holds both accounts' April: 4 × 0.1003 booked as
	// 0.20 a night.
	requireDec(t, dec("0.40"), f.chartBalance(ledger.CodeInterestPayable), "payable")
}
