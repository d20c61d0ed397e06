// Package pgcustomer is a customer.Store on PostgreSQL (sqlx + lib/pq), in
// its own schema "customer". It stores only what the Service hands it:
// sealed personal data and blind indexes. Writes run in transactions
// retried on serialization failures and deadlocks; appends to the access
// log lock a head row so the chain stays in commit order. Events go to the
// shared outbox (internal/pgoutbox) in the transaction of their change.
package pgcustomer

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/internal/pgmigrate"
	"github.com/bankkit/bankkit/internal/pgoutbox"
	"github.com/bankkit/bankkit/internal/pgtx"
)

// Schema is the PostgreSQL schema that holds the customer tables.
const Schema = "customer"

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate creates or upgrades the customer schema. It is safe to call on
// every start and from several processes at once.
func Migrate(ctx context.Context, db *sqlx.DB) error {
	return pgmigrate.Apply(ctx, db, Schema, migrations, "migrations", pgoutbox.Migrations)
}

// Store is a customer.Store on PostgreSQL, safe for concurrent use.
type Store struct {
	db     *sqlx.DB
	outbox *pgoutbox.Outbox
}

var _ customer.Store = (*Store)(nil)

// New returns a Store on db, whose schema Migrate must have prepared.
func New(db *sqlx.DB) *Store {
	return &Store{db: db, outbox: pgoutbox.New(db, Schema, customer.EventSource, nil)}
}

// Events implements customer.Store.
func (s *Store) Events() event.Log { return s.outbox }

// SQLSTATE of a foreign-key violation: a child row naming a customer that
// does not exist.
const foreignKeyViolation = "23503"

func (s *Store) tx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	return pgtx.Run(ctx, s.db, nil, fn)
}

// notFoundIfMissingCustomer turns a foreign-key violation into
// ErrNotFound.
func notFoundIfMissingCustomer(err error, id customer.ID) error {
	if pgtx.Code(err) == foreignKeyViolation {
		return fmt.Errorf("%w: customer %s", customer.ErrNotFound, id)
	}
	return err
}

func notFound(err error, what string, id customer.ID) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %s %s", customer.ErrNotFound, what, id)
	}
	return err
}

// nextSeq advances the named head row and returns the new seq. The row
// stays locked until the transaction ends.
func nextSeq(ctx context.Context, tx *sqlx.Tx, name string) (int64, error) {
	var seq int64
	err := tx.GetContext(ctx, &seq, `UPDATE customer.heads SET seq = seq + 1 WHERE name = $1 RETURNING seq`, name)
	return seq, err
}

// dateArg is a date column value: NULL for the zero Date.
func dateArg(d calendar.Date) any {
	if d.IsZero() {
		return nil
	}
	return d.String()
}

func dateOf(t sql.NullTime) calendar.Date {
	if !t.Valid {
		return calendar.Date{}
	}
	return calendar.DateOf(t.Time.UTC())
}

// timeArg is a timestamptz column value: NULL for the zero time.
func timeArg(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t
}

func timeOf(t sql.NullTime) time.Time {
	if !t.Valid {
		return time.Time{}
	}
	return t.Time.UTC()
}
