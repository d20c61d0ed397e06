package fx

import (
	"fmt"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/ledger"
)

// Sentinel errors, matched with errors.Is. Bad input is a *fault.FieldError
// wrapping ledger.ErrInvalidInput; a missing object is ledger.ErrNotFound;
// a reused idempotency key ledger.ErrIdempotencyConflict.
var (
	// ErrNoRate: no rate for the pair is in force at the moment asked (a
	// movement between currencies is never made without one).
	ErrNoRate = fault.New(fault.Unprocessable, "fx-no-rate", "fx: no exchange rate in force for the currency pair")
	// ErrNoClosingRate: revaluation found an open position in a currency
	// whose pair has no rate published for the business date. Revalue
	// returns it as a *ClosingRateError naming the pair and the date; it
	// matches ErrNoRate too.
	ErrNoClosingRate = fault.New(fault.Unprocessable, "fx-no-closing-rate", "fx: no closing rate published for the business date")
	// ErrQuoteExpired: the quote named by a conversion is past its validity.
	ErrQuoteExpired = fault.New(fault.Unprocessable, "fx-quote-expired", "fx: the quote has expired")
	// ErrQuoteUsed: the quote named by a conversion was used by another.
	ErrQuoteUsed = fault.New(fault.Conflict, "fx-quote-used", "fx: the quote was used already")
	// ErrQuotaExceeded: the conversion would take the owner's annual quota
	// past its limit.
	ErrQuotaExceeded = fault.New(fault.Unprocessable, "fx-quota-exceeded", "fx: the annual conversion quota would be exceeded")
	// ErrConversionCancelled: another request with the same idempotency
	// key had the conversion refused and cancelled while this one posted
	// it; the posting was reversed, and the request may be sent again.
	ErrConversionCancelled = fault.New(fault.Conflict, "fx-conversion-cancelled", "fx: the conversion was cancelled by a concurrent request with the same key; its posting was reversed")
)

func invalid(field, reason string) error {
	return fault.Field(ledger.ErrInvalidInput, field, reason)
}

func fieldErr(sentinel error, field, reason string) error {
	return fault.Field(sentinel, field, reason)
}

// ClosingRateError is revaluation's refusal of a currency with an open
// position and no rate of its pair published for the date: the end of
// day's FX step fails with it, naming the pair, rather than revalue at a
// stale rate. Publishing the pair's closing rate for the date and running
// end of day again finishes the step. It matches ErrNoClosingRate and
// ErrNoRate.
type ClosingRateError struct {
	Pair Pair
	Date calendar.Date
}

func (e *ClosingRateError) Error() string {
	return fmt.Sprintf("fx: no %s closing rate published for %s: the open %s position cannot be revalued; publish a %s rate for %s and run end of day again",
		e.Pair, e.Date, e.Pair.Base, e.Pair, e.Date)
}

// Unwrap returns ErrNoClosingRate and ErrNoRate.
func (e *ClosingRateError) Unwrap() []error { return []error{ErrNoClosingRate, ErrNoRate} }
