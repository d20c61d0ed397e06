package event

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// PageSize is how many events a delivery round reads at once, and so how
// many come again at most if the process stops mid-page. It is also the
// most Read returns.
const PageSize = 500

// pruneBatch is how many events one Log.Prune call deletes, so that pruning
// a long backlog is many short transactions, not one long one.
const pruneBatch = 1000

// MaxNameLength is the longest subscriber name, in bytes.
const MaxNameLength = 100

// Handler consumes one event. Returning an error refuses it: delivery to
// this subscriber stops, and the event comes again on the next round. A
// handler may see an event again after a failure (delivery is at least
// once), so it must be idempotent: Envelope.ID is the key to remember.
type Handler func(ctx context.Context, e Envelope) error

type subscriber struct {
	name    string
	handler Handler
}

// Feed delivers one source's events to its subscribers and prunes them.
// It is safe for concurrent use. Delivery is meant to run in one process
// at a time (Run); two would deliver the same events twice, which at
// least once allows but wastes.
type Feed struct {
	log Log

	subMu sync.Mutex
	subs  []subscriber

	deliverMu sync.Mutex
}

// NewFeed returns a Feed over a source's Log.
func NewFeed(log Log) *Feed { return &Feed{log: log} }

func checkName(name string) error {
	if name == "" || len(name) > MaxNameLength {
		return invalid("name", fmt.Sprintf("must be 1 to %d bytes", MaxNameLength))
	}
	return nil
}

// Subscribe registers h under a durable name. The Log keeps the name's
// cursor, the last event the subscriber accepted, so delivery resumes
// there after a restart; a new name starts at the oldest event kept. The
// cursor is registered before Subscribe returns, so from then on pruning
// waits for this subscriber. ErrDuplicate if the name is subscribed to this
// Feed already.
func (f *Feed) Subscribe(ctx context.Context, name string, h Handler) error {
	if err := checkName(name); err != nil {
		return err
	}
	if h == nil {
		return invalid("handler", "is required")
	}
	f.subMu.Lock()
	defer f.subMu.Unlock()
	if slices.ContainsFunc(f.subs, func(s subscriber) bool { return s.name == name }) {
		return fmt.Errorf("%w: %q", ErrDuplicate, name)
	}
	if err := f.log.Register(ctx, name); err != nil {
		return err
	}
	f.subs = append(f.subs, subscriber{name: name, handler: h})
	return nil
}

// Unsubscribe retires a subscriber for good: its handler stops here and
// its durable cursor is removed, so pruning no longer waits for it. A
// process that merely stops needs no Unsubscribe; its cursor waits for it.
func (f *Feed) Unsubscribe(ctx context.Context, name string) error {
	if err := checkName(name); err != nil {
		return err
	}
	f.subMu.Lock()
	defer f.subMu.Unlock()
	if err := f.log.Remove(ctx, name); err != nil {
		return err
	}
	f.subs = slices.DeleteFunc(f.subs, func(s subscriber) bool { return s.name == name })
	return nil
}

// Deliver runs one delivery round: every subscriber gets the events after
// its cursor, in Sequence order, a page at a time. The cursor is saved
// after each page the handler has accepted, and at the last accepted event
// when it refuses one: a refusal stops that subscriber's round (the
// refused event comes again next round) without holding up the others,
// and the errors are joined in the result. Should the process stop between
// saves, the events handled since the last one come again, which at least
// once allows. It returns how many events were handled.
func (f *Feed) Deliver(ctx context.Context) (int, error) {
	f.deliverMu.Lock()
	defer f.deliverMu.Unlock()
	f.subMu.Lock()
	subs := slices.Clone(f.subs)
	f.subMu.Unlock()

	handled := 0
	var errs []error
	for _, sub := range subs {
		n, err := f.deliverTo(ctx, sub)
		handled += n
		if err != nil {
			errs = append(errs, fmt.Errorf("subscriber %q: %w", sub.name, err))
		}
		if ctx.Err() != nil {
			break
		}
	}
	return handled, errors.Join(errs...)
}

// deliverTo gives one subscriber the events after its cursor. Saving the
// cursor is a write, and on PostgreSQL a commit; once per event it capped
// the ledger's delivery at about a fifth of what it posts.
func (f *Feed) deliverTo(ctx context.Context, sub subscriber) (int, error) {
	cursor, err := f.log.Cursor(ctx, sub.name)
	if err != nil {
		return 0, err
	}
	handled := 0
	for {
		events, err := f.log.Read(ctx, cursor, PageSize)
		if err != nil {
			return handled, err
		}
		accepted := cursor
		var refused error
		for _, e := range events {
			if refused = sub.handler(ctx, e); refused != nil {
				break
			}
			accepted = e.Sequence
			handled++
		}
		if accepted != cursor {
			if err := f.log.Advance(ctx, sub.name, accepted); err != nil {
				return handled, err
			}
			cursor = accepted
		}
		if refused != nil {
			return handled, refused
		}
		if len(events) < PageSize {
			return handled, nil
		}
	}
}

// Run calls Deliver every interval until ctx is done, then returns nil.
// Refused events are retried on the next round; onError, if not nil,
// hears about each round's errors.
func (f *Feed) Run(ctx context.Context, interval time.Duration, onError func(error)) error {
	if interval <= 0 {
		return invalid("interval", "must be positive")
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := f.Deliver(ctx); err != nil && onError != nil && ctx.Err() == nil {
			onError(err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// Read returns up to limit (1 to PageSize) events after Sequence after, in
// order, without moving any cursor: for inspection and replay.
func (f *Feed) Read(ctx context.Context, after int64, limit int) ([]Envelope, error) {
	if after < 0 {
		return nil, invalid("after", "must not be negative")
	}
	if limit < 1 || limit > PageSize {
		return nil, invalid("limit", fmt.Sprintf("must be 1 to %d", PageSize))
	}
	return f.log.Read(ctx, after, limit)
}

// Cursor returns the Sequence of the last event the subscriber name has
// accepted (0: none yet), or ErrUnknownCursor: how far behind it is.
func (f *Feed) Cursor(ctx context.Context, name string) (int64, error) {
	if err := checkName(name); err != nil {
		return 0, err
	}
	return f.log.Cursor(ctx, name)
}

// Prune deletes the delivered events that occurred before before: those
// every registered subscriber has accepted. Pass the time a consumer that
// has not subscribed yet should still find events from, such as now less a
// retention window of some days. It returns how many it deleted.
func (f *Feed) Prune(ctx context.Context, before time.Time) (int, error) {
	total := 0
	for {
		n, err := f.log.Prune(ctx, before, pruneBatch)
		total += n
		if err != nil || n < pruneBatch {
			return total, err
		}
	}
}
