package credit

import (
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/text"
)

// RepaymentMethod is how principal is paid back.
type RepaymentMethod string

// The repayment methods.
const (
	// Annuity: equal instalments of principal and interest (等额本息).
	Annuity RepaymentMethod = "annuity"
	// EqualPrincipal: the same principal every period plus the interest on
	// what is left, so instalments fall (等额本金).
	EqualPrincipal RepaymentMethod = "equal_principal"
	// InterestOnly: interest every period, all principal with the last.
	InterestOnly RepaymentMethod = "interest_only"
	// Bullet: principal and all interest in one payment at maturity.
	Bullet RepaymentMethod = "bullet"
)

// Valid reports whether m is one of the declared methods.
func (m RepaymentMethod) Valid() bool {
	return m == Annuity || m == EqualPrincipal || m == InterestOnly || m == Bullet
}

// InterestMethod is what the rate is charged on.
type InterestMethod string

// The interest methods.
const (
	// Declining: each period's interest is on the principal outstanding.
	Declining InterestMethod = "declining"
	// Flat: each period's interest is on the original principal, as some
	// instalment products quote it; allowed with Annuity only, where it
	// gives equal instalments of equal principal and equal interest.
	Flat InterestMethod = "flat"
)

// Valid reports whether m is one of the declared methods.
func (m InterestMethod) Valid() bool { return m == Declining || m == Flat }

// Frequency is how often instalments fall due.
type Frequency string

// The frequencies.
const (
	Monthly  Frequency = "monthly"
	Biweekly Frequency = "biweekly"
	Weekly   Frequency = "weekly"
)

// Valid reports whether f is one of the declared frequencies.
func (f Frequency) Valid() bool { return f == Monthly || f == Biweekly || f == Weekly }

// PerYear is the number of periods in a year: 12, 26 or 52. A regular
// period's interest rate is the annual rate divided by it.
func (f Frequency) PerYear() int {
	switch f {
	case Monthly:
		return 12
	case Biweekly:
		return 26
	case Weekly:
		return 52
	}
	return 0
}

// add returns the k-th due date after anchor.
func (f Frequency) add(anchor calendar.Date, k int) calendar.Date {
	switch f {
	case Biweekly:
		return anchor.AddDays(14 * k)
	case Weekly:
		return anchor.AddDays(7 * k)
	default:
		return anchor.AddMonths(k)
	}
}

// PrepaymentMode is what a partial prepayment shortens.
type PrepaymentMode string

// The prepayment modes.
const (
	// ReduceTerm keeps the instalment and ends the loan sooner.
	ReduceTerm PrepaymentMode = "reduce_term"
	// ReduceInstalment keeps the maturity and lowers the instalments.
	ReduceInstalment PrepaymentMode = "reduce_instalment"
)

// Valid reports whether m is one of the declared modes.
func (m PrepaymentMode) Valid() bool { return m == ReduceTerm || m == ReduceInstalment }

// RateType says whether the rate is fixed for the life of the loan or
// floats over a benchmark (the Loan Prime Rate) with a spread.
type RateType string

// The rate types.
const (
	Fixed    RateType = "fixed"
	Floating RateType = "floating"
)

// Valid reports whether r is one of the declared types.
func (r RateType) Valid() bool { return r == Fixed || r == Floating }

// Fee is a charge that is a fixed amount, a rate of the principal, or
// both added; the zero Fee charges nothing.
type Fee struct {
	Fixed decimal.Decimal `json:"fixed"`        // in the product's currency
	Rate  decimal.Decimal `json:"rate"`         // of the principal: 0.01 is 1%
	Min   decimal.Decimal `json:"min,omitzero"` // floor of the charge when it is not zero
	Max   decimal.Decimal `json:"max,omitzero"` // cap of the charge; zero: none
}

// IsZero reports whether the fee charges nothing.
func (f Fee) IsZero() bool { return f.Fixed.IsZero() && f.Rate.IsZero() }

// On returns the fee on a principal, rounded half-even to the minor unit.
func (f Fee) On(principal money.Money) money.Money {
	if f.IsZero() {
		return money.Zero(principal.Currency)
	}
	amt := f.Fixed.Add(principal.Amount.Mul(f.Rate))
	if amt.LessThan(f.Min) {
		amt = f.Min
	}
	if f.Max.IsPositive() && amt.GreaterThan(f.Max) {
		amt = f.Max
	}
	return money.Money{Amount: amt.RoundBank(principal.Currency.MinorUnits()), Currency: principal.Currency}
}

