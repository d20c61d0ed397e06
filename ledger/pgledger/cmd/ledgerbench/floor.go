package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/bankkit/bankkit/ledger"
)

// The write floor is what the rows of a transfer cost the database by
// themselves: pgbench runs one statement per transaction that writes n
// transfers between random customer accounts straight into the ledger's
// tables, as pgledger would write them (an entry with its totals, two
// postings, an outbox row, both balance rows locked in account order and
// updated), with nothing else: no reads, no checks, no application and no
// network beyond pgbench's own. A ledger that keeps these rows cannot post
// faster than this on the same server, so the floor says how much of a
// target is the schema's cost and how much the ledger's.

// floorAccounts is the table the floor script picks accounts from, by
// number: public, so it stays out of the ledger's own schema.
const floorAccounts = "public.ledgerbench_accounts"

// prepareFloor loads the customer accounts into floorAccounts.
func prepareFloor(ctx context.Context, db *sqlx.DB, accounts []ledger.ID) error {
	ids := make([]string, len(accounts))
	for i, id := range accounts {
		ids[i] = id.String()
	}
	_, err := db.ExecContext(ctx, `DROP TABLE IF EXISTS `+floorAccounts+`;
		CREATE TABLE `+floorAccounts+` (n int PRIMARY KEY, id uuid NOT NULL)`)
	if err == nil {
		_, err = db.ExecContext(ctx, `INSERT INTO `+floorAccounts+` (n, id)
			SELECT n, id FROM unnest($1::uuid[]) WITH ORDINALITY AS a(id, n)`, pq.StringArray(ids))
	}
	if err == nil {
		_, err = db.ExecContext(ctx, `ANALYZE `+floorAccounts)
	}
	if err != nil {
		return fmt.Errorf("write floor accounts: %w", err)
	}
	return nil
}

// floorScript is the floor's statement for n transfers per transaction
// among accounts customer accounts. Entry IDs are time-ordered like the
// ledger's (UUIDv7: the first 48 bits are the time in milliseconds), so
// the entries' and postings' indexes grow at their right-hand end as they
// do under the ledger; random (v4) IDs would scatter them and understate
// the floor. Amounts are 0.01-1.00, far below every opening balance.
func floorScript(n, accounts int) string {
	return fmt.Sprintf(`WITH picks AS MATERIALIZED (
	SELECT 1 + floor(random() * %[2]d)::int AS i, 1 + floor(random() * (%[2]d - 1))::int AS j,
		(1 + floor(random() * 100)::int) * 0.01 AS amount
	FROM generate_series(1, %[1]d)
), t AS MATERIALIZED (
	SELECT encode(overlay(uuid_send(gen_random_uuid())
			PLACING substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint) FROM 3) FROM 1 FOR 6),
			'hex')::uuid AS entry,
		d.id AS debit, c.id AS credit, p.amount
	FROM picks p
	JOIN %[3]s d ON d.n = p.i
	JOIN %[3]s c ON c.n = p.j + (p.j >= p.i)::int
), locked AS MATERIALIZED (
	SELECT b.account_id FROM ledger.balances b
	WHERE b.shard = 0 AND b.account_id IN (SELECT debit FROM t UNION SELECT credit FROM t)
	ORDER BY b.account_id
	FOR UPDATE
), entries AS (
	INSERT INTO ledger.entries (id, kind, value_date, booked_at, description, currencies, debits, credits)
	SELECT entry, 'transfer', current_date, now(), '', '{CNY}', ARRAY[amount], ARRAY[amount] FROM t
), postings AS (
	INSERT INTO ledger.postings (entry_id, idx, account_id, side, amount, currency, value_date)
	SELECT entry, 0, debit, 'debit', amount, 'CNY', current_date FROM t
	UNION ALL SELECT entry, 1, credit, 'credit', amount, 'CNY', current_date FROM t
), outbox AS (
	INSERT INTO ledger.event_outbox (event_id) SELECT entry FROM t
), moves AS (
	SELECT account_id, sum(change) AS change
	FROM (SELECT debit AS account_id, -amount AS change FROM t UNION ALL SELECT credit, amount FROM t) m
	GROUP BY account_id
)
UPDATE ledger.balances b SET balance = b.balance + m.change
FROM moves m
WHERE b.account_id = m.account_id AND b.shard = 0 AND (SELECT count(*) FROM locked) > 0;
`, n, accounts, floorAccounts)
}

// floorRunner runs the floor with pgbench, one script file per
// transaction size.
type floorRunner struct {
	pgb     pgbenchRunner
	scripts map[int]string // transaction size -> script file
}

// newFloorRunner writes the floor's scripts for sizes into dir.
func newFloorRunner(pgb pgbenchRunner, dir string, sizes []int, accounts int) (floorRunner, error) {
	f := floorRunner{pgb: pgb, scripts: map[int]string{}}
	for _, n := range sizes {
		path := filepath.Join(dir, fmt.Sprintf("floor-%d.sql", n))
		if err := os.WriteFile(path, []byte(floorScript(n, accounts)), 0o600); err != nil {
			return floorRunner{}, err
		}
		f.scripts[n] = path
	}
	return f, nil
}

// run returns the floor's transfers per second at n transfers per
// transaction, one of the sizes the runner was made for.
func (f floorRunner) run(ctx context.Context, clients, n int, d time.Duration) (float64, error) {
	tps, err := f.pgb.runScript(ctx, clients, d, f.scripts[n])
	return tps * float64(n), err
}
