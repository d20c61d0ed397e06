package ledger

import (
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/money"
)

// Besides entries, the ledger publishes the life of accounts and holds,
// in the same outbox and in the same transaction (or critical section) as
// the change, so a consumer sees an account opened before its first entry
// and a hold placed before its capture. Each is version 1 of its type.
// Their events are written whole when the change is made (they are rare
// beside entries), with an ID of their own; the payload carries ids,
// statuses, the class, the currency, amounts and the client's external
// reference, never the account's number, description or anything else a
// person typed.
const (
	EventAccountOpened        = "ledger.account_opened"         // payload AccountEvent
	EventAccountStatusChanged = "ledger.account_status_changed" // payload AccountEvent, with PreviousStatus
	EventHoldPlaced           = "ledger.hold_placed"            // payload HoldEvent
	EventHoldCaptured         = "ledger.hold_captured"          // payload HoldEvent, with Captured and CaptureEntryID
	EventHoldReleased         = "ledger.hold_released"          // payload HoldEvent
	EventHoldExpired          = "ledger.hold_expired"           // payload HoldEvent

	AccountEventVersion = 1 // of AccountEvent
	HoldEventVersion    = 1 // of HoldEvent
)

// AccountEvent is the payload of EventAccountOpened and
// EventAccountStatusChanged. In JSON:
//
//	{"account_id": "…", "owner_id": "…", "product": "demand", "currency": "CNY",
//	 "status": "frozen", "previous_status": "active", "opened_on": "2026-03-02",
//	 "class": "II", "limits": {"daily_outflow": {"value": "10000.00", "currency": "CNY"}, …},
//	 "external_ref": {"client": "staff/…", "ref": "acct-7"}}
//
// owner_id (the opaque owner id the ledger keeps, a customer's id), code
// (the bank's own accounts), class, limits, overdraft_limit, bound_accounts,
// previous_status and external_ref appear only when set.
type AccountEvent struct {
	AccountID      ID             `json:"account_id"`
	OwnerID        string         `json:"owner_id,omitempty"`
	Code           string         `json:"code,omitempty"`
	Product        Product        `json:"product"`
	Currency       money.Currency `json:"currency"`
	Status         Status         `json:"status"`
	PreviousStatus Status         `json:"previous_status,omitempty"`
	OpenedOn       string         `json:"opened_on"`
	Class          Class          `json:"class,omitempty"`
	Limits         *EventLimits   `json:"limits,omitempty"`
	OverdraftLimit *money.Money   `json:"overdraft_limit,omitempty"`
	BoundAccounts  []ID           `json:"bound_accounts,omitempty"`
	ExternalRef    ExternalRef    `json:"external_ref,omitzero"`
}

// EventLimits are a class II or III account's limits, each present only
// when set.
type EventLimits struct {
	DailyOutflow  *money.Money `json:"daily_outflow,omitempty"`
	AnnualOutflow *money.Money `json:"annual_outflow,omitempty"`
	MaxBalance    *money.Money `json:"max_balance,omitempty"`
}

// HoldEvent is the payload of the hold events. In JSON:
//
//	{"hold_id": "…", "account_id": "…", "amount": {"value": "50.00", "currency": "CNY"},
//	 "status": "captured", "expires_at": "…", "captured": {"value": "30.00", "currency": "CNY"},
//	 "capture_entry_id": "…", "external_ref": {"client": "…", "ref": "auth-1"}}
//
// expires_at, captured, capture_entry_id and external_ref appear only when
// set.
type HoldEvent struct {
	HoldID         ID           `json:"hold_id"`
	AccountID      ID           `json:"account_id"`
	Amount         money.Money  `json:"amount"`
	Status         HoldStatus   `json:"status"`
	ExpiresAt      *time.Time   `json:"expires_at,omitempty"`
	Captured       *money.Money `json:"captured,omitempty"`
	CaptureEntryID ID           `json:"capture_entry_id,omitzero"`
	ExternalRef    ExternalRef  `json:"external_ref,omitzero"`
}

