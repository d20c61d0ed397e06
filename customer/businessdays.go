package customer

import (
	"github.com/bankkit/bankkit/calendar"
)

// BusinessDays moves a date by business days. The complaint SLA runs on
// it; a *calendar.BusinessCalendar with the bank's holidays satisfies it.
type BusinessDays interface {
	AddBusinessDays(d calendar.Date, n int) (calendar.Date, error)
}

// weekendsOnly is the default BusinessDays: Monday to Friday, no holidays.
func weekendsOnly() BusinessDays {
	c, err := calendar.NewBusinessCalendar()
	if err != nil {
		// The default calendar takes no options, so it cannot fail.
		panic("customer: default business calendar: " + err.Error())
	}
	return c
}
