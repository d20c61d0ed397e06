// Package pgrisk is a risk.Store on PostgreSQL (sqlx + lib/pq), in its own
// schema "risk". Windowed aggregates are bucketed counters upserted and
// summed in the screening's own transaction, so a screening reads a
// handful of rows per aggregate whatever the window (never the
// transactions of 90 days). Writes run in transactions retried on
// serialization failures and deadlocks; partial unique indexes keep one
// live decision per transaction and key, one published and one shadow
// version, one open case per customer; events go to the shared outbox in
// the transaction of their change.
package pgrisk

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/internal/pgmigrate"
	"github.com/bankkit/bankkit/internal/pgoutbox"
	"github.com/bankkit/bankkit/internal/pgstmt"
	"github.com/bankkit/bankkit/internal/pgtx"
	"github.com/bankkit/bankkit/risk"
)

// Schema is the PostgreSQL schema that holds the risk tables.
const Schema = "risk"

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate creates or upgrades the risk schema. It is safe to call on every
// start and from several processes at once.
func Migrate(ctx context.Context, db *sqlx.DB) error {
	return pgmigrate.Apply(ctx, db, Schema, migrations, "migrations", pgoutbox.Migrations)
}

// Store is a risk.Store on PostgreSQL, safe for concurrent use.
type Store struct {
	db      *sqlx.DB
	outbox  *pgoutbox.Outbox
	stmts   *pgstmt.Cache
	relaxed bool
}

// Option configures a Store.
type Option func(*Store)

// WithRelaxedCommit commits screenings without waiting for the write-ahead
// log to reach disk (synchronous_commit off for that transaction only):
// a screening then costs no second disk flush next to its posting's, at
// the price that a crash of PostgreSQL may lose the last fraction of a
// second of screenings — aggregates that miss those transactions and
// decisions never kept — while their postings stand. Run the observer of
// the ledger's events with it: a posted transaction with no decision is
// evaluated (and counted) again from the ledger's outbox. Other writes
// stay fully durable. CockroachDB and YugabyteDB ignore or refuse the
// setting; leave it off there.
func WithRelaxedCommit() Option { return func(s *Store) { s.relaxed = true } }

var _ risk.Store = (*Store)(nil)

// New returns a Store on db, whose schema Migrate must have prepared.
func New(db *sqlx.DB, opts ...Option) *Store {
	s := &Store{db: db, outbox: pgoutbox.New(db, Schema, risk.EventSource, nil), stmts: pgstmt.New(db)}
	for _, o := range opts {
		if o != nil {
			o(s)
		}
	}
	return s
}

// Events implements risk.Store.
func (s *Store) Events() event.Log { return s.outbox }

func (s *Store) tx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	return pgtx.Run(ctx, s.db, nil, fn)
}

func notFound(what string, id any) error { return fmt.Errorf("%w: %s %v", risk.ErrNotFound, what, id) }

func decode[T any](body []byte, err error, what string, id any) (T, error) {
	var v T
	if errors.Is(err, sql.ErrNoRows) {
		return v, notFound(what, id)
	}
	if err != nil {
		return v, err
	}
	return v, json.Unmarshal(body, &v)
}

