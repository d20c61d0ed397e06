package customer_test

import (
	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/customer"
)

// The bank's business calendar plugs straight into WithBusinessDays.
var _ customer.BusinessDays = (*calendar.BusinessCalendar)(nil)
