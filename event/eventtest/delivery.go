package eventtest

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/event"
)

// recorder is a Handler that remembers what it accepted and refuses the
// events it is told to, a number of times each.
type recorder struct {
	mu     sync.Mutex
	seen   []event.Envelope
	refuse map[int64]int // sequence -> refusals left
}

var errDownstream = errors.New("downstream unavailable")

func (r *recorder) handle(_ context.Context, e event.Envelope) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.refuse[e.Sequence] > 0 {
		r.refuse[e.Sequence]--
		return errDownstream
	}
	r.seen = append(r.seen, e)
	return nil
}

func (r *recorder) ids() []uuid.UUID {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]uuid.UUID, len(r.seen))
	for i, e := range r.seen {
		out[i] = e.ID
	}
	return out
}

func ids(es []event.Envelope) []uuid.UUID {
	out := make([]uuid.UUID, len(es))
	for i, e := range es {
		out[i] = e.ID
	}
	return out
}

func (f *fixture) cursor(name string) int64 {
	f.t.Helper()
	seq, err := f.log.Cursor(f.ctx, name)
	require.NoError(f.t, err)
	return seq
}

// A refused event stops its subscriber only, comes again next round, and
// nothing after it is skipped.
func testDelivery(t *testing.T, f *fixture) {
	want := events(4, start)
	f.add(want...)
	feed := event.NewFeed(f.log)
	flaky := &recorder{refuse: map[int64]int{3: 2}}
	steady := &recorder{}
	require.NoError(t, feed.Subscribe(f.ctx, "analytics", flaky.handle))
	require.NoError(t, feed.Subscribe(f.ctx, "risk", steady.handle))

	n, err := feed.Deliver(f.ctx)
	require.ErrorIs(t, err, errDownstream)
	require.Equal(t, 2+4, n, "the flaky subscriber stops at its refusal; the other goes on")
	require.Equal(t, ids(want[:2]), flaky.ids())
	require.Equal(t, ids(want), steady.ids())
	require.Equal(t, int64(2), f.cursor("analytics"), "saved at the last accepted event")
	require.Equal(t, int64(4), f.cursor("risk"))
	requireSame(t, want, steady.seen)

	_, err = feed.Deliver(f.ctx)
	require.ErrorIs(t, err, errDownstream, "refused once more")
	n, err = feed.Deliver(f.ctx)
	require.NoError(t, err)
	require.Equal(t, 2, n)
	require.Equal(t, ids(want), flaky.ids(), "redelivered from the refused event, none skipped")

	n, err = feed.Deliver(f.ctx)
	require.NoError(t, err)
	require.Zero(t, n, "nothing new")
	more := events(1, start.Add(time.Hour))
	f.add(more...)
	n, err = feed.Deliver(f.ctx)
	require.NoError(t, err)
	require.Equal(t, 2, n, "one new event for each subscriber")
}

// A new Feed on the same Log (a restarted process) resumes each
// subscriber after the last event it accepted.
func testDeliveryResumes(t *testing.T, f *fixture) {
	want := events(3, start)
	f.add(want[:2]...)
	first := &recorder{}
	feed := event.NewFeed(f.log)
	require.NoError(t, feed.Subscribe(f.ctx, "risk", first.handle))
	_, err := feed.Deliver(f.ctx)
	require.NoError(t, err)
	f.add(want[2])

	restarted := event.NewFeed(f.log)
	again := &recorder{}
	require.NoError(t, restarted.Subscribe(f.ctx, "risk", again.handle))
	_, err = restarted.Deliver(f.ctx)
	require.NoError(t, err)
	require.Equal(t, ids(want[:2]), first.ids())
	require.Equal(t, ids(want[2:]), again.ids())

	late := &recorder{}
	require.NoError(t, restarted.Subscribe(f.ctx, "analytics", late.handle))
	_, err = restarted.Deliver(f.ctx)
	require.NoError(t, err)
	require.Equal(t, ids(want), late.ids(), "a new subscriber starts at the oldest event")
}

// More than a page of events is delivered in one round, in order; a
// refusal on the second page keeps the first page's progress.
func testDeliveryBacklog(t *testing.T, f *fixture) {
	const n = 2*event.PageSize + 7
	want := events(n, start)
	for i := 0; i < n; i += 250 {
		f.add(want[i:min(n, i+250)]...)
	}
	feed := event.NewFeed(f.log)
	all := &recorder{}
	stops := &recorder{refuse: map[int64]int{event.PageSize + 100: 1}}
	require.NoError(t, feed.Subscribe(f.ctx, "analytics", all.handle))
	require.NoError(t, feed.Subscribe(f.ctx, "risk", stops.handle))

	handled, err := feed.Deliver(f.ctx)
	require.ErrorIs(t, err, errDownstream)
	require.Equal(t, n+event.PageSize+99, handled)
	require.Equal(t, ids(want), all.ids())
	require.Equal(t, span(1, n), sequences(all.seen))
	require.Equal(t, int64(n), f.cursor("analytics"))
	require.Equal(t, int64(event.PageSize+99), f.cursor("risk"))

	handled, err = feed.Deliver(f.ctx)
	require.NoError(t, err)
	require.Equal(t, n-event.PageSize-99, handled)
	require.Equal(t, ids(want), stops.ids())
}
