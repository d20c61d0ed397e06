package customer

import (
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/event"
)

// EventSource is the Source of the customer subsystem's events.
const EventSource = "customer"

// The event types the customer subsystem publishes, and the version of
// each payload. Other subsystems (marketing, risk) react to them. Every
// event's Subjects hold the customer's id.
const (
	EventCustomerCreated = "customer.created"         // payload CustomerCreated
	EventKYCChanged      = "customer.kyc_changed"     // payload KYCChanged
	EventConsentChanged  = "customer.consent_changed" // payload ConsentChanged

	EventVersion = 1 // of every payload above
)

// Payloads carry ids and states, never personal data: every consumer keeps
// a copy, outside the protection of this package.

// CustomerCreated is the payload of EventCustomerCreated.
type CustomerCreated struct {
	CustomerID ID `json:"customer_id"`
	// ExternalRef is the creating client's own reference, if it gave one.
	ExternalRef string `json:"external_ref,omitempty"`
}

// KYCChanged is the payload of EventKYCChanged. The decision's free-text
// reason is left out: staff may write personal details into it.
type KYCChanged struct {
	CustomerID ID        `json:"customer_id"`
	From       KYCStatus `json:"from"`
	To         KYCStatus `json:"to"`
	By         string    `json:"by"` // staff id
}

// ConsentChanged is the payload of EventConsentChanged.
type ConsentChanged struct {
	CustomerID ID            `json:"customer_id"`
	Purpose    Purpose       `json:"purpose"`
	Channel    Channel       `json:"channel"`
	Granted    bool          `json:"granted"`
	ValidUntil calendar.Date `json:"valid_until,omitzero"` // zero: open-ended
}

// newEvent returns the envelope of an event about customer id.
func (s *Service) newEvent(typ string, id ID, at time.Time, payload any) (event.Envelope, error) {
	e, err := event.New(typ, EventVersion, at, payload, id)
	if err != nil {
		return event.Envelope{}, err
	}
	e.BusinessDate = calendar.DateOf(at.In(s.loc))
	return e, nil
}

// Events is the customer subsystem's event feed: subscribe to it, run its
// delivery (Run), and prune what every subscriber has had. Delivery is at
// least once, in the order the changes were made.
func (s *Service) Events() *event.Feed { return s.events }
