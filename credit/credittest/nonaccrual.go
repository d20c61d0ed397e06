package credittest

import (
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/credit"
)

// A loan more than 90 days past due (or substandard and worse) stops
// accruing: the end of day reverses the interest and charges recognised
// and unpaid, tracks what falls due off balance sheet, and what the
// borrower pays then is income at once. The standard loan (100,000.00
// at 6%, 8,606.64 a month, first due 2 April), nothing paid:
//   - end of 1 July, 90 days past due (2 April + 90), still accruing:
//     interest receivable is the first four instalments' interest, each
//     whole by the day before its period ends,
//     500.00 + 459.47 + 418.73 + 377.79 = 1,755.99 (balances 100,000.00,
//     91,893.36, 83,746.19, 75,558.28 at 0.5% a month);
//   - end of 2 July, 91 days: substandard, on non-accrual. 1,755.99 is
//     reversed out of income and receivable, and so are the charges
//     booked; off balance sheet: the 1,755.99 and one day of the fifth
//     period (2 July – 2 August, 31 days): 67,329.43 × 0.5% = 336.65,
//     / 31 = 10.8597 → 10.86; 1,766.85 in all;
//   - 2,000.00 paid in and debited on 3 July: the receivables stay zero,
//     and income rises by what was not principal (the cash basis).
func testNonAccrual(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	l, acct := e.disbursed(e.product("CONSUMER"))
	e.move(acct, "149000.00", "empty", true)
	receivable := func() string { return e.ledger.ChartBalance(credit.ChartInterestReceivable).Neg().StringFixed(2) }
	fees := func() string { return e.ledger.ChartBalance(credit.ChartFeesReceivable).Neg().StringFixed(2) }
	income := func() string {
		return e.ledger.ChartBalance(credit.ChartInterestIncome).Add(e.ledger.ChartBalance(credit.ChartFeesIncome)).StringFixed(2)
	}

	e.eod("2026-07-01")
	l = e.loan(l.ID)
	require.Equal(t, 90, l.Standing.DaysPastDue)
	require.False(t, credit.DefaultNonAccrual.Applies(l))
	require.Equal(t, "1755.99", receivable())
	require.Equal(t, "1755.99", l.Receivable().ValueString())
	charges := fees()
	require.NotEqual(t, "0.00", charges, "penalty and late fees booked while accruing")
	offI, offC := l.OffBalance(calendar.MustParseDate("2026-07-01"))
	require.Equal(t, "0.00", offI.ValueString(), "nothing off balance sheet while accruing")
	require.Equal(t, "0.00", offC.ValueString())
	before := e.ledger.ChartBalance(credit.ChartInterestIncome).Add(e.ledger.ChartBalance(credit.ChartFeesIncome))

	e.eod("2026-07-02")
	l = e.loan(l.ID)
	require.Equal(t, 91, l.Standing.DaysPastDue)
	require.Equal(t, credit.ClassSubstandard, l.Standing.Classification)
	require.True(t, credit.DefaultNonAccrual.Applies(l))
	require.Equal(t, "0.00", receivable(), "accrued interest reversed")
	require.Equal(t, "0.00", fees(), "and the charges booked")
	require.Equal(t, before.Sub(dec("1755.99")).Sub(dec(charges)).StringFixed(2), income(), "both out of income")
	offI, offC = l.OffBalance(calendar.MustParseDate("2026-07-02"))
	require.Equal(t, "1766.85", offI.ValueString(), "1,755.99 and a day of the fifth period, 10.86")
	require.True(t, offC.Amount.GreaterThan(dec(charges)), "the charges reversed and the day's penalty (and the fourth late fee) off balance sheet: %s", offC.ValueString())
	e.eod("2026-07-02") // a re-run moves nothing
	require.Equal(t, "0.00", receivable())

	outstanding, inc := l.Outstanding, e.ledger.ChartBalance(credit.ChartInterestIncome).Add(e.ledger.ChartBalance(credit.ChartFeesIncome))
	e.move(acct, "2000.00", "part", false)
	e.eod("2026-07-03")
	l = e.loan(l.ID)
	require.Equal(t, "0.00", receivable(), "paid interest is income, not a receivable cleared")
	require.Equal(t, "0.00", fees())
	principal := outstanding.Amount.Sub(l.Outstanding.Amount)
	require.Equal(t, dec("2000.00").Sub(principal).StringFixed(2),
		e.ledger.ChartBalance(credit.ChartInterestIncome).Add(e.ledger.ChartBalance(credit.ChartFeesIncome)).Sub(inc).StringFixed(2),
		"income rose by what was paid of interest and charges")

	// Configured away, the same loan keeps accruing.
	e2 := newEnvWith(t, newStore, credit.WithNonAccrual(credit.NonAccrual{}))
	l2, acct2 := e2.disbursed(e2.product("CONSUMER"))
	e2.move(acct2, "149000.00", "empty", true)
	e2.eod("2026-07-02")
	require.Equal(t, 91, e2.loan(l2.ID).Standing.DaysPastDue)
	require.Equal(t, "1766.85", e2.ledger.ChartBalance(credit.ChartInterestReceivable).Neg().StringFixed(2))
	_, err := credit.NewService(e2.store, credit.WithNonAccrual(credit.NonAccrual{From: "bad"}))
	require.Equal(t, "non_accrual.from", field(err))
}

