package ledger

import (
	"fmt"
	"slices"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
	"github.com/shopspring/decimal"
)

// Class is the tier of an individual's demand account: the People's Bank
// of China's classes of personal bank settlement accounts (银发〔2015〕392号,
// 银发〔2016〕302号, 银发〔2018〕16号). The empty class is an account without a
// tier (a time deposit, a loan, the bank's own accounts, or an account the
// bank does not classify), to which no class rule applies.
type Class string

// The classes.
const (
	ClassNone Class = ""
	// ClassI is the full account, opened in person: no class limits, and
	// one per person per bank (see ErrClassOneHeld).
	ClassI Class = "I"
	// ClassII may be opened remotely: its outflows to accounts other than
	// its bound ones are limited per day and per year.
	ClassII Class = "II"
	// ClassIII is the small-payments account: a maximum balance, and its
	// outflows to accounts other than its bound ones limited per day and
	// per year.
	ClassIII Class = "III"
)

// Valid reports whether c is one of the classes above, the empty one
// included.
func (c Class) Valid() bool {
	switch c {
	case ClassNone, ClassI, ClassII, ClassIII:
		return true
	}
	return false
}

// limited reports whether the class carries limits and bound accounts.
func (c Class) limited() bool { return c == ClassII || c == ClassIII }

// ClassLimits are the limits of a class II or III account, in its
// currency. A zero limit is no limit.
type ClassLimits struct {
	// DailyOutflow bounds what leaves the account for accounts other than
	// its bound ones in one business day (by the entries' value date);
	// AnnualOutflow in one calendar year of value dates.
	DailyOutflow  decimal.Decimal
	AnnualOutflow decimal.Decimal
	// MaxBalance bounds the account's balance after every posting but a
	// reversal or a journal entry of the bank's own (interest).
	MaxBalance decimal.Decimal
}

// IsZero reports whether l sets no limit.
func (l ClassLimits) IsZero() bool {
	return l.DailyOutflow.IsZero() && l.AnnualOutflow.IsZero() && l.MaxBalance.IsZero()
}

// limitsOutflows reports whether l bounds outflows.
func (l ClassLimits) limitsOutflows() bool {
	return !l.DailyOutflow.IsZero() || !l.AnnualOutflow.IsZero()
}

func (l ClassLimits) validate(c money.Currency) error {
	for _, f := range []struct {
		name string
		v    decimal.Decimal
	}{{"limits.daily_outflow", l.DailyOutflow}, {"limits.annual_outflow", l.AnnualOutflow}, {"limits.max_balance", l.MaxBalance}} {
		switch {
		case f.v.IsNegative():
			return invalid(f.name, "must not be negative")
		case !f.v.Equal(f.v.Truncate(c.MinorUnits())):
			return invalid(f.name, fmt.Sprintf("has more decimal places than %s allows", c))
		case exceeds(f.v, money.MaxAmount(c)):
			return invalid(f.name, fmt.Sprintf("exceeds the largest amount accepted, %s", money.MaxAmount(c)))
		}
	}
	return nil
}

// ClassRules are the limits of each class per currency: data, so a bank
// sets its own (WithClassRules). A class II or III account copies the
// limits of its class and currency when it opens, so a later change of
// the rules applies to accounts opened after it. A currency without an
// entry gives its accounts no limits.
type ClassRules map[Class]map[money.Currency]ClassLimits

// DefaultClassRules are the published limits for renminbi accounts
// (银发〔2018〕16号): class II outflows to unbound accounts at most 10,000.00
// a day and 200,000.00 a year; class III a balance of at most 2,000.00
// and outflows to unbound accounts at most 2,000.00 a day and 50,000.00 a
// year.
func DefaultClassRules() ClassRules {
	return ClassRules{
		ClassII: {money.CNY: {
			DailyOutflow:  decimal.NewFromInt(10_000),
			AnnualOutflow: decimal.NewFromInt(200_000),
		}},
		ClassIII: {money.CNY: {
			DailyOutflow:  decimal.NewFromInt(2_000),
			AnnualOutflow: decimal.NewFromInt(50_000),
			MaxBalance:    decimal.NewFromInt(2_000),
		}},
	}
}

