package credit

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
)

// Daily interest accrual. Each instalment's interest is recognised over
// its period a day at a time: by the end of day d, the share
// YearFraction(PeriodStart, d+1) / YearFraction(PeriodStart, PeriodEnd)
// of it (the loan's day count), rounded to the currency's minor unit,
// and all of it from the day before the period ends or the due date,
// whichever is first. An end of day posts what the share has grown by
// since the last run (debit interest receivable, credit interest income),
// so missed days are caught up in one entry and the accruals of a period
// sum exactly to its interest. A payment of interest clears receivable
// first; interest paid before it accrued is income at once, and is not
// accrued again.

func m(c money.Currency, d decimal.Decimal) money.Money { return money.Money{Amount: d, Currency: c} }

// signed is a leg of amount to chart on side, or on the other side when
// amount is negative; legs drops it when zero.
func signed(chart string, side Side, amount money.Money) Leg {
	if amount.Amount.IsNegative() {
		side = map[Side]Side{Debit: Credit, Credit: Debit}[side]
		amount = money.Money{Amount: amount.Amount.Neg(), Currency: amount.Currency}
	}
	return Leg{Chart: chart, Side: side, Amount: amount}
}

// payInterest records take paid of the instalment's interest and returns
// the part of it that clears interest receivable (what was recognised
// and not yet paid); the rest is income now, and counts as recognised.
func (p *InstalmentPaid) payInterest(take money.Money) decimal.Decimal {
	c := take.Currency
	rec := p.Recognised.Amount
	fromReceivable := decimal.Max(decimal.Zero, decimal.Min(take.Amount, rec.Sub(p.Interest.Amount)))
	p.Interest = add(p.Interest, take)
	if p.Interest.Amount.GreaterThan(rec) {
		p.Recognised = m(c, p.Interest.Amount)
	}
	return fromReceivable
}

// payCharge returns the part of take, paid of the instalment's penalty
// or fee, that clears fees receivable (what was booked and not yet
// paid); call it before recording the payment.
func (p *InstalmentPaid) payCharge(take decimal.Decimal) decimal.Decimal {
	open := p.Booked.Amount.Sub(p.Penalty.Amount).Sub(p.Fee.Amount)
	return decimal.Max(decimal.Zero, decimal.Min(take, open))
}

// chargesReceivable is the penalty and fees booked on the loan and not
// yet paid: the loan's share of fees receivable.
func (l Loan) chargesReceivable() decimal.Decimal {
	sum := decimal.Zero
	if l.Status == LoanClosed || l.Status == LoanWrittenOff {
		return sum
	}
	for _, p := range l.Paid {
		if d := p.Booked.Amount.Sub(p.Penalty.Amount).Sub(p.Fee.Amount); d.IsPositive() {
			sum = sum.Add(d)
		}
	}
	return sum
}

// ChargesReceivable is the penalty interest and fees charged on the loan
// and not yet paid.
func (l Loan) ChargesReceivable() money.Money { return m(l.Currency(), l.chargesReceivable()) }

// receivable is the interest recognised on the loan and not yet paid:
// the loan's share of interest receivable.
func (l Loan) receivable() decimal.Decimal {
	sum := decimal.Zero
	if l.Status == LoanClosed || l.Status == LoanWrittenOff {
		return sum // cleared by the payoff or the write-off
	}
	for _, p := range l.Paid {
		if d := p.Recognised.Amount.Sub(p.Interest.Amount); d.IsPositive() {
			sum = sum.Add(d)
		}
	}
	return sum
}

// Receivable is the interest accrued on the loan and not yet paid.
func (l Loan) Receivable() money.Money { return m(l.Currency(), l.receivable()) }

// accrued is the interest of in recognised by the end of date.
func accrued(in Instalment, dc money.DayCount, date calendar.Date, minor int32) decimal.Decimal {
	next := date.AddDays(1)
	if !next.After(in.PeriodStart) {
		return decimal.Zero
	}
	if !next.Before(in.PeriodEnd) || !date.Before(in.DueDate) {
		return in.Interest.Amount
	}
	whole := dc.YearFraction(in.PeriodStart, in.PeriodEnd)
	if !whole.IsPositive() {
		return in.Interest.Amount
	}
	return in.Interest.Amount.Mul(dc.YearFraction(in.PeriodStart, next)).Div(whole).RoundBank(minor)
}

// accrual works out the loan's accrual by the end of date: the interest
// to post, the penalty and fees charged and not yet booked, and the
// instalments after both.
func (l Loan) accrual(date calendar.Date) (decimal.Decimal, decimal.Decimal, []InstalmentPaid) {
	terms := l.Schedule.Terms()
	c := terms.Principal.Currency
	paid := clonePaid(l.Paid)
	total, charges := decimal.Zero, decimal.Zero
	for i, in := range l.Schedule.Instalments() {
		charged := paid[i].PenaltyCharged.Amount.Add(paid[i].FeeCharged.Amount)
		if d := charged.Sub(paid[i].Booked.Amount); d.IsPositive() {
			paid[i].Booked = m(c, charged)
			charges = charges.Add(d)
		}
		if !date.AddDays(1).After(in.PeriodStart) {
			break
		}
		target := accrued(in, terms.DayCount, date, c.MinorUnits())
		if d := target.Sub(paid[i].Recognised.Amount); d.IsPositive() {
			paid[i].Recognised = m(c, target)
			total = total.Add(d)
		}
	}
	return total, charges, paid
}

// AccrualKey is the ledger key of a loan's accrual by the end of date.
func AccrualKey(loanID ID, date calendar.Date) string {
	return "loan/" + loanID.String() + "/accrual/" + date.String()
}

// accrual is the operation that posts the loan's interest accrual by the
// end of date, or nil when nothing is to accrue. The end of day records
// it with the loan's standing and then posts it, so a crash between
// leaves it to be finished rather than posted twice; a day on which
// another operation is pending accrues nothing, and the next run catches
// up (the accrual is what is recognised by a date, less what was).
func (s *Service) accrual(l Loan, date calendar.Date) *Operation {
	if s.nonAccrual.Applies(l) {
		return suspension(l, date)
	}
	amount, charges, paid := l.accrual(date)
	if !amount.IsPositive() && !charges.IsPositive() {
		return nil
	}
	c := l.Currency()
	after := l.state()
	after.Paid = paid
	return &Operation{Kind: OpAccrual, After: after, On: date,
		Entry: LedgerEntry{Key: AccrualKey(l.ID, date), Description: fmt.Sprintf("Loan %s interest accrued to %s", l.ID, date),
			Metadata: map[string]string{"loan_id": l.ID.String(), "kind": string(OpAccrual)},
			Legs: legs(Leg{Chart: ChartInterestReceivable, Side: Debit, Amount: m(c, amount)},
				Leg{Chart: ChartInterestIncome, Side: Credit, Amount: m(c, amount)},
				Leg{Chart: ChartFeesReceivable, Side: Debit, Amount: m(c, charges)},
				Leg{Chart: ChartFeesIncome, Side: Credit, Amount: m(c, charges)})}}
}