func selectBodies[T any](ctx context.Context, q sqlx.QueryerContext, query string, args ...any) ([]T, error) {
	var bodies [][]byte
	if err := sqlx.SelectContext(ctx, q, &bodies, query, args...); err != nil {
		return nil, err
	}
	out := make([]T, len(bodies))
	for i, b := range bodies {
		if err := json.Unmarshal(b, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func withVersion(events []event.Envelope, v int) []event.Envelope {
	out := make([]event.Envelope, len(events))
	for i, e := range events {
		var p risk.RuleSetChanged
		if e.Type == risk.EventRuleSetChanged && json.Unmarshal(e.Payload, &p) == nil && p.Version == 0 {
			p.Version = v
			if b, err := json.Marshal(p); err == nil {
				e.Payload = b
			}
		}
		out[i] = e
	}
	return out
}

// CreateRuleSet implements risk.Store.
func (s *Store) CreateRuleSet(ctx context.Context, r risk.RuleSet, events ...event.Envelope) (risk.RuleSet, error) {
	var out risk.RuleSet
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		// The version is one after the highest: a lock on the table keeps
		// two creations from taking the same (the unique key would refuse
		// the second anyway).
		if _, err := tx.ExecContext(ctx, `LOCK TABLE risk.rule_sets IN SHARE ROW EXCLUSIVE MODE`); err != nil {
			return err
		}
		var v int
		if err := tx.GetContext(ctx, &v, `SELECT COALESCE(max(version), 0) + 1 FROM risk.rule_sets`); err != nil {
			return err
		}
		out = r
		out.Version = v
		body, err := json.Marshal(out)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO risk.rule_sets (id, version, status, body) VALUES ($1, $2, $3, $4)`,
			out.ID, v, out.Status, body); err != nil {
			return err
		}
		return s.outbox.Append(ctx, tx, withVersion(events, v)...)
	})
	if pgtx.IsUniqueViolation(err, "rule_sets_pkey") {
		return risk.RuleSet{}, fmt.Errorf("%w: rule set %s", risk.ErrDuplicate, r.ID)
	}
	return out, err
}

func ruleSetFor(ctx context.Context, tx *sqlx.Tx, id risk.ID) (risk.RuleSet, error) {
	var body []byte
	err := tx.GetContext(ctx, &body, `SELECT body FROM risk.rule_sets WHERE id = $1 FOR UPDATE`, id)
	return decode[risk.RuleSet](body, err, "rule set", id)
}

func putRuleSet(ctx context.Context, tx *sqlx.Tx, r risk.RuleSet) error {
	body, err := json.Marshal(r)
	if err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE risk.rule_sets SET status = $2, body = $3 WHERE id = $1`, r.ID, r.Status, body)
	return err
}

// UpdateRuleSet implements risk.Store.
func (s *Store) UpdateRuleSet(ctx context.Context, id risk.ID, fn func(risk.RuleSet) (risk.RuleSet, []event.Envelope, error)) (risk.RuleSet, error) {
	var out risk.RuleSet
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		old, err := ruleSetFor(ctx, tx, id)
		if err != nil {
			return err
		}
		r, events, err := fn(old)
		if err != nil {
			return err
		}
		if err := putRuleSet(ctx, tx, r); err != nil {
			return err
		}
		out = r
		return s.outbox.Append(ctx, tx, events...)
	})
	return out, err
}

// Promote implements risk.Store.
func (s *Store) Promote(ctx context.Context, id risk.ID, to risk.Status, at time.Time, by string, events ...event.Envelope) (risk.RuleSet, error) {
	var out risk.RuleSet
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		// Lock the active versions first, in id order, then the promoted one.
		var ids []risk.ID
		if err := tx.SelectContext(ctx, &ids, `SELECT id FROM risk.rule_sets WHERE status = $1 AND id <> $2 ORDER BY id FOR UPDATE`, to, id); err != nil {
			return err
		}
		r, err := ruleSetFor(ctx, tx, id)
		if err != nil {
			return err
		}
		if r, err = risk.Promoted(r, to, at, by); err != nil {
			return err
		}
		for _, oid := range ids {
			o, err := ruleSetFor(ctx, tx, oid)
			if err != nil {
				return err
			}
			if err := putRuleSet(ctx, tx, risk.Demoted(o, at)); err != nil {
				return err
			}
		}
		if err := putRuleSet(ctx, tx, r); err != nil {
			return err
		}
		out = r
		return s.outbox.Append(ctx, tx, events...)
	})
	return out, err
}

// RuleSet implements risk.Store.
func (s *Store) RuleSet(ctx context.Context, id risk.ID) (risk.RuleSet, error) {
	var body []byte
	err := s.db.GetContext(ctx, &body, `SELECT body FROM risk.rule_sets WHERE id = $1`, id)
	return decode[risk.RuleSet](body, err, "rule set", id)
}

// RuleSets implements risk.Store.
func (s *Store) RuleSets(ctx context.Context, limit int) ([]risk.RuleSet, error) {
	return selectBodies[risk.RuleSet](ctx, s.db, `SELECT body FROM risk.rule_sets ORDER BY version DESC LIMIT $1`, limit)
}

// ActiveRuleSets implements risk.Store.
func (s *Store) ActiveRuleSets(ctx context.Context) (live, shadow *risk.RuleSet, err error) {
	sets, err := selectBodies[risk.RuleSet](ctx, s.db, `SELECT body FROM risk.rule_sets WHERE status IN ('published', 'shadow')`)
	if err != nil {
		return nil, nil, err
	}
	for i := range sets {
		switch sets[i].Status {
		case risk.StatusPublished:
			live = &sets[i]
		case risk.StatusShadow:
			shadow = &sets[i]
		}
	}
	return live, shadow, nil
}

