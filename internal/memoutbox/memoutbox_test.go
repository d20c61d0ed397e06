package memoutbox_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/event/eventtest"
	"github.com/bankkit/bankkit/internal/memoutbox"
)

// An outbox that keeps whole envelopes, as the customer store does.
func TestContractStored(t *testing.T) {
	eventtest.Run(t, func(*testing.T) (event.Log, eventtest.Append) {
		var mu sync.Mutex // the source's lock
		o := memoutbox.New("test", memoutbox.Stored)
		return o, func(ctx context.Context, es ...event.Envelope) error {
			mu.Lock()
			defer mu.Unlock()
			for _, e := range es {
				o.Append(e.Clone())
			}
			return nil
		}
	})
}

// journal is a source that keeps its own record of what happened, as the
// ledger keeps its journal: the outbox stores nothing per event but the
// count, and the event of Sequence n is the journal's n-th record.
type journal struct {
	mu      sync.RWMutex
	records []event.Envelope
	outbox  *memoutbox.Outbox[struct{}]
}

func newJournal() *journal {
	j := &journal{}
	j.outbox = memoutbox.New("journal", j.render)
	return j
}

func (j *journal) add(_ context.Context, es ...event.Envelope) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, e := range es {
		j.records = append(j.records, e.Clone())
		j.outbox.Append(struct{}{})
	}
	return nil
}

// render takes the source's lock: the outbox calls it without its own.
func (j *journal) render(seq int64, _ struct{}) event.Envelope {
	j.mu.RLock()
	defer j.mu.RUnlock()
	return j.records[seq-1].Clone()
}

func TestContractJournal(t *testing.T) {
	eventtest.Run(t, func(*testing.T) (event.Log, eventtest.Append) {
		j := newJournal()
		return j.outbox, j.add
	})
}

// A source whose journal is the outbox pays no allocation per event.
func TestJournalAppendAllocatesNothing(t *testing.T) {
	o := memoutbox.New("ledger", func(int64, struct{}) event.Envelope { return event.Envelope{} })
	allocs := testing.AllocsPerRun(10000, func() { o.Append(struct{}{}) })
	require.Zero(t, allocs)
}

func TestAppendReturnsTheSequence(t *testing.T) {
	o := memoutbox.New("test", memoutbox.Stored)
	e, err := event.New("test.done", 1, time.Now(), struct{}{})
	require.NoError(t, err)
	require.Equal(t, int64(1), o.Append(e))
	require.Equal(t, int64(2), o.Append(e))
}

// BenchmarkAppendJournal is the cost a source whose journal is the outbox
// adds to each change.
func BenchmarkAppendJournal(b *testing.B) {
	o := memoutbox.New("ledger", func(int64, struct{}) event.Envelope { return event.Envelope{} })
	b.ReportAllocs()
	for b.Loop() {
		o.Append(struct{}{})
	}
}

// BenchmarkDeliverJournal times one subscriber whose handler does nothing
// receiving b.N events rendered from a journal.
func BenchmarkDeliverJournal(b *testing.B) {
	ctx := context.Background()
	j := newJournal()
	e, err := event.New("test.done", 1, time.Now(), map[string]string{"state": "open"})
	require.NoError(b, err)
	for range b.N {
		require.NoError(b, j.add(ctx, e))
	}
	feed := event.NewFeed(j.outbox)
	require.NoError(b, feed.Subscribe(ctx, "bench", func(context.Context, event.Envelope) error { return nil }))
	b.ResetTimer()
	n, err := feed.Deliver(ctx)
	b.StopTimer()
	require.NoError(b, err)
	require.Equal(b, b.N, n)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}
