package pgcustomer

import (
	"context"
	"io/fs"
	"testing"
	"testing/fstest"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/internal/pgmigrate"
	"github.com/bankkit/bankkit/internal/pgtest"
)

// A database written before the shared outbox keeps its events and its
// subscribers' cursors: the events read back as envelopes at the same
// sequences, without the KYC reason, and numbering goes on after them.
func TestMigrationKeepsExistingEventsAndCursors(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	first, err := fs.ReadFile(migrations, "migrations/0001_init.sql")
	require.NoError(t, err)
	before := fstest.MapFS{"migrations/0001_init.sql": &fstest.MapFile{Data: first}}
	require.NoError(t, pgmigrate.Apply(ctx, db, Schema, before, "migrations"))

	alice, bob := uuid.Must(uuid.NewV7()), uuid.Must(uuid.NewV7())
	at := time.Date(2026, 3, 2, 9, 0, 0, 123456000, time.UTC)
	_, err = db.Exec(`INSERT INTO customer.outbox (seq, kind, customer_id, at, payload) VALUES
		(1, 'customer.created', $1, $3, '{}'),
		(2, 'customer.kyc_changed', $1, $3::timestamptz + interval '1 minute',
			'{"kyc": {"From": "pending", "To": "verified", "By": "officer-7", "Reason": "passport and face match"}}'),
		(3, 'customer.consent_changed', $1, $3::timestamptz + interval '2 minutes',
			'{"consent": {"purpose": "marketing", "channel": "sms", "granted": true, "valid_until": "2026-06-30"}}'),
		(4, 'customer.consent_changed', $2, $3::timestamptz + interval '3 minutes',
			'{"consent": {"purpose": "data_sharing", "channel": "email", "granted": false}}')`, alice, bob, at)
	require.NoError(t, err)
	_, err = db.Exec(`UPDATE customer.heads SET seq = 4 WHERE name = 'outbox'`)
	require.NoError(t, err)
	_, err = db.Exec(`INSERT INTO customer.cursors (subscriber, seq) VALUES ('marketing', 2), ('risk', 4)`)
	require.NoError(t, err)

	require.NoError(t, Migrate(ctx, db))
	store := New(db)
	got, err := store.Events().Read(ctx, 0, 10)
	require.NoError(t, err)
	require.Len(t, got, 4)
	want := []struct {
		typ     string
		subject uuid.UUID
		payload string
	}{
		{customer.EventCustomerCreated, alice, `{"customer_id":"` + alice.String() + `"}`},
		{customer.EventKYCChanged, alice, `{"customer_id":"` + alice.String() + `","from":"pending","to":"verified","by":"officer-7"}`},
		{customer.EventConsentChanged, alice, `{"customer_id":"` + alice.String() + `","purpose":"marketing","channel":"sms","granted":true,"valid_until":"2026-06-30"}`},
		{customer.EventConsentChanged, bob, `{"customer_id":"` + bob.String() + `","purpose":"data_sharing","channel":"email","granted":false}`},
	}
	ids := map[uuid.UUID]bool{}
	for i, e := range got {
		occurred := at.Add(time.Duration(i) * time.Minute)
		require.Equal(t, int64(i+1), e.Sequence)
		require.Equal(t, customer.EventSource, e.Source)
		require.Equal(t, want[i].typ, e.Type)
		require.Equal(t, customer.EventVersion, e.Version)
		require.Equal(t, occurred, e.OccurredAt)
		require.Equal(t, []uuid.UUID{want[i].subject}, e.Subjects)
		require.JSONEq(t, want[i].payload, string(e.Payload))
		require.Equal(t, uuid.Version(7), e.ID.Version())
		sec, nsec := e.ID.Time().UnixTime()
		require.Equal(t, occurred.Truncate(time.Millisecond), time.Unix(sec, nsec).UTC(), "the id carries the event's time")
		ids[e.ID] = true
	}
	require.Len(t, ids, 4)

	feed := event.NewFeed(store.Events())
	var seen []int64
	require.NoError(t, feed.Subscribe(ctx, "marketing", func(_ context.Context, e event.Envelope) error {
		seen = append(seen, e.Sequence)
		return nil
	}))
	_, err = feed.Deliver(ctx)
	require.NoError(t, err)
	require.Equal(t, []int64{3, 4}, seen, "the subscriber resumes where it was")
	risk, err := feed.Cursor(ctx, "risk")
	require.NoError(t, err)
	require.Equal(t, int64(4), risk)

	next, err := event.New(customer.EventCustomerCreated, 1, time.Now(), customer.CustomerCreated{CustomerID: bob}, bob)
	require.NoError(t, err)
	require.NoError(t, store.outbox.Append(ctx, db, next))
	more, err := store.Events().Read(ctx, 4, 10)
	require.NoError(t, err)
	require.Len(t, more, 1)
	require.Equal(t, int64(5), more[0].Sequence, "numbering goes on after the old events")

	var heads []string
	require.NoError(t, db.Select(&heads, `SELECT name FROM customer.heads`))
	require.Equal(t, []string{"access_log"}, heads)
	var old int
	require.NoError(t, db.Get(&old, `SELECT count(*) FROM information_schema.tables
		WHERE table_schema = 'customer' AND table_name IN ('outbox', 'cursors')`))
	require.Zero(t, old)
}
