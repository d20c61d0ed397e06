package main

import (
	"context"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/bankkit/bankkit/ledger"
)

// seedChunk is how many accounts one seeding statement inserts.
const seedChunk = 50_000

// seed inserts n active CNY demand accounts with 10,000.00 each on their
// balance row and a fresh accrual state from the accrual day, in chunks of
// set-based statements with synchronous commit off.
func seed(ctx context.Context, db *sqlx.DB, n int) error {
	conn, err := db.Connx(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "SET synchronous_commit = off"); err != nil {
		return err
	}
	for from := 0; from < n; from += seedChunk {
		size := min(seedChunk, n-from)
		ids := make([]string, size)
		numbers := make([]string, size)
		for i := range ids {
			ids[i] = ledger.NewID().String()
			numbers[i] = "9" + fmt.Sprintf("%015d", from+i) // outside the "62" numbers the Service draws
		}
		_, err := conn.ExecContext(ctx, `WITH a AS (
				INSERT INTO ledger.accounts (id, number, owner_id, product, currency, normal_side, status, policy_kind, opened_on, created_at)
				SELECT id, number, 'bench-' || number, 'demand', 'CNY', 'credit', 'active', 'non_negative', $3::date, now()
				FROM unnest($1::uuid[], $2::text[]) AS s(id, number)
				RETURNING id),
			b AS (
				INSERT INTO ledger.balances (account_id, shard, status, balance, held, floor)
				SELECT id, 0, 'active', 10000.00, 0, 0 FROM a)
			INSERT INTO ledger.interest_accounts (account_id, currency, product, accrue_from)
			SELECT id, 'CNY', 'savings', $3::date FROM a`,
			pq.StringArray(ids), pq.StringArray(numbers), accrualDay.String())
		if err != nil {
			return err
		}
	}
	_, err = conn.ExecContext(ctx, "ANALYZE ledger.accounts, ledger.balances, ledger.interest_accounts")
	return err
}
