package calendar_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
)

func d(s string) calendar.Date { return calendar.MustParseDate(s) }

func TestNewDate(t *testing.T) {
	t.Parallel()
	tests := []struct {
		y     int
		m     time.Month
		day   int
		valid bool
	}{
		{2026, time.January, 31, true},
		{2024, time.February, 29, true},  // divisible by 4
		{2000, time.February, 29, true},  // divisible by 400
		{1900, time.February, 29, false}, // divisible by 100, not 400
		{2026, time.February, 29, false},
		{2026, time.April, 31, false},
		{2026, time.December, 31, true},
		{1, time.January, 1, true},
		{9999, time.December, 31, true},
		{0, time.December, 31, false},
		{10000, time.January, 1, false},
		{2026, 13, 1, false},
		{2026, 0, 1, false},
		{2026, time.May, 0, false},
		{2026, time.May, -1, false},
	}
	for _, tt := range tests {
		got, err := calendar.NewDate(tt.y, tt.m, tt.day)
		if !tt.valid {
			require.ErrorIs(t, err, calendar.ErrInvalidDate, "%d-%d-%d", tt.y, tt.m, tt.day)
			require.True(t, got.IsZero())
			require.False(t, calendar.Date{Year: tt.y, Month: tt.m, Day: tt.day}.Valid())
			continue
		}
		require.NoError(t, err)
		require.Equal(t, calendar.Date{Year: tt.y, Month: tt.m, Day: tt.day}, got)
		require.True(t, got.Valid())
	}
	require.Panics(t, func() { calendar.MustDate(2026, time.February, 30) })
}

func TestParseDate(t *testing.T) {
	t.Parallel()
	good := []struct {
		in   string
		want calendar.Date
	}{
		{"2026-10-01", calendar.Date{Year: 2026, Month: time.October, Day: 1}},
		{"2024-02-29", calendar.Date{Year: 2024, Month: time.February, Day: 29}},
		{"0001-01-01", calendar.Date{Year: 1, Month: time.January, Day: 1}},
		{"9999-12-31", calendar.Date{Year: 9999, Month: time.December, Day: 31}},
	}
	for _, tt := range good {
		got, err := calendar.ParseDate(tt.in)
		require.NoError(t, err, tt.in)
		require.Equal(t, tt.want, got)
		require.Equal(t, tt.in, got.String())
	}
	for _, in := range []string{
		"", "2026-1-05", "2026-01-5", "26-01-05", "2026/01/05", "20260105", "2026-01-05T00:00:00Z",
		" 2026-01-05", "2026-01-05 ", "+026-01-05", "-026-01-05", "0000-01-01", "2026-02-29",
		"2026-13-01", "2026-00-10", "2026-01-00", "2026-04-31", "2026-O1-05", "２０26-01-05", "2026--1-05",
	} {
		got, err := calendar.ParseDate(in)
		require.ErrorIs(t, err, calendar.ErrInvalidDate, "%q", in)
		require.True(t, got.IsZero(), "%q", in)
	}
	require.Panics(t, func() { calendar.MustParseDate("2026-02-30") })
}

func TestAddMonths(t *testing.T) {
	t.Parallel()
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2026-01-31", 1, "2026-02-28"}, // month-end rule, common year
		{"2024-01-31", 1, "2024-02-29"}, // leap year
		{"2026-03-31", -1, "2026-02-28"},
		{"2024-03-31", -1, "2024-02-29"},
		{"2026-03-31", 1, "2026-04-30"},
		{"2026-02-28", 1, "2026-03-28"}, // only the day is clamped
		{"2026-08-31", 6, "2027-02-28"},
		{"2026-12-15", 1, "2027-01-15"},
		{"2026-01-15", -1, "2025-12-15"},
		{"2026-05-20", 12, "2027-05-20"},
		{"2026-05-20", -24, "2024-05-20"},
		{"2026-05-20", 0, "2026-05-20"},
		{"2024-02-29", 48, "2028-02-29"},
		{"2024-02-29", 12, "2025-02-28"},
		{"0001-02-15", -1, "0001-01-15"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, d(tt.from).AddMonths(tt.n).String(), "%s %+d months", tt.from, tt.n)
	}
	// Before year 1 the result is not Valid but is still a proper month.
	early := d("0001-01-15").AddMonths(-1)
	require.Equal(t, calendar.Date{Year: 0, Month: time.December, Day: 15}, early)
	require.False(t, early.Valid())
}

