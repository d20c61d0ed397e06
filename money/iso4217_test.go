package money_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/money"
)

func TestMinorUnitsSpotChecks(t *testing.T) {
	t.Parallel()
	// Exponents as ISO 4217 list one gives them.
	tests := []struct {
		code string
		want int32
	}{
		{"CNY", 2}, {"USD", 2}, {"EUR", 2}, {"GBP", 2}, {"HKD", 2}, {"CHF", 2},
		{"JPY", 0}, {"KRW", 0}, {"VND", 0}, {"ISK", 0}, {"CLP", 0}, {"PYG", 0},
		{"UGX", 0}, {"XAF", 0}, {"XOF", 0}, {"XPF", 0}, {"UYI", 0}, {"BIF", 0},
		{"BHD", 3}, {"IQD", 3}, {"JOD", 3}, {"KWD", 3}, {"LYD", 3}, {"OMR", 3}, {"TND", 3},
		{"CLF", 4}, {"UYW", 4},
		{"ZWG", 2}, {"SLE", 2}, {"XCG", 2}, {"VED", 2}, {"VES", 2}, {"MRU", 2}, {"MGA", 2},
	}
	for _, tt := range tests {
		t.Run(tt.code, func(t *testing.T) {
			t.Parallel()
			c, err := money.ParseCurrency(tt.code)
			require.NoError(t, err)
			require.Equal(t, tt.want, c.MinorUnits())
		})
	}
}

func TestParseCurrencyRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, code string
	}{
		{"empty", ""},
		{"lower case", "cny"},
		{"mixed case", "Usd"},
		{"two letters", "US"},
		{"four letters", "USDT"},
		{"padded", " USD"},
		{"digits", "840"},
		{"unknown", "ABC"},
		{"withdrawn HRK", "HRK"},
		{"withdrawn SLL", "SLL"},
		{"withdrawn ZWL", "ZWL"},
		{"withdrawn CUC", "CUC"},
		{"replaced ANG", "ANG"},
		{"no minor unit XAU", "XAU"},
		{"no minor unit XDR", "XDR"},
		{"no minor unit XBA", "XBA"},
		{"testing code XTS", "XTS"},
		{"no currency XXX", "XXX"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := money.ParseCurrency(tt.code)
			require.ErrorIs(t, err, money.ErrUnknownCurrency)
			require.Empty(t, c)
			require.False(t, money.Currency(tt.code).Valid())
		})
	}
}

func TestCurrenciesAreThreeUpperCaseLetters(t *testing.T) {
	t.Parallel()
	all := money.Currencies()
	// List one of 2025-05-12 has 179 distinct codes; 13 have no minor unit.
	require.Len(t, all, 166)
	for i, c := range all {
		require.Len(t, string(c), 3, c)
		for _, r := range string(c) {
			require.True(t, r >= 'A' && r <= 'Z', "code %q", c)
		}
		require.True(t, c.Valid(), c)
		require.Contains(t, []int32{0, 2, 3, 4}, c.MinorUnits(), c)
		if i > 0 {
			require.Less(t, all[i-1], c, "sorted and without duplicates")
		}
	}
}

func TestCurrencyTextAndSQL(t *testing.T) {
	t.Parallel()
	var c money.Currency
	require.NoError(t, c.UnmarshalText([]byte("JPY")))
	require.Equal(t, money.JPY, c)
	require.ErrorIs(t, c.UnmarshalText([]byte("jpy")), money.ErrUnknownCurrency)
	require.Equal(t, money.JPY, c, "a failed unmarshal leaves the value")

	text, err := money.BHD.MarshalText()
	require.NoError(t, err)
	require.Equal(t, "BHD", string(text))
	_, err = money.Currency("XAU").MarshalText()
	require.ErrorIs(t, err, money.ErrUnknownCurrency)

	v, err := money.EUR.Value()
	require.NoError(t, err)
	require.Equal(t, "EUR", v)
	_, err = money.Currency("").Value()
	require.ErrorIs(t, err, money.ErrUnknownCurrency)

	require.NoError(t, c.Scan([]byte("GBP")))
	require.Equal(t, money.GBP, c)
	require.NoError(t, c.Scan("HKD "), "CHAR(3) padding is trimmed")
	require.Equal(t, money.HKD, c)
	require.ErrorIs(t, c.Scan(int64(840)), money.ErrUnknownCurrency)
	require.ErrorIs(t, c.Scan(nil), money.ErrUnknownCurrency)
	require.ErrorIs(t, c.Scan("usd"), money.ErrUnknownCurrency)
	require.Equal(t, money.HKD, c)
}
