package pgrisk

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/internal/pgtx"
	"github.com/bankkit/bankkit/risk"
)

// AddSnooze implements risk.Store.
func (s *Store) AddSnooze(ctx context.Context, z risk.Snooze) error {
	body, err := json.Marshal(z)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO risk.snoozes (id, rule, entity, until, body) VALUES ($1, $2, $3, $4, $5)`,
		z.ID, z.Rule, z.Entity, z.Until, body)
	if pgtx.IsUniqueViolation(err, "") {
		return fmt.Errorf("%w: snooze %s", risk.ErrDuplicate, z.ID)
	}
	return err
}

// Snoozes implements risk.Store.
func (s *Store) Snoozes(ctx context.Context, at time.Time, entities ...string) ([]risk.Snooze, error) {
	if len(entities) == 0 {
		return selectBodies[risk.Snooze](ctx, s.db, `SELECT body FROM risk.snoozes WHERE until > $1 ORDER BY id`, at)
	}
	return selectBodies[risk.Snooze](ctx, s.db, `SELECT body FROM risk.snoozes WHERE until > $1 AND entity = ANY($2) ORDER BY id`,
		at, pq.Array(entities))
}

// DeleteSnooze implements risk.Store.
func (s *Store) DeleteSnooze(ctx context.Context, id risk.ID) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM risk.snoozes WHERE id = $1`, id)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound("snooze", id)
	}
	return nil
}

// RaiseAlert implements risk.Store.
func (s *Store) RaiseAlert(ctx context.Context, a risk.Alert, newCase risk.Case, events ...event.Envelope) (risk.Alert, error) {
	var out risk.Alert
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		var err error
		if out, err = raise(ctx, tx, a, newCase); err != nil {
			return err
		}
		return s.outbox.Append(ctx, tx, events...)
	})
	if pgtx.IsUniqueViolation(err, "alerts_pkey") {
		return risk.Alert{}, fmt.Errorf("%w: alert %s", risk.ErrDuplicate, a.ID)
	}
	return out, err
}

// Alert implements risk.Store.
func (s *Store) Alert(ctx context.Context, id risk.ID) (risk.Alert, error) {
	var body []byte
	err := s.db.GetContext(ctx, &body, `SELECT body FROM risk.alerts WHERE id = $1`, id)
	a, err := decode[risk.Alert](body, err, "alert", id)
	return a, err
}

// Alerts implements risk.Store.
func (s *Store) Alerts(ctx context.Context, f risk.AlertFilter) ([]risk.Alert, error) {
	var caseID any
	if f.CaseID != risk.NilID {
		caseID = f.CaseID
	}
	return selectBodies[risk.Alert](ctx, s.db, `SELECT body FROM risk.alerts
		WHERE id > $1 AND ($2 = '' OR customer_id = $2) AND ($3::uuid IS NULL OR case_id = $3)
		ORDER BY id LIMIT $4`, f.After, f.CustomerID, caseID, f.Limit)
}

// Case implements risk.Store.
func (s *Store) Case(ctx context.Context, id risk.ID) (risk.Case, error) {
	var body []byte
	err := s.db.GetContext(ctx, &body, `SELECT body FROM risk.cases WHERE id = $1`, id)
	return decode[risk.Case](body, err, "case", id)
}

// Cases implements risk.Store.
func (s *Store) Cases(ctx context.Context, f risk.CaseFilter) ([]risk.Case, error) {
	return selectBodies[risk.Case](ctx, s.db, `SELECT body FROM risk.cases
		WHERE id > $1 AND ($2 = '' OR status = $2) AND ($3 = '' OR assignee = $3) AND ($4 = '' OR customer_id = $4)
		ORDER BY id LIMIT $5`, f.After, f.Status, f.Assignee, f.CustomerID, f.Limit)
}

// UpdateCase implements risk.Store.
func (s *Store) UpdateCase(ctx context.Context, id risk.ID, fn func(risk.Case) (risk.Case, []event.Envelope, error)) (risk.Case, error) {
	var out risk.Case
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		var body []byte
		err := tx.GetContext(ctx, &body, `SELECT body FROM risk.cases WHERE id = $1 FOR UPDATE`, id)
		old, err := decode[risk.Case](body, err, "case", id)
		if err != nil {
			return err
		}
		c, events, err := fn(old)
		if err != nil {
			return err
		}
		c.Alerts = old.Alerts // alerts join a case only when raised
		if body, err = json.Marshal(c); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE risk.cases SET status = $2, assignee = $3, body = $4 WHERE id = $1`,
			id, c.Status, c.Assignee, body); err != nil {
			return err
		}
		out = c
		return s.outbox.Append(ctx, tx, events...)
	})
	return out, err
}

// SaveLargeValueReport implements risk.Store.
func (s *Store) SaveLargeValueReport(ctx context.Context, r risk.LargeValueReport, events ...event.Envelope) (risk.LargeValueReport, bool, error) {
	body, err := json.Marshal(r)
	if err != nil {
		return risk.LargeValueReport{}, false, err
	}
	saved := false
	err = s.tx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO risk.large_value_reports (business_date, id, body) VALUES ($1, $2, $3)
			ON CONFLICT (business_date) DO NOTHING`, r.BusinessDate, r.ID, body)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		saved = true
		return s.outbox.Append(ctx, tx, events...)
	})
	if err != nil {
		return risk.LargeValueReport{}, false, err
	}
	if !saved {
		kept, err := s.LargeValueReport(ctx, r.BusinessDate)
		return kept, false, err
	}
	return r, true, nil
}

