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
	svc, err := ledger.NewService(memledger.New())
	require.NoError(t, err)
	_, err = svc.SetupChart(ctx, money.CNY)
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

// cursorCounter is a Store that counts the cursor writes.
type cursorCounter struct {
	ledger.Store
	writes atomic.Int32
}

func (c *cursorCounter) SetCursor(ctx context.Context, subscriber string, seq int64) error {
	c.writes.Add(1)
	return c.Store.SetCursor(ctx, subscriber, seq)
}

// TestDeliverySavesTheCursorPerPage delivers more than two pages of events:
// the cursor is written once per page, not once per event (on PostgreSQL
// each write is a commit), and a refusal still saves the cursor at the last
// accepted event, so nothing accepted comes again.
func TestDeliverySavesTheCursorPerPage(t *testing.T) {
	t.Parallel()
	ctx := t.Context()
	store := &cursorCounter{Store: memledger.New()}
	svc, err := ledger.NewService(store)
	require.NoError(t, err)
	_, err = svc.SetupChart(ctx, money.CNY)
	require.NoError(t, err)
	a, err := svc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "o", Product: ledger.ProductDemand, Currency: money.CNY})
	require.NoError(t, err)
	const events = 1234 // two full pages of 500 and part of a third
	for range events {
		_, err := svc.Deposit(ctx, ledger.DepositRequest{AccountID: a.ID, Amount: money.MustParse("1.00", "CNY")})
		require.NoError(t, err)
	}
	var seen []int64
	refuse := int64(events - 10)
	require.NoError(t, svc.Subscribe("s", func(_ context.Context, ev ledger.EntryPosted) error {
		if ev.Sequence == refuse {
			return errors.New("not now")
		}
		seen = append(seen, ev.Sequence)
		return nil
	}))

	n, err := svc.DeliverEvents(ctx)
	require.Error(t, err)
	require.Equal(t, events-11, n)
	require.Equal(t, int32(3), store.writes.Load(), "two full pages and the accepted part of the third")
	cursor, err := store.Cursor(ctx, "s")
	require.NoError(t, err)
	require.Equal(t, refuse-1, cursor, "saved at the last accepted event")

	refuse = -1
	n, err = svc.DeliverEvents(ctx)
	require.NoError(t, err)
	require.Equal(t, 11, n, "from the refused event on, nothing accepted again")
	require.Len(t, seen, events)
	for i, seq := range seen {
		require.Equal(t, int64(i+1), seq)
	}
}
