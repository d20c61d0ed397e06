package pgledger

import (
	"context"
	"errors"
	"sync"
)

// Every posting reads the business date first, so under load most of the
// store's queries would be that one-row read. Callers share reads instead:
// one that arrives while a read is in flight joins the next read, which
// starts when the one in flight ends and serves everybody who arrived
// meanwhile. No caller is given a value read before it asked, so a date
// moved by end of day is seen exactly as without sharing.
type dateReads struct {
	mu      sync.Mutex
	current *dateRead // in flight
	next    *dateRead // waiting for current; callers join it
}

type dateRead struct {
	done chan struct{}
	text string
	err  error
}

// readBusinessDate returns the stored business date as YYYY-MM-DD, or
// sql.ErrNoRows before it is set.
func (s *Store) readBusinessDate(ctx context.Context) (string, error) {
	r := &s.dates
	r.mu.Lock()
	switch {
	case r.current == nil:
		d := &dateRead{done: make(chan struct{})}
		r.current = d
		r.mu.Unlock()
		return s.runDateRead(ctx, d)
	case r.next != nil:
		d := r.next
		r.mu.Unlock()
		select {
		case <-d.done:
		case <-ctx.Done():
			return "", ctx.Err()
		}
		if d.err != nil && ctx.Err() == nil && (errors.Is(d.err, context.Canceled) || errors.Is(d.err, context.DeadlineExceeded)) {
			return s.queryBusinessDate(ctx) // the reader gave up; this caller has not
		}
		return d.text, d.err
	default:
		d := &dateRead{done: make(chan struct{})}
		r.next = d
		cur := r.current
		r.mu.Unlock()
		select {
		case <-cur.done:
		case <-ctx.Done():
			// Give up the read; those who joined it read for themselves.
			r.mu.Lock()
			if r.next == d {
				r.next = nil
			}
			r.mu.Unlock()
			d.err = ctx.Err()
			close(d.done)
			return "", d.err
		}
		r.mu.Lock()
		r.current, r.next = d, nil
		r.mu.Unlock()
		return s.runDateRead(ctx, d)
	}
}

// runDateRead performs read d and hands its result to those who joined.
func (s *Store) runDateRead(ctx context.Context, d *dateRead) (string, error) {
	d.text, d.err = s.queryBusinessDate(ctx)
	s.dates.mu.Lock()
	if s.dates.current == d {
		s.dates.current = nil
	}
	s.dates.mu.Unlock()
	close(d.done)
	return d.text, d.err
}

// queryBusinessDate reads the business date from the database.
func (s *Store) queryBusinessDate(ctx context.Context) (string, error) {
	var text string
	err := s.stmts.GetContext(ctx, &text, `SELECT to_char(business_date, 'YYYY-MM-DD') FROM ledger.business_date`)
	return text, err
}