// Restructuring a loan on non-accrual capitalises its unpaid interest and
// charges into the principal but recognises none of it: it waits on
// interest suspense and is released to income as principal is repaid.
// The standard loan, nothing paid, on non-accrual from 2 July (above),
// restructured that day over 24 months:
//   - interest: the four instalments fallen due, 1,755.99, and a day of
//     the fifth period, 10.86: 1,766.85 (what was off balance sheet);
//   - charges: penalty interest at 9% (6% × 1.5) on each instalment's
//     principal for each day after its due date, ACT/365, rounded per
//     instalment and run (runs at the end of 1 and 2 July; no calendar,
//     so due dates fall as they are): 8,106.64 × 9% = 729.5976 a year, for
//     90 days 179.8994 → 179.90, then a day 1.9989 → 2.00; 8,147.17 (due
//     2 May) for 60 days 120.5334 → 120.53, then 2.0089 → 2.01; 8,187.91
//     (due 2 June) for 29 days 58.5497 → 58.55, then 2.0189 → 2.02:
//     365.01 in all, and four late fees of 50.00 (the fourth at the end
//     of its due date, 2 July): 565.01;
//   - the new principal 100,000.00 + 1,766.85 + 565.01 = 102,331.86; the
//     entry debits the loan account 2,331.86 and credits interest
//     suspense 2,331.86: receivables and income do not move;
//   - the first new instalment (due 2 August), debited in full, repays
//     more principal than 2,331.86: suspense is released, 1,766.85 to
//     interest income and 565.01 to fee income, with the instalment's
//     interest (102,331.86 × 0.5% = 511.6593 → 511.66), income when paid
//     (the loan is still substandard).
func testRestructureOnNonAccrual(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	l, acct := e.disbursed(e.product("CONSUMER"))
	e.move(acct, "149000.00", "empty", true)
	interestIncome := func() decimal.Decimal { return e.ledger.ChartBalance(credit.ChartInterestIncome) }
	feesIncome := func() decimal.Decimal { return e.ledger.ChartBalance(credit.ChartFeesIncome) }
	suspense := func() string { return e.ledger.ChartBalance(credit.ChartInterestSuspense).StringFixed(2) }
	e.eod("2026-07-01")
	e.eod("2026-07-02")
	l = e.loan(l.ID)
	require.True(t, credit.DefaultNonAccrual.Applies(l))
	offI, offC := l.OffBalance(calendar.MustParseDate("2026-07-02"))
	require.Equal(t, "1766.85", offI.ValueString())
	require.Equal(t, "565.01", offC.ValueString())
	inI, inF := interestIncome(), feesIncome()

	_, err := e.svc.ProposeRestructure(e.ctx, l.ID, credit.RestructureRequest{Term: 24, Reason: "hardship", By: "officer-1"})
	require.NoError(t, err)
	l = e.approveRestructure(l.ID)
	require.Equal(t, "102331.86", l.Outstanding.ValueString())
	require.Equal(t, "102331.86", e.balance(l.Account))
	require.NotNil(t, l.Suspense)
	require.Equal(t, "1766.85", l.Suspense.Interest.ValueString())
	require.Equal(t, "565.01", l.Suspense.Charges.ValueString())
	require.Equal(t, "2331.86", suspense(), "capitalised, held in suspense")
	require.Equal(t, inI.StringFixed(2), interestIncome().StringFixed(2), "no interest income on restructuring")
	require.Equal(t, inF.StringFixed(2), feesIncome().StringFixed(2), "nor fee income")
	require.Equal(t, "0.00", e.ledger.ChartBalance(credit.ChartInterestReceivable).StringFixed(2))
	require.Equal(t, credit.ClassSubstandard, l.Standing.Classification, "not better on restructuring")
	require.Equal(t, l.Suspense, e.loan(l.ID).Suspense, "the store keeps the suspense")

	first := l.Schedule.Instalments()[0]
	require.Equal(t, "2026-08-02", first.DueDate.String())
	require.Equal(t, "511.66", first.Interest.ValueString())
	require.True(t, first.Principal.Amount.GreaterThan(dec("2331.86")))
	e.move(acct, "10000.00", "salary", false)
	e.eod("2026-08-02")
	l = e.loan(l.ID)
	require.True(t, l.Paid[0].Principal.Equal(first.Principal), "the first instalment is debited in full")
	require.Nil(t, l.Suspense, "principal repaid releases the suspense")
	require.Equal(t, "0.00", suspense())
	require.Equal(t, inI.Add(dec("1766.85")).Add(dec("511.66")).StringFixed(2), interestIncome().StringFixed(2),
		"the suspended interest and the instalment's interest, paid")
	require.Equal(t, inF.Add(dec("565.01")).StringFixed(2), feesIncome().StringFixed(2), "the suspended charges")
	require.Equal(t, "0.00", e.ledger.ChartBalance(credit.ChartInterestReceivable).StringFixed(2))
}

