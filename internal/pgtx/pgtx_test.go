package pgtx_test

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/internal/pgtest"
	"github.com/bankkit/bankkit/internal/pgtx"
)

func TestRunCommitsAndRollsBack(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	_, err := db.Exec("CREATE TABLE t (id int PRIMARY KEY)")
	require.NoError(t, err)

	require.NoError(t, pgtx.Run(ctx, db, nil, func(tx *sqlx.Tx) error {
		_, err := tx.Exec("INSERT INTO t VALUES (1)")
		return err
	}))
	boom := errors.New("boom")
	err = pgtx.Run(ctx, db, nil, func(tx *sqlx.Tx) error {
		if _, err := tx.Exec("INSERT INTO t VALUES (2)"); err != nil {
			return err
		}
		return boom
	})
	require.ErrorIs(t, err, boom)

	var ids []int
	require.NoError(t, db.Select(&ids, "SELECT id FROM t ORDER BY id"))
	require.Equal(t, []int{1}, ids)
}

// Serializable transactions that read and then write the same row conflict
// with 40001; Run must retry them until every increment lands.
func TestRunRetriesSerializationFailures(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	ctx := context.Background()
	_, err := db.Exec("CREATE TABLE counter (n int); INSERT INTO counter VALUES (0)")
	require.NoError(t, err)

	const workers, each = 8, 10
	var attempts atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				errs <- pgtx.RunWith(ctx, db, pgtx.Policy{MaxAttempts: 200, BaseDelay: 1e6, MaxDelay: 2e7},
					&sql.TxOptions{Isolation: sql.LevelSerializable}, func(tx *sqlx.Tx) error {
						attempts.Add(1)
						var n int
						if err := tx.Get(&n, "SELECT n FROM counter"); err != nil {
							return err
						}
						_, err := tx.Exec("UPDATE counter SET n = $1", n+1)
						return err
					})
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	var n int
	require.NoError(t, db.Get(&n, "SELECT n FROM counter"))
	require.Equal(t, workers*each, n, "a retried transaction lost an increment")
	t.Logf("%d attempts for %d increments", attempts.Load(), workers*each)
}

func TestIsRetryableAndUniqueViolation(t *testing.T) {
	t.Parallel()
	db := pgtest.New(t)
	_, err := db.Exec("CREATE TABLE u (k text CONSTRAINT u_k_key UNIQUE)")
	require.NoError(t, err)
	_, err = db.Exec("INSERT INTO u VALUES ('a')")
	require.NoError(t, err)
	_, err = db.Exec("INSERT INTO u VALUES ('a')")
	require.True(t, pgtx.IsUniqueViolation(err, "u_k_key"))
	require.True(t, pgtx.IsUniqueViolation(err, ""))
	require.False(t, pgtx.IsUniqueViolation(err, "other"))
	require.False(t, pgtx.IsRetryable(err))
	require.False(t, pgtx.IsRetryable(errors.New("plain")))
	require.Equal(t, "", pgtx.Code(nil))
}

// Each way of losing the database is a connection failure; a query's own
// error is not.
func TestIsConnectionFailure(t *testing.T) {
	t.Parallel()
	db, url := pgtest.NewWithURL(t)
	ctx := context.Background()

	_, err := db.ExecContext(ctx, "SELECT 1/0")
	require.Error(t, err)
	require.False(t, pgtx.IsConnectionFailure(err), "a division by zero: %v", err)
	require.False(t, pgtx.IsConnectionFailure(nil))
	require.False(t, pgtx.IsConnectionFailure(errors.New("boom")))

	// A backend terminated by an administrator (57P01).
	conn, err := db.Connx(ctx)
	require.NoError(t, err)
	var pid int
	require.NoError(t, conn.GetContext(ctx, &pid, "SELECT pg_backend_pid()"))
	_, err = db.ExecContext(ctx, "SELECT pg_terminate_backend($1)", pid)
	require.NoError(t, err)
	_, err = conn.ExecContext(ctx, "SELECT 1")
	require.Error(t, err)
	require.True(t, pgtx.IsConnectionFailure(err), "terminated backend: %v", err)
	_, err = conn.ExecContext(ctx, "SELECT 1")
	require.True(t, pgtx.IsConnectionFailure(err), "the same connection again: %v", err)
	_ = conn.Close()

	// A refused connection: nothing listens on port 1.
	refused, err := sqlx.Open("postgres", "postgres://postgres@127.0.0.1:1/postgres?sslmode=disable&connect_timeout=2")
	require.NoError(t, err)
	defer refused.Close()
	_, err = refused.ExecContext(ctx, "SELECT 1")
	require.True(t, pgtx.IsConnectionFailure(err), "refused: %v", err)

	// A closed pool.
	closed, err := sqlx.Open("postgres", url)
	require.NoError(t, err)
	require.NoError(t, closed.Close())
	_, err = closed.ExecContext(ctx, "SELECT 1")
	require.True(t, pgtx.IsConnectionFailure(err), "closed pool: %v", err)

	// Too many connections, as the server reports it.
	require.True(t, pgtx.IsConnectionFailure(fmt.Errorf("open: %w", &pq.Error{Code: "53300"})))
	require.True(t, pgtx.IsConnectionFailure(fmt.Errorf("open: %w", &pq.Error{Code: "57P03"})))
	require.True(t, pgtx.IsConnectionFailure(fmt.Errorf("query: %w", driver.ErrBadConn)))
	require.False(t, pgtx.IsConnectionFailure(&pq.Error{Code: "23505"}))
}
