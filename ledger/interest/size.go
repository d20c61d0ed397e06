package interest

import "github.com/shopspring/decimal"

// Exact decimal arithmetic grows with its operands, and an input like
// 1e999999999 would make a single comparison allocate gigabytes. Every
// decimal this package accepts is therefore bounded; no real balance or rate
// comes near the bounds.
const (
	// inputDigits bounds balances, amounts and rates: below 10^30 in size,
	// with at most 30 decimal places.
	inputDigits = 30
	// stateDigits bounds the fields of an Accrual, which sum many days of
	// inputs and keep products of rates and amounts: below 10^40 in size,
	// with at most 60 decimal places.
	stateDigits = 40
	statePlaces = 60
)

// checkSize refuses an input decimal too large or too finely divided to be
// an amount or a rate.
func checkSize(kind error, field string, d decimal.Decimal) error {
	return checkBounds(kind, field, d, inputDigits, inputDigits)
}

// checkBounds refuses d when it has more than places decimal places or
// more than digits digits before the point. It looks only at the exponent
// and the coefficient's length, so the check itself stays cheap.
func checkBounds(kind error, field string, d decimal.Decimal, places, digits int) error {
	exp := int(d.Exponent())
	if exp < -places || exp > digits || d.NumDigits()+exp > digits {
		return invalid(kind, field, "%s is out of range (at most %d digits before the point and %d after)", abbreviate(d), digits, places)
	}
	return nil
}

// abbreviate shows a huge decimal in an error message without printing
// all of it.
func abbreviate(d decimal.Decimal) string {
	if d.NumDigits() > 2*inputDigits || d.Exponent() > 2*inputDigits || d.Exponent() < -2*inputDigits {
		return "a number of " + decimal.NewFromInt(int64(d.NumDigits())).String() + " digits × 10^" + decimal.NewFromInt(int64(d.Exponent())).String()
	}
	return d.String()
}
