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
	{Name: "concurrent retries of one key convert once", Run: func(t *testing.T, f *fixture) {
		const n = 10
		var wg sync.WaitGroup
		got := make([]fx.ConvertReceipt, n)
		errs := make([]error, n)
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				got[i], errs[i] = f.convert(f.usd, f.cny, "100.00", "one-key")
			}()
		}
		wg.Wait()
		for i := range n {
			require.NoError(t, errs[i])
			require.Equal(t, got[0].Conversion.ID, got[i].Conversion.ID)
			require.Equal(t, got[0].Conversion.EntryID, got[i].Conversion.EntryID)
		}
		f.RequireBalance(f.usd.ID, "99900.00")
		f.RequireBalance(f.cny.ID, "100710.00")
		used, err := f.fx.QuotaUsed(f.Ctx, "alice", f.Today.Year, fx.Sell)
		require.NoError(t, err)
		require.Equal(t, "100.00 USD", used.String(), "charged once")
	}},
	{Name: "concurrent conversions keep the ledger's positions equal to the records", Run: func(t *testing.T, f *fixture) {
		const workers, each = 4, 6
		var wg sync.WaitGroup
		errs := make(chan error, workers*each)
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					var err error
					if (w+i)%2 == 0 {
						_, err = f.convert(f.usd, f.cny, fmt.Sprintf("%d.%02d", 10+w, i), "")
					} else {
						_, err = f.convert(f.cny, f.usd, fmt.Sprintf("%d.%02d", 100+w, i), "")
					}
					errs <- err
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		totals, err := f.store.Totals(f.Ctx)
		require.NoError(t, err)
		require.Len(t, totals, 1)
		p := f.position(money.USD)
		require.True(t, p.Open.Amount.Equal(totals[0].Position), "ledger USD position %s, records %s", p.Open, totals[0].Position)
		home := f.position(money.CNY)
		require.True(t, home.Open.Amount.Equal(totals[0].Carrying.Neg()), "ledger CNY position %s, records carry %s", home.Open, totals[0].Carrying)
		inc, err := f.fx.Income(f.Ctx)
		require.NoError(t, err)
		require.True(t, inc.Amount.Equal(totals[0].Income))
		f.RequireTrialBalanced()
	}},
}
