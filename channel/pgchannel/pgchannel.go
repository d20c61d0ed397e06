// Package pgchannel is the PostgreSQL channel.Store. It keeps its tables in
// the schema "channel", created and upgraded by Migrate from embedded SQL.
//
// Read-modify-write steps (counting a login attempt, updating an identity)
// lock the identity's row with SELECT ... FOR UPDATE inside one
// transaction, so concurrent attempts are all counted. The SQL stays within
// what CockroachDB and YugabyteDB also accept.
package pgchannel

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/internal/pgmigrate"
	"github.com/bankkit/bankkit/internal/pgstmt"
	"github.com/bankkit/bankkit/internal/pgtx"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Schema is the PostgreSQL schema the store's tables live in.
const Schema = "channel"

// Migrate creates or upgrades the channel schema. It is idempotent and safe
// to run from several processes at once.
func Migrate(ctx context.Context, db *sqlx.DB) error {
	return pgmigrate.Apply(ctx, db, Schema, migrations, "migrations")
}

// Store is a channel.Store over a PostgreSQL database that Migrate has
// prepared.
type Store struct {
	db *sqlx.DB
	// stmts holds the lookups every authenticated request makes, prepared.
	stmts *pgstmt.Cache
	// reserveSQL is the limit reservation's statement (see
	// AsyncReservations).
	reserveSQL string
	// asyncDelivery: see AsyncDelivery.
	asyncDelivery bool
	// asyncHeartbeats: see AsyncHeartbeats.
	asyncHeartbeats bool
}

var _ channel.Store = (*Store)(nil)

