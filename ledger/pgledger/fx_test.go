package pgledger_test

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/fx"
	"github.com/bankkit/bankkit/ledger/fx/fxtest"
	"github.com/bankkit/bankkit/ledger/pgledger"
	"github.com/bankkit/bankkit/money"
)

func TestFXContract(t *testing.T) {
	fxtest.Run(t, func(t *testing.T) (ledger.Store, fx.Store) {
		s := newStore(t)
		return s, s
	})
}

// TestFXReconcileFindsDrift: the reconciliation of the running totals
// reports a currency whose row no longer equals the sum of its
// conversions, and nothing once it is put right.
func TestFXReconcileFindsDrift(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	b := newBank(t)
	store := pgledger.New(b.db)
	_, err := b.svc.SetupChart(ctx, money.USD)
	require.NoError(t, err)
	usd, err := b.svc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "owner", Product: ledger.ProductDemand, Currency: money.USD})
	require.NoError(t, err)
	_, err = b.svc.Deposit(ctx, ledger.DepositRequest{AccountID: usd.ID, Amount: money.MustParse("100.00", "USD")})
	require.NoError(t, err)
	svc, err := fx.NewService(b.svc, store, fx.WithQuota(fx.Quota{}))
	require.NoError(t, err)
	_, err = svc.PublishRate(ctx, fx.PublishRateRequest{Pair: fx.Pair{Base: money.USD, Quote: money.CNY},
		Mid: decimal.RequireFromString("7.15"), Buy: decimal.RequireFromString("7.10"), Sell: decimal.RequireFromString("7.20"),
		Source: "treasury", PublishedAt: time.Now().Add(-time.Minute)})
	require.NoError(t, err)
	_, err = svc.Convert(ctx, fx.ConvertRequest{FromAccountID: usd.ID, ToAccountID: b.alice.ID, Amount: money.MustParse("10.00", "USD")})
	require.NoError(t, err)
	diffs, err := svc.ReconcileTotals(ctx)
	require.NoError(t, err)
	require.Empty(t, diffs)

	_, err = b.db.Exec(`UPDATE ledger.fx_totals SET position = position + 1 WHERE currency = 'USD'`)
	require.NoError(t, err)
	diffs, err = svc.ReconcileTotals(ctx)
	require.NoError(t, err)
	require.Len(t, diffs, 1)
	require.Equal(t, money.USD, diffs[0].Currency)
	require.Equal(t, "11", diffs[0].Running.Position.String())
	require.Equal(t, "10", diffs[0].Recomputed.Position.String())

	_, err = b.db.Exec(`UPDATE ledger.fx_totals SET position = position - 1 WHERE currency = 'USD'`)
	require.NoError(t, err)
	diffs, err = svc.ReconcileTotals(ctx)
	require.NoError(t, err)
	require.Empty(t, diffs)
}