// validate checks every limit of the rules.
func (r ClassRules) validate() error {
	for class, byCurrency := range r {
		if !class.limited() {
			return invalid("class_rules", fmt.Sprintf("class %q carries no limits (only II and III do)", class))
		}
		for c, l := range byCurrency {
			if !c.Valid() {
				return invalid("class_rules", fmt.Sprintf("unknown currency %q", c))
			}
			if err := l.validate(c); err != nil {
				return err
			}
		}
	}
	return nil
}

// MaxBoundAccounts is how many bound accounts a class II or III account may
// name.
const MaxBoundAccounts = 8

// validateClass checks the class fields of an account.
func (a Account) validateClass() error {
	if !a.Class.Valid() {
		return invalid("class", fmt.Sprintf("unknown class %q (I, II or III)", a.Class))
	}
	if a.Class != ClassNone && a.Product != ProductDemand {
		return invalid("class", "only demand accounts carry a class")
	}
	if !a.Class.limited() {
		if !a.Limits.IsZero() {
			return invalid("limits", "only class II and III accounts carry limits")
		}
		if len(a.Bound) > 0 {
			return invalid("bound_account_ids", "only class II and III accounts have bound accounts")
		}
		return nil
	}
	if len(a.Bound) > MaxBoundAccounts {
		return invalid("bound_account_ids", fmt.Sprintf("at most %d", MaxBoundAccounts))
	}
	for i, id := range a.Bound {
		switch {
		case id == NilID:
			return invalid(fmt.Sprintf("bound_account_ids[%d]", i), "is required")
		case id == a.ID:
			return invalid(fmt.Sprintf("bound_account_ids[%d]", i), "an account is not bound to itself")
		case slices.Contains(a.Bound[:i], id):
			return invalid(fmt.Sprintf("bound_account_ids[%d]", i), "is named twice")
		}
	}
	return a.Limits.validate(a.Currency)
}

// ClassUsage is what an account's class limits have counted of its
// outflows in the day and in the year of an entry's value date.
type ClassUsage struct {
	Day, Year decimal.Decimal
}

// LimitsOutflows reports whether postings debiting a must count against
// its class limits (ClassUsage): it is a class II or III account with a
// daily or annual outflow limit.
func (a Account) LimitsOutflows() bool {
	return a.Class.limited() && a.Limits.limitsOutflows()
}

// classLimited reports whether any rule of ApplyClass concerns a.
func (a Account) classLimited() bool {
	return a.Class.limited() && !a.Limits.IsZero()
}

// ClassPeriods returns the keys a store files an account's outflow usage
// under for value date d: the day ("2026-12-03") and the year ("2026").
func ClassPeriods(d calendar.Date) (day, year string) {
	return d.String(), fmt.Sprintf("%04d", d.Year)
}

