package pgledger

import (
	"context"

	"github.com/lib/pq"

	"github.com/bankkit/bankkit/internal/pgtx"
)

// postIfUnchangedSQL is the one-statement posting of a single entry: it
// locks the entry's balance rows in account order, checks that they still
// hold what ledger.Apply was shown ($23..$28: account, shard, balance,
// held, status, checked), and only then writes, all in one implicit
// transaction. It returns whether it wrote.
const postIfUnchangedSQL = `WITH expected AS (
	SELECT * FROM unnest($23::uuid[], $24::int[], $25::numeric[], $26::numeric[], $27::text[], $28::bool[])
		AS e(account_id, shard, balance, held, status, checked)
), locked AS (
	SELECT b.account_id, b.shard, b.balance, b.held, b.status
	FROM ledger.balances b JOIN expected e ON b.account_id = e.account_id AND b.shard = e.shard
	ORDER BY b.account_id
	FOR UPDATE OF b
), go_ahead AS (
	SELECT count(*) = cardinality($23::uuid[])
		AND COALESCE(bool_and(l.status = e.status AND (NOT e.checked OR (l.balance = e.balance AND l.held = e.held))), false) AS ok
	FROM locked l JOIN expected e ON l.account_id = e.account_id AND l.shard = e.shard
), ` + postBody + `, new_outbox AS (
	INSERT INTO ledger.outbox (entry_id)
	SELECT id FROM unnest($1::uuid[]) WITH ORDINALITY AS o(id, n) WHERE (SELECT ok FROM go_ahead) ORDER BY n
	RETURNING 1
)
SELECT ok FROM go_ahead`

// postIfUnchanged is the fast path for a batch of one entry without a
// hold: three round trips instead of five (read, decide, write-and-commit,
// with no BEGIN or COMMIT of its own). It reads the rows without locking
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
	if len(b.posted) == 0 {
		return true, nil
	}
	query, args, err := b.writeArgs()
	if err != nil {
		return false, err
	}
	if query != postSQL {
		return false, nil // captures take the locking path
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
	stmt, err := s.stmts.get(ctx, postIfUnchangedSQL)
	if err != nil {
		return false, err
	}
	var wrote bool
	err = stmt.GetContext(ctx, &wrote, args...)
	switch {
	case err == nil:
		return wrote, nil
	case pgtx.IsRetryable(err), lostKeyRace(err):
		return false, nil
	}
	return false, err
}