func (f Fee) validate(c money.Currency) error {
	for _, p := range []struct {
		name string
		v    decimal.Decimal
	}{{"fixed", f.Fixed}, {"rate", f.Rate}, {"min", f.Min}, {"max", f.Max}} {
		if p.v.IsNegative() {
			return invalid(p.name, "must not be negative")
		}
		if p.name != "rate" && !p.v.Equal(p.v.Round(c.MinorUnits())) {
			return invalid(p.name, "has more decimals than %s allows", c)
		}
	}
	if f.Rate.GreaterThan(decimal.NewFromInt(1)) {
		return invalid("rate", "must be at most 1 (100%%)")
	}
	if f.Max.IsPositive() && f.Max.LessThan(f.Min) {
		return invalid("max", "must not be below min")
	}
	return nil
}

// OriginationFee is the fee charged when the loan is made, either added to
// the principal (financed) or kept back from what is paid out (deducted).
type OriginationFee struct {
	Fee
	Financed bool `json:"financed"`
}

// Stage is which instalments a repayment part belongs to.
type Stage string

// The stages of what is owed.
const (
	Overdue Stage = "overdue" // past its due date and unpaid
	Due     Stage = "due"     // due today
	Advance Stage = "advance" // not yet due: paid ahead
)

// Component is a kind of amount owed.
type Component string

// The components of what is owed.
const (
	Penalty   Component = "penalty"
	FeePart   Component = "fee"
	Interest  Component = "interest"
	Principal Component = "principal"
)

// Bucket is one (stage, component) pair a repayment can go to.
type Bucket struct {
	Stage     Stage     `json:"stage"`
	Component Component `json:"component"`
}

// String reads "overdue.penalty".
func (b Bucket) String() string { return string(b.Stage) + "." + string(b.Component) }

var (
	stages     = []Stage{Overdue, Due, Advance}
	components = []Component{Penalty, FeePart, Interest, Principal}
)

// AllocationOrder is the order a repayment pays the twelve buckets in:
// every (stage, component) pair exactly once.
type AllocationOrder []Bucket

// ByComponents returns the order that pays overdue, then due, then advance
// amounts, and within each stage the components in the order given. The
// two presets are ByComponents(Penalty, FeePart, Interest, Principal)
// (PenaltyFirst) and ByComponents(Interest, Principal, Penalty, FeePart)
// (InterestFirst).
func ByComponents(cs ...Component) AllocationOrder {
	out := make(AllocationOrder, 0, len(stages)*len(cs))
	for _, s := range stages {
		for _, c := range cs {
			out = append(out, Bucket{s, c})
		}
	}
	return out
}

// The presets of the allocation order.
var (
	// PenaltyFirst: penalty, fee, interest, principal — the usual order of
	// Chinese loan contracts, where costs are settled before principal.
	PenaltyFirst = ByComponents(Penalty, FeePart, Interest, Principal)
	// InterestFirst: interest, principal, penalty, fee — the order some
	// consumer-protection rules require, so a late payment reduces the
	// debt before it pays charges.
	InterestFirst = ByComponents(Interest, Principal, Penalty, FeePart)
)

func (o AllocationOrder) validate() error {
	want := len(stages) * len(components)
	seen := map[Bucket]bool{}
	for i, b := range o {
		if !slices.Contains(stages, b.Stage) {
			return invalid("["+itoa(i)+"].stage", "must be one of overdue, due, advance")
		}
		if !slices.Contains(components, b.Component) {
			return invalid("["+itoa(i)+"].component", "must be one of penalty, fee, interest, principal")
		}
		if seen[b] {
			return invalid("["+itoa(i)+"]", "%s appears twice", b)
		}
		seen[b] = true
	}
	if len(o) != want {
		return invalid("", "must list all %d stage and component pairs once, has %d", want, len(o))
	}
	return nil
}

