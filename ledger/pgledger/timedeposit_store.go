package pgledger

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/internal/pgtx"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/endofday"
)

// The maturity column holds the date of the deposit's next scheduled
// event (interest.TimeDeposit.Due): its maturity, or an earlier payout of
// principal or interest, so that TimeDepositsDue finds both.

func encodeDeposit(td endofday.TimeDeposit) ([]byte, error) {
	// Terms.Instruction marshals as its name; every other enum is plain.
	b, err := json.Marshal(td)
	if err != nil {
		return nil, fmt.Errorf("pgledger: time deposit %s: %w", td.ID, err)
	}
	return b, nil
}

func decodeDeposit(raw []byte) (endofday.TimeDeposit, error) {
	var td endofday.TimeDeposit
	if err := json.Unmarshal(raw, &td); err != nil {
		return endofday.TimeDeposit{}, fmt.Errorf("pgledger: time deposit: %w", err)
	}
	return td, nil
}

// CreateTimeDeposit implements endofday.Store.
func (s *Store) CreateTimeDeposit(ctx context.Context, td endofday.TimeDeposit) (endofday.TimeDeposit, bool, error) {
	record, err := encodeDeposit(td)
	if err != nil {
		return endofday.TimeDeposit{}, false, err
	}
	var stored endofday.TimeDeposit
	replayed := false
	err = pgtx.Run(ctx, s.db, nil, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO ledger.time_deposits (id, idempotency_key, status, maturity, record)
			VALUES ($1, NULLIF($2, ''), $3, $4, $5) ON CONFLICT DO NOTHING`,
			td.ID, td.IdempotencyKey, string(td.Status), td.Terms.Due(), record)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 1 {
			stored, replayed = td, false
			return nil
		}
		var raw []byte
		err = tx.GetContext(ctx, &raw, `SELECT record FROM ledger.time_deposits WHERE idempotency_key = NULLIF($1, '')`, td.IdempotencyKey)
		if err != nil {
			return noRows(err, fmt.Errorf("%w: time deposit %s", ledger.ErrDuplicate, td.ID))
		}
		stored, err = decodeDeposit(raw)
		replayed = true
		return err
	})
	return stored, replayed, err
}

// TimeDeposit implements endofday.Store.
func (s *Store) TimeDeposit(ctx context.Context, id ledger.ID) (endofday.TimeDeposit, error) {
	var raw []byte
	if err := s.db.GetContext(ctx, &raw, `SELECT record FROM ledger.time_deposits WHERE id = $1`, id); err != nil {
		return endofday.TimeDeposit{}, noRows(err, fmt.Errorf("%w: time deposit %s", ledger.ErrNotFound, id))
	}
	return decodeDeposit(raw)
}

// TimeDepositsDue implements endofday.Store.
func (s *Store) TimeDepositsDue(ctx context.Context, date calendar.Date, after ledger.ID, limit int) ([]endofday.TimeDeposit, error) {
	var raws [][]byte
	err := s.db.SelectContext(ctx, &raws, `SELECT record FROM ledger.time_deposits
		WHERE status = 'open' AND maturity <= $1 AND id > $2 ORDER BY id LIMIT $3`, date, after, max(limit, 0))
	if err != nil {
		return nil, err
	}
	out := make([]endofday.TimeDeposit, len(raws))
	for i, raw := range raws {
		if out[i], err = decodeDeposit(raw); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// UpdateTimeDeposit implements endofday.Store.
func (s *Store) UpdateTimeDeposit(ctx context.Context, id ledger.ID, fn func(endofday.TimeDeposit) (endofday.TimeDeposit, error)) (endofday.TimeDeposit, error) {
	var updated endofday.TimeDeposit
	err := pgtx.Run(ctx, s.db, nil, func(tx *sqlx.Tx) error {
		var raw []byte
		if err := tx.GetContext(ctx, &raw, `SELECT record FROM ledger.time_deposits WHERE id = $1 FOR UPDATE`, id); err != nil {
			return noRows(err, fmt.Errorf("%w: time deposit %s", ledger.ErrNotFound, id))
		}
		td, err := decodeDeposit(raw)
		if err != nil {
			return err
		}
		if updated, err = fn(td); err != nil {
			return err
		}
		updated.ID, updated.IdempotencyKey = td.ID, td.IdempotencyKey
		record, err := encodeDeposit(updated)
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE ledger.time_deposits SET status = $2, maturity = $3, record = $4 WHERE id = $1`,
			id, string(updated.Status), updated.Terms.Due(), record)
		return err
	})
	return updated, err
}
