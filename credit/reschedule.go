package credit

import (
	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
)

// Prepay returns the schedule after a partial prepayment of amount made
// on the due date of instalment after, once that instalment is paid. The
// instalments up to after are kept as they are; the rest are computed
// again from the lower balance: with ReduceInstalment over the same
// remaining periods, with ReduceTerm keeping the instalment (an annuity's
// payment, equal principal's principal per period) so the loan ends
// sooner. Flat-rate and bullet schedules cannot be partly prepaid (flat
// interest is on the original principal, and a bullet has no instalment
// to prepay after); they are repaid in full. The prepayment fee is the
// product's (Product.PrepaymentFee.On).
func (s Schedule) Prepay(after int, amount money.Money, mode PrepaymentMode, cal *calendar.BusinessCalendar) (Schedule, error) {
	t := s.terms
	if err := t.Validate(); err != nil {
		return Schedule{}, within("terms", err)
	}
	if t.Method == Bullet || t.InterestMethod == Flat {
		return Schedule{}, invalid("repayment_method", "a %s %s loan can only be repaid in full", t.InterestMethod, t.Method)
	}
	n := len(s.lines)
	if after < 1 || after >= n {
		return Schedule{}, invalid("after", "must be an instalment from 1 to %d", n-1)
	}
	if !mode.Valid() {
		return Schedule{}, invalid("mode", "must be reduce_term or reduce_instalment")
	}
	if amount.Currency != t.Principal.Currency {
		return Schedule{}, invalid("amount.currency", "must be the loan's currency %s", t.Principal.Currency)
	}
	e := newEngine(t, cal)
	if !amount.Amount.IsPositive() || !amount.Amount.Equal(amount.Amount.Round(e.places)) {
		return Schedule{}, invalid("amount", "must be positive, in minor units of %s", t.Principal.Currency)
	}
	balance := s.lines[after-1].balance
	paid := toMinor(amount.Amount, e.places)
	if paid >= balance {
		return Schedule{}, invalid("amount", "must be below the outstanding principal %s; a larger payment repays the loan in full", s.money(balance).ValueString())
	}
	rate := decimal.New(s.lines[after].rate, -rateScale)
	deferred := s.deferredAfter(after)
	if mode == ReduceInstalment {
		return e.run(after, n, balance-paid, rate, deferred, 0, s.lines[:after])
	}
	lvl, ok := s.levelAfter(after, e)
	if !ok { // only the last instalment is left: nothing to shorten
		return e.run(after, n, balance-paid, rate, deferred, 0, s.lines[:after])
	}
	rest := e.periodsAt(balance-paid, rate, lvl)
	return e.run(after, max(t.GracePrincipal, after)+rest, balance-paid, rate, deferred, lvl, s.lines[:after])
}

// Reprice returns the schedule of a floating-rate loan whose rate changes
// to rate (the benchmark, e.g. the LPR, plus the loan's spread) on the
// date on: every period that starts on or after it is computed again at
// the new rate from the balance then outstanding; an annuity's instalment
// is recomputed over the periods left. Periods already begun keep their
// rate, as Chinese floating-rate loans reprice on a repricing day.
func (s Schedule) Reprice(on calendar.Date, rate decimal.Decimal, cal *calendar.BusinessCalendar) (Schedule, error) {
	t := s.terms
	if err := t.Validate(); err != nil {
		return Schedule{}, within("terms", err)
	}
	if err := checkRate("rate", rate, false); err != nil {
		return Schedule{}, err
	}
	if !on.Valid() || on.IsZero() {
		return Schedule{}, invalid("on", "must be a date")
	}
	k := -1
	for j := range s.lines {
		start := t.Start
		if j > 0 {
			start = s.lines[j-1].end
		}
		if !start.Before(on) {
			k = j
			break
		}
	}
	if k < 0 {
		return Schedule{}, invalid("on", "no period starts on or after %s", on)
	}
	if k == 0 {
		t.AnnualRate = rate
		return NewSchedule(t, cal)
	}
	e := newEngine(t, cal)
	return e.run(k, len(s.lines), s.lines[k-1].balance, rate, s.deferredAfter(k), 0, s.lines[:k])
}

// deferredAfter is the interest accrued but not yet paid after
// instalment k (a grace on interest).
func (s Schedule) deferredAfter(k int) int64 {
	var d int64
	for _, l := range s.lines[:k] {
		d += l.accrued - l.interest
	}
	return d
}

// levelAfter is the level the loan keeps in a reduce-term prepayment:
// read off an amortising instalment after k that is not the last.
func (s Schedule) levelAfter(k int, e *engine) (int64, bool) {
	n := len(s.lines)
	for j := max(k, s.terms.GracePrincipal); j < n-1; j++ {
		l := s.lines[j]
		switch s.terms.Method {
		case EqualPrincipal:
			return l.principal, l.principal > 0
		case Annuity:
			return l.principal + e.regular(l.balance+l.principal, l.rate), l.principal > 0
		}
	}
	return 0, false
}

// periodsAt is the number of amortising periods that repay balance at
// level lvl (at least one).
func (e *engine) periodsAt(balance int64, rate decimal.Decimal, lvl int64) int {
	if e.t.Method == EqualPrincipal {
		return int((balance + lvl - 1) / lvl)
	}
	micro := rateMicro(rate)
	n := 1
	for {
		prin := lvl - e.regular(balance, micro)
		if prin <= 0 || prin >= balance || n >= MaxProductTerm {
			return n
		}
		balance -= prin
		n++
	}
}
