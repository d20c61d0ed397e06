package fx

import (
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
