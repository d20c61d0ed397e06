package credit_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/credit/credittest"
)

// The presets list the twelve buckets stage by stage.
func TestAllocationPresets(t *testing.T) {
	t.Parallel()
	require.Len(t, credit.PenaltyFirst, 12)
	var first []string
	for _, b := range credit.PenaltyFirst[:5] {
		first = append(first, b.String())
	}
	require.Equal(t, []string{"overdue.penalty", "overdue.fee", "overdue.interest", "overdue.principal", "due.penalty"}, first)
	require.Equal(t, credit.Bucket{Stage: credit.Overdue, Component: credit.Interest}, credit.InterestFirst[0])
	require.Equal(t, credit.Bucket{Stage: credit.Advance, Component: credit.FeePart}, credit.InterestFirst[11])
}

// A 1% origination fee with a 2,000.00 cap: 1,000.00 on 100,000.00, capped
// at 2,000.00 on 300,000.00. Deducted, the borrower receives 99,000.00 of
// a 100,000.00 loan; financed, they receive 100,000.00 and owe 101,000.00.
func TestTermsForFees(t *testing.T) {
	t.Parallel()
	p := credittest.Product("FEE")
	require.Equal(t, "1000.00", p.Origination.On(cny("100000.00")).ValueString())
	require.Equal(t, "2000.00", p.Origination.On(cny("300000.00")).ValueString())
	start := calendar.MustParseDate("2026-03-02")

	deducted, err := p.TermsFor(cny("100000.00"), 12, dec("0.06"), start, calendar.Date{})
	require.NoError(t, err)
	require.Equal(t, "100000.00", deducted.Principal.ValueString())
	require.Equal(t, "99000.00", deducted.Disbursed.ValueString())

	p.Origination.Financed = true
	financed, err := p.TermsFor(cny("100000.00"), 12, dec("0.06"), start, calendar.Date{})
	require.NoError(t, err)
	require.Equal(t, "101000.00", financed.Principal.ValueString())
	require.Equal(t, "100000.00", financed.Disbursed.ValueString())

	// Either way the APR is above the 6% contract rate.
	for _, terms := range []credit.Terms{deducted, financed} {
		s, err := credit.NewSchedule(terms, nil)
		require.NoError(t, err)
		r, err := s.Rates()
		require.NoError(t, err)
		require.True(t, r.APR.GreaterThan(dec("0.077")), "APR %s", r.APR)
	}

	_, err = p.TermsFor(cny("100000.00"), 12, dec("0.25"), start, calendar.Date{})
	requireField(t, err, "rate")
	_, err = p.TermsFor(cny("100000.00"), 61, dec("0.06"), start, calendar.Date{})
	requireField(t, err, "term")
	_, err = p.TermsFor(cny("500000.01"), 12, dec("0.06"), start, calendar.Date{})
	requireField(t, err, "amount")
}

func TestProductValidates(t *testing.T) {
	t.Parallel()
	p := credittest.Product("OK")
	p.Allocation = credit.PenaltyFirst
	require.NoError(t, p.Validate())
	p.Allocation = append(credit.AllocationOrder{}, credit.PenaltyFirst[:11]...)
	requireField(t, p.Validate(), "allocation_order")
}
