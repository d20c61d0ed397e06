package interest

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
)

// Posting is what one posting pays and charges, each figure rounded once
// to the currency's minor unit. The ledger books Net to the customer and
// Tax to the tax-payable account as separate lines of one entry, and Debit
// as its own line: credit and debit interest are never netted.
type Posting struct {
	// Day is the period end; Paid the day the posting is credited
	// (Product.PaidOn), its value date.
	Day  calendar.Date
	Paid calendar.Date
	// Gross is the credit interest paid before tax.
	Gross money.Money
	// Tax is the withholding tax on Gross.
	Tax money.Money
	// Net is Gross minus Tax: what the customer receives.
	Net money.Money
	// Debit is the debit (overdraft) interest charged, as a positive amount.
	Debit money.Money
	// Accrued is the credit interest the daily accruals recorded this
	// period, unrounded: what the interest-payable account holds for it.
	Accrued decimal.Decimal
	// Adjustment is the period's credit interest minus Accrued: zero under
	// EndOfDayBalance, the average-basis true-up under AverageDailyBalance.
	Adjustment decimal.Decimal
}

// Post closes the posting period that ends on day, which must be the last
// day accrued (post after accruing the period end). Runners call it on
// p.IsPostingEnd(day, maturity) days, and may call it on any other
// accrued day to settle early, as when an account closes.
//
// The period's credit interest (Accrued, plus Adjustment under the average
// basis) plus the credit carried from the last posting is rounded once with
// p.Rounding; what rounding leaves over is carried to the next posting, so
// over any horizon the posted gross plus the final carry equals the sum of
// the unrounded period figures exactly: nothing is lost or invented. Debit
// interest is rounded and carried the same way. Withholding tax is
// Gross × p.WithholdingTax plus the tax carry, rounded, never above Gross,
// its remainder carried likewise. A figure that would round below zero
// posts zero and carries the rest.
//
// Under AverageDailyBalance the period's credit interest is worked out
// here: the average daily balance ADB = BalanceSum / Days (to
// money.DayCountPrecision places) earns, on each day of the period, the
// rate in force that day (tiers applied to ADB) times the day's year
// fraction; that is ADB × rate × the period's year fraction when the rate
// did not change. Nothing is earned when ADB is below the minimum balance.
//
// The returned state starts the next period. On error s is unchanged.
func Post(p Product, s Accrual, day calendar.Date) (Accrual, Posting, error) {
	if err := p.Validate(); err != nil {
		return s, Posting{}, err
	}
	if err := s.Validate(p.Currency); err != nil {
		return s, Posting{}, err
	}
	if !day.Valid() {
		return s, Posting{}, invalid(ErrInvalidInput, "day", "%04d-%02d-%02d is not a date", day.Year, int(day.Month), day.Day)
	}
	switch {
	case s.LastAccrued.IsZero():
		return s, Posting{}, fmt.Errorf("%w: nothing accrued yet; accrue %s before posting it", ErrOutOfOrder, day)
	case day != s.LastAccrued:
		return s, Posting{}, fmt.Errorf("%w: posting %s, but the last day accrued is %s", ErrOutOfOrder, day, s.LastAccrued)
	case s.PeriodStart.IsZero():
		return s, Posting{}, fmt.Errorf("%w: %s is already posted", ErrOutOfOrder, day)
	}

	accrued := s.Credit.Add(s.Compounded)
	periodCredit := accrued
	if p.Basis == AverageDailyBalance {
		var err error
		if periodCredit, err = averageBalanceInterest(p, s); err != nil {
			return s, Posting{}, err
		}
	}
	gross, creditCarry := roundCarrying(p, periodCredit.Add(s.CreditCarry))
	tax, taxCarry := roundCarrying(p, gross.Mul(p.WithholdingTax).Add(s.TaxCarry))
	if tax.GreaterThan(gross) {
		taxCarry = taxCarry.Add(tax.Sub(gross))
		tax = gross
	}
	debit, debitCarry := roundCarrying(p, s.Debit.Add(s.DebitCarry))

	next := Accrual{
		LastAccrued: day,
		Credit:      decimal.Zero, Compounded: decimal.Zero, Debit: decimal.Zero, BalanceSum: decimal.Zero,
		CreditCarry: creditCarry,
		DebitCarry:  debitCarry,
		TaxCarry:    taxCarry,
	}
	c := p.Currency
	posting := Posting{
		Day:        day,
		Paid:       p.PaidOn(day),
		Gross:      money.Money{Amount: gross, Currency: c},
		Tax:        money.Money{Amount: tax, Currency: c},
		Net:        money.Money{Amount: gross.Sub(tax), Currency: c},
		Debit:      money.Money{Amount: debit, Currency: c},
		Accrued:    accrued,
		Adjustment: periodCredit.Sub(accrued),
	}
	return next, posting, nil
}

// roundCarrying rounds total to the minor unit with the product's mode, not
// below zero, and returns the rounded figure and what is left to carry.
func roundCarrying(p Product, total decimal.Decimal) (rounded, carry decimal.Decimal) {
	rounded = p.Rounding.Round(total, p.Currency.MinorUnits())
	if rounded.IsNegative() {
		rounded = decimal.Zero
	}
	return rounded, total.Sub(rounded)
}

// averageBalanceInterest is the period's credit interest on its average
// daily balance, as Post documents.
func averageBalanceInterest(p Product, s Accrual) (decimal.Decimal, error) {
	adb := s.BalanceSum.DivRound(decimal.NewFromInt(int64(s.Days)), money.DayCountPrecision)
	total := decimal.Zero
	if adb.IsZero() || adb.LessThan(p.MinimumBalance) {
		return total, nil
	}
	for d := s.PeriodStart; !d.After(s.LastAccrued); d = d.AddDays(1) {
		rate, err := p.Credit.On(d)
		if err != nil {
			return decimal.Zero, err
		}
		total = total.Add(dayInterest(p, rate, adb, d))
	}
	return total, nil
}
