package pgrisk_test

import (
	"context"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/internal/pgtest"
	"github.com/bankkit/bankkit/money"
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

// TestScreeningOnOneConnection: a screening is sent as two messages on one
// connection, the transaction opened with the first and committed with the
// second. On a pool of one connection: the screening's prepared statements
// come back after they are deallocated; a replay (refused by the decisions'
// unique index inside the open transaction) and a screening that raises an
// alert (run again as an ordinary transaction) leave the connection
// outside any transaction, with nothing counted twice; special characters
// in the ids reach the database as they are.
func TestScreeningOnOneConnection(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	db := newDB(t)
	db.SetMaxOpenConns(1)
	svc, err := risk.NewService(pgrisk.New(db), risk.WithRuleSetRefresh(0))
	require.NoError(t, err)
	v, err := svc.CreateDraft(ctx, risk.Draft{Thresholds: risk.Thresholds{Review: 40},
		Aggregates: []risk.Aggregate{{Name: "n", Entity: risk.EntityAccount, Side: risk.SideFrom, Measure: risk.Count, Window: risk.Window(time.Hour)}},
		Rules:      []risk.Rule{{Name: "big", Expr: "amount >= 1000", Score: 50}}}, "t")
	require.NoError(t, err)
	_, err = svc.Publish(ctx, v.ID, "t")
	require.NoError(t, err)
	outside := func() {
		t.Helper()
		_, err := db.ExecContext(ctx, "SAVEPOINT probe")
		require.ErrorContains(t, err, "transaction blocks", "the connection is outside any transaction")
	}
	at := time.Now().UTC()
	tx := func(amount string) risk.Transaction {
		return risk.Transaction{ID: risk.NewID(), Kind: risk.KindTransfer, Amount: money.MustParse(amount, "CNY"),
			From: risk.Party{Account: `a'b\c"{}`, Customer: "c'1"}, To: risk.Party{Account: "x,y", Customer: "c2"},
			At: at, BusinessDate: calendar.DateOf(at)}
	}
	first := tx("1.00")
	v1, err := svc.Screen(ctx, first, "key'1")
	require.NoError(t, err)
	require.Equal(t, "1", v1.Decision.Figures["n"])
	outside()

	for _, name := range []string{"pgrisk_count_and_read_1", "pgrisk_insert_decisions_1"} {
		_, err = db.ExecContext(ctx, "DEALLOCATE "+name)
		require.NoError(t, err, "prepared by the first screening on the one connection")
	}
	v2, err := svc.Screen(ctx, tx("2.00"), "")
	require.NoError(t, err)
	require.Equal(t, "2", v2.Decision.Figures["n"])
	outside()

	// Only the second statement missing: that screening takes the
	// transaction path, and the connection has both again after it.
	_, err = db.ExecContext(ctx, "DEALLOCATE pgrisk_insert_decisions_1")
	require.NoError(t, err)
	v3, err := svc.Screen(ctx, tx("2.50"), "")
	require.NoError(t, err)
	require.Equal(t, "3", v3.Decision.Figures["n"])
	outside()
	var prepared int
	require.NoError(t, db.GetContext(ctx, &prepared, "SELECT count(*) FROM pg_prepared_statements WHERE name LIKE 'pgrisk_%'"))
	require.Equal(t, 2, prepared)

	again, err := svc.Screen(ctx, first, "key'1")
	require.NoError(t, err)
	require.True(t, again.Replayed)
	require.Equal(t, v1.Decision.ID, again.Decision.ID)
	outside()

	big, err := svc.Screen(ctx, tx("1000.00"), "")
	require.NoError(t, err)
	require.Equal(t, risk.Review, big.Decision.Outcome)
	require.NotEqual(t, risk.NilID, big.Decision.AlertID)
	require.Equal(t, "4", big.Decision.Figures["n"], "the replay counted nothing; the alert's screening counted once")
	outside()
	v4, err := svc.Screen(ctx, tx("3.00"), "")
	require.NoError(t, err)
	require.Equal(t, "5", v4.Decision.Figures["n"])
	got, err := svc.Decision(ctx, v4.Decision.ID)
	require.NoError(t, err)
	require.Equal(t, `a'b\c"{}`, got.Transaction.From.Account)
}
