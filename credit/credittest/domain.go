package credittest

import (
	"encoding/json"
	"errors"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/money"
)

// events returns the credit events of the given types delivered to a new
// subscriber, in order.
func (e *env) events(types ...string) []event.Envelope {
	e.t.Helper()
	rec := &recorder{}
	require.NoError(e.t, e.svc.Events().Subscribe(e.ctx, "t-"+credit.NewID().String(), rec.handle))
	_, err := e.svc.Events().Deliver(e.ctx)
	require.NoError(e.t, err)
	var out []event.Envelope
	for _, ev := range rec.seen {
		for _, t := range types {
			if ev.Type == t {
				out = append(out, ev)
			}
		}
	}
	return out
}

func (e *env) loan(id credit.ID) credit.Loan {
	e.t.Helper()
	l, err := e.svc.Loan(e.ctx, id)
	require.NoError(e.t, err)
	return l
}

// disbursed is the standard loan paid out, its account holding 149,000.00.
func (e *env) disbursed(p credit.Product) (credit.Loan, credit.ID) {
	e.t.Helper()
	l, acct := e.accepted(p)
	l, err := e.svc.Disburse(e.ctx, l.ID, money.Money{})
	require.NoError(e.t, err)
	return l, acct
}

// Interest accrues day by day into interest receivable. The standard
// loan's first instalment has 500.00 of interest over 2 March – 2 April
// (31 days, ACT/365, so each day is 1/31 of it):
//   - end of 2 March: 500 × 1/31 = 16.129… → 16.13;
//   - end of 4 March, 3 March missed: 500 × 3/31 = 48.387… → 48.39, one
//     entry of 32.26 (a re-run posts nothing);
//   - end of 1 April: the whole 500.00 (2 April ends the period);
//   - end of 2 April: the second instalment's first day too: its interest
//     (100,000 − 8,106.64) × 0.5% = 459.4668 → 459.47, × 1/30 (2 April –
//     2 May) = 15.3157 → 15.32. The debit of 8,606.64 pays the 500.00 of
//     interest out of receivable, leaving 15.32; income 515.32.
//   - a payoff that day owes no interest to date (the period started
//     today): it clears the 15.32 receivable against income, 500.00.
func testAccrual(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	l, _ := e.disbursed(e.product("CONSUMER"))
	receivable := func() string { return e.ledger.ChartBalance(credit.ChartInterestReceivable).Neg().StringFixed(2) }
	income := func() string { return e.ledger.ChartBalance(credit.ChartInterestIncome).StringFixed(2) }

	e.eod("2026-03-02")
	require.Equal(t, "16.13", receivable())
	require.Equal(t, "16.13", income())
	require.Equal(t, "16.13", e.loan(l.ID).Receivable().ValueString())

	posted := e.ledger.Posted()
	e.eod("2026-03-04")
	require.Equal(t, posted+1, e.ledger.Posted(), "missed days in one entry")
	require.Equal(t, "48.39", receivable())
	posted = e.ledger.Posted()
	e.eod("2026-03-04")
	require.Equal(t, posted, e.ledger.Posted(), "a re-run posts nothing")

	e.eod("2026-04-01")
	require.Equal(t, "500.00", receivable())
	require.Equal(t, "500.00", e.loan(l.ID).Paid[0].Recognised.ValueString())

	e.eod("2026-04-02")
	l = e.loan(l.ID)
	require.Equal(t, "500.00", l.Paid[0].Interest.ValueString())
	require.Equal(t, "15.32", receivable())
	require.Equal(t, "515.32", income())
	require.Equal(t, "15.32", l.Receivable().ValueString())

	_, l, err := e.svc.Prepay(e.ctx, l.ID, credit.PrepaymentRequest{Full: true, Source: credit.FromAccount,
		Channel: credit.ChannelOnline, By: "c", Key: "payoff"})
	require.NoError(t, err)
	require.Equal(t, credit.LoanClosed, l.Status)
	require.Equal(t, "0.00", receivable())
	require.Equal(t, "500.00", income())
}

