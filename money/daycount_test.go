package money_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/money"
)

// date is a CivilDate for tests; time.Time works the same way.
type date struct {
	y int
	m time.Month
	d int
}

func (v date) Date() (int, time.Month, int) { return v.y, v.m, v.d }

func day(s string) date {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return date{t.Year(), t.Month(), t.Day()}
}

// ratio is num/den to DayCountPrecision places: how the expectations below,
// counted by hand, are written.
func ratio(num, den int64) decimal.Decimal {
	return decimal.NewFromInt(num).DivRound(decimal.NewFromInt(den), money.DayCountPrecision)
}

func TestYearFraction(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		dc         money.DayCount
		start, end string
		days       int
		num, den   int64
	}{
		// ISDA 2006 style period 2003-11-01 .. 2004-05-01:
		// Nov 30 + Dec 31 = 61 days in 2003, Jan 31 + Feb 29 + Mar 31 + Apr 30 = 121 days in 2004.
		{"ACT/365F isda period", money.Act365Fixed, "2003-11-01", "2004-05-01", 182, 182, 365},
		{"ACT/360 isda period", money.Act360, "2003-11-01", "2004-05-01", 182, 182, 360},
		// 61/365 + 121/366 = (61*366 + 121*365) / (365*366) = 66491/133590.
		{"ACT/ACT isda period", money.ActActISDA, "2003-11-01", "2004-05-01", 182, 66491, 133590},
		// 360*(2004-2003) + 30*(5-11) + (1-1) = 180.
		{"30/360 isda period", money.Thirty360ISDA, "2003-11-01", "2004-05-01", 180, 180, 360},

		// ACT/ACT across whole years: 184 days of 2023 (Jul 1 to Jan 1), all of 2024
		// and 2025, 181 days of 2026: 184/365 + 2 + 181/365 = 3 exactly.
		{"ACT/ACT three years", money.ActActISDA, "2023-07-01", "2026-07-01", 1096, 3, 1},
		{"ACT/365F three years", money.Act365Fixed, "2023-07-01", "2026-07-01", 1096, 1096, 365},
		{"ACT/ACT leap year", money.ActActISDA, "2024-01-01", "2025-01-01", 366, 1, 1},
		{"ACT/365F leap year", money.Act365Fixed, "2024-01-01", "2025-01-01", 366, 366, 365},
		{"ACT/ACT in a leap year", money.ActActISDA, "2024-01-01", "2024-12-31", 365, 365, 366},
		{"ACT/ACT last day of a leap year", money.ActActISDA, "2024-12-31", "2025-01-01", 1, 1, 366},
		{"ACT/ACT last day of a common year", money.ActActISDA, "2025-12-31", "2026-01-01", 1, 1, 365},
		// 2023-12-01 .. 2024-03-01: 31 days of 2023 /365 + 31+29 of 2024 /366 = (31*366 + 60*365)/133590.
		{"ACT/ACT over a leap February", money.ActActISDA, "2023-12-01", "2024-03-01", 91, 31*366 + 60*365, 133590},
		{"ACT/360 across year end", money.Act360, "2025-12-15", "2026-01-15", 31, 31, 360},

		// 30/360 ISDA and the 31st: D1 31 -> 30; D2 31 -> 30 only when D1 >= 30.
		{"30/360 31st to 31st", money.Thirty360ISDA, "2026-01-31", "2026-03-31", 60, 60, 360},
		{"30/360 30th to 31st", money.Thirty360ISDA, "2026-01-30", "2026-03-31", 60, 60, 360},
		// D1 = 15 keeps D2 = 31: 30*2 + 16 = 76.
		{"30/360 15th to 31st", money.Thirty360ISDA, "2026-01-15", "2026-03-31", 76, 76, 360},
		// February's end is not adjusted under ISDA: 30*1 + (28-30) = 28.
		{"30/360 to end of February", money.Thirty360ISDA, "2026-01-30", "2026-02-28", 28, 28, 360},
		{"30/360 from end of February", money.Thirty360ISDA, "2026-02-28", "2026-03-31", 33, 33, 360},
		// 360 + 30*0 + (28-29) = 359.
		{"30/360 leap day to a year later", money.Thirty360ISDA, "2024-02-29", "2025-02-28", 359, 359, 360},
		// D1 31 -> 30: 360*1 + 30*(1-12) + (1-30) = 1.
		{"30/360 across year end", money.Thirty360ISDA, "2025-12-31", "2026-01-01", 1, 1, 360},
		{"30/360 one year", money.Thirty360ISDA, "2025-03-15", "2026-03-15", 360, 1, 1},

		{"same day", money.Act365Fixed, "2026-05-05", "2026-05-05", 0, 0, 1},
		{"same day 30/360", money.Thirty360ISDA, "2026-05-31", "2026-05-31", 0, 0, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			start, end := day(tt.start), day(tt.end)
			want := ratio(tt.num, tt.den)
			require.Equal(t, tt.days, tt.dc.Days(start, end), "days")
			got := tt.dc.YearFraction(start, end)
			require.True(t, want.Equal(got), "year fraction %s, want %s", got, want)

			// Reversed, the same period counts negative.
			require.Equal(t, -tt.days, tt.dc.Days(end, start), "reversed days")
			got = tt.dc.YearFraction(end, start)
			require.True(t, want.Neg().Equal(got), "reversed year fraction %s, want %s", got, want.Neg())

			// time.Time gives the same answer as any other CivilDate.
			ts := time.Date(start.y, start.m, start.d, 23, 0, 0, 0, time.FixedZone("UTC+8", 8*3600))
			te := time.Date(end.y, end.m, end.d, 1, 0, 0, 0, time.UTC)
			require.True(t, want.Equal(tt.dc.YearFraction(ts, te)), "with time.Time")
		})
	}
}

