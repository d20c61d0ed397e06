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

// IsPeriodEnd reports whether d is the last day of a period p on the
// calendar (month, quarter and year ends). The anchor is the maturity
// date: only AtMaturity reads it, and ends on it alone (a zero anchor
// means no maturity, so never). An invalid period or date is never a
// period end. Cycle.IsEnd places the ends elsewhere.
func IsPeriodEnd(p Period, d calendar.Date, anchor calendar.Date) bool {
	return Cycle{}.IsEnd(p, d, anchor)
}

// NextPeriodEnd returns the last day of the period p that contains d: d
// itself when d is a period end. For AtMaturity that is the anchor, which
// must not be before d. It is how a runner dates the next posting.
func NextPeriodEnd(p Period, d calendar.Date, anchor calendar.Date) (calendar.Date, error) {
	return Cycle{}.NextEnd(p, d, anchor)
}

// Cycle places the ends of the monthly, quarterly, half-yearly and yearly
// periods within the calendar. The zero value is the calendar's own ends:
// the last day of each month, quarters ending in March, June, September
// and December, years on 31 December. The People's Bank of China's
// settlement (结息) of demand deposits is Cycle{Day: 20} with Quarterly:
// periods end on 20 March, 20 June, 20 September and 20 December
// (《人民币单位存款管理办法》 art. 18; 银发〔2005〕129号 keeps quarterly
// settlement for demand deposits).
type Cycle struct {
	// Day is the day of the month a period ends on, 1 to 31; a month
	// shorter than Day ends its period on its last day, so 31 is every
	// month's end. 0 means the last day of the month.
	Day int
	// Month is one month in which a Quarterly, SemiAnnual or Annual
	// period ends; the others follow every 3, 6 or 12 months. 0 means
	// December (so quarters end in March, June, September, December).
	// Annual with Month June and Day 30 ends years on 30 June.
	Month time.Month
}

// Validate checks Day (0 to 31) and Month (0 to 12). Errors wrap
// ErrInvalidProduct and name the field under "Settlement".
func (c Cycle) Validate() error {
	switch {
	case c.Day < 0 || c.Day > 31:
		return invalid(ErrInvalidProduct, "Settlement.Day", "%d is outside 0..31 (0 for the month's last day)", c.Day)
	case c.Month < 0 || c.Month > time.December:
		return invalid(ErrInvalidProduct, "Settlement.Month", "%d is outside 0..12 (0 for December)", int(c.Month))
	}
	return nil
}

// months is the length of p in months, 0 for a period that is not a
// number of months.
func months(p Period) int {
	switch p {
	case Monthly:
		return 1
	case Quarterly:
		return 3
	case SemiAnnual:
		return 6
	case Annual:
		return 12
	}
	return 0
}

// endIn returns the day of month m of year y on which the cycle's period
// ends, if it ends in that month.
func (c Cycle) endIn(y int, m time.Month, every int) (calendar.Date, bool) {
	anchor := c.Month
	if anchor == 0 {
		anchor = time.December
	}
	if (int(m)-int(anchor))%every != 0 {
		return calendar.Date{}, false
	}
	last := calendar.Date{Year: y, Month: m, Day: 1}.EndOfMonth()
	if c.Day == 0 || c.Day >= last.Day {
		return last, true
	}
	return calendar.Date{Year: y, Month: m, Day: c.Day}, true
}

// IsEnd reports whether d is the last day of a period p under the cycle.
// Daily ends every day and AtMaturity on the anchor alone, whatever the
// cycle. An invalid period, cycle or date is never a period end.
func (c Cycle) IsEnd(p Period, d calendar.Date, anchor calendar.Date) bool {
	if !d.Valid() {
		return false
	}
	switch p {
	case Daily:
		return true
	case AtMaturity:
		return !anchor.IsZero() && d == anchor
	}
	every := months(p)
	if every == 0 || c.Validate() != nil {
		return false
	}
	if c == (Cycle{}) { // the calendar's ends: the hot path of every accrual
		switch p {
		case Monthly:
			return d.IsEndOfMonth()
		case Annual:
			return d.Month == time.December && d.Day == 31
		}
		return d.IsEndOfMonth() && int(d.Month)%every == 0
	}
	end, ok := c.endIn(d.Year, d.Month, every)
	return ok && end == d
}

// NextEnd returns the last day of the period p, under the cycle, that
// contains d: d itself when d is a period end. For AtMaturity that is
// the anchor, which must not be before d.
func (c Cycle) NextEnd(p Period, d calendar.Date, anchor calendar.Date) (calendar.Date, error) {
	if !d.Valid() {
		return calendar.Date{}, invalid(ErrInvalidInput, "d", "%04d-%02d-%02d is not a date", d.Year, int(d.Month), d.Day)
	}
	if err := c.Validate(); err != nil {
		return calendar.Date{}, err
	}
	switch p {
	case Daily:
		return d, nil
	case AtMaturity:
		if !anchor.Valid() {
			return calendar.Date{}, invalid(ErrInvalidInput, "anchor", "an at-maturity period needs the maturity date")
		}
		if anchor.Before(d) {
			return calendar.Date{}, invalid(ErrInvalidInput, "anchor", "maturity %s is before %s", anchor, d)
		}
		return anchor, nil
	}
	every := months(p)
	if every == 0 {
		return calendar.Date{}, invalid(ErrInvalidInput, "p", "%s is not a period", p)
	}
	// The end is in d's month or one of the next twelve.
	first := calendar.Date{Year: d.Year, Month: d.Month, Day: 1}
	for i := 0; i <= 12; i++ {
		m := first.AddMonths(i)
		if end, ok := c.endIn(m.Year, m.Month, every); ok && !end.Before(d) {
			return end, nil
		}
	}
	return calendar.Date{}, invalid(ErrInvalidInput, "d", "no %s period end within a year of %s", p, d)
}
