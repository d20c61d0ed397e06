package idempotency

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/bankkit/bankkit/internal/pgmigrate"
	"github.com/bankkit/bankkit/internal/pgstmt"
)

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate applies the store's migrations to schema "refserver".
func Migrate(ctx context.Context, db *sqlx.DB) error {
	return pgmigrate.Apply(ctx, db, "refserver", migrations, "migrations")
}

// Postgres is a Store in PostgreSQL, so remembered responses survive a
// restart and are shared by every server process.
//
// Claims, and responses recorded with CompleteIdempotent, are committed
// without waiting for the WAL flush (synchronous_commit off, for those
// statements only). Losing one in a crash is harmless: a lost claim only
// lets a retry run again, and a CompleteIdempotent response comes from an
// operation that returns the same result when re-run under its key. That
// saves two of the three WAL flushes of a money-moving request.
//
// Every request with a key runs two of its statements, so they are
// prepared (see pgstmt), and each is one statement in a transaction of
// its own: the round trips of BEGIN, SET LOCAL and COMMIT would cost more
// than the statement.
type Postgres struct {
	db    *sqlx.DB
	stmts *pgstmt.Cache
}

var _ Store = (*Postgres)(nil)

// NewPostgres returns a store on db; call Migrate first.
func NewPostgres(db *sqlx.DB) *Postgres { return &Postgres{db: db, stmts: pgstmt.New(db)} }

// asyncCommit, as a CTE the statement reads from, turns off the wait for
// the WAL flush for the statement's own (implicit) transaction: the
// setting is transaction-local and the commit comes after the statement.
const asyncCommit = `WITH async AS (SELECT set_config('synchronous_commit', 'off', true))`

const (
	claimSQL = asyncCommit + `
INSERT INTO refserver.idempotency_keys (key, fingerprint, created_at, lease_until)
SELECT $1, $2, $3, $4 FROM async
ON CONFLICT (key) DO UPDATE SET lease_until = EXCLUDED.lease_until
	WHERE idempotency_keys.fingerprint = EXCLUDED.fingerprint
	  AND idempotency_keys.status IS NULL
	  AND idempotency_keys.lease_until <= $3
RETURNING true`
	holderSQL   = `SELECT fingerprint, status, header, body FROM refserver.idempotency_keys WHERE key = $1`
	completeSQL = `UPDATE refserver.idempotency_keys SET status = $2, header = $3, body = $4 WHERE key = $1 AND status IS NULL`
	// completeAsyncSQL is completeSQL committed without the flush wait.
	completeAsyncSQL = asyncCommit + `
UPDATE refserver.idempotency_keys SET status = $2, header = $3, body = $4
FROM async WHERE key = $1 AND status IS NULL`
)

// Begin implements Store in one statement: insert the claim, or take over an
// expired one with the same fingerprint, and otherwise read what holds it.
func (p *Postgres) Begin(ctx context.Context, key string, fp Fingerprint, now time.Time, lease time.Duration) (*Response, error) {
	var claimed bool
	err := p.stmts.GetContext(ctx, &claimed, claimSQL, key, fp[:], now, now.Add(lease))
	if err == nil {
		return nil, nil
	}
	if !errors.Is(err, sql.ErrNoRows) {
		return nil, err
	}
	var row struct {
		Fingerprint []byte        `db:"fingerprint"`
		Status      sql.NullInt64 `db:"status"`
		Header      []byte        `db:"header"`
		Body        []byte        `db:"body"`
	}
	if err := p.stmts.GetContext(ctx, &row, holderSQL, key); err != nil {
		if errors.Is(err, sql.ErrNoRows) { // purged in between: try once more
			return p.Begin(ctx, key, fp, now, lease)
		}
		return nil, err
	}
	if Fingerprint(row.Fingerprint) != fp {
		return nil, ErrMismatch
	}
	if !row.Status.Valid {
		return nil, ErrInFlight
	}
	resp := &Response{Status: int(row.Status.Int64), Body: row.Body, Header: http.Header{}}
	if len(row.Header) > 0 {
		if err := json.Unmarshal(row.Header, &resp.Header); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

// Complete implements Store.
func (p *Postgres) Complete(ctx context.Context, key string, resp Response, _ time.Time) error {
	return p.complete(ctx, key, resp, false)
}

// CompleteIdempotent implements Store, without waiting for the WAL flush.
func (p *Postgres) CompleteIdempotent(ctx context.Context, key string, resp Response, _ time.Time) error {
	return p.complete(ctx, key, resp, true)
}

func (p *Postgres) complete(ctx context.Context, key string, resp Response, async bool) error {
	header, err := json.Marshal(resp.Header)
	if err != nil {
		return err
	}
	body := resp.Body
	if body == nil {
		body = []byte{}
	}
	query := completeSQL
	if async {
		query = completeAsyncSQL
	}
	_, err = p.stmts.ExecContext(ctx, query, key, resp.Status, header, body)
	return err
}

// Abandon implements Store.
func (p *Postgres) Abandon(ctx context.Context, key string) error {
	_, err := p.db.ExecContext(ctx, `DELETE FROM refserver.idempotency_keys WHERE key = $1 AND status IS NULL`, key)
	return err
}

// purgeBatch bounds the rows one purge statement deletes, so a purge
// after a busy day is many short transactions rather than one long one.
const purgeBatch = 10000

// Purge implements Store.
func (p *Postgres) Purge(ctx context.Context, before time.Time) (int, error) {
	total := 0
	for {
		res, err := p.db.ExecContext(ctx, `DELETE FROM refserver.idempotency_keys WHERE key IN (
			SELECT key FROM refserver.idempotency_keys WHERE created_at < $1 LIMIT $2)`, before, purgeBatch)
		if err != nil {
			return total, err
		}
		n, err := res.RowsAffected()
		total += int(n)
		if err != nil || n < purgeBatch {
			return total, err
		}
	}
}