// Reminders (default 3 days before, 1 and 7 after): the standard loan's
// first instalment is due 2 April, so 30 March reminds of it due in 3
// days; unpaid, 3 April reminds of it 1 day late and a run on 10 April
// (9 April missed) 7 days late; nothing else falls in those days.
func testReminders(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	l, acct := e.disbursed(e.product("CONSUMER"))
	e.move(acct, "149000.00", "empty", true)
	for _, d := range []string{"2026-03-27", "2026-03-30", "2026-03-31", "2026-04-02", "2026-04-03", "2026-04-10"} {
		e.eod(d)
	}
	var got []string
	for _, ev := range e.events(credit.EventReminder) {
		var r credit.Reminder
		require.NoError(t, json.Unmarshal(ev.Payload, &r))
		require.Equal(t, l.ID, r.LoanID)
		got = append(got, ev.BusinessDate.String()+" "+r.DueDate.String()+" "+decimal.NewFromInt(int64(r.Days)).String()+" "+r.Amount.ValueString())
	}
	// 3 April: 8,606.64, the late fee 50.00 and a day's penalty on
	// 8,106.64 at 9%: 8,106.64 × 0.09 / 365 = 1.9989 → 2.00; 10 April
	// seven days more, 8,106.64 × 0.09 × 7 / 365 = 13.992… → 13.99.
	pen := e.loan(l.ID).Paid[0].PenaltyCharged.Amount
	require.Equal(t, []string{"2026-03-30 2026-04-02 3 8606.64", "2026-04-03 2026-04-02 -1 8658.64",
		"2026-04-10 2026-04-02 -7 8672.63"}, got)
	require.Equal(t, "15.99", pen.StringFixed(2))

	_, err := credit.NewService(e.store, credit.WithReminders(credit.Reminders{Before: []int{0}}))
	require.Equal(t, "reminders.before[0]", field(err))
	_, err = credit.NewService(e.store, credit.WithReminders(credit.Reminders{After: []int{2, 2}}))
	require.Equal(t, "reminders.after[1]", field(err))
}

func history(l credit.Loan) []string {
	var out []string
	for _, h := range l.Standing.History {
		if h.What == "classification" {
			out = append(out, h.On.String()+" "+h.From+"→"+h.To+" "+h.Reason+" "+h.By+" "+h.ApprovedBy)
		}
	}
	return out
}

