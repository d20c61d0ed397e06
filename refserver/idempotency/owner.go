package idempotency

import (
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"encoding/binary"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/bankkit/bankkit/internal/pgtx"
)

// ownerLockClass is the first half of every owner's advisory lock key
// ("idem" in ASCII), so owners' locks never meet another user's
// one-argument advisory locks (pgmigrate's) or two-argument ones of
// another class.
const ownerLockClass = 0x6964656d

// ownerKeepAlive is how often an owner checks its session, and so how
// long, at most, a process whose session was dropped (a failover, an
// administrator's pg_terminate_backend) looks dead to the others.
const ownerKeepAlive = 2 * time.Second

// owner is this process's liveness in PostgreSQL: a session of its own,
// out of the pool, holding the advisory lock (ownerLockClass, id). When the
// process dies the session ends and PostgreSQL frees the lock, which is
// what another process's claim tests (pg_try_advisory_xact_lock) before it
// takes over a claim of this owner.
type owner struct {
	db *sqlx.DB
	id int32

	mu   sync.Mutex
	conn *sql.Conn // nil while the session is being replaced
	stop chan struct{}
	done chan struct{}
}

// registerOwner picks an id no owner has used (so no dead owner's claims
// ever look alive again), takes its lock on a session of its own, and
// records the owner.
func registerOwner(ctx context.Context, db *sqlx.DB) (*owner, error) {
	o := &owner{db: db, stop: make(chan struct{}), done: make(chan struct{})}
	for tries := 0; ; tries++ {
		var b [4]byte
		if _, err := rand.Read(b[:]); err != nil {
			return nil, err
		}
		o.id = int32(binary.BigEndian.Uint32(b[:]) & 0x7fffffff)
		if o.id == 0 {
			continue
		}
		conn, err := o.lock(ctx)
		if err != nil {
			return nil, err
		}
		_, err = conn.ExecContext(ctx, `INSERT INTO refserver.idempotency_owners (id, started_at, backend_pid)
			VALUES ($1, now(), pg_backend_pid())`, o.id)
		if err == nil {
			o.conn = conn
			break
		}
		discard(conn)
		if !pgtx.IsUniqueViolation(err, "") || tries > 10 {
			return nil, fmt.Errorf("idempotency: register owner: %w", err)
		}
	}
	go o.keepAlive()
	return o, nil
}

// lock opens a session and takes the owner's lock on it.
func (o *owner) lock(ctx context.Context) (*sql.Conn, error) {
	conn, err := o.db.Conn(ctx)
	if err != nil {
		return nil, err
	}
	var got bool
	if err := conn.QueryRowContext(ctx, `SELECT pg_try_advisory_lock($1, $2)`, ownerLockClass, o.id).Scan(&got); err != nil {
		discard(conn)
		return nil, err
	}
	if !got {
		discard(conn)
		return nil, errOwnerLocked
	}
	return conn, nil
}

// discard ends conn's session rather than returning it to the pool, where
// another caller would inherit the owner's lock.
func discard(conn *sql.Conn) {
	_ = conn.Raw(func(any) error { return driver.ErrBadConn }) // closes the session
	_ = conn.Close()
}

var errOwnerLocked = errors.New("idempotency: the owner's lock is held by another session")

// keepAlive checks the session and, when it was dropped, takes the lock
// again on a new one (the dropped session's lock is freed when its backend
// exits, so a few tries may be needed).
func (o *owner) keepAlive() {
	defer close(o.done)
	t := time.NewTicker(ownerKeepAlive)
	defer t.Stop()
	for {
		select {
		case <-o.stop:
			return
		case <-t.C:
		}
		o.mu.Lock()
		conn := o.conn
		o.mu.Unlock()
		ctx, cancel := context.WithTimeout(context.Background(), ownerKeepAlive)
		if conn != nil && conn.PingContext(ctx) == nil {
			cancel()
			continue
		}
		if conn != nil {
			discard(conn)
		}
		fresh, err := o.lock(ctx)
		if err == nil {
			_, err = fresh.ExecContext(ctx, `UPDATE refserver.idempotency_owners SET backend_pid = pg_backend_pid() WHERE id = $1`, o.id)
		}
		cancel()
		o.mu.Lock()
		if err != nil {
			if fresh != nil {
				discard(fresh)
			}
			o.conn = nil
		} else {
			o.conn = fresh
		}
		o.mu.Unlock()
	}
}

// close ends the session, freeing the lock: the owner's claims left in
// flight are free for others at once.
func (o *owner) close() error {
	close(o.stop)
	<-o.done
	o.mu.Lock()
	defer o.mu.Unlock()
	if o.conn == nil {
		return nil
	}
	// Unlock first: a session's locks outlive its close until its backend
	// has exited, and another process's retry should not wait for that.
	ctx, cancel := context.WithTimeout(context.Background(), ownerKeepAlive)
	defer cancel()
	_, _ = o.conn.ExecContext(ctx, `SELECT pg_advisory_unlock($1, $2)`, ownerLockClass, o.id)
	discard(o.conn)
	o.conn = nil
	return nil
}