// AccountOpenedEvent returns the event of an account's opening, at its
// CreatedAt and on its OpenedOn, about the account. Each call makes a new
// event ID: a Store calls it once, when it keeps the account.
func AccountOpenedEvent(a Account) (event.Envelope, error) {
	return accountEvent(EventAccountOpened, a, "", a.CreatedAt)
}

// AccountStatusChangedEvent returns the event of an account's status
// changing from previous to a.Status at at (a Store's clock: the change
// has no time of its own).
func AccountStatusChangedEvent(a Account, previous Status, at time.Time) (event.Envelope, error) {
	if previous == a.Status {
		return event.Envelope{}, invalid("status", "did not change")
	}
	return accountEvent(EventAccountStatusChanged, a, previous, at)
}

func accountEvent(typ string, a Account, previous Status, at time.Time) (event.Envelope, error) {
	if a.ID == NilID || !a.Currency.Valid() {
		return event.Envelope{}, invalid("account", "needs an id and a currency")
	}
	if at.IsZero() {
		return event.Envelope{}, invalid("created_at", "is required")
	}
	p := AccountEvent{AccountID: a.ID, OwnerID: a.OwnerID, Code: a.Code, Product: a.Product, Currency: a.Currency,
		Status: a.Status, PreviousStatus: previous, Class: a.Class, BoundAccounts: a.Bound, ExternalRef: a.ExternalRef}
	if !a.OpenedOn.IsZero() {
		p.OpenedOn = a.OpenedOn.String()
	}
	if !a.Limits.IsZero() {
		p.Limits = &EventLimits{DailyOutflow: positive(a.Limits.DailyOutflow, a.Currency),
			AnnualOutflow: positive(a.Limits.AnnualOutflow, a.Currency), MaxBalance: positive(a.Limits.MaxBalance, a.Currency)}
	}
	if a.Policy.Kind == PolicyOverdraft {
		p.OverdraftLimit = positive(a.Policy.Limit, a.Currency)
	}
	ev, err := event.New(typ, AccountEventVersion, at, p, a.ID)
	if err != nil {
		return event.Envelope{}, fmt.Errorf("ledger: %s of %s: %w", typ, a.ID, err)
	}
	if typ == EventAccountOpened {
		ev.BusinessDate = a.OpenedOn // a later change's banking day is not the opening's
	}
	return ev, nil
}

// HoldChangedEvent returns the event of h as it now stands: placed while
// active (at its CreatedAt), otherwise captured, released or expired (at
// its ClosedAt).
func HoldChangedEvent(h Hold) (event.Envelope, error) {
	typ, at := "", h.ClosedAt
	switch h.Status {
	case HoldActive:
		typ, at = EventHoldPlaced, h.CreatedAt
	case HoldCaptured:
		typ = EventHoldCaptured
	case HoldReleased:
		typ = EventHoldReleased
	case HoldExpired:
		typ = EventHoldExpired
	default:
		return event.Envelope{}, invalid("status", fmt.Sprintf("unknown hold status %q", h.Status))
	}
	if h.ID == NilID || h.AccountID == NilID || at.IsZero() {
		return event.Envelope{}, invalid("hold", "needs an id, an account and the time of the change")
	}
	p := HoldEvent{HoldID: h.ID, AccountID: h.AccountID, Amount: h.Amount, Status: h.Status,
		CaptureEntryID: h.CaptureEntryID, ExternalRef: h.ExternalRef}
	if !h.ExpiresAt.IsZero() {
		t := h.ExpiresAt.UTC().Truncate(time.Microsecond)
		p.ExpiresAt = &t
	}
	if h.Status == HoldCaptured {
		c := h.Captured
		p.Captured = &c
	}
	ev, err := event.New(typ, HoldEventVersion, at, p, h.AccountID, h.ID)
	if err != nil {
		return event.Envelope{}, fmt.Errorf("ledger: %s of %s: %w", typ, h.ID, err)
	}
	return ev, nil
}

// positive is amount in c when above zero, nil otherwise.
func positive(amount decimal.Decimal, c money.Currency) *money.Money {
	if !amount.IsPositive() {
		return nil
	}
	return &money.Money{Amount: amount, Currency: c}
}
