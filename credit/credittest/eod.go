package credittest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/money"
)

// move posts a transfer between a demand account and vault cash: out
// takes amount from the account, otherwise it pays it in.
func (e *env) move(acct credit.ID, amount, key string, out bool) {
	e.t.Helper()
	a, v := credit.Debit, credit.Credit
	if !out {
		a, v = v, a
	}
	_, err := e.ledger.Post(e.ctx, credit.LedgerEntry{Key: key, Legs: []credit.Leg{
		{Account: acct, Side: a, Amount: cny(amount)}, {Chart: credit.ChartVaultCash, Side: v, Amount: cny(amount)}}})
	require.NoError(e.t, err)
}

func (e *env) eod(date string) credit.EndOfDay {
	e.t.Helper()
	d := calendar.MustParseDate(date)
	e.clock.Set(d.In(time.UTC).Add(20 * time.Hour))
	r, err := e.svc.RunEndOfDay(e.ctx, d)
	require.NoError(e.t, err)
	return r
}

func (e *env) eventTypes() []string {
	e.t.Helper()
	rec := &recorder{}
	require.NoError(e.t, e.svc.Events().Subscribe(e.ctx, "eod-"+credit.NewID().String(), rec.handle))
	_, err := e.svc.Events().Deliver(e.ctx)
	require.NoError(e.t, err)
	var out []string
	for _, ev := range rec.seen {
		switch ev.Type {
		case credit.EventLoanOverdue, credit.EventBucketChanged, credit.EventLoanClassified:
			out = append(out, ev.Type)
		}
	}
	return out
}

