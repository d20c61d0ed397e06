package ledgertest

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/bankkit/bankkit/ledger"
	"github.com/stretchr/testify/require"
)

var eventTests = []test{
	{Name: "EventsDeliveredInOrder", Run: testEventsInOrder},
	{Name: "RedeliveryAfterHandlerError", Run: testRedelivery},
	{Name: "RefusedEntriesPublishNothing", Run: testRefusedNoEvents},
	{Name: "CursorSurvivesService", Run: testCursorDurable},
	{Name: "SubscribeErrors", Run: testSubscribeErrors},
}

// recorder is an EventHandler that remembers what it saw.
type recorder struct {
	mu     sync.Mutex
	seen   []ledger.EntryPosted
	failOn map[int64]int // sequence -> failures left
}

func (r *recorder) handle(_ context.Context, e ledger.EntryPosted) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failOn[e.Sequence] > 0 {
		r.failOn[e.Sequence]--
		return errors.New("downstream unavailable")
	}
	r.seen = append(r.seen, e)
	return nil
}

func (r *recorder) entryIDs() []ledger.ID {
	r.mu.Lock()
	defer r.mu.Unlock()
	ids := make([]ledger.ID, len(r.seen))
	for i, e := range r.seen {
		ids[i] = e.Entry.ID
	}
	return ids
}

func testEventsInOrder(t *testing.T, f *fixture) {
	rec := &recorder{}
	require.NoError(t, f.Svc.Subscribe("risk", rec.handle))
	a, b := f.Open("alice"), f.Open("bob")
	want := []ledger.ID{f.Deposit(a.ID, "10.00").ID, f.Transfer(a.ID, b.ID, "3.00").ID, f.Deposit(b.ID, "1.00").ID}

	n, err := f.Svc.DeliverEvents(f.Ctx)
	require.NoError(t, err)
	require.Equal(t, 3, n)
	require.Equal(t, want, rec.entryIDs())
	for i := 1; i < len(rec.seen); i++ {
		require.Greater(t, rec.seen[i].Sequence, rec.seen[i-1].Sequence)
	}
	ev := rec.seen[1]
	require.Equal(t, ledger.KindTransfer, ev.Entry.Kind)
	requirePostings(t, []ledger.Posting{
		{AccountID: a.ID, Side: ledger.Debit, Amount: cny("3.00")},
		{AccountID: b.ID, Side: ledger.Credit, Amount: cny("3.00")},
	}, ev.Entry.Postings)
	require.Equal(t, f.Today, ev.Entry.ValueDate)

	n, err = f.Svc.DeliverEvents(f.Ctx)
	require.NoError(t, err)
	require.Zero(t, n, "nothing new")
}

func testRedelivery(t *testing.T, f *fixture) {
	a := f.Open("alice")
	var want []ledger.ID
	for range 4 {
		want = append(want, f.Deposit(a.ID, "1.00").ID)
	}
	events, err := f.Store.Events(f.Ctx, 0, 10)
	require.NoError(t, err)
	require.Len(t, events, 4)
	flaky := &recorder{failOn: map[int64]int{events[2].Sequence: 2}}
	steady := &recorder{}
	require.NoError(t, f.Svc.Subscribe("analytics", flaky.handle))
	require.NoError(t, f.Svc.Subscribe("risk", steady.handle))

	n, err := f.Svc.DeliverEvents(f.Ctx)
	require.Error(t, err)
	require.Equal(t, 2+4, n, "the flaky subscriber stops at its failure; the other goes on")
	require.Equal(t, want[:2], flaky.entryIDs())
	require.Equal(t, want, steady.entryIDs())

	_, err = f.Svc.DeliverEvents(f.Ctx)
	require.Error(t, err, "fails once more")
	n, err = f.Svc.DeliverEvents(f.Ctx)
	require.NoError(t, err)
	require.Equal(t, 2, n)
	require.Equal(t, want, flaky.entryIDs(), "redelivered from the failed event, none skipped")
}

func testRefusedNoEvents(t *testing.T, f *fixture) {
	a := f.Open("alice")
	_, err := f.Svc.Withdraw(f.Ctx, ledger.WithdrawalRequest{AccountID: a.ID, Amount: cny("1.00")})
	require.ErrorIs(t, err, ledger.ErrInsufficientFunds)
	dep, err := f.Svc.Deposit(f.Ctx, ledger.DepositRequest{AccountID: a.ID, Amount: cny("1.00"), IdempotencyKey: "d"})
	require.NoError(t, err)
	_, err = f.Svc.Deposit(f.Ctx, ledger.DepositRequest{AccountID: a.ID, Amount: cny("1.00"), IdempotencyKey: "d"})
	require.NoError(t, err)
	events, err := f.Store.Events(f.Ctx, 0, 100)
	require.NoError(t, err)
	require.Len(t, events, 1, "one posted entry, one event; refusals and replays publish nothing")
	require.Equal(t, dep.Entry.ID, events[0].Entry.ID)
}

func testCursorDurable(t *testing.T, f *fixture) {
	a := f.Open("alice")
	first := f.Deposit(a.ID, "1.00")
	rec := &recorder{}
	require.NoError(t, f.Svc.Subscribe("risk", rec.handle))
	_, err := f.Svc.DeliverEvents(f.Ctx)
	require.NoError(t, err)
	second := f.Deposit(a.ID, "2.00")

	// A restarted process: a new Service on the same store resumes after
	// the last handled event.
	restarted, err := ledger.NewService(f.Store, ledger.WithClock(f.Clock))
	require.NoError(t, err)
	rec2 := &recorder{}
	require.NoError(t, restarted.Subscribe("risk", rec2.handle))
	_, err = restarted.DeliverEvents(f.Ctx)
	require.NoError(t, err)
	require.Equal(t, []ledger.ID{first.ID}, rec.entryIDs())
	require.Equal(t, []ledger.ID{second.ID}, rec2.entryIDs())

	seq, err := f.Store.Cursor(f.Ctx, "risk")
	require.NoError(t, err)
	require.NoError(t, f.Store.SetCursor(f.Ctx, "risk", seq-1))
	again, err := f.Store.Cursor(f.Ctx, "risk")
	require.NoError(t, err)
	require.Equal(t, seq, again, "a cursor never moves back")
	none, err := f.Store.Cursor(f.Ctx, "nobody")
	require.NoError(t, err)
	require.Zero(t, none)
}

func testSubscribeErrors(t *testing.T, f *fixture) {
	rec := &recorder{}
	require.NoError(t, f.Svc.Subscribe("risk", rec.handle))
	require.ErrorIs(t, f.Svc.Subscribe("risk", rec.handle), ledger.ErrDuplicate)
	requireInvalid(t, f.Svc.Subscribe("", rec.handle), "name")
	requireInvalid(t, f.Svc.Subscribe("x", nil), "handler")
}
