package pgledger

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/internal/pgtx"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/fx"
	"github.com/bankkit/bankkit/money"
)

var _ fx.Store = (*Store)(nil)

const rateColumns = `id, base, quote, mid, buy, sell, source, business_date, published_at`

type rateRow struct {
	ID           ledger.ID       `db:"id"`
	Base         string          `db:"base"`
	Quote        string          `db:"quote"`
	Mid          decimal.Decimal `db:"mid"`
	Buy          decimal.Decimal `db:"buy"`
	Sell         decimal.Decimal `db:"sell"`
	Source       string          `db:"source"`
	BusinessDate calendar.Date   `db:"business_date"`
	PublishedAt  time.Time       `db:"published_at"`
}

func (r rateRow) rate() fx.Rate {
	return fx.Rate{ID: r.ID, Pair: fx.Pair{Base: money.Currency(r.Base), Quote: money.Currency(r.Quote)},
		Mid: r.Mid, Buy: r.Buy, Sell: r.Sell, Source: r.Source, BusinessDate: r.BusinessDate, PublishedAt: r.PublishedAt.UTC()}
}

// PublishRate implements fx.Store.
func (s *Store) PublishRate(ctx context.Context, r fx.Rate) error {
	if err := r.Validate(); err != nil {
		return err
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO ledger.fx_rates (`+rateColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`,
		r.ID, string(r.Pair.Base), string(r.Pair.Quote), r.Mid, r.Buy, r.Sell, r.Source, r.BusinessDate, stored(r.PublishedAt).UTC())
	if pgtx.IsUniqueViolation(err, "") {
		return fmt.Errorf("%w: a %s rate published at %s", ledger.ErrDuplicate, r.Pair, r.PublishedAt.Format(time.RFC3339Nano))
	}
	return err
}

// RateAt implements fx.RateSource.
func (s *Store) RateAt(ctx context.Context, pair fx.Pair, at time.Time) (fx.Rate, error) {
	var r rateRow
	err := s.db.GetContext(ctx, &r, `SELECT `+rateColumns+` FROM ledger.fx_rates
		WHERE base = $1 AND quote = $2 AND published_at <= $3 ORDER BY published_at DESC LIMIT 1`,
		string(pair.Base), string(pair.Quote), at.UTC())
	if err != nil {
		return fx.Rate{}, noRows(err, fmt.Errorf("%w: %s at %s", fx.ErrNoRate, pair, at.Format(time.RFC3339)))
	}
	return r.rate(), nil
}

// Rates implements fx.Store.
func (s *Store) Rates(ctx context.Context, pair fx.Pair, date calendar.Date) ([]fx.Rate, error) {
	var rows []rateRow
	err := s.db.SelectContext(ctx, &rows, `SELECT `+rateColumns+` FROM ledger.fx_rates
		WHERE base = $1 AND quote = $2 AND business_date = $3 ORDER BY published_at`,
		string(pair.Base), string(pair.Quote), date)
	if err != nil {
		return nil, err
	}
	out := make([]fx.Rate, len(rows))
	for i, r := range rows {
		out[i] = r.rate()
	}
	return out, nil
}

// SaveQuote implements fx.Store.
func (s *Store) SaveQuote(ctx context.Context, q fx.Quote) error {
	rec, err := json.Marshal(q)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO ledger.fx_quotes (id, record) VALUES ($1, $2)`, q.ID, rec)
	if pgtx.IsUniqueViolation(err, "") {
		return fmt.Errorf("%w: quote %s", ledger.ErrDuplicate, q.ID)
	}
	return err
}

// Quote implements fx.Store.
func (s *Store) Quote(ctx context.Context, id ledger.ID) (fx.Quote, error) {
	var rec []byte
	if err := s.db.GetContext(ctx, &rec, `SELECT record FROM ledger.fx_quotes WHERE id = $1`, id); err != nil {
		return fx.Quote{}, noRows(err, notFound("quote", id))
	}
	var q fx.Quote
	return q, json.Unmarshal(rec, &q)
}

// conversionRow is a conversion's columns that change, and its record.
type conversionRow struct {
	Status      string         `db:"status"`
	EntryID     *ledger.ID     `db:"entry_id"`
	Record      []byte         `db:"record"`
	Fingerprint []byte         `db:"fingerprint"`
	Key         sql.NullString `db:"idempotency_key"`
}

func (r conversionRow) conversion() (fx.Conversion, error) {
	var c fx.Conversion
	if err := json.Unmarshal(r.Record, &c); err != nil {
		return fx.Conversion{}, err
	}
	c.Status = fx.Status(r.Status)
	if r.EntryID != nil {
		c.EntryID = *r.EntryID
	}
	return c, nil
}

const conversionColumns = `status, entry_id, record, fingerprint, idempotency_key`

// BeginConversion implements fx.Store. The quota row is updated with a
// conditional upsert, which PostgreSQL serialises on the row: a second
// conversion waits for the first and then sees its usage.
func (s *Store) BeginConversion(ctx context.Context, c fx.Conversion, fp ledger.Fingerprint, quota fx.QuotaCharge) (fx.Conversion, bool, error) {
	c.Status = fx.Pending
	c.CreatedAt = stored(c.CreatedAt).UTC()
	c.PublishedAt = stored(c.PublishedAt).UTC()
	rec, err := json.Marshal(c)
	if err != nil {
		return fx.Conversion{}, false, err
	}
	// A key seen before is found by the insert's unique violation, which
	// rolls the quota charge back with it; the Service has looked it up
	// already, so a replay rarely gets this far.
	err = pgtx.Run(ctx, s.db, nil, func(tx *sqlx.Tx) error {
		if quota.Limit.IsPositive() {
			if quota.Amount.GreaterThan(quota.Limit) {
				return fx.ErrQuotaExceeded
			}
			var used decimal.Decimal
			err := tx.GetContext(ctx, &used, `INSERT INTO ledger.fx_quota_usage AS u (owner_id, year, side, used) VALUES ($1, $2, $3, $4)
				ON CONFLICT (owner_id, year, side) DO UPDATE SET used = u.used + EXCLUDED.used
				WHERE u.used + EXCLUDED.used <= $5 RETURNING used`,
				quota.OwnerID, quota.Year, string(quota.Side), quota.Amount, quota.Limit)
			if err != nil {
				return noRows(err, fx.ErrQuotaExceeded)
			}
		}
		var crossCurrency sql.NullString
		var crossAmount, crossHome decimal.NullDecimal
		if c.Cross != nil {
			crossCurrency = sql.NullString{String: string(c.Cross.Foreign.Currency), Valid: true}
			crossAmount = decimal.NullDecimal{Decimal: c.Cross.Foreign.Amount, Valid: true}
			crossHome = decimal.NullDecimal{Decimal: c.Cross.HomeAtMid.Amount, Valid: true}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO ledger.fx_conversions (id, idempotency_key, fingerprint, status, quote_id,
			owner_id, side, quota_year, quota_amount, foreign_currency, foreign_amount, home_at_mid, income, record,
			cross_currency, cross_amount, cross_home_at_mid)
			VALUES ($1, $2, $3, 'pending', $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
			c.ID, nullString(c.IdempotencyKey), fp[:], nullID(c.QuoteID), c.OwnerID, string(c.Side), c.QuotaYear,
			c.QuotaAmount.Amount, string(c.Foreign.Currency), c.Foreign.Amount, c.HomeAtMid.Amount, c.Income.Amount, rec,
			crossCurrency, crossAmount, crossHome)
		return err
	})
	switch {
	case err == nil:
		return c, false, nil
	case pgtx.IsUniqueViolation(err, "fx_conversions_idempotency_key"):
		return s.replayConversion(ctx, c.IdempotencyKey, fp)
	case pgtx.IsUniqueViolation(err, "fx_conversions_quote"):
		return fx.Conversion{}, false, fx.ErrQuoteUsed
	case pgtx.IsUniqueViolation(err, ""):
		return fx.Conversion{}, false, fmt.Errorf("%w: conversion %s", ledger.ErrDuplicate, c.ID)
	}
	return fx.Conversion{}, false, err
}

// replayConversion returns the conversion recorded under key when fp
// matches: ledger.ErrNotFound when there is none.
func (s *Store) replayConversion(ctx context.Context, key string, fp ledger.Fingerprint) (fx.Conversion, bool, error) {
	c, stored, err := s.ConversionByKey(ctx, key)
	if err != nil {
		return fx.Conversion{}, false, err
	}
	if stored != fp {
		return fx.Conversion{}, false, ledger.ErrIdempotencyConflict
	}
	return c, true, nil
}

// FinishConversion implements fx.Store. The status and the running
// totals change in one transaction; the totals rows are upserted in one
// statement in currency order, so two cross conversions in opposite
// directions lock them in the same order.
func (s *Store) FinishConversion(ctx context.Context, id, entryID ledger.ID) (fx.Conversion, error) {
	var c fx.Conversion
	var done bool
	err := pgtx.Run(ctx, s.db, nil, func(tx *sqlx.Tx) error {
		done = false
		var r conversionRow
		err := tx.GetContext(ctx, &r, `UPDATE ledger.fx_conversions SET status = 'posted', entry_id = $2
			WHERE id = $1 AND status = 'pending' RETURNING `+conversionColumns, id, entryID)
		if errors.Is(err, sql.ErrNoRows) { // posted already, or missing
			return nil
		}
		if err != nil {
			return err
		}
		if c, err = r.conversion(); err != nil {
			return err
		}
		done = true
		return addTotals(ctx, tx, c.Effects())
	})
	if err != nil {
		return fx.Conversion{}, err
	}
	if !done {
		return s.Conversion(ctx, id)
	}
	return c, nil
}

// addTotals adds effects (in currency order) to the running totals.
func addTotals(ctx context.Context, tx *sqlx.Tx, effects []fx.Effect) error {
	q := `INSERT INTO ledger.fx_totals AS t (currency, position, carrying, income) VALUES `
	args := make([]any, 0, 4*len(effects))
	for i, e := range effects {
		if i > 0 {
			q += ", "
		}
		q += fmt.Sprintf("($%d, $%d::numeric, $%d::numeric, $%d::numeric)", 4*i+1, 4*i+2, 4*i+3, 4*i+4)
		args = append(args, string(e.Currency), e.Position, e.Carrying, e.Income)
	}
	q += ` ON CONFLICT (currency) DO UPDATE SET position = t.position + EXCLUDED.position,
		carrying = t.carrying + EXCLUDED.carrying, income = t.income + EXCLUDED.income`
	_, err := tx.ExecContext(ctx, q, args...)
	return err
}

// CancelConversion implements fx.Store.
func (s *Store) CancelConversion(ctx context.Context, id ledger.ID) error {
	return pgtx.Run(ctx, s.db, nil, func(tx *sqlx.Tx) error {
		var gone struct {
			Owner  string          `db:"owner_id"`
			Year   int             `db:"quota_year"`
			Side   string          `db:"side"`
			Amount decimal.Decimal `db:"quota_amount"`
		}
		err := tx.GetContext(ctx, &gone, `DELETE FROM ledger.fx_conversions WHERE id = $1 AND status = 'pending'
			RETURNING owner_id, quota_year, side, quota_amount`, id)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil || gone.Amount.IsZero() {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE ledger.fx_quota_usage SET used = used - $4
			WHERE owner_id = $1 AND year = $2 AND side = $3`, gone.Owner, gone.Year, gone.Side, gone.Amount)
		return err
	})
}

