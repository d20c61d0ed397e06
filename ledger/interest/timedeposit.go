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

// TermRules are the rules of a product's time deposits besides the
// rate: how a full term is counted, the day count of interest at the
// demand rate, interest after maturity and partial early withdrawal. The
// zero value is the rules before they existed: a term by its day count,
// early closure on the deposit's own day count, nothing after maturity,
// no partial withdrawal. ChineseTermRules are those of Chinese banks.
type TermRules struct {
	// ByMonths pays a full term as Principal × Rate × TermMonths / 12,
	// whatever the days in between: a one-year deposit across 29 February
	// pays exactly the year's rate. (Chinese banks' 整存整取, counted "by
	// year and month": 银发〔2005〕129号, 利息 = 本金 × 年(月)数 × 年(月)利率.)
	ByMonths bool `json:",omitempty"`
	// DemandDayCount is the day count of interest paid at the demand rate
	// (early closure, partial withdrawal, days after maturity); zero means
	// the deposit's DayCount. Chinese banks count actual days over a
	// 360-day year (日利率 = 年利率 / 360), ACT/360.
	DemandDayCount money.DayCount `json:",omitempty"`
	// AfterMaturity pays interest at the demand rate for the actual days a
	// deposit stays unrenewed after maturity (held, then paid out or
	// renewed): 《储蓄管理条例》, 逾期部分按支取日挂牌公告的活期储蓄存款利率计付利息.
	AfterMaturity bool `json:",omitempty"`
	// PartialWithdrawals is how many partial early withdrawals a term
	// allows (Chinese banks: one); 0 allows none.
	PartialWithdrawals int `json:",omitempty"`
	// MinimumRemaining is the least principal a partial withdrawal may
	// leave (a bank's minimum for the product, 50.00 CNY at the large
	// banks for 整存整取); zero for no minimum beyond a positive rest.
	MinimumRemaining decimal.Decimal

	// Kind is the type of deposit; the zero value is LumpSum.
	Kind Kind `json:",omitempty"`
	// MinimumDeposit is the least a deposit opens with (for Instalments,
	// the least instalment); zero for no minimum. PBoC's notice deposits
	// open with at least 50 000 CNY (《通知存款管理办法》, 1999).
	MinimumDeposit decimal.Decimal
	// MinimumWithdrawal is the least a Notice deposit pays out at once
	// unless it pays out everything (50 000 CNY for individuals).
	MinimumWithdrawal decimal.Decimal
	// PayoutMonths is the interval of PrincipalPayouts and InterestPayouts
	// deposits' payouts: 1, 3, 6 or 12 months in practice.
	PayoutMonths int `json:",omitempty"`
	// NoticeDays is a Notice deposit's notice: 1 or 7 days.
	NoticeDays int `json:",omitempty"`
	// FlexibleFraction and Bands set a Flexible deposit's rate: the
	// fraction (60% by common practice) of the rate of the longest band
	// reached.
	FlexibleFraction decimal.Decimal
	Bands            []Band `json:",omitempty"`
}

// ChineseTermRules are the time-deposit rules of Chinese banks: a full
// term by months, the demand rate on ACT/360 for early withdrawal and the
// days after maturity, and one partial early withdrawal leaving at least
// minimumRemaining.
func ChineseTermRules(minimumRemaining decimal.Decimal) TermRules {
	return TermRules{ByMonths: true, DemandDayCount: money.Act360, AfterMaturity: true,
		PartialWithdrawals: 1, MinimumRemaining: minimumRemaining}
}

// validate checks the day count, the count of partial withdrawals
// (0 to 12) and the minimum remaining (not negative). Errors wrap kind
// and name the field under "Term".
func (r TermRules) validate(kind error, parent string) error {
	switch {
	case r.DemandDayCount != 0 && !r.DemandDayCount.Valid():
		return invalid(kind, parent+".DemandDayCount", "%s is not a day-count convention", r.DemandDayCount)
	case r.PartialWithdrawals < 0 || r.PartialWithdrawals > 12:
		return invalid(kind, parent+".PartialWithdrawals", "%d is outside 0..12", r.PartialWithdrawals)
	}
	if err := checkNonNegative(kind, parent, "MinimumRemaining", r.MinimumRemaining); err != nil {
		return err
	}
	return r.validateKind(kind, parent)
}

// demandDayCount is the day count of interest at the demand rate.
func (td TimeDeposit) demandDayCount() money.DayCount {
	if td.Rules.DemandDayCount != 0 {
		return td.Rules.DemandDayCount
	}
	return td.DayCount
}

