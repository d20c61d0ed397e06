package credit

import (
	"slices"

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
// product's (Product.PrepaymentFee.On). The prepayment shows on
// instalment after (Prepaid, and the Balance after it), and no later
// change may reach before it.
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
	if after < s.fixed {
		return Schedule{}, invalid("after", "must not be before instalment %d, where the schedule last changed", s.fixed)
	}
	balance := s.lines[after-1].balance
	paid := toMinor(amount.Amount, e.places)
	if paid >= balance {
		return Schedule{}, invalid("amount", "must be below the outstanding principal %s; a larger payment repays the loan in full", s.money(balance).ValueString())
	}
	rate := decimal.New(s.lines[after].rate, -rateScale)
	deferred := s.deferredAfter(after)
	kept := slices.Clone(s.lines[:after])
	kept[after-1].prepaid += paid
	kept[after-1].balance -= paid
	periods, lvl := n, int64(0)
	if mode == ReduceTerm {
		if l, ok := s.levelAfter(after, e); ok { // else only the last is left: nothing to shorten
			periods, lvl = max(t.GracePrincipal, after)+e.periodsAt(balance-paid, rate, l), l
		}
	}
	out, err := e.run(after, periods, balance-paid, rate, deferred, lvl, kept)
	out.fixed = after
	return out, err
}

// Reprice returns the schedule of a floating-rate loan whose rate changes
// to rate (the benchmark, e.g. the LPR, plus the loan's spread) on the
// date on: every period that starts on or after it is computed again at
// the new rate from the balance then outstanding; an annuity's instalment
// is recomputed over the periods left. Periods already begun keep their
// rate, as Chinese floating-rate loans reprice on a repricing day. on must
// fall after the start (a rate from the start is new terms) and not before
// the schedule's last prepayment or repricing.
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
			start = s.lines[j-1].end.date()
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
		return Schedule{}, invalid("on", "must be after the start %s: a rate from the start is new terms", t.Start)
	}
	if k < s.fixed {
		return Schedule{}, invalid("on", "must not be before %s, where the schedule last changed", s.lines[s.fixed-1].end.date())
	}
	e := newEngine(t, cal)
	out, err := e.run(k, len(s.lines), s.lines[k-1].balance, rate, s.deferredAfter(k), 0, s.lines[:k])
	out.fixed = k
	return out, err
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
