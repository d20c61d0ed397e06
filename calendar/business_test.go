package calendar_test

import (
	"encoding/json"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
)

// nationalDay2026 is a test schedule in the style of mainland China's: the
// National Day week Thursday 2026-10-01 .. Wednesday 10-07 off, made up by
// working Sunday 09-27 and Saturday 10-10.
//
//	Sep 26 Sat  off (weekend)      Oct 08 Thu  work
//	Sep 27 Sun  work (make-up)     Oct 09 Fri  work
//	Sep 28-30   work (Mon-Wed)     Oct 10 Sat  work (make-up)
//	Oct 01-07   off (holiday)      Oct 11 Sun  off (weekend)
func nationalDay2026(t *testing.T) *calendar.BusinessCalendar {
	t.Helper()
	var holidays []calendar.Date
	for day := d("2026-10-01"); !day.After(d("2026-10-07")); day = day.AddDays(1) {
		holidays = append(holidays, day)
	}
	c, err := calendar.NewBusinessCalendar(
		calendar.WithHolidays(holidays...),
		calendar.WithWorkingDays(d("2026-09-27"), d("2026-10-10")),
	)
	require.NoError(t, err)
	return c
}

func TestIsBusinessDay(t *testing.T) {
	t.Parallel()
	c := nationalDay2026(t)
	tests := []struct {
		day  string
		want bool
	}{
		{"2026-09-25", true},  // Friday
		{"2026-09-26", false}, // Saturday
		{"2026-09-27", true},  // make-up Sunday
		{"2026-09-30", true},
		{"2026-10-01", false}, // holiday on a Thursday
		{"2026-10-03", false}, // holiday on a Saturday
		{"2026-10-07", false},
		{"2026-10-08", true},
		{"2026-10-10", true},  // make-up Saturday
		{"2026-10-11", false}, // Sunday
		{"2026-10-17", false}, // an ordinary Saturday
	}
	for _, tt := range tests {
		require.Equal(t, tt.want, c.IsBusinessDay(d(tt.day)), tt.day)
	}
	require.False(t, c.IsBusinessDay(calendar.Date{}), "the zero Date is not a business day")
	require.False(t, c.IsBusinessDay(calendar.Date{Year: 2026, Month: 2, Day: 30}))
}

func TestNextAndPreviousBusinessDay(t *testing.T) {
	t.Parallel()
	c := nationalDay2026(t)
	tests := []struct {
		day, next, previous string
	}{
		{"2026-09-25", "2026-09-27", "2026-09-24"}, // Friday -> make-up Sunday
		{"2026-09-27", "2026-09-28", "2026-09-25"},
		{"2026-09-30", "2026-10-08", "2026-09-29"}, // over the whole holiday week
		{"2026-10-03", "2026-10-08", "2026-09-30"},
		{"2026-10-08", "2026-10-09", "2026-09-30"},
		{"2026-10-09", "2026-10-10", "2026-10-08"},
		{"2026-10-10", "2026-10-12", "2026-10-09"}, // strictly after/before: never d itself
	}
	for _, tt := range tests {
		next, err := c.NextBusinessDay(d(tt.day))
		require.NoError(t, err)
		require.Equal(t, tt.next, next.String(), "next after %s", tt.day)
		prev, err := c.PreviousBusinessDay(d(tt.day))
		require.NoError(t, err)
		require.Equal(t, tt.previous, prev.String(), "previous before %s", tt.day)
	}
}

func TestAddBusinessDays(t *testing.T) {
	t.Parallel()
	c := nationalDay2026(t)
	tests := []struct {
		from string
		n    int
		want string
	}{
		{"2026-09-29", 3, "2026-10-09"},  // Sep 30, Oct 8, Oct 9
		{"2026-09-30", 4, "2026-10-12"},  // Oct 8, 9, 10 (make-up), 12
		{"2026-10-08", -2, "2026-09-29"}, // Sep 30, Sep 29
		{"2026-10-04", 1, "2026-10-08"},  // from a holiday
		{"2026-10-04", -1, "2026-09-30"},
		{"2026-10-04", 0, "2026-10-04"}, // zero leaves even a holiday alone
		{"2026-09-28", -1, "2026-09-27"},
		{"2026-09-28", -2, "2026-09-25"},
	}
	for _, tt := range tests {
		got, err := c.AddBusinessDays(d(tt.from), tt.n)
		require.NoError(t, err)
		require.Equal(t, tt.want, got.String(), "%s %+d business days", tt.from, tt.n)
	}
}

