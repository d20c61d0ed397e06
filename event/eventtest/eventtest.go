// Package eventtest is the contract suite every event.Log must pass. A
// backend's tests call Run with a constructor that returns a fresh, empty
// Log and the way the backend appends events, which a source does inside
// its own transaction and so is not part of event.Log:
//
//	func TestContract(t *testing.T) {
//		eventtest.Run(t, func(t *testing.T) (event.Log, eventtest.Append) {
//			o := memoutbox.New("test", memoutbox.Stored)
//			return o, func(_ context.Context, es ...event.Envelope) error { ... o.Append(e) ...; return nil }
//		})
//	}
//
// The suite checks paging and order, cursors, delivery through an
// event.Feed (at least once, per-subscriber cursors, redelivery),
// visibility under concurrent appends and the pruning rules.
package eventtest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/event"
)

// Append writes events to the Log under test as one atomic step, in
// order, the way the source's transaction would. The envelopes are
// complete (event.New); a backend may keep only part of each and render
// the rest when read, as long as what it reads back is the same event.
type Append func(ctx context.Context, events ...event.Envelope) error

// Run runs the contract suite. newLog must return a fresh, empty Log on
// every call.
func Run(t *testing.T, newLog func(t *testing.T) (event.Log, Append)) {
	tests := []struct {
		name string
		fn   func(t *testing.T, f *fixture)
	}{
		{"ReadPagesInOrder", testReadPagesInOrder},
		{"ReadHandsOutCopies", testReadHandsOutCopies},
		{"Cursors", testCursors},
		{"DeliveryAtLeastOnceInOrder", testDelivery},
		{"DeliveryResumesAfterRestart", testDeliveryResumes},
		{"DeliveryPagesThroughABacklog", testDeliveryBacklog},
		{"ConcurrentAppendsBecomeVisibleInOrder", testConcurrentAppends},
		{"PruneWaitsForEveryCursor", testPruneWaitsForCursors},
		{"PruneKeepsTheRetentionWindow", testPruneRetention},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			log, appendFn := newLog(t)
			tt.fn(t, &fixture{t: t, ctx: context.Background(), log: log, append: appendFn})
		})
	}
}

// fixture is one test's Log.
type fixture struct {
	t      *testing.T
	ctx    context.Context
	log    event.Log
	append Append
}

// start is Monday 2026-03-02, 09:00 UTC.
var start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// events returns n new events, the i-th occurring i minutes after at,
// with a payload and subjects that differ between them.
func events(n int, at time.Time) []event.Envelope {
	out := make([]event.Envelope, n)
	for i := range out {
		e, err := event.New("test.thing_happened", 1+i%2, at.Add(time.Duration(i)*time.Minute),
			map[string]any{"n": i, "state": fmt.Sprintf("s%d", i)}, uuid.Must(uuid.NewV7()))
		if err != nil {
			panic(err)
		}
		if i%3 == 0 {
			e.BusinessDate = calendar.DateOf(e.OccurredAt)
		}
		out[i] = e
	}
	return out
}

// add appends es in one step.
func (f *fixture) add(es ...event.Envelope) {
	f.t.Helper()
	require.NoError(f.t, f.append(f.ctx, es...))
}

// read returns every event after after.
func (f *fixture) read(after int64) []event.Envelope {
	f.t.Helper()
	var out []event.Envelope
	for {
		page, err := f.log.Read(f.ctx, after, event.PageSize)
		require.NoError(f.t, err)
		out = append(out, page...)
		if len(page) < event.PageSize {
			return out
		}
		after = page[len(page)-1].Sequence
	}
}

// requireSame asserts got are the events want, in order: what was
// appended, read back.
func requireSame(t *testing.T, want, got []event.Envelope) {
	t.Helper()
	require.Len(t, got, len(want))
	for i := range want {
		w, g := want[i], got[i]
		require.Equal(t, w.ID, g.ID, "event %d", i)
		require.Equal(t, w.Type, g.Type)
		require.Equal(t, w.Version, g.Version)
		require.True(t, w.OccurredAt.Equal(g.OccurredAt), "occurred at %s, want %s", g.OccurredAt, w.OccurredAt)
		require.Equal(t, w.BusinessDate, g.BusinessDate)
		require.Equal(t, w.Subjects, g.Subjects)
		require.JSONEq(t, string(w.Payload), string(g.Payload))
		require.NoError(t, g.Validate())
	}
}

// sequences returns the events' sequences.
func sequences(es []event.Envelope) []int64 {
	out := make([]int64, len(es))
	for i, e := range es {
		out[i] = e.Sequence
	}
	return out
}

// span returns from, from+1, ..., to.
func span(from, to int64) []int64 {
	var out []int64
	for s := from; s <= to; s++ {
		out = append(out, s)
	}
	return out
}
