package pgledger

import (
	"context"
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

// eventEntry is an entry as its event needs it, postings in order.
type eventEntry struct {
	ID         ledger.ID      `db:"id"`
	Kind       string         `db:"kind"`
	ValueDate  string         `db:"value_date"`
	BookedAt   time.Time      `db:"booked_at"`
	Reverses   *ledger.ID     `db:"reverses"`
	HoldID     *ledger.ID     `db:"hold_id"`
	Accounts   pq.StringArray `db:"accounts"`
	Sides      pq.StringArray `db:"sides"`
	Amounts    pq.StringArray `db:"amounts"`
	Currencies pq.StringArray `db:"currencies"`
}

// renderEvents fills in the page's events from their entries.
func renderEvents(ctx context.Context, db sqlx.QueryerContext, page []event.Envelope) error {
	ids := make(pq.StringArray, len(page))
	for i, e := range page {
		ids[i] = e.ID.String()
	}
	var rows []eventEntry
	if err := sqlx.SelectContext(ctx, db, &rows, `SELECT e.id, e.kind, to_char(e.value_date, 'YYYY-MM-DD') AS value_date,
			e.booked_at, e.reverses, e.hold_id,
			array_agg(p.account_id ORDER BY p.idx) AS accounts, array_agg(p.side ORDER BY p.idx) AS sides,
			array_agg(p.amount ORDER BY p.idx) AS amounts, array_agg(p.currency ORDER BY p.idx) AS currencies
		FROM ledger.entries e JOIN ledger.postings p ON p.entry_id = e.id
		WHERE e.id = ANY($1::uuid[])
		GROUP BY e.id`, ids); err != nil {
		return err
	}
	byID := make(map[ledger.ID]*eventEntry, len(rows))
	for i := range rows {
		byID[rows[i].ID] = &rows[i]
	}
	for i, e := range page {
		r := byID[e.ID]
		if r == nil {
			return fmt.Errorf("pgledger: event %d names missing entry %s", e.Sequence, e.ID)
		}
		entry, err := r.entry()
		if err != nil {
			return err
		}
		if page[i], err = ledger.EntryPostedEvent(entry); err != nil {
			return err
		}
	}
	return nil
}

// entry returns the entry as posted, as far as its event tells.
func (r *eventEntry) entry() (ledger.Entry, error) {
	vd, err := parseDate(r.ValueDate)
	if err != nil {
		return ledger.Entry{}, fmt.Errorf("pgledger: entry %s: %w", r.ID, err)
	}
	e := ledger.Entry{ID: r.ID, Kind: ledger.EntryKind(r.Kind), ValueDate: vd, BookedAt: r.BookedAt,
		Postings: make([]ledger.Posting, len(r.Accounts))}
	if r.Reverses != nil {
		e.Reverses = *r.Reverses
	}
	if r.HoldID != nil {
		e.HoldID = *r.HoldID
	}
	for i := range e.Postings {
		id, err := ledger.ParseID(r.Accounts[i])
		if err != nil {
			return ledger.Entry{}, fmt.Errorf("pgledger: entry %s: %w", r.ID, err)
		}
		amount, err := decimal.NewFromString(r.Amounts[i])
		if err != nil {
			return ledger.Entry{}, fmt.Errorf("pgledger: entry %s: %w", r.ID, err)
		}
		e.Postings[i] = ledger.Posting{AccountID: id, Side: ledger.Side(r.Sides[i]),
			Amount: money.Money{Amount: amount, Currency: money.Currency(r.Currencies[i])}}
	}
	return e, nil
}
