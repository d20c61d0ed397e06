package calendar_test

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
)

func FuzzParseDate(f *testing.F) {
	for _, seed := range []string{
		"2026-10-01", "2024-02-29", "2023-02-29", "0001-01-01", "9999-12-31", "0000-01-01",
		"2026-1-01", "2026-01-01T00:00:00Z", "+026-01-01", "", "2026-13-01", "9999-99-99",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := calendar.ParseDate(s)
		if err != nil {
			require.True(t, errors.Is(err, calendar.ErrInvalidDate), "%v", err)
			require.True(t, got.IsZero())
			return
		}
		require.True(t, got.Valid())
		require.Equal(t, s, got.String(), "success implies String round-trips")
		b, err := got.MarshalJSON()
		require.NoError(t, err)
		var back calendar.Date
		require.NoError(t, back.UnmarshalJSON(b))
		require.Equal(t, got, back)
	})
}
