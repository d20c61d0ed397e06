package calendar

import (
	"fmt"
	"time"
)

// BusinessCalendar says which dates are business days: every day except the
// weekend days and the holidays, plus extra working days that fall on a
// weekend (the make-up working Saturdays and Sundays of mainland China's
// holiday schedule, for one).
//
// A BusinessCalendar is immutable once built, so one value can be shared by
// any number of goroutines. Build it with NewBusinessCalendar.
type BusinessCalendar struct {
	weekend     [7]bool // indexed by time.Weekday
	holidays    map[Date]bool
	workingDays map[Date]bool
}

// Option configures NewBusinessCalendar.
type Option func(*BusinessCalendar) error

// WithWeekend sets the weekend days, replacing the default Saturday and
// Sunday. WithWeekend() with no days means every weekday is a working day.
func WithWeekend(days ...time.Weekday) Option {
	return func(c *BusinessCalendar) error {
		var weekend [7]bool
		for _, wd := range days {
			if wd < time.Sunday || wd > time.Saturday {
				return fmt.Errorf("%w: weekend day %d is not a weekday", ErrInvalidCalendar, int(wd))
			}
			weekend[wd] = true
		}
		c.weekend = weekend
		return nil
	}
}

// WithHolidays adds holidays: dates that are not business days.
func WithHolidays(dates ...Date) Option {
	return func(c *BusinessCalendar) error {
		return addDates(c.holidays, "holiday", dates)
	}
}

// WithWorkingDays adds extra working days: weekend dates that are business
// days. Each must fall on a weekend day of the calendar.
func WithWorkingDays(dates ...Date) Option {
	return func(c *BusinessCalendar) error {
		return addDates(c.workingDays, "working day", dates)
	}
}

func addDates(set map[Date]bool, what string, dates []Date) error {
	for _, d := range dates {
		if !d.Valid() {
			return fmt.Errorf("%w: %s %04d-%02d-%02d", ErrInvalidDate, what, d.Year, int(d.Month), d.Day)
		}
		set[d] = true
	}
	return nil
}

// NewBusinessCalendar builds a calendar with a Saturday and Sunday weekend,
// changed by the options in order. It refuses an invalid date, a date that is
// both a holiday and a working day, a working day that is not on the weekend,
// and a weekend of all seven days (the calendar would have no business day to
// roll to).
func NewBusinessCalendar(opts ...Option) (*BusinessCalendar, error) {
	c := &BusinessCalendar{
		holidays:    map[Date]bool{},
		workingDays: map[Date]bool{},
	}
	c.weekend[time.Saturday], c.weekend[time.Sunday] = true, true
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(c); err != nil {
			return nil, err
		}
	}
	if c.weekend == [7]bool{true, true, true, true, true, true, true} {
		return nil, fmt.Errorf("%w: every weekday is on the weekend", ErrInvalidCalendar)
	}
	for d := range c.workingDays {
		if c.holidays[d] {
			return nil, fmt.Errorf("%w: %s is both a holiday and a working day", ErrInvalidCalendar, d)
		}
		if !c.weekend[d.Weekday()] {
			return nil, fmt.Errorf("%w: working day %s is a %s, not a weekend day", ErrInvalidCalendar, d, d.Weekday())
		}
	}
	return c, nil
}

// IsBusinessDay reports whether d is a business day. A date that is not
// Valid is not.
func (c *BusinessCalendar) IsBusinessDay(d Date) bool {
	if !d.Valid() {
		return false
	}
	if c.workingDays[d] {
		return true
	}
	return !c.weekend[d.Weekday()] && !c.holidays[d]
}

// NextBusinessDay returns the first business day strictly after d.
func (c *BusinessCalendar) NextBusinessDay(d Date) (Date, error) {
	return c.step(d, 1)
}

// PreviousBusinessDay returns the last business day strictly before d.
func (c *BusinessCalendar) PreviousBusinessDay(d Date) (Date, error) {
	return c.step(d, -1)
}

// step walks from d by dir (+1 or -1) days to the nearest business day. The
// walk ends: every week has a working weekday and holidays are finite.
func (c *BusinessCalendar) step(d Date, dir int) (Date, error) {
	if err := checkDate("date", d); err != nil {
		return Date{}, err
	}
	for {
		d = d.AddDays(dir)
		if !d.Valid() {
			return Date{}, fmt.Errorf("%w: no business day within years 1..9999", ErrInvalidDate)
		}
		if c.IsBusinessDay(d) {
			return d, nil
		}
	}
}

// AddBusinessDays returns the date n business days after d (before it when n
// is negative): AddBusinessDays(Friday, 1) is the next Monday on a plain
// calendar. d itself need not be a business day; n == 0 returns d unchanged
// (use Adjust to roll a date onto a business day).
func (c *BusinessCalendar) AddBusinessDays(d Date, n int) (Date, error) {
	if err := checkDate("date", d); err != nil {
		return Date{}, err
	}
	dir := 1
	if n < 0 {
		dir = -1
	}
	for ; n != 0; n -= dir {
		next, err := c.step(d, dir)
		if err != nil {
			return Date{}, err
		}
		d = next
	}
	return d, nil
}

// BusinessDaysBetween counts the business days from from (included) to to
// (excluded); it is negative when to is before from, so that
// AddBusinessDays(from, BusinessDaysBetween(from, to)) is to whenever from
// and to are business days.
func (c *BusinessCalendar) BusinessDaysBetween(from, to Date) (int, error) {
	if err := checkDate("from", from); err != nil {
		return 0, err
	}
	if err := checkDate("to", to); err != nil {
		return 0, err
	}
	sign := 1
	if to.Before(from) {
		from, to, sign = to, from, -1
	}
	count := 0
	for d := from; d.Before(to); d = d.AddDays(1) {
		if c.IsBusinessDay(d) {
			count++
		}
	}
	return sign * count, nil
}

// Adjust moves d onto a business day by the convention conv; a business day
// is returned unchanged by every convention.
func (c *BusinessCalendar) Adjust(d Date, conv Adjustment) (Date, error) {
	if err := checkDate("date", d); err != nil {
		return Date{}, err
	}
	if !conv.Valid() {
		return Date{}, fmt.Errorf("%w: %d", ErrInvalidAdjustment, int(conv))
	}
	if conv == Unadjusted || c.IsBusinessDay(d) {
		return d, nil
	}
	switch conv {
	case Following:
		return c.NextBusinessDay(d)
	case Preceding:
		return c.PreviousBusinessDay(d)
	case ModifiedFollowing:
		next, err := c.NextBusinessDay(d)
		if err == nil && next.Month == d.Month && next.Year == d.Year {
			return next, nil
		}
		return c.PreviousBusinessDay(d)
	default: // ModifiedPreceding
		prev, err := c.PreviousBusinessDay(d)
		if err == nil && prev.Month == d.Month && prev.Year == d.Year {
			return prev, nil
		}
		return c.NextBusinessDay(d)
	}
}

func checkDate(field string, d Date) error {
	if !d.Valid() {
		return fmt.Errorf("%w: %s %04d-%02d-%02d", ErrInvalidDate, field, d.Year, int(d.Month), d.Day)
	}
	return nil
}
