package credit

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/text"
)

// Purpose is what a loan is for.
type Purpose string

// The purposes.
const (
	PurposeConsumption     Purpose = "consumption"
	PurposeCar             Purpose = "car"
	PurposeHomeImprovement Purpose = "home_improvement"
	PurposeEducation       Purpose = "education"
	PurposeBusiness        Purpose = "business"
	PurposeOther           Purpose = "other"
)

// Valid reports whether p is one of the declared purposes.
func (p Purpose) Valid() bool {
	switch p {
	case PurposeConsumption, PurposeCar, PurposeHomeImprovement, PurposeEducation, PurposeBusiness, PurposeOther:
		return true
	}
	return false
}

// Status is where an application is in its life.
type Status string

// The statuses. Submitted, Scored and Returned are open: a customer has at
// most one open application per product.
const (
	StatusSubmitted Status = "submitted" // eligible and stored, not yet scored
	StatusScored    Status = "scored"    // scored and priced: the offer is in its approval chain
	StatusReturned  Status = "returned"  // returned by an approver for more information
	StatusApproved  Status = "approved"  // every step approved
	StatusRejected  Status = "rejected"  // an approver rejected it
	StatusDeclined  Status = "declined"  // scored below the cut-off
	StatusWithdrawn Status = "withdrawn" // withdrawn by the customer or staff
)

// statuses lists every status.
var statuses = []Status{StatusSubmitted, StatusScored, StatusReturned, StatusApproved, StatusRejected, StatusDeclined, StatusWithdrawn}

// Open reports whether the application still counts as the customer's
// open application for its product.
func (s Status) Open() bool { return s == StatusSubmitted || s == StatusScored || s == StatusReturned }

// NewApplication is what an applicant submits.
type NewApplication struct {
	CustomerID ID          `json:"customer_id"`
	ProductID  ID          `json:"product_id"`
	Amount     money.Money `json:"amount"`
	Term       int         `json:"term"` // periods of the product's frequency
	Purpose    Purpose     `json:"purpose"`
	// MonthlyIncome is the declared income; MonthlyDebt the monthly
	// payments of the applicant's other debts. Both in the amount's
	// currency.
	MonthlyIncome money.Money `json:"monthly_income"`
	MonthlyDebt   money.Money `json:"monthly_debt"`
	// References to what is held elsewhere: collateral records, the
	// customer ids of guarantors, stored documents.
	Collateral []string `json:"collateral,omitempty"`
	Guarantors []ID     `json:"guarantors,omitempty"`
	Documents  []string `json:"documents,omitempty"`
	// Maker is who entered it: the customer's own id, or a staff id. The
	// maker of an application may never approve it.
	Maker string `json:"maker"`
}

// Limits of an application's lists and references.
const (
	maxReferences = 20
	maxRefLen     = 200
)

func checkRefs(field string, refs []string) error {
	if len(refs) > maxReferences {
		return invalid(field, "must have at most %d entries", maxReferences)
	}
	for i, r := range refs {
		f := fmt.Sprintf("%s[%d]", field, i)
		if strings.TrimSpace(r) == "" || len(r) > maxRefLen {
			return invalid(f, "must be 1-%d bytes", maxRefLen)
		}
		if err := text.Line(ErrInvalidInput, f, r); err != nil {
			return err
		}
	}
	return nil
}

// Validate checks the fields that need no product, naming the first one
// at fault.
func (n NewApplication) Validate() error {
	if n.CustomerID == NilID {
		return invalid("customer_id", "is required")
	}
	if n.ProductID == NilID {
		return invalid("product_id", "is required")
	}
	c := n.Amount.Currency
	if !c.Valid() {
		return invalid("amount.currency", "must be an ISO 4217 code")
	}
	if !n.Amount.Amount.IsPositive() {
		return invalid("amount", "must be positive")
	}
	if err := checkAmount("amount", n.Amount.Amount, c); err != nil {
		return err
	}
	if n.Term < 1 {
		return invalid("term", "must be at least 1")
	}
	if !n.Purpose.Valid() {
		return invalid("purpose", "must be consumption, car, home_improvement, education, business or other")
	}
	for _, m := range []struct {
		name string
		v    money.Money
	}{{"monthly_income", n.MonthlyIncome}, {"monthly_debt", n.MonthlyDebt}} {
		if m.v.Currency != c {
			return invalid(m.name+".currency", "must be the amount's currency %s", c)
		}
		if err := checkAmount(m.name, m.v.Amount, c); err != nil {
			return err
		}
	}
	if !n.MonthlyIncome.Amount.IsPositive() {
		return invalid("monthly_income", "must be positive")
	}
	if err := checkRefs("collateral", n.Collateral); err != nil {
		return err
	}
	if len(n.Guarantors) > maxReferences {
		return invalid("guarantors", "must have at most %d entries", maxReferences)
	}
	for i, g := range n.Guarantors {
		if g == NilID || g == n.CustomerID {
			return invalid(fmt.Sprintf("guarantors[%d]", i), "must be another customer's id")
		}
	}
	if err := checkRefs("documents", n.Documents); err != nil {
		return err
	}
	if strings.TrimSpace(n.Maker) == "" || len(n.Maker) > maxRefLen {
		return invalid("maker", "must be 1-%d bytes", maxRefLen)
	}
	return text.Line(ErrInvalidInput, "maker", n.Maker)
}

