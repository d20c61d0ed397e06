package calendar_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
)

func TestDateJSON(t *testing.T) {
	t.Parallel()
	type loan struct {
		Start    calendar.Date `json:"start"`
		Maturity calendar.Date `json:"maturity"`
	}
	b, err := json.Marshal(loan{Start: d("2026-10-08")})
	require.NoError(t, err)
	require.JSONEq(t, `{"start":"2026-10-08","maturity":null}`, string(b), "the zero Date is null")

	var back loan
	require.NoError(t, json.Unmarshal(b, &back))
	require.Equal(t, d("2026-10-08"), back.Start)
	require.True(t, back.Maturity.IsZero())

	_, err = json.Marshal(calendar.Date{Year: 2026, Month: 2, Day: 30})
	require.ErrorIs(t, err, calendar.ErrInvalidDate)
}

func TestDateUnmarshalJSONRefuses(t *testing.T) {
	t.Parallel()
	for _, in := range []string{
		`"2026-1-8"`, `"2026-02-30"`, `"2026-10-08T00:00:00Z"`, `20261008`, `"20261008"`,
		`""`, `"`, `true`, `{}`, `["2026-10-08"]`, `'2026-10-08'`,
	} {
		got := d("2000-01-01")
		err := json.Unmarshal([]byte(`{"x":`+in+`}`), &struct {
			X *calendar.Date `json:"x"`
		}{X: &got})
		require.Error(t, err, in)
		require.ErrorIs(t, got.UnmarshalJSON([]byte(in)), calendar.ErrInvalidDate, in)
		require.Equal(t, d("2000-01-01"), got, "%s: a failed unmarshal changes nothing", in)
	}
}

func TestDateText(t *testing.T) {
	t.Parallel()
	text, err := d("2026-10-01").MarshalText()
	require.NoError(t, err)
	require.Equal(t, "2026-10-01", string(text))
	text, err = calendar.Date{}.MarshalText()
	require.NoError(t, err)
	require.Empty(t, text)
	_, err = calendar.Date{Year: 2026, Month: 13, Day: 1}.MarshalText()
	require.ErrorIs(t, err, calendar.ErrInvalidDate)

	var got calendar.Date
	require.NoError(t, got.UnmarshalText([]byte("2024-02-29")))
	require.Equal(t, d("2024-02-29"), got)
	require.ErrorIs(t, got.UnmarshalText([]byte("2023-02-29")), calendar.ErrInvalidDate)
	require.Equal(t, d("2024-02-29"), got)
	require.NoError(t, got.UnmarshalText(nil))
	require.True(t, got.IsZero())

	// As a map key, JSON uses the text form.
	b, err := json.Marshal(map[calendar.Date]int{d("2026-10-01"): 7})
	require.NoError(t, err)
	require.JSONEq(t, `{"2026-10-01":7}`, string(b))
}
