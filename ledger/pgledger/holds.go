package pgledger

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/internal/pgtx"
	"github.com/bankkit/bankkit/ledger"
)

const holdColumns = `id, account_id, amount, currency, status, expires_at, description,
	COALESCE(idempotency_key, '') AS idempotency_key, created_at, closed_at, capture_entry_id, captured,
	COALESCE(ref_client, '') AS ref_client, COALESCE(external_ref, '') AS external_ref`

// holdRow is the scan target of holdColumns.
type holdRow struct {
	ID             ledger.ID           `db:"id"`
	AccountID      ledger.ID           `db:"account_id"`
	Amount         decimal.Decimal     `db:"amount"`
	Currency       string              `db:"currency"`
	Status         string              `db:"status"`
	ExpiresAt      sql.NullTime        `db:"expires_at"`
	Description    string              `db:"description"`
	IdempotencyKey string              `db:"idempotency_key"`
	CreatedAt      time.Time           `db:"created_at"`
	ClosedAt       sql.NullTime        `db:"closed_at"`
	CaptureEntryID *ledger.ID          `db:"capture_entry_id"`
	Captured       decimal.NullDecimal `db:"captured"`
	RefClient      string              `db:"ref_client"`
	ExternalRef    string              `db:"external_ref"`
}

func (r holdRow) hold() ledger.Hold {
	h := ledger.Hold{
		ID:             r.ID,
		AccountID:      r.AccountID,
		Amount:         moneyOf(r.Amount, r.Currency),
		Status:         ledger.HoldStatus(r.Status),
		ExpiresAt:      fromNullTime(r.ExpiresAt),
		Description:    r.Description,
		IdempotencyKey: r.IdempotencyKey,
		CreatedAt:      r.CreatedAt.UTC(),
		ClosedAt:       fromNullTime(r.ClosedAt),
		ExternalRef:    ledger.ExternalRef{Client: r.RefClient, Ref: r.ExternalRef},
	}
	if r.CaptureEntryID != nil {
		h.CaptureEntryID = *r.CaptureEntryID
	}
	if r.Captured.Valid {
		h.Captured = moneyOf(r.Captured.Decimal, r.Currency)
	}
	return h
}

// PlaceHold implements ledger.Store. It locks the account's shard 0 row,
// where held amounts live, and admits the hold against it.
func (s *Store) PlaceHold(ctx context.Context, h ledger.Hold, fp ledger.Fingerprint) (ledger.Hold, bool, error) {
	if h.IdempotencyKey != "" {
		prior, replayed, err := s.holdByKey(ctx, h.IdempotencyKey, fp)
		if err != nil || replayed {
			return prior, replayed, err
		}
	}
	if err := h.Validate(); err != nil {
		return ledger.Hold{}, false, err
	}
	if err := s.refFree(ctx, "hold", h.ExternalRef); err != nil {
		return ledger.Hold{}, false, err
	}
	h.CreatedAt, h.ExpiresAt = stored(h.CreatedAt), stored(h.ExpiresAt)
	err := pgtx.Run(ctx, s.db, nil, func(tx *sqlx.Tx) error {
		a, err := lockShardZero(ctx, tx, h.AccountID)
		if err != nil {
			return err
		}
		before := a.Held.Amount
		if err := ledger.AdmitHold(&a, h); err != nil {
			return err
		}
		placed, err := ledger.HoldChangedEvent(h)
		if err != nil {
			return err
		}
		if err := s.outbox.Append(ctx, tx, placed); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO ledger.holds (id, account_id, amount, currency, status,
			expires_at, description, idempotency_key, fingerprint, created_at, ref_client, external_ref)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			h.ID, h.AccountID, h.Amount.Amount, h.Amount.Currency, h.Status, nullTime(h.ExpiresAt),
			h.Description, nullString(h.IdempotencyKey), fingerprintArg(h.IdempotencyKey, fp), h.CreatedAt,
			nullString(h.ExternalRef.Client), nullString(h.ExternalRef.Ref)); err != nil {
			return err
		}
		return addHeld(ctx, tx, h.AccountID, a.Held.Amount.Sub(before))
	})
	switch {
	case err == nil:
		return h, false, nil
	case pgtx.IsUniqueViolation(err, "holds_idempotency_key"):
		return s.holdByKey(ctx, h.IdempotencyKey, fp)
	case pgtx.IsUniqueViolation(err, "holds_pkey"):
		return ledger.Hold{}, false, fmt.Errorf("%w: hold id %s", ledger.ErrDuplicate, h.ID)
	case pgtx.IsUniqueViolation(err, "holds_external_ref"):
		// A concurrent placement with the reference won.
		if err := s.refFree(ctx, "hold", h.ExternalRef); err != nil {
			return ledger.Hold{}, false, err
		}
	}
	return ledger.Hold{}, false, err
}

