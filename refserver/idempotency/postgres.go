package idempotency

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"net/http"
	"sync"
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
// Each Postgres registers an owner (see owner.go) whose liveness is an
// advisory lock held by a session of its own; claims name their owner. A
// claim whose owner died — its lock is free — is taken over by the next
// request with the key at once; the lease is the last resort, for a
// database that cannot say (an owner registered before owners existed).
//
// The hot path costs one statement per request, shared with concurrent
// requests: claims queue, and each batch of them is one INSERT ... ON
// CONFLICT over arrays (see batch.go), which also writes the responses
// recorded with CompleteIdempotent since the last batch. Such a response
// is kept in process until its batch has committed, so a replay here sees
// it at once; another process sees the key in flight for that long (a
// few milliseconds, or one batch interval with no traffic).
//
// Claims and those responses are committed without waiting for the WAL
// flush (synchronous_commit off, for those statements only). Losing one in
// a crash is harmless: a lost claim only lets a retry run again, and a
// CompleteIdempotent response comes from an operation that returns the
// same result when re-run under its key.
type Postgres struct {
	db    *sqlx.DB
	stmts *pgstmt.Cache
	owner *owner
	q     *batcher

	closeOnce sync.Once
	closeErr  error
}

var _ Store = (*Postgres)(nil)

// NewPostgres returns a store on db, registered as a new owner; call
// Migrate first, and Close when done so the owner's claims are freed at
// once.
func NewPostgres(ctx context.Context, db *sqlx.DB) (*Postgres, error) {
	o, err := registerOwner(ctx, db)
	if err != nil {
		return nil, err
	}
	p := &Postgres{db: db, stmts: pgstmt.New(db), owner: o}
	p.q = newBatcher(p)
	return p, nil
}

// Close writes the responses still waiting and ends the owner's session.
func (p *Postgres) Close() error {
	p.closeOnce.Do(func() { p.closeErr = errors.Join(p.q.close(), p.owner.close()) })
	return p.closeErr
}

const (
	holderSQL   = `SELECT fingerprint, status, header, body FROM refserver.idempotency_keys WHERE key = $1`
	completeSQL = `UPDATE refserver.idempotency_keys SET status = $2, header = $3, body = $4 WHERE key = $1 AND status IS NULL`
)

// Begin implements Store: the claim goes out in the next batch; a key the
// batch did not claim is read to say why.
func (p *Postgres) Begin(ctx context.Context, key string, fp Fingerprint, now time.Time, lease time.Duration) (*Response, error) {
	for tries := 0; ; tries++ {
		if resp, ok := p.q.pending(key, fp); ok {
			return resp, nil
		}
		claimed, err := p.q.claim(ctx, claimReq{key: key, fp: fp, now: now, leaseUntil: now.Add(lease)})
		if err != nil || claimed {
			return nil, err
		}
		resp, err := p.holder(ctx, key, fp)
		if errors.Is(err, sql.ErrNoRows) && tries == 0 { // purged in between: try once more
			continue
		}
		return resp, err
	}
}

// holder reads the record that holds key.
func (p *Postgres) holder(ctx context.Context, key string, fp Fingerprint) (*Response, error) {
	var row struct {
		Fingerprint []byte        `db:"fingerprint"`
		Status      sql.NullInt64 `db:"status"`
		Header      []byte        `db:"header"`
		Body        []byte        `db:"body"`
	}
	if err := p.stmts.GetContext(ctx, &row, holderSQL, key); err != nil {
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

// Complete implements Store: written and flushed before it returns.
func (p *Postgres) Complete(ctx context.Context, key string, resp Response, _ time.Time) error {
	p.q.forget(key)
	header, body, err := encode(resp)
	if err != nil {
		return err
	}
	_, err = p.stmts.ExecContext(ctx, completeSQL, key, resp.Status, header, body)
	return err
}

// CompleteIdempotent implements Store: the response rides with the next
// batch of claims, committed without the flush wait.
func (p *Postgres) CompleteIdempotent(_ context.Context, key string, resp Response, _ time.Time) error {
	header, body, err := encode(resp)
	if err != nil {
		return err
	}
	p.q.record(key, resp, header, body)
	return nil
}

func encode(resp Response) (header, body []byte, err error) {
	if header, err = json.Marshal(resp.Header); err != nil {
		return nil, nil, err
	}
	if body = resp.Body; body == nil {
		body = []byte{}
	}
	return header, body, nil
}

// Abandon implements Store.
func (p *Postgres) Abandon(ctx context.Context, key string) error {
	p.q.forget(key)
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
		if err != nil {
			return total, err
		}
		if n < purgeBatch {
			return total, p.pruneOwners(ctx)
		}
	}
}

// pruneOwners deletes the records of owners that have died (their lock is
// free) and name no claim any more, so a server that restarts often does
// not grow the table by a row a start. A live owner's lock is held, so
// pg_try_advisory_xact_lock fails for it and its row stays; the locks
// taken on dead owners' ids end with the statement's transaction.
func (p *Postgres) pruneOwners(ctx context.Context) error {
	_, err := p.db.ExecContext(ctx, `DELETE FROM refserver.idempotency_owners o
		WHERE o.id <> $2
		  AND NOT EXISTS (SELECT 1 FROM refserver.idempotency_keys k WHERE k.owner = o.id)
		  AND pg_try_advisory_xact_lock($1, o.id)`, ownerLockClass, p.owner.id)
	return err
}
