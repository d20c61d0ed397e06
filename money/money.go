package money

import (
	"fmt"
	"strings"

	"github.com/shopspring/decimal"
)

// Money is an amount in a currency. The amount always fits the currency's
// minor unit when it comes from New, Parse or an operation of this package.
//
// The zero value has no currency and is not valid; use Zero(c).
type Money struct {
	Amount   decimal.Decimal
	Currency Currency
}

// New returns amount in currency c. The currency must be valid and the
// amount must have no more decimal places than c's minor unit: a caller that
// needs rounding says how with Round or Mul.
func New(amount decimal.Decimal, c Currency) (Money, error) {
	if !c.Valid() {
		return Money{}, fmt.Errorf("%w: %q", ErrUnknownCurrency, string(c))
	}
	if !fitsMinorUnit(amount, c) {
		return Money{}, fmt.Errorf("%w: %s has more than %d decimal places for %s",
			ErrInvalidAmount, amount.String(), c.MinorUnits(), c)
	}
	return Money{Amount: amount, Currency: c}, nil
}

// Zero returns a zero amount of currency c.
func Zero(c Currency) Money { return Money{Amount: decimal.Zero, Currency: c} }

// Parse reads a plain decimal string such as "1234.50" or "-3" in the currency
// with ISO code currency. Exponents, thousands separators, spaces and more
// decimal places than the minor unit allows (even zeros: "1.0" JPY) are
// refused with ErrInvalidAmount.
func Parse(value, currency string) (Money, error) {
	c, err := ParseCurrency(currency)
	if err != nil {
		return Money{}, err
	}
	return parseAmount(value, c)
}

// parseAmount reads a plain decimal written with at most c's decimal places.
func parseAmount(value string, c Currency) (Money, error) {
	d, err := parsePlainDecimal(value)
	if err != nil {
		return Money{}, err
	}
	if _, frac, _ := strings.Cut(value, "."); len(frac) > int(c.MinorUnits()) {
		return Money{}, fmt.Errorf("%w: %q has more than %d decimal places for %s",
			ErrInvalidAmount, value, c.MinorUnits(), c)
	}
	return New(d, c)
}

// MustParse is Parse for literals known to be valid; it panics otherwise.
// Use it in tests and examples, never on input.
func MustParse(value, currency string) Money {
	m, err := Parse(value, currency)
	if err != nil {
		panic(err)
	}
	return m
}

// parsePlainDecimal accepts an optional sign, digits and an optional
// fractional part; nothing else (no exponent, no spaces, no "+.", no NaN).
func parsePlainDecimal(s string) (decimal.Decimal, error) {
	body := strings.TrimPrefix(strings.TrimPrefix(s, "-"), "+")
	if len(s)-len(body) > 1 {
		return decimal.Decimal{}, fmt.Errorf("%w: %q", ErrInvalidAmount, s)
	}
	intPart, frac, hasPoint := strings.Cut(body, ".")
	if intPart == "" || (hasPoint && frac == "") || !allDigits(intPart) || !allDigits(frac) {
		return decimal.Decimal{}, fmt.Errorf("%w: %q is not a plain decimal number", ErrInvalidAmount, s)
	}
	d, err := decimal.NewFromString(s)
	if err != nil {
		return decimal.Decimal{}, fmt.Errorf("%w: %q: %v", ErrInvalidAmount, s, err)
	}
	return d, nil
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

func fitsMinorUnit(d decimal.Decimal, c Currency) bool {
	return d.Equal(d.Truncate(c.MinorUnits()))
}

// Valid reports whether m has a valid currency and an amount that fits its
// minor unit.
func (m Money) Valid() bool { return m.check() == nil }

// check says why m is not Valid, wrapping the package sentinel.
func (m Money) check() error {
	if !m.Currency.Valid() {
		return fmt.Errorf("%w: %q", ErrUnknownCurrency, string(m.Currency))
	}
	if !fitsMinorUnit(m.Amount, m.Currency) {
		return fmt.Errorf("%w: %s has more than %d decimal places for %s",
			ErrInvalidAmount, m.Amount.String(), m.Currency.MinorUnits(), m.Currency)
	}
	return nil
}

// ValueString formats the amount with exactly the currency's decimal places,
// as JSON and statements carry it: "12.30", "-5", "0.125".
func (m Money) ValueString() string { return m.Amount.StringFixed(m.Currency.MinorUnits()) }

// String formats m as "12.30 CNY".
func (m Money) String() string { return m.ValueString() + " " + string(m.Currency) }

func (m Money) sameCurrency(o Money) error {
	if m.Currency != o.Currency {
		return fmt.Errorf("%w: %s and %s", ErrCurrencyMismatch, m.Currency, o.Currency)
	}
	return nil
}

// Add returns m+o; the currencies must match.
func (m Money) Add(o Money) (Money, error) {
	if err := m.sameCurrency(o); err != nil {
		return Money{}, err
	}
	return Money{Amount: m.Amount.Add(o.Amount), Currency: m.Currency}, nil
}

// Sub returns m-o; the currencies must match.
func (m Money) Sub(o Money) (Money, error) {
	if err := m.sameCurrency(o); err != nil {
		return Money{}, err
	}
	return Money{Amount: m.Amount.Sub(o.Amount), Currency: m.Currency}, nil
}

// Neg returns -m.
func (m Money) Neg() Money { return Money{Amount: m.Amount.Neg(), Currency: m.Currency} }

// Abs returns |m|.
func (m Money) Abs() Money { return Money{Amount: m.Amount.Abs(), Currency: m.Currency} }

// Cmp compares m and o: -1 if m < o, 0 if equal, +1 if m > o. The currencies
// must match.
func (m Money) Cmp(o Money) (int, error) {
	if err := m.sameCurrency(o); err != nil {
		return 0, err
	}
	return m.Amount.Cmp(o.Amount), nil
}

// Equal reports whether m and o are the same currency and amount.
func (m Money) Equal(o Money) bool { return m.Currency == o.Currency && m.Amount.Equal(o.Amount) }

// IsZero, IsPositive and IsNegative report the sign of the amount.
func (m Money) IsZero() bool     { return m.Amount.IsZero() }
func (m Money) IsPositive() bool { return m.Amount.IsPositive() }
func (m Money) IsNegative() bool { return m.Amount.IsNegative() }

// Mul returns m multiplied by rate, rounded to the currency's minor unit with
// mode. Use it for fees, tax and converted amounts. Mul cannot fail, so it
// trusts its operands: m should be Valid (the result of an invalid m is not),
// and a mode that is not Valid rounds half-even.
func (m Money) Mul(rate decimal.Decimal, mode RoundingMode) Money {
	return Money{Amount: mode.Round(m.Amount.Mul(rate), m.Currency.MinorUnits()), Currency: m.Currency}
}
