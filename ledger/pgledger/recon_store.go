package pgledger

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/internal/pgtx"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/clearing"
)

const breakColumns = `id, account_id, statement_id, side, line, entry_id, amount, currency,
	to_char(value_date, 'YYYY-MM-DD') AS value_date, reference, status, adjustment_entry_id, resolved_by, resolved_at`

type breakRow struct {
	ID                ledger.ID       `db:"id"`
	AccountID         ledger.ID       `db:"account_id"`
	StatementID       string          `db:"statement_id"`
	Side              string          `db:"side"`
	Line              int             `db:"line"`
	EntryID           ledger.ID       `db:"entry_id"`
	Amount            decimal.Decimal `db:"amount"`
	Currency          string          `db:"currency"`
	ValueDate         string          `db:"value_date"`
	Reference         string          `db:"reference"`
	Status            string          `db:"status"`
	AdjustmentEntryID ledger.ID       `db:"adjustment_entry_id"`
	ResolvedBy        string          `db:"resolved_by"`
	ResolvedAt        sql.NullTime    `db:"resolved_at"`
}

func (r breakRow) reconBreak() (clearing.ReconBreak, error) {
	d, err := parseDate(r.ValueDate)
	if err != nil {
		return clearing.ReconBreak{}, fmt.Errorf("pgledger: break %s: %w", r.ID, err)
	}
	return clearing.ReconBreak{
		ID: r.ID, AccountID: r.AccountID, StatementID: r.StatementID, Side: clearing.BreakSide(r.Side), Line: r.Line,
		EntryID: r.EntryID, Amount: inMinorUnits(r.Amount, r.Currency), ValueDate: d,
		Reference: r.Reference, Status: clearing.BreakStatus(r.Status), AdjustmentEntryID: r.AdjustmentEntryID,
		ResolvedBy: r.ResolvedBy, ResolvedAt: fromNullTime(r.ResolvedAt),
	}, nil
}

func reconBreak(ctx context.Context, q sqlx.QueryerContext, id ledger.ID, lock bool) (clearing.ReconBreak, error) {
	query := `SELECT ` + breakColumns + ` FROM ledger.recon_breaks WHERE id = $1`
	if lock {
		query += ` FOR UPDATE`
	}
	var r breakRow
	if err := sqlx.GetContext(ctx, q, &r, query, id); err != nil {
		return clearing.ReconBreak{}, noRows(err, notFound("reconciliation break", id))
	}
	return r.reconBreak()
}

// ReconReport implements clearing.ReconStore. The breaks are read as they
// are now (a break resolved since the import shows resolved).
func (s *Store) ReconReport(ctx context.Context, accountID ledger.ID, statementID string) (clearing.ReconReport, error) {
	return reconReport(ctx, s.db, accountID, statementID)
}

func reconReport(ctx context.Context, q sqlx.QueryerContext, accountID ledger.ID, statementID string) (clearing.ReconReport, error) {
	var data []byte
	err := sqlx.GetContext(ctx, q, &data, `SELECT report FROM ledger.recon_reports WHERE account_id = $1 AND statement_id = $2`, accountID, statementID)
	if err != nil {
		return clearing.ReconReport{}, noRows(err, fmt.Errorf("%w: no statement %q imported for account %s", ledger.ErrNotFound, statementID, accountID))
	}
	var r clearing.ReconReport
	if err := decodeRecord(data, &r); err != nil {
		return clearing.ReconReport{}, err
	}
	for _, bs := range [][]clearing.ReconBreak{r.UnmatchedStatement, r.UnmatchedLedger} {
		for i := range bs {
			if bs[i], err = reconBreak(ctx, q, bs[i].ID, false); err != nil {
				return clearing.ReconReport{}, err
			}
		}
	}
	return r, nil
}

// ReconciledEntries implements clearing.ReconStore.
func (s *Store) ReconciledEntries(ctx context.Context, accountID ledger.ID, ids []ledger.ID) ([]ledger.ID, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var done []ledger.ID
	err := s.db.SelectContext(ctx, &done, `SELECT entry_id FROM ledger.recon_reconciled
		WHERE account_id = $1 AND entry_id = ANY($2::uuid[])`, accountID, idArray(ids))
	return done, err
}

func idArray(ids []ledger.ID) any {
	strs := make([]string, len(ids))
	for i, id := range ids {
		strs[i] = id.String()
	}
	return pq.Array(strs)
}

