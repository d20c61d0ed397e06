package calendar

import (
	"fmt"
	"strings"
)

// Adjustment is a business-day convention: how a date that falls on a
// weekend or holiday (a due date, a maturity) moves onto a business day.
type Adjustment int

const (
	// Unadjusted keeps the date as it is.
	Unadjusted Adjustment = iota
	// Following moves to the next business day.
	Following
	// ModifiedFollowing moves to the next business day unless that is in
	// the next month; then to the previous one. Month-end due dates stay in
	// their month.
	ModifiedFollowing
	// Preceding moves to the previous business day.
	Preceding
	// ModifiedPreceding moves to the previous business day unless that is in
	// the previous month; then to the next one.
	ModifiedPreceding
)

var adjustmentNames = []string{
	Unadjusted:        "unadjusted",
	Following:         "following",
	ModifiedFollowing: "modified_following",
	Preceding:         "preceding",
	ModifiedPreceding: "modified_preceding",
}

// Valid reports whether a is one of the declared conventions.
func (a Adjustment) Valid() bool { return a >= Unadjusted && int(a) < len(adjustmentNames) }

// String returns the snake_case name, as configuration and JSON carry it.
func (a Adjustment) String() string {
	if !a.Valid() {
		return fmt.Sprintf("Adjustment(%d)", int(a))
	}
	return adjustmentNames[a]
}

// ParseAdjustment reads a convention by the name String gives it.
func ParseAdjustment(name string) (Adjustment, error) {
	for a, n := range adjustmentNames {
		if name == n {
			return Adjustment(a), nil
		}
	}
	return 0, fmt.Errorf("%w: %q (want %s)", ErrInvalidAdjustment, name, strings.Join(adjustmentNames, ", "))
}

// MarshalText implements encoding.TextMarshaler with the String name.
func (a Adjustment) MarshalText() ([]byte, error) {
	if !a.Valid() {
		return nil, fmt.Errorf("%w: %d", ErrInvalidAdjustment, int(a))
	}
	return []byte(a.String()), nil
}

// UnmarshalText implements encoding.TextUnmarshaler with ParseAdjustment.
func (a *Adjustment) UnmarshalText(text []byte) error {
	parsed, err := ParseAdjustment(string(text))
	if err != nil {
		return err
	}
	*a = parsed
	return nil
}
