package pgstmt_test

import (
	"context"
	"database/sql"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/internal/pgstmt"
	"github.com/bankkit/bankkit/internal/pgtest"
)

func TestGetPreparesOncePerQuery(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	c := pgstmt.New(pgtest.New(t))
	const query = `SELECT $1::int + 1`
	stmts := make([]*sqlx.Stmt, 16)
	var wg sync.WaitGroup
	for i := range stmts {
		wg.Go(func() {
			stmt, err := c.Stmt(ctx, query)
			require.NoError(t, err)
			stmts[i] = stmt
		})
	}
	wg.Wait()
	for _, s := range stmts {
		require.Same(t, stmts[0], s, "concurrent callers share one statement")
	}
	var n int
	require.NoError(t, stmts[0].GetContext(ctx, &n, 41))
	require.Equal(t, 42, n)

	other, err := c.Stmt(ctx, `SELECT $1::int * 2`)
	require.NoError(t, err)
	require.NotSame(t, stmts[0], other)
}

func TestGetReportsABadQueryAndKeepsNothing(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	c := pgstmt.New(db)
	_, err := c.Stmt(ctx, `SELECT * FROM no_such_table`)
	require.Error(t, err)
	_, err = db.ExecContext(ctx, `CREATE TABLE no_such_table (x int)`)
	require.NoError(t, err)
	_, err = c.Stmt(ctx, `SELECT * FROM no_such_table`)
	require.NoError(t, err, "the failed prepare was not remembered")
}

func TestInBindsToTheTransaction(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	_, err := db.ExecContext(ctx, `CREATE TABLE t (x int)`)
	require.NoError(t, err)
	c := pgstmt.New(db)
	const insert = `INSERT INTO t (x) VALUES ($1)`
	require.NoError(t, c.Warm(ctx, insert))
	tx, err := db.BeginTxx(ctx, nil)
	require.NoError(t, err)
	stmt, err := c.In(ctx, tx, insert)
	require.NoError(t, err)
	_, err = stmt.ExecContext(ctx, 7)
	require.NoError(t, err)
	require.NoError(t, tx.Rollback())
	var n int
	require.NoError(t, db.GetContext(ctx, &n, `SELECT count(*) FROM t`))
	require.Zero(t, n, "the insert went with the rolled-back transaction")
}

func TestExecAndGetRunPrepared(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := pgtest.New(t)
	_, err := db.ExecContext(ctx, `CREATE TABLE t (k text PRIMARY KEY, v int)`)
	require.NoError(t, err)
	c := pgstmt.New(db)
	const insert, read = `INSERT INTO t (k, v) VALUES ($1, $2)`, `SELECT v FROM t WHERE k = $1`
	res, err := c.ExecContext(ctx, insert, "a", 7)
	require.NoError(t, err)
	n, err := res.RowsAffected()
	require.NoError(t, err)
	require.EqualValues(t, 1, n)
	var v int
	require.NoError(t, c.GetContext(ctx, &v, read, "a"))
	require.Equal(t, 7, v)
	require.ErrorIs(t, c.GetContext(ctx, &v, read, "b"), sql.ErrNoRows)
	stmt, err := c.Stmt(ctx, read)
	require.NoError(t, err)
	again, err := c.Stmt(ctx, read)
	require.NoError(t, err)
	require.Same(t, stmt, again, "GetContext prepared it once, in the cache")
}