// Conversion implements fx.Store.
func (s *Store) Conversion(ctx context.Context, id ledger.ID) (fx.Conversion, error) {
	var r conversionRow
	if err := s.db.GetContext(ctx, &r, `SELECT `+conversionColumns+` FROM ledger.fx_conversions WHERE id = $1`, id); err != nil {
		return fx.Conversion{}, noRows(err, notFound("conversion", id))
	}
	return r.conversion()
}

// ConversionByKey implements fx.Store.
func (s *Store) ConversionByKey(ctx context.Context, key string) (fx.Conversion, ledger.Fingerprint, error) {
	var r conversionRow
	err := s.db.GetContext(ctx, &r, `SELECT `+conversionColumns+` FROM ledger.fx_conversions WHERE idempotency_key = $1`, key)
	if err != nil {
		return fx.Conversion{}, ledger.Fingerprint{}, noRows(err, fmt.Errorf("%w: no conversion with that key", ledger.ErrNotFound))
	}
	c, err := r.conversion()
	var fp ledger.Fingerprint
	copy(fp[:], r.Fingerprint)
	return c, fp, err
}

// QuotaUsed implements fx.Store.
func (s *Store) QuotaUsed(ctx context.Context, ownerID string, year int, side fx.Side) (decimal.Decimal, error) {
	var used decimal.Decimal
	err := s.db.GetContext(ctx, &used, `SELECT used FROM ledger.fx_quota_usage WHERE owner_id = $1 AND year = $2 AND side = $3`,
		ownerID, year, string(side))
	if errors.Is(err, sql.ErrNoRows) {
		return decimal.Zero, nil
	}
	return used, err
}

