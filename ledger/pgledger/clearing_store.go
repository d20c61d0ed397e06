package pgledger

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/gob"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/internal/pgtx"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/clearing"
	"github.com/bankkit/bankkit/money"
)

const transferColumns = `id, entry_id, from_account_id, from_account_number, debtor_name, to_bank_code,
	to_account_number, to_name, amount, currency, end_to_end_id, description, status, batch_id,
	return_entry_id, return_reason, return_info, returned_from_settlement, created_at, updated_at, idempotency_key,
	channel, route, urgent, send_after, fee, rejected, ref_client, external_ref`

// transferRow is the scan target of transferColumns.
type transferRow struct {
	ID                     ledger.ID       `db:"id"`
	EntryID                ledger.ID       `db:"entry_id"`
	FromAccountID          ledger.ID       `db:"from_account_id"`
	FromAccountNumber      string          `db:"from_account_number"`
	DebtorName             string          `db:"debtor_name"`
	ToBankCode             string          `db:"to_bank_code"`
	ToAccountNumber        string          `db:"to_account_number"`
	ToName                 string          `db:"to_name"`
	Amount                 decimal.Decimal `db:"amount"`
	Currency               string          `db:"currency"`
	EndToEndID             string          `db:"end_to_end_id"`
	Description            string          `db:"description"`
	Status                 string          `db:"status"`
	BatchID                ledger.ID       `db:"batch_id"`
	ReturnEntryID          ledger.ID       `db:"return_entry_id"`
	ReturnReason           string          `db:"return_reason"`
	ReturnInfo             string          `db:"return_info"`
	ReturnedFromSettlement bool            `db:"returned_from_settlement"`
	CreatedAt              time.Time       `db:"created_at"`
	UpdatedAt              time.Time       `db:"updated_at"`
	IdempotencyKey         string          `db:"idempotency_key"`
	Channel                string          `db:"channel"`
	Route                  string          `db:"route"`
	Urgent                 bool            `db:"urgent"`
	SendAfter              sql.NullTime    `db:"send_after"`
	Fee                    decimal.Decimal `db:"fee"`
	Rejected               bool            `db:"rejected"`
	RefClient              string          `db:"ref_client"`
	ExternalRef            string          `db:"external_ref"`
}

func (r transferRow) transfer() clearing.Transfer {
	return clearing.Transfer{
		ID: r.ID, EntryID: r.EntryID, FromAccountID: r.FromAccountID, FromAccountNumber: r.FromAccountNumber,
		DebtorName: r.DebtorName,
		To:         clearing.ExternalAccount{BankCode: r.ToBankCode, AccountNumber: r.ToAccountNumber, Name: r.ToName},
		Amount:     inMinorUnits(r.Amount, r.Currency),
		EndToEndID: r.EndToEndID, Description: r.Description, Status: clearing.Status(r.Status),
		BatchID: r.BatchID, ReturnEntryID: r.ReturnEntryID, ReturnReason: r.ReturnReason, ReturnInfo: r.ReturnInfo,
		ReturnedFromSettlement: r.ReturnedFromSettlement,
		CreatedAt:              r.CreatedAt.UTC(), UpdatedAt: r.UpdatedAt.UTC(), IdempotencyKey: r.IdempotencyKey,
		Channel: r.Channel, Route: r.Route, Urgent: r.Urgent, SendAfter: fromNullTime(r.SendAfter),
		Fee: inMinorUnits(r.Fee, r.Currency), Rejected: r.Rejected,
		ExternalRef: ledger.ExternalRef{Client: r.RefClient, Ref: r.ExternalRef},
	}
}

