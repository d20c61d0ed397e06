package refserver

import (
	"errors"
	"net/http"
	"strings"

	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/clearing"
	"github.com/bankkit/bankkit/ledger/endofday"
	"github.com/bankkit/bankkit/ledger/iso20022"
	"github.com/bankkit/bankkit/money"
)

// Business-rule problem types (422) and state conflicts (409), one per
// domain error a client can act on.
var (
	probInsufficientFunds = problemKind{"insufficient-funds", http.StatusUnprocessableEntity, "Insufficient funds"}
	probAccountFrozen     = problemKind{"account-frozen", http.StatusUnprocessableEntity, "The account is frozen"}
	probAccountDormant    = problemKind{"account-dormant", http.StatusUnprocessableEntity, "The account is dormant"}
	probAccountClosed     = problemKind{"account-closed", http.StatusUnprocessableEntity, "The account is closed"}
	probAccountNotEmpty   = problemKind{"account-not-empty", http.StatusConflict, "The account has a balance or active holds"}
	probCurrencyMismatch  = problemKind{"currency-mismatch", http.StatusUnprocessableEntity, "The currency does not match the account"}
	probAlreadyReversed   = problemKind{"already-reversed", http.StatusConflict, "The transfer has already been reversed"}
	probHoldNotActive     = problemKind{"hold-not-active", http.StatusConflict, "The hold is no longer active"}
	probDuplicate         = problemKind{"duplicate", http.StatusConflict, "It already exists"}
	probInvalidTransition = problemKind{"invalid-state-transition", http.StatusConflict, "That change is not allowed from the current state"}
	probCustomerNotReady  = problemKind{"customer-not-verified", http.StatusUnprocessableEntity, "The customer must exist and be KYC-verified"}
	probTimeDepositLocked = problemKind{"time-deposit-locked", http.StatusUnprocessableEntity, "A time deposit pays out only at maturity or by early closure"}
	probInvalidMessage    = problemKind{"invalid-message", http.StatusBadRequest, "The uploaded message is not a valid ISO 20022 or CSV file of a kind this server reads"}
	probInvalidLogin      = problemKind{"invalid-credentials", http.StatusUnauthorized, "Invalid username or password"}
)

// errorProblems maps sentinel errors to problem kinds, most specific first.
var errorProblems = []struct {
	err  error
	kind problemKind
}{
	{ledger.ErrInsufficientFunds, probInsufficientFunds},
	{ledger.ErrAccountFrozen, probAccountFrozen},
	{ledger.ErrAccountDormant, probAccountDormant},
	{ledger.ErrAccountClosed, probAccountClosed},
	{ledger.ErrAccountNotEmpty, probAccountNotEmpty},
	{ledger.ErrCurrencyMismatch, probCurrencyMismatch},
	{money.ErrCurrencyMismatch, probCurrencyMismatch},
	{ledger.ErrAlreadyReversed, probAlreadyReversed},
	{ledger.ErrHoldNotActive, probHoldNotActive},
	{ledger.ErrIdempotencyConflict, probIdemMismatch},
	{ledger.ErrTimeDepositLocked, probTimeDepositLocked},
	{clearing.ErrState, probInvalidTransition},
	{endofday.ErrTimeDepositState, probInvalidTransition},
	{endofday.ErrBusinessDateMoved, probConflict},
	{endofday.ErrAccrualConflict, probConflict},
	{iso20022.ErrInvalidMessage, probInvalidMessage},
	{iso20022.ErrUnsupportedMessage, probInvalidMessage},
	{ledger.ErrDuplicate, probDuplicate},
	{ledger.ErrNotFound, probNotFound},
	{customer.ErrVersionConflict, probPreconditionFailed},
	{customer.ErrDuplicate, probDuplicate},
	{customer.ErrInvalidTransition, probInvalidTransition},
	{customer.ErrNotFound, probNotFound},
	{customer.ErrForbidden, probForbidden},
	{errCustomerNotVerified, probCustomerNotReady},
	{channel.ErrInvalidCredentials, probInvalidLogin},
	{channel.ErrUnauthenticated, probUnauthenticated},
	{channel.ErrForbidden, probForbidden},
	{channel.ErrDuplicate, probDuplicate},
	{channel.ErrNotFound, probNotFound},
	{errNotFound, probNotFound},
	{errTooManyLogins, probTooManyRequests},
}

