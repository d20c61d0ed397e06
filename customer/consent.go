package customer

import (
	"time"

	"github.com/bankkit/bankkit/calendar"
)

// Purpose is what the customer consents to their data being used for.
type Purpose string

// Consent purposes.
const (
	PurposeMarketing   Purpose = "marketing"
	PurposeDataSharing Purpose = "data_sharing"
	PurposeProfiling   Purpose = "profiling"
	PurposeCreditCheck Purpose = "credit_check"
)

func validatePurpose(p Purpose) error {
	switch p {
	case PurposeMarketing, PurposeDataSharing, PurposeProfiling, PurposeCreditCheck:
		return nil
	}
	return invalid("purpose", "must be marketing, data_sharing, profiling or credit_check")
}

// Consent is one entry of a customer's consent history: a grant or a
// withdrawal for one purpose on one channel. Entries are never changed; the
// latest entry for a purpose and channel decides.
type Consent struct {
	ID         ID
	CustomerID ID
	Purpose    Purpose
	Channel    Channel
	Granted    bool          // false: a withdrawal
	At         time.Time     // when it was recorded
	Source     string        // where it was given: "app", "branch/0012", "call recording 4711"
	ValidUntil calendar.Date // last day a grant holds; zero: until withdrawn
}

// ConsentRequest is what Service.GrantConsent and WithdrawConsent take.
type ConsentRequest struct {
	Purpose    Purpose
	Channel    Channel
	Source     string
	ValidUntil calendar.Date // grants only; zero for open-ended
}

func (r ConsentRequest) validate(grant bool, today calendar.Date) error {
	if err := validatePurpose(r.Purpose); err != nil {
		return err
	}
	if err := validateChannel("channel", r.Channel); err != nil {
		return err
	}
	if err := validateLine("source", r.Source, maxShortRunes, true); err != nil {
		return err
	}
	if r.ValidUntil.IsZero() {
		return nil
	}
	if !grant {
		return invalid("valid_until", "a withdrawal has no validity end")
	}
	if !r.ValidUntil.Valid() || r.ValidUntil.Before(today) {
		return invalid("valid_until", "must be a real date not before today")
	}
	return nil
}

// ConsentInForce reports whether history (oldest first, as the Store
// returns it) holds consent for purpose on channel on the given day: the
// latest entry for that pair is a grant whose validity has not ended.
func ConsentInForce(history []Consent, purpose Purpose, channel Channel, on calendar.Date) bool {
	for i := len(history) - 1; i >= 0; i-- {
		c := history[i]
		if c.Purpose != purpose || c.Channel != channel {
			continue
		}
		return c.Granted && (c.ValidUntil.IsZero() || !on.After(c.ValidUntil))
	}
	return false
}