// LargeValueReport implements risk.Store.
func (s *Store) LargeValueReport(ctx context.Context, date calendar.Date) (risk.LargeValueReport, error) {
	var body []byte
	err := s.db.GetContext(ctx, &body, `SELECT body FROM risk.large_value_reports WHERE business_date = $1`, date)
	return decode[risk.LargeValueReport](body, err, "large-value report", date)
}

// MarkLargeValueFiled implements risk.Store.
func (s *Store) MarkLargeValueFiled(ctx context.Context, date calendar.Date, at time.Time) error {
	return s.setFiled(ctx, `UPDATE risk.large_value_reports SET body = jsonb_set(body, '{filed_at}', to_jsonb($2::text))
		WHERE business_date = $1`, "large-value report", date, at)
}

func (s *Store) setFiled(ctx context.Context, q, what string, key any, at time.Time) error {
	res, err := s.db.ExecContext(ctx, q, key, at.UTC().Format(time.RFC3339Nano))
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return notFound(what, key)
	}
	return nil
}

// SaveSuspiciousReport implements risk.Store.
func (s *Store) SaveSuspiciousReport(ctx context.Context, r risk.SuspiciousReport, events ...event.Envelope) (risk.SuspiciousReport, bool, error) {
	body, err := json.Marshal(r)
	if err != nil {
		return risk.SuspiciousReport{}, false, err
	}
	saved := false
	err = s.tx(ctx, func(tx *sqlx.Tx) error {
		res, err := tx.ExecContext(ctx, `INSERT INTO risk.suspicious_reports (id, case_id, body) VALUES ($1, $2, $3)
			ON CONFLICT (case_id) DO NOTHING`, r.ID, r.CaseID, body)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		saved = true
		return s.outbox.Append(ctx, tx, events...)
	})
	if err != nil {
		return risk.SuspiciousReport{}, false, err
	}
	if !saved {
		var body []byte
		err := s.db.GetContext(ctx, &body, `SELECT body FROM risk.suspicious_reports WHERE case_id = $1`, r.CaseID)
		kept, err := decode[risk.SuspiciousReport](body, err, "suspicious-transaction report", r.CaseID)
		return kept, false, err
	}
	return r, true, nil
}

// SuspiciousReport implements risk.Store.
func (s *Store) SuspiciousReport(ctx context.Context, id risk.ID) (risk.SuspiciousReport, error) {
	var body []byte
	err := s.db.GetContext(ctx, &body, `SELECT body FROM risk.suspicious_reports WHERE id = $1`, id)
	return decode[risk.SuspiciousReport](body, err, "suspicious-transaction report", id)
}

// MarkSuspiciousFiled implements risk.Store.
func (s *Store) MarkSuspiciousFiled(ctx context.Context, id risk.ID, at time.Time) error {
	return s.setFiled(ctx, `UPDATE risk.suspicious_reports SET body = jsonb_set(body, '{filed_at}', to_jsonb($2::text))
		WHERE id = $1`, "suspicious-transaction report", id, at)
}

// CreateIndicator implements risk.Store.
func (s *Store) CreateIndicator(ctx context.Context, i risk.Indicator) error {
	body, err := json.Marshal(i)
	if err != nil {
		return err
	}
	_, err = s.db.ExecContext(ctx, `INSERT INTO risk.indicators (id, name, body) VALUES ($1, $2, $3)`, i.ID, i.Name, body)
	if pgtx.IsUniqueViolation(err, "") {
		return fmt.Errorf("%w: indicator %s", risk.ErrDuplicate, i.Name)
	}
	return err
}

// Indicator implements risk.Store.
func (s *Store) Indicator(ctx context.Context, id risk.ID) (risk.Indicator, error) {
	var body []byte
	err := s.db.GetContext(ctx, &body, `SELECT body FROM risk.indicators WHERE id = $1`, id)
	return decode[risk.Indicator](body, err, "indicator", id)
}

// Indicators implements risk.Store.
func (s *Store) Indicators(ctx context.Context) ([]risk.Indicator, error) {
	return selectBodies[risk.Indicator](ctx, s.db, `SELECT body FROM risk.indicators ORDER BY name`)
}

// UpdateIndicator implements risk.Store.
func (s *Store) UpdateIndicator(ctx context.Context, id risk.ID, fn func(risk.Indicator) (risk.Indicator, *risk.Alert, []event.Envelope, error)) (risk.Indicator, error) {
	var out risk.Indicator
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		var body []byte
		err := tx.GetContext(ctx, &body, `SELECT body FROM risk.indicators WHERE id = $1 FOR UPDATE`, id)
		old, err := decode[risk.Indicator](body, err, "indicator", id)
		if err != nil {
			return err
		}
		i, a, events, err := fn(old)
		if err != nil {
			return err
		}
		if a != nil {
			if _, err := raise(ctx, tx, *a, risk.Case{}); err != nil {
				return err
			}
		}
		if body, err = json.Marshal(i); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE risk.indicators SET body = $2 WHERE id = $1`, id, body); err != nil {
			return err
		}
		out = i
		return s.outbox.Append(ctx, tx, events...)
	})
	return out, err
}