// problemFor's typed handler errors.
func typedProblem(err error) (Problem, bool) {
	var fb *forbiddenErr
	var pr *preconditionRequired
	switch {
	case errors.As(err, &fb):
		return probForbidden.problem(fb.msg), true
	case errors.As(err, &pr):
		return probPreconditionRequired.problem(pr.Error(), FieldError{Field: "If-Match", Message: "is required"}), true
	}
	return Problem{}, false
}

var probPreconditionRequired = problemKind{"precondition-required", http.StatusPreconditionRequired, "If-Match is required"}

// errNotFound is what handlers return for an object that does not exist or
// is not the caller's: the two must be indistinguishable.
var errNotFound = errors.New("not found")

// errCustomerNotVerified: opening an account for a customer that does not
// exist or has not passed KYC.
var errCustomerNotVerified = errors.New("the customer must exist and be KYC-verified")

// fieldErr is a handler's own validation error about one request field.
type fieldErr struct{ field, msg string }

func (e *fieldErr) Error() string { return e.field + ": " + e.msg }

func badField(field, msg string) error { return &fieldErr{field: field, msg: msg} }

// problemFor turns a handler error into the answer the client sees.
// Errors no table entry covers are internal: logged in full, answered
// without detail.
func (s *Server) problemFor(r *http.Request, err error) Problem {
	var de *decodeError
	if errors.As(err, &de) {
		return de.p
	}
	if p, ok := typedProblem(err); ok {
		return p
	}
	if field, msg, ok := validationField(err); ok {
		return probInvalidInput.problem(msg, FieldError{Field: field, Message: msg})
	}
	for _, m := range errorProblems {
		if errors.Is(err, m.err) {
			return m.kind.problem(publicDetail(err))
		}
	}
	if errors.Is(err, money.ErrInvalidAmount) || errors.Is(err, money.ErrUnknownCurrency) ||
		errors.Is(err, ledger.ErrInvalidInput) || errors.Is(err, customer.ErrInvalidInput) || errors.Is(err, channel.ErrInvalidInput) {
		return probInvalidInput.problem(publicDetail(err))
	}
	s.log.ErrorContext(r.Context(), "request failed", "error", err, "route", r.Pattern)
	return probInternal.problem("")
}

// validationField extracts the field at fault from any subsystem's
// validation error.
func validationField(err error) (field, msg string, ok bool) {
	var fe *fieldErr
	var le *fault.FieldError
	var ce *fault.FieldError
	var he *fault.FieldError
	switch {
	case errors.As(err, &fe):
		return fe.field, fe.msg, true
	case errors.As(err, &le):
		return jsonField(le.Field), le.Reason, true
	case errors.As(err, &ce):
		return ce.Field, ce.Reason, true
	case errors.As(err, &he):
		return he.Field, he.Reason, true
	}
	return "", "", false
}

// jsonField turns a Go-style field name from a subsystem ("AccountID") into
// the API's snake_case ("account_id"); names already in snake_case pass.
func jsonField(f string) string {
	var b strings.Builder
	for i, r := range f {
		if r >= 'A' && r <= 'Z' {
			if i > 0 && f[i-1] != '.' {
				b.WriteByte('_')
			}
			r += 'a' - 'A'
		}
		b.WriteRune(r)
	}
	return b.String()
}

// publicDetail strips the package prefix subsystems put on their errors.
func publicDetail(err error) string {
	msg := err.Error()
	for _, p := range []string{"ledger: ", "customer: ", "channel: ", "money: "} {
		msg = strings.ReplaceAll(msg, p, "")
	}
	return msg
}
