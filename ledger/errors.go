package ledger

import (
	"errors"

	"github.com/bankkit/bankkit/fault"
)

// Sentinel errors, matched with errors.Is. Every error the Service and the
// stores return wraps one of them.
var (
	// ErrInvalidInput: a request field is missing or malformed. The error is
	// a *fault.FieldError naming the field.
	ErrInvalidInput = fault.New(fault.Invalid, "invalid-input", "ledger: invalid input")
	// ErrNotFound: no account, entry or hold with that id or number.
	ErrNotFound = fault.New(fault.NotFound, "not-found", "ledger: not found")
	// ErrDuplicate: an account with that id, number or chart code exists.
	ErrDuplicate = fault.New(fault.Conflict, "duplicate", "ledger: duplicate")
	// ErrInsufficientFunds: the entry would take an account's available
	// balance below what its balance policy allows.
	ErrInsufficientFunds = fault.New(fault.Unprocessable, "insufficient-funds", "ledger: insufficient funds")
	// ErrIdempotencyConflict: the idempotency key was used before for a
	// different request.
	ErrIdempotencyConflict = fault.New(fault.Unprocessable, "idempotency-key-reused", "ledger: idempotency key reused with a different request")
	// ErrAccountFrozen: the account is frozen for this kind of posting.
	ErrAccountFrozen = fault.New(fault.Unprocessable, "account-frozen", "ledger: account frozen")
	// ErrAccountDormant: the account is dormant; it takes credits but no
	// debits until it is reactivated.
	ErrAccountDormant = fault.New(fault.Unprocessable, "account-dormant", "ledger: account dormant")
	// ErrAccountClosed: the account is closed and takes no postings.
	ErrAccountClosed = fault.New(fault.Unprocessable, "account-closed", "ledger: account closed")
	// ErrAccountNotEmpty: an account cannot close while it has a non-zero
	// balance or active holds.
	ErrAccountNotEmpty = fault.New(fault.Conflict, "account-not-empty", "ledger: account has a balance or active holds")
	// ErrCurrencyMismatch: an amount's currency differs from its account's.
	ErrCurrencyMismatch = fault.New(fault.Unprocessable, "currency-mismatch", "ledger: currency mismatch")
	// ErrUnbalanced: an entry's debits and credits differ in some currency.
	ErrUnbalanced = fault.New(fault.Invalid, "unbalanced", "ledger: entry does not balance")
	// ErrAlreadyReversed: the entry has been reversed already.
	ErrAlreadyReversed = fault.New(fault.Conflict, "already-reversed", "ledger: entry already reversed")
	// ErrHoldNotActive: the hold was captured, released or has expired.
	ErrHoldNotActive = fault.New(fault.Conflict, "hold-not-active", "ledger: hold not active")
	// ErrTimeDepositLocked: money leaves a time deposit only at maturity
	// or by early closure (package endofday), never by a withdrawal, transfer or
	// hold.
	ErrTimeDepositLocked = fault.New(fault.Unprocessable, "time-deposit-locked", "ledger: a time deposit pays out only at maturity or by early closure")
	// ErrBalanceLimit: the entry would take an account's balance past what
	// it may hold: money.MaxAmount by a customer's own posting,
	// money.Capacity by any (see Apply).
	ErrBalanceLimit = fault.New(fault.Unprocessable, "balance-limit", "ledger: the balance would pass the largest an account may hold")
	// ErrClassLimit: the entry would pass a limit of a class II or III
	// account (an outflow limit or the maximum balance); the error is a
	// *ClassLimitError naming the limit and what remains of it.
	ErrClassLimit = fault.New(fault.Unprocessable, "account-class-limit", "ledger: the account's class limit refuses the posting")
	// ErrClassOneHeld: the owner holds an open class I account in the
	// currency already; one is allowed per person per bank.
	ErrClassOneHeld = fault.New(fault.Unprocessable, "class-one-account-held", "ledger: the owner already holds a class I account")
)

func invalid(field, reason string) error {
	return fault.Field(ErrInvalidInput, field, reason)
}

// invalidAs is invalid for bad input that is also kind (ErrUnbalanced),
// so both errors.Is checks hold.
func invalidAs(kind error, field, reason string) error {
	return fault.Field(errors.Join(ErrInvalidInput, kind), field, reason)
}
