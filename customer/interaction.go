package customer

import (
	"time"

	"github.com/bankkit/bankkit/text"
)

// Interaction is one contact with the customer: a call, a branch visit, a
// chat. The log is append-only.
type Interaction struct {
	ID         ID
	CustomerID ID
	Channel    Channel
	Topic      string
	Summary    string
	StaffID    string
	At         time.Time
}

// MaxSummaryRunes bounds an interaction summary and a complaint text.
const MaxSummaryRunes = 4000

// NewInteraction is what Service.LogInteraction takes.
type NewInteraction struct {
	Channel Channel
	Topic   string
	Summary string
	StaffID string
}

func (n NewInteraction) validate() error {
	if err := validateChannel("channel", n.Channel); err != nil {
		return err
	}
	if err := validateLine("topic", n.Topic, maxShortRunes, true); err != nil {
		return err
	}
	if err := validateMultiline("summary", n.Summary, true); err != nil {
		return err
	}
	return validateLine("staff_id", n.StaffID, maxShortRunes, true)
}

// validateMultiline is validateLine for multi-line text of at most
// MaxSummaryRunes characters: line breaks and tabs are allowed, other
// control characters are not.
func validateMultiline(field, s string, required bool) error {
	if err := text.Multiline(ErrInvalidInput, field, s); err != nil {
		return err
	}
	return validateShape(field, s, MaxSummaryRunes, required)
}
