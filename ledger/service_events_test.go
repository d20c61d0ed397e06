package ledger_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/memledger"
	"github.com/bankkit/bankkit/money"
	"github.com/stretchr/testify/require"
)

func TestRunEventDelivery(t *testing.T) {
	t.Parallel()
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	svc := ledger.NewService(memledger.New())
	_, err := svc.SetupChart(ctx, money.CNY)
	require.NoError(t, err)
	a, err := svc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "o", Product: ledger.ProductDemand, Currency: money.CNY})
	require.NoError(t, err)

	var delivered, failures atomic.Int32
	failOnce := atomic.Bool{}
	failOnce.Store(true)
	require.NoError(t, svc.Subscribe("s", func(context.Context, ledger.EntryPosted) error {
		if failOnce.CompareAndSwap(true, false) {
			return errors.New("first attempt fails")
		}
		delivered.Add(1)
		return nil
	}))
	done := make(chan error, 1)
	go func() {
		done <- svc.RunEventDelivery(ctx, time.Millisecond, func(error) { failures.Add(1) })
	}()
	for range 3 {
		_, err := svc.Deposit(ctx, ledger.DepositRequest{AccountID: a.ID, Amount: money.MustParse("1.00", "CNY")})
		require.NoError(t, err)
	}
	require.Eventually(t, func() bool { return delivered.Load() == 3 }, 10*time.Second, time.Millisecond)
	cancel()
	require.NoError(t, <-done)
	require.Equal(t, int32(1), failures.Load(), "the failed round was reported once")
	require.Equal(t, int32(3), delivered.Load(), "every event delivered, the failed one again")

	err = svc.RunEventDelivery(t.Context(), 0, nil)
	require.ErrorIs(t, err, ledger.ErrInvalidInput)
}
