package interest

import (
	"errors"
	"fmt"

	"github.com/bankkit/bankkit/fault"
)

// Sentinel errors, matched with errors.Is. Every error this package returns
// wraps one of them; validation failures are a *fault.FieldError naming the
// field at fault (as a Go field path: "Credit[1].Rate.Tiers[0].From").
var (
	// ErrInvalidProduct: a Product field is missing or out of range.
	ErrInvalidProduct = fault.New(fault.Invalid, "invalid-input", "interest: invalid product")
	// ErrInvalidAccrual: an Accrual state is inconsistent (a negative
	// accrual, a carry of a whole minor unit or more, dates that disagree).
	// Stores should never produce one; it usually means a bad migration.
	ErrInvalidAccrual = fault.New(fault.Invalid, "invalid-input", "interest: invalid accrual state")
	// ErrInvalidInput: an argument (a day, a balance, a rate) is invalid.
	ErrInvalidInput = fault.New(fault.Invalid, "invalid-input", "interest: invalid input")
	// ErrOutOfOrder: a day was accrued twice, a day was skipped, or a posting
	// was asked for a day other than the last one accrued. The end-of-day
	// runner must accrue each calendar day exactly once, in order.
	ErrOutOfOrder = fault.New(fault.Conflict, "conflict", "interest: accrual out of order")
	// ErrPostingDue: the last day accrued ended a posting period and was not
	// posted; Post it before accruing the next day.
	ErrPostingDue = fault.New(fault.Conflict, "conflict", "interest: posting due before the next accrual")
	// ErrNoRate: the rate schedule has no rate in force on the day (its
	// first change takes effect later).
	ErrNoRate = fault.New(fault.Unprocessable, "no-rate-in-force", "interest: no rate in force")
	// ErrPartLimit: the deposit has had every partial withdrawal its
	// rules allow this term (Chinese banks allow one).
	ErrPartLimit = fault.New(fault.Unprocessable, "partial-withdrawal-limit", "interest: no partial withdrawal left")
	// ErrInstalment: the deposit's kind does not allow the operation now
	// (an instalment paid twice in a month, a notice on a deposit of
	// another kind, an instalment deposit in breach).
	ErrInstalment = fault.New(fault.Unprocessable, "deposit-kind-rule", "interest: not allowed by the deposit's kind")
	// ErrInvalidDeposit: a TimeDeposit field is missing or out of range.
	ErrInvalidDeposit = fault.New(fault.Invalid, "invalid-input", "interest: invalid time deposit")
)

func invalid(kind error, field, format string, args ...any) error {
	return fault.Field(kind, field, fmt.Sprintf(format, args...))
}

// within re-roots a nested validation error under parent, so that a rate
// error reads "Credit[1].Rate.Annual", and makes it the caller's kind.
func within(kind error, parent string, err error) error {
	var fe *fault.FieldError
	if !errors.As(err, &fe) {
		return err
	}
	nested := fault.Within(parent, err).(*fault.FieldError)
	nested.Err = kind
	return nested
}