// TimeDeposit is a fixed-term deposit: Principal placed on Start for
// TermMonths at a fixed annual Rate, paying simple interest at maturity.
// Before maturity it can close early (EarlyClosure) or, when its Rules
// allow, give up part of its principal (WithdrawPart).
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
	// Rules are the product's time-deposit rules, fixed at opening.
	Rules TermRules
	// PartsWithdrawn counts the partial withdrawals of this term.
	PartsWithdrawn int `json:",omitempty"`

	// Instalment is an Instalments deposit's monthly amount, in the
	// principal's currency, and PaidOn the days its instalments were
	// paid, the first on Start; Principal is their sum.
	Instalment decimal.Decimal
	PaidOn     []calendar.Date `json:",omitempty"`
	// Payouts counts the scheduled payouts made before maturity
	// (PrincipalPayouts, InterestPayouts).
	Payouts int `json:",omitempty"`
	// Notice is a Notice deposit's outstanding notice, nil for none.
	Notice *NoticeGiven `json:",omitempty"`
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
	if err := td.Rules.validate(ErrInvalidDeposit, "Rules"); err != nil {
		return err
	}
	if td.PartsWithdrawn < 0 || td.PartsWithdrawn > td.Rules.PartialWithdrawals {
		return invalid(ErrInvalidDeposit, "PartsWithdrawn", "%d is outside 0..%d", td.PartsWithdrawn, td.Rules.PartialWithdrawals)
	}
	if td.Rules.Kind != LumpSum && td.Instruction != PayOut {
		return invalid(ErrInvalidDeposit, "Instruction", "a %s deposit pays out at maturity, not %s", td.Rules.Kind, td.Instruction)
	}
	return td.validateState()
}

// Maturity returns Start plus TermMonths with the month-end rule: a deposit
// opened on 31 January for one month matures on the last day of February.
// It means nothing for a deposit that fails Validate.
func (td TimeDeposit) Maturity() calendar.Date { return td.Start.AddMonths(td.TermMonths) }

// Interest returns the interest due at maturity, rounded once. For a
// LumpSum deposit it is Principal × Rate × TermMonths / 12 under
// Rules.ByMonths, else Principal × Rate × the year fraction from Start to
// Maturity by the day count; the other kinds follow their Kind's rule (an
// InterestPayouts deposit's is its last interval's). An Instalments
// deposit in breach needs the demand rate: InterestWith.
func (td TimeDeposit) Interest() (money.Money, error) {
	return td.InterestWith(decimal.Zero)
}

// InterestWith is Interest with demandRate, the demand rate on the
// maturity date, for the kinds that may need it.
func (td TimeDeposit) InterestWith(demandRate decimal.Decimal) (money.Money, error) {
	if err := td.Validate(); err != nil {
		return money.Money{}, err
	}
	if err := checkRate(ErrInvalidInput, "demandRate", demandRate); err != nil {
		return money.Money{}, err
	}
	return td.termInterest(demandRate)
}

// termInterest is InterestWith for a valid deposit.
func (td TimeDeposit) termInterest(demandRate decimal.Decimal) (money.Money, error) {
	switch td.Rules.Kind {
	case Instalments:
		return td.instalmentInterest(demandRate)
	case PrincipalPayouts:
		return td.averageBalanceInterest()
	case InterestPayouts:
		return td.intervalInterest()
	case Flexible, Notice:
		return money.Money{}, invalid(ErrInvalidInput, "Rules.Kind", "a %s deposit has no term: it earns when withdrawn", td.Rules.Kind)
	}
	if td.Rules.ByMonths {
		raw := td.Principal.Amount.Mul(td.Rate).Mul(decimal.NewFromInt(int64(td.TermMonths))).Div(decimal.NewFromInt(12))
		return money.Round(raw, td.Principal.Currency, td.Rounding)
	}
	return td.interestUntil(td.Rate, td.Maturity())
}

// AfterMaturity returns the interest on held, the amount left on a
// matured deposit, for the actual days from the maturity date to asOf at
// demandRate (the demand rate in force on asOf) on the demand day count:
// zero unless Rules.AfterMaturity. asOf must not be before maturity.
func (td TimeDeposit) AfterMaturity(held money.Money, asOf calendar.Date, demandRate decimal.Decimal) (money.Money, error) {
	if err := td.Validate(); err != nil {
		return money.Money{}, err
	}
	switch {
	case !held.Valid() || held.Currency != td.Principal.Currency || held.IsNegative():
		return money.Money{}, invalid(ErrInvalidInput, "held", "%s is not an amount in %s", held, td.Principal.Currency)
	case checkSize(ErrInvalidInput, "held", held.Amount) != nil:
		return money.Money{}, checkSize(ErrInvalidInput, "held", held.Amount)
	case !asOf.Valid() || asOf.Before(td.Maturity()):
		return money.Money{}, invalid(ErrInvalidInput, "asOf", "%s is not a date on or after maturity on %s", asOf, td.Maturity())
	}
	if err := checkRate(ErrInvalidInput, "demandRate", demandRate); err != nil {
		return money.Money{}, err
	}
	if !td.Rules.AfterMaturity {
		return money.Zero(held.Currency), nil
	}
	raw := money.SimpleInterest(held.Amount, demandRate, td.demandDayCount(), td.Maturity(), asOf)
	return money.Round(raw, held.Currency, td.Rounding)
}

// interestUntil is simple interest on the principal at rate from Start to
// end, rounded with the deposit's mode. td must be valid.
func (td TimeDeposit) interestUntil(rate decimal.Decimal, end calendar.Date) (money.Money, error) {
	raw := money.SimpleInterest(td.Principal.Amount, rate, td.DayCount, td.Start, end)
	return money.Round(raw, td.Principal.Currency, td.Rounding)
}
