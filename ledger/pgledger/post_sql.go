package pgledger

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
)

// The statements of the posting path, all prepared (see postingStatements).
// The two that do the work call functions (migrations/0300) whose plans
// are made once per connection.
const (
	keysSQL     = `SELECT * FROM ledger.entry_keys($1::text[])`
	reversedSQL = `SELECT reverses FROM ledger.entries WHERE reverses = ANY($1::uuid[])`
	rowsSQL     = `SELECT * FROM ledger.balance_rows($1::uuid[], $2::int[], $3)`
	writeSQL    = `SELECT ledger.write_entries($1::uuid[], $2::text[], $3::text[], $4::bytea[], $5::date[],
	$6::timestamptz[], $7::text[], $8::text[], $9::text[], $10::uuid[], $11::int[], $12::uuid[], $13::text[],
	$14::numeric[], $15::text[], $16::date[], $17::text[], $18::uuid[], $19::int[], $20::numeric[],
	$21::numeric[], $22::bool[], $23::uuid[], $24::text[], $25::timestamptz[], $26::uuid[], $27::numeric[],
	$28::uuid[], $29::int[], $30::numeric[], $31::numeric[], $32::text[], $33::bool[])`
)

// Lock modes of ledger.balance_rows.
const (
	readOnly   = 0
	lockWait   = 1
	lockOrSkip = 2
)

// postingStatements lists every prepared statement PostEntries may run.
var postingStatements = []string{keysSQL, reversedSQL, rowsSQL, writeSQL}

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
	mode := lockWait
	switch {
	case tx == nil:
		mode = readOnly
	case b.skipLocked:
		mode = lockOrSkip
	}
	stmt, err := b.prepared(ctx, tx, rowsSQL)
	if err != nil {
		return err
	}
	rows, err := stmt.QueryxContext(ctx, pq.StringArray(ids), pq.Int64Array(shards), mode)
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
		b.classify(&a)
		b.rows[a.ID] = &row{account: a, shard: r.Shard, lockedBalance: r.Balance, lockedHeld: r.Held}
	}
	return rows.Err()
}

// write stores the entries decided in post.
func (b *batch) write(ctx context.Context, tx *sqlx.Tx) error {
	args, err := b.writeArgs()
	if err != nil {
		return err
	}
	args = append(args, noExpectedRows...)
	stmt, err := b.prepared(ctx, tx, writeSQL)
	if err != nil {
		return err
	}
	var wrote bool
	if err := stmt.GetContext(ctx, &wrote, args...); err != nil {
		return err
	}
	if !wrote {
		return errors.New("pgledger: write_entries wrote nothing under locks held")
	}
	return nil
}

// noExpectedRows are write_entries' last arguments for a caller that holds
// the locks already.
var noExpectedRows = []any{pq.StringArray{}, pq.Int64Array{}, pq.StringArray{}, pq.StringArray{},
	pq.StringArray{}, pq.BoolArray{}}

// writeArgs returns write_entries' arguments, but for the expected rows,
// that write the entries decided in post.
func (b *batch) writeArgs() ([]any, error) {
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
				return nil, err
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
	args = append(args, pq.StringArray(hID), pq.StringArray(hStatus), pq.StringArray(hClosed),
		pq.StringArray(hEntry), pq.StringArray(hCaptured))
	return args, nil
}

// prepared returns query prepared, bound to tx if there is one.
func (b *batch) prepared(ctx context.Context, tx *sqlx.Tx, query string) (*sqlx.Stmt, error) {
	if tx == nil {
		return b.stmts.Stmt(ctx, query)
	}
	return b.stmts.In(ctx, tx, query)
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