// A downgrade takes effect at once and holds however days past due
// fall; an upgrade waits for a second member of staff, and cannot make
// a loan better than its days past due say.
func testManualClassification(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	l, acct := e.disbursed(e.product("CONSUMER"))
	e.eod("2026-03-31")
	version := e.loan(l.ID).Version
	ch := credit.ClassificationChange{To: credit.ClassSubstandard, Reason: "borrower's business closed", By: "risk-1"}

	for _, c := range []struct {
		change credit.ClassificationChange
		field  string
	}{
		{credit.ClassificationChange{To: "bad", Reason: "x", By: "risk-1"}, "to"},
		{credit.ClassificationChange{To: credit.ClassLoss, Reason: " ", By: "risk-1"}, "reason"},
		{credit.ClassificationChange{To: credit.ClassLoss, Reason: "x\x00", By: "risk-1"}, "reason"},
		{credit.ClassificationChange{To: credit.ClassLoss, Reason: "x"}, "by"},
		{credit.ClassificationChange{To: credit.ClassNormal, Reason: "x", By: "risk-1"}, "to"}, // not worse
	} {
		_, err := e.svc.Downgrade(e.ctx, l.ID, c.change)
		require.Equal(t, c.field, field(err), "%+v", c.change)
	}
	_, err := e.svc.RequestUpgrade(e.ctx, l.ID, credit.ClassificationChange{To: credit.ClassNormal, Reason: "x", By: "risk-1"})
	require.Equal(t, "to", field(err), "normal is no upgrade of normal")
	_, err = e.svc.ApproveUpgrade(e.ctx, l.ID, "risk-2")
	require.ErrorIs(t, err, credit.ErrInvalidTransition, "no upgrade waiting")
	require.Equal(t, version, e.loan(l.ID).Version, "refusals changed nothing")

	l, err = e.svc.Downgrade(e.ctx, l.ID, ch)
	require.NoError(t, err)
	require.Equal(t, credit.ClassSubstandard, l.Standing.Classification)
	e.eod("2026-04-01")
	require.Equal(t, credit.ClassSubstandard, e.loan(l.ID).Standing.Classification, "0 days past due, still substandard")

	// 2 April unpaid: 3 April is 1 day past due (special mention by days).
	e.move(acct, "149000.00", "empty", true)
	e.eod("2026-04-02")
	e.eod("2026-04-03")
	require.Equal(t, credit.ClassSubstandard, e.loan(l.ID).Standing.Classification)

	up := credit.ClassificationChange{To: credit.ClassNormal, Reason: "business reopened", By: "risk-1"}
	l, err = e.svc.RequestUpgrade(e.ctx, l.ID, up)
	require.NoError(t, err)
	require.Equal(t, credit.ClassSubstandard, l.Standing.Classification, "not before approval")
	_, err = e.svc.ApproveUpgrade(e.ctx, l.ID, "risk-1")
	require.ErrorIs(t, err, credit.ErrMakerChecker)
	_, err = e.svc.ApproveUpgrade(e.ctx, l.ID, "")
	require.Equal(t, "approver", field(err))
	l, err = e.svc.ApproveUpgrade(e.ctx, l.ID, "risk-2")
	require.NoError(t, err)
	require.Equal(t, credit.ClassSpecialMention, l.Standing.Classification, "no better than 1 day past due allows")
	require.Equal(t, []string{
		"2026-03-31 normal→substandard borrower's business closed risk-1 ",
		"2026-04-03 substandard→special_mention business reopened risk-1 risk-2"}, history(l))

	e.move(acct, "20000.00", "pay-in", false)
	e.eod("2026-04-04")
	require.Equal(t, credit.ClassNormal, e.loan(l.ID).Standing.Classification, "paid: normal again")
	require.Len(t, e.events(credit.EventUpgradeRequested), 1)
}

