package money_test

import (
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/money"
)

func dec(s string) decimal.Decimal { return decimal.RequireFromString(s) }

func TestParseAccepts(t *testing.T) {
	t.Parallel()
	tests := []struct {
		value, currency string
		wantValue       string // ValueString, with the currency's places
	}{
		{"1234.50", "CNY", "1234.50"},
		{"1234.5", "CNY", "1234.50"},
		{"0", "CNY", "0.00"},
		{"-3", "CNY", "-3.00"},
		{"+7.01", "USD", "7.01"},
		{"007.10", "EUR", "7.10"},
		{"1000", "JPY", "1000"},
		{"-1", "JPY", "-1"},
		{"0.125", "BHD", "0.125"},
		{"1.0001", "CLF", "1.0001"},
		{"99999999999999999999999.99", "CNY", "99999999999999999999999.99"},
	}
	for _, tt := range tests {
		t.Run(tt.value+" "+tt.currency, func(t *testing.T) {
			t.Parallel()
			m, err := money.Parse(tt.value, tt.currency)
			require.NoError(t, err)
			require.Equal(t, money.Currency(tt.currency), m.Currency)
			require.True(t, m.Amount.Equal(dec(tt.value)), "amount %s", m.Amount)
			require.Equal(t, tt.wantValue, m.ValueString())
			require.Equal(t, tt.wantValue+" "+tt.currency, m.String())
			require.True(t, m.Valid())
		})
	}
}

func TestParseRefuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, value, currency string
		want                  error
	}{
		{"exponent", "1e3", "CNY", money.ErrInvalidAmount},
		{"upper exponent", "1E3", "CNY", money.ErrInvalidAmount},
		{"leading space", " 1", "CNY", money.ErrInvalidAmount},
		{"trailing space", "1 ", "CNY", money.ErrInvalidAmount},
		{"trailing point", "1.", "CNY", money.ErrInvalidAmount},
		{"leading point", ".5", "CNY", money.ErrInvalidAmount},
		{"two signs", "+-1", "CNY", money.ErrInvalidAmount},
		{"minus plus", "-+1", "CNY", money.ErrInvalidAmount},
		{"double minus", "--1", "CNY", money.ErrInvalidAmount},
		{"thousands separator", "1,000", "CNY", money.ErrInvalidAmount},
		{"decimal comma", "1,5", "EUR", money.ErrInvalidAmount},
		{"NaN", "NaN", "CNY", money.ErrInvalidAmount},
		{"Inf", "Inf", "CNY", money.ErrInvalidAmount},
		{"empty", "", "CNY", money.ErrInvalidAmount},
		{"sign only", "-", "CNY", money.ErrInvalidAmount},
		{"two points", "1.2.3", "CNY", money.ErrInvalidAmount},
		{"hex", "0x10", "CNY", money.ErrInvalidAmount},
		{"underscore", "1_000", "CNY", money.ErrInvalidAmount},
		{"full-width digit", "１", "CNY", money.ErrInvalidAmount},
		{"too many places for JPY", "1.5", "JPY", money.ErrInvalidAmount},
		{"too many places for CNY", "1.005", "CNY", money.ErrInvalidAmount},
		{"too many places for BHD", "0.0001", "BHD", money.ErrInvalidAmount},
		{"trailing zero place for JPY", "1.0", "JPY", money.ErrInvalidAmount},
		{"trailing zero place for CNY", "1.230", "CNY", money.ErrInvalidAmount},
		{"unknown currency", "1", "ABC", money.ErrUnknownCurrency},
		{"lower-case currency", "1", "cny", money.ErrUnknownCurrency},
		{"empty currency", "1", "", money.ErrUnknownCurrency},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := money.Parse(tt.value, tt.currency)
			require.ErrorIs(t, err, tt.want)
			require.Equal(t, money.Money{}, m)
		})
	}
}

