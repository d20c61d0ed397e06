package interest

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
)

// MaxTermMonths is the longest time-deposit term accepted: fifty years.
const MaxTermMonths = 600

// Instruction is what happens to a time deposit at maturity.
// The zero value is not an instruction: a deposit must carry one.
type Instruction int

const (
	// PayOut pays principal and interest to the linked demand account.
	PayOut Instruction = iota + 1
	// RolloverAll reinvests principal and interest for another term at the
	// rate then current.
	RolloverAll
	// RolloverPrincipal reinvests the principal for another term at the
	// rate then current and pays the interest to the linked demand account.
	RolloverPrincipal
	// Hold keeps principal and interest at maturity, earning nothing here,
	// until the customer gives an instruction.
	Hold
)

var instructionNames = map[Instruction]string{
	PayOut:            "pay_out",
	RolloverAll:       "rollover_all",
	RolloverPrincipal: "rollover_principal",
	Hold:              "hold",
}

// Valid reports whether i is one of the declared instructions.
func (i Instruction) Valid() bool {
	_, ok := instructionNames[i]
	return ok
}

// String returns the snake_case name.
func (i Instruction) String() string {
	if name, ok := instructionNames[i]; ok {
		return name
	}
	return fmt.Sprintf("Instruction(%d)", int(i))
}

// TimeDeposit is a fixed-term deposit: Principal placed on Start for
// TermMonths at a fixed annual Rate, paying simple interest at maturity.
// No partial withdrawal is possible; before maturity it can only close
// early (EarlyClosure).
type TimeDeposit struct {
	Principal   money.Money
	Rate        decimal.Decimal // annual, as a fraction (0.0275 for 2.75%)
	TermMonths  int
	Start       calendar.Date
	DayCount    money.DayCount
	Instruction Instruction
	// Rounding rounds the interest to the minor unit; the zero value is
	// half-even.
	Rounding money.RoundingMode
}

// Validate checks every field: a positive principal, a rate within
// 0..1 (100%), a term of 1..MaxTermMonths months ending by year 9999, a real
// start date, and valid day count, instruction and rounding. Errors wrap
// ErrInvalidDeposit and name the field.
func (td TimeDeposit) Validate() error {
	if err := checkSize(ErrInvalidDeposit, "Principal", td.Principal.Amount); err != nil {
		return err
	}
	switch {
	case !td.Principal.Valid():
		return invalid(ErrInvalidDeposit, "Principal", "%s %q is not a valid amount", td.Principal.Amount, string(td.Principal.Currency))
	case !td.Principal.IsPositive():
		return invalid(ErrInvalidDeposit, "Principal", "%s is not positive", td.Principal)
	case checkRate(ErrInvalidDeposit, "Rate", td.Rate) != nil:
		return checkRate(ErrInvalidDeposit, "Rate", td.Rate)
	case td.TermMonths < 1 || td.TermMonths > MaxTermMonths:
		return invalid(ErrInvalidDeposit, "TermMonths", "%d is outside 1..%d", td.TermMonths, MaxTermMonths)
	case !td.Start.Valid():
		return invalid(ErrInvalidDeposit, "Start", "%04d-%02d-%02d is not a date", td.Start.Year, int(td.Start.Month), td.Start.Day)
	case !td.Maturity().Valid():
		return invalid(ErrInvalidDeposit, "TermMonths", "%d months from %s ends after year 9999", td.TermMonths, td.Start)
	case !td.DayCount.Valid():
		return invalid(ErrInvalidDeposit, "DayCount", "%s is not a day-count convention", td.DayCount)
	case !td.Instruction.Valid():
		return invalid(ErrInvalidDeposit, "Instruction", "%s is not a maturity instruction", td.Instruction)
	case !td.Rounding.Valid():
		return invalid(ErrInvalidDeposit, "Rounding", "%d is not a rounding mode", int(td.Rounding))
	}
	return nil
}

// Maturity returns Start plus TermMonths with the month-end rule: a deposit
// opened on 31 January for one month matures on the last day of February.
// It means nothing for a deposit that fails Validate.
func (td TimeDeposit) Maturity() calendar.Date { return td.Start.AddMonths(td.TermMonths) }

// Interest returns the interest due at maturity: Principal × Rate × the
// year fraction from Start to Maturity, rounded once.
func (td TimeDeposit) Interest() (money.Money, error) {
	if err := td.Validate(); err != nil {
		return money.Money{}, err
	}
	return td.interestUntil(td.Rate, td.Maturity())
}

// interestUntil is simple interest on the principal at rate from Start to
// end, rounded with the deposit's mode. td must be valid.
func (td TimeDeposit) interestUntil(rate decimal.Decimal, end calendar.Date) (money.Money, error) {
	raw := money.SimpleInterest(td.Principal.Amount, rate, td.DayCount, td.Start, end)
	return money.Round(raw, td.Principal.Currency, td.Rounding)
}
