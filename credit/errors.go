package credit

import (
	"errors"
	"fmt"

	"github.com/bankkit/bankkit/fault"
)

// Sentinel errors, matched with errors.Is.
var (
	// ErrInvalidInput: a field failed validation. The error is a
	// *fault.FieldError naming the field.
	ErrInvalidInput = fault.New(fault.Invalid, "invalid-input", "credit: invalid input")
	// ErrNotFound: no product or application has that id (or code).
	ErrNotFound = fault.New(fault.NotFound, "not-found", "credit: not found")
	// ErrDuplicate: a product with that code exists already.
	ErrDuplicate = fault.New(fault.Conflict, "duplicate", "credit: duplicate")
	// ErrOpenApplication: the customer already has an open application for
	// the product; decide or withdraw it first.
	ErrOpenApplication = fault.New(fault.Conflict, "open-application", "credit: an application for this product is already open")
	// ErrIneligible: an eligibility rule refused the application. The
	// error is a *Refusal naming the rule.
	ErrIneligible = fault.New(fault.Unprocessable, "ineligible", "credit: not eligible")
	// ErrInvalidTransition: the application's state does not allow the
	// step (scoring a withdrawn application, withdrawing a decided one).
	ErrInvalidTransition = fault.New(fault.Conflict, "invalid-state-transition", "credit: invalid state transition")
	// ErrOutOfOrder: a decision names a step that is not the one awaiting
	// decision (it moved on, or is not reached yet).
	ErrOutOfOrder = fault.New(fault.Conflict, "approval-out-of-order", "credit: approval out of order")
	// ErrMakerChecker: the approver entered the application, or already
	// decided a step of it in this round.
	ErrMakerChecker = fault.New(fault.Forbidden, "maker-checker", "credit: the maker or an earlier approver may not approve")
	// ErrForbidden: the approver's role is not the step's.
	ErrForbidden = fault.New(fault.Forbidden, "forbidden", "credit: forbidden")
	// ErrAuthority: the final approver's role has no authority for the
	// amount.
	ErrAuthority = fault.New(fault.Forbidden, "authority-exceeded", "credit: beyond the approver's authority")
	// ErrUnavailable: a port (KYC, bureau, behavioural features) failed;
	// nothing was changed, try again later.
	ErrUnavailable = fault.New(fault.Unavailable, "unavailable", "credit: a dependency is unavailable")
	// ErrNoConvergence: the APR solver did not reach its tolerance; the
	// cash flows have no internal rate of return in range.
	ErrNoConvergence = fault.New(fault.Unprocessable, "no-convergence", "credit: the rate of return does not converge")
	// ErrSuperseded: the contract version was superseded by a later one
	// (the error names the field "version"); read and accept the latest.
	ErrSuperseded = fault.New(fault.Conflict, "contract-superseded", "credit: the contract version is superseded")
	// ErrAlreadyDisbursed: the loan is paid out in full; nothing is left
	// to disburse.
	ErrAlreadyDisbursed = fault.New(fault.Conflict, "already-disbursed", "credit: the loan is already disbursed")
	// ErrLoanClosed: the loan is repaid and closed; it takes no more
	// payments.
	ErrLoanClosed = fault.New(fault.Conflict, "loan-closed", "credit: the loan is closed")
	// ErrRefused: the ledger refused an entry for good (insufficient
	// funds, a closed account); nothing was posted or recorded.
	ErrRefused = fault.New(fault.Unprocessable, "ledger-refused", "credit: the ledger refused the entry")
	// ErrKeyReused: an idempotency key was used before for a different
	// request.
	ErrKeyReused = fault.New(fault.Unprocessable, "idempotency-key-reused", "credit: idempotency key reused with a different request")
)

func invalid(field, format string, args ...any) error {
	return fault.Field(ErrInvalidInput, field, fmt.Sprintf(format, args...))
}

// within re-roots a nested validation error under parent
// ("origination_fee.rate"); an error about the whole nested value (no
// field of its own) names parent.
func within(parent string, err error) error {
	var fe *fault.FieldError
	if errors.As(err, &fe) && fe.Field == "" {
		return fault.Field(fe.Err, parent, fe.Reason)
	}
	return fault.Within(parent, err)
}
