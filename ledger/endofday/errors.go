package endofday

import (
	"errors"

	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/ledger"
)

// Errors of end of day, matched with errors.Is.
var (
	// ErrBusinessDateMoved: the business date is not the one the caller
	// expected; another end-of-day run advanced it first.
	ErrBusinessDateMoved = fault.New(fault.Conflict, "conflict", "ledger: business date moved")
	// ErrAccrualConflict: an account's accrual state or a run record
	// changed since it was read; another run of the same date got there
	// first.
	ErrAccrualConflict = fault.New(fault.Conflict, "conflict", "ledger: accrual state changed concurrently")
	// ErrTimeDepositState: the time deposit is not in a state that allows
	// the operation (already closed, awaiting funding, held at maturity).
	ErrTimeDepositState = fault.New(fault.Conflict, "invalid-state-transition", "ledger: time deposit not in a state for this")
	// ErrStepsPending: Advance was asked to move the business date before
	// RunSteps had finished the date's other steps.
	ErrStepsPending = fault.New(fault.Conflict, "invalid-state-transition", "ledger: end-of-day steps pending before the advance")
)

// invalid is bad input in field: ledger.ErrInvalidInput, as the ledger's
// own validation errors.
func invalid(field, reason string) error {
	return fault.Field(ledger.ErrInvalidInput, field, reason)
}

// invalidAs is invalid for bad input that is also kind, so both errors.Is
// checks hold.
func invalidAs(kind error, field, reason string) error {
	return fault.Field(errors.Join(ledger.ErrInvalidInput, kind), field, reason)
}
