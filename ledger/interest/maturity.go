package interest

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
)

// MaturityResult is what happens to a time deposit on its maturity date
// under its instruction. Every amount is in the principal's currency;
// Payout and Held are zero when the instruction pays or holds nothing.
type MaturityResult struct {
	Date        calendar.Date
	Instruction Instruction
	Principal   money.Money
	Interest    money.Money
	// Payout goes to the linked demand account: principal and interest
	// under PayOut, the interest under RolloverPrincipal.
	Payout money.Money
	// Held stays on the matured deposit awaiting instruction (Hold).
	Held money.Money
	// Rollover is the new deposit under RolloverAll (principal plus
	// interest) and RolloverPrincipal (principal): same term, day count,
	// rounding and instruction, starting on the maturity date at the rate
	// then current. Nil otherwise.
	Rollover *TimeDeposit
}

// Mature applies the deposit's instruction at maturity. currentRate is the
// rate the product offers on the maturity date for the same term: a
// rollover takes it rather than the old rate. It must be within
// 0..1 (100%) even when the instruction does not use it.
//
// The result is dated on the calendar maturity date; moving a payout that
// falls on a holiday onto a business day is the runner's choice
// (calendar.BusinessCalendar.Adjust).
func (td TimeDeposit) Mature(currentRate decimal.Decimal) (MaturityResult, error) {
	if err := td.Validate(); err != nil {
		return MaturityResult{}, err
	}
	if err := checkRate(ErrInvalidInput, "currentRate", currentRate); err != nil {
		return MaturityResult{}, err
	}
	interest, err := td.interestUntil(td.Rate, td.Maturity())
	if err != nil {
		return MaturityResult{}, err
	}
	total, err := td.Principal.Add(interest)
	if err != nil {
		return MaturityResult{}, err
	}
	zero := money.Zero(td.Principal.Currency)
	res := MaturityResult{
		Date:        td.Maturity(),
		Instruction: td.Instruction,
		Principal:   td.Principal,
		Interest:    interest,
		Payout:      zero,
		Held:        zero,
	}
	switch td.Instruction {
	case PayOut:
		res.Payout = total
	case Hold:
		res.Held = total
	case RolloverAll, RolloverPrincipal:
		next := td
		next.Start, next.Rate = res.Date, currentRate
		if td.Instruction == RolloverAll {
			next.Principal = total
		} else {
			res.Payout = interest
		}
		if err := next.Validate(); err != nil {
			return MaturityResult{}, fmt.Errorf("the rollover deposit: %w", err)
		}
		res.Rollover = &next
	}
	return res, nil
}

// Closure is the settlement of a time deposit closed before maturity.
type Closure struct {
	Date     calendar.Date
	DaysHeld int
	// Interest is paid at the demand-deposit rate for the days held (the
	// penalty rule), not at the deposit's own rate.
	Interest money.Money
	// Forgone is what the deposit's own rate would have paid for the same
	// days, less Interest (zero if the demand rate is not lower).
	Forgone money.Money
	// Payout is principal plus Interest, to the linked demand account.
	Payout money.Money
	// PenaltyApplied is true on every early closure: the statement must
	// say that the penalty rule set the interest. Note says it in words.
	PenaltyApplied bool
	Note           string
}

// EarlyClosure closes the deposit on asOf, a day from Start up to the day
// before maturity, paying interest on the principal at demandRate (the
// demand-deposit rate in force on asOf, between 0 and 1) for the days
// held, with the deposit's day count and rounding. A closure on the start
// day earns nothing; closing on or after maturity is Mature's job and an
// error here.
func (td TimeDeposit) EarlyClosure(asOf calendar.Date, demandRate decimal.Decimal) (Closure, error) {
	if err := td.Validate(); err != nil {
		return Closure{}, err
	}
	switch {
	case !asOf.Valid():
		return Closure{}, invalid(ErrInvalidInput, "asOf", "%04d-%02d-%02d is not a date", asOf.Year, int(asOf.Month), asOf.Day)
	case asOf.Before(td.Start):
		return Closure{}, invalid(ErrInvalidInput, "asOf", "%s is before the deposit starts on %s", asOf, td.Start)
	case !asOf.Before(td.Maturity()):
		return Closure{}, invalid(ErrInvalidInput, "asOf", "%s is not before maturity on %s; the deposit matures instead", asOf, td.Maturity())
	}
	if err := checkRate(ErrInvalidInput, "demandRate", demandRate); err != nil {
		return Closure{}, err
	}
	paid, err := td.interestUntil(demandRate, asOf)
	if err != nil {
		return Closure{}, err
	}
	contract, err := td.interestUntil(td.Rate, asOf)
	if err != nil {
		return Closure{}, err
	}
	forgone := money.Zero(td.Principal.Currency)
	if contract.Amount.GreaterThan(paid.Amount) {
		forgone = money.Money{Amount: contract.Amount.Sub(paid.Amount), Currency: paid.Currency}
	}
	payout, err := td.Principal.Add(paid)
	if err != nil {
		return Closure{}, err
	}
	days := asOf.DaysSince(td.Start)
	return Closure{
		Date:           asOf,
		DaysHeld:       days,
		Interest:       paid,
		Forgone:        forgone,
		Payout:         payout,
		PenaltyApplied: true,
		Note: fmt.Sprintf("Closed before maturity (%s) after %d days: interest paid at the demand-deposit rate of %s%% instead of the term rate of %s%%.",
			td.Maturity(), days, percent(demandRate), percent(td.Rate)),
	}, nil
}

// percent formats a fractional rate as a percentage: 0.0035 is "0.35".
func percent(r decimal.Decimal) string { return r.Shift(2).String() }