// The collections queue holds overdue loans by bucket with the
// strategy's next action; actions and promises are recorded; a promise
// is kept when enough is received, broken the day after its date.
func testCollections(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	p := e.product("CONSUMER")
	l, acct := e.disbursed(p)
	other, _ := e.disbursed(p) // pays on time
	e.move(acct, "149000.00", "empty", true)
	e.eod("2026-04-02")
	e.eod("2026-04-03")

	q, err := e.svc.CollectionsQueue(e.ctx, "", credit.Page{})
	require.NoError(t, err)
	require.Len(t, q, 1)
	require.Equal(t, l.ID, q[0].LoanID)
	require.Equal(t, "1-30", q[0].Bucket)
	require.Equal(t, 1, q[0].DaysPastDue)
	require.Equal(t, credit.ActionSMS, q[0].NextAction)
	// 8,606.64 due, the late fee 50.00, a day's penalty on 8,106.64 at 9%:
	// 8,106.64 × 0.09 / 365 = 1.9989 → 2.00.
	require.Equal(t, "8658.64", q[0].Overdue.ValueString())
	q, err = e.svc.CollectionsQueue(e.ctx, "31-60", credit.Page{})
	require.NoError(t, err)
	require.Empty(t, q)
	_, err = e.svc.CollectionsQueue(e.ctx, "nope", credit.Page{})
	require.Equal(t, "bucket", field(err))
	require.Equal(t, credit.ActionVisit, credit.DefaultCollectionStrategy.For(90))
	require.Equal(t, credit.ActionCall, credit.DefaultCollectionStrategy.For(8))

	_, err = e.svc.RecordAction(e.ctx, l.ID, credit.ActionRequest{Kind: "fax", Outcome: credit.OutcomeSent, By: "agent-1"})
	require.Equal(t, "kind", field(err))
	_, err = e.svc.RecordAction(e.ctx, l.ID, credit.ActionRequest{Kind: credit.ActionCall, Outcome: "maybe", By: "agent-1"})
	require.Equal(t, "outcome", field(err))
	_, err = e.svc.RecordAction(e.ctx, l.ID, credit.ActionRequest{Kind: credit.ActionCall, Outcome: credit.OutcomePromised,
		Note: "will pay Monday", By: "agent-1"})
	require.NoError(t, err)

	_, err = e.svc.PromiseToPay(e.ctx, l.ID, credit.PromiseRequest{Amount: cny("1000.00"), Date: calendar.MustParseDate("2026-04-02"), By: "agent-1"})
	require.Equal(t, "date", field(err), "a promise for the past")
	_, err = e.svc.PromiseToPay(e.ctx, l.ID, credit.PromiseRequest{Amount: cny("-1.00"), Date: calendar.MustParseDate("2026-04-06"), By: "agent-1"})
	require.Equal(t, "amount", field(err))
	_, err = e.svc.PromiseToPay(e.ctx, l.ID, credit.PromiseRequest{Amount: money.MustParse("1.00", "USD"), Date: calendar.MustParseDate("2026-04-06"), By: "agent-1"})
	require.Equal(t, "amount.currency", field(err))
	_, err = e.svc.PromiseToPay(e.ctx, l.ID, credit.PromiseRequest{Amount: cny("1000.00"), Date: calendar.MustParseDate("2026-04-06"), By: "agent-1"})
	require.NoError(t, err)
	_, err = e.svc.PromiseToPay(e.ctx, l.ID, credit.PromiseRequest{Amount: cny("1.00"), Date: calendar.MustParseDate("2026-04-07"), By: "agent-1"})
	require.ErrorIs(t, err, credit.ErrInvalidTransition, "one open promise at a time")

	q, err = e.svc.CollectionsQueue(e.ctx, "1-30", credit.Page{})
	require.NoError(t, err)
	require.Len(t, q, 1)
	require.Equal(t, credit.OutcomePromised, q[0].LastAction.Outcome)
	require.Equal(t, "1000.00", q[0].OpenPromise.Amount.ValueString())

	e.move(acct, "400.00", "part", false)
	e.eod("2026-04-06") // 400.00 debited: not enough, the date not passed
	l = e.loan(l.ID)
	require.Equal(t, credit.PromiseOpen, l.Collections.Promise.Status)
	e.eod("2026-04-07")
	l = e.loan(l.ID)
	require.Equal(t, credit.PromiseBroken, l.Collections.Promise.Status)
	require.Equal(t, "400.00", l.Collections.Promise.Paid.ValueString())

	_, err = e.svc.PromiseToPay(e.ctx, l.ID, credit.PromiseRequest{Amount: cny("500.00"), Date: calendar.MustParseDate("2026-04-10"), By: "agent-1"})
	require.NoError(t, err)
	e.move(acct, "600.00", "more", false)
	e.eod("2026-04-08")
	l = e.loan(l.ID)
	require.Equal(t, credit.PromiseKept, l.Collections.Promise.Status)
	require.Equal(t, 2, l.Collections.Promises)
	ps, err := e.svc.Promises(e.ctx, l.ID, credit.NumberPage{})
	require.NoError(t, err)
	require.Len(t, ps, 2, "the broken one from the history, the kept one from the loan")
	require.Equal(t, []credit.PromiseStatus{credit.PromiseBroken, credit.PromiseKept}, []credit.PromiseStatus{ps[0].Status, ps[1].Status})
	require.Equal(t, "400.00", ps[0].Paid.ValueString(), "the history keeps the promise as it was settled")
	ps, err = e.svc.Promises(e.ctx, l.ID, credit.NumberPage{After: 1, Limit: 1})
	require.NoError(t, err)
	require.Equal(t, []int{2}, []int{ps[0].Number})
	ps, err = e.svc.Promises(e.ctx, l.ID, credit.NumberPage{After: 2})
	require.NoError(t, err)
	require.Empty(t, ps)
	var statuses []string
	for _, ev := range e.events(credit.EventPromiseBroken, credit.EventPromiseKept) {
		var pc credit.PromiseChanged
		require.NoError(t, json.Unmarshal(ev.Payload, &pc))
		statuses = append(statuses, string(pc.Status))
	}
	require.Equal(t, []string{"broken", "kept"}, statuses)

	_, err = e.svc.RecordAction(e.ctx, other.ID, credit.ActionRequest{Kind: credit.ActionSMS, Outcome: credit.OutcomeSent, By: "a"})
	require.NoError(t, err, "an action on a loan not overdue is recorded too")
}