// CreateClearingTransfer implements clearing.Store.
func (s *Store) CreateClearingTransfer(ctx context.Context, t clearing.Transfer, fp ledger.Fingerprint) (clearing.Transfer, bool, error) {
	if t.ID == ledger.NilID || t.IdempotencyKey == "" || t.EndToEndID == "" {
		return clearing.Transfer{}, false, fault.Field(ledger.ErrInvalidInput, "transfer", "needs an id, an end-to-end id and an idempotency key")
	}
	t.CreatedAt, t.UpdatedAt = stored(t.CreatedAt).UTC(), stored(t.UpdatedAt).UTC()
	if !t.SendAfter.IsZero() {
		t.SendAfter = stored(t.SendAfter).UTC()
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO ledger.clearing_transfers (`+transferColumns+`, fingerprint)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21,
		        $22, $23, $24, $25, $26, $27, $28, $29, $30)`,
		t.ID, t.EntryID, t.FromAccountID, t.FromAccountNumber, t.DebtorName, t.To.BankCode,
		t.To.AccountNumber, t.To.Name, t.Amount.Amount, string(t.Amount.Currency), t.EndToEndID, t.Description,
		string(t.Status), nullID(t.BatchID), nullID(t.ReturnEntryID), t.ReturnReason, t.ReturnInfo,
		t.ReturnedFromSettlement, t.CreatedAt, t.UpdatedAt, t.IdempotencyKey,
		t.Channel, t.Route, t.Urgent, nullTime(t.SendAfter), t.Fee.Amount, t.Rejected,
		t.ExternalRef.Client, t.ExternalRef.Ref, fp[:])
	switch {
	case err == nil:
		return t, false, nil
	case pgtx.IsUniqueViolation(err, "clearing_transfers_idempotency_key"):
		var hit struct {
			transferRow
			Fingerprint []byte `db:"fingerprint"`
		}
		err := s.db.GetContext(ctx, &hit, `SELECT `+transferColumns+`, fingerprint FROM ledger.clearing_transfers WHERE idempotency_key = $1`, t.IdempotencyKey)
		if err != nil {
			return clearing.Transfer{}, false, err
		}
		if !bytes.Equal(hit.Fingerprint, fp[:]) {
			return clearing.Transfer{}, false, ledger.ErrIdempotencyConflict
		}
		return hit.transfer(), true, nil
	case pgtx.IsUniqueViolation(err, "clearing_transfers_ref"):
		held, err := s.ClearingTransferByRef(ctx, t.ExternalRef)
		if err != nil {
			return clearing.Transfer{}, false, err
		}
		return clearing.Transfer{}, false, ledger.RefTaken("transfer", t.ExternalRef, held.ID)
	case pgtx.IsUniqueViolation(err, ""):
		return clearing.Transfer{}, false, fmt.Errorf("%w: transfer %s or end-to-end id %s", ledger.ErrDuplicate, t.ID, t.EndToEndID)
	}
	return clearing.Transfer{}, false, err
}

// ClearingTransfer implements clearing.Store.
func (s *Store) ClearingTransfer(ctx context.Context, id ledger.ID) (clearing.Transfer, error) {
	var r transferRow
	err := s.db.GetContext(ctx, &r, `SELECT `+transferColumns+` FROM ledger.clearing_transfers WHERE id = $1`, id)
	if err != nil {
		return clearing.Transfer{}, noRows(err, notFound("clearing transfer", id))
	}
	return r.transfer(), nil
}

// ClearingTransferByEndToEnd implements clearing.Store.
func (s *Store) ClearingTransferByEndToEnd(ctx context.Context, endToEndID string) (clearing.Transfer, error) {
	var r transferRow
	err := s.db.GetContext(ctx, &r, `SELECT `+transferColumns+` FROM ledger.clearing_transfers WHERE end_to_end_id = $1`, endToEndID)
	if err != nil {
		return clearing.Transfer{}, noRows(err, fmt.Errorf("%w: no transfer with end-to-end id %q", ledger.ErrNotFound, endToEndID))
	}
	return r.transfer(), nil
}

// ClearingTransferByRef implements clearing.Store.
func (s *Store) ClearingTransferByRef(ctx context.Context, ref ledger.ExternalRef) (clearing.Transfer, error) {
	var r transferRow
	err := s.db.GetContext(ctx, &r, `SELECT `+transferColumns+` FROM ledger.clearing_transfers
		WHERE ref_client = $1 AND external_ref = $2 AND external_ref <> ''`, ref.Client, ref.Ref)
	if err != nil {
		return clearing.Transfer{}, noRows(err, fmt.Errorf("%w: no transfer with external reference %q", ledger.ErrNotFound, ref.Ref))
	}
	return r.transfer(), nil
}

// UpdateClearingTransfer implements clearing.Store: the row is
// locked while fn runs, and only the life-cycle columns are written.
func (s *Store) UpdateClearingTransfer(ctx context.Context, id ledger.ID, fn func(clearing.Transfer) (clearing.Transfer, error)) (clearing.Transfer, error) {
	var out clearing.Transfer
	err := pgtx.Run(ctx, s.db, nil, func(tx *sqlx.Tx) error {
		var r transferRow
		err := tx.GetContext(ctx, &r, `SELECT `+transferColumns+` FROM ledger.clearing_transfers WHERE id = $1 FOR UPDATE`, id)
		if err != nil {
			return noRows(err, notFound("clearing transfer", id))
		}
		t, err := fn(r.transfer())
		if err != nil {
			return err
		}
		t.UpdatedAt = stored(t.UpdatedAt).UTC()
		_, err = tx.ExecContext(ctx, `UPDATE ledger.clearing_transfers SET status = $2, batch_id = $3, return_entry_id = $4,
			return_reason = $5, return_info = $6, returned_from_settlement = $7, updated_at = $8, rejected = $9 WHERE id = $1`,
			id, string(t.Status), nullID(t.BatchID), nullID(t.ReturnEntryID), t.ReturnReason, t.ReturnInfo,
			t.ReturnedFromSettlement, t.UpdatedAt, t.Rejected)
		if err != nil {
			return err
		}
		fresh := r.transfer()
		fresh.Status, fresh.BatchID, fresh.ReturnEntryID = t.Status, t.BatchID, t.ReturnEntryID
		fresh.ReturnReason, fresh.ReturnInfo, fresh.ReturnedFromSettlement, fresh.UpdatedAt = t.ReturnReason, t.ReturnInfo, t.ReturnedFromSettlement, t.UpdatedAt
		fresh.Rejected = t.Rejected
		out = fresh
		return nil
	})
	return out, err
}

// CutClearingBatch implements clearing.Store. The pending rows are
// claimed with FOR UPDATE SKIP LOCKED, so concurrent cuts take disjoint
// sets instead of waiting for each other (CockroachDB and YugabyteDB
// accept SKIP LOCKED too).
func (s *Store) CutClearingBatch(ctx context.Context, b clearing.Batch, limit int) (clearing.Batch, error) {
	b.CreatedAt = stored(b.CreatedAt).UTC()
	b.Message = nil
	var out clearing.Batch
	err := pgtx.Run(ctx, s.db, nil, func(tx *sqlx.Tx) error {
		var claimed []struct {
			ID     ledger.ID       `db:"id"`
			Amount decimal.Decimal `db:"amount"`
		}
		err := tx.SelectContext(ctx, &claimed, `UPDATE ledger.clearing_transfers t SET status = 'batched', batch_id = $3, updated_at = $4
			FROM (SELECT id FROM ledger.clearing_transfers WHERE status = 'pending_clearing' AND currency = $1
			      AND channel = $5 AND (send_after IS NULL OR send_after <= $4)
			      ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED) picked
			WHERE t.id = picked.id RETURNING t.id, t.amount`,
			string(b.Currency), limit, b.ID, b.CreatedAt, b.Channel)
		if err != nil {
			return err
		}
		out = b
		out.TransferIDs = nil
		if len(claimed) == 0 {
			return nil
		}
		total := decimal.Zero
		ids := make([]ledger.ID, len(claimed))
		for i, c := range claimed {
			ids[i] = c.ID
			total = total.Add(c.Amount)
		}
		slices.SortFunc(ids, ledger.CompareIDs)
		out.TransferIDs = ids
		out.Total = inMinorUnits(total, string(b.Currency))
		_, err = tx.ExecContext(ctx, `INSERT INTO ledger.clearing_batches (id, message_id, currency, total, settlement_date, created_at, channel)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`,
			b.ID, b.MessageID, string(b.Currency), total, sqlDate(b.SettlementDate), b.CreatedAt, b.Channel)
		if pgtx.IsUniqueViolation(err, "") {
			return fmt.Errorf("%w: batch %s", ledger.ErrDuplicate, b.ID)
		}
		return err
	})
	return out, err
}

const batchColumns = `id, message_id, currency, total, to_char(settlement_date, 'YYYY-MM-DD') AS settlement_date, created_at,
	settled, settled_at, settled_total, settlement_entry_id, channel`

type batchRow struct {
	ID                ledger.ID           `db:"id"`
	MessageID         string              `db:"message_id"`
	Currency          string              `db:"currency"`
	Total             decimal.Decimal     `db:"total"`
	SettlementDate    string              `db:"settlement_date"`
	CreatedAt         time.Time           `db:"created_at"`
	Settled           bool                `db:"settled"`
	SettledAt         sql.NullTime        `db:"settled_at"`
	SettledTotal      decimal.NullDecimal `db:"settled_total"`
	SettlementEntryID ledger.ID           `db:"settlement_entry_id"`
	Channel           string              `db:"channel"`
}

func (r batchRow) batch(ids []ledger.ID) (clearing.Batch, error) {
	d, err := parseDate(r.SettlementDate)
	if err != nil {
		return clearing.Batch{}, fmt.Errorf("pgledger: batch %s: %w", r.ID, err)
	}
	c := money.Currency(r.Currency)
	b := clearing.Batch{
		ID: r.ID, MessageID: r.MessageID, Currency: c, TransferIDs: ids,
		Total: inMinorUnits(r.Total, r.Currency), SettlementDate: d, CreatedAt: r.CreatedAt.UTC(),
		Settled: r.Settled, SettledAt: fromNullTime(r.SettledAt), SettlementEntryID: r.SettlementEntryID,
		Channel: r.Channel,
	}
	if r.SettledTotal.Valid {
		b.SettledTotal = inMinorUnits(r.SettledTotal.Decimal, r.Currency)
	}
	return b, nil
}

// clearingBatch reads a batch and its transfer IDs with q (the pool or a
// transaction), locking the batch row when lock is set.
func clearingBatch(ctx context.Context, q sqlx.QueryerContext, id ledger.ID, lock bool) (clearing.Batch, error) {
	query := `SELECT ` + batchColumns + ` FROM ledger.clearing_batches WHERE id = $1`
	if lock {
		query += ` FOR UPDATE`
	}
	var r batchRow
	if err := sqlx.GetContext(ctx, q, &r, query, id); err != nil {
		return clearing.Batch{}, noRows(err, notFound("clearing batch", id))
	}
	var ids []ledger.ID
	if err := sqlx.SelectContext(ctx, q, &ids, `SELECT id FROM ledger.clearing_transfers WHERE batch_id = $1 ORDER BY id`, id); err != nil {
		return clearing.Batch{}, err
	}
	return r.batch(ids)
}

// ClearingBatch implements clearing.Store.
func (s *Store) ClearingBatch(ctx context.Context, id ledger.ID) (clearing.Batch, error) {
	return clearingBatch(ctx, s.db, id, false)
}

// ClearingTransfersOfBatch implements clearing.Store.
func (s *Store) ClearingTransfersOfBatch(ctx context.Context, batchID ledger.ID) ([]clearing.Transfer, error) {
	var exists bool
	if err := s.db.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM ledger.clearing_batches WHERE id = $1)`, batchID); err != nil {
		return nil, err
	}
	if !exists {
		return nil, notFound("clearing batch", batchID)
	}
	var rows []transferRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+transferColumns+` FROM ledger.clearing_transfers WHERE batch_id = $1 ORDER BY id`, batchID); err != nil {
		return nil, err
	}
	out := make([]clearing.Transfer, len(rows))
	for i, r := range rows {
		out[i] = r.transfer()
	}
	return out, nil
}