func TestDayCountInvalidInputGivesZero(t *testing.T) {
	t.Parallel()
	good := day("2026-01-01")
	tests := []struct {
		name       string
		dc         money.DayCount
		start, end money.CivilDate
	}{
		{"zero convention", 0, good, day("2026-02-01")},
		{"unknown convention", money.DayCount(99), good, day("2026-02-01")},
		{"nil start", money.Act360, nil, good},
		{"nil end", money.Act360, good, nil},
		{"no such day", money.Act360, good, date{2026, time.February, 30}},
		{"zero date", money.Act365Fixed, date{}, good},
		{"month 13", money.ActActISDA, good, date{2026, 13, 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Zero(t, tt.dc.Days(tt.start, tt.end))
			require.True(t, tt.dc.YearFraction(tt.start, tt.end).IsZero())
			require.True(t, money.SimpleInterest(dec("1000"), dec("0.05"), tt.dc, tt.start, tt.end).IsZero())
		})
	}
	require.True(t, money.DailyAccrual(dec("1000"), dec("0.05"), money.Act360, date{2026, 2, 30}).IsZero())
	require.True(t, money.DailyAccrual(dec("1000"), dec("0.05"), money.Act360, nil).IsZero())
}

func TestSimpleInterest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name            string
		principal, rate string
		dc              money.DayCount
		start, end      string
		want            decimal.Decimal
	}{
		// Jan 31 + Feb 28 + Mar 31 = 90 days: 10000 * 0.05 * 90/360 = 125.
		{"ACT/360 quarter", "10000", "0.05", money.Act360, "2026-01-01", "2026-04-01", dec("125")},
		{"ACT/365F year", "10000", "0.05", money.Act365Fixed, "2026-01-01", "2027-01-01", dec("500")},
		// 366/365 of a year: 10000 * 0.05 * 366/365 = 183000/365.
		{"ACT/365F leap year", "10000", "0.05", money.Act365Fixed, "2024-01-01", "2025-01-01", ratio(183000, 365)},
		{"ACT/ACT leap year", "10000", "0.05", money.ActActISDA, "2024-01-01", "2025-01-01", dec("500")},
		// 180 days 30/360: 2500.50 * 0.04 / 2 = 50.01.
		{"30/360 half year", "2500.50", "0.04", money.Thirty360ISDA, "2026-01-31", "2026-07-31", dec("50.01")},
		// One day ACT/360 on 100 at 1%: 1/360 = 0.0027777..., to 20 places, half up.
		{"not a whole cent", "100", "0.01", money.Act360, "2026-01-01", "2026-01-02", dec("0.00277777777777777778")},
		{"negative period", "10000", "0.05", money.Act360, "2026-04-01", "2026-01-01", dec("-125")},
		{"negative principal", "-10000", "0.05", money.Act360, "2026-01-01", "2026-04-01", dec("-125")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := money.SimpleInterest(dec(tt.principal), dec(tt.rate), tt.dc, day(tt.start), day(tt.end))
			require.True(t, tt.want.Equal(got), "got %s, want %s", got, tt.want)
		})
	}
}