// A restructuring capitalises the arrears into a new schedule, approved
// by someone other than its proposer; the loan's classification does
// not improve on it alone. A write-off takes the loan off the books
// through the ledger and tracks it; recoveries follow.
func testRestructureWriteOff(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	p := e.product("CONSUMER")
	l, acct := e.disbursed(p)
	e.move(acct, "149000.00", "empty", true)
	e.eod("2026-04-02")
	e.eod("2026-04-03")
	l = e.loan(l.ID)
	require.Equal(t, credit.ClassSpecialMention, l.Standing.Classification)

	// Arrears on 3 April: interest 500.00 fallen due, one day of the
	// second period accrued (15.32 on 2 April; 459.47 × 2/30 = 30.63 by
	// 3 April), the late fee 50.00 and a day's penalty 2.00.
	fees := func() string { return e.ledger.ChartBalance(credit.ChartFeesReceivable).Neg().StringFixed(2) }
	require.Equal(t, "52.00", fees(), "the late fee and a day's penalty, booked as receivable")
	require.Equal(t, "1052.00", e.ledger.ChartBalance(credit.ChartFeesIncome).StringFixed(2), "and income, with the origination fee")
	req := credit.RestructureRequest{Term: 24, Reason: "lost job, new one from May", By: "officer-1"}
	bad := req
	bad.Term = 0
	_, err := e.svc.ProposeRestructure(e.ctx, l.ID, bad)
	require.Equal(t, "term", field(err))
	l, err = e.svc.ProposeRestructure(e.ctx, l.ID, req)
	require.NoError(t, err)
	require.Equal(t, "100582.63", l.Collections.Proposal.Schedule.Terms().Principal.ValueString(),
		"100,000 + 500.00 + 30.63 + 50.00 + 2.00")
	prop := l.Collections.Proposal
	require.Equal(t, credit.RestructurePending, prop.Status)
	require.Equal(t, 1, prop.Number)
	require.Equal(t, []credit.StepRule{{Role: "loan_officer"}, {Role: "branch_manager"}}, prop.Approval.Steps,
		"the product's chain for 100,582.63")
	require.Equal(t, calendar.MustParseDate("2026-04-07"), prop.Approval.Due, "two business days after Friday 3 April")

	// The chain's rules, each refusal changing nothing.
	_, err = e.decideRestructure(l.ID, 1, "officer-1", "loan_officer", credit.Approve, "")
	require.ErrorIs(t, err, credit.ErrMakerChecker, "the proposer never approves")
	_, err = e.decideRestructure(l.ID, 1, "manager-1", "branch_manager", credit.Approve, "")
	require.ErrorIs(t, err, credit.ErrForbidden, "step 1 is a loan officer's")
	_, err = e.decideRestructure(l.ID, 2, "manager-1", "branch_manager", credit.Approve, "")
	require.ErrorIs(t, err, credit.ErrOutOfOrder)
	l, err = e.decideRestructure(l.ID, 1, "officer-2", "loan_officer", credit.Approve, "affordable over 24 months")
	require.NoError(t, err)
	require.Equal(t, 2, l.Collections.Proposal.Approval.Current)
	require.Equal(t, 12, l.Schedule.Len(), "no new schedule before the final approval")
	require.Equal(t, "100000.00", l.Outstanding.ValueString())
	require.Equal(t, "100000.00", e.balance(l.Account), "nothing capitalised yet")
	_, err = e.decideRestructure(l.ID, 2, "officer-2", "branch_manager", credit.Approve, "")
	require.ErrorIs(t, err, credit.ErrMakerChecker, "no one decides two steps")

	l, err = e.decideRestructure(l.ID, 2, "manager-1", "branch_manager", credit.Approve, "")
	require.NoError(t, err)
	require.Nil(t, l.Collections.Proposal)
	require.Len(t, l.Collections.Decided, 1)
	done := l.Collections.Decided[0]
	require.Equal(t, credit.RestructureApproved, done.Status)
	require.Equal(t, calendar.MustParseDate("2026-04-03"), done.DecidedOn)
	require.Len(t, done.Approval.Decisions, 2)
	require.Equal(t, []string{"officer-2", "manager-1"}, []string{done.Approval.Decisions[0].Approver, done.Approval.Decisions[1].Approver})
	require.Equal(t, "affordable over 24 months", done.Approval.Decisions[0].Opinion)
	require.Equal(t, 24, l.Schedule.Len())
	require.Equal(t, "100582.63", l.Outstanding.ValueString())
	require.Equal(t, "100582.63", e.balance(l.Account))
	require.Equal(t, "0.00", e.ledger.ChartBalance(credit.ChartInterestReceivable).StringFixed(2), "accrued interest capitalised")
	require.Equal(t, "0.00", fees(), "and the charges")
	require.Equal(t, "1052.00", e.ledger.ChartBalance(credit.ChartFeesIncome).StringFixed(2), "income unchanged")
	require.Equal(t, "2026-05-03", l.Schedule.Instalments()[0].DueDate.String())
	_, err = e.decideRestructure(l.ID, 2, "manager-2", "branch_manager", credit.Approve, "")
	require.ErrorIs(t, err, credit.ErrInvalidTransition, "nothing waiting")
	require.Equal(t, l.Collections, e.loan(l.ID).Collections, "the store keeps the chain")

	e.eod("2026-04-06")
	l = e.loan(l.ID)
	require.Equal(t, 0, l.Standing.DaysPastDue)
	require.Equal(t, credit.ClassSpecialMention, l.Standing.Classification, "not better on restructuring alone")

	_, err = e.svc.WriteOff(e.ctx, l.ID, credit.WriteOffRequest{Reason: "uncollectable", By: "cro", ApprovedBy: "cro"})
	require.ErrorIs(t, err, credit.ErrMakerChecker)
	_, err = e.svc.WriteOff(e.ctx, l.ID, credit.WriteOffRequest{By: "cro", ApprovedBy: "board"})
	require.Equal(t, "reason", field(err))
	recv := e.loan(l.ID).Receivable().Amount
	l, err = e.svc.WriteOff(e.ctx, l.ID, credit.WriteOffRequest{Reason: "uncollectable", By: "cro", ApprovedBy: "board"})
	require.NoError(t, err)
	require.Equal(t, credit.LoanWrittenOff, l.Status)
	require.Equal(t, "0.00", e.balance(l.Account))
	require.Equal(t, "0.00", l.Outstanding.ValueString())
	require.Equal(t, "100582.63", l.WriteOff.Principal.ValueString())
	require.Equal(t, recv.StringFixed(2), l.WriteOff.Interest.ValueString(), "the accrued interest, reversed")
	require.Equal(t, "-100582.63", e.ledger.ChartBalance(credit.ChartLoanLosses).StringFixed(2))
	require.Equal(t, "0.00", e.ledger.ChartBalance(credit.ChartInterestReceivable).StringFixed(2))
	_, err = e.svc.WriteOff(e.ctx, l.ID, credit.WriteOffRequest{Reason: "again", By: "cro", ApprovedBy: "board"})
	require.ErrorIs(t, err, credit.ErrInvalidTransition)
	_, _, err = e.repay(l.ID, "10.00", "after")
	require.ErrorIs(t, err, credit.ErrInvalidTransition, "a written-off loan takes recoveries, not repayments")

	rec := credit.RepaymentRequest{Amount: cny("1000.00"), Source: credit.FromCash, Channel: credit.ChannelBranch, By: "teller", Key: "rec-1"}
	r, l, err := e.svc.Recover(e.ctx, l.ID, rec)
	require.NoError(t, err)
	require.Equal(t, credit.OpRecovery, r.Kind)
	require.Equal(t, "1000.00", l.WriteOff.Recovered.ValueString())
	require.Equal(t, "1000.00", e.ledger.ChartBalance(credit.ChartLoanRecoveries).StringFixed(2))
	again, _, err := e.svc.Recover(e.ctx, l.ID, rec)
	require.NoError(t, err)
	require.Equal(t, r.ID, again.ID, "the same key replays")
	rec.Key, rec.Amount = "rec-2", cny("999999.00")
	_, _, err = e.svc.Recover(e.ctx, l.ID, rec)
	require.Equal(t, "amount", field(err), "beyond what was written off")
	require.Len(t, e.events(credit.EventLoanWrittenOff), 1)
	wo, err := e.svc.Loans(e.ctx, credit.LoanFilter{Status: credit.LoanWrittenOff}, credit.Page{})
	require.NoError(t, err)
	require.Len(t, wo, 1)
	_, err = e.svc.Loans(e.ctx, credit.LoanFilter{Bucket: "nope"}, credit.Page{})
	require.Equal(t, "bucket", field(err))
	require.Len(t, e.events(credit.EventLoanRestructured), 1)
}

