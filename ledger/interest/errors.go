package interest

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors, matched with errors.Is. Every error this package returns
// wraps one of them; validation failures are a *ValidationError naming the
// field at fault.
var (
	// ErrInvalidProduct: a Product field is missing or out of range.
	ErrInvalidProduct = errors.New("interest: invalid product")
	// ErrInvalidAccrual: an Accrual state is inconsistent (a negative
	// accrual, a carry of a whole minor unit or more, dates that disagree).
	// Stores should never produce one; it usually means a bad migration.
	ErrInvalidAccrual = errors.New("interest: invalid accrual state")
	// ErrInvalidInput: an argument (a day, a balance, a rate) is invalid.
	ErrInvalidInput = errors.New("interest: invalid input")
	// ErrOutOfOrder: a day was accrued twice, a day was skipped, or a posting
	// was asked for a day other than the last one accrued. The end-of-day
	// runner must accrue each calendar day exactly once, in order.
	ErrOutOfOrder = errors.New("interest: accrual out of order")
	// ErrPostingDue: the last day accrued ended a posting period and was not
	// posted; Post it before accruing the next day.
	ErrPostingDue = errors.New("interest: posting due before the next accrual")
	// ErrNoRate: the rate schedule has no rate in force on the day (its
	// first change takes effect later).
	ErrNoRate = errors.New("interest: no rate in force")
	// ErrInvalidDeposit: a TimeDeposit field is missing or out of range.
	ErrInvalidDeposit = errors.New("interest: invalid time deposit")
)

// ValidationError says which field is at fault and why. It wraps Kind, one
// of the sentinels above, so errors.Is(err, ErrInvalidProduct) holds and
// errors.As gives the field name.
type ValidationError struct {
	Kind   error  // ErrInvalidProduct, ErrInvalidAccrual, ErrInvalidInput or ErrInvalidDeposit
	Field  string // the Go field path: "Credit[1].Rate.Tiers[0].From", "TermMonths"
	Reason string // what is wrong with it
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("%v: %s: %s", e.Kind, e.Field, e.Reason)
}

// Unwrap returns Kind.
func (e *ValidationError) Unwrap() error { return e.Kind }

func invalid(kind error, field, format string, args ...any) error {
	return &ValidationError{Kind: kind, Field: field, Reason: fmt.Sprintf(format, args...)}
}

// within re-roots a nested validation error under parent, so that a rate
// error reads "Credit[1].Rate.Annual" and keeps the caller's kind.
func within(kind error, parent string, err error) error {
	var ve *ValidationError
	if errors.As(err, &ve) {
		sep := "."
		if strings.HasPrefix(ve.Field, "[") {
			sep = ""
		}
		return &ValidationError{Kind: kind, Field: parent + sep + ve.Field, Reason: ve.Reason}
	}
	return err
}
