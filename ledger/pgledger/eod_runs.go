package pgledger

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/internal/pgtx"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/endofday"
)

// runRecord is the run as stored: one JSON value, read and written whole.
func runRecord(run endofday.Run) ([]byte, error) {
	b, err := json.Marshal(run)
	if err != nil {
		return nil, fmt.Errorf("pgledger: end-of-day run %s: %w", run.Date, err)
	}
	return b, nil
}

// saveRun replaces the run's record if the stored one is the version
// before run's, in one statement that also reports the stored version.
func saveRun(ctx context.Context, q sqlx.QueryerContext, run endofday.Run, record []byte) error {
	var r struct {
		Saved   bool          `db:"saved"`
		Version sql.NullInt64 `db:"version"`
	}
	err := sqlx.GetContext(ctx, q, &r, `WITH old AS (
			SELECT business_date, (record->>'Version')::bigint AS version FROM ledger.eod_runs WHERE business_date = $1 FOR UPDATE),
		saved AS (
			UPDATE ledger.eod_runs r SET step = $2, record = $3 FROM old
			WHERE r.business_date = old.business_date AND old.version = $4 RETURNING r.business_date)
		SELECT EXISTS (SELECT 1 FROM saved) AS saved, (SELECT version FROM old) AS version`,
		run.Date, string(run.Step), record, run.Version-1)
	switch {
	case err != nil:
		return err
	case r.Saved:
		return nil
	case !r.Version.Valid:
		return fmt.Errorf("%w: no end-of-day run for %s", ledger.ErrNotFound, run.Date)
	}
	return fmt.Errorf("%w: the run of %s is at version %d, not %d", endofday.ErrAccrualConflict, run.Date, r.Version.Int64, run.Version-1)
}

// CreateEndOfDayRun implements endofday.Store.
func (s *Store) CreateEndOfDayRun(ctx context.Context, run endofday.Run) error {
	record, err := runRecord(run)
	if err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO ledger.eod_runs (business_date, step, record) VALUES ($1, $2, $3)
		ON CONFLICT (business_date) DO NOTHING`, run.Date, string(run.Step), record)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return fmt.Errorf("%w: end-of-day run for %s", ledger.ErrDuplicate, run.Date)
	}
	return nil
}

// SaveEndOfDayRun implements endofday.Store.
func (s *Store) SaveEndOfDayRun(ctx context.Context, run endofday.Run) error {
	record, err := runRecord(run)
	if err != nil {
		return err
	}
	return saveRun(ctx, s.db, run, record)
}

// EndOfDayRun implements endofday.Store.
func (s *Store) EndOfDayRun(ctx context.Context, date calendar.Date) (endofday.Run, error) {
	return s.loadRun(ctx, `SELECT record FROM ledger.eod_runs WHERE business_date = $1`, date)
}

// LatestEndOfDayRun implements endofday.Store.
func (s *Store) LatestEndOfDayRun(ctx context.Context) (endofday.Run, error) {
	return s.loadRun(ctx, `SELECT record FROM ledger.eod_runs ORDER BY business_date DESC LIMIT 1`)
}

func (s *Store) loadRun(ctx context.Context, query string, args ...any) (endofday.Run, error) {
	var raw []byte
	if err := s.db.GetContext(ctx, &raw, query, args...); err != nil {
		return endofday.Run{}, noRows(err, fmt.Errorf("%w: no end-of-day run", ledger.ErrNotFound))
	}
	var run endofday.Run
	if err := json.Unmarshal(raw, &run); err != nil {
		return endofday.Run{}, fmt.Errorf("pgledger: end-of-day run: %w", err)
	}
	return run, nil
}

// AdvanceBusinessDate implements endofday.Store: a compare-and-set
// on the single business-date row.
func (s *Store) AdvanceBusinessDate(ctx context.Context, from, to calendar.Date) error {
	if !from.Valid() || !to.Valid() || !to.After(from) {
		return fault.Field(ledger.ErrInvalidInput, "to", fmt.Sprintf("%s must be a date after %s", to, from))
	}
	return pgtx.Run(ctx, s.db, nil, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE ledger.business_date SET business_date = $2 WHERE business_date = $1`, from, to)
		if err != nil {
			return err
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return fmt.Errorf("%w: the business date is not %s", endofday.ErrBusinessDateMoved, from)
		}
		return nil
	})
}
