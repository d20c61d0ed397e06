package ledger_test

import (
	"context"
	"errors"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/event"
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
	require.NoError(t, svc.Events().Subscribe(ctx, "s", func(_ context.Context, e event.Envelope) error {
		if failOnce.CompareAndSwap(true, false) {
			return errors.New("first attempt fails")
		}
		if e.Type == ledger.EventEntryPosted { // not the accounts' openings
			delivered.Add(1)
		}
		return nil
	}))
	done := make(chan error, 1)
	go func() {
		done <- svc.Events().Run(ctx, time.Millisecond, func(error) { failures.Add(1) })
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

	err = svc.Events().Run(t.Context(), 0, nil)
	require.ErrorIs(t, err, event.ErrInvalidInput)
}

// cursorCounter is a Store whose outbox counts the cursor writes.
type cursorCounter struct {
	ledger.Store
	writes atomic.Int32
}

func (c *cursorCounter) Events() event.Log { return countingLog{c.Store.Events(), &c.writes} }

type countingLog struct {
	event.Log
	writes *atomic.Int32
}

func (l countingLog) Advance(ctx context.Context, name string, seq int64) error {
	l.writes.Add(1)
	return l.Log.Advance(ctx, name, seq)
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
	// The chart's and the account's openings are events too.
	opened, err := svc.Events().Read(ctx, 0, event.PageSize)
	require.NoError(t, err)
	require.Len(t, opened, 11)
	const events = 1234 // two full pages of 500 and part of a third
	for range events - 11 {
		_, err := svc.Deposit(ctx, ledger.DepositRequest{AccountID: a.ID, Amount: money.MustParse("1.00", "CNY")})
		require.NoError(t, err)
	}
	var seen []int64
	refuse := int64(events - 10)
	require.NoError(t, svc.Events().Subscribe(ctx, "s", func(_ context.Context, ev event.Envelope) error {
		if ev.Sequence == refuse {
			return errors.New("not now")
		}
		seen = append(seen, ev.Sequence)
		return nil
	}))

	n, err := svc.Events().Deliver(ctx)
	require.Error(t, err)
	require.Equal(t, events-11, n)
	require.Equal(t, int32(3), store.writes.Load(), "two full pages and the accepted part of the third")
	cursor, err := svc.Events().Cursor(ctx, "s")
	require.NoError(t, err)
	require.Equal(t, refuse-1, cursor, "saved at the last accepted event")

	refuse = -1
	n, err = svc.Events().Deliver(ctx)
	require.NoError(t, err)
	require.Equal(t, 11, n, "from the refused event on, nothing accepted again")
	require.Len(t, seen, events)
	for i, seq := range seen {
		require.Equal(t, int64(i+1), seq)
	}
}

// An event is a function of its entry alone, so every store renders the
// same one, and a redelivered event is the same event.
func TestEntryPostedEvent(t *testing.T) {
	t.Parallel()
	a, b := ledger.NewID(), ledger.NewID()
	cny := money.MustParse("2.50", "CNY")
	e := ledger.Entry{ID: ledger.NewID(), Kind: ledger.KindJournal, ValueDate: calendar.Date{Year: 2026, Month: 3, Day: 1},
		BookedAt:    time.Date(2026, 3, 2, 17, 0, 0, 123456789, time.FixedZone("CST", 8*3600)),
		Description: "fee for Zhang Wei", Metadata: map[string]string{"phone": "13800000000"},
		Postings: []ledger.Posting{
			{AccountID: a, Side: ledger.Debit, Amount: cny},
			{AccountID: b, Side: ledger.Credit, Amount: cny},
			{AccountID: a, Side: ledger.Debit, Amount: cny},
			{AccountID: b, Side: ledger.Credit, Amount: cny},
		}}
	ev, err := ledger.EntryPostedEvent(e)
	require.NoError(t, err)
	require.NoError(t, ev.Validate())
	require.Equal(t, e.ID, ev.ID)
	require.Equal(t, ledger.EventEntryPosted, ev.Type)
	require.Equal(t, ledger.EventVersion, ev.Version)
	require.Equal(t, time.Date(2026, 3, 2, 9, 0, 0, 123456000, time.UTC), ev.OccurredAt, "UTC, to the microsecond")
	require.Equal(t, e.ValueDate, ev.BusinessDate)
	require.Equal(t, []ledger.ID{a, b}, ev.Subjects, "each account once, in posting order")
	require.Empty(t, ev.Source, "the outbox's to set")
	require.Zero(t, ev.Sequence, "the outbox's to set")
	require.NotContains(t, string(ev.Payload), "Zhang")
	require.NotContains(t, string(ev.Payload), "13800000000")
	again, err := ledger.EntryPostedEvent(e)
	require.NoError(t, err)
	require.Equal(t, ev, again)

	e.Postings = e.Postings[:1]
	_, err = ledger.EntryPostedEvent(e)
	require.ErrorIs(t, err, ledger.ErrInvalidInput)
}