// SettleClearingBatch implements clearing.Store. The batch row is
// locked first, then its batched transfers, in ID order.
func (s *Store) SettleClearingBatch(ctx context.Context, id ledger.ID, at time.Time) (clearing.Batch, bool, error) {
	at = stored(at).UTC()
	var out clearing.Batch
	var already bool
	err := pgtx.Run(ctx, s.db, nil, func(tx *sqlx.Tx) error {
		b, err := clearingBatch(ctx, tx, id, true)
		if err != nil {
			return err
		}
		if b.Settled {
			out, already = b, true
			return nil
		}
		var amounts []decimal.Decimal
		err = tx.SelectContext(ctx, &amounts, `UPDATE ledger.clearing_transfers SET status = 'settled', updated_at = $2
			WHERE id IN (SELECT id FROM ledger.clearing_transfers WHERE batch_id = $1 AND status = 'batched' ORDER BY id FOR UPDATE)
			RETURNING amount`, id, at)
		if err != nil {
			return err
		}
		total := decimal.Zero
		for _, a := range amounts {
			total = total.Add(a)
		}
		_, err = tx.ExecContext(ctx, `UPDATE ledger.clearing_batches SET settled = true, settled_at = $2, settled_total = $3 WHERE id = $1`,
			id, at, total)
		if err != nil {
			return err
		}
		b.Settled, b.SettledAt = true, at
		b.SettledTotal = inMinorUnits(total, string(b.Currency))
		out, already = b, false
		return nil
	})
	return out, already, err
}

