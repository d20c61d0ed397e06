package pgledger_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/internal/pgtest"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/ledgertest"
	"github.com/bankkit/bankkit/ledger/pgledger"
)

// newStore gives a test a migrated store on its own fresh database.
func newStore(t testing.TB) *pgledger.Store {
	t.Helper()
	db := pgtest.New(t)
	require.NoError(t, pgledger.Migrate(context.Background(), db))
	return pgledger.New(db)
}

func TestContract(t *testing.T) {
	ledgertest.Run(t, func(t *testing.T) ledger.Store { return newStore(t) })
}