// Application is a loan application as stored: what was asked, the
// eligibility facts it passed on, and once scored, the score and offer
// that explain the decision.
type Application struct {
	ID ID `json:"id"`
	NewApplication
	Status Status `json:"status"`
	// AppliedOn is the business date of submission; DebtToIncome the
	// ratio the eligibility rule measured.
	AppliedOn    calendar.Date   `json:"applied_on"`
	DebtToIncome decimal.Decimal `json:"debt_to_income"`
	Score        *ScoreResult    `json:"score,omitempty"`
	Offer        *Offer          `json:"offer,omitempty"`
	Approval     *Approval       `json:"approval,omitempty"`
	// ClosedBy and ClosedReason record a withdrawal.
	ClosedBy     string `json:"closed_by,omitempty"`
	ClosedReason string `json:"closed_reason,omitempty"`

	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// The eligibility rules, as a Refusal names them.
const (
	RuleKYC           = "kyc"             // the customer's KYC is verified
	RuleMinAge        = "min_age"         // old enough at application
	RuleAgeAtMaturity = "age_at_maturity" // not too old at the last due date
	RuleDebtToIncome  = "debt_to_income"  // debts and the new instalment within the income
	RuleCutOff        = "score_cut_off"   // scored at or above the cut-off
)

// Refusal is an eligibility rule's refusal: errors.Is(err, ErrIneligible).
type Refusal struct {
	Rule   string `json:"rule"`
	Reason string `json:"reason"`
}

func (r *Refusal) Error() string { return "credit: not eligible: " + r.Rule + ": " + r.Reason }

// Unwrap makes a Refusal match ErrIneligible.
func (r *Refusal) Unwrap() error { return ErrIneligible }

func refuse(rule, format string, args ...any) error {
	return &Refusal{Rule: rule, Reason: fmt.Sprintf(format, args...)}
}

// RefusedRule returns the rule that refused, if err is a refusal.
func RefusedRule(err error) (string, bool) {
	var r *Refusal
	if errors.As(err, &r) {
		return r.Rule, true
	}
	return "", false
}

// ageOn is the age in whole years on day d of someone born on dob.
func ageOn(dob, d calendar.Date) int {
	age := d.Year - dob.Year
	if d.Month < dob.Month || d.Month == dob.Month && d.Day < dob.Day {
		age--
	}
	return age
}

// Eligibility checks an application against its product and the
// customer's facts on the business date today, returning a *Refusal that
// names the first rule that refuses, or a field error for an amount or
// term outside the product. It also returns the debt-to-income ratio it
// measured: the applicant's monthly debt plus the new loan's largest
// regular instalment (at the product's base rate, in a month), over the
// monthly income.
func Eligibility(p Product, n NewApplication, facts CustomerFacts, today calendar.Date) (decimal.Decimal, error) {
	if err := n.Validate(); err != nil {
		return decimal.Zero, err
	}
	if err := p.checkLoan(n.Amount, n.Term); err != nil {
		return decimal.Zero, err
	}
	if !facts.KYCVerified {
		return decimal.Zero, refuse(RuleKYC, "the customer's identity is not verified")
	}
	if facts.DateOfBirth.IsZero() || !facts.DateOfBirth.Valid() {
		return decimal.Zero, refuse(RuleMinAge, "the customer's date of birth is not known")
	}
	if age := ageOn(facts.DateOfBirth, today); age < p.MinAge {
		return decimal.Zero, refuse(RuleMinAge, "the customer is %d, the product's minimum age is %d", age, p.MinAge)
	}
	rate := p.BaseRate
	if p.RateType == Floating || rate.IsNegative() {
		rate = p.MaxRate // the benchmark is not known here: the cap is the prudent rate
	}
	terms, err := p.TermsFor(n.Amount, n.Term, rate, today, calendar.Date{})
	if err != nil {
		return decimal.Zero, err
	}
	s, err := NewSchedule(terms, nil)
	if err != nil {
		return decimal.Zero, err
	}
	if p.MaxAgeAtMaturity > 0 {
		if age := ageOn(facts.DateOfBirth, s.Maturity()); age >= p.MaxAgeAtMaturity {
			return decimal.Zero, refuse(RuleAgeAtMaturity, "the customer would be %d at maturity (%s), the product's limit is below %d",
				age, s.Maturity(), p.MaxAgeAtMaturity)
		}
	}
	dti := n.MonthlyDebt.Amount.Add(s.monthlyService()).DivRound(n.MonthlyIncome.Amount, 4)
	if p.MaxDebtToIncome.IsPositive() && dti.GreaterThan(p.MaxDebtToIncome) {
		return dti, refuse(RuleDebtToIncome, "monthly debt service would be %s of income, the product allows %s",
			dti.StringFixed(4), p.MaxDebtToIncome.String())
	}
	return dti, nil
}

// monthlyService is the loan's largest regular payment per month: the
// largest instalment but the last (which may carry the principal of an
// interest-only loan), or for a single payment the whole spread over its
// term, scaled from the frequency to a month.
func (s Schedule) monthlyService() decimal.Decimal {
	var most int64
	for i, l := range s.lines {
		if i == len(s.lines)-1 && i > 0 {
			break
		}
		most = max(most, l.principal+l.interest)
	}
	per := decimal.New(most, -s.places)
	if len(s.lines) == 1 {
		per = per.Div(decimal.NewFromInt(int64(s.terms.Term)))
	}
	return per.Mul(decimal.NewFromInt(int64(s.terms.Frequency.PerYear()))).Div(decimal.NewFromInt(12))
}
