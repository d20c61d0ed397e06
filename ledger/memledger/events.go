package memledger

import (
	"context"

	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/ledger"
)

// Events implements ledger.Store. The outbox is the journal itself: event
// i+1 is record i, appended under the same lock as the entry, so sequences
// appear without gaps and in order. Each event's entry is rebuilt from its
// record (ReversedBy unset, as posted).
func (s *Store) Events(ctx context.Context, after int64, limit int) ([]ledger.EntryPosted, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit < 1 {
		return nil, fault.Field(ledger.ErrInvalidInput, "limit", "must be positive")
	}
	after = max(after, 0)
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := int64(s.journal.len())
	if after >= n {
		return nil, nil
	}
	end := min(n, after+int64(limit))
	out := make([]ledger.EntryPosted, 0, end-after)
	for seq := after; seq < end; seq++ {
		out = append(out, ledger.EntryPosted{Sequence: seq + 1, Entry: s.journal.entry(uint32(seq), s.accountList)})
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