// holdByKey returns the hold placed with key: replayed when fp matches,
// ErrIdempotencyConflict when not, nothing when the key is unused.
func (s *Store) holdByKey(ctx context.Context, key string, fp ledger.Fingerprint) (ledger.Hold, bool, error) {
	var hit struct {
		ID          ledger.ID `db:"id"`
		Fingerprint []byte    `db:"fingerprint"`
	}
	err := s.db.GetContext(ctx, &hit, `SELECT id, fingerprint FROM ledger.holds WHERE idempotency_key = $1`, key)
	if err != nil {
		return ledger.Hold{}, false, noRows(err, nil)
	}
	if string(hit.Fingerprint) != string(fp[:]) {
		return ledger.Hold{}, false, fmt.Errorf("%w: key %q", ledger.ErrIdempotencyConflict, key)
	}
	h, err := s.Hold(ctx, hit.ID)
	return h, err == nil, err
}

// lockShardZero locks the account's shard 0 balance row and returns the
// account as it stands, with its current status and total held amount.
func lockShardZero(ctx context.Context, tx *sqlx.Tx, id ledger.ID) (ledger.Account, error) {
	if _, err := tx.ExecContext(ctx,
		`SELECT 1 FROM ledger.balances WHERE account_id = $1 AND shard = 0 FOR UPDATE`, id); err != nil {
		return ledger.Account{}, err
	}
	return accountIn(ctx, tx, id)
}

// addHeld changes the held amount of the account's shard 0 row by delta.
// The row's CHECKs refuse a held amount below zero or beyond the policy.
func addHeld(ctx context.Context, tx *sqlx.Tx, id ledger.ID, delta decimal.Decimal) error {
	_, err := tx.ExecContext(ctx, `UPDATE ledger.balances
		SET held = held + $2,
			excused = LEAST(excused, GREATEST(0, floor - (balance - held - $2)))
		WHERE account_id = $1 AND shard = 0`, id, delta)
	return err
}

// ReleaseHold implements ledger.Store.
func (s *Store) ReleaseHold(ctx context.Context, id ledger.ID, at time.Time) (ledger.Hold, error) {
	at = stored(at)
	var released ledger.Hold
	err := pgtx.Run(ctx, s.db, nil, func(tx *sqlx.Tx) error {
		var r holdRow
		if err := tx.GetContext(ctx, &r, `SELECT `+holdColumns+` FROM ledger.holds WHERE id = $1 FOR UPDATE`, id); err != nil {
			return noRows(err, notFound("hold", id))
		}
		h := r.hold()
		next, err := h.Release(at)
		if err != nil {
			return err
		}
		released = next
		if h.Status != ledger.HoldActive {
			return nil
		}
		return s.closeHold(ctx, tx, next)
	})
	return released, err
}

// closeHold records that an active hold left that state without a capture
// and gives its amount back to the account, with its event.
func (s *Store) closeHold(ctx context.Context, tx *sqlx.Tx, h ledger.Hold) error {
	ev, err := ledger.HoldChangedEvent(h)
	if err != nil {
		return err
	}
	if err := s.outbox.Append(ctx, tx, ev); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx,
		`SELECT 1 FROM ledger.balances WHERE account_id = $1 AND shard = 0 FOR UPDATE`, h.AccountID); err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, `UPDATE ledger.holds SET status = $2, closed_at = $3 WHERE id = $1`,
		h.ID, h.Status, h.ClosedAt); err != nil {
		return err
	}
	return addHeld(ctx, tx, h.AccountID, h.Amount.Amount.Neg())
}

// ExpireHolds implements ledger.Store. It locks the due holds in ID order,
// then the balance rows, like every other hold operation.
func (s *Store) ExpireHolds(ctx context.Context, asOf time.Time) ([]ledger.Hold, error) {
	asOf = stored(asOf)
	var expired []ledger.Hold
	err := pgtx.Run(ctx, s.db, nil, func(tx *sqlx.Tx) error {
		expired = nil
		var rows []holdRow
		if err := tx.SelectContext(ctx, &rows, `SELECT `+holdColumns+` FROM ledger.holds
			WHERE status = 'active' AND expires_at IS NOT NULL AND expires_at <= $1
			ORDER BY id FOR UPDATE`, asOf); err != nil {
			return err
		}
		for _, r := range rows {
			next, due := r.hold().Expire(asOf)
			if !due {
				continue
			}
			if err := s.closeHold(ctx, tx, next); err != nil {
				return err
			}
			expired = append(expired, next)
		}
		return nil
	})
	return expired, err
}

// Hold implements ledger.Store.
func (s *Store) Hold(ctx context.Context, id ledger.ID) (ledger.Hold, error) {
	var r holdRow
	if err := s.db.GetContext(ctx, &r, `SELECT `+holdColumns+` FROM ledger.holds WHERE id = $1`, id); err != nil {
		return ledger.Hold{}, noRows(err, notFound("hold", id))
	}
	return r.hold(), nil
}

// Holds implements ledger.Store.
func (s *Store) Holds(ctx context.Context, accountID ledger.ID, activeOnly bool) ([]ledger.Hold, error) {
	var exists bool
	if err := s.db.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM ledger.accounts WHERE id = $1)`, accountID); err != nil {
		return nil, err
	}
	if !exists {
		return nil, notFound("account", accountID)
	}
	var rows []holdRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+holdColumns+` FROM ledger.holds
		WHERE account_id = $1 AND (NOT $2 OR status = 'active') ORDER BY id`, accountID, activeOnly); err != nil {
		return nil, err
	}
	var out []ledger.Hold
	for _, r := range rows {
		out = append(out, r.hold())
	}
	return out, nil
}
