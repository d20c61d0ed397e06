package interest

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
)

// Basis is the balance interest is computed on.
// The zero value is not a basis: a product must say which one it uses.
type Basis int

const (
	// EndOfDayBalance: each day earns interest on that day's closing
	// balance, and the period's interest is the sum of the days.
	EndOfDayBalance Basis = iota + 1
	// AverageDailyBalance: the period earns interest on the average of its
	// closing balances, ADB × rate × the period's year fraction, worked out
	// at posting (see Post). The daily accruals are provisional, on the
	// day's own balance, and the posting carries the difference as its
	// Adjustment. Debit interest is always on each day's closing balance.
	AverageDailyBalance
)

// Valid reports whether b is one of the declared bases.
func (b Basis) Valid() bool { return b == EndOfDayBalance || b == AverageDailyBalance }

// String names the basis.
func (b Basis) String() string {
	if name, ok := basisNames[b]; ok {
		return name
	}
	return fmt.Sprintf("Basis(%d)", int(b))
}

// Product is the interest terms of a deposit product. Accrue and Post take
// it on every call, so a store keeps one copy per product, not per account.
type Product struct {
	Currency money.Currency
	DayCount money.DayCount
	Basis    Basis

	// Credit is the schedule of rates paid on positive balances. It must
	// have at least one change; a product paying nothing has a Flat(0).
	Credit RateSchedule
	// Debit is the schedule of rates charged on negative (overdrawn)
	// balances. Empty means overdrafts cost no interest. Debit interest is
	// accrued and posted as its own figure, never netted with credit.
	Debit RateSchedule

	// Compounding is when accrued credit interest starts to earn interest
	// itself while still unposted. Posting always capitalises, so a
	// compounding period longer than Posting adds nothing; AtMaturity means
	// simple interest between postings. Under AverageDailyBalance it must
	// equal Posting. Debit interest never compounds before posting.
	Compounding Period
	// Posting is when accrued interest is paid to (or charged to) the
	// account: the capitalisation period, the settlement (结息) of Chinese
	// banks.
	Posting Period
	// Settlement places the ends of the Compounding and Posting periods
	// in the calendar: the zero value is calendar month, quarter and year
	// ends; Cycle{Day: 20} with Quarterly is the People's Bank of China's
	// settlement of demand deposits on the 20th of March, June, September
	// and December.
	Settlement Cycle
	// PayNextDay credits each posting on the day after its period ends
	// (PBoC: the period ending on the 20th is credited on the 21st), the
	// date the customer's statement shows; otherwise it is credited on
	// the period end. Either way the interest earns from the day after the
	// period end, the first day accrued on a balance that holds it.
	PayNextDay bool

	// MinimumBalance is the balance below which no credit interest is
	// earned: for that day under EndOfDayBalance, for the whole period when
	// the average is below it under AverageDailyBalance. Zero for none.
	MinimumBalance decimal.Decimal
	// WithholdingTax is the fraction (0..1) of gross credit interest
	// withheld as tax at posting, shown as its own line.
	WithholdingTax decimal.Decimal
	// Rounding rounds posted figures to the currency's minor unit; the
	// zero value is half-even. Chinese banks round interest to the fen
	// half-up (分以下四舍五入).
	Rounding money.RoundingMode

	// Term are the rules of the product's time deposits, copied to each
	// deposit when it opens; demand accounts ignore them.
	Term TermRules
}

// Validate checks every field. Errors wrap ErrInvalidProduct and name the
// field ("Credit[1].Rate.Tiers[0].From").
func (p Product) Validate() error {
	switch {
	case !p.Currency.Valid():
		return invalid(ErrInvalidProduct, "Currency", "%q is not an ISO 4217 currency", string(p.Currency))
	case !p.DayCount.Valid():
		return invalid(ErrInvalidProduct, "DayCount", "%s is not a day-count convention", p.DayCount)
	case !p.Basis.Valid():
		return invalid(ErrInvalidProduct, "Basis", "%s is not a balance basis", p.Basis)
	case len(p.Credit) == 0:
		return invalid(ErrInvalidProduct, "Credit", "needs at least one rate (Flat(0) for none)")
	}
	if err := p.Credit.validate(ErrInvalidProduct); err != nil {
		return within(ErrInvalidProduct, "Credit", err)
	}
	if err := p.Debit.validate(ErrInvalidProduct); err != nil {
		return within(ErrInvalidProduct, "Debit", err)
	}
	if err := checkSize(ErrInvalidProduct, "MinimumBalance", p.MinimumBalance); err != nil {
		return err
	}
	if err := checkSize(ErrInvalidProduct, "WithholdingTax", p.WithholdingTax); err != nil {
		return err
	}
	switch {
	case !p.Compounding.Valid():
		return invalid(ErrInvalidProduct, "Compounding", "%s is not a period", p.Compounding)
	case !p.Posting.Valid():
		return invalid(ErrInvalidProduct, "Posting", "%s is not a period", p.Posting)
	case p.Settlement.Validate() != nil:
		return p.Settlement.Validate()
	case p.Basis == AverageDailyBalance && p.Compounding != p.Posting:
		return invalid(ErrInvalidProduct, "Compounding", "must equal Posting (%s) under the average daily balance basis", p.Posting)
	case p.MinimumBalance.IsNegative():
		return invalid(ErrInvalidProduct, "MinimumBalance", "%s is negative", p.MinimumBalance)
	case p.WithholdingTax.IsNegative() || p.WithholdingTax.GreaterThan(decimal.NewFromInt(1)):
		return invalid(ErrInvalidProduct, "WithholdingTax", "%s is outside 0..1", p.WithholdingTax)
	case !p.Rounding.Valid():
		return invalid(ErrInvalidProduct, "Rounding", "%d is not a rounding mode", int(p.Rounding))
	}
	return p.Term.validate(ErrInvalidProduct, "Term")
}

// IsPostingEnd reports whether d ends one of the product's posting
// periods (under its Settlement cycle); maturity is the anchor of an
// AtMaturity posting, zero for none.
func (p Product) IsPostingEnd(d, maturity calendar.Date) bool {
	return p.Settlement.IsEnd(p.Posting, d, maturity)
}

// PaidOn is the day a posting for the period ending on periodEnd is
// credited: the period end, or the day after under PayNextDay.
func (p Product) PaidOn(periodEnd calendar.Date) calendar.Date {
	if p.PayNextDay {
		return periodEnd.AddDays(1)
	}
	return periodEnd
}
