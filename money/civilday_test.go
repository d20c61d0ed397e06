package money

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// TestDayNumbersMatchTimePackage checks the integer day arithmetic against
// the standard library for every day of years 1..9999.
func TestDayNumbersMatchTimePackage(t *testing.T) {
	t.Parallel()
	first := time.Date(1, time.January, 1, 0, 0, 0, 0, time.UTC).Unix() / 86400
	last := time.Date(9999, time.December, 31, 0, 0, 0, 0, time.UTC).Unix() / 86400
	for want := first; want <= last; want++ {
		day := time.Unix(want*86400, 0).UTC()
		n, ok := civilDays(day)
		if !ok || n != want {
			require.Equal(t, want, n, "day number of %s", day.Format(time.DateOnly))
		}
		y, m, d := civilFromDays(n).Date()
		if y != day.Year() || m != day.Month() || d != day.Day() {
			require.Equal(t, day.Format(time.DateOnly), time.Date(y, m, d, 0, 0, 0, 0, time.UTC).Format(time.DateOnly))
		}
	}
}

type ymd struct {
	y int
	m time.Month
	d int
}

func (v ymd) Date() (int, time.Month, int) { return v.y, v.m, v.d }

func TestCivilDaysRefusesInvalidDates(t *testing.T) {
	t.Parallel()
	for _, d := range []CivilDate{
		nil,
		ymd{},
		ymd{2026, 2, 29},
		ymd{2024, 2, 30},
		ymd{2026, 4, 31},
		ymd{2026, 13, 1},
		ymd{2026, 0, 1},
		ymd{2026, 1, 0},
		ymd{0, 1, 1},
		ymd{10000, 1, 1},
	} {
		_, ok := civilDays(d)
		require.False(t, ok, "%v", d)
	}
	_, ok := civilDays(ymd{2024, 2, 29})
	require.True(t, ok)
}
