package pgledger

import (
	"context"

	"github.com/lib/pq"

	"github.com/bankkit/bankkit/internal/pgtx"
)

// postIfUnchanged is the fast path for a batch that captures no hold: two
// round trips instead of four (read, decide, write-and-commit, with no
// BEGIN or COMMIT of its own). It reads the rows without locking
// them and decides with ledger.Apply; a refusal or a replay stands, being
// what the entry meets at a consistent moment. A posting is written only if
// the rows, once locked, still hold what Apply saw; a checked account's
// balance and held amount and every row's status must match, which makes
// the outcome the same as deciding under the lock. It reports false, having
// written nothing, when they do not match or when it lost a race for a
// unique key, and the caller then takes the locking path.
func (s *Store) postIfUnchanged(ctx context.Context, b *batch) (bool, error) {
	b.skipLocked = false
	b.reset()
	if err := b.lockRows(ctx, nil); err != nil {
		return false, err
	}
	keys, err := b.readKeys(ctx, nil)
	if err != nil {
		return false, err
	}
	reversed, err := b.readReversed(ctx, nil)
	if err != nil {
		return false, err
	}
	b.decide(keys, reversed)
	// The caller's gate overlaps the reads above, and comes before any
	// write; a refusal or replay waits for it too, as the caller asked.
	if err := b.wait(); err != nil {
		return false, err
	}
	if len(b.posted) == 0 {
		return true, nil
	}
	if len(b.captured) > 0 {
		return false, nil // captures take the locking path
	}
	args, err := b.writeArgs()
	if err != nil {
		return false, err
	}
	var (
		accounts, balances, helds, statuses []string
		shards                              []int64
		checked                             []bool
	)
	for id, r := range b.rows {
		accounts = append(accounts, id.String())
		shards = append(shards, int64(r.shard))
		balances = append(balances, r.lockedBalance.String())
		helds = append(helds, r.lockedHeld.String())
		statuses = append(statuses, string(r.account.Status))
		checked = append(checked, r.account.Policy.Checked())
	}
	args = append(args, pq.StringArray(accounts), pq.Int64Array(shards), pq.StringArray(balances),
		pq.StringArray(helds), pq.StringArray(statuses), pq.BoolArray(checked))
	var wrote bool
	err = s.stmts.GetContext(ctx, &wrote, writeSQL, args...)
	switch {
	case err == nil:
		return wrote, nil
	case pgtx.IsRetryable(err), lostKeyRace(err):
		return false, nil
	}
	return false, err
}