// ApplyClass is the class rule of posting, called by a store right after
// Apply accepted the entry, under the same locks: accounts hold their
// balances after the entry, and usage[i] is what accounts[i]'s outflow
// limits have counted in the day and year of e.ValueDate (only read for
// accounts whose LimitsOutflows is true; the store reads it under the
// account's lock, so concurrent postings cannot both pass a limit only one
// fits).
//
// For each class II or III account, in order: its balance after the entry
// must not exceed MaxBalance, unless the entry is a reversal or a journal
// entry (the bank's own: interest, a payment returned); then its counted
// outflow — what the entry takes from it, less what the entry credits to
// its bound accounts and less a journal entry's Payout to one of its bound
// external accounts, never below zero; nothing for a reversal — must fit
// what remains of its daily and annual limits. A refusal is a
// *ClassLimitError (ErrClassLimit) and changes nothing; on success usage[i]
// grows by the counted outflow, which the store then records.
func ApplyClass(e Entry, moves []Movement, accounts []Account, usage []ClassUsage) error {
	if len(usage) != len(accounts) || len(moves) != len(accounts) {
		return fmt.Errorf("ledger: ApplyClass got %d accounts, %d usages for %d movements", len(accounts), len(usage), len(moves))
	}
	counted := make([]decimal.Decimal, len(accounts))
	for i := range accounts {
		a := &accounts[i]
		if !a.classLimited() {
			continue
		}
		if !a.Limits.MaxBalance.IsZero() && e.Kind != KindReversal && e.Kind != KindJournal &&
			moves[i].Change(a.NormalSide).IsPositive() && a.Balance.Amount.GreaterThan(a.Limits.MaxBalance) {
			before := a.Balance.Amount.Sub(moves[i].Change(a.NormalSide))
			room := a.Limits.MaxBalance.Sub(before)
			if room.IsNegative() {
				room = decimal.Zero
			}
			return classLimitError(*a, LimitMaxBalance, a.Limits.MaxBalance, room)
		}
		if !a.LimitsOutflows() || e.Kind == KindReversal {
			continue
		}
		out := moves[i].decrease(a.NormalSide)
		if !out.IsPositive() {
			continue
		}
		for _, p := range e.Postings {
			if p.Side == Credit && p.Amount.Currency == a.Currency && slices.Contains(a.Bound, p.AccountID) {
				out = out.Sub(p.Amount.Amount)
			}
		}
		// A payout to one of its bound accounts at other banks counts no
		// more than a payment to one in this bank.
		out = out.Sub(boundPayout(e, a))
		if !out.IsPositive() {
			continue
		}
		if l := a.Limits.DailyOutflow; !l.IsZero() && usage[i].Day.Add(out).GreaterThan(l) {
			return classLimitError(*a, LimitDailyOutflow, l, l.Sub(usage[i].Day))
		}
		if l := a.Limits.AnnualOutflow; !l.IsZero() && usage[i].Year.Add(out).GreaterThan(l) {
			return classLimitError(*a, LimitAnnualOutflow, l, l.Sub(usage[i].Year))
		}
		counted[i] = out
	}
	for i, c := range counted {
		if !c.IsZero() {
			usage[i].Day = usage[i].Day.Add(c)
			usage[i].Year = usage[i].Year.Add(c)
		}
	}
	return nil
}

// The limits a ClassLimitError names.
const (
	LimitDailyOutflow  = "daily_outflow"
	LimitAnnualOutflow = "annual_outflow"
	LimitMaxBalance    = "max_balance"
)

// ClassLimitError is the refusal of a posting by an account's class limit:
// which limit, its amount and what remains of it (for max_balance, what
// the account may still take).
type ClassLimitError struct {
	AccountID ID
	Number    string
	Class     Class
	Limit     string
	Max       money.Money
	Remaining money.Money
}

func classLimitError(a Account, limit string, max, remaining decimal.Decimal) error {
	if remaining.IsNegative() {
		remaining = decimal.Zero
	}
	return &ClassLimitError{AccountID: a.ID, Number: a.Number, Class: a.Class, Limit: limit,
		Max: money.Money{Amount: max, Currency: a.Currency}, Remaining: money.Money{Amount: remaining, Currency: a.Currency}}
}

func (e *ClassLimitError) Error() string {
	places := e.Max.Currency.MinorUnits()
	what := map[string]string{
		LimitDailyOutflow:  "daily outflow limit",
		LimitAnnualOutflow: "annual outflow limit",
		LimitMaxBalance:    "maximum balance",
	}[e.Limit]
	verb := "remain"
	if e.Limit == LimitMaxBalance {
		verb = "may still come in"
	}
	return fmt.Sprintf("%s: class %s account %s has a %s of %s %s; %s %s %s", ErrClassLimit, e.Class, e.Number, what,
		e.Max.Amount.StringFixed(places), e.Max.Currency, e.Remaining.Amount.StringFixed(places), e.Remaining.Currency, verb)
}

// Unwrap makes errors.Is(err, ErrClassLimit) hold.
func (e *ClassLimitError) Unwrap() error { return ErrClassLimit }
