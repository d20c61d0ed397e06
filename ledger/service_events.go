package ledger

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// eventPage is how many events a delivery round reads at once, and so
// how many come again at most if the process stops mid-page.
const eventPage = 500

type subscriber struct {
	name    string
	handler EventHandler
}

// Subscribe registers a handler for EntryPosted events under a durable
// name: the store remembers, per name, the last event the handler
// accepted, so delivery resumes there after a restart. A new name starts
// at the first event in the outbox. Delivery is at least once.
func (s *Service) Subscribe(name string, h EventHandler) error {
	if name == "" || len(name) > 100 {
		return invalid("name", "must be 1 to 100 bytes")
	}
	if h == nil {
		return invalid("handler", "is required")
	}
	s.subMu.Lock()
	defer s.subMu.Unlock()
	for _, sub := range s.subscribers {
		if sub.name == name {
			return fmt.Errorf("%w: subscriber %q", ErrDuplicate, name)
		}
	}
	s.subscribers = append(s.subscribers, subscriber{name: name, handler: h})
	return nil
}

// DeliverEvents runs one delivery round: every subscriber gets the events
// after its cursor, in sequence order. The cursor is saved after each page
// of events the handler has accepted, and at the last accepted event when
// it refuses one: a handler error stops that subscriber's round (the
// refused event comes again next round) without holding up the others;
// the errors are joined in the result. Should the process stop between
// saves, the events handled since the last one come again, which at least
// once allows. It returns how many events were handled.
func (s *Service) DeliverEvents(ctx context.Context) (int, error) {
	s.deliverMu.Lock()
	defer s.deliverMu.Unlock()
	s.subMu.Lock()
	subs := append([]subscriber(nil), s.subscribers...)
	s.subMu.Unlock()

	handled := 0
	var errs []error
	for _, sub := range subs {
		n, err := s.deliverTo(ctx, sub)
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
// delivery at about a fifth of what the ledger posts.
func (s *Service) deliverTo(ctx context.Context, sub subscriber) (int, error) {
	cursor, err := s.store.Cursor(ctx, sub.name)
	if err != nil {
		return 0, err
	}
	handled := 0
	for {
		events, err := s.store.Events(ctx, cursor, eventPage)
		if err != nil {
			return handled, err
		}
		accepted := cursor
		var refused error
		for _, ev := range events {
			if refused = sub.handler(ctx, ev); refused != nil {
				break
			}
			accepted = ev.Sequence
			handled++
		}
		if accepted != cursor {
			if err := s.store.SetCursor(ctx, sub.name, accepted); err != nil {
				return handled, err
			}
			cursor = accepted
		}
		if refused != nil {
			return handled, refused
		}
		if len(events) < eventPage {
			return handled, nil
		}
	}
}

// RunEventDelivery calls DeliverEvents every interval until ctx is done,
// then returns nil. Handler errors are retried on the next round; onError,
// if not nil, hears about each.
func (s *Service) RunEventDelivery(ctx context.Context, interval time.Duration, onError func(error)) error {
	if interval <= 0 {
		return invalid("interval", "must be positive")
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		if _, err := s.DeliverEvents(ctx); err != nil && onError != nil && ctx.Err() == nil {
			onError(err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
