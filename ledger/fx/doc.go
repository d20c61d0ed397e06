// Package fx is foreign exchange over the ledger: conversions between a
// customer's accounts in two currencies at an explicit rate, the bank's
// open position per currency, its realised spread income, the end-of-day
// revaluation of the positions, and the annual conversion quota of
// individuals.
//
// # Rates
//
// The treasury publishes a Rate per currency pair: a mid rate, the bank's
// buy and sell rates, the source and the moment of publication, for a
// business date. Every pair is a foreign currency against the bank's home
// currency (CNY by default), quoted as home units per one foreign unit, as
// Chinese banks publish their boards. A conversion between two foreign
// currencies goes through the home currency (see CrossPrice): the bank buys
// the one paid at its buy rate and sells the one received at its sell
// rate, each spread applied once, and the record keeps both legs
// (Conversion.Cross). The rate in force at a moment is
// the latest published at or before it. Rates reach the Service through a
// port (RateSource); by default the Store's published table.
//
// A customer may ask for a Quote: the rate in force, fixed for a short time
// (WithQuoteTTL, 30 seconds by default). A conversion that names the quote
// gets its rate while the quote is valid and unused; a used or expired
// quote is refused (ErrQuoteUsed, ErrQuoteExpired, on field quote_id).
//
// # Conversions
//
// Convert debits the customer's account in one currency and credits an
// account in the other through the bank's FX position accounts (chart code
// fx_position, one per currency, made on demand), so the ledger entry
// balances in each currency. For a customer selling USD 100.00 at bank buy
// 7.10, mid 7.15:
//
//	USD  debit  customer USD account   100.00
//	USD  credit fx_position USD        100.00
//	CNY  debit  fx_position CNY        715.00   (100.00 × mid 7.15)
//	CNY  credit customer CNY account   710.00   (100.00 × buy 7.10)
//	CNY  credit fx_income CNY            5.00   (the spread, realised)
//
// The position accounts therefore carry the foreign leg at mid, and the
// spread between the customer's rate and mid is booked as income in the
// home currency when the conversion posts (income is read from the ledger
// account fx_income, and the conversion records carry it too). The
// amount the customer receives is rounded down to its currency's minor
// unit, the bank-favourable rule: the bank never pays out a fraction it
// did not price; the home leg at mid is rounded half-even, and the
// rounding difference falls into the spread.
//
// A fx_position account's balance is credit-normal: positive means the
// bank is long the currency (it bought more than it sold).
//
// The Store keeps running totals per foreign currency (position, carrying
// value, spread income), moved in the same atomic step that marks a
// conversion posted and that records a revaluation, so Positions and
// Revalue never sum the conversions; ReconcileTotals recomputes them from
// the conversions and reports any currency that differs.
//
// A conversion is two steps made safe by idempotency, as everywhere in
// bankkit: the Store records it as pending, claiming its quote and its
// share of the owner's quota atomically; then the ledger posts the entry
// under a key derived from the conversion's id, and the record is marked
// posted. A refusal by the ledger (insufficient funds, a closed account)
// deletes the pending record, releasing quote and quota. A crash in between
// leaves a pending record that the same request, retried with the same
// idempotency key, completes.
//
// # Revaluation
//
// At the close of a business date Revalue values the open position in
// each foreign currency at that date's closing mid rate and posts the
// difference from its carrying value in the home currency (the home legs
// at mid of every conversion, plus earlier revaluations) as unrealised
// gain or loss: fx_position_revaluation (debit-normal) against
// fx_revaluation (credit-normal, the P&L account). It is idempotent per
// business date and currency: the figures are recorded before posting,
// and a re-run posts the recorded figures again under the same key.
//
// A currency with an open position and no rate of its pair published for
// the date stops revaluation of that currency with a *ClosingRateError
// (ErrNoClosingRate) naming the pair and the date, after the other
// currencies are revalued: the day's P&L is never made at a stale rate
// nor silently left out. The treasury publishes the closing rate and end
// of day runs again; what was revalued is not posted twice.
//
// # Quota
//
// Individuals' conversions count against an annual quota per person and
// direction (purchases and sales of foreign currency apart), USD 50,000
// equivalent a calendar year by default: the State Administration of
// Foreign Exchange's rule for individuals (个人外汇管理办法实施细则, 2007,
// article 2). The quota is checked and charged in the same atomic step that
// records the conversion, so two conversions that do not both fit cannot
// both pass.
package fx
