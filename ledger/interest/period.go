package interest

import (
	"fmt"
	"time"

	"github.com/bankkit/bankkit/calendar"
)

// Period is how often something happens to accrued interest: how often it
// compounds, and how often it is posted to the customer's account. Periods
// follow the calendar (a month ends on its last day, a quarter on 31 March,
// 30 June, 30 September and 31 December), not the account's opening date,
// so that every account of a product posts on the same night.
//
// The zero value is not a period: a product must say which one it uses.
type Period int

const (
	// Daily ends every day.
	Daily Period = iota + 1
	// Monthly ends on the last day of each month.
	Monthly
	// Quarterly ends on 31 March, 30 June, 30 September and 31 December.
	Quarterly
	// SemiAnnual ends on 30 June and 31 December.
	SemiAnnual
	// Annual ends on 31 December.
	Annual
	// AtMaturity ends only on the maturity date the caller names (the
	// anchor of IsPeriodEnd). As a compounding period it means interest
	// never compounds before it is posted: simple interest.
	AtMaturity
)

var periodNames = map[Period]string{
	Daily:      "daily",
	Monthly:    "monthly",
	Quarterly:  "quarterly",
	SemiAnnual: "semi_annual",
	Annual:     "annual",
	AtMaturity: "at_maturity",
}

// Valid reports whether p is one of the declared periods.
func (p Period) Valid() bool {
	_, ok := periodNames[p]
	return ok
}

// String returns the snake_case name, as configuration and JSON carry it.
func (p Period) String() string {
	if name, ok := periodNames[p]; ok {
		return name
	}
	return fmt.Sprintf("Period(%d)", int(p))
}

// IsPeriodEnd reports whether d is the last day of a period p. The anchor
// is the maturity date: only AtMaturity reads it, and ends on it alone (a
// zero anchor means no maturity, so never). An invalid period or date is
// never a period end.
func IsPeriodEnd(p Period, d calendar.Date, anchor calendar.Date) bool {
	if !d.Valid() {
		return false
	}
	switch p {
	case Daily:
		return true
	case Monthly:
		return d.IsEndOfMonth()
	case Quarterly:
		return d.IsEndOfMonth() && d.Month%3 == 0
	case SemiAnnual:
		return d.IsEndOfMonth() && d.Month%6 == 0
	case Annual:
		return d.Month == time.December && d.Day == 31
	case AtMaturity:
		return !anchor.IsZero() && d == anchor
	}
	return false
}

// NextPeriodEnd returns the last day of the period p that contains d: d
// itself when d is a period end. For AtMaturity that is the anchor, which
// must not be before d. It is how a runner dates the next posting.
func NextPeriodEnd(p Period, d calendar.Date, anchor calendar.Date) (calendar.Date, error) {
	if !d.Valid() {
		return calendar.Date{}, invalid(ErrInvalidInput, "d", "%04d-%02d-%02d is not a date", d.Year, int(d.Month), d.Day)
	}
	switch p {
	case Daily:
		return d, nil
	case Monthly:
		return d.EndOfMonth(), nil
	case Quarterly, SemiAnnual, Annual:
		months := map[Period]int{Quarterly: 3, SemiAnnual: 6, Annual: 12}[p]
		endMonth := (int(d.Month)-1)/months*months + months
		return calendar.Date{Year: d.Year, Month: time.Month(endMonth), Day: 1}.EndOfMonth(), nil
	case AtMaturity:
		if !anchor.Valid() {
			return calendar.Date{}, invalid(ErrInvalidInput, "anchor", "an at-maturity period needs the maturity date")
		}
		if anchor.Before(d) {
			return calendar.Date{}, invalid(ErrInvalidInput, "anchor", "maturity %s is before %s", anchor, d)
		}
		return anchor, nil
	}
	return calendar.Date{}, invalid(ErrInvalidInput, "p", "%s is not a period", p)
}
