package wealth

import (
	"fmt"

	"github.com/bankkit/bankkit/fault"
)

// Sentinel errors, matched with errors.Is.
var (
	// ErrInvalidInput: a field failed validation. The error is a
	// *fault.FieldError naming the field.
	ErrInvalidInput = fault.New(fault.Invalid, "invalid-input", "wealth: invalid input")
	// ErrNotFound: no product, NAV, order, holding or assessment has that
	// id (or it is not the caller's).
	ErrNotFound = fault.New(fault.NotFound, "not-found", "wealth: not found")
	// ErrDuplicate: a product with that code exists, or a NAV for that
	// product and date was published already.
	ErrDuplicate = fault.New(fault.Conflict, "duplicate", "wealth: duplicate")
	// ErrNotOnSale: the product's sales status does not take the order
	// (paused, closed, outside the subscription window).
	ErrNotOnSale = fault.New(fault.Unprocessable, "not-on-sale", "wealth: the product does not take this order now")
	// ErrUnsuitable: the customer may not buy the product (no current
	// assessment, a risk level above theirs, professional investors only).
	// The refusal is recorded with its reason.
	ErrUnsuitable = fault.New(fault.Unprocessable, "unsuitable", "wealth: the product is not suitable for the customer")
	// ErrInsufficientUnits: a redemption asks for more units than the
	// holding has free.
	ErrInsufficientUnits = fault.New(fault.Unprocessable, "insufficient-units", "wealth: not enough units")
	// ErrLimitExceeded: a fast redemption beyond the daily limit.
	ErrLimitExceeded = fault.New(fault.Unprocessable, "fast-redemption-limit", "wealth: the daily fast redemption limit is exceeded")
	// ErrInvalidTransition: the order's state does not allow the step
	// (cancelling a confirmed order, or after the cut-off).
	ErrInvalidTransition = fault.New(fault.Conflict, "invalid-state-transition", "wealth: invalid state transition")
	// ErrRefused: the ledger refused a hold or an entry for good
	// (insufficient funds, a closed or foreign account).
	ErrRefused = fault.New(fault.Unprocessable, "ledger-refused", "wealth: the ledger refused the request")
	// ErrKeyReused: an idempotency key was used before for a different
	// request.
	ErrKeyReused = fault.New(fault.Unprocessable, "idempotency-key-reused", "wealth: idempotency key reused with a different request")
	// ErrNoNAV: no NAV is published for the date the step needs.
	ErrNoNAV = fault.New(fault.Unprocessable, "nav-missing", "wealth: no NAV published for the date")
)

func invalid(field, format string, args ...any) error {
	return fault.Field(ErrInvalidInput, field, fmt.Sprintf(format, args...))
}
