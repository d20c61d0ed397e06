package pgledger

import (
	"context"
	"encoding/json"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
)

// The statements of the posting path, all prepared (see postingStatements).
const (
	keysSQL     = `SELECT idempotency_key, id, fingerprint FROM ledger.entries WHERE idempotency_key = ANY($1)`
	reversedSQL = `SELECT reverses FROM ledger.entries WHERE reverses = ANY($1::uuid[])`
	lockSkipSQL = lockSQL + " SKIP LOCKED"
)

// postingStatements lists every prepared statement PostEntries may run.
var postingStatements = []string{keysSQL, reversedSQL, rowsSQL, lockSQL, lockSkipSQL,
	postSQL, postCaptureSQL, postIfUnchangedSQL}

// readKeys returns the batch's idempotency keys that earlier entries used.
func (b *batch) readKeys(ctx context.Context, tx *sqlx.Tx) (map[string]earlier, error) {
	var keys []string
	for _, i := range b.todo {
		if k := b.entries[i].IdempotencyKey; k != "" {
			keys = append(keys, k)
		}
	}
	found := map[string]earlier{}
	if len(keys) == 0 {
		return found, nil
	}
	stmt, err := b.prepared(ctx, tx, keysSQL)
	if err != nil {
		return nil, err
	}
	rows, err := stmt.QueryContext(ctx, pq.StringArray(keys))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var k string
		var e earlier
		if err := rows.Scan(&k, &e.id, &e.fp); err != nil {
			return nil, err
		}
		found[k] = e
	}
	return found, rows.Err()
}

// readReversed returns which of the entries the batch reverses have a
// reversal already.
func (b *batch) readReversed(ctx context.Context, tx *sqlx.Tx) (map[ledger.ID]bool, error) {
	var ids []string
	for _, i := range b.todo {
		if r := b.entries[i].Reverses; r != ledger.NilID {
			ids = append(ids, r.String())
		}
	}
	done := map[ledger.ID]bool{}
	if len(ids) == 0 {
		return done, nil
	}
	stmt, err := b.prepared(ctx, tx, reversedSQL)
	if err != nil {
		return nil, err
	}
	var hits []ledger.ID
	if err := stmt.SelectContext(ctx, &hits, pq.StringArray(ids)); err != nil {
		return nil, err
	}
	for _, id := range hits {
		done[id] = true
	}
	return done, nil
}

