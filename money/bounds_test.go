package money_test

import (
	"strings"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/money"
)

func TestMaxAmount(t *testing.T) {
	for c, want := range map[money.Currency]string{
		money.CNY: "999999999999.99", money.JPY: "99999999999999", money.BHD: "99999999999.999", "CLF": "9999999999.9999",
	} {
		require.Equal(t, want, money.MaxAmount(c).ValueString(), c)
		require.Equal(t, c, money.MaxAmount(c).Currency)
	}
	require.Equal(t, "9999999999999999.99", money.Capacity(money.CNY).ValueString())
	require.Equal(t, money.Money{}, money.MaxAmount("XXX"))
	require.Equal(t, money.Money{}, money.Capacity(""))
}

// Every currency's capacity fills the ISO 20022 amount exactly, and its
// largest accepted amount leaves four digits below it.
func TestBoundsFitTheCarriers(t *testing.T) {
	digits := func(m money.Money) int { return len(strings.ReplaceAll(m.ValueString(), ".", "")) }
	for _, c := range money.Currencies() {
		max, capacity := money.MaxAmount(c), money.Capacity(c)
		require.True(t, max.Valid() && capacity.Valid(), c)
		require.Equal(t, money.CarriedDigits, digits(capacity), c)
		require.Equal(t, money.CarriedDigits-4, digits(max), c)
		above := money.Money{Amount: capacity.Amount.Add(decimal.New(1, -c.MinorUnits())), Currency: c}
		require.Equal(t, money.CarriedDigits+1, digits(above), "%s: one minor unit more needs another digit", c)
		// Ten thousand of the largest amounts still fit.
		require.True(t, max.Amount.Mul(decimal.NewFromInt(10000)).LessThan(capacity.Amount), c)
	}
}
