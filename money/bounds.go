package money

import "github.com/shopspring/decimal"

// CarriedDigits is the most digits an amount may have wherever the books
// carry it. The narrowest carrier is ISO 20022: ActiveCurrencyAndAmount and
// ActiveOrHistoricCurrencyAndAmount (the amounts, totals and balances of
// pacs.008, pacs.004 and camt.053) have totalDigits 18, with the currency's
// minor unit as fraction digits (at most 5). The other carriers are wider:
// the ledger's PostgreSQL columns are NUMERIC without a precision, and the
// interest package takes balances of up to 30 digits.
const CarriedDigits = 18

// headroomDigits is how many digits MaxAmount leaves below the carriers,
// for what the books derive from accepted amounts: a clearing batch of up
// to 10,000 transfers (clearing.WithBatchLimit) totals less than 10^4 of
// them; a year's interest at the highest rate any product allows (100%)
// doubles a balance, and a fifty-year time deposit at that rate pays 51
// times its principal.
const headroomDigits = 4

// bound is a currency's two limits.
type bound struct{ max, capacity Money }

// bounds holds the limits of every currency, made once: MaxAmount and
// Capacity are on every posting's path.
var bounds = func() map[Currency]bound {
	m := make(map[Currency]bound, len(minorUnits))
	for code, places := range minorUnits {
		c := Currency(code)
		m[c] = bound{max: nines(CarriedDigits-headroomDigits, places, c), capacity: nines(CarriedDigits, places, c)}
	}
	return m
}()

// nines is the largest amount of c written with digits digits, places of
// them after the point: 10^(digits-places) less one minor unit.
func nines(digits, places int32, c Currency) Money {
	one := decimal.New(1, digits-places)
	return Money{Amount: one.Sub(decimal.New(1, -places)), Currency: c}
}

// MaxAmount returns the largest amount bankkit accepts in currency c: in one
// request (a deposit, a transfer, a hold, a time deposit's principal, an
// outbound or inbound clearing payment) and as the balance a customer's own
// postings may bring an account to. It has CarriedDigits-4 digits, so
// CNY 999999999999.99, JPY 99999999999999 and BHD 99999999999.999; the
// four digits below Capacity are room for totals and interest derived from
// accepted amounts. For a currency of little value the bound is low (IRR
// 999999999999.99 is worth a few million US dollars): such a bank cannot
// use bankkit for larger amounts. It returns the zero Money for a currency
// that is not Valid.
func MaxAmount(c Currency) Money { return bounds[c].max }

// Capacity returns the largest amount every carrier of the books holds in
// currency c: CarriedDigits digits with c's minor unit (CNY
// 9999999999999999.99). No posting and no balance may go past it; the
// bank's own entries (interest, payouts, settlement totals) may take a
// balance beyond MaxAmount up to it. It returns the zero Money for a
// currency that is not Valid.
func Capacity(c Currency) Money { return bounds[c].capacity }
