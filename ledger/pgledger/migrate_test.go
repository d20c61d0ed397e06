package pgledger

import (
	"context"
	"io/fs"
	"testing"
	"testing/fstest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/internal/pgmigrate"
	"github.com/bankkit/bankkit/internal/pgoutbox"
	"github.com/bankkit/bankkit/internal/pgtest"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
)

// A database written before the shared outbox keeps its events and its
// subscribers' cursors: every event keeps its sequence, the rows not yet
// numbered follow in the order they were written, and numbering goes on
// after them.
func TestMigrationKeepsExistingEventsAndCursors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	before := fstest.MapFS{}
	// 0500, 0501, 0601 and 0603 add the account and hold columns today's
	// Store reads and writes (classes, external references, bindings);
	// they touch no outbox, and Migrate applies 0400 after them all the
	// same.
	for _, name := range []string{"0001_init.sql", "0101_eod.sql", "0200_clearing.sql", "0300_posting_functions.sql",
		"0500_account_classes.sql", "0501_external_refs.sql", "0601_account_bindings.sql", "0603_external_bindings.sql"} {
		body, err := fs.ReadFile(migrations, "migrations/"+name)
		require.NoError(t, err)
		before["migrations/"+name] = &fstest.MapFile{Data: body}
	}
	// Today's Store writes the account events (ledger.account_opened) into
	// the shared outbox, so its tables are made up front; the events of
	// the openings are deleted below, as a database of that time had none.
	require.NoError(t, pgmigrate.Apply(ctx, db, Schema, before, "migrations", pgoutbox.Migrations))

	// Five entries posted by the old posting function, each writing its
	// row into ledger.outbox.
	clock := calendar.NewManualClock(time.Date(2026, 3, 2, 9, 30, 0, 0, time.UTC))
	svc, err := ledger.NewService(New(db), ledger.WithClock(clock))
	require.NoError(t, err)
	_, err = svc.SetupChart(ctx, money.CNY)
	require.NoError(t, err)
	alice, err := svc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "alice", Product: ledger.ProductDemand, Currency: money.CNY})
	require.NoError(t, err)
	_, err = db.Exec(`DELETE FROM ledger.event_outbox`)
	require.NoError(t, err)
	var entries []ledger.Entry
	for range 5 {
		clock.Advance(time.Minute)
		r, err := svc.Deposit(ctx, ledger.DepositRequest{AccountID: alice.ID, Amount: money.MustParse("1.00", "CNY")})
		require.NoError(t, err)
		entries = append(entries, r.Entry)
	}
	var rows []int64
	require.NoError(t, db.Select(&rows, `SELECT id FROM ledger.outbox ORDER BY id`))
	require.Len(t, rows, 5)

	// The old delivery numbered the rows as it read them: the second
	// row's transaction committed late, after the third had been read.
	// The last two rows are not numbered yet. Two subscribers have cursors.
	for id, seq := range map[int64]int64{rows[0]: 1, rows[2]: 2, rows[1]: 3} {
		_, err = db.Exec(`UPDATE ledger.outbox SET sequence = $2 WHERE id = $1`, id, seq)
		require.NoError(t, err)
	}
	_, err = db.Exec(`UPDATE ledger.outbox_sequencer SET last = 3`)
	require.NoError(t, err)
	_, err = db.Exec(`INSERT INTO ledger.subscriber_cursors (subscriber, sequence) VALUES ('risk', 3), ('analytics', 1)`)
	require.NoError(t, err)

	require.NoError(t, Migrate(ctx, db))
	store := New(db)
	got, err := store.Events().Read(ctx, 0, 10)
	require.NoError(t, err)
	inOrder := []ledger.Entry{entries[0], entries[2], entries[1], entries[3], entries[4]}
	require.Len(t, got, len(inOrder))
	for i, e := range inOrder {
		want, err := ledger.EntryPostedEvent(e)
		require.NoError(t, err)
		want.Source, want.Sequence = ledger.EventSource, int64(i+1)
		require.Equal(t, want, got[i], "event %d", i+1)
	}
	var aged int
	require.NoError(t, db.Get(&aged, `SELECT count(*) FROM ledger.event_outbox o JOIN ledger.entries e ON e.id = o.event_id
		WHERE o.occurred_at = e.booked_at`))
	require.Equal(t, 5, aged, "a moved event is aged by its entry's booking time")

	feed := event.NewFeed(store.Events())
	var seen []int64
	require.NoError(t, feed.Subscribe(ctx, "analytics", func(_ context.Context, e event.Envelope) error {
		seen = append(seen, e.Sequence)
		return nil
	}))
	_, err = feed.Deliver(ctx)
	require.NoError(t, err)
	require.Equal(t, []int64{2, 3, 4, 5}, seen, "the subscriber resumes where it was")
	risk, err := feed.Cursor(ctx, "risk")
	require.NoError(t, err)
	require.Equal(t, int64(3), risk)

	svc, err = ledger.NewService(store, ledger.WithClock(clock))
	require.NoError(t, err)
	next, err := svc.Deposit(ctx, ledger.DepositRequest{AccountID: alice.ID, Amount: money.MustParse("1.00", "CNY")})
	require.NoError(t, err)
	more, err := svc.Events().Read(ctx, 5, 10)
	require.NoError(t, err)
	require.Len(t, more, 1)
	require.Equal(t, next.Entry.ID, more[0].ID, "the posting function writes to the shared outbox")
	require.Equal(t, int64(6), more[0].Sequence, "numbering goes on after the old events")

	var old int
	require.NoError(t, db.Get(&old, `SELECT count(*) FROM information_schema.tables
		WHERE table_schema = 'ledger' AND table_name IN ('outbox', 'outbox_sequencer', 'subscriber_cursors')`))
	require.Zero(t, old)
}
