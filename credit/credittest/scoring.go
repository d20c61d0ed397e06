package credittest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/credit"
)

// The strong customer on the default scorecard, characteristic by
// characteristic: bureau score 720 → 100, no delinquencies → 90, one
// enquiry → 60, utilisation 0.2 → 60, debt-to-income 0.3536 → 35 (of 80),
// loan-to-income 100000 / 360000 = 0.2778 → 50, regular salary → 55,
// average balance 60,000 → 60, never overdrawn → 55, 72 months → 50, a car
// → 40, unsecured → 20 (of 40): 675, grade A (660 and up). Its PD:
// odds 50 × 2^((675 − 600) / 20) = 50 × 2^3.75 = 672.7, PD 1 / 673.7 =
// 0.001484. Two characteristics cost points: debt-to-income 45, security
// 20. Grade A prices at the base rate, up to the product's maximum.
func testScore(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	p := e.product("CONSUMER")
	c := e.customer()
	e.strong(c)
	a := e.submit(application(c, p.ID))
	s, err := e.svc.Score(e.ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, credit.StatusScored, s.Status)
	require.Equal(t, int64(2), s.Version)
	require.NotNil(t, s.Score)
	require.Equal(t, 675, s.Score.Score)
	require.Equal(t, "A", s.Score.Grade)
	require.Equal(t, "0.001484", s.Score.PD.StringFixed(6))
	require.False(t, s.Score.Declined)
	require.Len(t, s.Score.Points, 12)
	require.Equal(t, []credit.Reason{
		{Code: "R05", Characteristic: "debt_to_income", Description: "Debt payments are high relative to income", PointsLost: 45},
		{Code: "R12", Characteristic: "security", Description: "No collateral or guarantor", PointsLost: 20},
	}, s.Score.Reasons)
	require.NotNil(t, s.Offer)
	require.Equal(t, "A", s.Offer.Grade)
	require.Equal(t, "0.06", s.Offer.Rate.String())
	require.Equal(t, "500000.00", s.Offer.MaxAmount.ValueString())
	require.Equal(t, "100000.00", s.Offer.Amount.ValueString())
	require.False(t, s.Offer.CollateralRequired || s.Offer.GuarantorRequired)

	got, err := e.svc.Application(e.ctx, a.ID)
	require.NoError(t, err)
	sameJSON(t, s, got)

	// The same customer with three late payments and eight enquiries:
	// delinquencies 90 → 10 and enquiries 60 → 5, 675 − 135 = 540, grade
	// D: 3 points of add-on (9%), at most 30% of 500,000.00, with a
	// guarantor.
	d := e.customer()
	e.strong(d)
	e.bureau.Set(d, credit.BureauReport{Score: 720, Enquiries6M: 8, Delinquencies24M: 3, RevolvingUtilisation: dec("0.2")})
	a = e.submit(application(d, p.ID))
	s, err = e.svc.Score(e.ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, 540, s.Score.Score)
	require.Equal(t, "D", s.Score.Grade)
	require.Equal(t, "0.09", s.Offer.Rate.String())
	require.Equal(t, "150000.00", s.Offer.MaxAmount.ValueString())
	require.Equal(t, "100000.00", s.Offer.Amount.ValueString())
	require.True(t, s.Offer.GuarantorRequired)
	require.Equal(t, "R02", s.Score.Reasons[0].Code, "delinquencies cost the most (80)")

	// On a floating product the offer is a spread over the LPR: 20 basis
	// points below it, plus grade D's 3 points, is LPR + 2.8%.
	f := Product("FLOATING")
	f.RateType, f.BaseRate = credit.Floating, dec("-0.002")
	fp, err := e.svc.CreateProduct(e.ctx, f)
	require.NoError(t, err)
	a = e.submit(application(d, fp.ID))
	s, err = e.svc.Score(e.ctx, a.ID)
	require.NoError(t, err)
	require.True(t, s.Offer.Floating)
	require.Equal(t, "0.028", s.Offer.Rate.String())
}

// A customer the bureau does not know, new to the bank: every bureau
// characteristic scores its missing points (55 + 60 + 45 + 45 = 205),
// debt-to-income 35, loan-to-income 50, average balance 500 → 15, no
// salary → 15, ten days overdrawn → 15, one month → 15, consumption → 30,
// unsecured → 20: 400, below the cut-off of 480. The four costliest
// characteristics: bureau score, debt-to-income and average balance (45
// each, in the scorecard's order), then salary regularity (40).
func testDecline(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	p := e.product("CONSUMER")
	c := e.customer()
	e.thin(c)
	n := application(c, p.ID)
	n.Purpose = credit.PurposeConsumption
	a := e.submit(n)
	s, err := e.svc.Score(e.ctx, a.ID)
	require.NoError(t, err)
	require.Equal(t, credit.StatusDeclined, s.Status)
	require.Equal(t, 400, s.Score.Score)
	require.True(t, s.Score.Declined)
	require.Nil(t, s.Offer)
	var codes []string
	for _, r := range s.Score.Reasons {
		codes = append(codes, r.Code)
	}
	require.Equal(t, []string{"R01", "R05", "R08", "R07"}, codes)
	require.Equal(t, "missing", s.Score.Points[0].Value)

	// Declined is closed: the customer may apply again.
	e.submit(n)
}

func testScoreTransitions(t *testing.T, newStore func(*testing.T) credit.Store) {
	e := newEnv(t, newStore)
	p := e.product("CONSUMER")
	c := e.customer()
	e.strong(c)
	a := e.submit(application(c, p.ID))

	e.bureau.Down(true)
	_, err := e.svc.Score(e.ctx, a.ID)
	require.ErrorIs(t, err, credit.ErrUnavailable)
	require.ErrorIs(t, err, ErrBureauDown)
	got, err := e.svc.Application(e.ctx, a.ID)
	require.NoError(t, err)
	sameJSON(t, a, got)
	e.bureau.Down(false)

	_, err = e.svc.Score(e.ctx, a.ID)
	require.NoError(t, err)
	_, err = e.svc.Score(e.ctx, a.ID)
	require.ErrorIs(t, err, credit.ErrInvalidTransition, "scored once")
	_, err = e.svc.Score(e.ctx, credit.NewID())
	require.ErrorIs(t, err, credit.ErrNotFound)
	_, err = e.svc.Score(e.ctx, credit.NilID)
	requireField(t, err, "id")
}