// lockHolds locks the holds the batch captures, in ID order, before any
// balance row: the order every hold operation uses.
func (b *batch) lockHolds(ctx context.Context, tx *sqlx.Tx) error {
	var ids []string
	for _, i := range b.todo {
		if h := b.entries[i].HoldID; h != ledger.NilID {
			ids = append(ids, h.String())
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var rows []holdRow
	if err := tx.SelectContext(ctx, &rows,
		`SELECT `+holdColumns+` FROM ledger.holds WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`,
		pq.StringArray(ids)); err != nil {
		return err
	}
	for _, r := range rows {
		h := r.hold()
		b.holds[h.ID] = &h
	}
	return nil
}

// lockRows locks one balance row per account the batch touches, in
// account ID order, and reads the account with it. A checked account has
// one row; an unchecked one gets the shard the batch drew for it. With
// b.skipLocked, rows that other transactions hold are left out instead of
// waited for. Without tx it only reads them, for postIfUnchanged.
func (b *batch) lockRows(ctx context.Context, tx *sqlx.Tx) error {
	seen := map[ledger.ID]bool{}
	var ids []string
	var shards []int64
	for _, i := range b.todo {
		for _, m := range b.moves[i] {
			if !seen[m.AccountID] {
				seen[m.AccountID] = true
				ids = append(ids, m.AccountID.String())
				shards = append(shards, int64(b.shardFor(m.AccountID)))
			}
		}
	}
	query := lockSQL
	switch {
	case tx == nil:
		query = rowsSQL
	case b.skipLocked:
		query = lockSkipSQL
	}
	stmt, err := b.prepared(ctx, tx, query)
	if err != nil {
		return err
	}
	rows, err := stmt.QueryxContext(ctx, pq.StringArray(ids), pq.Int64Array(shards))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var r struct {
			accountRow
			Shard int `db:"shard"`
		}
		if err := rows.StructScan(&r); err != nil {
			return err
		}
		a, err := r.account()
		if err != nil {
			return err
		}
		if !a.Policy.Checked() {
			b.unchecked.Store(a.ID, true)
		}
		b.rows[a.ID] = &row{account: a, shard: r.Shard, lockedBalance: r.Balance, lockedHeld: r.Held}
	}
	return rows.Err()
}

// lockSQL locks the balance rows ($1, $2) = (account, shard), in account
// order, and reads each account with its row. Each row is one exact
// primary-key probe: the hot accounts' rows carry many dead versions, and
// a scan over all of an account's shards would wade through them.
const lockSQL = rowsSQL + `
	FOR UPDATE OF b`

// rowsSQL reads what lockSQL locks.
const rowsSQL = `SELECT a.id, a.number, COALESCE(a.code, '') AS code,
	COALESCE(a.owner_id, '') AS owner_id, a.product, a.currency, a.normal_side, b.status,
	a.policy_kind, a.policy_limit, to_char(a.opened_on, 'YYYY-MM-DD') AS opened_on, a.created_at,
	b.balance, b.held, b.shard
	FROM unnest($1::uuid[], $2::int[]) AS v(id, shard)
	JOIN ledger.balances b ON b.account_id = v.id AND b.shard = v.shard
	JOIN ledger.accounts a ON a.id = b.account_id
	ORDER BY b.account_id`

// postSQL writes every passing entry of a batch in one statement: the
// entries with their per-currency totals (computed here from the postings
// themselves, for the entries_balanced CHECK), the postings, the balance
// rows and the outbox rows.
const postSQL = postCTEs + "\n" + postOutbox

// postCaptureSQL is postSQL that also records captured holds. It is a
// separate statement so that the common case plans no update of holds.
const postCaptureSQL = postCTEs + `, captured AS (
	UPDATE ledger.holds h
	SET status = v.status, closed_at = v.closed_at, capture_entry_id = v.entry_id, captured = v.captured
	FROM unnest($23::uuid[], $24::text[], $25::timestamptz[], $26::uuid[], $27::numeric[])
		AS v(id, status, closed_at, entry_id, captured)
	WHERE h.id = v.id
	RETURNING 1
)
` + postOutbox

const postCTEs = `WITH go_ahead AS (SELECT true AS ok), ` + postBody

// postBody is the common part of the posting statements: CTEs that write
// the entries, postings and balances if the CTE go_ahead says so.
const postBody = `p AS (
	SELECT * FROM unnest($10::uuid[], $11::int[], $12::uuid[], $13::text[], $14::numeric[], $15::text[], $16::date[])
		AS p(entry_id, idx, account_id, side, amount, currency, value_date)
	WHERE (SELECT ok FROM go_ahead)
), totals AS (
	SELECT entry_id, array_agg(currency ORDER BY currency) AS currencies,
		array_agg(debits ORDER BY currency) AS debits, array_agg(credits ORDER BY currency) AS credits
	FROM (SELECT entry_id, currency,
			sum(CASE WHEN side = 'debit' THEN amount ELSE 0 END) AS debits,
			sum(CASE WHEN side = 'credit' THEN amount ELSE 0 END) AS credits
		FROM p GROUP BY entry_id, currency) per_currency
	GROUP BY entry_id
), new_entries AS (
	INSERT INTO ledger.entries (id, kind, idempotency_key, fingerprint, value_date, booked_at,
		description, metadata, reverses, hold_id, currencies, debits, credits)
	SELECT v.id, v.kind, NULLIF(v.key, ''), NULLIF(v.fp, ''::bytea), v.value_date, v.booked_at,
		v.description, NULLIF(v.metadata, '')::jsonb, NULLIF(v.reverses, '')::uuid, NULLIF(v.hold_id, '')::uuid,
		t.currencies, t.debits, t.credits
	FROM unnest($1::uuid[], $2::text[], $3::text[], $4::bytea[], $5::date[], $6::timestamptz[],
			$7::text[], $8::text[], $9::text[], $17::text[])
		AS v(id, kind, key, fp, value_date, booked_at, description, metadata, reverses, hold_id)
	JOIN totals t ON t.entry_id = v.id
	RETURNING 1
), new_postings AS (
	INSERT INTO ledger.postings (entry_id, idx, account_id, side, amount, currency, value_date)
	SELECT entry_id, idx, account_id, side, amount, currency, value_date FROM p
	RETURNING 1
), moved AS (
	UPDATE ledger.balances b
	SET balance = b.balance + v.d_balance,
		held = b.held + v.d_held,
		excused = CASE WHEN v.excuse
			THEN GREATEST(0, b.floor - (b.balance + v.d_balance - b.held - v.d_held))
			ELSE LEAST(b.excused, GREATEST(0, b.floor - (b.balance + v.d_balance - b.held - v.d_held))) END
	FROM unnest($18::uuid[], $19::int[], $20::numeric[], $21::numeric[], $22::bool[])
		AS v(account_id, shard, d_balance, d_held, excuse)
	WHERE b.account_id = v.account_id AND b.shard = v.shard AND (SELECT ok FROM go_ahead)
	RETURNING 1
)`

const postOutbox = `INSERT INTO ledger.outbox (entry_id)
SELECT id FROM unnest($1::uuid[]) WITH ORDINALITY AS o(id, n) ORDER BY n`

// write stores the entries decided in post.
func (b *batch) write(ctx context.Context, tx *sqlx.Tx) error {
	query, args, err := b.writeArgs()
	if err != nil {
		return err
	}
	stmt, err := b.prepared(ctx, tx, query)
	if err != nil {
		return err
	}
	_, err = stmt.ExecContext(ctx, args...)
	return err
}

// writeArgs returns the statement and arguments that write the entries
// decided in post.
func (b *batch) writeArgs() (string, []any, error) {
	var (
		ids, kinds, keys, dates, booked, descs, metas, reverses, holdIDs []string
		fps                                                              [][]byte

		pEntry, pAccount, pSide, pAmount, pCurrency, pDate []string
		pIdx                                               []int64

		bAccount, bBalance, bHeld []string
		bShard                    []int64
		bExcuse                   []bool

		hID, hStatus, hClosed, hEntry, hCaptured []string
	)
	for _, i := range b.posted {
		e := &b.entries[i]
		fp := b.reqs[i].Fingerprint
		meta := ""
		if len(e.Metadata) > 0 {
			m, err := json.Marshal(e.Metadata)
			if err != nil {
				return "", nil, err
			}
			meta = string(m)
		}
		ids = append(ids, e.ID.String())
		kinds = append(kinds, string(e.Kind))
		keys = append(keys, e.IdempotencyKey)
		if e.IdempotencyKey != "" {
			fps = append(fps, fp[:])
		} else {
			fps = append(fps, []byte{})
		}
		dates = append(dates, sqlDate(e.ValueDate))
		booked = append(booked, e.BookedAt.Format(time.RFC3339Nano))
		descs = append(descs, e.Description)
		metas = append(metas, meta)
		reverses = append(reverses, optionalID(e.Reverses))
		holdIDs = append(holdIDs, optionalID(e.HoldID))
		for j, p := range e.Postings {
			pEntry = append(pEntry, e.ID.String())
			pIdx = append(pIdx, int64(j))
			pAccount = append(pAccount, p.AccountID.String())
			pSide = append(pSide, string(p.Side))
			pAmount = append(pAmount, p.Amount.Amount.String())
			pCurrency = append(pCurrency, string(p.Amount.Currency))
			pDate = append(pDate, sqlDate(e.ValueDate))
		}
	}
	for id, r := range b.rows {
		if !r.changed {
			continue
		}
		dBalance := r.account.Balance.Amount.Sub(r.lockedBalance)
		dHeld := r.account.Held.Amount.Sub(r.lockedHeld)
		if dBalance.IsZero() && dHeld.IsZero() && !r.excuse {
			continue
		}
		bAccount = append(bAccount, id.String())
		bShard = append(bShard, int64(r.shard))
		bBalance = append(bBalance, dBalance.String())
		bHeld = append(bHeld, dHeld.String())
		bExcuse = append(bExcuse, r.excuse)
	}
	for _, id := range b.captured {
		h := b.holds[id]
		hID = append(hID, h.ID.String())
		hStatus = append(hStatus, string(h.Status))
		hClosed = append(hClosed, h.ClosedAt.Format(time.RFC3339Nano))
		hEntry = append(hEntry, h.CaptureEntryID.String())
		hCaptured = append(hCaptured, h.Captured.Amount.String())
	}
	args := []any{
		pq.StringArray(ids), pq.StringArray(kinds), pq.StringArray(keys), pq.ByteaArray(fps),
		pq.StringArray(dates), pq.StringArray(booked), pq.StringArray(descs), pq.StringArray(metas),
		pq.StringArray(reverses),
		pq.StringArray(pEntry), pq.Int64Array(pIdx), pq.StringArray(pAccount), pq.StringArray(pSide),
		pq.StringArray(pAmount), pq.StringArray(pCurrency), pq.StringArray(pDate),
		pq.StringArray(holdIDs),
		pq.StringArray(bAccount), pq.Int64Array(bShard), pq.StringArray(bBalance), pq.StringArray(bHeld),
		pq.BoolArray(bExcuse),
	}
	query := postSQL
	if len(hID) > 0 {
		query = postCaptureSQL
		args = append(args, pq.StringArray(hID), pq.StringArray(hStatus), pq.StringArray(hClosed),
			pq.StringArray(hEntry), pq.StringArray(hCaptured))
	}
	return query, args, nil
}

// prepared returns query prepared, bound to tx if there is one.
func (b *batch) prepared(ctx context.Context, tx *sqlx.Tx, query string) (*sqlx.Stmt, error) {
	if tx == nil {
		return b.stmts.get(ctx, query)
	}
	return b.stmts.in(ctx, tx, query)
}

// optionalID is an ID as text, "" for NilID.
func optionalID(id ledger.ID) string {
	if id == ledger.NilID {
		return ""
	}
	return id.String()
}

// moneyOf pairs a stored amount with its currency.
func moneyOf(amount decimal.Decimal, currency string) money.Money {
	return money.Money{Amount: amount, Currency: money.Currency(currency)}
}
