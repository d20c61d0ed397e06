// Package pgoutbox is the PostgreSQL event.Log every subsystem's
// PostgreSQL backend uses, so none writes an outbox of its own.
//
// The tables (event_outbox, event_sequencer, event_cursors) live in the
// source's own schema, created by the shared migration set Migrations,
// which the backend passes to pgmigrate.Apply beside its own files. The
// backend appends inside the transaction of each change, with Append or,
// on a hot path, with its own INSERT of a minimal row:
//
//	INSERT INTO <schema>.event_outbox (event_id) VALUES ($1)          -- or (event_id, type)
//
// whose missing columns a Render function fills in when the row is read.
//
// Sequences are assigned lazily: a number drawn inside the writing
// transaction could become visible after a higher one that committed
// first, and a reader past it would miss it. Instead Read, under the lock
// on the sequencer row, numbers the committed rows that have none, in
// insertion order, after every number handed out before. A row that
// commits later gets a later number, so no gap is ever filled in behind a
// reader.
package pgoutbox

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/internal/pgmigrate"
	"github.com/bankkit/bankkit/internal/pgtx"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrations creates and upgrades the outbox tables in a source's schema.
// A backend's Migrate passes it to pgmigrate.Apply.
var Migrations = pgmigrate.Shared{Name: "outbox", FS: migrations, Dir: "migrations"}

// Table is the outbox table's name inside the source's schema, for a
// source that writes minimal rows with its own SQL.
const Table = "event_outbox"

// Render fills in, in place, every envelope of a page whose Payload is nil:
// those read from minimal rows. ID, Source, Sequence and whatever else the
// row holds are set; OccurredAt holds the time the row was sequenced until
// Render sets the event's own. An error fails the Read.
type Render func(ctx context.Context, page []event.Envelope) error

// Outbox is a source's event.Log on PostgreSQL, safe for concurrent use.
type Outbox struct {
	db     *sqlx.DB
	source string
	render Render
	sql    statements
}

var _ event.Log = (*Outbox)(nil)

// New returns the outbox of the named source, whose tables Migrations has
// created in schema. render may be nil when every row is written whole.
func New(db *sqlx.DB, schema, source string, render Render) *Outbox {
	return &Outbox{db: db, source: source, render: render, sql: statementsFor(pq.QuoteIdentifier(schema))}
}

// Append writes events to the outbox inside the caller's transaction tx,
// in order. An envelope with a Payload must be valid (event.Validate); one
// without is a minimal row, which needs only its ID and is rendered when
// read. Source and Sequence are ignored. Two or more events go in one
// statement.
func (o *Outbox) Append(ctx context.Context, tx sqlx.ExecerContext, events ...event.Envelope) error {
	if len(events) > 1 {
		return o.appendMany(ctx, tx, events) // one statement
	}
	for _, e := range events {
		if err := checkAppend(e); err != nil {
			return err
		}
		var occurred, typ, version, subjects, payload any
		if !e.OccurredAt.IsZero() {
			occurred = e.OccurredAt
		}
		if e.Type != "" {
			typ = e.Type
		}
		if e.Version != 0 {
			version = e.Version
		}
		if len(e.Subjects) > 0 {
			ids := make(pq.StringArray, len(e.Subjects))
			for i, id := range e.Subjects {
				ids[i] = id.String()
			}
			subjects = ids
		}
		if e.Payload != nil {
			payload = string(e.Payload) // text: lib/pq would send []byte as bytea
		}
		if _, err := tx.ExecContext(ctx, o.sql.append, e.ID, typ, version, occurred, e.BusinessDate, subjects, payload); err != nil {
			return err
		}
	}
	return nil
}

func checkAppend(e event.Envelope) error {
	if e.Payload == nil && e.ID != uuid.Nil {
		return nil // a minimal row
	}
	return e.Validate()
}

type row struct {
	Sequence     int64          `db:"sequence"`
	EventID      uuid.UUID      `db:"event_id"`
	Type         sql.NullString `db:"type"`
	Version      sql.NullInt64  `db:"version"`
	OccurredAt   time.Time      `db:"occurred_at"`
	BusinessDate calendar.Date  `db:"business_date"`
	Subjects     pq.StringArray `db:"subjects"`
	Payload      []byte         `db:"payload"`
}