// SetSettlementEntry implements clearing.Store.
func (s *Store) SetSettlementEntry(ctx context.Context, batchID, entryID ledger.ID) error {
	res, err := s.db.ExecContext(ctx, `UPDATE ledger.clearing_batches SET settlement_entry_id = $2 WHERE id = $1`, batchID, entryID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err == nil && n == 0 {
		return notFound("clearing batch", batchID)
	}
	return err
}

// InboundResult implements clearing.Store.
func (s *Store) InboundResult(ctx context.Context, kind, messageID string) (clearing.InboundReport, error) {
	var data []byte
	err := s.db.GetContext(ctx, &data, `SELECT report FROM ledger.clearing_inbound WHERE kind = $1 AND message_id = $2`, kind, messageID)
	if err != nil {
		return clearing.InboundReport{}, noRows(err, fmt.Errorf("%w: no %s message %q received", ledger.ErrNotFound, kind, messageID))
	}
	var r clearing.InboundReport
	return r, decodeRecord(data, &r)
}

// SaveInboundResult implements clearing.Store.
func (s *Store) SaveInboundResult(ctx context.Context, r clearing.InboundReport) (clearing.InboundReport, bool, error) {
	r.Replayed = false
	r.ReceivedAt = stored(r.ReceivedAt).UTC()
	data, err := encodeRecord(r)
	if err != nil {
		return clearing.InboundReport{}, false, err
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO ledger.clearing_inbound (kind, message_id, report) VALUES ($1, $2, $3)
		ON CONFLICT (kind, message_id) DO NOTHING`, r.Kind, r.MessageID, data)
	if err != nil {
		return clearing.InboundReport{}, false, err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return r, false, err
	}
	prior, err := s.InboundResult(ctx, r.Kind, r.MessageID)
	return prior, true, err
}

// encodeRecord and decodeRecord keep a report whole. gob reads back
// exactly what it wrote, decimals with their exponents included.
func encodeRecord(v any) ([]byte, error) {
	var buf bytes.Buffer
	if err := gob.NewEncoder(&buf).Encode(v); err != nil {
		return nil, fmt.Errorf("pgledger: encoding a record: %w", err)
	}
	return buf.Bytes(), nil
}

func decodeRecord(data []byte, v any) error {
	if err := gob.NewDecoder(bytes.NewReader(data)).Decode(v); err != nil {
		return fmt.Errorf("pgledger: decoding a record: %w", err)
	}
	return nil
}

// inMinorUnits reads a NUMERIC amount back in its currency's minor unit:
// PostgreSQL keeps the scale it was given, which need not be the
// currency's ("300" for 300.00 CNY).
func inMinorUnits(d decimal.Decimal, currency string) money.Money {
	c := money.Currency(currency)
	if c.Valid() {
		d = d.Round(int32(c.MinorUnits()))
	}
	return money.Money{Amount: d, Currency: c}
}