// Product is a loan product: what may be lent, for how long, how it is
// repaid and what it costs. Every application and loan names one.
type Product struct {
	ID       ID             `json:"id"`
	Code     string         `json:"code"` // unique, e.g. "CONSUMER-36"
	Name     string         `json:"name"`
	Currency money.Currency `json:"currency"`

	MinAmount decimal.Decimal `json:"min_amount"`
	MaxAmount decimal.Decimal `json:"max_amount"`
	MinTerm   int             `json:"min_term"` // in periods of Frequency
	MaxTerm   int             `json:"max_term"`

	Method         RepaymentMethod     `json:"repayment_method"`
	InterestMethod InterestMethod      `json:"interest_method"`
	DayCount       money.DayCount      `json:"day_count"`
	Frequency      Frequency           `json:"frequency"`
	Adjustment     calendar.Adjustment `json:"adjustment"` // of due dates onto business days

	RateType RateType `json:"rate_type"`
	// BaseRate is the annual contract rate of a fixed-rate product before
	// the risk add-on (0.0435 is 4.35%); for a floating one, the spread
	// over the benchmark (which may be negative).
	BaseRate decimal.Decimal `json:"base_rate"`
	// MaxRate caps the contract rate after add-ons (and the benchmark).
	MaxRate decimal.Decimal `json:"max_rate"`

	// GracePrincipal is the number of first periods that pay no principal
	// (interest only); GraceInterest the number of first periods that pay
	// nothing, their interest deferred to the first instalment after them.
	GracePrincipal int `json:"grace_principal"`
	GraceInterest  int `json:"grace_interest"`

	Origination OriginationFee  `json:"origination_fee"`
	LateFee     decimal.Decimal `json:"late_fee"` // per missed instalment
	// PenaltyMultiplier times the contract rate is the penalty rate on
	// overdue principal; zero means DefaultPenaltyMultiplier.
	PenaltyMultiplier decimal.Decimal `json:"penalty_multiplier"`
	PrepaymentFee     Fee             `json:"prepayment_fee"` // on the principal prepaid
	PrepaymentMode    PrepaymentMode  `json:"prepayment_mode"`
	Allocation        AllocationOrder `json:"allocation_order"`

	// Eligibility bounds of the product.
	MinAge           int             `json:"min_age"`             // at application
	MaxAgeAtMaturity int             `json:"max_age_at_maturity"` // at the last due date
	MaxDebtToIncome  decimal.Decimal `json:"max_debt_to_income"`  // monthly debt service / monthly income

	// Approval is the product's approval chains by amount band.
	Approval ApprovalPolicy `json:"approval"`

	CreatedAt time.Time `json:"created_at"`
}

// DefaultPenaltyMultiplier is the penalty rate's multiple of the contract
// rate when a product names none: the 50% surcharge on overdue loans that
// the People's Bank of China set for RMB loans (银发〔2003〕251号), still
// the market's default.
var DefaultPenaltyMultiplier = decimal.RequireFromString("1.5")

// PenaltyRate is the annual penalty rate on overdue principal for a loan
// at contract rate.
func (p Product) PenaltyRate(contract decimal.Decimal) decimal.Decimal {
	m := p.PenaltyMultiplier
	if m.IsZero() {
		m = DefaultPenaltyMultiplier
	}
	return contract.Mul(m)
}

// Product limits that keep every schedule computable.
const (
	MaxProductTerm = 600 // periods: 50 years monthly
	maxCodeLen     = 40
	maxNameLen     = 200
)

// maxAnnualRate bounds every rate a product or loan may carry (100%).
var maxAnnualRate = decimal.NewFromInt(1)

// rateScale is the most decimals a rate may carry: 0.000001 is a
// hundredth of a basis point.
const rateScale = 6

func checkRate(field string, r decimal.Decimal, allowNegative bool) error {
	if r.IsNegative() && !allowNegative {
		return invalid(field, "must not be negative")
	}
	if r.Abs().GreaterThan(maxAnnualRate) {
		return invalid(field, "must be at most 1 (100%% a year)")
	}
	if !r.Equal(r.Round(rateScale)) {
		return invalid(field, "has more than %d decimals", rateScale)
	}
	return nil
}