// The standard loan (100,000.00 at 6% over 12 months from 2 March 2026;
// the first instalment, due 2 April, is 8,606.64: interest 100,000 ×
// 0.005 = 500.00, principal 8,106.64), its demand account holding
// 50,000.00 + 99,000.00 paid out = 149,000.00, of which 144,000.00 is
// withdrawn, leaving 5,000.00:
//   - 1 April: nothing due; the loan is current and normal, 0 days past due.
//   - 2 April: the debit takes the 5,000.00 the account holds: interest
//     500.00 first (the product's order), then principal 4,500.00;
//     3,606.64 of principal stays owed; outstanding 100,000 − 4,500 =
//     95,500.00; due today, so 0 days past due; the instalment is
//     reported overdue. A re-run of the date moves nothing.
//     The late fee, 50.00, is charged once.
//   - 3 April: the account is empty: 1 day past due, bucket 1-30,
//     special mention (关注). Penalty interest for the day on the
//     3,606.64 overdue at 1.5 × 6% = 9%, ACT/365: 3,606.64 × 0.09 / 365
//     = 0.88930… → 0.89.
//   - 4 April, after 10,000.00 is paid in: the debit takes the penalty
//     0.89, the fee 50.00 and the principal 3,606.64 = 3,657.53;
//     outstanding 91,893.36, the account 10,000 − 3,657.53 = 6,342.47;
//     fee income 1,000.00 (origination) + 50.89; back to current and
//     normal, no penalty for the 4th (nothing overdue after the debit).
func testEndOfDay(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	l, acct := e.accepted(e.product("CONSUMER"))
	l, err := e.svc.Disburse(e.ctx, l.ID, money.Money{})
	require.NoError(t, err)
	e.move(acct, "144000.00", "withdrawal", true)
	require.Equal(t, "5000.00", e.balance(acct))

	r := e.eod("2026-04-01")
	require.Equal(t, credit.EndOfDay{Date: calendar.MustParseDate("2026-04-01"), Loans: 1, Processed: 1}, r)
	l, err = e.svc.Loan(e.ctx, l.ID)
	require.NoError(t, err)
	require.Equal(t, 0, l.Standing.DaysPastDue)
	require.Equal(t, "current", l.Standing.Bucket)
	require.Equal(t, credit.ClassNormal, l.Standing.Classification)
	require.Empty(t, l.Standing.History)

	r = e.eod("2026-04-02")
	require.Equal(t, 1, r.Debits)
	require.Equal(t, "0.00", e.balance(acct))
	l, err = e.svc.Loan(e.ctx, l.ID)
	require.NoError(t, err)
	require.Equal(t, "95500.00", l.Outstanding.ValueString())
	require.Equal(t, "95500.00", e.balance(l.Account))
	require.Equal(t, "500.00", l.Paid[0].Interest.ValueString())
	require.Equal(t, "4500.00", l.Paid[0].Principal.ValueString())
	require.Equal(t, 0, l.Standing.DaysPastDue)
	require.Equal(t, "2026-04-02", l.Standing.OverdueSince.String())
	require.Equal(t, "50.00", l.Paid[0].FeeCharged.ValueString())
	require.True(t, l.Paid[0].PenaltyCharged.Amount.IsZero(), "no penalty on the due date")
	rs, err := e.svc.Repayments(e.ctx, l.ID, credit.Page{})
	require.NoError(t, err)
	require.Len(t, rs, 1)
	require.Equal(t, "eod/2026-04-02", rs[0].Key)
	require.Equal(t, credit.ChannelAutoDebit, rs[0].Channel)
	require.Equal(t, map[string]string{"due.interest": "500.00", "due.principal": "4500.00"}, parts(rs[0]))

	posted, version := e.ledger.Posted(), l.Version
	r = e.eod("2026-04-02")
	require.Equal(t, 0, r.Processed)
	require.Equal(t, posted, e.ledger.Posted())
	l, err = e.svc.Loan(e.ctx, l.ID)
	require.NoError(t, err)
	require.Equal(t, version, l.Version, "a re-run changes nothing")

	r = e.eod("2026-04-03")
	require.Equal(t, 0, r.Debits)
	require.Equal(t, 1, r.Overdue)
	l, err = e.svc.Loan(e.ctx, l.ID)
	require.NoError(t, err)
	require.Equal(t, 1, l.Standing.DaysPastDue)
	require.Equal(t, "1-30", l.Standing.Bucket)
	require.Equal(t, credit.ClassSpecialMention, l.Standing.Classification)
	require.Equal(t, "关注", l.Standing.Classification.Chinese())
	require.Equal(t, "0.89", l.Paid[0].PenaltyCharged.ValueString())
	require.Equal(t, "50.00", l.Paid[0].FeeCharged.ValueString(), "the late fee is charged once")

	e.move(acct, "10000.00", "deposit", false)
	r = e.eod("2026-04-04")
	require.Equal(t, 1, r.Debits)
	require.Equal(t, 0, r.Overdue)
	l, err = e.svc.Loan(e.ctx, l.ID)
	require.NoError(t, err)
	require.Equal(t, "91893.36", l.Outstanding.ValueString())
	require.Equal(t, "91893.36", e.balance(l.Account))
	require.Equal(t, "6342.47", e.balance(acct))
	require.Equal(t, "1050.89", e.ledger.ChartBalance(credit.ChartFeesIncome).StringFixed(2))
	rs, err = e.svc.Repayments(e.ctx, l.ID, credit.Page{})
	require.NoError(t, err)
	require.Len(t, rs, 2)
	require.Equal(t, map[string]string{"overdue.penalty": "0.89", "overdue.fee": "50.00", "overdue.principal": "3606.64"}, parts(rs[1]))
	require.Equal(t, "0.89", l.Paid[0].PenaltyCharged.ValueString(), "no penalty once the principal is paid")
	require.Equal(t, 0, l.Standing.DaysPastDue)
	require.Equal(t, "current", l.Standing.Bucket)
	require.Equal(t, credit.ClassNormal, l.Standing.Classification)
	var hist []string
	for _, h := range l.Standing.History {
		hist = append(hist, h.On.String()+" "+h.What+" "+h.From+"→"+h.To)
	}
	require.Equal(t, []string{
		"2026-04-03 bucket current→1-30", "2026-04-03 classification normal→special_mention",
		"2026-04-04 bucket 1-30→current", "2026-04-04 classification special_mention→normal"}, hist)
	require.Equal(t, []string{credit.EventLoanOverdue, credit.EventBucketChanged, credit.EventLoanClassified,
		credit.EventBucketChanged, credit.EventLoanClassified}, e.eventTypes())

	_, _, err = e.repay(l.ID, "1.00", "eod/2026-04-05")
	require.Equal(t, "key", field(err), "the end of day's keys are its own")
	_, err = e.svc.RunEndOfDay(e.ctx, calendar.MustParseDate("2026-04-05"))
	require.Equal(t, "date", field(err), "a date after the business date")
	_, err = e.svc.RunEndOfDay(e.ctx, calendar.Date{})
	require.Equal(t, "date", field(err))
}

