package pgledger

import (
	"context"
	"sync"

	"github.com/jmoiron/sqlx"
)

// preparedStatements prepares the statements of the posting path once per
// pool: database/sql then prepares each on a connection the first time it
// runs there, and PostgreSQL skips parsing and planning on every later
// run. That is a large share of a short transaction's server time.
type preparedStatements struct {
	db *sqlx.DB
	mu sync.Mutex
	m  map[string]*sqlx.Stmt
}

// warm prepares queries on the pool now. Callers do it before they begin
// a transaction: preparing a new statement takes a connection of its own,
// and a transaction that holds row locks while it waits for a connection
// would wait forever if the pool is full of statements waiting for those
// locks.
func (p *preparedStatements) warm(ctx context.Context, queries ...string) error {
	for _, q := range queries {
		if _, err := p.get(ctx, q); err != nil {
			return err
		}
	}
	return nil
}

// in returns query prepared and bound to tx; warm it first.
func (p *preparedStatements) in(ctx context.Context, tx *sqlx.Tx, query string) (*sqlx.Stmt, error) {
	stmt, err := p.get(ctx, query)
	if err != nil {
		return nil, err
	}
	return tx.StmtxContext(ctx, stmt), nil
}

// get returns query prepared on the pool.
func (p *preparedStatements) get(ctx context.Context, query string) (*sqlx.Stmt, error) {
	p.mu.Lock()
	stmt, ok := p.m[query]
	p.mu.Unlock()
	if !ok {
		prepared, err := p.db.PreparexContext(ctx, query)
		if err != nil {
			return nil, err
		}
		p.mu.Lock()
		if stmt, ok = p.m[query]; ok {
			prepared.Close()
		} else {
			if p.m == nil {
				p.m = map[string]*sqlx.Stmt{}
			}
			p.m[query], stmt = prepared, prepared
		}
		p.mu.Unlock()
	}
	return stmt, nil
}
