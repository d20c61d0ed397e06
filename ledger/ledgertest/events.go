package ledgertest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/ledger"
)

var eventTests = []test{
	{Name: "EventsDeliveredInOrder", Run: testEventsInOrder},
	{Name: "EventPayloadLeavesOutFreeText", Run: testEventPayload},
	{Name: "RedeliveryAfterHandlerError", Run: testRedelivery},
	{Name: "RefusedEntriesPublishNothing", Run: testRefusedNoEvents},
	{Name: "CursorSurvivesService", Run: testCursorDurable},
	{Name: "SubscribeErrors", Run: testSubscribeErrors},
	{Name: "PruneKeepsNumbering", Run: testPruneKeepsNumbering},
}

// recorder is an event.Handler that remembers what it saw.
type recorder struct {
	mu     sync.Mutex
	seen   []event.Envelope
	failOn map[int64]int // sequence -> failures left
}

func (r *recorder) handle(_ context.Context, e event.Envelope) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.failOn[e.Sequence] > 0 {
		r.failOn[e.Sequence]--
		return errors.New("downstream unavailable")
	}
	if e.Type == ledger.EventEntryPosted {
		// Account and hold events are accepted and not kept: these
		// tests are about entries (objectEventTests about the others).
		r.seen = append(r.seen, e)
	}
	return nil
}

// entryIDs returns the IDs of the events seen, which are their entries'.
func (r *recorder) entryIDs() []ledger.ID {
	r.mu.Lock()
	defer r.mu.Unlock()
	return eventIDs(r.seen)
}

func eventIDs(es []event.Envelope) []ledger.ID {
	ids := make([]ledger.ID, len(es))
	for i, e := range es {
		ids[i] = e.ID
	}
	return ids
}

// entryPosted decodes an event's payload, refusing unknown fields.
func entryPosted(t *testing.T, e event.Envelope) ledger.EntryPosted {
	t.Helper()
	require.Equal(t, ledger.EventEntryPosted, e.Type)
	require.Equal(t, ledger.EventVersion, e.Version)
	dec := json.NewDecoder(bytes.NewReader(e.Payload))
	dec.DisallowUnknownFields()
	var p ledger.EntryPosted
	require.NoError(t, dec.Decode(&p))
	return p
}

// events reads every event the store has.
func (f *fixture) events() []event.Envelope {
	f.T.Helper()
	var out []event.Envelope
	for {
		page, err := f.Svc.Events().Read(f.Ctx, int64(len(out)), event.PageSize)
		require.NoError(f.T, err)
		out = append(out, page...)
		if len(page) < event.PageSize {
			return out
		}
	}
}

// entryEvents reads the store's ledger.entry_posted events.
func (f *fixture) entryEvents() []event.Envelope {
	f.T.Helper()
	var out []event.Envelope
	for _, e := range f.events() {
		if e.Type == ledger.EventEntryPosted {
			out = append(out, e)
		}
	}
	return out
}

// eventIndex is the index in es of the event with id.
func eventIndex(t *testing.T, es []event.Envelope, id ledger.ID) int {
	t.Helper()
	for i, e := range es {
		if e.ID == id {
			return i
		}
	}
	require.Failf(t, "no such event", "%s", id)
	return -1
}

func testEventsInOrder(t *testing.T, f *fixture) {
	rec := &recorder{}
	require.NoError(t, f.Svc.Events().Subscribe(f.Ctx, "risk", rec.handle))
	a, b := f.Open("alice"), f.Open("bob")
	want := []ledger.Entry{f.Deposit(a.ID, "10.00"), f.Transfer(a.ID, b.ID, "3.00"), f.Deposit(b.ID, "1.00")}

	n, err := f.Svc.Events().Deliver(f.Ctx)
	require.NoError(t, err)
	all := f.events()
	require.Equal(t, len(all), n)
	require.Equal(t, []ledger.ID{want[0].ID, want[1].ID, want[2].ID}, rec.entryIDs())
	for i, e := range all {
		require.Equal(t, int64(i+1), e.Sequence, "numbered from 1 in the order of the changes")
		require.Equal(t, ledger.EventSource, e.Source)
		require.NoError(t, e.Validate())
	}
	for i := 1; i < len(rec.seen); i++ {
		require.Greater(t, rec.seen[i].Sequence, rec.seen[i-1].Sequence, "entries in posting order")
	}
	ev := rec.seen[1]
	require.Equal(t, f.Today, ev.BusinessDate, "the value date")
	require.Equal(t, want[1].BookedAt.UTC().Truncate(time.Microsecond), ev.OccurredAt, "the booking time")
	require.Equal(t, []ledger.ID{a.ID, b.ID}, ev.Subjects, "the entry's accounts")
	p := entryPosted(t, ev)
	require.Equal(t, want[1].ID, p.EntryID)
	require.Equal(t, ledger.KindTransfer, p.Kind)
	require.Equal(t, f.Today, p.ValueDate)
	require.Equal(t, ev.OccurredAt, p.BookedAt)
	require.Len(t, p.Postings, 2)
	for i, want := range []ledger.EventPosting{
		{AccountID: a.ID, Side: ledger.Debit, Amount: cny("3.00")},
		{AccountID: b.ID, Side: ledger.Credit, Amount: cny("3.00")},
	} {
		require.Equal(t, want.AccountID, p.Postings[i].AccountID)
		require.Equal(t, want.Side, p.Postings[i].Side)
		require.True(t, want.Amount.Equal(p.Postings[i].Amount), "posting %d: %s", i, p.Postings[i].Amount)
	}
	require.Len(t, rec.seen[0].Subjects, 2, "a deposit's subjects: the account and vault cash")
	require.Contains(t, rec.seen[0].Subjects, a.ID)

	n, err = f.Svc.Events().Deliver(f.Ctx)
	require.NoError(t, err)
	require.Zero(t, n, "nothing new")
}