// SaveReconciliation implements clearing.ReconStore, in one transaction.
func (s *Store) SaveReconciliation(ctx context.Context, r clearing.ReconReport) (clearing.ReconReport, bool, error) {
	r.Replayed = false
	r.ImportedAt = stored(r.ImportedAt).UTC()
	var out clearing.ReconReport
	var replayed bool
	err := pgtx.Run(ctx, s.db, nil, func(tx *sqlx.Tx) error {
		prior, err := reconReport(ctx, tx, r.AccountID, r.StatementID)
		if err == nil {
			out, replayed = prior, true
			return nil
		}
		if !errors.Is(err, ledger.ErrNotFound) {
			return err
		}
		matched := r.MatchedEntryIDs()
		for _, id := range matched {
			_, err := tx.ExecContext(ctx, `INSERT INTO ledger.recon_reconciled (account_id, entry_id) VALUES ($1, $2)`, r.AccountID, id)
			if pgtx.IsUniqueViolation(err, "") {
				return fmt.Errorf("%w: entry %s was reconciled by another statement", ledger.ErrDuplicate, id)
			}
			if err != nil {
				return err
			}
		}
		if len(matched) > 0 {
			_, err := tx.ExecContext(ctx, `UPDATE ledger.recon_breaks SET status = 'cleared'
				WHERE side = 'ledger' AND status = 'open' AND entry_id = ANY($1::uuid[])`, idArray(matched))
			if err != nil {
				return err
			}
		}
		w := r
		w.UnmatchedLedger = append([]clearing.ReconBreak(nil), r.UnmatchedLedger...)
		for i, b := range w.UnmatchedLedger {
			var open ledger.ID
			err := tx.GetContext(ctx, &open, `SELECT id FROM ledger.recon_breaks WHERE entry_id = $1 AND side = 'ledger' AND status = 'open'`, b.EntryID)
			switch {
			case err == nil:
				if w.UnmatchedLedger[i], err = reconBreak(ctx, tx, open, false); err != nil {
					return err
				}
				continue
			case !errors.Is(err, sql.ErrNoRows):
				return err
			}
			if err := insertBreak(ctx, tx, b); err != nil {
				return err
			}
		}
		for _, b := range w.UnmatchedStatement {
			if err := insertBreak(ctx, tx, b); err != nil {
				return err
			}
		}
		data, err := encodeRecord(w)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO ledger.recon_reports (account_id, statement_id, report) VALUES ($1, $2, $3)`,
			w.AccountID, w.StatementID, data)
		if err != nil {
			return err
		}
		out, replayed = w, false
		return nil
	})
	if pgtx.IsUniqueViolation(err, "recon_reports_pkey") {
		// The same statement was saved at the same moment: that one wins.
		prior, err := s.ReconReport(ctx, r.AccountID, r.StatementID)
		return prior, true, err
	}
	if err != nil {
		return clearing.ReconReport{}, false, err
	}
	return out, replayed, nil
}

func insertBreak(ctx context.Context, tx *sqlx.Tx, b clearing.ReconBreak) error {
	_, err := tx.ExecContext(ctx, `INSERT INTO ledger.recon_breaks (id, account_id, statement_id, side, line, entry_id,
		amount, currency, value_date, reference, status) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
		b.ID, b.AccountID, b.StatementID, string(b.Side), b.Line, nullID(b.EntryID), b.Amount.Amount,
		string(b.Amount.Currency), sqlDate(b.ValueDate), b.Reference, string(b.Status))
	return err
}

// ReconBreak implements clearing.ReconStore.
func (s *Store) ReconBreak(ctx context.Context, id ledger.ID) (clearing.ReconBreak, error) {
	return reconBreak(ctx, s.db, id, false)
}

// ResolveReconBreak implements clearing.ReconStore.
func (s *Store) ResolveReconBreak(ctx context.Context, id, entryID ledger.ID, approver string, at time.Time) (clearing.ReconBreak, error) {
	at = stored(at).UTC()
	var out clearing.ReconBreak
	err := pgtx.Run(ctx, s.db, nil, func(tx *sqlx.Tx) error {
		b, err := reconBreak(ctx, tx, id, true)
		switch {
		case err != nil:
			return err
		case b.Status == clearing.BreakResolved && b.AdjustmentEntryID == entryID:
			out = b
			return nil
		case b.Status != clearing.BreakOpen:
			return fmt.Errorf("%w: break %s is %s", clearing.ErrState, id, b.Status)
		}
		_, err = tx.ExecContext(ctx, `UPDATE ledger.recon_breaks SET status = 'resolved', adjustment_entry_id = $2,
			resolved_by = $3, resolved_at = $4 WHERE id = $1`, id, entryID, approver, at)
		if err != nil {
			return err
		}
		reconciled := []ledger.ID{entryID}
		if b.Side == clearing.BreakInLedger {
			reconciled = append(reconciled, b.EntryID)
		}
		for _, e := range reconciled {
			_, err := tx.ExecContext(ctx, `INSERT INTO ledger.recon_reconciled (account_id, entry_id) VALUES ($1, $2)
				ON CONFLICT DO NOTHING`, b.AccountID, e)
			if err != nil {
				return err
			}
		}
		b.Status, b.AdjustmentEntryID, b.ResolvedBy, b.ResolvedAt = clearing.BreakResolved, entryID, approver, at
		out = b
		return nil
	})
	return out, err
}

// EntryMetadata implements clearing.ReconStore.
func (s *Store) EntryMetadata(ctx context.Context, ids []ledger.ID) (map[ledger.ID]map[string]string, error) {
	out := make(map[ledger.ID]map[string]string)
	if len(ids) == 0 {
		return out, nil
	}
	var rows []struct {
		ID       ledger.ID `db:"id"`
		Metadata []byte    `db:"metadata"`
	}
	err := s.db.SelectContext(ctx, &rows, `SELECT id, metadata FROM ledger.entries
		WHERE id = ANY($1::uuid[]) AND metadata IS NOT NULL`, idArray(ids))
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		var md map[string]string
		if err := json.Unmarshal(r.Metadata, &md); err != nil {
			return nil, fmt.Errorf("pgledger: entry %s metadata: %w", r.ID, err)
		}
		if len(md) > 0 {
			out[r.ID] = md
		}
	}
	return out, nil
}