func (r row) envelope() (event.Envelope, error) {
	e := event.Envelope{ID: r.EventID, Type: r.Type.String, Version: int(r.Version.Int64), Sequence: r.Sequence,
		OccurredAt: r.OccurredAt.UTC(), BusinessDate: r.BusinessDate, Payload: r.Payload}
	for _, s := range r.Subjects {
		id, err := uuid.Parse(s)
		if err != nil {
			return event.Envelope{}, err
		}
		e.Subjects = append(e.Subjects, id)
	}
	return e, nil
}

// Read implements event.Log.
func (o *Outbox) Read(ctx context.Context, after int64, limit int) ([]event.Envelope, error) {
	if err := o.sequence(ctx); err != nil {
		return nil, err
	}
	var rows []row
	if err := o.db.SelectContext(ctx, &rows, o.sql.read, after, limit); err != nil {
		return nil, err
	}
	if len(rows) == 0 {
		return nil, nil
	}
	page := make([]event.Envelope, len(rows))
	needsRender := false
	for i, r := range rows {
		e, err := r.envelope()
		if err != nil {
			return nil, fmt.Errorf("pgoutbox: %s event %d: %w", o.source, r.Sequence, err)
		}
		e.Source = o.source
		page[i] = e
		needsRender = needsRender || e.Payload == nil
	}
	if needsRender {
		if o.render == nil {
			return nil, fmt.Errorf("pgoutbox: %s has minimal outbox rows but no render function", o.source)
		}
		if err := o.render(ctx, page); err != nil {
			return nil, err
		}
	}
	for i := range page {
		page[i].Source, page[i].Sequence = o.source, rows[i].Sequence
		if err := page[i].Validate(); err != nil {
			return nil, fmt.Errorf("pgoutbox: %s event %d: %w", o.source, rows[i].Sequence, err)
		}
	}
	return page, nil
}

// sequence numbers the committed rows that have no sequence yet.
func (o *Outbox) sequence(ctx context.Context) error {
	var pending bool
	if err := o.db.GetContext(ctx, &pending, o.sql.pending); err != nil {
		return err
	}
	if !pending {
		return nil
	}
	return pgtx.Run(ctx, o.db, nil, func(tx *sqlx.Tx) error {
		var last int64
		if err := tx.GetContext(ctx, &last, o.sql.lockSequencer); err != nil {
			return err
		}
		// A new statement, so a new snapshot: it sees every row committed
		// before the lock was granted, including another caller's numbers.
		_, err := tx.ExecContext(ctx, o.sql.assign, last)
		return err
	})
}

// Register implements event.Log.
func (o *Outbox) Register(ctx context.Context, name string) error {
	_, err := o.db.ExecContext(ctx, o.sql.register, name)
	return err
}

// Cursor implements event.Log.
func (o *Outbox) Cursor(ctx context.Context, name string) (int64, error) {
	var seq int64
	err := o.db.GetContext(ctx, &seq, o.sql.cursor, name)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, unknown(name)
	}
	return seq, err
}

// Advance implements event.Log.
func (o *Outbox) Advance(ctx context.Context, name string, seq int64) error {
	res, err := o.db.ExecContext(ctx, o.sql.advance, name, seq)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return unknown(name)
	}
	return nil
}

// Remove implements event.Log.
func (o *Outbox) Remove(ctx context.Context, name string) error {
	_, err := o.db.ExecContext(ctx, o.sql.remove, name)
	return err
}

// Prune implements event.Log. It numbers the committed rows first, as Read
// does, so that it sees every event the memory outbox would.
func (o *Outbox) Prune(ctx context.Context, before time.Time, limit int) (int, error) {
	if err := o.sequence(ctx); err != nil {
		return 0, err
	}
	res, err := o.db.ExecContext(ctx, o.sql.prune, before, limit)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

func unknown(name string) error {
	return fmt.Errorf("%w: %q", event.ErrUnknownCursor, name)
}