func TestBusinessDaysBetween(t *testing.T) {
	t.Parallel()
	c := nationalDay2026(t)
	tests := []struct {
		from, to string
		want     int
	}{
		{"2026-09-28", "2026-10-12", 6}, // Sep 28, 29, 30, Oct 8, 9, 10
		{"2026-10-12", "2026-09-28", -6},
		{"2026-10-01", "2026-10-08", 0}, // the holiday week; Oct 8 excluded
		{"2026-10-01", "2026-10-09", 1},
		{"2026-09-26", "2026-09-28", 1}, // the make-up Sunday
		{"2026-10-08", "2026-10-08", 0},
	}
	for _, tt := range tests {
		got, err := c.BusinessDaysBetween(d(tt.from), d(tt.to))
		require.NoError(t, err)
		require.Equal(t, tt.want, got, "%s .. %s", tt.from, tt.to)
	}
}

// TestBusinessDaysBetweenInvertsAddBusinessDays checks the documented link
// between the two on every pair of business days in September-October.
func TestBusinessDaysBetweenInvertsAddBusinessDays(t *testing.T) {
	t.Parallel()
	c := nationalDay2026(t)
	var days []calendar.Date
	for day := d("2026-09-01"); day.Before(d("2026-11-01")); day = day.AddDays(1) {
		if c.IsBusinessDay(day) {
			days = append(days, day)
		}
	}
	for i, from := range days {
		for j, to := range days {
			n, err := c.BusinessDaysBetween(from, to)
			require.NoError(t, err)
			require.Equal(t, j-i, n, "%s .. %s", from, to)
			got, err := c.AddBusinessDays(from, n)
			require.NoError(t, err)
			require.Equal(t, to, got, "%s %+d", from, n)
		}
	}
}

func TestAdjust(t *testing.T) {
	t.Parallel()
	c := nationalDay2026(t)
	tests := []struct {
		day                     string
		following, modFollowing string
		preceding, modPreceding string
	}{
		// A holiday mid-month: both directions stay in October, except that
		// preceding from Oct 3 lands in September, so modified preceding
		// goes forward instead.
		{"2026-10-03", "2026-10-08", "2026-10-08", "2026-09-30", "2026-10-08"},
		// A plain Saturday at month end: following leaves October, so
		// modified following goes back to Friday.
		{"2026-10-31", "2026-11-02", "2026-10-30", "2026-10-30", "2026-10-30"},
		// A Sunday at the start of a month: preceding leaves November.
		{"2026-11-01", "2026-11-02", "2026-11-02", "2026-10-30", "2026-11-02"},
		// A business day never moves.
		{"2026-10-10", "2026-10-10", "2026-10-10", "2026-10-10", "2026-10-10"},
	}
	for _, tt := range tests {
		for conv, want := range map[calendar.Adjustment]string{
			calendar.Unadjusted:        tt.day,
			calendar.Following:         tt.following,
			calendar.ModifiedFollowing: tt.modFollowing,
			calendar.Preceding:         tt.preceding,
			calendar.ModifiedPreceding: tt.modPreceding,
		} {
			got, err := c.Adjust(d(tt.day), conv)
			require.NoError(t, err)
			require.Equal(t, want, got.String(), "%s %s", tt.day, conv)
		}
	}
}

func TestBusinessCalendarRefusesBadInput(t *testing.T) {
	t.Parallel()
	c := nationalDay2026(t)
	bad := calendar.Date{Year: 2026, Month: 2, Day: 30}

	_, err := c.NextBusinessDay(bad)
	require.ErrorIs(t, err, calendar.ErrInvalidDate)
	_, err = c.PreviousBusinessDay(calendar.Date{})
	require.ErrorIs(t, err, calendar.ErrInvalidDate)
	_, err = c.AddBusinessDays(bad, 1)
	require.ErrorIs(t, err, calendar.ErrInvalidDate)
	_, err = c.BusinessDaysBetween(bad, d("2026-10-01"))
	require.ErrorIs(t, err, calendar.ErrInvalidDate)
	_, err = c.BusinessDaysBetween(d("2026-10-01"), bad)
	require.ErrorIs(t, err, calendar.ErrInvalidDate)
	_, err = c.Adjust(bad, calendar.Following)
	require.ErrorIs(t, err, calendar.ErrInvalidDate)
	_, err = c.Adjust(d("2026-10-01"), calendar.Adjustment(99))
	require.ErrorIs(t, err, calendar.ErrInvalidAdjustment)

	// The ends of the supported range.
	_, err = c.NextBusinessDay(d("9999-12-31"))
	require.ErrorIs(t, err, calendar.ErrInvalidDate)
	_, err = c.PreviousBusinessDay(d("0001-01-01"))
	require.ErrorIs(t, err, calendar.ErrInvalidDate)
	_, err = c.AddBusinessDays(d("9999-12-01"), 100)
	require.ErrorIs(t, err, calendar.ErrInvalidDate)
}

func TestNewBusinessCalendarRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts []calendar.Option
		want error
	}{
		{"invalid holiday", []calendar.Option{calendar.WithHolidays(calendar.Date{Year: 2026, Month: 2, Day: 29})}, calendar.ErrInvalidDate},
		{"zero working day", []calendar.Option{calendar.WithWorkingDays(calendar.Date{})}, calendar.ErrInvalidDate},
		{"working day on a weekday", []calendar.Option{calendar.WithWorkingDays(d("2026-10-08"))}, calendar.ErrInvalidCalendar},
		{"holiday and working day", []calendar.Option{
			calendar.WithHolidays(d("2026-09-27")), calendar.WithWorkingDays(d("2026-09-27")),
		}, calendar.ErrInvalidCalendar},
		{"all week off", []calendar.Option{calendar.WithWeekend(
			time.Sunday, time.Monday, time.Tuesday, time.Wednesday, time.Thursday, time.Friday, time.Saturday,
		)}, calendar.ErrInvalidCalendar},
		{"no such weekday", []calendar.Option{calendar.WithWeekend(time.Weekday(7))}, calendar.ErrInvalidCalendar},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := calendar.NewBusinessCalendar(tt.opts...)
			require.ErrorIs(t, err, tt.want)
			require.Nil(t, c)
		})
	}
}

func TestWeekends(t *testing.T) {
	t.Parallel()
	plain, err := calendar.NewBusinessCalendar()
	require.NoError(t, err)
	require.False(t, plain.IsBusinessDay(d("2026-10-03")), "Saturday by default")
	require.False(t, plain.IsBusinessDay(d("2026-10-04")), "Sunday by default")
	require.True(t, plain.IsBusinessDay(d("2026-10-01")), "no holidays by default")

	// A Friday-Saturday weekend: Thursday's next business day is Sunday.
	gulf, err := calendar.NewBusinessCalendar(calendar.WithWeekend(time.Friday, time.Saturday))
	require.NoError(t, err)
	next, err := gulf.NextBusinessDay(d("2026-10-01"))
	require.NoError(t, err)
	require.Equal(t, d("2026-10-04"), next)

	// No weekend at all.
	always, err := calendar.NewBusinessCalendar(calendar.WithWeekend())
	require.NoError(t, err)
	require.True(t, always.IsBusinessDay(d("2026-10-03")))
}

func TestBusinessCalendarConcurrentReads(t *testing.T) {
	t.Parallel()
	c := nationalDay2026(t)
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 200 {
				got, err := c.Adjust(d("2026-10-03"), calendar.ModifiedFollowing)
				if err != nil || got != d("2026-10-08") {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("concurrent Adjust: %v", err)
	}
}

func TestAdjustmentNames(t *testing.T) {
	t.Parallel()
	for a, name := range map[calendar.Adjustment]string{
		calendar.Unadjusted:        "unadjusted",
		calendar.Following:         "following",
		calendar.ModifiedFollowing: "modified_following",
		calendar.Preceding:         "preceding",
		calendar.ModifiedPreceding: "modified_preceding",
	} {
		require.Equal(t, name, a.String())
		parsed, err := calendar.ParseAdjustment(name)
		require.NoError(t, err)
		require.Equal(t, a, parsed)
	}
	_, err := calendar.ParseAdjustment("Following")
	require.ErrorIs(t, err, calendar.ErrInvalidAdjustment)
	require.Equal(t, "Adjustment(-1)", calendar.Adjustment(-1).String())

	type product struct {
		Roll calendar.Adjustment `json:"roll"`
	}
	b, err := json.Marshal(product{calendar.ModifiedFollowing})
	require.NoError(t, err)
	require.JSONEq(t, `{"roll":"modified_following"}`, string(b))
	var p product
	require.NoError(t, json.Unmarshal(b, &p))
	require.Equal(t, calendar.ModifiedFollowing, p.Roll)
	require.ErrorIs(t, json.Unmarshal([]byte(`{"roll":"mf"}`), &p), calendar.ErrInvalidAdjustment)
	_, err = json.Marshal(product{calendar.Adjustment(42)})
	require.ErrorIs(t, err, calendar.ErrInvalidAdjustment)
}
