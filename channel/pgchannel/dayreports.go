package pgchannel

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/channel"
)

// Kinds of channel.day_reports.
const (
	reportATM    = "atm"
	reportLimits = "limits"
)

// saveDayReport keeps body as the kind's report of day unless one is
// kept: it returns the kept body and whether it is this one. Concurrent
// saves of one day queue on the primary key; the loser reads the winner's.
func (s *Store) saveDayReport(ctx context.Context, kind string, day calendar.Date, body any, at time.Time) ([]byte, bool, error) {
	b, err := json.Marshal(body)
	if err != nil {
		return nil, false, fmt.Errorf("pgchannel: %s report: %w", kind, err)
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO channel.day_reports (kind, day, body, created_at) VALUES ($1, $2::date, $3, $4)
		ON CONFLICT (kind, day) DO NOTHING`, kind, day.String(), b, at)
	if err != nil {
		return nil, false, err
	}
	if n, err := res.RowsAffected(); err != nil {
		return nil, false, err
	} else if n == 1 {
		return b, true, nil
	}
	kept, err := s.dayReport(ctx, kind, day)
	return kept, false, err
}

func (s *Store) dayReport(ctx context.Context, kind string, day calendar.Date) ([]byte, error) {
	var b []byte
	err := s.db.GetContext(ctx, &b, `SELECT body FROM channel.day_reports WHERE kind = $1 AND day = $2::date`, kind, day.String())
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound(kind+" report of", day)
	}
	return b, err
}

// SaveATMReconciliation implements channel.ATMStore.
func (s *Store) SaveATMReconciliation(ctx context.Context, r channel.Reconciliation) (channel.Reconciliation, bool, error) {
	r.ClosedAt = r.ClosedAt.UTC().Truncate(time.Microsecond)
	b, created, err := s.saveDayReport(ctx, reportATM, r.Day, r, r.ClosedAt)
	if err != nil {
		return channel.Reconciliation{}, false, err
	}
	var kept channel.Reconciliation
	if err := json.Unmarshal(b, &kept); err != nil {
		return channel.Reconciliation{}, false, fmt.Errorf("pgchannel: ATM reconciliation of %s: %w", r.Day, err)
	}
	return kept, created, nil
}

// ATMReconciliation implements channel.ATMStore.
func (s *Store) ATMReconciliation(ctx context.Context, day calendar.Date) (channel.Reconciliation, error) {
	b, err := s.dayReport(ctx, reportATM, day)
	if err != nil {
		return channel.Reconciliation{}, err
	}
	var kept channel.Reconciliation
	if err := json.Unmarshal(b, &kept); err != nil {
		return channel.Reconciliation{}, fmt.Errorf("pgchannel: ATM reconciliation of %s: %w", day, err)
	}
	return kept, nil
}

// SaveLimitReconciliation implements channel.OnlineStore.
func (s *Store) SaveLimitReconciliation(ctx context.Context, r channel.LimitReconciliation) (channel.LimitReconciliation, bool, error) {
	r.ClosedAt = r.ClosedAt.UTC().Truncate(time.Microsecond)
	if r.Released == nil {
		r.Released = []string{}
	}
	b, created, err := s.saveDayReport(ctx, reportLimits, r.Day, r, r.ClosedAt)
	if err != nil {
		return channel.LimitReconciliation{}, false, err
	}
	var kept channel.LimitReconciliation
	if err := json.Unmarshal(b, &kept); err != nil {
		return channel.LimitReconciliation{}, false, fmt.Errorf("pgchannel: limit reconciliation of %s: %w", r.Day, err)
	}
	return kept, created, nil
}

// LimitReconciliation implements channel.OnlineStore.
func (s *Store) LimitReconciliation(ctx context.Context, day calendar.Date) (channel.LimitReconciliation, error) {
	b, err := s.dayReport(ctx, reportLimits, day)
	if err != nil {
		return channel.LimitReconciliation{}, err
	}
	var kept channel.LimitReconciliation
	if err := json.Unmarshal(b, &kept); err != nil {
		return channel.LimitReconciliation{}, fmt.Errorf("pgchannel: limit reconciliation of %s: %w", day, err)
	}
	return kept, nil
}
