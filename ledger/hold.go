package ledger

import (
	"time"

	"github.com/bankkit/bankkit/money"
)

// HoldStatus is a hold's state. Only an active hold reduces the available
// balance.
type HoldStatus string

// Hold statuses. Every status but active is final.
const (
	HoldActive   HoldStatus = "active"
	HoldCaptured HoldStatus = "captured"
	HoldReleased HoldStatus = "released"
	HoldExpired  HoldStatus = "expired"
)

// Hold reserves part of an account's available balance for a payment that
// is authorised now and settled later (two-phase): captured into an entry,
// released, or expired at end of day.
type Hold struct {
	ID        ID
	AccountID ID
	Amount    money.Money
	Status    HoldStatus
	// ExpiresAt is when ExpireHolds may release the hold; zero for never.
	ExpiresAt      time.Time
	Description    string
	IdempotencyKey string // scoped: "hold/<caller's key>"
	CreatedAt      time.Time
	// ClosedAt is when the hold left the active state.
	ClosedAt time.Time
	// CaptureEntryID and Captured record a capture: the entry and the part
	// of Amount it moved (the rest was released).
	CaptureEntryID ID
	Captured       money.Money
	// ExternalRef is the placing client's own reference, if any.
	ExternalRef ExternalRef
}

// Validate checks the hold's own fields as a store may rely on them when it
// places one.
func (h Hold) Validate() error {
	switch {
	case h.ID == NilID:
		return invalid("id", "is required")
	case h.AccountID == NilID:
		return invalid("account_id", "is required")
	case !h.Amount.Valid():
		return invalid("amount", "has no valid currency or too many decimal places")
	case !h.Amount.IsPositive():
		return invalid("amount", "must be positive")
	case h.Status != HoldActive:
		return invalid("status", "a new hold is active")
	case h.CreatedAt.IsZero():
		return invalid("created_at", "is required")
	case !h.ExpiresAt.IsZero() && !h.ExpiresAt.After(h.CreatedAt):
		return invalid("expires_at", "must be after the hold is placed")
	}
	if err := h.ExternalRef.Validate("external_ref"); err != nil {
		return err
	}
	return validateText(h.Description, nil, h.IdempotencyKey)
}

// activeAt reports whether the hold may still be captured at t: active and
// not past its expiry (an expired hold may linger as active until
// ExpireHolds runs, but it cannot be captured).
func (h Hold) activeAt(t time.Time) bool {
	return h.Status == HoldActive && (h.ExpiresAt.IsZero() || t.Before(h.ExpiresAt))
}

// Release returns the hold released at t. Releasing a released hold returns
// it unchanged; a captured or expired hold is ErrHoldNotActive.
func (h Hold) Release(at time.Time) (Hold, error) {
	switch h.Status {
	case HoldReleased:
		return h, nil
	case HoldActive:
		h.Status, h.ClosedAt = HoldReleased, at
		return h, nil
	}
	return h, holdNotActive(h)
}

// Expire returns the hold expired at asOf, and whether it was due: active
// with an expiry at or before asOf.
func (h Hold) Expire(asOf time.Time) (Hold, bool) {
	if h.Status != HoldActive || h.ExpiresAt.IsZero() || h.ExpiresAt.After(asOf) {
		return h, false
	}
	h.Status, h.ClosedAt = HoldExpired, asOf
	return h, true
}

func holdNotActive(h Hold) error {
	return &holdError{id: h.ID, status: h.Status}
}

type holdError struct {
	id     ID
	status HoldStatus
}

func (e *holdError) Error() string {
	return "ledger: hold " + e.id.String() + " is " + string(e.status) + ", not active"
}

func (e *holdError) Unwrap() error { return ErrHoldNotActive }