func TestMustParsePanicsOnBadLiteral(t *testing.T) {
	t.Parallel()
	require.Equal(t, money.Money{Amount: dec("1.5"), Currency: money.CNY}.String(), money.MustParse("1.5", "CNY").String())
	require.Panics(t, func() { money.MustParse("1.5", "JPY") })
}

func TestNew(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		amount   string
		currency money.Currency
		want     error
	}{
		{"fits", "10.25", money.USD, nil},
		{"negative fits", "-10.25", money.USD, nil},
		{"too many places", "10.255", money.USD, money.ErrInvalidAmount},
		{"zero currency", "1", "", money.ErrUnknownCurrency},
		{"metal has no minor unit", "1", "XAU", money.ErrUnknownCurrency},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m, err := money.New(dec(tt.amount), tt.currency)
			if tt.want != nil {
				require.ErrorIs(t, err, tt.want)
				require.Equal(t, money.Money{}, m)
				return
			}
			require.NoError(t, err)
			require.True(t, m.Amount.Equal(dec(tt.amount)))
			require.Equal(t, tt.currency, m.Currency)
		})
	}
}

func TestZeroAndValid(t *testing.T) {
	t.Parallel()
	z := money.Zero(money.JPY)
	require.True(t, z.IsZero())
	require.True(t, z.Valid())
	require.Equal(t, "0 JPY", z.String())
	require.False(t, money.Money{}.Valid(), "the zero Money has no currency")
	require.False(t, money.Money{Amount: dec("0.5"), Currency: money.JPY}.Valid())
}

func TestArithmetic(t *testing.T) {
	t.Parallel()
	a := money.MustParse("10.50", "CNY")
	b := money.MustParse("-0.75", "CNY")
	tests := []struct {
		name string
		op   func() (money.Money, error)
		want string
	}{
		{"add", func() (money.Money, error) { return a.Add(b) }, "9.75 CNY"},
		{"sub", func() (money.Money, error) { return a.Sub(b) }, "11.25 CNY"},
		{"sub below zero", func() (money.Money, error) { return b.Sub(a) }, "-11.25 CNY"},
		{"neg", func() (money.Money, error) { return b.Neg(), nil }, "0.75 CNY"},
		{"abs", func() (money.Money, error) { return b.Abs(), nil }, "0.75 CNY"},
		{"abs of positive", func() (money.Money, error) { return a.Abs(), nil }, "10.50 CNY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := tt.op()
			require.NoError(t, err)
			require.Equal(t, tt.want, got.String())
		})
	}
}

func TestCurrencyMismatch(t *testing.T) {
	t.Parallel()
	cny := money.MustParse("1", "CNY")
	usd := money.MustParse("1", "USD")
	_, err := cny.Add(usd)
	require.ErrorIs(t, err, money.ErrCurrencyMismatch)
	_, err = cny.Sub(usd)
	require.ErrorIs(t, err, money.ErrCurrencyMismatch)
	_, err = cny.Cmp(usd)
	require.ErrorIs(t, err, money.ErrCurrencyMismatch)
	require.False(t, cny.Equal(usd), "same number, different currency")
}

func TestCmpAndSign(t *testing.T) {
	t.Parallel()
	tests := []struct {
		a, b string
		want int
	}{
		{"1.00", "2.00", -1},
		{"2.00", "1.00", 1},
		{"1.5", "1.50", 0},
		{"-1", "0", -1},
		{"-1", "-2", 1},
	}
	for _, tt := range tests {
		t.Run(tt.a+" vs "+tt.b, func(t *testing.T) {
			t.Parallel()
			a, b := money.MustParse(tt.a, "EUR"), money.MustParse(tt.b, "EUR")
			got, err := a.Cmp(b)
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
			require.Equal(t, tt.want == 0, a.Equal(b))
		})
	}
	require.True(t, money.MustParse("-0.01", "CNY").IsNegative())
	require.True(t, money.MustParse("0.01", "CNY").IsPositive())
	require.False(t, money.MustParse("0.00", "CNY").IsPositive())
	require.False(t, money.MustParse("0.00", "CNY").IsNegative())
}

