package credit

import (
	"fmt"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/money"
)

// Pricing is risk-based pricing: what each grade of the scorecard gets.
type Pricing map[string]GradeTerms

// GradeTerms are a grade's terms.
type GradeTerms struct {
	// RateAddOn is added to the product's base rate (or, for a floating
	// product, to its spread); a fixed rate is capped at the product's max
	// rate, a floating one when the benchmark is added to it.
	RateAddOn decimal.Decimal `json:"rate_add_on"`
	// MaxAmountRatio of the product's max amount is the most the grade may
	// borrow (1 is all of it).
	MaxAmountRatio     decimal.Decimal `json:"max_amount_ratio"`
	CollateralRequired bool            `json:"collateral_required"`
	GuarantorRequired  bool            `json:"guarantor_required"`
	Decline            bool            `json:"decline"` // the grade is not lent to
}

// DefaultPricing is the reference bank's pricing for the grades of the
// default scorecard: the better the grade, the lower the add-on and the
// higher the limit; grade D needs a guarantor, E collateral and a
// guarantor.
func DefaultPricing() Pricing {
	d := decimal.RequireFromString
	return Pricing{
		"A": {RateAddOn: d("0"), MaxAmountRatio: d("1")},
		"B": {RateAddOn: d("0.005"), MaxAmountRatio: d("0.8")},
		"C": {RateAddOn: d("0.015"), MaxAmountRatio: d("0.5")},
		"D": {RateAddOn: d("0.03"), MaxAmountRatio: d("0.3"), GuarantorRequired: true},
		"E": {RateAddOn: d("0.05"), MaxAmountRatio: d("0.2"), GuarantorRequired: true, CollateralRequired: true},
	}
}

// Validate checks the pricing covers every grade of sc.
func (p Pricing) Validate(sc *Scorecard) error {
	for _, g := range sc.Grades {
		gt, ok := p[g.Grade]
		if !ok {
			return invalid("pricing."+g.Grade, "grade %s of scorecard %s has no terms", g.Grade, sc.Name)
		}
		if err := checkRate("pricing."+g.Grade+".rate_add_on", gt.RateAddOn, false); err != nil {
			return err
		}
		if !gt.Decline && (!gt.MaxAmountRatio.IsPositive() || gt.MaxAmountRatio.GreaterThan(decimal.NewFromInt(1))) {
			return invalid("pricing."+g.Grade+".max_amount_ratio", "must be above 0 and at most 1")
		}
	}
	return nil
}

// Offer is what a scored application may be lent on.
type Offer struct {
	Grade string `json:"grade"`
	// Rate is the annual contract rate; for a floating product, the
	// spread over the benchmark.
	Rate      decimal.Decimal `json:"rate"`
	Floating  bool            `json:"floating"`
	MaxAmount money.Money     `json:"max_amount"`
	// Amount is what is offered: the amount applied for, or the grade's
	// maximum when that is lower.
	Amount             money.Money `json:"amount"`
	CollateralRequired bool        `json:"collateral_required"`
	GuarantorRequired  bool        `json:"guarantor_required"`
}

// offer prices an application of grade on product p; false when the grade
// is declined.
func (p Pricing) offer(prod Product, grade string, asked money.Money) (Offer, bool, error) {
	gt, ok := p[grade]
	if !ok {
		return Offer{}, false, fmt.Errorf("credit: pricing has no terms for grade %q", grade)
	}
	if gt.Decline {
		return Offer{}, false, nil
	}
	rate := prod.BaseRate.Add(gt.RateAddOn)
	if prod.RateType == Fixed {
		rate = decimal.Min(rate, prod.MaxRate)
	} // a floating spread is capped with the benchmark, when the rate is set
	places := prod.Currency.MinorUnits()
	most := decimal.Max(prod.MaxAmount.Mul(gt.MaxAmountRatio).RoundDown(places), prod.MinAmount)
	o := Offer{Grade: grade, Rate: rate, Floating: prod.RateType == Floating,
		MaxAmount:          money.Money{Amount: most, Currency: prod.Currency},
		Amount:             money.Money{Amount: decimal.Min(asked.Amount, most), Currency: prod.Currency},
		CollateralRequired: gt.CollateralRequired, GuarantorRequired: gt.GuarantorRequired}
	return o, true, nil
}
