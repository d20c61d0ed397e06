package pgrisk_test

import (
	"context"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/internal/pgtest"
	"github.com/bankkit/bankkit/risk"
	"github.com/bankkit/bankkit/risk/pgrisk"
	"github.com/bankkit/bankkit/risk/risktest"
)

func newDB(t testing.TB) *sqlx.DB {
	t.Helper()
	db := pgtest.New(t)
	require.NoError(t, pgrisk.Migrate(context.Background(), db))
	return db
}

func TestContract(t *testing.T) {
	risktest.Run(t, func(t *testing.T) risk.Store { return pgrisk.New(newDB(t)) })
}

func TestContractRelaxedCommit(t *testing.T) {
	risktest.Run(t, func(t *testing.T) risk.Store { return pgrisk.New(newDB(t), pgrisk.WithRelaxedCommit()) })
}

func TestMigrateIsIdempotent(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	require.NoError(t, pgrisk.Migrate(context.Background(), db))
}
