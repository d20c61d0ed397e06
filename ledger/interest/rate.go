package interest

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
)

// maxRate is the highest annual rate accepted anywhere in this package: 1,
// that is 100% a year. Rates are fractions (0.035 is 3.5%) and never
// negative; negative-rate products are not supported.
var maxRate = decimal.NewFromInt(1)

// TierMode says how the bands of a tiered rate apply to a balance.
// The zero value is not a mode: a tiered rate must say which one it uses.
type TierMode int

const (
	// WholeBalance: the band the balance falls in sets the rate for all of
	// it. With bands 0: 1%, 10 000: 2%, a balance of 15 000 earns 2% on
	// 15 000. Crossing a band boundary raises the interest on every unit.
	WholeBalance TierMode = iota + 1
	// Marginal: each slice of the balance earns its own band's rate, like
	// income-tax brackets. With the same bands, 15 000 earns 1% on the first
	// 10 000 and 2% on the other 5 000. Interest never jumps at a boundary.
	Marginal
)

// Valid reports whether m is one of the declared modes.
func (m TierMode) Valid() bool { return m == WholeBalance || m == Marginal }

// String names the mode.
func (m TierMode) String() string {
	if name, ok := tierModeNames[m]; ok {
		return name
	}
	return fmt.Sprintf("TierMode(%d)", int(m))
}

// Tier is one band of a tiered rate: balances from From upwards (up to the
// next tier's From) earn Rate.
type Tier struct {
	From decimal.Decimal // the band's lower bound, included; the first tier's is 0
	Rate decimal.Decimal // annual rate as a fraction
}

// Rate is an annual rate: flat (Annual, with no Tiers) or tiered by
// balance (Tiers with a Mode, and Annual left zero).
type Rate struct {
	Annual decimal.Decimal
	Tiers  []Tier
	Mode   TierMode
}

// Flat returns the flat annual rate r (0.035 for 3.5%).
func Flat(r decimal.Decimal) Rate { return Rate{Annual: r} }

// Tiered returns a rate banded by balance under mode.
func Tiered(mode TierMode, tiers ...Tier) Rate { return Rate{Tiers: tiers, Mode: mode} }

// Validate checks the rate: a flat rate within 0..1 (100%), or tiers whose
// first band starts at 0, whose bounds rise strictly, and whose rates are
// within 0..1 (100%), with a valid Mode. Errors wrap ErrInvalidInput.
func (r Rate) Validate() error {
	if len(r.Tiers) == 0 {
		return checkRate(ErrInvalidInput, "Annual", r.Annual)
	}
	if !r.Annual.IsZero() {
		return invalid(ErrInvalidInput, "Annual", "must be zero when Tiers are set (the tiers give the rate)")
	}
	if !r.Mode.Valid() {
		return invalid(ErrInvalidInput, "Mode", "%s is not a tier mode (WholeBalance or Marginal)", r.Mode)
	}
	for i, t := range r.Tiers {
		field := fmt.Sprintf("Tiers[%d]", i)
		switch {
		case checkSize(ErrInvalidInput, field+".From", t.From) != nil:
			return checkSize(ErrInvalidInput, field+".From", t.From)
		case i == 0 && !t.From.IsZero():
			return invalid(ErrInvalidInput, field+".From", "the first tier must start at 0, not %s", t.From)
		case i > 0 && !t.From.GreaterThan(r.Tiers[i-1].From):
			return invalid(ErrInvalidInput, field+".From", "%s is not above the previous tier's %s", t.From, r.Tiers[i-1].From)
		}
		if err := checkRate(ErrInvalidInput, field+".Rate", t.Rate); err != nil {
			return err
		}
	}
	return nil
}

func checkRate(kind error, field string, r decimal.Decimal) error {
	if err := checkSize(kind, field, r); err != nil {
		return err
	}
	if r.IsNegative() || r.GreaterThan(maxRate) {
		return invalid(kind, field, "%s is outside 0..%s", r, maxRate)
	}
	return nil
}

// AnnualInterest returns one year's interest on a non-negative balance at
// r, before any day count: balance × rate for a flat rate, the band's rate
// × balance under WholeBalance, the sum of slice × band rate under
// Marginal. r must be Valid.
func (r Rate) AnnualInterest(balance decimal.Decimal) decimal.Decimal {
	if balance.Sign() <= 0 {
		return decimal.Zero
	}
	if len(r.Tiers) == 0 {
		return balance.Mul(r.Annual)
	}
	if r.Mode == WholeBalance {
		rate := r.Tiers[0].Rate
		for _, t := range r.Tiers[1:] {
			if balance.LessThan(t.From) {
				break
			}
			rate = t.Rate
		}
		return balance.Mul(rate)
	}
	total := decimal.Zero
	for i, t := range r.Tiers {
		if !balance.GreaterThan(t.From) {
			break
		}
		top := balance
		if i+1 < len(r.Tiers) && r.Tiers[i+1].From.LessThan(balance) {
			top = r.Tiers[i+1].From
		}
		total = total.Add(top.Sub(t.From).Mul(t.Rate))
	}
	return total
}

// RateChange is a rate taking effect on a date: it applies from Effective
// (included) until the next change.
type RateChange struct {
	Effective calendar.Date
	Rate      Rate
}

// RateSchedule is a product's rate history and future: changes in strictly
// increasing Effective order. A rate change never rewrites interest already
// accrued: each day accrues at the rate in force on that day.
type RateSchedule []RateChange

// validate checks every change's date and rate and their order. Errors
// wrap kind and name the change by index ("[1].Rate.Annual").
func (s RateSchedule) validate(kind error) error {
	for i, c := range s {
		field := fmt.Sprintf("[%d]", i)
		if !c.Effective.Valid() {
			return invalid(kind, field+".Effective", "%04d-%02d-%02d is not a date", c.Effective.Year, int(c.Effective.Month), c.Effective.Day)
		}
		if i > 0 && !c.Effective.After(s[i-1].Effective) {
			return invalid(kind, field+".Effective", "%s is not after the previous change's %s", c.Effective, s[i-1].Effective)
		}
		if err := c.Rate.Validate(); err != nil {
			return within(kind, field+".Rate", err)
		}
	}
	return nil
}

// On returns the rate in force on day: the last change effective on or
// before it. ErrNoRate when day is before the first change.
func (s RateSchedule) On(day calendar.Date) (Rate, error) {
	for i := len(s) - 1; i >= 0; i-- {
		if !s[i].Effective.After(day) {
			return s[i].Rate, nil
		}
	}
	if len(s) == 0 {
		return Rate{}, fmt.Errorf("%w on %s: the schedule is empty", ErrNoRate, day)
	}
	return Rate{}, fmt.Errorf("%w on %s: the first rate takes effect on %s", ErrNoRate, day, s[0].Effective)
}
