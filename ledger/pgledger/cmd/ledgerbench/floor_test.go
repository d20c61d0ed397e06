package main

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/internal/pgtest"
	"github.com/bankkit/bankkit/ledger"
)

// TestFloorWritesWhatATransferWrites runs the floor's statement once and
// checks it wrote what pgledger writes for as many transfers: an entry per
// transfer with its totals, a debit and a credit posting between two
// different customer accounts, an outbox row naming the entry, and
// balances moved by the postings, the money in the bank unchanged. A floor
// that wrote less would overstate what the schema allows.
func TestFloorWritesWhatATransferWrites(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	b, err := setupBank(ctx, db, 20)
	require.NoError(t, err)
	require.NoError(t, prepareFloor(ctx, db, b.accounts))
	total := func() string {
		var s string
		require.NoError(t, db.Get(&s, `SELECT trim_scale(sum(balance))::text FROM ledger.balances`))
		return s
	}
	before := total()
	count := func(query string) int {
		var n int
		require.NoError(t, db.Get(&n, query))
		return n
	}
	entriesBefore := count(`SELECT count(*) FROM ledger.entries`)
	outboxBefore := count(`SELECT count(*) FROM ledger.event_outbox`)

	const n = 7
	_, err = db.ExecContext(ctx, floorScript(n, len(b.accounts)))
	require.NoError(t, err)

	require.Equal(t, entriesBefore+n, count(`SELECT count(*) FROM ledger.entries`))
	require.Equal(t, outboxBefore+n, count(`SELECT count(*) FROM ledger.event_outbox`))
	require.Equal(t, n, count(`SELECT count(*) FROM ledger.entries e WHERE kind = 'transfer'
		AND EXISTS (SELECT 1 FROM ledger.event_outbox o WHERE o.event_id = e.id AND o.sequence IS NULL)`),
		"each transfer has the outbox row the posting function writes: its entry's ID, to be numbered when read")
	require.Equal(t, n, count(`SELECT count(*) FROM ledger.entries WHERE kind = 'transfer' AND debits = credits`))
	require.Equal(t, n, count(`SELECT count(*) FROM ledger.entries e WHERE kind = 'transfer'
		AND (SELECT count(DISTINCT p.account_id) FROM ledger.postings p WHERE p.entry_id = e.id) = 2
		AND (SELECT count(*) FROM ledger.postings p JOIN `+floorAccounts+` a ON a.id = p.account_id WHERE p.entry_id = e.id) = 2
		AND (SELECT sum(CASE p.side WHEN 'debit' THEN p.amount ELSE -p.amount END) FROM ledger.postings p WHERE p.entry_id = e.id) = 0`),
		"each transfer debits one customer account and credits another by the same amount")
	require.Equal(t, before, total(), "no money made or lost")
	require.Zero(t, count(`SELECT count(*) FROM ledger.balances b JOIN `+floorAccounts+` a ON a.id = b.account_id
		WHERE b.balance <> (SELECT COALESCE(sum(CASE p.side WHEN 'credit' THEN p.amount ELSE -p.amount END), 0)
			FROM ledger.postings p WHERE p.account_id = b.account_id)`),
		"every customer balance is the sum of its postings")
	var ids []ledger.ID
	require.NoError(t, db.Select(&ids, `SELECT id FROM ledger.entries WHERE kind = 'transfer'`))
	for _, id := range ids {
		var ms int64
		for _, b := range id[:6] {
			ms = ms<<8 | int64(b)
		}
		require.WithinDuration(t, time.Now(), time.UnixMilli(ms), time.Minute,
			"entry IDs begin with their time in milliseconds, like the ledger's")
	}
}
