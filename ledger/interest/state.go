package interest

import (
	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/money"
)

// Validate checks that s is a state Accrue and Post could have produced for
// an account in currency c: no negative accrual, carries smaller than one
// minor unit, and a period whose dates and day count agree. Errors wrap
// ErrInvalidAccrual and name the field. Accrue and Post call it, so a
// corrupted row is refused rather than paid out.
func (s Accrual) Validate(c money.Currency) error {
	unit := decimal.New(1, -c.MinorUnits())
	for _, f := range []struct {
		name  string
		value decimal.Decimal
	}{
		{"Credit", s.Credit},
		{"Compounded", s.Compounded},
		{"Debit", s.Debit},
		{"BalanceSum", s.BalanceSum},
	} {
		if err := checkBounds(ErrInvalidAccrual, f.name, f.value, statePlaces, stateDigits); err != nil {
			return err
		}
		if f.value.IsNegative() {
			return invalid(ErrInvalidAccrual, f.name, "%s is negative", f.value)
		}
	}
	for _, f := range []struct {
		name  string
		value decimal.Decimal
	}{
		{"CreditCarry", s.CreditCarry},
		{"DebitCarry", s.DebitCarry},
		{"TaxCarry", s.TaxCarry},
	} {
		if err := checkBounds(ErrInvalidAccrual, f.name, f.value, statePlaces, stateDigits); err != nil {
			return err
		}
		if !f.value.Abs().LessThan(unit) {
			return invalid(ErrInvalidAccrual, f.name, "%s is a whole minor unit or more of %s", f.value, c)
		}
	}
	switch {
	case !s.LastAccrued.IsZero() && !s.LastAccrued.Valid():
		return invalid(ErrInvalidAccrual, "LastAccrued", "%04d-%02d-%02d is not a date", s.LastAccrued.Year, int(s.LastAccrued.Month), s.LastAccrued.Day)
	case s.PeriodStart.IsZero():
		if s.Days != 0 || !s.Credit.IsZero() || !s.Compounded.IsZero() || !s.Debit.IsZero() || !s.BalanceSum.IsZero() {
			return invalid(ErrInvalidAccrual, "PeriodStart", "is zero but the period has accruals")
		}
	case !s.PeriodStart.Valid():
		return invalid(ErrInvalidAccrual, "PeriodStart", "%04d-%02d-%02d is not a date", s.PeriodStart.Year, int(s.PeriodStart.Month), s.PeriodStart.Day)
	case s.LastAccrued.IsZero() || s.PeriodStart.After(s.LastAccrued):
		return invalid(ErrInvalidAccrual, "PeriodStart", "%s is after the last accrued day %s", s.PeriodStart, s.LastAccrued)
	case s.Days != s.LastAccrued.DaysSince(s.PeriodStart)+1:
		return invalid(ErrInvalidAccrual, "Days", "%d, but %s..%s is %d days", s.Days, s.PeriodStart, s.LastAccrued, s.LastAccrued.DaysSince(s.PeriodStart)+1)
	}
	return nil
}