func TestAddYears(t *testing.T) {
	t.Parallel()
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2024-02-29", 1, "2025-02-28"},
		{"2024-02-29", 4, "2028-02-29"},
		{"2024-02-29", -1, "2023-02-28"},
		{"2026-10-01", 10, "2036-10-01"},
		{"2026-10-01", -26, "2000-10-01"},
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, d(tt.from).AddYears(tt.n).String(), "%s %+d years", tt.from, tt.n)
	}
}

func TestAddDaysAndDaysSince(t *testing.T) {
	t.Parallel()
	tests := []struct {
		from, to string
		days     int
	}{
		{"2026-01-01", "2026-01-01", 0},
		{"2026-12-31", "2027-01-01", 1},
		{"2024-02-28", "2024-03-01", 2}, // through the leap day
		{"2026-02-28", "2026-03-01", 1},
		{"2025-01-01", "2026-01-01", 365},
		{"2024-01-01", "2025-01-01", 366},
		// 100 years of 365 days plus the leap days 1904..1996 (24) and 2000-02-29.
		{"1900-03-01", "2000-03-01", 36525},
		// Years 1..9999 have 9999*365 + 2499 - 99 + 24 = 3652059 days.
		{"0001-01-01", "9999-12-31", 3652058},
	}
	for _, tt := range tests {
		from, to := d(tt.from), d(tt.to)
		require.Equal(t, tt.days, to.DaysSince(from), "%s since %s", tt.to, tt.from)
		require.Equal(t, -tt.days, from.DaysSince(to), "%s since %s", tt.from, tt.to)
		require.Equal(t, to, from.AddDays(tt.days), "%s + %d days", tt.from, tt.days)
		require.Equal(t, from, to.AddDays(-tt.days), "%s - %d days", tt.to, tt.days)
	}
}

func TestCompare(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want int
	}{
		{"2026-10-01", "2026-10-01", 0},
		{"2026-10-01", "2026-10-02", -1},
		{"2026-10-02", "2026-10-01", 1},
		{"2026-09-30", "2026-10-01", -1},
		{"2025-12-31", "2026-01-01", -1},
		{"2026-01-01", "2025-12-31", 1},
		{"2026-11-01", "2026-10-31", 1},
	}
	for _, tt := range tests {
		a, b := d(tt.a), d(tt.b)
		require.Equal(t, tt.want, a.Compare(b), "%s vs %s", tt.a, tt.b)
		require.Equal(t, tt.want < 0, a.Before(b))
		require.Equal(t, tt.want > 0, a.After(b))
		require.Equal(t, tt.want == 0, a == b)
	}
}

func TestWeekdayAndMonthEnd(t *testing.T) {
	t.Parallel()
	require.Equal(t, time.Thursday, d("2026-10-01").Weekday())
	require.Equal(t, time.Saturday, d("2026-10-31").Weekday())
	require.Equal(t, time.Monday, d("2024-01-01").Weekday())
	require.Equal(t, d("2024-02-29"), d("2024-02-10").EndOfMonth())
	require.Equal(t, d("2026-02-28"), d("2026-02-10").EndOfMonth())
	require.True(t, d("2026-04-30").IsEndOfMonth())
	require.False(t, d("2024-02-28").IsEndOfMonth())
	require.True(t, calendar.IsLeapYear(2000))
	require.False(t, calendar.IsLeapYear(2100))
}

func TestDateOfAndIn(t *testing.T) {
	t.Parallel()
	shanghai := time.FixedZone("UTC+8", 8*3600)
	instant := time.Date(2026, time.September, 30, 17, 30, 0, 0, time.UTC)
	require.Equal(t, d("2026-09-30"), calendar.DateOf(instant))
	require.Equal(t, d("2026-10-01"), calendar.DateOf(instant.In(shanghai)))
	midnight := d("2026-10-01").In(shanghai)
	require.Equal(t, "2026-10-01T00:00:00+08:00", midnight.Format(time.RFC3339))
	y, m, day := d("2026-10-01").Date()
	require.Equal(t, []int{2026, 10, 1}, []int{y, int(m), day})
}
