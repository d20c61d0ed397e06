// Package memoutbox is the in-memory event.Log every subsystem's memory
// backend uses, so none writes an outbox of its own.
//
// The outbox keeps one record per event, of the source's choosing, and
// renders it to an event.Envelope only when the event is read. A source
// that already keeps what an event says (the ledger's journal) stores next
// to nothing: a record of type struct{} takes no memory and Append then
// allocates nothing, the render function finding the event by its
// Sequence. A source without such a journal stores whole envelopes
// (New[event.Envelope] with Stored).
//
// The source appends under its own lock, in the same critical section as
// the change, after everything that could refuse the change: so events
// appear in the order of the changes, and only for changes that happened.
// Render is called without the outbox's lock held, so it may take the
// source's.
package memoutbox

import (
	"context"
	"fmt"
	"math"
	"sync"
	"time"

	"github.com/bankkit/bankkit/event"
)

// Outbox is an in-memory event.Log of records of type R. Call New; the
// zero value is not usable. It is safe for concurrent use.
type Outbox[R any] struct {
	source string
	render func(seq int64, r R) event.Envelope

	mu      sync.Mutex
	first   int64 // the Sequence of records[0]
	records []R
	cursors map[string]int64

	pruneMu sync.Mutex // one Prune at a time: only Prune drops records
}

var _ event.Log = (*Outbox[struct{}])(nil)

// New returns an empty outbox of the named source. render turns the record
// of event seq into its envelope; the outbox sets Source and Sequence.
func New[R any](source string, render func(seq int64, r R) event.Envelope) *Outbox[R] {
	return &Outbox[R]{source: source, render: render, first: 1, cursors: map[string]int64{}}
}

// Stored is the render function of an outbox that keeps whole envelopes:
// each is handed out as a copy.
func Stored(_ int64, e event.Envelope) event.Envelope { return e.Clone() }

// Append adds the record of the next event and returns its Sequence.
func (o *Outbox[R]) Append(r R) int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.records = append(o.records, r)
	return o.first + int64(len(o.records)) - 1
}

// window returns the records of events after after, at most limit of them,
// and the Sequence of the first. Records are never changed once appended,
// so the slice stays valid after the lock is released.
func (o *Outbox[R]) window(after int64, limit int) ([]R, int64) {
	o.mu.Lock()
	defer o.mu.Unlock()
	from := max(after+1, o.first)
	i := from - o.first
	if i >= int64(len(o.records)) {
		return nil, from
	}
	j := min(int64(len(o.records)), i+int64(limit))
	return o.records[i:j:j], from
}

// Read implements event.Log.
func (o *Outbox[R]) Read(ctx context.Context, after int64, limit int) ([]event.Envelope, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	records, first := o.window(after, limit)
	if len(records) == 0 {
		return nil, nil
	}
	out := make([]event.Envelope, len(records))
	for i, r := range records {
		seq := first + int64(i)
		out[i] = o.render(seq, r)
		out[i].Source, out[i].Sequence = o.source, seq
	}
	return out, nil
}

// Register implements event.Log.
func (o *Outbox[R]) Register(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, ok := o.cursors[name]; !ok {
		o.cursors[name] = 0
	}
	return nil
}

// Cursor implements event.Log.
func (o *Outbox[R]) Cursor(ctx context.Context, name string) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	seq, ok := o.cursors[name]
	if !ok {
		return 0, unknown(name)
	}
	return seq, nil
}

// Advance implements event.Log.
func (o *Outbox[R]) Advance(ctx context.Context, name string, seq int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	cur, ok := o.cursors[name]
	if !ok {
		return unknown(name)
	}
	o.cursors[name] = max(cur, seq)
	return nil
}

// Remove implements event.Log.
func (o *Outbox[R]) Remove(ctx context.Context, name string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	delete(o.cursors, name)
	return nil
}

// Prune implements event.Log. It renders the oldest events to read their
// time, outside the lock, and then drops them.
func (o *Outbox[R]) Prune(ctx context.Context, before time.Time, limit int) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	o.pruneMu.Lock()
	defer o.pruneMu.Unlock()
	o.mu.Lock()
	upTo := int64(math.MaxInt64)
	for _, seq := range o.cursors {
		upTo = min(upTo, seq)
	}
	o.mu.Unlock()
	records, first := o.window(0, limit)
	n := 0
	for i, r := range records {
		seq := first + int64(i)
		if seq > upTo || !o.render(seq, r).OccurredAt.Before(before) {
			break
		}
		n++
	}
	o.mu.Lock()
	defer o.mu.Unlock()
	o.records = o.records[n:]
	o.first += int64(n)
	return n, nil
}

func unknown(name string) error {
	return fmt.Errorf("%w: %q", event.ErrUnknownCursor, name)
}
