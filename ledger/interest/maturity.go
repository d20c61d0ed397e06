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
// 0..1 (100%) even when the instruction does not use it. Mature is
// MatureWith at a demand rate of zero.
//
// The result is dated on the calendar maturity date; moving a payout that
// falls on a holiday onto a business day is the runner's choice
// (calendar.BusinessCalendar.Adjust).
func (td TimeDeposit) Mature(currentRate decimal.Decimal) (MaturityResult, error) {
	return td.MatureWith(currentRate, decimal.Zero)
}

// MatureWith is Mature with demandRate, the demand rate on the maturity
// date, which an Instalments deposit in breach earns. Principal in the
// result is what the deposit still holds (a PrincipalPayouts deposit's
// last part).
func (td TimeDeposit) MatureWith(currentRate, demandRate decimal.Decimal) (MaturityResult, error) {
	if err := td.Validate(); err != nil {
		return MaturityResult{}, err
	}
	if err := checkRate(ErrInvalidInput, "currentRate", currentRate); err != nil {
		return MaturityResult{}, err
	}
	if err := checkRate(ErrInvalidInput, "demandRate", demandRate); err != nil {
		return MaturityResult{}, err
	}
	interest, err := td.termInterest(demandRate)
	if err != nil {
		return MaturityResult{}, err
	}
	principal := td.principalLeft()
	total, err := principal.Add(interest)
	if err != nil {
		return MaturityResult{}, err
	}
	zero := money.Zero(td.Principal.Currency)
	res := MaturityResult{
		Date:        td.Maturity(),
		Instruction: td.Instruction,
		Principal:   principal,
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
		next.Start, next.Rate, next.PartsWithdrawn = res.Date, currentRate, 0
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
	// penalty rule), not at the deposit's own rate. For an InterestPayouts
	// deposit it is that less the interest paid out already, and may be
	// negative: taken back from the principal.
	Interest money.Money
	// Forgone is what the deposit's own rate would have paid for the same
	// days, less Interest (zero if the demand rate is not lower).
	Forgone money.Money
	// Payout is the principal left plus Interest, to the linked demand
	// account.
	Payout money.Money
	// PenaltyApplied is true when the penalty rule set the interest: every
	// early closure of a deposit with a term, a notice deposit withdrawn
	// without its notice; not a flexible deposit, whose rate is its rule.
	// The statement must say so; Note says it in words.
	PenaltyApplied bool
	Note           string
}

// EarlyClosure closes the deposit on asOf, a day from Start up to the day
// before maturity, paying interest on the principal at demandRate (the
// demand-deposit rate in force on asOf, between 0 and 1) for the actual
// days held, on the demand day count (Rules.DemandDayCount: ACT/360 at
// Chinese banks, 《储蓄管理条例》: 全部提前支取的，按支取日挂牌公告的活期
// 储蓄存款利率计付利息), with the deposit's rounding. Forgone is what the
// deposit's own rate and day count would have paid for those days. A
// closure on the start day earns nothing; closing on or after maturity is
// Mature's job and an error here.
//
// The kinds without a term follow their own rule: a Flexible deposit
// earns its band's rate (FlexibleRate), a Notice deposit is withdrawn
// whole (WithdrawNoticed). Each instalment of an Instalments deposit, and
// each balance of a PrincipalPayouts deposit, earns the demand rate for
// its own days; an InterestPayouts deposit gives back what it paid out.
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
	if td.Rules.Kind == Notice {
		w, err := td.WithdrawNoticed(asOf, td.Principal, demandRate)
		if err != nil {
			return Closure{}, err
		}
		return Closure{Date: asOf, DaysHeld: w.DaysHeld, Interest: w.Interest, Forgone: money.Zero(w.Interest.Currency),
			Payout: w.Payout, PenaltyApplied: w.Noticed.Amount.LessThan(w.Amount.Amount), Note: w.Note}, nil
	}
	if td.Rules.Kind == Flexible {
		rate := td.FlexibleRate(asOf, demandRate)
		paid, err := td.demandInterest(td.Principal, rate, asOf)
		if err != nil {
			return Closure{}, err
		}
		payout, err := td.Principal.Add(paid)
		if err != nil {
			return Closure{}, err
		}
		days := asOf.DaysSince(td.Start)
		return Closure{Date: asOf, DaysHeld: days, Interest: paid, Forgone: money.Zero(paid.Currency), Payout: payout,
			Note: fmt.Sprintf("Flexible deposit withdrawn after %d days at %s%%.", days, percent(rate))}, nil
	}
	paid, err := td.heldInterest(demandRate, asOf)
	if err != nil {
		return Closure{}, err
	}
	// Interest paid out already (InterestPayouts) is taken back.
	already, err := td.interestPaid()
	if err != nil {
		return Closure{}, err
	}
	paid.Amount = paid.Amount.Sub(already.Amount)
	contract, err := td.interestUntil(td.Rate, asOf)
	if err != nil {
		return Closure{}, err
	}
	forgone := money.Zero(td.Principal.Currency)
	if td.Rules.Kind == LumpSum && contract.Amount.GreaterThan(paid.Amount) {
		forgone = money.Money{Amount: contract.Amount.Sub(paid.Amount), Currency: paid.Currency}
	}
	payout, err := td.principalLeft().Add(paid)
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

// demandInterest is the interest on amount at the demand rate from Start
// to asOf on the demand day count, rounded.
func (td TimeDeposit) demandInterest(amount money.Money, demandRate decimal.Decimal, asOf calendar.Date) (money.Money, error) {
	raw := money.SimpleInterest(amount.Amount, demandRate, td.demandDayCount(), td.Start, asOf)
	return money.Round(raw, amount.Currency, td.Rounding)
}

// PartWithdrawal is the settlement of a partial early withdrawal.
type PartWithdrawal struct {
	Date     calendar.Date
	DaysHeld int
	// Amount is the principal withdrawn; Interest is paid on it at the
	// demand rate for the days held; Payout is their sum.
	Amount   money.Money
	Interest money.Money
	Payout   money.Money
	// Remaining is the deposit that stays: the rest of the principal at
	// the same rate, start and maturity, one more part withdrawn.
	Remaining TimeDeposit
	Note      string
}

// WithdrawPart takes amount of the principal out on asOf, a day from
// Start up to the day before maturity, paying it with interest at
// demandRate (the demand rate in force on asOf) for the actual days held
// on the demand day count; the rest keeps its rate and maturity
// (《储蓄管理条例》: 部分提前支取的，提前支取的部分按支取日挂牌公告的活期储蓄存款
// 利率计付利息，其余部分到期时按原定利率计付利息). The deposit's Rules must
// allow another partial withdrawal (ErrPartLimit), and the rest must be
// positive and at least Rules.MinimumRemaining (a field error naming
// "amount"); to take everything, close early instead.
func (td TimeDeposit) WithdrawPart(asOf calendar.Date, amount money.Money, demandRate decimal.Decimal) (PartWithdrawal, error) {
	if err := td.Validate(); err != nil {
		return PartWithdrawal{}, err
	}
	switch {
	case !asOf.Valid():
		return PartWithdrawal{}, invalid(ErrInvalidInput, "asOf", "%04d-%02d-%02d is not a date", asOf.Year, int(asOf.Month), asOf.Day)
	case asOf.Before(td.Start):
		return PartWithdrawal{}, invalid(ErrInvalidInput, "asOf", "%s is before the deposit starts on %s", asOf, td.Start)
	case !asOf.Before(td.Maturity()):
		return PartWithdrawal{}, invalid(ErrInvalidInput, "asOf", "%s is not before maturity on %s", asOf, td.Maturity())
	case td.Rules.Kind != LumpSum:
		return PartWithdrawal{}, fmt.Errorf("%w: a %s deposit has no partial early withdrawal", ErrInstalment, td.Rules.Kind)
	case td.PartsWithdrawn >= td.Rules.PartialWithdrawals:
		return PartWithdrawal{}, fmt.Errorf("%w: %d of %d partial withdrawals made", ErrPartLimit, td.PartsWithdrawn, td.Rules.PartialWithdrawals)
	}
	if err := checkSize(ErrInvalidInput, "amount", amount.Amount); err != nil {
		return PartWithdrawal{}, err
	}
	switch {
	case !amount.Valid() || amount.Currency != td.Principal.Currency:
		return PartWithdrawal{}, invalid(ErrInvalidInput, "amount", "%s is not an amount in %s", amount, td.Principal.Currency)
	case !amount.IsPositive():
		return PartWithdrawal{}, invalid(ErrInvalidInput, "amount", "%s is not positive", amount)
	}
	if err := checkRate(ErrInvalidInput, "demandRate", demandRate); err != nil {
		return PartWithdrawal{}, err
	}
	rest := td.Principal.Amount.Sub(amount.Amount)
	if !rest.IsPositive() || rest.LessThan(td.Rules.MinimumRemaining) {
		return PartWithdrawal{}, invalid(ErrInvalidInput, "amount", "%s would leave %s of %s, below the minimum of %s; close the deposit to take it all",
			amount, rest, td.Principal, decimal.Max(td.Rules.MinimumRemaining, decimal.New(1, -td.Principal.Currency.MinorUnits())))
	}
	paid, err := td.demandInterest(amount, demandRate, asOf)
	if err != nil {
		return PartWithdrawal{}, err
	}
	payout, err := amount.Add(paid)
	if err != nil {
		return PartWithdrawal{}, err
	}
	remaining := td
	remaining.Principal = money.Money{Amount: rest, Currency: amount.Currency}
	remaining.PartsWithdrawn++
	days := asOf.DaysSince(td.Start)
	return PartWithdrawal{
		Date: asOf, DaysHeld: days, Amount: amount, Interest: paid, Payout: payout, Remaining: remaining,
		Note: fmt.Sprintf("Partial withdrawal of %s before maturity (%s) after %d days: interest on it at the demand-deposit rate of %s%%; %s stays at %s%%.",
			amount, td.Maturity(), days, percent(demandRate), remaining.Principal, percent(td.Rate)),
	}, nil
}
