package credit

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
)

// NonAccrual says when a loan stops accruing: from a classification (at
// it or worse) or beyond a number of days past due, whichever comes
// first. A loan on non-accrual recognises no interest, penalty or fees
// as income: the end of day reverses what it had recognised and not been
// paid (debit interest and fee income, credit the receivables), and from
// then on tracks what falls due off balance sheet (Loan.OffBalance);
// what the borrower pays is income when paid (the cash basis). Once the
// loan no longer qualifies (an approved upgrade, the arrears paid) the
// end of day recognises again what is owed.
type NonAccrual struct {
	// From is the best classification on non-accrual; "" none.
	From Classification `json:"from,omitempty"`
	// DaysPastDue: a loan more than this many days past due is on
	// non-accrual; 0 none.
	DaysPastDue int `json:"days_past_due,omitempty"`
}

// DefaultNonAccrual is the convention of Chinese banks: interest on
// non-performing loans (substandard, doubtful, loss) and on loans more
// than 90 days past due is not accrued into income but kept off balance
// sheet (表外应收利息), under the Ministry of Finance's rules for
// financial enterprises (财金〔2005〕49号 and the PBoC's loan
// classification guidance).
var DefaultNonAccrual = NonAccrual{From: ClassSubstandard, DaysPastDue: 90}

// Validate checks the classification and the days.
func (n NonAccrual) Validate() error {
	if n.From != "" && !n.From.Valid() {
		return invalid("non_accrual.from", "must be a classification or empty")
	}
	if n.DaysPastDue < 0 {
		return invalid("non_accrual.days_past_due", "must not be negative")
	}
	return nil
}

// Applies reports whether the active loan l is on non-accrual as its
// standing says.
func (n NonAccrual) Applies(l Loan) bool {
	if l.Status != LoanActive {
		return false
	}
	if n.From != "" && l.Standing.Classification != "" && classRank[l.Standing.Classification] >= classRank[n.From] {
		return true
	}
	return n.DaysPastDue > 0 && l.Standing.DaysPastDue > n.DaysPastDue
}

// WithNonAccrual sets when loans stop accruing (default
// DefaultNonAccrual); the zero NonAccrual accrues every loan.
func WithNonAccrual(n NonAccrual) Option {
	return func(s *Service) error {
		if err := n.Validate(); err != nil {
			return err
		}
		s.nonAccrual = n
		return nil
	}
}

// suspension is the operation that takes a loan onto non-accrual by the
// end of date: the interest recognised and unpaid and the charges booked
// and unpaid are reversed out of income and the receivables; nil when
// there is none (the loan is on non-accrual already).
func suspension(l Loan, date calendar.Date) *Operation {
	interest, charges := l.receivable(), l.chargesReceivable()
	if !interest.IsPositive() && !charges.IsPositive() {
		return nil
	}
	c := l.Currency()
	after := l.state()
	for i, p := range after.Paid {
		if p.Recognised.Amount.GreaterThan(p.Interest.Amount) {
			after.Paid[i].Recognised = m(c, p.Interest.Amount)
		}
		if paid := p.Penalty.Amount.Add(p.Fee.Amount); p.Booked.Amount.GreaterThan(paid) {
			after.Paid[i].Booked = m(c, paid)
		}
	}
	return &Operation{Kind: OpAccrual, After: after, On: date,
		Entry: LedgerEntry{Key: AccrualKey(l.ID, date), Description: fmt.Sprintf("Loan %s on non-accrual from %s", l.ID, date),
			Metadata: map[string]string{"loan_id": l.ID.String(), "kind": string(OpAccrual)},
			Legs: legs(Leg{Chart: ChartInterestIncome, Side: Debit, Amount: m(c, interest)},
				Leg{Chart: ChartInterestReceivable, Side: Credit, Amount: m(c, interest)},
				Leg{Chart: ChartFeesIncome, Side: Debit, Amount: m(c, charges)},
				Leg{Chart: ChartFeesReceivable, Side: Credit, Amount: m(c, charges)})}}
}

// OffBalance is what the loan owes and its books do not hold as
// receivable by the end of date: the interest that would have accrued
// (fallen due or not) and the penalty and fees charged, less what is
// recognised or booked. It is zero for a loan accruing normally up to
// its last end of day; on non-accrual it is the off-balance-sheet
// interest and charges.
func (l Loan) OffBalance(date calendar.Date) (interest, charges money.Money) {
	c := l.Currency()
	if l.Status != LoanActive {
		return money.Zero(c), money.Zero(c)
	}
	terms := l.Schedule.Terms()
	in, ch := decimal.Zero, decimal.Zero
	for i, inst := range l.Schedule.Instalments() {
		if i >= len(l.Paid) {
			break
		}
		p := l.Paid[i]
		if d := p.PenaltyCharged.Amount.Add(p.FeeCharged.Amount).Sub(decimal.Max(p.Booked.Amount, p.Penalty.Amount.Add(p.Fee.Amount))); d.IsPositive() {
			ch = ch.Add(d)
		}
		if !date.AddDays(1).After(inst.PeriodStart) {
			continue
		}
		if d := accrued(inst, terms.DayCount, date, c.MinorUnits()).Sub(decimal.Max(p.Recognised.Amount, p.Interest.Amount)); d.IsPositive() {
			in = in.Add(d)
		}
	}
	return m(c, in), m(c, ch)
}
