package fxtest

import (
	"fmt"
	"testing"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/ledger/fx"
	"github.com/bankkit/bankkit/money"
)

var positionTests = []test{
	{Name: "the position per currency equals the sum of the conversions", Run: func(t *testing.T, f *fixture) {
		f.publish("EUR/CNY", "7.80", "7.75", "7.85", opening, f.Today)
		var usd, eur, cny, income decimal.Decimal
		for i := 1; i <= 12; i++ {
			amount := decimal.New(int64(i)*1234+7, -2) // 12.41, 24.75, ...
			var c fx.Conversion
			switch i % 4 {
			case 0:
				c = f.mustConvert(f.usd, f.cny, amount.StringFixed(2))
			case 1:
				c = f.mustConvert(f.cny, f.usd, amount.StringFixed(2))
			case 2:
				c = f.mustConvert(f.eur, f.cny, fmt.Sprint(amount.Div(decimal.New(10, 0)).RoundDown(2).StringFixed(2)))
			default:
				c = f.mustConvert(f.cny, f.eur, amount.StringFixed(2))
			}
			f.requireBalancedPerCurrency(c.EntryID)
			sign := decimal.New(1, 0)
			if c.Side == fx.Buy {
				sign = sign.Neg()
			}
			if c.Foreign.Currency == money.USD {
				usd = usd.Add(c.Foreign.Amount.Mul(sign))
			} else {
				eur = eur.Add(c.Foreign.Amount.Mul(sign))
			}
			cny = cny.Sub(c.HomeAtMid.Amount.Mul(sign))
			income = income.Add(c.Income.Amount)
		}
		ps, err := f.fx.Positions(f.Ctx)
		require.NoError(t, err)
		require.Len(t, ps, 3)
		require.Equal(t, money.CNY, ps[0].Open.Currency, "home first")
		require.True(t, ps[0].Open.Amount.Equal(cny), "CNY position %s, conversions sum to %s", ps[0].Open, cny)
		require.Equal(t, money.EUR, ps[1].Open.Currency)
		require.True(t, ps[1].Open.Amount.Equal(eur), "EUR position %s, conversions sum to %s", ps[1].Open, eur)
		require.Equal(t, money.USD, ps[2].Open.Currency)
		require.True(t, ps[2].Open.Amount.Equal(usd), "USD position %s, conversions sum to %s", ps[2].Open, usd)
		// Before revaluation the foreign positions are carried at the home
		// legs at mid, which are what the home position account holds.
		require.True(t, ps[1].Carrying.Amount.Add(ps[2].Carrying.Amount).Equal(cny.Neg()))
		inc, err := f.fx.Income(f.Ctx)
		require.NoError(t, err)
		require.True(t, inc.Amount.Equal(income), "income %s, conversions sum to %s", inc, income)

		totals, err := f.store.Totals(f.Ctx)
		require.NoError(t, err)
		require.Len(t, totals, 2)
		require.True(t, totals[0].Position.Equal(eur) && totals[1].Position.Equal(usd))
		require.True(t, totals[0].Income.Add(totals[1].Income).Equal(income))
		f.RequireTrialBalanced()
	}},
}
