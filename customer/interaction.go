package customer

import (
	"strings"
	"time"
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
	if err := validateName("topic", n.Topic, MaxOccupationRunes, true); err != nil {
		return err
	}
	if err := validateText("summary", n.Summary, true); err != nil {
		return err
	}
	return validateName("staff_id", n.StaffID, MaxOccupationRunes, true)
}

// validateText is validateName for multi-line text: new lines and tabs are
// allowed, other control characters are not.
func validateText(field, s string, required bool) error {
	flat := strings.Map(func(r rune) rune {
		if r == '\n' || r == '\t' || r == '\r' {
			return ' '
		}
		return r
	}, s)
	return validateName(field, flat, MaxSummaryRunes, required)
}
