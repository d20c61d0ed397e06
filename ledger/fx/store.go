package fx

import (
	"context"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
)

// RateSource is the port the Service reads rates through: the rate of a
// pair in force at a moment (the latest published at or before it), or
// ErrNoRate. A Store is one; a bank with a rate feed of its own plugs it in
// with WithRates.
type RateSource interface {
	RateAt(ctx context.Context, pair Pair, at time.Time) (Rate, error)
}

// Store keeps the FX records: published rates, quotes, conversion records
// with their quota usage, and revaluations. Postings go through the
// ledger.Service, never here. Every method is safe for concurrent use;
// fxtest.Run is the contract suite.
type Store interface {
	RateSource

	// PublishRate stores r (already validated). Errors: ledger.ErrDuplicate
	// when the pair has a rate published at the same instant.
	PublishRate(ctx context.Context, r Rate) error

	// Rates returns the rates of pair published for the business date, in
	// ascending PublishedAt order.
	Rates(ctx context.Context, pair Pair, date calendar.Date) ([]Rate, error)

	// SaveQuote stores a new quote.
	SaveQuote(ctx context.Context, q Quote) error

	// Quote returns the quote. Errors: ledger.ErrNotFound.
	Quote(ctx context.Context, id ledger.ID) (Quote, error)

	// BeginConversion records c as Pending, atomically:
	//  1. If c.IdempotencyKey is set and a conversion has it: that
	//     conversion with replayed == true when fp matches its
	//     fingerprint, ledger.ErrIdempotencyConflict otherwise. Nothing
	//     else is checked.
	//  2. If c.QuoteID is set and another conversion holds that quote:
	//     ErrQuoteUsed.
	//  3. If quota.Limit is positive and the owner's usage for the year and
	//     side plus quota.Amount exceeds it: ErrQuotaExceeded.
	//  4. Store c, claim the quote, add quota.Amount to the usage.
	BeginConversion(ctx context.Context, c Conversion, fp ledger.Fingerprint, quota QuotaCharge) (conv Conversion, replayed bool, err error)

	// FinishConversion marks a Pending conversion Posted with its entry and
	// returns it; on a Posted one it returns it unchanged. The running
	// Totals of every currency in the conversion's Effects move in the
	// same atomic step as the status, so they always equal the sum of the
	// posted conversions. Errors: ledger.ErrNotFound.
	FinishConversion(ctx context.Context, id, entryID ledger.ID) (Conversion, error)

	// CancelConversion deletes a Pending conversion, releasing its quote
	// and its quota usage. A missing or Posted conversion is left as it is
	// and nil returned: only a conversion whose entry was refused is
	// cancelled.
	CancelConversion(ctx context.Context, id ledger.ID) error

	// Conversion returns the record. Errors: ledger.ErrNotFound.
	Conversion(ctx context.Context, id ledger.ID) (Conversion, error)

	// ConversionByKey returns the conversion recorded under the
	// idempotency key, with the fingerprint it was recorded with.
	// Errors: ledger.ErrNotFound.
	ConversionByKey(ctx context.Context, key string) (Conversion, ledger.Fingerprint, error)

	// QuotaUsed returns the owner's usage for the year and side (pending
	// and posted conversions), zero when none.
	QuotaUsed(ctx context.Context, ownerID string, year int, side Side) (decimal.Decimal, error)

	// Totals returns, for each foreign currency with a posted conversion,
	// its running Totals, all read at one consistent moment, in currency
	// order: kept per currency as conversions finish and revaluations are
	// recorded, never summed from the conversions.
	Totals(ctx context.Context) ([]Totals, error)

	// RecomputeTotals sums the posted conversions' Effects and the
	// revaluations' gains per currency, as Totals should read, in currency
	// order, at one consistent moment with Totals' own figures: the
	// reconciliation of the running totals. It reads every conversion.
	RecomputeTotals(ctx context.Context) (recomputed, running []Totals, err error)

	// Revalue records the revaluation of currency on date: if one is
	// recorded it returns it with replayed == true; otherwise it reads the
	// currency's running Totals (zero when none) with no conversion
	// finishing meanwhile, calls fn, stores what fn returns and adds its
	// Gain to the currency's carrying value, atomically. fn's error is
	// returned as is.
	Revalue(ctx context.Context, date calendar.Date, currency money.Currency, fn func(Totals) (Revaluation, error)) (rev Revaluation, replayed bool, err error)

	// SetRevaluationEntry records the entry that posted the revaluation.
	// Errors: ledger.ErrNotFound.
	SetRevaluationEntry(ctx context.Context, date calendar.Date, currency money.Currency, entryID ledger.ID) error

	// Revaluations returns the revaluations of date in currency order.
	Revaluations(ctx context.Context, date calendar.Date) ([]Revaluation, error)
}
