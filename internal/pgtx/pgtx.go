// Package pgtx runs a function in a PostgreSQL transaction and retries it
// when the database aborts it for a serialization failure (40001) or a
// deadlock (40P01): the two errors that mean "nothing happened, try again".
//
// Every PostgreSQL backend uses it, so that retry policy lives in one place.
// CockroachDB and YugabyteDB report contention with the same SQLSTATE 40001,
// so the same loop serves them.
package pgtx

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"strings"
	"syscall"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// Policy bounds the retries.
type Policy struct {
	MaxAttempts int           // total tries, the first included
	BaseDelay   time.Duration // delay before the second try; doubles each time
	MaxDelay    time.Duration // ceiling of one delay
}

// DefaultPolicy suits OLTP transactions of a few statements.
var DefaultPolicy = Policy{MaxAttempts: 12, BaseDelay: 2 * time.Millisecond, MaxDelay: 250 * time.Millisecond}

// Run calls fn inside a transaction with opts and commits it; if fn or the
// commit fails with a retryable error, the transaction is rolled back and
// fn is called again in a new one, after a jittered exponential backoff.
// fn must therefore have no effects outside the transaction. Any other error
// rolls back and is returned as fn returned it.
func Run(ctx context.Context, db *sqlx.DB, opts *sql.TxOptions, fn func(tx *sqlx.Tx) error) error {
	return RunWith(ctx, db, DefaultPolicy, opts, fn)
}

// RunWith is Run with an explicit policy.
func RunWith(ctx context.Context, db *sqlx.DB, p Policy, opts *sql.TxOptions, fn func(tx *sqlx.Tx) error) error {
	delay := p.BaseDelay
	for attempt := 1; ; attempt++ {
		err := once(ctx, db, opts, fn)
		if err == nil || !IsRetryable(err) || attempt >= p.MaxAttempts {
			if err != nil && IsRetryable(err) {
				return fmt.Errorf("pgtx: gave up after %d attempts: %w", attempt, err)
			}
			return err
		}
		// Full jitter keeps colliding transactions from retrying in lockstep.
		wait := time.Duration(rand.Int64N(int64(delay) + 1))
		select {
		case <-ctx.Done():
			return errors.Join(ctx.Err(), err)
		case <-time.After(wait):
		}
		delay = min(delay*2, p.MaxDelay)
	}
}

func once(ctx context.Context, db *sqlx.DB, opts *sql.TxOptions, fn func(tx *sqlx.Tx) error) (err error) {
	tx, err := db.BeginTxx(ctx, opts)
	if err != nil {
		return err
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// Retryable SQLSTATE codes.
const (
	SerializationFailure = "40001"
	DeadlockDetected     = "40P01"
	UniqueViolation      = "23505"
)

// IsRetryable reports whether err is a serialization failure or a deadlock.
func IsRetryable(err error) bool {
	code := Code(err)
	return code == SerializationFailure || code == DeadlockDetected
}

// Code returns the SQLSTATE of a PostgreSQL error in err's chain, or "".
func Code(err error) string {
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		return string(pqErr.Code)
	}
	return ""
}

// IsUniqueViolation reports whether err is a unique-constraint violation,
// optionally of the named constraint ("" matches any).
func IsUniqueViolation(err error, constraint string) bool {
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) || pqErr.Code != UniqueViolation {
		return false
	}
	return constraint == "" || pqErr.Constraint == constraint
}

// SQLSTATE codes of a connection the database dropped or would not give.
const (
	AdminShutdown      = "57P01"
	CrashShutdown      = "57P02"
	CannotConnectNow   = "57P03"
	TooManyConnections = "53300"
)

// IsConnectionFailure reports whether err means the database could not be
// reached or dropped the connection: refused, reset or closed connections,
// a server shutting down or restarting (57P01-57P03), too many connections
// (53300), any connection exception (class 08), a bad or closed
// connection or pool. Such a failure says nothing about the request; the
// same request may succeed once the database is back, so a server answers
// it as unavailable rather than as its own fault.
func IsConnectionFailure(err error) bool {
	if err == nil {
		return false
	}
	switch code := Code(err); {
	case code == AdminShutdown, code == CrashShutdown, code == CannotConnectNow, code == TooManyConnections:
		return true
	case strings.HasPrefix(code, "08"):
		return true
	case code != "":
		return false
	}
	if errors.Is(err, driver.ErrBadConn) || errors.Is(err, sql.ErrConnDone) ||
		errors.Is(err, syscall.ECONNREFUSED) || errors.Is(err, syscall.ECONNRESET) ||
		errors.Is(err, syscall.EPIPE) || errors.Is(err, io.ErrUnexpectedEOF) {
		return true
	}
	var opErr *net.OpError
	if errors.As(err, &opErr) {
		return true
	}
	// database/sql reports a closed pool with an unexported error.
	return strings.Contains(err.Error(), "sql: database is closed")
}
