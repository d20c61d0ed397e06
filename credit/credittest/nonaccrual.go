package credittest

import (
	"testing"

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
