package fxtest

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/ledger/fx"
	"github.com/bankkit/bankkit/money"
)

var quotaTests = []test{
	{Name: "the annual quota is USD 50,000 per person and side", Run: func(t *testing.T, f *fixture) {
		f.mustConvert(f.usd, f.cny, "30000.00")
		_, err := f.convert(f.usd, f.cny, "20000.01", "")
		requireField(t, err, fx.ErrQuotaExceeded, "amount")
		f.mustConvert(f.usd, f.cny, "20000.00") // exactly the rest
		used, err := f.fx.QuotaUsed(f.Ctx, "alice", f.Today.Year, fx.Sell)
		require.NoError(t, err)
		require.Equal(t, "50000.00 USD", used.String())
		_, err = f.convert(f.usd, f.cny, "0.01", "")
		require.ErrorIs(t, err, fx.ErrQuotaExceeded)

		// Purchases have a quota of their own; bob has his own.
		c := f.mustConvert(f.cny, f.usd, "7200.00")
		require.Equal(t, "1000.00 USD", c.QuotaAmount.String())
		bobUSD := f.open("bob", money.USD, "100.00")
		bobCNY := f.open("bob", money.CNY, "")
		f.mustConvert(bobUSD, bobCNY, "100.00")

		// Another currency counts at its USD equivalent through mid:
		// EUR 100.00 × 7.80 = CNY 780.00; / USD mid 7.15 = 109.0909… → USD 109.09.
		f.publish("EUR/CNY", "7.80", "7.75", "7.85", opening, f.Today)
		e := f.mustConvert(f.cny, f.eur, "785.00")
		require.Equal(t, "100.00 EUR", e.Receives.String())
		require.Equal(t, "109.09 USD", e.QuotaAmount.String())
		used, err = f.fx.QuotaUsed(f.Ctx, "alice", f.Today.Year, fx.Buy)
		require.NoError(t, err)
		require.Equal(t, "1109.09 USD", used.String())

		// Next calendar year starts afresh; a quota of zero is none.
		used, err = f.fx.QuotaUsed(f.Ctx, "alice", f.Today.Year+1, fx.Sell)
		require.NoError(t, err)
		require.True(t, used.IsZero())
		free := f.newService(f.store, fx.WithQuota(fx.Quota{}))
		_, err = free.Convert(f.Ctx, fx.ConvertRequest{FromAccountID: f.usd.ID, ToAccountID: f.cny.ID, Amount: m("1.00", money.USD)})
		require.NoError(t, err)
	}},
	{Name: "concurrent conversions cannot both take the last of the quota", Run: func(t *testing.T, f *fixture) {
		f.mustConvert(f.usd, f.cny, "30000.00")
		const n = 8
		var wg sync.WaitGroup
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs[i] = f.convert(f.usd, f.cny, "15000.00", fmt.Sprint("race-", i))
			}()
		}
		wg.Wait()
		passed := 0
		for _, err := range errs {
			switch {
			case err == nil:
				passed++
			case !errors.Is(err, fx.ErrQuotaExceeded):
				t.Fatalf("unexpected error: %v", err)
			}
		}
		require.Equal(t, 1, passed, "only one 15,000 fits in the 20,000 left")
		used, err := f.fx.QuotaUsed(f.Ctx, "alice", f.Today.Year, fx.Sell)
		require.NoError(t, err)
		require.Equal(t, "45000.00 USD", used.String())
		f.RequireBalance(f.usd.ID, "55000.00")
		require.Equal(t, "45000.00", f.chartBalance(money.USD, fx.CodePosition))
	}},
}
