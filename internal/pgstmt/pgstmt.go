// Package pgstmt keeps a pool's prepared statements, so that a hot query is
// parsed and planned once per connection instead of on every run.
//
// A query sent with arguments but not prepared (database/sql's default
// with lib/pq) is parsed and planned each time; for a short lookup that is
// a large share of its server time. A prepared statement is planned for
// its first few runs and then, when PostgreSQL finds the generic plan no
// worse, never again.
package pgstmt

import (
	"context"
	"database/sql"
	"sync"

	"github.com/jmoiron/sqlx"
)

// Cache prepares each query once per pool: database/sql then prepares it
// on a connection the first time it runs there. The zero value is not
// usable; call New. A Cache is safe for concurrent use.
type Cache struct {
	db *sqlx.DB
	mu sync.Mutex
	m  map[string]*sqlx.Stmt
}

// New returns an empty cache for db.
func New(db *sqlx.DB) *Cache { return &Cache{db: db, m: map[string]*sqlx.Stmt{}} }

// Warm prepares queries on the pool now. Call it before beginning a
// transaction that will use them: preparing a new statement takes a
// connection of its own, and a transaction that holds row locks while it
// waits for a connection would wait forever if the pool is full of
// statements waiting for those locks.
func (c *Cache) Warm(ctx context.Context, queries ...string) error {
	for _, q := range queries {
		if _, err := c.Stmt(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// In returns query prepared and bound to tx; Warm it first.
func (c *Cache) In(ctx context.Context, tx *sqlx.Tx, query string) (*sqlx.Stmt, error) {
	stmt, err := c.Stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return tx.StmtxContext(ctx, stmt), nil
}

// GetContext runs query prepared and scans its one row into dest, as
// sqlx's GetContext does (sql.ErrNoRows when there is none).
func (c *Cache) GetContext(ctx context.Context, dest any, query string, args ...any) error {
	stmt, err := c.Stmt(ctx, query)
	if err != nil {
		return err
	}
	return stmt.GetContext(ctx, dest, args...)
}

// ExecContext runs query prepared.
func (c *Cache) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	stmt, err := c.Stmt(ctx, query)
	if err != nil {
		return nil, err
	}
	return stmt.ExecContext(ctx, args...)
}

// Stmt returns query prepared on the pool.
func (c *Cache) Stmt(ctx context.Context, query string) (*sqlx.Stmt, error) {
	c.mu.Lock()
	stmt, ok := c.m[query]
	c.mu.Unlock()
	if ok {
		return stmt, nil
	}
	prepared, err := c.db.PreparexContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if stmt, ok := c.m[query]; ok {
		_ = prepared.Close() // another caller won the race
		return stmt, nil
	}
	c.m[query] = prepared
	return prepared, nil
}