func checkAmount(field string, v decimal.Decimal, c money.Currency) error {
	if v.IsNegative() {
		return invalid(field, "must not be negative")
	}
	if !v.Equal(v.Round(c.MinorUnits())) {
		return invalid(field, "has more decimals than %s allows", c)
	}
	if v.GreaterThan(money.MaxAmount(c).Amount) {
		return invalid(field, "must be at most %s", money.MaxAmount(c).ValueString())
	}
	return nil
}

// Validate checks every field, naming the first one at fault. Empty
// choices must be made: a product says how it repays, counts days and
// allocates.
func (p Product) Validate() error {
	code := strings.TrimSpace(p.Code)
	if code == "" || code != p.Code || len(code) > maxCodeLen {
		return invalid("code", "must be 1-%d characters without surrounding spaces", maxCodeLen)
	}
	if err := text.Line(ErrInvalidInput, "code", p.Code); err != nil {
		return err
	}
	if strings.TrimSpace(p.Name) == "" || len(p.Name) > maxNameLen {
		return invalid("name", "must be 1-%d bytes", maxNameLen)
	}
	if err := text.Line(ErrInvalidInput, "name", p.Name); err != nil {
		return err
	}
	if !p.Currency.Valid() {
		return invalid("currency", "must be an ISO 4217 code")
	}
	if err := checkAmount("min_amount", p.MinAmount, p.Currency); err != nil {
		return err
	}
	if !p.MinAmount.IsPositive() {
		return invalid("min_amount", "must be positive")
	}
	if err := checkAmount("max_amount", p.MaxAmount, p.Currency); err != nil {
		return err
	}
	if p.MaxAmount.LessThan(p.MinAmount) {
		return invalid("max_amount", "must not be below min_amount")
	}
	if p.MinTerm < 1 {
		return invalid("min_term", "must be at least 1")
	}
	if p.MaxTerm < p.MinTerm || p.MaxTerm > MaxProductTerm {
		return invalid("max_term", "must be from min_term to %d", MaxProductTerm)
	}
	if !p.Method.Valid() {
		return invalid("repayment_method", "must be annuity, equal_principal, interest_only or bullet")
	}
	if !p.InterestMethod.Valid() {
		return invalid("interest_method", "must be declining or flat")
	}
	if p.InterestMethod == Flat && p.Method != Annuity {
		return invalid("interest_method", "flat is quoted only for annuity products")
	}
	if !p.DayCount.Valid() {
		return invalid("day_count", "must be ACT/365F, ACT/360, 30/360 or ACT/ACT")
	}
	if !p.Frequency.Valid() {
		return invalid("frequency", "must be monthly, biweekly or weekly")
	}
	if !p.Adjustment.Valid() {
		return invalid("adjustment", "must be a business-day convention")
	}
	if !p.RateType.Valid() {
		return invalid("rate_type", "must be fixed or floating")
	}
	if err := checkRate("base_rate", p.BaseRate, p.RateType == Floating); err != nil {
		return err
	}
	if err := checkRate("max_rate", p.MaxRate, false); err != nil {
		return err
	}
	if !p.MaxRate.IsPositive() {
		return invalid("max_rate", "must be positive")
	}
	if p.RateType == Fixed && p.MaxRate.LessThan(p.BaseRate) {
		return invalid("max_rate", "must not be below base_rate")
	}
	if err := p.checkGrace(p.MinTerm, "grace_principal"); err != nil {
		return err
	}
	if err := p.Origination.validate(p.Currency); err != nil {
		return within("origination_fee", err)
	}
	if err := checkAmount("late_fee", p.LateFee, p.Currency); err != nil {
		return err
	}
	if p.PenaltyMultiplier.IsNegative() || p.PenaltyMultiplier.GreaterThan(decimal.NewFromInt(10)) {
		return invalid("penalty_multiplier", "must be from 0 (the default 1.5) to 10")
	}
	if err := p.PrepaymentFee.validate(p.Currency); err != nil {
		return within("prepayment_fee", err)
	}
	if !p.PrepaymentMode.Valid() {
		return invalid("prepayment_mode", "must be reduce_term or reduce_instalment")
	}
	if err := p.Allocation.validate(); err != nil {
		return within("allocation_order", err)
	}
	if p.MinAge < 0 || p.MinAge > 120 {
		return invalid("min_age", "must be 0-120")
	}
	if p.MaxAgeAtMaturity != 0 && (p.MaxAgeAtMaturity <= p.MinAge || p.MaxAgeAtMaturity > 120) {
		return invalid("max_age_at_maturity", "must be 0 (no limit) or above min_age and at most 120")
	}
	if p.MaxDebtToIncome.IsNegative() || p.MaxDebtToIncome.GreaterThan(decimal.NewFromInt(10)) {
		return invalid("max_debt_to_income", "must be 0 (no limit) to 10")
	}
	if err := p.Approval.validate(p.Currency); err != nil {
		return within("approval", err)
	}
	return nil
}

