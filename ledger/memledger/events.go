package memledger

import (
	"context"
	"maps"
	"slices"

	"github.com/bankkit/bankkit/ledger"
)

// Events implements ledger.Store. The outbox is appended under the same
// lock as the entry, so sequences appear without gaps and in order.
func (s *Store) Events(ctx context.Context, after int64, limit int) ([]ledger.EntryPosted, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit < 1 {
		return nil, &ledger.ValidationError{Field: "limit", Reason: "must be positive"}
	}
	after = max(after, 0)
	s.mu.RLock()
	defer s.mu.RUnlock()
	if after >= int64(len(s.outbox)) {
		return nil, nil
	}
	page := s.outbox[after:min(int64(len(s.outbox)), after+int64(limit))]
	out := make([]ledger.EntryPosted, len(page))
	for i, e := range page {
		copied := *e
		copied.Postings = slices.Clone(e.Postings)
		copied.Metadata = maps.Clone(e.Metadata)
		out[i] = ledger.EntryPosted{Sequence: after + int64(i) + 1, Entry: copied}
	}
	return out, nil
}

// Cursor implements ledger.Store.
func (s *Store) Cursor(ctx context.Context, subscriber string) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.cursors[subscriber], nil
}

// SetCursor implements ledger.Store.
func (s *Store) SetCursor(ctx context.Context, subscriber string, seq int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if seq > s.cursors[subscriber] {
		s.cursors[subscriber] = seq
	}
	return nil
}
