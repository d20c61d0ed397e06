package pgoutbox_test

import (
	"context"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/internal/pgoutbox"
	"github.com/bankkit/bankkit/internal/pgtx"
)

// benchDeliver appends b.N events with add (not timed), then times one
// subscriber whose handler does nothing receiving all of them.
func benchDeliver(b *testing.B, o *pgoutbox.Outbox, add func(tx *sqlx.Tx, n int) error, db *sqlx.DB) {
	ctx := context.Background()
	for n := 0; n < b.N; n += 1000 {
		require.NoError(b, pgtx.Run(ctx, db, nil, func(tx *sqlx.Tx) error { return add(tx, min(1000, b.N-n)) }))
	}
	feed := event.NewFeed(o)
	seen := 0
	require.NoError(b, feed.Subscribe(ctx, "bench", func(context.Context, event.Envelope) error { seen++; return nil }))
	b.ResetTimer()
	handled, err := feed.Deliver(ctx)
	b.StopTimer()
	require.NoError(b, err)
	require.Equal(b, b.N, handled)
	require.Equal(b, b.N, seen)
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// Whole rows, as the customer store writes them.
func BenchmarkDeliverWhole(b *testing.B) {
	db := newDB(b)
	o := pgoutbox.New(db, "demo", "demo", nil)
	benchDeliver(b, o, func(tx *sqlx.Tx, n int) error {
		es := make([]event.Envelope, n)
		for i := range es {
			id := uuid.Must(uuid.NewV7())
			e, err := event.New("demo.thing_changed", 1, time.Now(), map[string]string{"state": "open"}, id)
			if err != nil {
				return err
			}
			es[i] = e
		}
		return o.Append(context.Background(), tx, es...)
	}, db)
}

// Minimal (event_id) rows rendered from the source's table, as the ledger
// would.
func BenchmarkDeliverMinimal(b *testing.B) {
	db := newDB(b)
	o := pgoutbox.New(db, "demo", "demo", thingChanged(db))
	benchDeliver(b, o, func(tx *sqlx.Tx, n int) error {
		_, err := tx.Exec(`WITH things AS (
				INSERT INTO demo.things (id, state, at)
				SELECT gen_random_uuid(), 'open', now() FROM generate_series(1, $1)
				RETURNING id)
			INSERT INTO demo.event_outbox (event_id) SELECT id FROM things`, n)
		return err
	}, db)
}
