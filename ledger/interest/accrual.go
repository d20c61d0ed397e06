package interest

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
)

// Accrual is one account's interest state between postings. Its fields are
// exported so that a store can persist them (decimals as NUMERIC, dates as
// DATE); the zero value is the state of an account never accrued. Only
// Accrue and Post should change it.
type Accrual struct {
	// PeriodStart is the first day accrued in the current posting period;
	// zero when nothing has been accrued since the last posting.
	PeriodStart calendar.Date
	// LastAccrued is the last day accrued; zero before the first accrual.
	LastAccrued calendar.Date

	// Credit is credit interest accrued since the last compounding,
	// unrounded.
	Credit decimal.Decimal
	// Compounded is credit interest compounded into the interest-bearing
	// balance but not yet posted, unrounded.
	Compounded decimal.Decimal
	// Debit is debit interest accrued since the last posting, unrounded, as
	// a positive figure.
	Debit decimal.Decimal

	// BalanceSum is the sum of the period's positive closing balances and
	// Days the number of days accrued in the period: the average daily
	// balance is BalanceSum / Days.
	BalanceSum decimal.Decimal
	Days       int

	// CreditCarry, DebitCarry and TaxCarry are what rounding left over at
	// the last posting (the unrounded figure minus the posted one), less
	// than one minor unit in size, added to the next posting's figure.
	CreditCarry decimal.Decimal
	DebitCarry  decimal.Decimal
	TaxCarry    decimal.Decimal
}

// DayResult is what one day's accrual added, for the accrual record and
// the interest-payable and -receivable postings of the ledger.
type DayResult struct {
	Day calendar.Date
	// Credit is the day's credit interest, unrounded. Under
	// AverageDailyBalance it is provisional: computed on the day's own
	// balance and trued up by the posting's Adjustment.
	Credit decimal.Decimal
	// Debit is the day's debit interest, unrounded, positive.
	Debit decimal.Decimal
	// Compounded is the credit interest moved into the interest-bearing
	// base at the end of this day (a compounding period end), else zero.
	Compounded decimal.Decimal
}

// Accrue accrues one calendar day on that day's closing balance and
// returns the new state and what the day added. The end-of-day runner calls
// it for every calendar day, weekends and holidays included (a run on
// Monday accrues Saturday, Sunday and Monday in turn), so interest is
// earned every day whatever the business calendar.
//
// day must be the day after s.LastAccrued (any day for a fresh state):
// accruing a day twice or skipping one is ErrOutOfOrder, and accruing past
// a posting period end that was not posted is ErrPostingDue. The rates are
// those in force on day. A positive balance plus the interest already
// compounded earns credit interest when it reaches the minimum balance
// (compounded interest is the customer's, only not yet posted, so it earns
// even on a day the account is overdrawn); a negative balance costs debit
// interest on its absolute value. At the end of a
// compounding period the credit accrued moves into Compounded and earns
// interest from the next day.
//
// On error s is returned unchanged.
func Accrue(p Product, s Accrual, day calendar.Date, balance decimal.Decimal) (Accrual, DayResult, error) {
	if err := p.Validate(); err != nil {
		return s, DayResult{}, err
	}
	if err := s.Validate(p.Currency); err != nil {
		return s, DayResult{}, err
	}
	if !day.Valid() {
		return s, DayResult{}, invalid(ErrInvalidInput, "day", "%04d-%02d-%02d is not a date", day.Year, int(day.Month), day.Day)
	}
	if err := checkSize(ErrInvalidInput, "balance", balance); err != nil {
		return s, DayResult{}, err
	}
	if !balance.Equal(balance.Truncate(p.Currency.MinorUnits())) {
		return s, DayResult{}, invalid(ErrInvalidInput, "balance", "%s has more decimal places than %s allows", balance, p.Currency)
	}
	if err := checkNextDay(p, s, day); err != nil {
		return s, DayResult{}, err
	}
	creditRate, err := p.Credit.On(day)
	if err != nil {
		return s, DayResult{}, err
	}
	debitRate := Flat(decimal.Zero)
	if len(p.Debit) > 0 {
		if debitRate, err = p.Debit.On(day); err != nil {
			return s, DayResult{}, err
		}
	}

	positive := decimal.Max(balance, decimal.Zero)
	creditBase := positive.Add(s.Compounded)
	res := DayResult{Day: day, Credit: decimal.Zero, Debit: decimal.Zero, Compounded: decimal.Zero}
	if !creditBase.LessThan(p.MinimumBalance) {
		res.Credit = dayInterest(p, creditRate, creditBase, day)
	}
	if balance.IsNegative() {
		res.Debit = dayInterest(p, debitRate, balance.Neg(), day)
	}

	next := s
	if next.PeriodStart.IsZero() {
		next.PeriodStart = day
	}
	next.LastAccrued = day
	next.Credit = s.Credit.Add(res.Credit)
	next.Debit = s.Debit.Add(res.Debit)
	next.BalanceSum = s.BalanceSum.Add(positive)
	next.Days = s.Days + 1
	if p.Compounding != AtMaturity && p.Settlement.IsEnd(p.Compounding, day, calendar.Date{}) {
		res.Compounded = next.Credit
		next.Compounded = s.Compounded.Add(next.Credit)
		next.Credit = decimal.Zero
	}
	return next, res, nil
}

// checkNextDay refuses a day that is not the one after the last accrued,
// and a day past an unposted posting period end.
func checkNextDay(p Product, s Accrual, day calendar.Date) error {
	if s.LastAccrued.IsZero() {
		return nil
	}
	want := s.LastAccrued.AddDays(1)
	switch {
	case !day.After(s.LastAccrued):
		return fmt.Errorf("%w: day %s is already accrued (last accrued %s); the next day to accrue is %s", ErrOutOfOrder, day, s.LastAccrued, want)
	case day != want:
		return fmt.Errorf("%w: day %s skips %s; accrue every calendar day in turn", ErrOutOfOrder, day, want)
	case !s.PeriodStart.IsZero() && p.IsPostingEnd(s.LastAccrued, calendar.Date{}):
		return fmt.Errorf("%w: %s ends a %s posting period; post it before accruing %s", ErrPostingDue, s.LastAccrued, p.Posting, day)
	}
	return nil
}

// dayInterest is one day's interest on a non-negative balance at rate:
// the annual interest times the day's year fraction, unrounded.
func dayInterest(p Product, r Rate, balance decimal.Decimal, day calendar.Date) decimal.Decimal {
	return money.DailyAccrual(r.AnnualInterest(balance), decimal.NewFromInt(1), p.DayCount, day)
}
