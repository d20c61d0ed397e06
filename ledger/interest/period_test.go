package interest_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger/interest"
)

// endsOn says, without the package's help, whether d ends a period: the
// next day starts a new month, and that month starts a period of the
// given length in months.
func endsOn(months int, d calendar.Date) bool {
	next := d.AddDays(1)
	return next.Day == 1 && (int(next.Month)-1)%months == 0
}

func TestIsPeriodEndOverTwoYears(t *testing.T) {
	t.Parallel()
	lengths := map[interest.Period]int{interest.Monthly: 1, interest.Quarterly: 3, interest.SemiAnnual: 6, interest.Annual: 12}
	counts := map[interest.Period]int{}
	for d := day("2027-01-01"); d.Year < 2029; d = d.AddDays(1) { // 2028 is a leap year
		require.True(t, interest.IsPeriodEnd(interest.Daily, d, calendar.Date{}))
		for p, months := range lengths {
			got := interest.IsPeriodEnd(p, d, calendar.Date{})
			require.Equal(t, endsOn(months, d), got, "%s on %s", p, d)
			if got {
				counts[p]++
			}
		}
	}
	require.Equal(t, map[interest.Period]int{interest.Monthly: 24, interest.Quarterly: 8, interest.SemiAnnual: 4, interest.Annual: 2}, counts)
	require.True(t, interest.IsPeriodEnd(interest.Monthly, day("2028-02-29"), calendar.Date{}))
	require.False(t, interest.IsPeriodEnd(interest.Monthly, day("2028-02-28"), calendar.Date{}))
}

func TestAtMaturityEndsOnlyOnTheAnchor(t *testing.T) {
	t.Parallel()
	maturity := day("2027-07-15")
	require.True(t, interest.IsPeriodEnd(interest.AtMaturity, maturity, maturity))
	require.False(t, interest.IsPeriodEnd(interest.AtMaturity, day("2027-07-31"), maturity))
	require.False(t, interest.IsPeriodEnd(interest.AtMaturity, maturity, calendar.Date{}))
	require.False(t, interest.IsPeriodEnd(0, day("2027-12-31"), calendar.Date{}))
	require.False(t, interest.IsPeriodEnd(interest.Daily, calendar.Date{Year: 2027, Month: time.February, Day: 29}, calendar.Date{}))
}

func TestNextPeriodEnd(t *testing.T) {
	t.Parallel()
	// For every day and period: the result is a period end, not before the
	// day, with no period end in between.
	for _, p := range []interest.Period{interest.Daily, interest.Monthly, interest.Quarterly, interest.SemiAnnual, interest.Annual} {
		for d := day("2027-01-01"); d.Year < 2029; d = d.AddDays(1) {
			end, err := interest.NextPeriodEnd(p, d, calendar.Date{})
			require.NoError(t, err)
			require.True(t, interest.IsPeriodEnd(p, end, calendar.Date{}), "%s from %s gave %s", p, d, end)
			require.False(t, end.Before(d))
			for between := d; between.Before(end); between = between.AddDays(1) {
				require.False(t, interest.IsPeriodEnd(p, between, calendar.Date{}), "%s: %s ends before %s", p, between, end)
			}
		}
	}
	tests := []struct {
		p    interest.Period
		d    string
		want string
	}{
		{interest.Monthly, "2028-02-10", "2028-02-29"},
		{interest.Quarterly, "2027-05-31", "2027-06-30"},
		{interest.SemiAnnual, "2027-07-01", "2027-12-31"},
		{interest.Annual, "2027-12-31", "2027-12-31"},
	}
	for _, tt := range tests {
		got, err := interest.NextPeriodEnd(tt.p, day(tt.d), calendar.Date{})
		require.NoError(t, err)
		require.Equal(t, day(tt.want), got, "%s from %s", tt.p, tt.d)
	}

	got, err := interest.NextPeriodEnd(interest.AtMaturity, day("2027-01-01"), day("2027-07-15"))
	require.NoError(t, err)
	require.Equal(t, day("2027-07-15"), got)
	for _, bad := range []struct {
		p         interest.Period
		d, anchor calendar.Date
	}{
		{interest.AtMaturity, day("2027-01-01"), calendar.Date{}},
		{interest.AtMaturity, day("2027-08-01"), day("2027-07-15")},
		{0, day("2027-01-01"), calendar.Date{}},
		{interest.Monthly, calendar.Date{Year: 2027, Month: 4, Day: 31}, calendar.Date{}},
	} {
		_, err := interest.NextPeriodEnd(bad.p, bad.d, bad.anchor)
		require.ErrorIs(t, err, interest.ErrInvalidInput, "%s %s %s", bad.p, bad.d, bad.anchor)
	}
}
