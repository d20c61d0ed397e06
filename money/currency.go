package money

import (
	"database/sql/driver"
	"fmt"
	"slices"
	"strings"
)

// Currency is an ISO 4217 alphabetic currency code such as "CNY".
//
// The zero value is not a currency. Use ParseCurrency on input; the constants
// below are known to be valid.
type Currency string

// Frequently used currencies.
const (
	CNY Currency = "CNY"
	USD Currency = "USD"
	EUR Currency = "EUR"
	GBP Currency = "GBP"
	JPY Currency = "JPY"
	HKD Currency = "HKD"
	BHD Currency = "BHD"
)

// ParseCurrency returns the currency for an ISO 4217 alphabetic code. The code
// must be three upper-case letters naming an active currency; anything else is
// ErrUnknownCurrency.
func ParseCurrency(code string) (Currency, error) {
	if _, ok := minorUnits[code]; !ok {
		return "", fmt.Errorf("%w: %q", ErrUnknownCurrency, code)
	}
	return Currency(code), nil
}

// Valid reports whether c is an active ISO 4217 currency.
func (c Currency) Valid() bool {
	_, ok := minorUnits[string(c)]
	return ok
}

// MinorUnits returns the number of decimal places of the currency's minor
// unit: 2 for CNY, 0 for JPY, 3 for BHD. It returns 0 for an invalid currency.
func (c Currency) MinorUnits() int32 {
	return minorUnits[string(c)]
}

// String returns the ISO code.
func (c Currency) String() string { return string(c) }

// Value implements driver.Valuer: a currency is stored as its code.
func (c Currency) Value() (driver.Value, error) {
	if !c.Valid() {
		return nil, fmt.Errorf("%w: %q", ErrUnknownCurrency, string(c))
	}
	return string(c), nil
}

// Scan implements sql.Scanner for a text column holding an ISO code.
func (c *Currency) Scan(src any) error {
	var s string
	switch v := src.(type) {
	case string:
		s = v
	case []byte:
		s = string(v)
	default:
		return fmt.Errorf("%w: cannot scan %T into Currency", ErrUnknownCurrency, src)
	}
	cur, err := ParseCurrency(strings.TrimSpace(s))
	if err != nil {
		return err
	}
	*c = cur
	return nil
}

// UnmarshalText implements encoding.TextUnmarshaler, validating the code.
func (c *Currency) UnmarshalText(b []byte) error {
	cur, err := ParseCurrency(string(b))
	if err != nil {
		return err
	}
	*c = cur
	return nil
}

// MarshalText implements encoding.TextMarshaler.
func (c Currency) MarshalText() ([]byte, error) {
	if !c.Valid() {
		return nil, fmt.Errorf("%w: %q", ErrUnknownCurrency, string(c))
	}
	return []byte(c), nil
}

// Currencies returns every currency ParseCurrency accepts, sorted by code,
// for pickers and validation messages. The slice is the caller's to keep.
func Currencies() []Currency {
	all := make([]Currency, 0, len(minorUnits))
	for code := range minorUnits {
		all = append(all, Currency(code))
	}
	slices.Sort(all)
	return all
}