// recomputeSQL sums the posted conversions' legs and the revaluations
// per foreign currency: what the running totals should read.
const recomputeSQL = `WITH legs AS (
		SELECT foreign_currency AS currency,
			CASE side WHEN 'sell' THEN foreign_amount ELSE -foreign_amount END AS position,
			CASE side WHEN 'sell' THEN home_at_mid ELSE -home_at_mid END AS carrying,
			income
		FROM ledger.fx_conversions WHERE status = 'posted'
		UNION ALL
		SELECT cross_currency, -cross_amount, -cross_home_at_mid, 0
		FROM ledger.fx_conversions WHERE status = 'posted' AND cross_currency IS NOT NULL
	), c AS (
		SELECT currency, sum(position) AS position, sum(carrying) AS carrying, sum(income) AS income FROM legs GROUP BY currency
	), r AS (
		SELECT currency, sum(gain) AS gain FROM ledger.fx_revaluations GROUP BY currency
	)
	SELECT coalesce(c.currency, r.currency) AS currency, coalesce(c.position, 0) AS position,
		coalesce(c.carrying, 0) + coalesce(r.gain, 0) AS carrying, coalesce(c.income, 0) AS income
	FROM c FULL JOIN r ON r.currency = c.currency ORDER BY 1`

type totalsRow struct {
	Currency string          `db:"currency"`
	Position decimal.Decimal `db:"position"`
	Carrying decimal.Decimal `db:"carrying"`
	Income   decimal.Decimal `db:"income"`
}

