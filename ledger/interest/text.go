package interest

import (
	"fmt"
	"slices"
	"strings"
)

// The enumerations travel in configuration, JSON and database columns by
// the snake_case names their String methods give; these methods read and
// write them strictly, so a typo in a product definition is an error, not
// a zero value.

// MarshalText implements encoding.TextMarshaler with the String name.
func (p Period) MarshalText() ([]byte, error) { return marshalName(periodNames, p, "Period") }

// UnmarshalText implements encoding.TextUnmarshaler; on error p is unchanged.
func (p *Period) UnmarshalText(text []byte) error {
	return unmarshalName(periodNames, p, "Period", text)
}

var basisNames = map[Basis]string{
	EndOfDayBalance:     "end_of_day_balance",
	AverageDailyBalance: "average_daily_balance",
}

// MarshalText implements encoding.TextMarshaler with the String name.
func (b Basis) MarshalText() ([]byte, error) { return marshalName(basisNames, b, "Basis") }

// UnmarshalText implements encoding.TextUnmarshaler; on error b is unchanged.
func (b *Basis) UnmarshalText(text []byte) error {
	return unmarshalName(basisNames, b, "Basis", text)
}

var tierModeNames = map[TierMode]string{
	WholeBalance: "whole_balance",
	Marginal:     "marginal",
}

// MarshalText implements encoding.TextMarshaler with the String name.
func (m TierMode) MarshalText() ([]byte, error) { return marshalName(tierModeNames, m, "TierMode") }

// UnmarshalText implements encoding.TextUnmarshaler; on error m is unchanged.
func (m *TierMode) UnmarshalText(text []byte) error {
	return unmarshalName(tierModeNames, m, "TierMode", text)
}

// MarshalText implements encoding.TextMarshaler with the String name.
func (i Instruction) MarshalText() ([]byte, error) {
	return marshalName(instructionNames, i, "Instruction")
}

// UnmarshalText implements encoding.TextUnmarshaler; on error i is unchanged.
func (i *Instruction) UnmarshalText(text []byte) error {
	return unmarshalName(instructionNames, i, "Instruction", text)
}

func marshalName[T ~int](names map[T]string, v T, what string) ([]byte, error) {
	name, ok := names[v]
	if !ok {
		return nil, invalid(ErrInvalidInput, what, "%d is not a %s", int(v), what)
	}
	return []byte(name), nil
}

func unmarshalName[T ~int](names map[T]string, v *T, what string, text []byte) error {
	for value, name := range names {
		if name == string(text) {
			*v = value
			return nil
		}
	}
	known := make([]string, 0, len(names))
	for _, name := range names {
		known = append(known, name)
	}
	slices.Sort(known)
	return invalid(ErrInvalidInput, what, "%s (want one of %s)", quote(text), strings.Join(known, ", "))
}

// quote shows bad input in an error message, shortened.
func quote(text []byte) string {
	const max = 40
	if len(text) > max {
		return fmt.Sprintf("%q...", text[:max])
	}
	return fmt.Sprintf("%q", text)
}
