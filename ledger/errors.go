package ledger

import (
	"errors"
	"fmt"
)

// Sentinel errors, matched with errors.Is. Every error the Service and the
// stores return wraps one of them.
var (
	// ErrInvalidInput: a request field is missing or malformed. The error is
	// a *ValidationError naming the field.
	ErrInvalidInput = errors.New("ledger: invalid input")
	// ErrNotFound: no account, entry or hold with that id or number.
	ErrNotFound = errors.New("ledger: not found")
	// ErrDuplicate: an account with that id, number or chart code exists.
	ErrDuplicate = errors.New("ledger: duplicate")
	// ErrInsufficientFunds: the entry would take an account's available
	// balance below what its balance policy allows.
	ErrInsufficientFunds = errors.New("ledger: insufficient funds")
	// ErrIdempotencyConflict: the idempotency key was used before for a
	// different request.
	ErrIdempotencyConflict = errors.New("ledger: idempotency key reused with a different request")
	// ErrAccountFrozen: the account is frozen for this kind of posting.
	ErrAccountFrozen = errors.New("ledger: account frozen")
	// ErrAccountDormant: the account is dormant; it takes credits but no
	// debits until it is reactivated.
	ErrAccountDormant = errors.New("ledger: account dormant")
	// ErrAccountClosed: the account is closed and takes no postings.
	ErrAccountClosed = errors.New("ledger: account closed")
	// ErrAccountNotEmpty: an account cannot close while it has a non-zero
	// balance or active holds.
	ErrAccountNotEmpty = errors.New("ledger: account has a balance or active holds")
	// ErrCurrencyMismatch: an amount's currency differs from its account's.
	ErrCurrencyMismatch = errors.New("ledger: currency mismatch")
	// ErrUnbalanced: an entry's debits and credits differ in some currency.
	ErrUnbalanced = errors.New("ledger: entry does not balance")
	// ErrAlreadyReversed: the entry has been reversed already.
	ErrAlreadyReversed = errors.New("ledger: entry already reversed")
	// ErrHoldNotActive: the hold was captured, released or has expired.
	ErrHoldNotActive = errors.New("ledger: hold not active")
	// ErrTimeDepositLocked: money leaves a time deposit only at maturity
	// or by early closure (EndOfDay), never by a withdrawal, transfer or
	// hold.
	ErrTimeDepositLocked = errors.New("ledger: a time deposit pays out only at maturity or by early closure")
)

// ValidationError says which request field is at fault and why. It wraps
// ErrInvalidInput, and also Kind when set (ErrUnbalanced,
// ErrCurrencyMismatch), so both errors.Is checks hold.
type ValidationError struct {
	Field  string
	Reason string
	Kind   error
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("ledger: invalid %s: %s", e.Field, e.Reason)
}

// Unwrap returns ErrInvalidInput and Kind, if any.
func (e *ValidationError) Unwrap() []error {
	if e.Kind != nil {
		return []error{ErrInvalidInput, e.Kind}
	}
	return []error{ErrInvalidInput}
}

func invalid(field, reason string) error {
	return &ValidationError{Field: field, Reason: reason}
}
