package money_test

import (
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/money"
)

func decs(ss ...string) []decimal.Decimal {
	out := make([]decimal.Decimal, len(ss))
	for i, s := range ss {
		out[i] = dec(s)
	}
	return out
}

func values(parts []money.Money) []string {
	out := make([]string, len(parts))
	for i, p := range parts {
		out[i] = p.ValueString()
	}
	return out
}

func TestAllocate(t *testing.T) {
	t.Parallel()
	// Expectations in minor units: floor(units*r/sum) each, then the units
	// left over one each to the largest remainders, earlier index on a tie.
	tests := []struct {
		name             string
		amount, currency string
		ratios           []string
		want             []string
	}{
		// 10000 units in thirds: 3333 r1 each, one unit left -> index 0.
		{"thirds", "100.00", "CNY", []string{"1", "1", "1"}, []string{"33.34", "33.33", "33.33"}},
		// The mirror of the above.
		{"negative thirds", "-100.00", "CNY", []string{"1", "1", "1"}, []string{"-33.34", "-33.33", "-33.33"}},
		// 5 units by 3:7 -> 1 r5 and 3 r5 (of 10); the tie goes to index 0.
		{"tie to earlier index", "0.05", "CNY", []string{"3", "7"}, []string{"0.02", "0.03"}},
		// Same ratios written as decimals.
		{"decimal ratios", "0.05", "CNY", []string{"0.3", "0.7"}, []string{"0.02", "0.03"}},
		// 10 yen by 1:2 -> 3 r1 and 6 r2 (of 3); the larger remainder wins.
		{"largest remainder wins", "10", "JPY", []string{"1", "2"}, []string{"3", "7"}},
		// 1000 fils in thirds: 333 r1 each, one left -> index 0.
		{"three places", "1.000", "BHD", []string{"1", "1", "1"}, []string{"0.334", "0.333", "0.333"}},
		// 5 units by 70:20:10 -> 3 r50, 1 r0, 0 r50; the tie goes to index 0.
		{"percentages", "0.05", "CNY", []string{"70", "20", "10"}, []string{"0.04", "0.01", "0.00"}},
		// A zero ratio never receives a leftover unit.
		{"zero ratio", "0.01", "CNY", []string{"1", "0", "1"}, []string{"0.01", "0.00", "0.00"}},
		{"zero ratio first", "5.00", "CNY", []string{"0", "1"}, []string{"0.00", "5.00"}},
		{"zero amount", "0", "USD", []string{"1", "2"}, []string{"0.00", "0.00"}},
		{"single part", "12.34", "USD", []string{"0.001"}, []string{"12.34"}},
		// 1.00 by 1:1000000 -> 0 r100 and 99 r999901 (of 1000001); one unit left -> index 1.
		{"tiny ratio", "1.00", "USD", []string{"1", "1000000"}, []string{"0.00", "1.00"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			m := money.MustParse(tt.amount, tt.currency)
			parts, err := m.Allocate(decs(tt.ratios...)...)
			require.NoError(t, err)
			require.Equal(t, tt.want, values(parts))
			sum := money.Zero(m.Currency)
			for _, p := range parts {
				require.Equal(t, m.Currency, p.Currency)
				require.True(t, p.Valid())
				sum, err = sum.Add(p)
				require.NoError(t, err)
			}
			require.True(t, sum.Equal(m), "parts sum to %s, want %s", sum, m)
		})
	}
}

func TestAllocateRefuses(t *testing.T) {
	t.Parallel()
	valid := money.MustParse("10.00", "CNY")
	tests := []struct {
		name   string
		m      money.Money
		ratios []decimal.Decimal
		want   error
	}{
		{"no ratios", valid, nil, money.ErrInvalidRatios},
		{"negative ratio", valid, decs("1", "-1", "2"), money.ErrInvalidRatios},
		{"all zero", valid, decs("0", "0"), money.ErrInvalidRatios},
		{"absurd spread", valid, []decimal.Decimal{decimal.New(1, -600), decimal.New(1, 600)}, money.ErrInvalidRatios},
		{"amount off the minor unit", money.Money{Amount: dec("1.005"), Currency: money.CNY}, decs("1"), money.ErrInvalidAmount},
		{"no currency", money.Money{Amount: dec("1")}, decs("1"), money.ErrUnknownCurrency},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			parts, err := tt.m.Allocate(tt.ratios...)
			require.ErrorIs(t, err, tt.want)
			require.Nil(t, parts)
		})
	}
}

func TestSplit(t *testing.T) {
	t.Parallel()
	tests := []struct {
		amount, currency string
		n                int
		want             []string
	}{
		{"100.00", "CNY", 3, []string{"33.34", "33.33", "33.33"}},
		{"0.05", "CNY", 3, []string{"0.02", "0.02", "0.01"}},
		{"-0.05", "CNY", 3, []string{"-0.02", "-0.02", "-0.01"}},
		{"7", "JPY", 2, []string{"4", "3"}},
		{"7", "JPY", 1, []string{"7"}},
		{"0.02", "USD", 4, []string{"0.01", "0.01", "0.00", "0.00"}},
	}
	for _, tt := range tests {
		t.Run(tt.amount+" "+tt.currency, func(t *testing.T) {
			t.Parallel()
			parts, err := money.MustParse(tt.amount, tt.currency).Split(tt.n)
			require.NoError(t, err)
			require.Equal(t, tt.want, values(parts))
		})
	}
}

func TestSplitRefusesBadCount(t *testing.T) {
	t.Parallel()
	m := money.MustParse("1.00", "CNY")
	for _, n := range []int{0, -1, money.MaxParts + 1} {
		parts, err := m.Split(n)
		require.ErrorIs(t, err, money.ErrInvalidRatios, "n=%d", n)
		require.Nil(t, parts)
	}
}