// The payload is a documented JSON document, the same from every store:
// ids, kind, dates, postings and the links of reversals and captures,
// never the description, metadata or idempotency key.
func testEventPayload(t *testing.T, f *fixture) {
	a, b := f.Open("alice"), f.Open("bob")
	private := map[string]string{"national_id": "110101199003071234"}
	dep, err := f.Svc.Deposit(f.Ctx, ledger.DepositRequest{AccountID: a.ID, Amount: cny("100.00"),
		Description: "cash from Zhang Wei", Metadata: private, IdempotencyKey: "teller-7/0042"})
	require.NoError(t, err)
	hold, err := f.Svc.PlaceHold(f.Ctx, ledger.HoldRequest{AccountID: a.ID, Amount: cny("30.00")})
	require.NoError(t, err)
	capture, err := f.Svc.CaptureHold(f.Ctx, ledger.CaptureRequest{HoldID: hold.Hold.ID, ToAccountID: b.ID,
		Description: "hotel, room 12", Metadata: private})
	require.NoError(t, err)
	reversal, err := f.Svc.Reverse(f.Ctx, ledger.ReversalRequest{EntryID: capture.Entry.ID, Description: "guest complained"})
	require.NoError(t, err)
	vault := dep.Entry.Postings[0].AccountID

	posting := func(id ledger.ID, side ledger.Side, amount string) string {
		return fmt.Sprintf(`{"account_id":%q,"side":%q,"amount":{"value":%q,"currency":"CNY"}}`, id, side, amount)
	}
	entry := func(e ledger.Entry, links string, postings ...string) string {
		return fmt.Sprintf(`{"entry_id":%q,"kind":%q,"value_date":%q,"booked_at":"2026-03-02T09:30:00Z"%s,"postings":[%s,%s]}`,
			e.ID, e.Kind, f.Today, links, postings[0], postings[1])
	}
	want := []string{
		entry(dep.Entry, "", posting(vault, ledger.Debit, "100.00"), posting(a.ID, ledger.Credit, "100.00")),
		entry(capture.Entry, fmt.Sprintf(`,"hold_id":%q`, hold.Hold.ID),
			posting(a.ID, ledger.Debit, "30.00"), posting(b.ID, ledger.Credit, "30.00")),
		entry(reversal.Entry, fmt.Sprintf(`,"reverses":%q`, capture.Entry.ID),
			posting(a.ID, ledger.Credit, "30.00"), posting(b.ID, ledger.Debit, "30.00")),
	}
	got := f.entryEvents()
	require.Len(t, got, len(want))
	for i, e := range got {
		require.JSONEq(t, want[i], string(e.Payload), "event %d", i)
		entryPosted(t, e)
		for _, text := range []string{"Zhang", "110101", "national_id", "teller-7", "hotel", "complained"} {
			require.NotContains(t, string(e.Payload), text)
		}
	}
}

func testRedelivery(t *testing.T, f *fixture) {
	a := f.Open("alice")
	var want []ledger.ID
	for range 4 {
		want = append(want, f.Deposit(a.ID, "1.00").ID)
	}
	all := f.events()
	events := f.entryEvents()
	require.Len(t, events, 4)
	failing := eventIndex(t, all, events[2].ID)
	flaky := &recorder{failOn: map[int64]int{events[2].Sequence: 2}}
	steady := &recorder{}
	require.NoError(t, f.Svc.Events().Subscribe(f.Ctx, "analytics", flaky.handle))
	require.NoError(t, f.Svc.Events().Subscribe(f.Ctx, "risk", steady.handle))

	n, err := f.Svc.Events().Deliver(f.Ctx)
	require.Error(t, err)
	require.Equal(t, failing+len(all), n, "the flaky subscriber stops at its failure; the other goes on")
	require.Equal(t, want[:2], flaky.entryIDs())
	require.Equal(t, want, steady.entryIDs())

	_, err = f.Svc.Events().Deliver(f.Ctx)
	require.Error(t, err, "fails once more")
	n, err = f.Svc.Events().Deliver(f.Ctx)
	require.NoError(t, err)
	require.Equal(t, len(all)-failing, n)
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
	events := f.entryEvents()
	require.Len(t, events, 1, "one posted entry, one event; refusals and replays publish nothing")
	require.Equal(t, dep.Entry.ID, events[0].ID)
}

