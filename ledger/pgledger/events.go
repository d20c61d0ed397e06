package pgledger

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/internal/pgoutbox"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
)

// The outbox is the shared one (internal/pgoutbox) in the ledger schema.
// The posting function writes a minimal row, (event_id) with the entry's
// ID, in the entry's statement; the event is rendered from the entry when
// it is read, a page of entries in one query.

// newOutbox returns the ledger's outbox on db.
func newOutbox(db *sqlx.DB) *pgoutbox.Outbox {
	return pgoutbox.New(db, Schema, ledger.EventSource, func(ctx context.Context, page []event.Envelope) error {
		return renderEvents(ctx, db, page)
	})
}

// Events implements ledger.Store.
func (s *Store) Events() event.Log { return s.outbox }

// eventPosting is one posting of a page's entries, with its entry's
// fields: the render query returns one row per posting, entry by entry.
type eventPosting struct {
	EntryID   ledger.ID       `db:"id"`
	Kind      string          `db:"kind"`
	ValueDate string          `db:"value_date"`
	BookedAt  time.Time       `db:"booked_at"`
	Reverses  *ledger.ID      `db:"reverses"`
	HoldID    *ledger.ID      `db:"hold_id"`
	RefClient sql.NullString  `db:"ref_client"`
	Ref       sql.NullString  `db:"external_ref"`
	AccountID ledger.ID       `db:"account_id"`
	Side      string          `db:"side"`
	Amount    decimal.Decimal `db:"amount"`
	Currency  string          `db:"currency"`
}

// renderEvents fills in the page's events from their entries, read with
// their postings in one query.
func renderEvents(ctx context.Context, db sqlx.QueryerContext, page []event.Envelope) error {
	ids := make(pq.StringArray, 0, len(page))
	for _, e := range page {
		if e.Payload == nil { // an entry's minimal row; account and hold events are whole
			ids = append(ids, e.ID.String())
		}
	}
	var rows []eventPosting
	if err := sqlx.SelectContext(ctx, db, &rows, `SELECT e.id, e.kind, to_char(e.value_date, 'YYYY-MM-DD') AS value_date,
			e.booked_at, e.reverses, e.hold_id, x.ref_client, x.external_ref, p.account_id, p.side, p.amount, p.currency
		FROM ledger.entries e JOIN ledger.postings p ON p.entry_id = e.id
		LEFT JOIN ledger.entry_refs x ON x.entry_id = e.id
		WHERE e.id = ANY($1::uuid[])
		ORDER BY p.entry_id, p.idx`, ids); err != nil {
		return err
	}
	entries, err := postedEntries(rows)
	if err != nil {
		return err
	}
	for i, ev := range page {
		if ev.Payload != nil {
			continue
		}
		e := entries[ev.ID]
		if e == nil {
			return fmt.Errorf("pgledger: event %d names missing entry %s", ev.Sequence, ev.ID)
		}
		if page[i], err = ledger.EntryPostedEvent(*e); err != nil {
			return err
		}
	}
	return nil
}

// postedEntries gathers the rows into their entries, as far as an event
// tells of them.
func postedEntries(rows []eventPosting) (map[ledger.ID]*ledger.Entry, error) {
	entries := make(map[ledger.ID]*ledger.Entry)
	for _, r := range rows {
		e := entries[r.EntryID]
		if e == nil {
			vd, err := parseDate(r.ValueDate)
			if err != nil {
				return nil, fmt.Errorf("pgledger: entry %s: %w", r.EntryID, err)
			}
			e = &ledger.Entry{ID: r.EntryID, Kind: ledger.EntryKind(r.Kind), ValueDate: vd, BookedAt: r.BookedAt}
			if r.Reverses != nil {
				e.Reverses = *r.Reverses
			}
			if r.HoldID != nil {
				e.HoldID = *r.HoldID
			}
			if r.Ref.Valid {
				e.ExternalRef = ledger.ExternalRef{Client: r.RefClient.String, Ref: r.Ref.String}
			}
			entries[r.EntryID] = e
		}
		e.Postings = append(e.Postings, ledger.Posting{AccountID: r.AccountID, Side: ledger.Side(r.Side),
			Amount: money.Money{Amount: r.Amount, Currency: money.Currency(r.Currency)}})
	}
	return entries, nil
}
