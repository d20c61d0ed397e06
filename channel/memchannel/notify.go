package memchannel

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/bankkit/bankkit/channel"
)

// outbox holds channel.NotificationStore's records under their own lock.
type outbox struct {
	mu       sync.Mutex
	prefs    map[string]channel.Preferences
	messages map[uuid.UUID]channel.Message
	byDedup  map[string]uuid.UUID
	pending  map[uuid.UUID]struct{}
}

var _ channel.NotificationStore = (*Store)(nil)

func (s *Store) out() *outbox {
	s.outboxOnce.Do(func() {
		s.outbox = &outbox{prefs: map[string]channel.Preferences{}, messages: map[uuid.UUID]channel.Message{},
			byDedup: map[string]uuid.UUID{}, pending: map[uuid.UUID]struct{}{}}
	})
	return s.outbox
}

// Preferences implements channel.NotificationStore.
func (s *Store) Preferences(ctx context.Context, customerIDs []string) (map[string]channel.Preferences, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	o := s.out()
	o.mu.Lock()
	defer o.mu.Unlock()
	out := map[string]channel.Preferences{}
	for _, id := range customerIDs {
		if p, ok := o.prefs[id]; ok {
			p.Media = slices.Clone(p.Media)
			out[id] = p
		}
	}
	return out, nil
}

// PutPreferences implements channel.NotificationStore.
func (s *Store) PutPreferences(ctx context.Context, p channel.Preferences) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	o := s.out()
	o.mu.Lock()
	defer o.mu.Unlock()
	p.Media = slices.Clone(p.Media)
	o.prefs[p.CustomerID] = p
	return nil
}

// Enqueue implements channel.NotificationStore.
func (s *Store) Enqueue(ctx context.Context, ms []channel.Message) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	o := s.out()
	o.mu.Lock()
	defer o.mu.Unlock()
	n := 0
	for _, m := range ms {
		if _, ok := o.byDedup[m.DedupKey]; ok {
			continue
		}
		if _, ok := o.messages[m.ID]; ok {
			return n, fmt.Errorf("%w: message %s exists", channel.ErrDuplicate, m.ID)
		}
		o.messages[m.ID] = m
		o.byDedup[m.DedupKey] = m.ID
		if m.Status == channel.MessagePending {
			o.pending[m.ID] = struct{}{}
		}
		n++
	}
	return n, nil
}

// ClaimDue implements channel.NotificationStore.
func (s *Store) ClaimDue(ctx context.Context, now, until time.Time, limit int) ([]channel.Message, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	o := s.out()
	o.mu.Lock()
	defer o.mu.Unlock()
	var due []channel.Message
	for id := range o.pending {
		if m := o.messages[id]; !m.NextAttemptAt.After(now) {
			due = append(due, m)
		}
	}
	slices.SortFunc(due, func(a, b channel.Message) int {
		if c := a.NextAttemptAt.Compare(b.NextAttemptAt); c != 0 {
			return c
		}
		return bytes.Compare(a.ID[:], b.ID[:])
	})
	if len(due) > limit {
		due = due[:max(limit, 0)]
	}
	for i, m := range due {
		m.Attempts++
		m.NextAttemptAt = until
		o.messages[m.ID] = m
		due[i] = m
	}
	return due, nil
}

// MarkSent implements channel.NotificationStore.
func (s *Store) MarkSent(ctx context.Context, ids []uuid.UUID, at time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	o := s.out()
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, id := range ids {
		m, ok := o.messages[id]
		if !ok || m.Status != channel.MessagePending {
			continue
		}
		m.Status, m.SentAt, m.LastError = channel.MessageSent, at, ""
		o.messages[id] = m
		delete(o.pending, id)
	}
	return nil
}

// MarkFailure implements channel.NotificationStore.
func (s *Store) MarkFailure(ctx context.Context, id uuid.UUID, lastError string, next time.Time, final bool) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	o := s.out()
	o.mu.Lock()
	defer o.mu.Unlock()
	m, ok := o.messages[id]
	if !ok {
		return notFound("message", id)
	}
	if m.Status != channel.MessagePending {
		return nil
	}
	m.LastError, m.NextAttemptAt = lastError, next
	if final {
		m.Status = channel.MessageFailed
		delete(o.pending, id)
	}
	o.messages[id] = m
	return nil
}

// Message implements channel.NotificationStore.
func (s *Store) Message(ctx context.Context, id uuid.UUID) (channel.Message, error) {
	if err := ctx.Err(); err != nil {
		return channel.Message{}, err
	}
	o := s.out()
	o.mu.Lock()
	defer o.mu.Unlock()
	m, ok := o.messages[id]
	if !ok {
		return channel.Message{}, notFound("message", id)
	}
	return m, nil
}

// Messages implements channel.NotificationStore.
func (s *Store) Messages(ctx context.Context, customerID string, medium channel.Medium, before uuid.UUID, limit int) ([]channel.Message, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	o := s.out()
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []channel.Message
	for id, m := range o.messages {
		if m.CustomerID == customerID && (medium == "" || m.Medium == medium) && (before == uuid.Nil || bytes.Compare(id[:], before[:]) < 0) {
			out = append(out, m)
		}
	}
	slices.SortFunc(out, func(a, b channel.Message) int { return bytes.Compare(b.ID[:], a.ID[:]) })
	if len(out) > limit {
		out = out[:max(limit, 0)]
	}
	return out, nil
}

// MarkFailures implements channel.NotificationStore.
func (s *Store) MarkFailures(ctx context.Context, fs []channel.Failure) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	o := s.out()
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, f := range fs {
		m, ok := o.messages[f.ID]
		if !ok {
			continue
		}
		m.LastError, m.NextAttemptAt = f.LastError, f.Next
		if f.Final && m.Status == channel.MessagePending {
			m.Status = channel.MessageFailed
			delete(o.pending, f.ID)
		}
		o.messages[f.ID] = m
	}
	return nil
}

// DeleteMessages implements channel.NotificationStore.
func (s *Store) DeleteMessages(ctx context.Context, before time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	o := s.out()
	o.mu.Lock()
	defer o.mu.Unlock()
	n := 0
	for id, m := range o.messages {
		if m.Status != channel.MessagePending && m.CreatedAt.Before(before) {
			delete(o.messages, id)
			delete(o.byDedup, m.DedupKey)
			n++
		}
	}
	return n, nil
}