func (r totalsRow) totals() fx.Totals {
	return fx.Totals{Currency: money.Currency(r.Currency), Position: r.Position, Carrying: r.Carrying, Income: r.Income}
}

func totalsOf(rows []totalsRow) []fx.Totals {
	out := make([]fx.Totals, len(rows))
	for i, r := range rows {
		out[i] = r.totals()
	}
	return out
}

const runningSQL = `SELECT currency, position, carrying, income FROM ledger.fx_totals ORDER BY currency`

// Totals implements fx.Store: the running totals, one row per currency.
func (s *Store) Totals(ctx context.Context) ([]fx.Totals, error) {
	var rows []totalsRow
	if err := s.db.SelectContext(ctx, &rows, runningSQL); err != nil {
		return nil, err
	}
	return totalsOf(rows), nil
}

// RecomputeTotals implements fx.Store: both reads in one repeatable-read
// transaction, so they see the same conversions.
func (s *Store) RecomputeTotals(ctx context.Context) ([]fx.Totals, []fx.Totals, error) {
	var recomputed, running []totalsRow
	err := pgtx.Run(ctx, s.db, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true}, func(tx *sqlx.Tx) error {
		recomputed, running = nil, nil
		if err := tx.SelectContext(ctx, &recomputed, recomputeSQL); err != nil {
			return err
		}
		return tx.SelectContext(ctx, &running, runningSQL)
	})
	if err != nil {
		return nil, nil, err
	}
	return totalsOf(recomputed), totalsOf(running), nil
}

