package pgcredit

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/internal/pgtest"
)

// Migration 0005 moves the collections arrays loans held before into
// their tables: every action, every promise but the latest, which stays
// in the loan's record with the last action and the counts. The loan
// row is written in the old form (foreign keys off for the session, so
// it needs no contract), and the migration's data statements run on it.
func TestMigration0005MovesCollectionsHistory(t *testing.T) {
	ctx := context.Background()
	db := pgtest.New(t)
	require.NoError(t, Migrate(ctx, db))
	sql, err := migrations.ReadFile("migrations/0005_collections_history.sql")
	require.NoError(t, err)
	data := string(sql)[strings.Index(string(sql), "-- Loans written before"):]

	conn, err := db.Connx(ctx)
	require.NoError(t, err)
	defer conn.Close()
	_, err = conn.ExecContext(ctx, `SET session_replication_role = replica`)
	require.NoError(t, err)
	old := `{"id": "%s", "collections": {"restructured": 1,
		"actions": [{"number": 1, "kind": "sms", "outcome": "sent", "by": "a"}, {"number": 2, "kind": "call", "outcome": "reached", "by": "b"}],
		"promises": [{"number": 1, "status": "broken", "amount": {"value": "10.00", "currency": "CNY"}},
			{"number": 2, "status": "open", "amount": {"value": "20.00", "currency": "CNY"}}]}}`
	plain := `{"id": "%s"}`
	ids := []credit.ID{credit.NewID(), credit.NewID()}
	for i, body := range []string{old, plain} {
		_, err = conn.ExecContext(ctx, `INSERT INTO credit.loans (id, contract_id, customer_id, product_id, status, currency,
			principal, disbursed, outstanding, advance, version, body, created_at, updated_at)
			VALUES ($1, $2, $2, $2, 'active', 'CNY', 1, 1, 1, 0, 1, $3, now(), now())`,
			ids[i], credit.NewID(), strings.Replace(body, "%s", ids[i].String(), 1))
		require.NoError(t, err)
	}
	_, err = conn.ExecContext(ctx, data)
	require.NoError(t, err)

	var actions, promises []string
	require.NoError(t, conn.SelectContext(ctx, &actions, `SELECT body->>'kind' FROM credit.collection_actions WHERE loan_id = $1 ORDER BY number`, ids[0]))
	require.Equal(t, []string{"sms", "call"}, actions)
	require.NoError(t, conn.SelectContext(ctx, &promises, `SELECT body->>'status' FROM credit.promises WHERE loan_id = $1 ORDER BY number`, ids[0]))
	require.Equal(t, []string{"broken"}, promises, "the latest promise stays with the loan")

	var body []byte
	require.NoError(t, conn.GetContext(ctx, &body, `SELECT body FROM credit.loans WHERE id = $1`, ids[0]))
	var l struct {
		Collections credit.Collections `json:"collections"`
	}
	require.NoError(t, json.Unmarshal(body, &l))
	c := l.Collections
	require.Equal(t, 2, c.Actions)
	require.Equal(t, 2, c.LastAction.Number)
	require.Equal(t, credit.ActionCall, c.LastAction.Kind)
	require.Equal(t, 2, c.Promises)
	require.Equal(t, credit.PromiseOpen, c.Promise.Status)
	require.Equal(t, 1, c.Restructured, "the rest of the record kept")
	require.NotContains(t, string(body), `"actions"`)

	require.NoError(t, conn.GetContext(ctx, &body, `SELECT body FROM credit.loans WHERE id = $1`, ids[1]))
	require.JSONEq(t, `{"id": "`+ids[1].String()+`"}`, string(body), "a loan without collections is left alone")
}
