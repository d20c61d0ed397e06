package fx_test

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/fx"
	"github.com/bankkit/bankkit/ledger/memledger"
	"github.com/bankkit/bankkit/money"
)

func TestNewServiceRefusesBadOptions(t *testing.T) {
	t.Parallel()
	store := memledger.New()
	books, err := ledger.NewService(store)
	require.NoError(t, err)
	_, err = fx.NewService(nil, store)
	require.ErrorIs(t, err, ledger.ErrInvalidInput)
	_, err = fx.NewService(books, nil)
	require.ErrorIs(t, err, ledger.ErrInvalidInput)
	for _, o := range []fx.Option{
		fx.WithQuoteTTL(0), fx.WithQuoteTTL(2 * time.Hour),
		fx.WithHomeCurrency("XYZ"),
		fx.WithQuota(fx.Quota{Currency: "", Limit: decimal.New(1, 0)}),
		fx.WithQuota(fx.Quota{Currency: money.USD, Limit: decimal.New(-1, 0)}),
	} {
		_, err := fx.NewService(books, store, o)
		require.ErrorIs(t, err, ledger.ErrInvalidInput)
	}
	s, err := fx.NewService(books, store, fx.WithHomeCurrency(money.USD), fx.WithQuoteTTL(time.Minute))
	require.NoError(t, err)
	require.Equal(t, money.USD, s.Home())
}