// New returns a Store over db.
func New(db *sqlx.DB, opts ...Option) *Store {
	s := &Store{db: db, stmts: pgstmt.New(db), reserveSQL: reserveSQL(false)}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Option configures a Store.
type Option func(*Store)

// AsyncDelivery commits the notification outbox's claims and "sent"
// marks without waiting for the WAL flush. A crash may then forget a
// claim (the message is claimed again) or a "sent" mark (the message is
// sent again): delivery is at least once in any case, and providers
// deduplicate on the message id. Messages themselves are always added
// with a synchronous commit. PostgreSQL only.
func AsyncDelivery() Option {
	return func(s *Store) { s.asyncDelivery = true }
}

// AsyncReservations commits limit reservations without waiting for the
// WAL flush (synchronous_commit off for that one statement). Use it only
// when the transfer that follows each reservation commits synchronously
// to the same PostgreSQL server (as the reference server's ledger does):
// WAL is flushed in order, so once the transfer is durable so is its
// reservation, and a reservation lost in a crash belongs to a transfer
// that never committed. It saves the reservation's own flush, most of its
// cost. PostgreSQL only: CockroachDB and YugabyteDB do not have the
// setting.
func AsyncReservations() Option {
	return func(s *Store) { s.reserveSQL = reserveSQL(true) }
}

// Unique constraints and SQLSTATEs the store translates into sentinels.
const (
	identitiesPkey     = "identities_pkey"
	usernameKey        = "identities_username_key"
	customerKey        = "identities_customer_id_key"
	sessionsPkey       = "sessions_pkey"
	tokenHashKey       = "sessions_token_hash_key"
	foreignKeyViolated = "23503"
)

const identityColumns = `id, kind, username, roles, customer_id, status, created_at, failed_logins, locked_until`

type identityRow struct {
	ID           uuid.UUID      `db:"id"`
	Kind         string         `db:"kind"`
	Username     string         `db:"username"`
	Roles        pq.StringArray `db:"roles"`
	CustomerID   sql.NullString `db:"customer_id"`
	Status       string         `db:"status"`
	CreatedAt    time.Time      `db:"created_at"`
	FailedLogins int            `db:"failed_logins"`
	LockedUntil  sql.NullTime   `db:"locked_until"`
}

func (r identityRow) identity() channel.Identity {
	i := channel.Identity{
		ID:           r.ID,
		Kind:         channel.Kind(r.Kind),
		Username:     r.Username,
		CustomerID:   r.CustomerID.String,
		Status:       channel.Status(r.Status),
		CreatedAt:    r.CreatedAt.UTC(),
		FailedLogins: r.FailedLogins,
	}
	for _, role := range r.Roles {
		i.Roles = append(i.Roles, channel.Role(role))
	}
	if r.LockedUntil.Valid {
		i.LockedUntil = r.LockedUntil.Time.UTC()
	}
	return i
}

func roleStrings(roles []channel.Role) pq.StringArray {
	out := pq.StringArray{}
	for _, r := range roles {
		out = append(out, string(r))
	}
	return out
}

func nullTime(t time.Time) sql.NullTime { return sql.NullTime{Time: t, Valid: !t.IsZero()} }

func notFound(what string, key any) error {
	return fmt.Errorf("%w: %s %v", channel.ErrNotFound, what, key)
}

// CreateIdentity implements channel.Store.
func (s *Store) CreateIdentity(ctx context.Context, i channel.Identity, c channel.Credential) error {
	if err := i.Validate(); err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	customer := sql.NullString{String: i.CustomerID, Valid: i.CustomerID != ""}
	_, err := s.db.ExecContext(ctx, `INSERT INTO channel.identities
		(id, kind, username, roles, customer_id, status, created_at, failed_logins, locked_until, credential)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		i.ID, i.Kind, i.Username, roleStrings(i.Roles), customer, i.Status, i.CreatedAt,
		i.FailedLogins, nullTime(i.LockedUntil), c.String())
	switch {
	case pgtx.IsUniqueViolation(err, usernameKey):
		return fmt.Errorf("%w: username %q is taken", channel.ErrDuplicate, i.Username)
	case pgtx.IsUniqueViolation(err, customerKey):
		return fmt.Errorf("%w: customer %q has a login", channel.ErrDuplicate, i.CustomerID)
	case pgtx.IsUniqueViolation(err, identitiesPkey):
		return fmt.Errorf("%w: identity %s exists", channel.ErrDuplicate, i.ID)
	}
	return err
}

// identityWhere reads one identity, in tx if there is one and otherwise
// with a prepared statement.
func (s *Store) identityWhere(ctx context.Context, tx *sqlx.Tx, cond string, arg any, what string) (channel.Identity, error) {
	var r identityRow
	query := `SELECT ` + identityColumns + ` FROM channel.identities WHERE ` + cond
	var err error
	if tx != nil {
		err = tx.GetContext(ctx, &r, query, arg)
	} else {
		err = s.stmts.GetContext(ctx, &r, query, arg)
	}
	if errors.Is(err, sql.ErrNoRows) {
		return channel.Identity{}, notFound(what, arg)
	}
	if err != nil {
		return channel.Identity{}, err
	}
	return r.identity(), nil
}

// Identity implements channel.Store.
func (s *Store) Identity(ctx context.Context, id uuid.UUID) (channel.Identity, error) {
	return s.identityWhere(ctx, nil, "id = $1", id, "identity")
}

// IdentityByUsername implements channel.Store.
func (s *Store) IdentityByUsername(ctx context.Context, username string) (channel.Identity, error) {
	return s.identityWhere(ctx, nil, "username = $1", username, "username")
}

// IdentityByCustomer implements channel.Store.
func (s *Store) IdentityByCustomer(ctx context.Context, customerID string) (channel.Identity, error) {
	return s.identityWhere(ctx, nil, "customer_id = $1", customerID, "login of customer")
}

// ListIdentities implements channel.Store.
func (s *Store) ListIdentities(ctx context.Context, after uuid.UUID, limit int) ([]channel.Identity, error) {
	var rows []identityRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+identityColumns+` FROM channel.identities
		WHERE id > $1 ORDER BY id LIMIT $2`, after, max(limit, 0)); err != nil {
		return nil, err
	}
	out := make([]channel.Identity, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.identity())
	}
	return out, nil
}

// UpdateIdentity implements channel.Store.
func (s *Store) UpdateIdentity(ctx context.Context, id uuid.UUID, fn func(channel.Identity) (channel.Identity, error)) (channel.Identity, error) {
	var next channel.Identity
	err := pgtx.Run(ctx, s.db, nil, func(tx *sqlx.Tx) error {
		old, err := s.identityWhere(ctx, tx, "id = $1 FOR UPDATE", id, "identity")
		if err != nil {
			return err
		}
		changed, err := fn(old)
		if err != nil {
			return err
		}
		next = old
		next.Status, next.Roles = changed.Status, changed.Roles
		if err := next.Validate(); err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `UPDATE channel.identities SET status = $2, roles = $3 WHERE id = $1`,
			id, next.Status, roleStrings(next.Roles))
		return err
	})
	if err != nil {
		return channel.Identity{}, err
	}
	return next, nil
}

// Credential implements channel.Store.
func (s *Store) Credential(ctx context.Context, id uuid.UUID) (channel.Credential, error) {
	var phc string
	err := s.db.GetContext(ctx, &phc, `SELECT credential FROM channel.identities WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return channel.Credential{}, notFound("identity", id)
	}
	if err != nil {
		return channel.Credential{}, err
	}
	c, err := channel.ParseCredential(phc)
	if err != nil {
		return channel.Credential{}, fmt.Errorf("pgchannel: stored credential of %s: %w", id, err)
	}
	return c, nil
}

// ReplaceCredential implements channel.Store.
func (s *Store) ReplaceCredential(ctx context.Context, id uuid.UUID, prev, next channel.Credential) error {
	if err := next.Validate(); err != nil {
		return err
	}
	res, err := s.db.ExecContext(ctx, `UPDATE channel.identities SET credential = $3 WHERE id = $1 AND credential = $2`,
		id, prev.String(), next.String())
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil || n == 1 {
		return err
	}
	var exists bool
	if err := s.db.GetContext(ctx, &exists, `SELECT EXISTS (SELECT 1 FROM channel.identities WHERE id = $1)`, id); err != nil {
		return err
	}
	if !exists {
		return notFound("identity", id)
	}
	return fmt.Errorf("%w: credential of %s", channel.ErrConflict, id)
}

// RecordAttempt implements channel.Store.
func (s *Store) RecordAttempt(ctx context.Context, id uuid.UUID, now time.Time, policy channel.LockoutPolicy) (channel.Identity, bool, error) {
	if err := policy.Validate(); err != nil {
		return channel.Identity{}, false, err
	}
	var next channel.Identity
	var admitted bool
	err := pgtx.Run(ctx, s.db, nil, func(tx *sqlx.Tx) error {
		old, err := s.identityWhere(ctx, tx, "id = $1 FOR UPDATE", id, "identity")
		if err != nil {
			return err
		}
		next, admitted = policy.Attempt(old, now)
		if !admitted {
			return nil
		}
		_, err = tx.ExecContext(ctx, `UPDATE channel.identities SET failed_logins = $2, locked_until = $3 WHERE id = $1`,
			id, next.FailedLogins, nullTime(next.LockedUntil))
		return err
	})
	if err != nil {
		return channel.Identity{}, false, err
	}
	return next, admitted, nil
}

// ResetFailures implements channel.Store.
func (s *Store) ResetFailures(ctx context.Context, id uuid.UUID) (channel.Identity, error) {
	var r identityRow
	err := s.db.GetContext(ctx, &r, `UPDATE channel.identities SET failed_logins = 0, locked_until = NULL
		WHERE id = $1 RETURNING `+identityColumns, id)
	if errors.Is(err, sql.ErrNoRows) {
		return channel.Identity{}, notFound("identity", id)
	}
	if err != nil {
		return channel.Identity{}, err
	}
	return r.identity(), nil
}