// Days past due count from the oldest unpaid due date: a loan never paid
// is 2 April + 91 days = 2 July at 91 days past due (bucket 90+,
// substandard 次级); buckets set by the bank apply. Three loans are read
// a page of one at a time; a run cut short by a lost ledger reply
// finishes on the re-run, each debit posted once.
func testEndOfDayPagedAndResumed(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	svc, err := credit.NewService(e.store, credit.WithClock(e.clock), credit.WithCustomers(e.customers),
		credit.WithBureau(e.bureau), credit.WithBehaviour(e.behaviour), credit.WithLedger(e.ledger),
		credit.WithEndOfDayPage(1), credit.WithDelinquencyBuckets(credit.DelinquencyBuckets{{Name: "ok", From: 0}, {Name: "late", From: 1}, {Name: "bad", From: 60}}))
	require.NoError(t, err)
	p := e.product("CONSUMER")
	var ids, accts []credit.ID
	for range 3 {
		l, acct := e.accepted(p)
		_, err := e.svc.Disburse(e.ctx, l.ID, money.Money{})
		require.NoError(t, err)
		ids, accts = append(ids, l.ID), append(accts, acct)
	}
	e.move(accts[2], "149000.00", "empty", true) // the third loan is never paid

	e.clock.Set(time.Date(2026, 4, 2, 20, 0, 0, 0, time.UTC))
	e.ledger.LoseReplies(1)
	_, err = svc.RunEndOfDay(e.ctx, calendar.MustParseDate("2026-04-02"))
	require.Error(t, err)
	posted := e.ledger.Posted()
	r, err := svc.RunEndOfDay(e.ctx, calendar.MustParseDate("2026-04-02"))
	require.NoError(t, err)
	require.Equal(t, 3, r.Loans)
	require.Equal(t, 3, r.Processed)
	// The lost reply was the first loan's accrual: it replays; then its
	// debit, the second loan's accrual and debit, the third's accrual.
	require.Equal(t, posted+4, e.ledger.Posted(), "the first accrual replays, nothing is posted twice")
	for i, acct := range accts[:2] {
		require.Equal(t, "140393.36", e.balance(acct), "loan %d: 149,000 − 8,606.64", i)
	}
	third, err := svc.Loan(e.ctx, ids[2])
	require.NoError(t, err)
	require.Equal(t, "50.00", third.Paid[0].FeeCharged.ValueString())

	e.clock.Set(time.Date(2026, 7, 2, 20, 0, 0, 0, time.UTC))
	e.move(accts[0], "140393.36", "empty-0", true)
	e.move(accts[1], "140393.36", "empty-1", true)
	_, err = svc.RunEndOfDay(e.ctx, calendar.MustParseDate("2026-07-02"))
	require.NoError(t, err)
	l, err := svc.Loan(e.ctx, ids[2])
	require.NoError(t, err)
	require.Equal(t, 91, l.Standing.DaysPastDue)
	require.Equal(t, "bad", l.Standing.Bucket)
	require.Equal(t, credit.ClassSubstandard, l.Standing.Classification)
	// The others paid April; May (2 May) is their oldest unpaid: 61 days.
	l, err = svc.Loan(e.ctx, ids[0])
	require.NoError(t, err)
	require.Equal(t, 61, l.Standing.DaysPastDue)
	require.Equal(t, "2026-05-02", l.Standing.OverdueSince.String())
	// The unpaid loan's penalty, one run from 2 April to 2 July (91 days)
	// on 8,106.64: 8,106.64 × 0.09 × 91 / 365 = 181.9002… → 181.90.
	third, err = svc.Loan(e.ctx, ids[2])
	require.NoError(t, err)
	require.Equal(t, "181.90", third.Paid[0].PenaltyCharged.ValueString())
	require.Equal(t, "50.00", third.Paid[1].FeeCharged.ValueString(), "May's fee")

	// Paid up, the non-performing loan stays substandard: only an approved
	// upgrade makes it performing again.
	e.move(accts[2], "100000.00", "pay-in", false)
	e.clock.Set(time.Date(2026, 7, 3, 20, 0, 0, 0, time.UTC))
	_, err = svc.RunEndOfDay(e.ctx, calendar.MustParseDate("2026-07-03"))
	require.NoError(t, err)
	third, err = svc.Loan(e.ctx, ids[2])
	require.NoError(t, err)
	require.Equal(t, 0, third.Standing.DaysPastDue)
	require.Equal(t, "ok", third.Standing.Bucket)
	require.Equal(t, credit.ClassSubstandard, third.Standing.Classification)
}
