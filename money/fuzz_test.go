package money_test

import (
	"encoding/json"
	"errors"
	"math/big"
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/money"
)

func FuzzParse(f *testing.F) {
	for _, seed := range []struct{ value, currency string }{
		{"1234.50", "CNY"}, {"-3", "JPY"}, {"0.125", "BHD"}, {"+1.0001", "CLF"},
		{"1e3", "CNY"}, {" 1", "CNY"}, {"1.", "CNY"}, {".5", "CNY"}, {"+-1", "USD"},
		{"1,000", "EUR"}, {"NaN", "CNY"}, {"1.5", "JPY"}, {"0x1p3", "CNY"}, {"-0", "cny"},
		{"00000000000000000000000000001.10", "GBP"},
	} {
		f.Add(seed.value, seed.currency)
	}
	f.Fuzz(func(t *testing.T, value, currency string) {
		m, err := money.Parse(value, currency)
		if err != nil {
			require.True(t, errors.Is(err, money.ErrInvalidAmount) || errors.Is(err, money.ErrUnknownCurrency), "%v", err)
			return
		}
		require.True(t, m.Valid(), "places fit the minor unit")
		require.Equal(t, money.Currency(currency), m.Currency)
		back, err := money.Parse(m.ValueString(), currency)
		require.NoError(t, err)
		require.True(t, back.Equal(m), "%s round-trips to %s", m, back)
	})
}

// fuzzCurrencies has a currency of each exponent (2, 0, 3, 4) for FuzzAllocate.
var fuzzCurrencies = []money.Currency{money.CNY, money.JPY, money.BHD, "CLF"}

func FuzzAllocate(f *testing.F) {
	f.Add(int64(10000), uint8(0), uint32(1), uint32(1), uint32(1), uint32(0), uint8(0))
	f.Add(int64(-10000), uint8(0), uint32(1), uint32(1), uint32(1), uint32(0), uint8(0))
	f.Add(int64(5), uint8(0), uint32(3), uint32(7), uint32(0), uint32(0), uint8(1))
	f.Add(int64(7), uint8(1), uint32(70), uint32(20), uint32(10), uint32(0), uint8(2))
	f.Add(int64(1), uint8(2), uint32(0), uint32(0), uint32(0), uint32(0), uint8(0))
	f.Add(int64(-9223372036854775808), uint8(3), uint32(4294967295), uint32(1), uint32(2), uint32(3), uint8(9))
	f.Fuzz(func(t *testing.T, units int64, cur uint8, r0, r1, r2, r3 uint32, scale uint8) {
		c := fuzzCurrencies[int(cur)%len(fuzzCurrencies)]
		m, err := money.New(decimal.New(units, -c.MinorUnits()), c)
		require.NoError(t, err)
		raw := []uint32{r0, r1, r2, r3}
		ratios := make([]decimal.Decimal, len(raw))
		ratioSum := new(big.Rat)
		for i, r := range raw {
			ratios[i] = decimal.New(int64(r), -int32(scale%12))
			ratioSum.Add(ratioSum, ratios[i].Rat())
		}
		parts, err := m.Allocate(ratios...)
		if ratioSum.Sign() == 0 {
			require.ErrorIs(t, err, money.ErrInvalidRatios)
			return
		}
		require.NoError(t, err)
		require.Len(t, parts, len(ratios))

		unit := new(big.Rat).SetFrac64(1, 1)
		unit.Quo(unit, decimal.New(1, c.MinorUnits()).Rat()) // one minor unit
		total := new(big.Rat)
		for i, p := range parts {
			require.True(t, p.Valid(), "part %d: %s", i, p)
			got := p.Amount.Rat()
			total.Add(total, got)
			exact := new(big.Rat).Mul(m.Amount.Rat(), ratios[i].Rat())
			exact.Quo(exact, ratioSum)
			diff := new(big.Rat).Sub(got, exact)
			require.Negative(t, diff.Abs(diff).Cmp(unit), "part %d is %s, exact share %s", i, got.FloatString(6), exact.FloatString(6))
		}
		require.Zero(t, total.Cmp(m.Amount.Rat()), "parts sum to %s, want %s", total.FloatString(6), m.ValueString())
	})
}

func FuzzJSON(f *testing.F) {
	for _, seed := range []string{
		`{"value":"12.30","currency":"CNY"}`,
		`{"currency":"JPY","value":"-5"}`,
		`{"value":12.30,"currency":"CNY"}`,
		`{"value":"1e3","currency":"CNY"}`,
		`{"value":"1","value":"2","currency":"CNY"}`,
		`{"value":"1","currency":"CNY","x":1}`,
		`{"value":"1"}`,
		`null`, `[]`, `{`, `"x"`, ``,
		`{"value":"0.125","currency":"BHD"}`,
	} {
		f.Add([]byte(seed))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var m money.Money
		if err := json.Unmarshal(data, &m); err != nil {
			return
		}
		require.True(t, m.Valid())
		out, err := json.Marshal(m)
		require.NoError(t, err)
		var back money.Money
		require.NoError(t, json.Unmarshal(out, &back), "%s", out)
		require.True(t, back.Equal(m))
		again, err := json.Marshal(back)
		require.NoError(t, err)
		require.Equal(t, string(out), string(again))
		require.True(t, strings.HasPrefix(string(out), `{"value":"`))
	})
}
