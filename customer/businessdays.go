package customer

import (
	"time"

	"github.com/bankkit/bankkit/calendar"
)

// BusinessDays moves a date by business days. The complaint SLA runs on
// it; a calendar.BusinessCalendar with the bank's holidays satisfies it.
type BusinessDays interface {
	AddBusinessDays(d calendar.Date, n int) calendar.Date
}

// WeekendsOnly is the default BusinessDays: Monday to Friday are business
// days, there are no holidays.
type WeekendsOnly struct{}

// AddBusinessDays returns the n-th business day after d (before d when n
// is negative); n = 0 returns d rolled forward to a business day.
func (WeekendsOnly) AddBusinessDays(d calendar.Date, n int) calendar.Date {
	step := 1
	if n < 0 {
		step, n = -1, -n
	}
	for isWeekend(d) {
		d = d.AddDays(step)
	}
	for ; n > 0; n-- {
		d = d.AddDays(step)
		for isWeekend(d) {
			d = d.AddDays(step)
		}
	}
	return d
}

func isWeekend(d calendar.Date) bool {
	w := d.Weekday()
	return w == time.Saturday || w == time.Sunday
}
