package pgcredit_test

import (
	"context"
	"testing"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/credit/credittest"
	"github.com/bankkit/bankkit/credit/pgcredit"
	"github.com/bankkit/bankkit/internal/pgtest"
)

func newDB(t *testing.T) *sqlx.DB {
	t.Helper()
	db := pgtest.New(t)
	require.NoError(t, pgcredit.Migrate(context.Background(), db))
	return db
}

func TestContract(t *testing.T) {
	credittest.Run(t, func(t *testing.T) credit.Store { return pgcredit.New(newDB(t)) })
}

func TestMigrateIsIdempotent(t *testing.T) {
	t.Parallel()
	db := newDB(t)
	require.NoError(t, pgcredit.Migrate(context.Background(), db))
}
