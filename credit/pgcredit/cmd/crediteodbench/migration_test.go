package main

import (
	"context"
	"encoding/json"
	"io/fs"
	"os"
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/internal/pgmigrate"
	"github.com/bankkit/bankkit/internal/pgoutbox"
	"github.com/bankkit/bankkit/internal/pgtest"
)

// Migration 0009 on a database at 0008 holding loans: a book is made and
// run through three end-of-day dates (the quiet path among them) on a
// database migrated to the latest; its loans and products are written in
// 0008's form (the whole loan in the record, as_of generated from it) into
// a second database at 0008, which is then migrated. Every loan reads back
// the same, and the next end of day leaves both books alike (the migrated
// loans, without a cursor, take the batched path first, then the quiet
// one).
func TestMigration0009KeepsLoans(t *testing.T) {
	ctx := context.Background()
	a, err := newBook(ctx, pgtest.New(t))
	require.NoError(t, err)
	require.NoError(t, a.seed(ctx, 100))
	for _, d := range []string{"2026-03-30", "2026-03-31", "2026-04-02"} {
		_, _, err := a.run(ctx, calendar.MustParseDate(d))
		require.NoError(t, err)
	}
	loans, err := a.svc.Loans(ctx, credit.LoanFilter{}, credit.Page{Limit: credit.MaxPageLimit})
	require.NoError(t, err)
	require.Len(t, loans, 100)

	// The second database, at 0008.
	dbB := pgtest.New(t)
	old := fstest.MapFS{}
	require.NoError(t, fs.WalkDir(os.DirFS("../../migrations"), ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || p > "0009" {
			return err
		}
		b, err := os.ReadFile("../../migrations/" + p)
		old[p] = &fstest.MapFile{Data: b}
		return err
	}))
	require.Contains(t, old, "0008_eod_batch.sql")
	require.NoError(t, pgmigrate.Apply(ctx, dbB, "credit", old, ".", pgoutbox.Migrations))
	_, err = dbB.ExecContext(ctx, `ALTER TABLE credit.loans DROP CONSTRAINT loans_contract_key`) // the book's copies share contracts
	require.NoError(t, err)
	conn, err := dbB.Connx(ctx)
	require.NoError(t, err)
	_, err = conn.ExecContext(ctx, `SET session_replication_role = replica`) // no contracts: foreign keys off
	require.NoError(t, err)
	var products []struct {
		ID, Code, Currency string
		Body               []byte
		CreatedAt          string `db:"created_at"`
	}
	require.NoError(t, a.db.SelectContext(ctx, &products, `SELECT id, code, currency, body, created_at::text FROM credit.products`))
	for _, p := range products {
		_, err = conn.ExecContext(ctx, `INSERT INTO credit.products (id, code, currency, body, created_at) VALUES ($1, $2, $3, $4, $5)`,
			p.ID, p.Code, p.Currency, p.Body, p.CreatedAt)
		require.NoError(t, err)
	}
	for _, l := range loans {
		body, err := json.Marshal(l)
		require.NoError(t, err)
		st := l.Standing
		var account any
		if l.Account != credit.NilID {
			account = l.Account
		}
		_, err = conn.ExecContext(ctx, `INSERT INTO credit.loans (id, contract_id, customer_id, product_id, status, currency,
			principal, disbursed, outstanding, advance, account, version, body, created_at, updated_at,
			bucket, days_past_due, classification, grade, pd, booked_on)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)`,
			l.ID, l.ContractID, l.CustomerID, l.ProductID, l.Status, l.Currency(), l.Schedule.Terms().Principal.Amount,
			l.Disbursed.Amount, l.Outstanding.Amount, l.Advance.Amount, account, l.Version, body, l.CreatedAt, l.UpdatedAt,
			st.Bucket, st.DaysPastDue, credit.Worse(st.Classification, ""), l.Grade, l.PD, l.BookedOn())
		require.NoError(t, err)
	}
	require.NoError(t, conn.Close())

	b, err := newBook(ctx, dbB) // migrates to the latest
	require.NoError(t, err)
	b.ledger.dry = a.ledger.dry
	for _, want := range loans {
		got, err := b.svc.Loan(ctx, want.ID)
		require.NoError(t, err)
		wb, err := json.Marshal(want)
		require.NoError(t, err)
		gb, err := json.Marshal(got)
		require.NoError(t, err)
		require.JSONEq(t, string(wb), string(gb), "loan %s", want.ID)
	}
	var asOf int
	require.NoError(t, dbB.GetContext(ctx, &asOf, `SELECT count(*) FROM credit.loans WHERE as_of = '2026-04-02'`))
	require.Equal(t, 100, asOf, "as_of kept as a column of its own")

	for _, d := range []string{"2026-04-03", "2026-04-06"} {
		ra, _, err := a.run(ctx, calendar.MustParseDate(d))
		require.NoError(t, err)
		rb, _, err := b.run(ctx, calendar.MustParseDate(d))
		require.NoError(t, err)
		require.Equal(t, ra, rb, d)
	}
	da, err := a.digest(ctx)
	require.NoError(t, err)
	dbg, err := b.digest(ctx)
	require.NoError(t, err)
	require.Equal(t, da, dbg)
	var quiet int
	require.NoError(t, dbB.GetContext(ctx, &quiet, `SELECT count(*) FROM credit.loans
		WHERE as_of > COALESCE(credit.iso_date(body->'standing'->>'as_of'), '0001-01-01')`))
	require.NotZero(t, quiet, "the migrated loans took the quiet path once they had a cursor")
}
