// Package pgcredit is a credit.Store on PostgreSQL (sqlx + lib/pq), in its
// own schema "credit". Writes run in transactions retried on
// serialization failures and deadlocks; a partial unique index keeps one
// open application per customer and product; events go to the shared
// outbox (internal/pgoutbox) in the transaction of their change.
package pgcredit

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/internal/pgmigrate"
	"github.com/bankkit/bankkit/internal/pgoutbox"
	"github.com/bankkit/bankkit/internal/pgtx"
)

// Schema is the PostgreSQL schema that holds the credit tables.
const Schema = "credit"

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate creates or upgrades the credit schema. It is safe to call on
// every start and from several processes at once.
func Migrate(ctx context.Context, db *sqlx.DB) error {
	return pgmigrate.Apply(ctx, db, Schema, migrations, "migrations", pgoutbox.Migrations)
}

// Store is a credit.Store on PostgreSQL, safe for concurrent use.
type Store struct {
	db     *sqlx.DB
	outbox *pgoutbox.Outbox
}

var (
	_ credit.Store              = (*Store)(nil)
	_ credit.QuietEndOfDayStore = (*Store)(nil)
)

// New returns a Store on db, whose schema Migrate must have prepared.
func New(db *sqlx.DB) *Store {
	return &Store{db: db, outbox: pgoutbox.New(db, Schema, credit.EventSource, nil)}
}

// Events implements credit.Store.
func (s *Store) Events() event.Log { return s.outbox }

func (s *Store) tx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	return pgtx.Run(ctx, s.db, nil, fn)
}

// CreateProduct implements credit.Store.
func (s *Store) CreateProduct(ctx context.Context, p credit.Product, events ...event.Envelope) error {
	body, err := json.Marshal(p)
	if err != nil {
		return err
	}
	err = s.tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO credit.products (id, code, currency, body, created_at)
			VALUES ($1, $2, $3, $4, $5)`, p.ID, p.Code, p.Currency, body, p.CreatedAt); err != nil {
			return err
		}
		return s.outbox.Append(ctx, tx, events...)
	})
	if pgtx.IsUniqueViolation(err, "") {
		return fmt.Errorf("%w: product %s (%s)", credit.ErrDuplicate, p.Code, p.ID)
	}
	return err
}

func product(body []byte, err error, what string) (credit.Product, error) {
	if errors.Is(err, sql.ErrNoRows) {
		return credit.Product{}, fmt.Errorf("%w: product %s", credit.ErrNotFound, what)
	}
	if err != nil {
		return credit.Product{}, err
	}
	var p credit.Product
	return p, json.Unmarshal(body, &p)
}

// Product implements credit.Store.
func (s *Store) Product(ctx context.Context, id credit.ID) (credit.Product, error) {
	var body []byte
	err := s.db.GetContext(ctx, &body, `SELECT body FROM credit.products WHERE id = $1`, id)
	return product(body, err, id.String())
}

// ProductByCode implements credit.Store.
func (s *Store) ProductByCode(ctx context.Context, code string) (credit.Product, error) {
	var body []byte
	err := s.db.GetContext(ctx, &body, `SELECT body FROM credit.products WHERE code = $1`, code)
	return product(body, err, "code "+code)
}

// Products implements credit.Store.
func (s *Store) Products(ctx context.Context, page credit.Page) ([]credit.Product, error) {
	return selectBodies[credit.Product](ctx, s.db, `SELECT body FROM credit.products WHERE id > $1 ORDER BY id LIMIT $2`,
		page.After, page.Limit)
}

// selectBodies runs query, which selects one JSON body per row, and decodes
// each into a T.
func selectBodies[T any](ctx context.Context, db *sqlx.DB, query string, args ...any) ([]T, error) {
	var bodies [][]byte
	if err := db.SelectContext(ctx, &bodies, query, args...); err != nil {
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

const openIndex = "applications_one_open"

// stepDue is the step_due column: the due date of the awaited step of an
// application in its chain, else NULL.
func stepDue(a credit.Application) any {
	if a.Status != credit.StatusScored || a.Approval == nil {
		return nil
	}
	return a.Approval.Due
}

func writeErr(err error, a credit.Application) error {
	switch {
	case pgtx.IsUniqueViolation(err, openIndex):
		return fmt.Errorf("%w: customer %s, product %s", credit.ErrOpenApplication, a.CustomerID, a.ProductID)
	case pgtx.IsUniqueViolation(err, ""):
		return fmt.Errorf("%w: application %s", credit.ErrDuplicate, a.ID)
	case pgtx.Code(err) == "23503": // foreign key: no such product
		return fmt.Errorf("%w: product %s", credit.ErrNotFound, a.ProductID)
	}
	return err
}

// CreateApplication implements credit.Store.
func (s *Store) CreateApplication(ctx context.Context, a credit.Application, events ...event.Envelope) error {
	body, err := json.Marshal(a)
	if err != nil {
		return err
	}
	err = s.tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO credit.applications (id, customer_id, product_id, status, amount,
			currency, applied_on, version, body, created_at, updated_at, step_due)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
			a.ID, a.CustomerID, a.ProductID, a.Status, a.Amount.Amount, a.Amount.Currency, a.AppliedOn, a.Version,
			body, a.CreatedAt, a.UpdatedAt, stepDue(a)); err != nil {
			return err
		}
		return s.outbox.Append(ctx, tx, events...)
	})
	return writeErr(err, a)
}

func application(body []byte, err error, id credit.ID) (credit.Application, error) {
	if errors.Is(err, sql.ErrNoRows) {
		return credit.Application{}, fmt.Errorf("%w: application %s", credit.ErrNotFound, id)
	}
	if err != nil {
		return credit.Application{}, err
	}
	var a credit.Application
	return a, json.Unmarshal(body, &a)
}

// Application implements credit.Store.
func (s *Store) Application(ctx context.Context, id credit.ID) (credit.Application, error) {
	var body []byte
	err := s.db.GetContext(ctx, &body, `SELECT body FROM credit.applications WHERE id = $1`, id)
	return application(body, err, id)
}

// UpdateApplication implements credit.Store.
func (s *Store) UpdateApplication(ctx context.Context, id credit.ID, fn func(credit.Application) (credit.Application, []event.Envelope, error)) (credit.Application, error) {
	var out credit.Application
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		var body []byte
		err := tx.GetContext(ctx, &body, `SELECT body FROM credit.applications WHERE id = $1 FOR UPDATE`, id)
		old, err := application(body, err, id)
		if err != nil {
			return err
		}
		next, events, err := fn(old)
		if err != nil {
			return err
		}
		next.ID, next.CustomerID, next.ProductID, next.Version = id, old.CustomerID, old.ProductID, old.Version+1
		nb, err := json.Marshal(next)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE credit.applications SET status = $2, amount = $3, currency = $4,
			version = $5, body = $6, updated_at = $7, step_due = $8 WHERE id = $1`,
			id, next.Status, next.Amount.Amount, next.Amount.Currency, next.Version, nb, next.UpdatedAt, stepDue(next)); err != nil {
			return writeErr(err, next)
		}
		if err := s.outbox.Append(ctx, tx, events...); err != nil {
			return err
		}
		out, err = application(nb, nil, id)
		return err
	})
	if err != nil {
		return credit.Application{}, err
	}
	return out, nil
}

