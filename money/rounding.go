package money

import (
	"fmt"

	"github.com/shopspring/decimal"
)

// RoundingMode says how an amount is brought to a number of decimal places.
// The zero value is HalfEven, banking's default.
type RoundingMode int

const (
	// HalfEven rounds to nearest, ties to the even digit (banker's rounding).
	HalfEven RoundingMode = iota
	// HalfUp rounds to nearest, ties away from zero.
	HalfUp
	// Down truncates toward zero.
	Down
	// Up rounds away from zero.
	Up
)

// Valid reports whether r is one of the declared modes.
func (r RoundingMode) Valid() bool { return r >= HalfEven && r <= Up }

// Round rounds d to places decimal places with the mode. A mode that is not
// Valid rounds half-even, so a stray value never leaves an amount unrounded.
func (r RoundingMode) Round(d decimal.Decimal, places int32) decimal.Decimal {
	switch r {
	case HalfUp:
		return d.Round(places)
	case Down:
		return d.RoundDown(places)
	case Up:
		return d.RoundUp(places)
	default:
		return d.RoundBank(places)
	}
}

// String names the mode.
func (r RoundingMode) String() string {
	switch r {
	case HalfEven:
		return "half_even"
	case HalfUp:
		return "half_up"
	case Down:
		return "down"
	case Up:
		return "up"
	}
	return "unknown"
}

// Round returns amount in currency c rounded to its minor unit with mode.
// It is how an unrounded figure (an interest accrual) becomes Money.
// An invalid currency or mode is an error, never a guess.
func Round(amount decimal.Decimal, c Currency, mode RoundingMode) (Money, error) {
	if !c.Valid() {
		return Money{}, fmt.Errorf("%w: %q", ErrUnknownCurrency, string(c))
	}
	if !mode.Valid() {
		return Money{}, fmt.Errorf("%w: %d", ErrInvalidRoundingMode, int(mode))
	}
	return New(mode.Round(amount, c.MinorUnits()), c)
}
