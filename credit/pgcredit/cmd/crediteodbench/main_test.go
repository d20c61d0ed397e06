package main

import (
	"context"
	"os"
	"strconv"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/internal/pgtest"
)

// TestBatchEqualsPerLoan is the command's book small (2,000 loans, or
// BANKKIT_CREDIT_EOD_LOANS) run through the dates of the bench on two
// databases seeded alike, one with the batched end of day and one with
// every loan in its own transactions: every loan ends the same (counted by
// its instalments, standing and money, ids aside), the runs count the same
// and the ledger's accounts by chart hold the same. It checks figures, not
// time.
func TestBatchEqualsPerLoan(t *testing.T) {
	n := 2000
	if v := os.Getenv("BANKKIT_CREDIT_EOD_LOANS"); v != "" {
		var err error
		n, err = strconv.Atoi(v)
		require.NoError(t, err)
	}
	ctx := context.Background()
	batch, err := newBook(ctx, pgtest.New(t), credit.WithEndOfDayPage(300), credit.WithEndOfDayPagesAtOnce(2))
	require.NoError(t, err)
	perLoan, err := newBook(ctx, pgtest.New(t), credit.WithEndOfDayBatch(false))
	require.NoError(t, err)
	require.NoError(t, batch.seed(ctx, n))
	require.NoError(t, perLoan.seed(ctx, n))
	for _, s := range []string{"2026-03-30", "2026-04-02", "2026-04-06"} {
		d := calendar.MustParseDate(s)
		a, _, err := batch.run(ctx, d)
		require.NoError(t, err)
		b, _, err := perLoan.run(ctx, d)
		require.NoError(t, err)
		require.Equal(t, b, a, s)
		require.Equal(t, n, a.Processed, s)
	}
	var quiet int
	require.NoError(t, batch.db.GetContext(ctx, &quiet, `SELECT count(*) FROM credit.loans
		WHERE as_of > COALESCE(credit.iso_date(body->'standing'->>'as_of'), '0001-01-01')`))
	require.Greater(t, quiet, n/2, "most loans were last brought to the date by the quiet end of day, their records untouched")
	da, err := batch.digest(ctx)
	require.NoError(t, err)
	db, err := perLoan.digest(ctx)
	require.NoError(t, err)
	require.Equal(t, db, da)
	require.Equal(t, perLoan.ledger.charts(), batch.ledger.charts())
	require.NotEmpty(t, batch.ledger.charts()["fees_income"], "dry accounts were charged late fees")

	r, _, err := batch.run(ctx, calendar.MustParseDate("2026-04-06"))
	require.NoError(t, err)
	require.Equal(t, 0, r.Processed, "a re-run brings no loan to the date again")
	owed, err := batch.svc.Loans(ctx, credit.LoanFilter{Overdue: true}, credit.Page{Limit: credit.MaxPageLimit})
	require.NoError(t, err)
	require.NotEmpty(t, owed, "the dry accounts' loans are overdue")
}
