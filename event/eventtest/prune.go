package eventtest

import (
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/event"
)

// later is a time after every event of these tests.
var later = start.Add(24 * time.Hour)

func (f *fixture) prune(before time.Time, limit int) int {
	f.t.Helper()
	n, err := f.log.Prune(f.ctx, before, limit)
	require.NoError(f.t, err)
	return n
}

// Pruning deletes only what every registered cursor has passed, oldest
// first and at most limit at a time; what is left keeps its sequences,
// and numbering goes on after the pruned ones.
func testPruneWaitsForCursors(t *testing.T, f *fixture) {
	want := events(10, start)
	f.add(want...)
	require.NoError(t, f.log.Register(f.ctx, "risk"))
	require.Zero(t, f.prune(later, 100), "a cursor at the start holds everything")

	require.NoError(t, f.log.Advance(f.ctx, "risk", 6))
	require.NoError(t, f.log.Register(f.ctx, "analytics"))
	require.NoError(t, f.log.Advance(f.ctx, "analytics", 4))
	require.Equal(t, 4, f.prune(later, 100), "up to the slowest cursor")
	left := f.read(0)
	require.Equal(t, span(5, 10), sequences(left))
	requireSame(t, want[4:], left)

	require.NoError(t, f.log.Remove(f.ctx, "analytics"))
	require.Equal(t, 1, f.prune(later, 1), "no more than limit")
	require.Equal(t, 1, f.prune(later, 100), "a removed cursor holds nothing back")
	require.Zero(t, f.prune(later, 100))
	require.Equal(t, span(7, 10), sequences(f.read(0)))

	feed := event.NewFeed(f.log)
	rec := &recorder{}
	require.NoError(t, feed.Subscribe(f.ctx, "risk", rec.handle))
	_, err := feed.Deliver(f.ctx)
	require.NoError(t, err)
	require.Equal(t, ids(want[6:]), rec.ids(), "delivery resumes after the cursor")
	n, err := feed.Prune(f.ctx, later)
	require.NoError(t, err)
	require.Equal(t, 4, n, "everything delivered to every subscriber")
	require.Empty(t, f.read(0))

	more := events(2, start)
	f.add(more...)
	got := f.read(0)
	require.Equal(t, []int64{11, 12}, sequences(got), "pruned sequences are never reused")
	requireSame(t, more, got)
}

// With no cursor in the way, pruning deletes the oldest events that
// occurred before the cutoff, and stops at the first that did not, even
// if older ones follow it: consumers that have not subscribed yet still
// find every event of the retention window, in order.
func testPruneRetention(t *testing.T, f *fixture) {
	want := events(5, start) // start, +1m, ..., +4m
	f.add(want...)
	require.Equal(t, 2, f.prune(start.Add(90*time.Second), 100), "the events of start and start+1m")
	require.Equal(t, span(3, 5), sequences(f.read(0)))
	require.Zero(t, f.prune(start.Add(90*time.Second), 100))

	old := events(1, start.Add(-time.Hour))
	f.add(old...)
	require.Equal(t, 1, f.prune(start.Add(150*time.Second), 100), "only start+2m; the older event behind younger ones stays")
	require.Equal(t, span(4, 6), sequences(f.read(0)))
	require.Equal(t, 3, f.prune(later, 100))
	require.Empty(t, f.read(0))
}
