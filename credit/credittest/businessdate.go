package credittest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/money"
)

// The Service's day is the business date of its port, not its clock's:
// with the wall clock on Monday 2 March 2026 and the bank's business date
// Wednesday 15 April, the approval step is due two business days after
// the 15th (Friday the 17th), decisions and the contract are dated the
// 15th, the schedule runs from the 15th (first due Friday 15 May), the
// loan can be paid out (its value date has come, though the clock's has
// not), and the end of day runs for the 15th but not the 16th. Timestamps
// stay the clock's. A failing port is ErrUnavailable and changes nothing.
func testBusinessDateFromThePort(t *testing.T, newStore func(*testing.T) credit.Store) {
	day := &BusinessDay{}
	bd := calendar.MustParseDate("2026-04-15")
	day.Set(bd)
	e := newEnvWith(t, newStore, credit.WithBusinessDate(day))
	wall := e.clock.Now()
	require.Equal(t, today, calendar.DateOf(wall), "the wall clock is on 2 March")
	got, err := e.svc.BusinessDate(e.ctx)
	require.NoError(t, err)
	require.Equal(t, bd, got)

	p := e.product("CONSUMER")
	a := e.scored(p, "100000.00")
	require.Equal(t, bd, a.Approval.Started)
	require.Equal(t, calendar.MustParseDate("2026-04-17"), a.Approval.Due)
	late, err := e.svc.LateSteps(e.ctx, calendar.Date{}, credit.Page{Limit: 10})
	require.NoError(t, err)
	require.Empty(t, late, "not late on the business date")

	_, err = e.decide(a.ID, 1, "officer-1", "loan_officer", credit.Approve, "")
	require.NoError(t, err)
	a, err = e.decide(a.ID, 2, "manager-1", "branch_manager", credit.Approve, "")
	require.NoError(t, err)
	require.Equal(t, credit.StatusApproved, a.Status)
	for _, d := range a.Approval.Decisions {
		require.Equal(t, bd, d.BusinessDate)
		require.True(t, d.At.Equal(wall), "decisions are stamped by the clock")
	}
	cs, err := e.svc.Contracts(e.ctx, a.ID)
	require.NoError(t, err)
	require.Len(t, cs, 1)
	require.Equal(t, bd, cs[0].IssuedOn)
	require.Equal(t, bd, cs[0].Schedule.Terms().Start)
	require.Equal(t, calendar.MustParseDate("2026-05-15"), cs[0].Schedule.Instalments()[0].DueDate)

	acct := e.ledger.OpenDemand(a.CustomerID, cny("50000.00"))
	_, l, err := e.svc.AcceptContract(e.ctx, cs[0].ID, credit.AcceptRequest{Version: 1, Channel: credit.ChannelMobile,
		By: a.CustomerID.String(), DisbursementAccount: acct})
	require.NoError(t, err)
	l, err = e.svc.Disburse(e.ctx, l.ID, money.Money{})
	require.NoError(t, err, "the value date is the business date, not the clock's")
	require.Equal(t, credit.LoanActive, l.Status)

	_, err = e.svc.RunEndOfDay(e.ctx, bd.AddDays(1))
	requireField(t, err, "date")
	_, err = e.svc.RunEndOfDay(e.ctx, bd)
	require.NoError(t, err)
	require.Equal(t, bd, e.loan(l.ID).Standing.AsOf)

	// Moving the business date moves credit's day; the clock stays put.
	e.move(acct, "149000.00", "empty", true) // nothing for the automatic debit
	day.Set(calendar.MustParseDate("2026-05-18"))
	e.clock.Set(wall.Add(time.Hour))
	_, err = e.svc.RunEndOfDay(e.ctx, calendar.MustParseDate("2026-05-18"))
	require.NoError(t, err)
	l = e.loan(l.ID)
	require.Equal(t, 3, l.Standing.DaysPastDue, "the instalment due on Friday 15 May is unpaid on Monday the 18th")
	require.Equal(t, calendar.MustParseDate("2026-05-18"), l.Standing.AsOf)

	day.Down(true)
	n := application(e.customer(), p.ID)
	_, err = e.svc.Submit(e.ctx, n)
	require.ErrorIs(t, err, credit.ErrUnavailable)
	_, err = e.svc.RunEndOfDay(e.ctx, calendar.MustParseDate("2026-05-18"))
	require.ErrorIs(t, err, credit.ErrUnavailable)
	day.Down(false)
	require.Equal(t, 1, e.count(), "the refused submission stored nothing")
}
