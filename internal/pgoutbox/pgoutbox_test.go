package pgoutbox_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/event/eventtest"
	"github.com/bankkit/bankkit/internal/pgmigrate"
	"github.com/bankkit/bankkit/internal/pgoutbox"
	"github.com/bankkit/bankkit/internal/pgtest"
	"github.com/bankkit/bankkit/internal/pgtx"
)

// demo is a source's own migrations: a table of its own beside the
// outbox's.
var demo = fstest.MapFS{"migrations/0001_init.sql": &fstest.MapFile{
	Data: []byte(`CREATE TABLE demo.things (id uuid PRIMARY KEY, state text NOT NULL, at timestamptz NOT NULL)`)}}

func newDB(t testing.TB) *sqlx.DB {
	t.Helper()
	db := pgtest.New(t)
	require.NoError(t, pgmigrate.Apply(context.Background(), db, "demo", demo, "migrations", pgoutbox.Migrations))
	return db
}

// appendInTx appends in a transaction of its own, as a source's change.
func appendInTx(o *pgoutbox.Outbox, db *sqlx.DB) eventtest.Append {
	return func(ctx context.Context, es ...event.Envelope) error {
		return pgtx.Run(ctx, db, nil, func(tx *sqlx.Tx) error { return o.Append(ctx, tx, es...) })
	}
}

// Rows written whole.
func TestContractWhole(t *testing.T) {
	eventtest.Run(t, func(t *testing.T) (event.Log, eventtest.Append) {
		db := newDB(t)
		o := pgoutbox.New(db, "demo", "demo", nil)
		return o, appendInTx(o, db)
	})
}

// Minimal rows, (event_id, type, occurred_at), the rest rendered on read
// from what the source keeps (here a map standing in for its tables).
func TestContractMinimal(t *testing.T) {
	eventtest.Run(t, func(t *testing.T) (event.Log, eventtest.Append) {
		db := newDB(t)
		var kept sync.Map // id -> event.Envelope
		o := pgoutbox.New(db, "demo", "demo", func(_ context.Context, page []event.Envelope) error {
			for i, e := range page {
				full, ok := kept.Load(e.ID)
				require.True(t, ok)
				require.Equal(t, full.(event.Envelope).Type, e.Type, "the row's type is read")
				page[i] = full.(event.Envelope).Clone()
			}
			return nil
		})
		whole := appendInTx(o, db)
		return o, func(ctx context.Context, es ...event.Envelope) error {
			minimal := make([]event.Envelope, len(es))
			for i, e := range es {
				kept.Store(e.ID, e.Clone())
				minimal[i] = event.Envelope{ID: e.ID, Type: e.Type, OccurredAt: e.OccurredAt}
			}
			return whole(ctx, minimal...)
		}
	})
}

// thingChanged renders minimal rows from the demo source's own table, one
// query per page, as the ledger renders its entries.
func thingChanged(db *sqlx.DB) pgoutbox.Render {
	return func(ctx context.Context, page []event.Envelope) error {
		ids := make([]string, len(page))
		for i, e := range page {
			ids[i] = e.ID.String()
		}
		var rows []struct {
			ID    uuid.UUID `db:"id"`
			State string    `db:"state"`
			At    time.Time `db:"at"`
		}
		if err := db.SelectContext(ctx, &rows, `SELECT id, state, at FROM demo.things WHERE id = ANY($1::uuid[])`, pq.StringArray(ids)); err != nil {
			return err
		}
		byID := make(map[uuid.UUID]int, len(rows))
		for i, r := range rows {
			byID[r.ID] = i
		}
		for i := range page {
			j, ok := byID[page[i].ID]
			if !ok {
				return fmt.Errorf("no thing %s", page[i].ID)
			}
			e, err := event.New("demo.thing_changed", 1, rows[j].At, map[string]string{"state": rows[j].State}, page[i].ID)
			if err != nil {
				return err
			}
			e.ID = page[i].ID
			page[i] = e
		}
		return nil
	}
}

// The hot path: the source inserts (event_id) with its own SQL in its own
// transaction, and the event is rendered when read.
func TestMinimalRowIsRenderedOnRead(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newDB(t)
	o := pgoutbox.New(db, "demo", "demo", thingChanged(db))
	id := uuid.Must(uuid.NewV7())
	at := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	require.NoError(t, pgtx.Run(ctx, db, nil, func(tx *sqlx.Tx) error {
		if _, err := tx.Exec(`INSERT INTO demo.things (id, state, at) VALUES ($1, 'open', $2)`, id, at); err != nil {
			return err
		}
		_, err := tx.Exec(`INSERT INTO demo.`+pgoutbox.Table+` (event_id) VALUES ($1)`, id)
		return err
	}))

	got, err := o.Read(ctx, 0, 10)
	require.NoError(t, err)
	require.Len(t, got, 1)
	e := got[0]
	require.Equal(t, id, e.ID)
	require.Equal(t, "demo", e.Source)
	require.Equal(t, int64(1), e.Sequence)
	require.Equal(t, "demo.thing_changed", e.Type)
	require.True(t, at.Equal(e.OccurredAt))
	require.Equal(t, []uuid.UUID{id}, e.Subjects)
	require.JSONEq(t, `{"state":"open"}`, string(e.Payload))

	var aged bool
	require.NoError(t, db.Get(&aged, `SELECT occurred_at IS NOT NULL FROM demo.event_outbox WHERE event_id = $1`, id))
	require.True(t, aged, "sequencing dates a row that came without a time, so pruning can age it")
}