func TestMulRoundingModes(t *testing.T) {
	t.Parallel()
	// Each product is worked out by hand; ties are exactly half a minor unit.
	tests := []struct {
		name                   string
		amount, currency, rate string
		halfEven, halfUp       string
		down, up               string
	}{
		{"tie to even down", "1.00", "CNY", "0.125", "0.12", "0.13", "0.12", "0.13"},
		{"tie to even up", "1.00", "CNY", "0.135", "0.14", "0.14", "0.13", "0.14"},
		{"negative tie", "-1.00", "CNY", "0.125", "-0.12", "-0.13", "-0.12", "-0.13"},
		{"not a tie", "1.00", "CNY", "0.1234", "0.12", "0.12", "0.12", "0.13"},
		{"above the tie", "1.00", "CNY", "0.1251", "0.13", "0.13", "0.12", "0.13"},
		{"JPY tie at zero", "100", "JPY", "0.005", "0", "1", "0", "1"},
		{"JPY tie to two", "100", "JPY", "0.015", "2", "2", "1", "2"},
		{"JPY tie 2.5", "5", "JPY", "0.5", "2", "3", "2", "3"},
		{"BHD tie", "1.000", "BHD", "0.0025", "0.002", "0.003", "0.002", "0.003"},
		{"exact", "12.34", "USD", "2", "24.68", "24.68", "24.68", "24.68"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := money.MustParse(tt.amount, tt.currency)
			for mode, want := range map[money.RoundingMode]string{
				money.HalfEven: tt.halfEven, money.HalfUp: tt.halfUp, money.Down: tt.down, money.Up: tt.up,
			} {
				got := m.Mul(dec(tt.rate), mode)
				require.Equal(t, want, got.ValueString(), "mode %s", mode)
				require.True(t, got.Valid(), "mode %s", mode)
			}
		})
	}
}

func TestRound(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		amount   string
		currency money.Currency
		mode     money.RoundingMode
		want     string
		wantErr  error
	}{
		{"accrual half even", "1.2345", money.CNY, money.HalfEven, "1.23", nil},
		{"accrual tie half even", "0.125", money.CNY, money.HalfEven, "0.12", nil},
		{"accrual tie half up", "0.125", money.CNY, money.HalfUp, "0.13", nil},
		{"down negative", "-0.129", money.CNY, money.Down, "-0.12", nil},
		{"up negative", "-0.121", money.CNY, money.Up, "-0.13", nil},
		{"JPY", "99.5", money.JPY, money.HalfEven, "100", nil},
		{"bad currency", "1", "XYZ", money.HalfEven, "", money.ErrUnknownCurrency},
		{"bad mode", "1", money.CNY, money.RoundingMode(42), "", money.ErrInvalidRoundingMode},
		{"negative mode", "1", money.CNY, money.RoundingMode(-1), "", money.ErrInvalidRoundingMode},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, err := money.Round(dec(tt.amount), tt.currency, tt.mode)
			if tt.wantErr != nil {
				require.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.want, got.ValueString())
			require.Equal(t, tt.currency, got.Currency)
		})
	}
}

func TestRoundingModeNames(t *testing.T) {
	t.Parallel()
	tests := []struct {
		mode  money.RoundingMode
		name  string
		valid bool
	}{
		{money.HalfEven, "half_even", true},
		{money.HalfUp, "half_up", true},
		{money.Down, "down", true},
		{money.Up, "up", true},
		{money.RoundingMode(9), "unknown", false},
	}
	for _, tt := range tests {
		require.Equal(t, tt.name, tt.mode.String())
		require.Equal(t, tt.valid, tt.mode.Valid(), tt.name)
	}
	var zero money.RoundingMode
	require.Equal(t, money.HalfEven, zero, "the zero value is banking's default")
}
