package pgledger

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/internal/pgtx"
	"github.com/bankkit/bankkit/ledger"
)

// BusinessDate implements ledger.Store.
func (s *Store) BusinessDate(ctx context.Context, initial calendar.Date) (calendar.Date, error) {
	text, err := s.readBusinessDate(ctx)
	if err == nil {
		return parseDate(text)
	}
	if noRows(err, nil) != nil {
		return calendar.Date{}, err
	}
	if !initial.Valid() {
		return calendar.Date{}, fault.Field(ledger.ErrInvalidInput, "business_date", "the initial business date is not a valid date")
	}
	err = s.db.GetContext(ctx, &text, `WITH first AS (
			INSERT INTO ledger.business_date (business_date) VALUES ($1::date)
			ON CONFLICT (singleton) DO NOTHING RETURNING business_date)
		SELECT to_char(business_date, 'YYYY-MM-DD') FROM first
		UNION ALL
		SELECT to_char(business_date, 'YYYY-MM-DD') FROM ledger.business_date
		LIMIT 1`, sqlDate(initial))
	if err != nil {
		return calendar.Date{}, err
	}
	return parseDate(text)
}

// Events implements ledger.Store.
//
// Outbox rows get their sequence here rather than when the entry commits:
// a sequence drawn inside the posting transaction could become visible
// after a higher one that committed first, and a subscriber past it would
// miss it. Instead Events, under a lock on the single sequencer row,
// numbers the committed rows that have no sequence yet, in insertion
// order, after every number handed out before. A row that commits later
// gets a later number, so no gap is ever filled in behind a reader.
func (s *Store) Events(ctx context.Context, after int64, limit int) ([]ledger.EntryPosted, error) {
	if limit < 1 {
		return nil, fault.Field(ledger.ErrInvalidInput, "limit", "must be positive")
	}
	if err := s.sequence(ctx); err != nil {
		return nil, err
	}
	var rows []struct {
		Sequence int64     `db:"sequence"`
		EntryID  ledger.ID `db:"entry_id"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT sequence, entry_id FROM ledger.outbox
		WHERE sequence > $1 ORDER BY sequence LIMIT $2`, max(after, 0), limit); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, nil
	}
	ids := make([]ledger.ID, len(rows))
	for i, r := range rows {
		ids[i] = r.EntryID
	}
	entries, err := loadEntries(ctx, s.db, ids)
	if err != nil {
		return nil, err
	}
	byID := make(map[ledger.ID]ledger.Entry, len(entries))
	for _, e := range entries {
		e.ReversedBy = ledger.NilID // the event describes the entry as posted
		byID[e.ID] = e
	}
	out := make([]ledger.EntryPosted, 0, len(rows))
	for _, r := range rows {
		e, ok := byID[r.EntryID]
		if !ok {
			return nil, fmt.Errorf("pgledger: outbox sequence %d names missing entry %s", r.Sequence, r.EntryID)
		}
		out = append(out, ledger.EntryPosted{Sequence: r.Sequence, Entry: e})
	}
	return out, nil
}

// sequence numbers the committed outbox rows that have no sequence yet.
func (s *Store) sequence(ctx context.Context) error {
	var pending bool
	if err := s.db.GetContext(ctx, &pending,
		`SELECT EXISTS (SELECT 1 FROM ledger.outbox WHERE sequence IS NULL)`); err != nil {
		return err
	}
	if !pending {
		return nil
	}
	return pgtx.Run(ctx, s.db, nil, func(tx *sqlx.Tx) error {
		var last int64
		if err := tx.GetContext(ctx, &last, `SELECT last FROM ledger.outbox_sequencer FOR UPDATE`); err != nil {
			return err
		}
		// A new statement, so a new snapshot: it sees every row committed
		// before the lock was granted, including another caller's numbers.
		_, err := tx.ExecContext(ctx, `WITH numbered AS (
				SELECT id, $1 + row_number() OVER (ORDER BY id) AS sequence
				FROM ledger.outbox WHERE sequence IS NULL
			), assigned AS (
				UPDATE ledger.outbox o SET sequence = n.sequence
				FROM numbered n WHERE o.id = n.id
				RETURNING n.sequence
			)
			UPDATE ledger.outbox_sequencer SET last = COALESCE((SELECT max(sequence) FROM assigned), last)`, last)
		return err
	})
}

// Cursor implements ledger.Store.
func (s *Store) Cursor(ctx context.Context, subscriber string) (int64, error) {
	var seq int64
	err := s.db.GetContext(ctx, &seq, `SELECT sequence FROM ledger.subscriber_cursors WHERE subscriber = $1`, subscriber)
	if err != nil {
		return 0, noRows(err, nil)
	}
	return seq, nil
}

// SetCursor implements ledger.Store.
func (s *Store) SetCursor(ctx context.Context, subscriber string, seq int64) error {
	if seq < 0 {
		return nil // never below the start, where every cursor begins
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO ledger.subscriber_cursors (subscriber, sequence) VALUES ($1, $2)
		ON CONFLICT (subscriber) DO UPDATE SET sequence = GREATEST(ledger.subscriber_cursors.sequence, EXCLUDED.sequence)`,
		subscriber, seq)
	return err
}