func TestDailyAccrual(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name          string
		balance, rate string
		dc            money.DayCount
		day           string
		want          string
	}{
		// 1,000,000 * 0.0365 / 365 = 100.
		{"ACT/365F", "1000000", "0.0365", money.Act365Fixed, "2024-02-29", "100"},
		// 1,000,000 * 0.036 / 360 = 100.
		{"ACT/360", "1000000", "0.036", money.Act360, "2026-03-15", "100"},
		// In a leap year a day is 1/366: 1,000,000 * 0.0366 / 366 = 100.
		{"ACT/ACT leap year", "1000000", "0.0366", money.ActActISDA, "2024-07-01", "100"},
		// In a common year 1/365: 1,000,000 * 0.0365 / 365 = 100.
		{"ACT/ACT common year", "1000000", "0.0365", money.ActActISDA, "2026-07-01", "100"},
		// 30/360: Jan 30 -> Jan 31 is D1 30, D2 31 -> 30: no day at all ...
		{"30/360 on the 30th of a long month", "1000000", "0.036", money.Thirty360ISDA, "2026-01-30", "0"},
		// ... Jan 31 -> Feb 1 is D1 31 -> 30, D2 1: 30*1 + 1 - 30 = 1 day ...
		{"30/360 on the 31st", "1000000", "0.036", money.Thirty360ISDA, "2026-01-31", "100"},
		// ... and the 28th of a common February three days: 30 + 1 - 28 = 3.
		{"30/360 end of February", "1000000", "0.036", money.Thirty360ISDA, "2026-02-28", "300"},
		{"30/360 ordinary day", "1000000", "0.036", money.Thirty360ISDA, "2026-02-10", "100"},
		{"negative balance", "-1000000", "0.036", money.Act360, "2026-03-15", "-100"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := money.DailyAccrual(dec(tt.balance), dec(tt.rate), tt.dc, day(tt.day))
			require.True(t, dec(tt.want).Equal(got), "got %s, want %s", got, tt.want)
		})
	}
}

// TestDailyAccrualsAddUpForActualConventions: under the ACT conventions a
// period's interest is the sum of its days' accruals.
func TestDailyAccrualsAddUpForActualConventions(t *testing.T) {
	t.Parallel()
	balance, rate := dec("1000000"), dec("0.0365")
	start := time.Date(2023, time.December, 1, 0, 0, 0, 0, time.UTC)
	end := time.Date(2024, time.March, 1, 0, 0, 0, 0, time.UTC)
	for _, dc := range []money.DayCount{money.Act365Fixed, money.Act360, money.ActActISDA} {
		sum := decimal.Zero
		for d := start; d.Before(end); d = d.AddDate(0, 0, 1) {
			sum = sum.Add(money.DailyAccrual(balance, rate, dc, d))
		}
		whole := money.SimpleInterest(balance, rate, dc, start, end)
		// 91 accruals, each within half a unit of the 20th place.
		require.True(t, sum.Sub(whole).Abs().LessThanOrEqual(decimal.New(91, -money.DayCountPrecision)),
			"%s: days sum to %s, period gives %s", dc, sum, whole)
	}
}

func TestDayCountNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		dc   money.DayCount
		name string
	}{
		{money.Act365Fixed, "ACT/365F"},
		{money.Act360, "ACT/360"},
		{money.Thirty360ISDA, "30/360"},
		{money.ActActISDA, "ACT/ACT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			require.Equal(t, tt.name, tt.dc.String())
			require.True(t, tt.dc.Valid())
			for _, spelling := range []string{tt.name, strings.ToLower(tt.name)} {
				got, err := money.ParseDayCount(spelling)
				require.NoError(t, err)
				require.Equal(t, tt.dc, got)
			}
			text, err := tt.dc.MarshalText()
			require.NoError(t, err)
			require.Equal(t, tt.name, string(text))
			var back money.DayCount
			require.NoError(t, back.UnmarshalText(text))
			require.Equal(t, tt.dc, back)
		})
	}
}

func TestDayCountRefuses(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"", "ACT/365", "ACT/365 FIXED", "30E/360", "actual", " ACT/360"} {
		_, err := money.ParseDayCount(name)
		require.ErrorIs(t, err, money.ErrUnknownDayCount, "%q", name)
	}
	var zero money.DayCount
	require.False(t, zero.Valid(), "a product must choose its convention")
	require.Equal(t, "DayCount(0)", zero.String())
	_, err := zero.MarshalText()
	require.ErrorIs(t, err, money.ErrUnknownDayCount)

	dc := money.Act360
	require.ErrorIs(t, dc.UnmarshalText([]byte("ACT/999")), money.ErrUnknownDayCount)
	require.Equal(t, money.Act360, dc, "a failed unmarshal changes nothing")
}

func TestDayCountInJSON(t *testing.T) {
	t.Parallel()
	type product struct {
		DayCount money.DayCount `json:"day_count"`
	}
	b, err := json.Marshal(product{money.Thirty360ISDA})
	require.NoError(t, err)
	require.JSONEq(t, `{"day_count":"30/360"}`, string(b))
	var p product
	require.NoError(t, json.Unmarshal([]byte(`{"day_count":"ACT/ACT"}`), &p))
	require.Equal(t, money.ActActISDA, p.DayCount)
	require.ErrorIs(t, json.Unmarshal([]byte(`{"day_count":"365"}`), &p), money.ErrUnknownDayCount)
}
