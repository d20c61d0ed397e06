package ledger

import (
	"testing"

	"github.com/bankkit/bankkit/money"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"
)

func TestExceeds(t *testing.T) {
	limit := money.MaxAmount(money.CNY) // 999999999999.99
	for v, want := range map[string]bool{
		"0": false, "0.01": false, "-5": false, "999999999999.99": false, "999999999999.990000": false,
		"-999999999999.99": false, "999999999999.999": true, "1000000000000": true, "-1000000000000.00": true,
		"1e12": true, "99999999999.99e1": false, "1e-40": false, "1e100": true,
	} {
		require.Equal(t, want, exceeds(decimal.RequireFromString(v), limit), v)
	}
	require.True(t, exceeds(decimal.New(-1, 999999999), limit))
}

// small must never call a balance that passes the bound small.
func TestSmallIsWithinTheBound(t *testing.T) {
	limit := money.MaxAmount(money.CNY)
	nines := decimal.RequireFromString("99999999999.99") // the largest small value
	require.True(t, small(limit, nines, nines, decimal.Zero))
	require.True(t, small(limit, nines.Neg(), nines, nines))
	require.False(t, exceeds(nines.Add(nines).Add(nines), limit))
	require.False(t, small(limit, decimal.RequireFromString("100000000000"), decimal.Zero, decimal.Zero))
	require.False(t, small(limit, decimal.Zero, decimal.Zero, decimal.New(1, 11)))
}
