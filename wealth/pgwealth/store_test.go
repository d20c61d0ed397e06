package pgwealth_test

import (
	"context"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/internal/pgtest"
	"github.com/bankkit/bankkit/wealth"
	"github.com/bankkit/bankkit/wealth/pgwealth"
	"github.com/bankkit/bankkit/wealth/wealthtest"
)

func newDB(t testing.TB) *sqlx.DB {
	t.Helper()
	db := pgtest.New(t)
	require.NoError(t, pgwealth.Migrate(context.Background(), db))
	return db
}

func TestContract(t *testing.T) {
	wealthtest.Run(t, func(t *testing.T) wealth.Store { return pgwealth.New(newDB(t)) })
}

func TestMigrateIsIdempotent(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	require.NoError(t, pgwealth.Migrate(context.Background(), db))
}