func testCursorDurable(t *testing.T, f *fixture) {
	a := f.Open("alice")
	first := f.Deposit(a.ID, "1.00")
	rec := &recorder{}
	require.NoError(t, f.Svc.Events().Subscribe(f.Ctx, "risk", rec.handle))
	_, err := f.Svc.Events().Deliver(f.Ctx)
	require.NoError(t, err)
	second := f.Deposit(a.ID, "2.00")

	// A restarted process: a new Service on the same store resumes after
	// the last handled event.
	restarted, err := ledger.NewService(f.Store, ledger.WithClock(f.Clock))
	require.NoError(t, err)
	rec2 := &recorder{}
	require.NoError(t, restarted.Events().Subscribe(f.Ctx, "risk", rec2.handle))
	_, err = restarted.Events().Deliver(f.Ctx)
	require.NoError(t, err)
	require.Equal(t, []ledger.ID{first.ID}, rec.entryIDs())
	require.Equal(t, []ledger.ID{second.ID}, rec2.entryIDs())

	seq, err := restarted.Events().Cursor(f.Ctx, "risk")
	require.NoError(t, err)
	all := f.events()
	require.Equal(t, all[len(all)-1].Sequence, seq)
	require.NoError(t, f.Store.Events().Advance(f.Ctx, "risk", seq-1))
	again, err := f.Svc.Events().Cursor(f.Ctx, "risk")
	require.NoError(t, err)
	require.Equal(t, seq, again, "a cursor never moves back")
	_, err = f.Svc.Events().Cursor(f.Ctx, "nobody")
	require.ErrorIs(t, err, event.ErrUnknownCursor)
}

func testSubscribeErrors(t *testing.T, f *fixture) {
	rec := &recorder{}
	require.NoError(t, f.Svc.Events().Subscribe(f.Ctx, "risk", rec.handle))
	require.ErrorIs(t, f.Svc.Events().Subscribe(f.Ctx, "risk", rec.handle), event.ErrDuplicate)
	for field, err := range map[string]error{
		"name":    f.Svc.Events().Subscribe(f.Ctx, "", rec.handle),
		"handler": f.Svc.Events().Subscribe(f.Ctx, "x", nil),
	} {
		require.ErrorIs(t, err, event.ErrInvalidInput)
		var fe *fault.FieldError
		require.ErrorAs(t, err, &fe)
		require.Equal(t, field, fe.Field)
	}
}

// Pruning drops what every subscriber has had; what is left keeps its
// numbers, and new entries are numbered after them.
func testPruneKeepsNumbering(t *testing.T, f *fixture) {
	a := f.Open("alice")
	var posted []ledger.ID
	for range 3 {
		posted = append(posted, f.Deposit(a.ID, "1.00").ID)
	}
	early := &recorder{}
	require.NoError(t, f.Svc.Events().Subscribe(f.Ctx, "risk", early.handle))
	require.NoError(t, f.Svc.Events().Subscribe(f.Ctx, "analytics", func(_ context.Context, e event.Envelope) error {
		if e.ID == posted[2] {
			return errors.New("not yet")
		}
		return nil
	}))
	_, err := f.Svc.Events().Deliver(f.Ctx)
	require.Error(t, err)
	all := f.events()
	third := eventIndex(t, all, posted[2])

	// Every event is older than this, whichever clock dated it.
	before := time.Now().Add(time.Hour)
	if c := f.Clock.Now().Add(time.Hour); c.After(before) {
		before = c
	}
	pruned, err := f.Svc.Events().Prune(f.Ctx, before)
	require.NoError(t, err)
	require.Equal(t, third, pruned, "analytics has not had the third")

	posted = append(posted, f.Deposit(a.ID, "1.00").ID)
	left := f.events()
	require.Equal(t, posted[2:], eventIDs(left))
	require.Equal(t, []int64{all[third].Sequence, all[len(all)-1].Sequence + 1}, []int64{left[0].Sequence, left[1].Sequence})
	late := &recorder{}
	require.NoError(t, f.Svc.Events().Subscribe(f.Ctx, "marketing", late.handle))
	_, err = f.Svc.Events().Deliver(f.Ctx)
	require.Error(t, err, "analytics refuses the third still")
	require.Equal(t, posted[2:], late.entryIDs(), "a new subscriber starts at the oldest event kept")
	require.Equal(t, posted, early.entryIDs())
}