// A write-off of a restructured loan with interest in suspense charges
// losses with the principal lent only: the suspense comes off its own
// account and is tracked as interest and charges written off.
func testWriteOffWithSuspense(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	l, acct := e.disbursed(e.product("CONSUMER"))
	e.move(acct, "149000.00", "empty", true)
	e.eod("2026-07-01")
	e.eod("2026-07-02")
	_, err := e.svc.ProposeRestructure(e.ctx, l.ID, credit.RestructureRequest{Term: 24, Reason: "hardship", By: "officer-1"})
	require.NoError(t, err)
	e.approveRestructure(l.ID)
	l, err = e.svc.WriteOff(e.ctx, l.ID, credit.WriteOffRequest{Reason: "uncollectable", By: "cro", ApprovedBy: "board"})
	require.NoError(t, err)
	require.Equal(t, "100000.00", l.WriteOff.Principal.ValueString())
	require.Equal(t, "1766.85", l.WriteOff.Interest.ValueString())
	require.Equal(t, "565.01", l.WriteOff.Charges.ValueString())
	require.Equal(t, "-100000.00", e.ledger.ChartBalance(credit.ChartLoanLosses).StringFixed(2))
	require.Equal(t, "0.00", e.ledger.ChartBalance(credit.ChartInterestSuspense).StringFixed(2))
	require.Equal(t, "0.00", e.balance(l.Account))
	require.Nil(t, l.Suspense)
}
