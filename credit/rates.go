package credit

import (
	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/money"
)

// Rates are what a schedule costs the borrower, as disclosed before the
// contract is signed.
type Rates struct {
	// APR is the annual percentage rate: the internal rate of return of
	// the loan's cash flows (the cash received against every instalment)
	// per period, times the periods in a year — the nominal IRR that the
	// People's Bank of China requires lenders to disclose as 年化利率
	// (PBoC announcement [2021] No. 3). 0.06 is 6%.
	APR decimal.Decimal `json:"apr"`
	// EffectiveAnnual is the same periodic rate compounded over a year:
	// (1 + i)^periods − 1.
	EffectiveAnnual decimal.Decimal `json:"effective_annual_rate"`
	// TotalCost is the total cost of credit: everything repaid beyond the
	// cash received (interest and fees).
	TotalCost money.Money `json:"total_cost"`
}

// The solver's settings: decimals kept in every step, the change of the
// periodic rate below which it stops (1e-14, far below the 1e-8 the APR
// is reported to), and the most steps it takes.
const (
	irrPrecision = 28
	irrMaxSteps  = 100
	ratesPlaces  = 8 // decimals of APR and EffectiveAnnual: 0.000001%
)

var irrTolerance = decimal.New(1, -14)

// Rates solves the schedule's APR and effective annual rate.
//
// Timing follows the general equation of Regulation Z, Appendix J
// (12 CFR 1026): the unit period is the schedule's frequency, and a broken
// first period counts as w whole periods plus a fraction f of one (its
// days over the days of the neighbouring regular period), discounted at
// simple interest, (1 + f·i)(1 + i)^t. Due dates moved onto business days
// keep their unadjusted timing, as Appendix J allows for irregularities of
// a few days. The equation is solved by Newton's method in decimal
// arithmetic to the tolerance above; ErrNoConvergence if it is not met.
func (s Schedule) Rates() (Rates, error) {
	t := s.terms
	if len(s.lines) == 0 {
		return Rates{}, invalid("instalments", "must not be empty")
	}
	received := t.Disbursed
	if received.Amount.IsZero() {
		received = t.Principal
	}
	paid := s.money(s.principal + s.interest)
	cost := money.Money{Amount: paid.Amount.Sub(received.Amount), Currency: received.Currency}
	ppy := decimal.NewFromInt(int64(t.Frequency.PerYear()))
	w, f := s.firstPeriodUnits()
	// exponent of instalment j's discount (1+i)^-(w+j-1) with j its
	// position (a bullet's single instalment falls Term periods out).
	exps := make([]int64, len(s.lines))
	amounts := make([]decimal.Decimal, len(s.lines))
	for j, l := range s.lines {
		exps[j] = w + int64(j)
		if t.Method == Bullet {
			exps[j] = w + int64(t.Term-1)
		}
		amounts[j] = decimal.New(l.principal+l.interest, -s.places)
	}
	if !cost.Amount.IsPositive() {
		return Rates{APR: decimal.Zero, EffectiveAnnual: decimal.Zero, TotalCost: cost}, nil
	}
	one := decimal.NewFromInt(1)
	i := t.AnnualRate.DivRound(ppy, irrPrecision)
	if !i.IsPositive() {
		i = decimal.New(1, -3)
	}
	d := received.Amount
	for step := 0; step < irrMaxSteps; step++ {
		v := one.DivRound(one.Add(i), irrPrecision)
		// S = Σ a_j v^m_j and dS/di = -Σ a_j m_j v^(m_j+1).
		sum, dsum := decimal.Zero, decimal.Zero
		pow, m := one, int64(0)
		for j, a := range amounts {
			for m < exps[j] {
				pow = pow.Mul(v).Round(irrPrecision)
				m++
			}
			sum = sum.Add(a.Mul(pow))
			dsum = dsum.Sub(a.Mul(decimal.NewFromInt(m)).Mul(pow).Mul(v))
		}
		sum, dsum = sum.Round(irrPrecision), dsum.Round(irrPrecision)
		odd := one.Add(f.Mul(i))
		g := sum.DivRound(odd, irrPrecision).Sub(d)
		dg := dsum.DivRound(odd, irrPrecision).Sub(f.Mul(sum).DivRound(odd.Mul(odd), irrPrecision))
		if dg.IsZero() {
			break
		}
		delta := g.DivRound(dg, irrPrecision)
		i = i.Sub(delta)
		if i.LessThanOrEqual(decimal.New(-99, -2)) || i.GreaterThan(decimal.NewFromInt(10)) {
			break
		}
		if delta.Abs().LessThan(irrTolerance) {
			ear := powRound(one.Add(i), t.Frequency.PerYear(), irrPrecision).Sub(one)
			return Rates{APR: i.Mul(ppy).Round(ratesPlaces), EffectiveAnnual: ear.Round(ratesPlaces), TotalCost: cost}, nil
		}
	}
	return Rates{}, ErrNoConvergence
}

// firstPeriodUnits is the length of the first period as w whole regular
// periods plus a fraction f of one.
func (s Schedule) firstPeriodUnits() (int64, decimal.Decimal) {
	t := s.terms
	if !t.broken() {
		return 1, decimal.Zero
	}
	first := t.firstDue()
	regularStart := t.Frequency.add(first, -1)
	if t.Start.After(regularStart) { // short: part of one period
		return 0, fraction(first.DaysSince(t.Start), first.DaysSince(regularStart))
	}
	// long: one whole period plus part of the one before it
	before := t.Frequency.add(first, -2)
	return 1, fraction(regularStart.DaysSince(t.Start), regularStart.DaysSince(before))
}

func fraction(num, den int) decimal.Decimal {
	return decimal.NewFromInt(int64(num)).DivRound(decimal.NewFromInt(int64(den)), irrPrecision)
}
