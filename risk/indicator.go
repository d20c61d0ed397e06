package risk

import (
	"time"

	"github.com/shopspring/decimal"
)

// Level is where an indicator's figure stands against its thresholds.
type Level string

// The levels.
const (
	LevelNormal  Level = "normal"
	LevelWarning Level = "warning"
	LevelBreach  Level = "breach"
)

// Direction says which way an indicator is bad.
type Direction string

// The directions: the figure must stay below its thresholds (a limit on
// exposure), or above them (a floor on coverage).
const (
	Above Direction = "above" // warning at Warning or more, breach at Breach or more
	Below Direction = "below" // warning at Warning or less, breach at Breach or less
)

// Indicator is a limit or key risk indicator: a figure another part of the
// bank publishes (named by Figure, read through the Figures port),
// checked against a warning and a breach threshold.
type Indicator struct {
	ID ID `json:"id"`
	// Name is unique: "fx_open_position_usd".
	Name        string          `json:"name"`
	Description string          `json:"description,omitempty"`
	Figure      string          `json:"figure"`
	Direction   Direction       `json:"direction"`
	Warning     decimal.Decimal `json:"warning"`
	Breach      decimal.Decimal `json:"breach"`
	// Level, Value and CheckedAt are the last check's.
	Level     Level           `json:"level"`
	Value     decimal.Decimal `json:"value"`
	CheckedAt time.Time       `json:"checked_at,omitzero"`
	// ChangedAt is when the level last changed.
	ChangedAt time.Time `json:"changed_at,omitzero"`
	CreatedAt time.Time `json:"created_at"`
}

// levelOf returns the level of a value.
func (i Indicator) levelOf(v decimal.Decimal) Level {
	if i.Direction == Below {
		switch {
		case v.LessThanOrEqual(i.Breach):
			return LevelBreach
		case v.LessThanOrEqual(i.Warning):
			return LevelWarning
		}
		return LevelNormal
	}
	switch {
	case v.GreaterThanOrEqual(i.Breach):
		return LevelBreach
	case v.GreaterThanOrEqual(i.Warning):
		return LevelWarning
	}
	return LevelNormal
}

func (i Indicator) validate() error {
	if !namePattern.MatchString(i.Name) {
		return invalid("name", "must be lower-case letters, digits and underscores, starting with a letter, up to 64")
	}
	if !figurePattern.MatchString(i.Figure) {
		return invalid("figure", "must be a figure name like ledger.fx_open_position.USD")
	}
	if err := shortText("description", i.Description, 500); err != nil {
		return err
	}
	switch i.Direction {
	case Above:
		if !i.Warning.LessThan(i.Breach) {
			return invalid("warning", "must be below breach for an indicator bad above")
		}
	case Below:
		if !i.Warning.GreaterThan(i.Breach) {
			return invalid("warning", "must be above breach for an indicator bad below")
		}
	default:
		return invalid("direction", "must be above or below")
	}
	return nil
}

// Crossing is one change of an indicator's level.
type Crossing struct {
	Indicator Indicator       `json:"indicator"`
	From      Level           `json:"from"`
	To        Level           `json:"to"`
	Value     decimal.Decimal `json:"value"`
	At        time.Time       `json:"at"`
}
