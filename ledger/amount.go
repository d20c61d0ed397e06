package ledger

import (
	"github.com/bankkit/bankkit/money"
	"github.com/shopspring/decimal"
)

// These helpers do what money and decimal do, minus the allocations on the
// common path: every posting passes through them, and each decimal
// operation allocates.

// amountValid reports whether m has a valid currency and fits its minor
// unit, like m.Valid(), without allocating when the exponent already shows
// it.
func amountValid(m money.Money) bool {
	if !m.Currency.Valid() {
		return false
	}
	if m.Amount.Exponent() >= -m.Currency.MinorUnits() {
		return true
	}
	return m.Valid()
}

// exceeds reports whether |d| > limit, for a limit >= 1 (money.MaxAmount,
// money.Capacity). It compares the digits before the point first, which
// is free, and decides by arithmetic only when they are as many.
func exceeds(d decimal.Decimal, limit money.Money) bool {
	if d.IsZero() {
		return false
	}
	digits := d.NumDigits() + int(d.Exponent())
	limitDigits := limit.Amount.NumDigits() + int(limit.Amount.Exponent())
	switch {
	case digits < limitDigits:
		return false
	case digits > limitDigits:
		return true
	}
	return d.Abs().GreaterThan(limit.Amount)
}

// addDec returns a+b, skipping the arithmetic when either is zero.
func addDec(a, b decimal.Decimal) decimal.Decimal {
	switch {
	case b.IsZero():
		return a
	case a.IsZero():
		return b
	}
	return a.Add(b)
}

// subDec returns a-b, skipping the arithmetic when b is zero.
func subDec(a, b decimal.Decimal) decimal.Decimal {
	if b.IsZero() {
		return a
	}
	return a.Sub(b)
}