// checkGrace checks the grace periods against a term of n periods: grace
// on interest lies within grace on principal, and one period at least
// amortises. Bullet and interest-only loans pay principal last anyway, so
// grace on principal means nothing for them and must be zero.
func (p Product) checkGrace(n int, field string) error {
	if p.GracePrincipal < 0 {
		return invalid("grace_principal", "must not be negative")
	}
	if p.GraceInterest < 0 || p.GraceInterest > p.GracePrincipal && p.Method != Bullet && p.Method != InterestOnly {
		return invalid("grace_interest", "must be from 0 to grace_principal")
	}
	if (p.Method == Bullet || p.Method == InterestOnly) && p.GracePrincipal != 0 {
		return invalid("grace_principal", "must be 0 for %s products", p.Method)
	}
	if p.Method == Bullet && p.GraceInterest != 0 {
		return invalid("grace_interest", "must be 0 for bullet products")
	}
	if p.GracePrincipal >= n || p.GraceInterest >= n {
		return invalid(field, "must leave at least one period of repayment in the shortest term")
	}
	return nil
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b [20]byte
	n := len(b)
	for i > 0 {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
	}
	return string(b[n:])
}

// TermsFor returns the terms of a loan of amount over term periods of the
// product at the annual rate, starting on start (first due: zero for one
// regular period). A financed origination fee is added to the principal;
// a deducted one is kept back from the cash disbursed. The amount, term
// and rate are checked against the product's limits, naming the field.
func (p Product) TermsFor(amount money.Money, term int, rate decimal.Decimal, start, firstDue calendar.Date) (Terms, error) {
	if err := p.checkLoan(amount, term); err != nil {
		return Terms{}, err
	}
	if err := checkRate("rate", rate, false); err != nil {
		return Terms{}, err
	}
	if rate.GreaterThan(p.MaxRate) {
		return Terms{}, invalid("rate", "must be at most the product's max_rate %s", p.MaxRate)
	}
	fee := p.Origination.On(amount)
	principal, disbursed := amount, amount
	if p.Origination.Financed {
		principal.Amount = amount.Amount.Add(fee.Amount)
	} else {
		disbursed.Amount = amount.Amount.Sub(fee.Amount)
		if !disbursed.Amount.IsPositive() {
			return Terms{}, invalid("amount", "is consumed by the origination fee %s", fee.ValueString())
		}
	}
	t := Terms{Principal: principal, Disbursed: disbursed, AnnualRate: rate, Term: term,
		Method: p.Method, InterestMethod: p.InterestMethod, DayCount: p.DayCount, Frequency: p.Frequency,
		Adjustment: p.Adjustment, Start: start, FirstDue: firstDue,
		GracePrincipal: p.GracePrincipal, GraceInterest: p.GraceInterest}
	return t, t.Validate()
}

// checkLoan checks an amount and term against the product's limits.
func (p Product) checkLoan(amount money.Money, term int) error {
	if amount.Currency != p.Currency {
		return invalid("amount.currency", "must be the product's currency %s", p.Currency)
	}
	if !amount.Amount.Equal(amount.Amount.Round(p.Currency.MinorUnits())) {
		return invalid("amount", "has more decimals than %s allows", p.Currency)
	}
	if amount.Amount.LessThan(p.MinAmount) || amount.Amount.GreaterThan(p.MaxAmount) {
		return invalid("amount", "must be from %s to %s", p.MinAmount.StringFixed(p.Currency.MinorUnits()), p.MaxAmount.StringFixed(p.Currency.MinorUnits()))
	}
	if term < p.MinTerm || term > p.MaxTerm {
		return invalid("term", "must be from %d to %d periods", p.MinTerm, p.MaxTerm)
	}
	return nil
}
