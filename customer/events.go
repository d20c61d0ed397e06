package customer

import (
	"time"

	"github.com/bankkit/bankkit/calendar"
)

// EventKind names what happened. Other subsystems (marketing, risk) react
// to these; events carry ids and states, never personal data.
type EventKind string

// The events the customer subsystem publishes.
const (
	EventCustomerCreated EventKind = "customer.created"
	EventKYCChanged      EventKind = "customer.kyc_changed"
	EventConsentChanged  EventKind = "customer.consent_changed"
)

// Event is one entry of the outbox. It is written in the same store
// operation as the change it reports and delivered at least once: a
// subscriber reads from its cursor and acknowledges what it handled.
type Event struct {
	Seq        int64 // 1, 2, 3, ... in commit order, assigned by the Store
	Kind       EventKind
	CustomerID ID
	At         time.Time
	KYC        *KYCChange     // set for EventKYCChanged
	Consent    *ConsentChange // set for EventConsentChanged
}

// KYCChange is the payload of EventKYCChanged.
type KYCChange struct {
	From, To KYCStatus
	By       string
	Reason   string
}

// ConsentChange is the payload of EventConsentChanged.
type ConsentChange struct {
	Purpose    Purpose
	Channel    Channel
	Granted    bool
	ValidUntil calendar.Date // zero: open-ended
}