// liveDecision returns the live decision of a transaction id or key.
func liveDecision(ctx context.Context, q sqlx.QueryerContext, txID risk.ID, key string) (risk.Decision, bool, error) {
	var body []byte
	err := sqlx.GetContext(ctx, q, &body, `SELECT body FROM risk.decisions
		WHERE mode <> 'shadow' AND (transaction_id = $1 OR ($2 <> '' AND key = $2)) LIMIT 1`, txID, key)
	if errors.Is(err, sql.ErrNoRows) {
		return risk.Decision{}, false, nil
	}
	if err != nil {
		return risk.Decision{}, false, err
	}
	var d risk.Decision
	return d, true, json.Unmarshal(body, &d)
}

// raise stores an alert in its customer's open case, opening newCase when
// they have none.
// execGetter is a transaction, or a connection inside one.
type execGetter interface {
	sqlx.ExecerContext
	GetContext(ctx context.Context, dest any, query string, args ...any) error
}

func raise(ctx context.Context, tx execGetter, a risk.Alert, newCase risk.Case) (risk.Alert, error) {
	if a.CustomerID != "" {
		c := newCase
		c.CustomerID, c.Alerts = a.CustomerID, []risk.ID{}
		body, err := json.Marshal(c)
		if err != nil {
			return risk.Alert{}, err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO risk.cases (id, customer_id, status, assignee, body)
			VALUES ($1, $2, $3, '', $4) ON CONFLICT (customer_id) WHERE status <> 'closed' DO NOTHING`,
			c.ID, c.CustomerID, c.Status, body); err != nil {
			return risk.Alert{}, err
		}
		var cid risk.ID
		if err := tx.GetContext(ctx, &cid, `UPDATE risk.cases
			SET body = jsonb_set(body, '{alerts}', COALESCE(body->'alerts', '[]'::jsonb) || to_jsonb($2::text))
			WHERE customer_id = $1 AND status <> 'closed' RETURNING id`, a.CustomerID, a.ID.String()); err != nil {
			return risk.Alert{}, err
		}
		a.CaseID = cid
	}
	body, err := json.Marshal(a)
	if err != nil {
		return risk.Alert{}, err
	}
	var caseID any
	if a.CaseID != risk.NilID {
		caseID = a.CaseID
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO risk.alerts (id, customer_id, case_id, body) VALUES ($1, $2, $3, $4)`,
		a.ID, a.CustomerID, caseID, body); err != nil {
		return risk.Alert{}, err
	}
	return a, nil
}

// Decision implements risk.Store.
func (s *Store) Decision(ctx context.Context, id risk.ID) (risk.Decision, error) {
	var body []byte
	err := s.db.GetContext(ctx, &body, `SELECT body FROM risk.decisions WHERE id = $1`, id)
	return decode[risk.Decision](body, err, "decision", id)
}

// Decisions implements risk.Store.
func (s *Store) Decisions(ctx context.Context, f risk.DecisionFilter) ([]risk.Decision, error) {
	var where []string
	var args []any
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	if f.Version != 0 {
		where = append(where, "version = "+arg(f.Version))
	}
	if f.Mode != "" {
		where = append(where, "mode = "+arg(f.Mode))
	}
	if f.Outcome != "" {
		where = append(where, "outcome = "+arg(f.Outcome))
	}
	if f.TransactionID != risk.NilID {
		where = append(where, "transaction_id = "+arg(f.TransactionID))
	}
	if !f.Since.IsZero() {
		where = append(where, "decided_at >= "+arg(f.Since))
	}
	if !f.Until.IsZero() {
		where = append(where, "decided_at < "+arg(f.Until))
	}
	order := "id DESC"
	if f.After != risk.NilID {
		where = append(where, "id > "+arg(f.After))
		order = "id"
	} else if f.Mode == risk.ModeShadow || f.Version != 0 {
		order = "id"
	}
	q := `SELECT body FROM risk.decisions`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY " + order + " LIMIT " + arg(f.Limit)
	return selectBodies[risk.Decision](ctx, s.db, q, args...)
}

// DayTransactions implements risk.Store.
func (s *Store) DayTransactions(ctx context.Context, date calendar.Date) ([]risk.Transaction, error) {
	var bodies [][]byte
	if err := s.db.SelectContext(ctx, &bodies, `SELECT body->'transaction' FROM risk.decisions
		WHERE business_date = $1 AND mode <> 'shadow' AND NOT (mode = 'screened' AND outcome IN ('block_and_review', 'decline'))
		ORDER BY id`, date); err != nil {
		return nil, err
	}
	out := make([]risk.Transaction, len(bodies))
	for i, b := range bodies {
		if err := json.Unmarshal(b, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}