// Revalue implements fx.Store. The currency's totals row is locked while
// the revaluation is computed and recorded, so no conversion of the
// currency finishes meanwhile, and the gain joins its carrying value in
// the same transaction.
func (s *Store) Revalue(ctx context.Context, date calendar.Date, currency money.Currency, fn func(fx.Totals) (fx.Revaluation, error)) (fx.Revaluation, bool, error) {
	if r, err := s.revaluation(ctx, date, currency); err == nil || !errors.Is(err, ledger.ErrNotFound) {
		return r, err == nil, err
	}
	var out fx.Revaluation
	err := pgtx.Run(ctx, s.db, nil, func(tx *sqlx.Tx) error {
		var row totalsRow
		t := fx.Totals{Currency: currency}
		err := tx.GetContext(ctx, &row, `SELECT currency, position, carrying, income FROM ledger.fx_totals WHERE currency = $1 FOR UPDATE`, string(currency))
		switch {
		case err == nil:
			t = row.totals()
		case !errors.Is(err, sql.ErrNoRows):
			return err
		}
		r, err := fn(t)
		if err != nil {
			return err
		}
		r.BusinessDate, r.Currency = date, currency
		r.CreatedAt = stored(r.CreatedAt).UTC()
		rec, err := json.Marshal(r)
		if err != nil {
			return err
		}
		if _, err = tx.ExecContext(ctx, `INSERT INTO ledger.fx_revaluations (business_date, currency, gain, record) VALUES ($1, $2, $3, $4)`,
			date, string(currency), r.Gain, rec); err != nil {
			return err
		}
		out = r
		if r.Gain.IsZero() {
			return nil
		}
		return addTotals(ctx, tx, []fx.Effect{{Currency: currency, Carrying: r.Gain}})
	})
	if pgtx.IsUniqueViolation(err, "") { // revalued meanwhile by another run
		r, err := s.revaluation(ctx, date, currency)
		return r, err == nil, err
	}
	if err != nil {
		return fx.Revaluation{}, false, err
	}
	return out, false, nil
}

type revaluationRow struct {
	EntryID *ledger.ID `db:"entry_id"`
	Record  []byte     `db:"record"`
}

func (r revaluationRow) revaluation() (fx.Revaluation, error) {
	var v fx.Revaluation
	if err := json.Unmarshal(r.Record, &v); err != nil {
		return fx.Revaluation{}, err
	}
	if r.EntryID != nil {
		v.EntryID = *r.EntryID
	}
	return v, nil
}

func (s *Store) revaluation(ctx context.Context, date calendar.Date, currency money.Currency) (fx.Revaluation, error) {
	var row revaluationRow
	err := s.db.GetContext(ctx, &row, `SELECT entry_id, record FROM ledger.fx_revaluations WHERE business_date = $1 AND currency = $2`,
		date, string(currency))
	if err != nil {
		return fx.Revaluation{}, noRows(err, fmt.Errorf("%w: no %s revaluation on %s", ledger.ErrNotFound, currency, date))
	}
	return row.revaluation()
}

// SetRevaluationEntry implements fx.Store.
func (s *Store) SetRevaluationEntry(ctx context.Context, date calendar.Date, currency money.Currency, entryID ledger.ID) error {
	res, err := s.db.ExecContext(ctx, `UPDATE ledger.fx_revaluations SET entry_id = $3 WHERE business_date = $1 AND currency = $2`,
		date, string(currency), entryID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("%w: no %s revaluation on %s", ledger.ErrNotFound, currency, date)
	}
	return nil
}

// Revaluations implements fx.Store.
func (s *Store) Revaluations(ctx context.Context, date calendar.Date) ([]fx.Revaluation, error) {
	var rows []revaluationRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT entry_id, record FROM ledger.fx_revaluations WHERE business_date = $1 ORDER BY currency`, date); err != nil {
		return nil, err
	}
	out := make([]fx.Revaluation, len(rows))
	for i, r := range rows {
		v, err := r.revaluation()
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}
