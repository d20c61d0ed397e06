package credit_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/credit"
)

// A borrower owes, overdue, 30.00 of penalty, 50.00 of late fee, 400.00 of
// interest and 8,000.00 of principal, and pays 1,000.00.
//   - penalty first: 30 + 50 + 400 settle the costs, 520.00 goes to
//     principal;
//   - interest first: 400 of interest, then 600.00 of principal; the
//     penalty and fee stay unpaid.
//
// Paying 9,000.00 settles everything overdue (8,480.00) and the
// 520.00 left is an overpayment for the caller to hold as advance.
func TestAllocate(t *testing.T) {
	t.Parallel()
	owed := credit.Owed{
		{Stage: credit.Overdue, Component: credit.Penalty}:   cny("30.00"),
		{Stage: credit.Overdue, Component: credit.FeePart}:   cny("50.00"),
		{Stage: credit.Overdue, Component: credit.Interest}:  cny("400.00"),
		{Stage: credit.Overdue, Component: credit.Principal}: cny("8000.00"),
	}
	got, left, err := credit.PenaltyFirst.Allocate(cny("1000.00"), owed)
	require.NoError(t, err)
	require.True(t, left.IsZero())
	require.Equal(t, "520.00", got[credit.Bucket{Stage: credit.Overdue, Component: credit.Principal}].ValueString())
	require.Equal(t, "30.00", got[credit.Bucket{Stage: credit.Overdue, Component: credit.Penalty}].ValueString())

	got, _, err = credit.InterestFirst.Allocate(cny("1000.00"), owed)
	require.NoError(t, err)
	require.Equal(t, "400.00", got[credit.Bucket{Stage: credit.Overdue, Component: credit.Interest}].ValueString())
	require.Equal(t, "600.00", got[credit.Bucket{Stage: credit.Overdue, Component: credit.Principal}].ValueString())
	require.NotContains(t, got, credit.Bucket{Stage: credit.Overdue, Component: credit.Penalty})

	_, left, err = credit.InterestFirst.Allocate(cny("9000.00"), owed)
	require.NoError(t, err)
	require.Equal(t, "520.00", left.ValueString())

	_, _, err = credit.PenaltyFirst.Allocate(cny("-1.00"), owed)
	requireField(t, err, "payment")
	_, _, err = credit.PenaltyFirst.Allocate(cny("1.00"), credit.Owed{{Stage: credit.Due, Component: credit.Interest}: cny("-1.00")})
	requireField(t, err, "owed.due.interest")
	_, _, err = credit.AllocationOrder{}.Allocate(cny("1.00"), owed)
	requireField(t, err, "allocation_order")
}
