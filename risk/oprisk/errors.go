package oprisk

import (
	"fmt"

	"github.com/bankkit/bankkit/fault"
)

// Sentinel errors, matched with errors.Is.
var (
	// ErrInvalidInput: a field is missing or malformed; the error is a
	// *fault.FieldError naming it.
	ErrInvalidInput = fault.New(fault.Invalid, "invalid-input", "oprisk: invalid input")
	// ErrNotFound: no held request, permission or role by that name or id.
	ErrNotFound = fault.New(fault.NotFound, "not-found", "oprisk: not found")
	// ErrNotPending: the held request was already approved or rejected.
	ErrNotPending = fault.New(fault.Conflict, "request-not-pending", "oprisk: the request is no longer pending")
	// ErrSegregation: a segregation-of-duties rule forbids the caller
	// this step (the maker approving its own request, the creator of a
	// staff user giving it roles).
	ErrSegregation = fault.New(fault.Forbidden, "segregation-of-duties", "oprisk: segregation of duties")
	// ErrLastHolder: the change would leave no role holding a permission
	// that must always be held (the one that changes grants).
	ErrLastHolder = fault.New(fault.Unprocessable, "last-holder", "oprisk: a protected permission would be held by no role")
)

func invalid(field, format string, args ...any) error {
	return fault.Field(ErrInvalidInput, field, fmt.Sprintf(format, args...))
}