// The risk measures over a book of three standard loans on 3 April: L1
// paid (91,893.36, normal), L2 unpaid (100,000.00, 1 day past due,
// special mention), L3 paid and downgraded on 2 April (91,893.36,
// substandard).
func testRiskMeasures(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	p := e.product("CONSUMER")
	l1, _ := e.disbursed(p)
	l2, acct2 := e.disbursed(p)
	l3, _ := e.disbursed(p)
	e.move(acct2, "149000.00", "empty", true)
	e.eod("2026-04-01")
	e.clock.Set(calendar.MustParseDate("2026-04-02").In(e.clock.Now().Location()).Add(9 * 3600e9))
	_, err := e.svc.Downgrade(e.ctx, l3.ID, credit.ClassificationChange{To: credit.ClassSubstandard, Reason: "fraud alert", By: "risk-1"})
	require.NoError(t, err)
	e.eod("2026-04-02")
	e.eod("2026-04-03")

	// Provisions: 91,893.36 × 1% = 918.9336 → 918.93; 100,000.00 × 2% =
	// 2,000.00; 91,893.36 × 25% = 22,973.34.
	prov, err := e.svc.Provisions(e.ctx)
	require.NoError(t, err)
	var got []string
	for _, pl := range prov {
		got = append(got, string(pl.Classification)+" "+pl.Outstanding.ValueString()+" "+pl.Provision.ValueString())
	}
	require.Equal(t, []string{"normal 91893.36 918.93", "special_mention 100000.00 2000.00", "substandard 91893.36 22973.34"}, got)

	// Expected loss: one product, one grade; EAD 283,786.72; EL = PD ×
	// 0.45 × EAD with the loans' PD at scoring.
	pd := e.loan(l1.ID).PD
	require.True(t, pd.IsPositive())
	el, err := e.svc.ExpectedLoss(e.ctx)
	require.NoError(t, err)
	require.Len(t, el, 1)
	require.Equal(t, "283786.72", el[0].EAD.ValueString())
	require.Equal(t, 3, el[0].Loans)
	require.Equal(t, e.loan(l1.ID).Grade, el[0].Grade)
	require.Equal(t, pd.Mul(dec("283786.72")).Mul(dec("0.45")).RoundBank(2).StringFixed(2), el[0].EL.ValueString())
	require.True(t, pd.Equal(el[0].PD))

	// Migration 1 April → 3 April: L1 normal→normal, L2 normal→special
	// mention, L3 normal→substandard.
	mm, err := e.svc.MigrationMatrix(e.ctx, calendar.MustParseDate("2026-04-01"), calendar.MustParseDate("2026-04-03"))
	require.NoError(t, err)
	require.Equal(t, []credit.MigrationCell{{From: "normal", To: "normal", Loans: 1}, {From: "normal", To: "special_mention", Loans: 1},
		{From: "normal", To: "substandard", Loans: 1}}, mm)
	mm, err = e.svc.MigrationMatrix(e.ctx, calendar.MustParseDate("2026-04-02"), calendar.MustParseDate("2026-04-03"))
	require.NoError(t, err)
	require.Equal(t, []credit.MigrationCell{{From: "normal", To: "normal", Loans: 1}, {From: "normal", To: "special_mention", Loans: 1},
		{From: "substandard", To: "substandard", Loans: 1}}, mm)
	_, err = e.svc.MigrationMatrix(e.ctx, calendar.MustParseDate("2026-04-03"), calendar.MustParseDate("2026-04-03"))
	require.Equal(t, "to", field(err))

	// Concentration: L2 holds 100,000 / 283,786.72 = 0.352377… of the
	// book, above the 10% default; the product all of it.
	cc, err := e.svc.Concentration(e.ctx, credit.ByCustomer, 2)
	require.NoError(t, err)
	require.Len(t, cc, 2)
	require.Equal(t, l2.CustomerID, cc[0].CustomerID)
	require.Equal(t, "0.352377", cc[0].Share.StringFixed(6))
	require.True(t, cc[0].Breach)
	cc, err = e.svc.Concentration(e.ctx, credit.ByProduct, 10)
	require.NoError(t, err)
	require.Len(t, cc, 1)
	require.Equal(t, "1.000000", cc[0].Share.StringFixed(6))
	_, err = e.svc.Concentration(e.ctx, credit.ByGrade, 10)
	require.Equal(t, "by", field(err))
	_, err = e.svc.Concentration(e.ctx, credit.ByCustomer, 0)
	require.Equal(t, "top", field(err))

	rs := credit.DefaultRiskSettings()
	rs.CustomerLimit = dec("0.4")
	rs.ProvisionRates[credit.ClassNormal] = dec("0.015")
	svc, err := credit.NewService(e.store, credit.WithRiskSettings(rs))
	require.NoError(t, err)
	cc, err = svc.Concentration(e.ctx, credit.ByCustomer, 1)
	require.NoError(t, err)
	require.False(t, cc[0].Breach, "35% is within a 40% limit")
	prov, err = svc.Provisions(e.ctx)
	require.NoError(t, err)
	require.Equal(t, "1378.40", prov[0].Provision.ValueString(), "91,893.36 × 1.5% = 1,378.4004")
	rs.LGD = dec("1.5")
	_, err = credit.NewService(e.store, credit.WithRiskSettings(rs))
	require.Equal(t, "lgd", field(err))
	delete(rs.ProvisionRates, credit.ClassLoss)
	rs.LGD = dec("0.45")
	_, err = credit.NewService(e.store, credit.WithRiskSettings(rs))
	require.Equal(t, "provision_rates.loss", field(err))
	_ = l3
	_ = errors.New
}
