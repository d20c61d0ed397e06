package event

import "github.com/bankkit/bankkit/fault"

// Sentinel errors, matched with errors.Is.
var (
	// ErrInvalidInput: an argument is malformed; the *fault.FieldError
	// that wraps it names which.
	ErrInvalidInput = fault.New(fault.Invalid, "invalid-input", "event: invalid input")
	// ErrUnknownCursor: no cursor is registered under that name.
	ErrUnknownCursor = fault.New(fault.NotFound, "not-found", "event: unknown cursor")
	// ErrDuplicate: a subscriber of that name is already subscribed to
	// the Feed.
	ErrDuplicate = fault.New(fault.Conflict, "duplicate", "event: duplicate subscriber")
)

func invalid(field, reason string) error { return fault.Field(ErrInvalidInput, field, reason) }
