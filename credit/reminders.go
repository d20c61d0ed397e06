package credit

import (
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/event"
)

// Reminders say when the end of day reminds a customer of an instalment:
// Before lists days before its due date, After days after it (while it
// is unpaid). Each raises an EventReminder for the channels to deliver.
type Reminders struct {
	Before []int `json:"before"`
	After  []int `json:"after"`
}

// DefaultReminders: 3 days before the due date, and 1 and 7 days after
// it (the project's defaults).
var DefaultReminders = Reminders{Before: []int{3}, After: []int{1, 7}}

// maxReminderDays bounds a reminder's distance from the due date.
const maxReminderDays = 366

// Validate checks the days: each 1 to 366, no repeats.
func (r Reminders) Validate() error {
	for name, days := range map[string][]int{"reminders.before": r.Before, "reminders.after": r.After} {
		seen := map[int]bool{}
		for i, d := range days {
			if d < 1 || d > maxReminderDays || seen[d] {
				return invalid(fmt.Sprintf("%s[%d]", name, i), "must be 1-%d days, each once", maxReminderDays)
			}
			seen[d] = true
		}
	}
	return nil
}

// WithReminders sets the reminder days (default DefaultReminders; empty
// lists: no reminders).
func WithReminders(r Reminders) Option {
	return func(s *Service) error {
		if err := r.Validate(); err != nil {
			return err
		}
		s.remind = Reminders{Before: slices.Clone(r.Before), After: slices.Clone(r.After)}
		return nil
	}
}

// reminders raises the reminders whose day falls after the loan's last
// end of day and on or before date (so missed days are caught up, each
// reminder raised once): before a due date for an instalment not yet
// paid, after it for one still unpaid.
func (s *Service) reminders(l *Loan, date calendar.Date, now time.Time) ([]event.Envelope, error) {
	from := l.Standing.AsOf
	if from.IsZero() {
		from = date.AddDays(-1)
	}
	c := l.Currency()
	var evs []event.Envelope
	for i, in := range l.Schedule.Instalments() {
		if in.DueDate.After(date.AddDays(maxReminderDays)) {
			break
		}
		pd := l.Paid[i]
		unpaid := in.Principal.Amount.Sub(pd.Principal.Amount).Add(in.Interest.Amount.Sub(pd.Interest.Amount))
		if !unpaid.IsPositive() {
			continue
		}
		charges := pd.PenaltyCharged.Amount.Sub(pd.Penalty.Amount).Add(pd.FeeCharged.Amount.Sub(pd.Fee.Amount))
		raise := func(days int) error {
			on := in.DueDate.AddDays(days)
			if !on.After(from) || on.After(date) || days < 0 && !in.DueDate.After(date) {
				return nil
			}
			ev, err := s.newEvent(EventReminder, now, Reminder{LoanID: l.ID, CustomerID: l.CustomerID, Instalment: i + 1,
				DueDate: in.DueDate, Days: -days, Amount: m(c, unpaid.Add(decimal.Max(charges, decimal.Zero)))}, l.ID, l.CustomerID)
			evs = append(evs, ev)
			return err
		}
		for _, d := range s.remind.Before {
			if err := raise(-d); err != nil {
				return nil, err
			}
		}
		if in.DueDate.After(date) {
			continue
		}
		for _, d := range s.remind.After {
			if err := raise(d); err != nil {
				return nil, err
			}
		}
	}
	return evs, nil
}