// SwapApplication implements credit.ApplicationSwapper: one UPDATE on
// the version the caller read, with the events, in one transaction — no
// locked read first.
func (s *Store) SwapApplication(ctx context.Context, id credit.ID, version int64, next credit.Application, events ...event.Envelope) (credit.Application, error) {
	var out credit.Application
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		// The id, customer and product are the caller's as read: a row at
		// that version with other ones counts as changed.
		next.ID, next.Version = id, version+1
		nb, err := json.Marshal(next)
		if err != nil {
			return err
		}
		res, err := tx.ExecContext(ctx, `UPDATE credit.applications SET status = $5, amount = $6, currency = $7,
			version = $8, body = $9, updated_at = $10, step_due = $11
			WHERE id = $1 AND version = $2 AND customer_id = $3 AND product_id = $4`,
			id, version, next.CustomerID, next.ProductID, next.Status, next.Amount.Amount, next.Amount.Currency, next.Version, nb,
			next.UpdatedAt, stepDue(next))
		if err != nil {
			return writeErr(err, next)
		}
		if n, err := res.RowsAffected(); err != nil {
			return err
		} else if n == 0 {
			return s.missingOrChanged(ctx, tx, id, version)
		}
		if err := s.outbox.Append(ctx, tx, events...); err != nil {
			return err
		}
		out, err = application(nb, nil, id)
		return err
	})
	if err != nil {
		return credit.Application{}, err
	}
	return out, nil
}

// missingOrChanged says why no application id is at version.
func (s *Store) missingOrChanged(ctx context.Context, tx *sqlx.Tx, id credit.ID, version int64) error {
	var n int
	if err := tx.GetContext(ctx, &n, `SELECT count(*) FROM credit.applications WHERE id = $1`, id); err != nil {
		return err
	}
	if n == 0 {
		return fmt.Errorf("%w: application %s", credit.ErrNotFound, id)
	}
	return fmt.Errorf("%w: application %s is not at version %d", credit.ErrApplicationChanged, id, version)
}

var _ credit.ApplicationSwapper = (*Store)(nil)

// Applications implements credit.Store.
func (s *Store) Applications(ctx context.Context, f credit.ApplicationFilter, page credit.Page) ([]credit.Application, error) {
	where := []string{"id > $1"}
	args := []any{page.After}
	if f.CustomerID != credit.NilID {
		args = append(args, f.CustomerID)
		where = append(where, fmt.Sprintf("customer_id = $%d", len(args)))
	}
	if f.ProductID != credit.NilID {
		args = append(args, f.ProductID)
		where = append(where, fmt.Sprintf("product_id = $%d", len(args)))
	}
	if f.Status != "" {
		args = append(args, f.Status)
		where = append(where, fmt.Sprintf("status = $%d", len(args)))
	}
	if !f.StepDueBefore.IsZero() {
		args = append(args, f.StepDueBefore)
		where = append(where, fmt.Sprintf("status = 'scored' AND step_due < $%d", len(args)))
	}
	args = append(args, page.Limit)
	q := fmt.Sprintf(`SELECT body FROM credit.applications WHERE %s ORDER BY id LIMIT $%d`, strings.Join(where, " AND "), len(args))
	return selectBodies[credit.Application](ctx, s.db, q, args...)
}