// A minimal row needs a render function, and what it renders must be a
// whole event.
func TestMinimalRowWithoutARenderFails(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newDB(t)
	_, err := db.Exec(`INSERT INTO demo.event_outbox (event_id) VALUES ($1)`, uuid.Must(uuid.NewV7()))
	require.NoError(t, err)
	_, err = pgoutbox.New(db, "demo", "demo", nil).Read(ctx, 0, 10)
	require.ErrorContains(t, err, "no render function")
	lazy := pgoutbox.New(db, "demo", "demo", func(context.Context, []event.Envelope) error { return nil })
	_, err = lazy.Read(ctx, 0, 10)
	require.ErrorIs(t, err, event.ErrInvalidInput, "an event left without payload or type")
}

func TestAppendRefusesAnIncompleteEvent(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newDB(t)
	o := pgoutbox.New(db, "demo", "demo", nil)
	e, err := event.New("demo.thing_changed", 1, time.Now(), struct{}{})
	require.NoError(t, err)
	e.Version = 0
	require.ErrorIs(t, o.Append(ctx, db, e), event.ErrInvalidInput)
	require.ErrorIs(t, o.Append(ctx, db, event.Envelope{}), event.ErrInvalidInput, "not even an id")
}

// Read numbers rows as they are read, so a row whose transaction commits
// late still gets a sequence above every one handed out before.
func TestReadNeverFillsAGapBehindAReader(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newDB(t)
	o := pgoutbox.New(db, "demo", "demo", nil)
	first, err := event.New("demo.thing_changed", 1, time.Now(), struct{}{})
	require.NoError(t, err)
	second, err := event.New("demo.thing_changed", 1, time.Now(), struct{}{})
	require.NoError(t, err)

	// The first change has written its row, so holds the lower id, but
	// has not committed.
	tx, err := db.Beginx()
	require.NoError(t, err)
	defer tx.Rollback()
	require.NoError(t, o.Append(ctx, tx, first))
	require.NoError(t, appendInTx(o, db)(ctx, second))
	seen, err := o.Read(ctx, 0, 10)
	require.NoError(t, err)
	require.Len(t, seen, 1)
	require.Equal(t, second.ID, seen[0].ID)

	require.NoError(t, tx.Commit())
	more, err := o.Read(ctx, seen[0].Sequence, 10)
	require.NoError(t, err)
	require.Len(t, more, 1)
	require.Equal(t, first.ID, more[0].ID)
	require.Equal(t, seen[0].Sequence+1, more[0].Sequence, "the late row comes after what the reader has seen")
}

// Two sources in one database keep apart: each schema has its own tables,
// numbering and cursors, and the shared set's versions do not mix with the
// source's own.
func TestSchemasKeepApart(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newDB(t)
	other := fstest.MapFS{"migrations/0001_init.sql": &fstest.MapFile{Data: []byte(`CREATE TABLE other.x (id int)`)}}
	require.NoError(t, pgmigrate.Apply(ctx, db, "other", other, "migrations", pgoutbox.Migrations))
	require.NoError(t, pgmigrate.Apply(ctx, db, "other", other, "migrations", pgoutbox.Migrations), "a second apply is a no-op")
	a, b := pgoutbox.New(db, "demo", "demo", nil), pgoutbox.New(db, "other", "other", nil)
	e, err := event.New("demo.thing_changed", 1, time.Now(), struct{}{})
	require.NoError(t, err)
	require.NoError(t, appendInTx(a, db)(ctx, e, e))
	require.NoError(t, appendInTx(b, db)(ctx, e))
	require.NoError(t, a.Register(ctx, "risk"))

	gotA, err := a.Read(ctx, 0, 10)
	require.NoError(t, err)
	gotB, err := b.Read(ctx, 0, 10)
	require.NoError(t, err)
	require.Len(t, gotA, 2)
	require.Len(t, gotB, 1)
	require.Equal(t, "other", gotB[0].Source)
	_, err = b.Cursor(ctx, "risk")
	require.ErrorIs(t, err, event.ErrUnknownCursor)
	v, err := pgmigrate.Version(ctx, db, "other")
	require.NoError(t, err)
	require.Equal(t, 1, v, "the source's own version")
}
