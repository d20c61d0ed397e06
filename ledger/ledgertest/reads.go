package ledgertest

import (
	"testing"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/stretchr/testify/require"
)

var readTests = []test{
	{Name: "BusinessDatePersists", Run: testBusinessDate},
	{Name: "StatementRunningBalance", Run: testStatement},
	{Name: "BalanceAsOf", Run: testBalanceAsOf},
	{Name: "StatementErrors", Run: testStatementErrors},
	{Name: "HistoryPages", Run: testHistory},
	{Name: "HistoryErrors", Run: testHistoryErrors},
	{Name: "TrialBalanceColumns", Run: testTrialBalance},
}

func testBusinessDate(t *testing.T, f *fixture) {
	require.Equal(t, calendar.DateOf(start), f.Today)
	// A later Service on the same store, with a clock days ahead, keeps the
	// store's business date: only end of day moves it.
	later := calendar.NewManualClock(start.Add(72 * time.Hour))
	other, err := ledger.NewService(f.Store, ledger.WithClock(later))
	require.NoError(t, err)
	d, err := other.BusinessDate(f.Ctx)
	require.NoError(t, err)
	require.Equal(t, f.Today, d)
	a := f.Open("alice")
	r, err := other.Deposit(f.Ctx, ledger.DepositRequest{AccountID: a.ID, Amount: cny("1.00")})
	require.NoError(t, err)
	require.Equal(t, f.Today, r.Entry.ValueDate)
}

// statementFixture posts, with value dates d-3 .. d: deposit 100 on d-3,
// transfer 30 out on d-2, deposit 5.50 on d-1, withdrawal 20 on d, and
// (booked last but valued d-2) a transfer in of 1.25.
func statementFixture(t *testing.T, f *fixture) (a ledger.Account, ids []ledger.ID) {
	a, b := f.Open("alice"), f.Open("bob")
	d := f.Today
	post := func(r ledger.Receipt, err error) {
		t.Helper()
		require.NoError(t, err)
		ids = append(ids, r.Entry.ID)
	}
	post(f.Svc.Deposit(f.Ctx, ledger.DepositRequest{AccountID: a.ID, Amount: cny("100.00"), ValueDate: d.AddDays(-3), Description: "salary"}))
	post(f.Svc.Transfer(f.Ctx, ledger.TransferRequest{FromAccountID: a.ID, ToAccountID: b.ID, Amount: cny("30.00"), ValueDate: d.AddDays(-2)}))
	post(f.Svc.Deposit(f.Ctx, ledger.DepositRequest{AccountID: a.ID, Amount: cny("5.50"), ValueDate: d.AddDays(-1)}))
	post(f.Svc.Withdraw(f.Ctx, ledger.WithdrawalRequest{AccountID: a.ID, Amount: cny("20.00")}))
	post(f.Svc.Transfer(f.Ctx, ledger.TransferRequest{FromAccountID: b.ID, ToAccountID: a.ID, Amount: cny("1.25"), ValueDate: d.AddDays(-2)}))
	return a, ids
}

func testStatement(t *testing.T, f *fixture) {
	a, ids := statementFixture(t, f)
	d := f.Today
	st, err := f.Svc.Statement(f.Ctx, a.ID, d.AddDays(-2), d)
	require.NoError(t, err)
	require.Equal(t, "100.00", st.Opening.ValueString(), "only the d-3 deposit is before the range")
	type row struct {
		id            ledger.ID
		amount, after string
		valueDate     calendar.Date
	}
	// Oldest first by value date; on d-2 the two entries in ID (posting)
	// order. Running balance: 100 -30 = 70, +1.25 = 71.25, +5.50 = 76.75,
	// -20 = 56.75.
	want := []row{
		{ids[1], "-30.00", "70.00", d.AddDays(-2)},
		{ids[4], "1.25", "71.25", d.AddDays(-2)},
		{ids[2], "5.50", "76.75", d.AddDays(-1)},
		{ids[3], "-20.00", "56.75", d},
	}
	require.Len(t, st.Lines, len(want))
	for i, w := range want {
		l := st.Lines[i]
		require.Equal(t, w.id, l.EntryID, "line %d", i)
		require.Equal(t, w.amount, l.Amount.ValueString(), "line %d amount", i)
		require.Equal(t, w.after, l.BalanceAfter.ValueString(), "line %d balance after", i)
		require.Equal(t, w.valueDate, l.ValueDate, "line %d value date", i)
	}
	require.Equal(t, ledger.KindWithdrawal, st.Lines[3].Kind)
	require.Equal(t, "56.75", st.Closing.ValueString())
	f.RequireBalance(a.ID, "56.75")

	full, err := f.Svc.Statement(f.Ctx, a.ID, d.AddDays(-10), d)
	require.NoError(t, err)
	require.Equal(t, "0.00", full.Opening.ValueString())
	require.Len(t, full.Lines, 5)
	require.Equal(t, "salary", full.Lines[0].Description)

	empty, err := f.Svc.Statement(f.Ctx, a.ID, d.AddDays(-30), d.AddDays(-20))
	require.NoError(t, err)
	require.Empty(t, empty.Lines)
	require.True(t, empty.Opening.IsZero())
	require.True(t, empty.Closing.IsZero())
}

func testBalanceAsOf(t *testing.T, f *fixture) {
	a, _ := statementFixture(t, f)
	d := f.Today
	for _, c := range []struct {
		date calendar.Date
		want string
	}{
		{d.AddDays(-4), "0.00"},
		{d.AddDays(-3), "100.00"},
		{d.AddDays(-2), "71.25"},
		{d.AddDays(-1), "76.75"},
		{d, "56.75"},
		{d.AddDays(10), "56.75"},
	} {
		got, err := f.Svc.BalanceAsOf(f.Ctx, a.ID, c.date)
		require.NoError(t, err)
		require.Equal(t, c.want, got.ValueString(), "balance as of %s", c.date)
	}
	_, err := f.Svc.BalanceAsOf(f.Ctx, ledger.NewID(), d)
	require.ErrorIs(t, err, ledger.ErrNotFound)
	_, err = f.Svc.BalanceAsOf(f.Ctx, a.ID, calendar.Date{})
	requireInvalid(t, err, "date")
}

func testStatementErrors(t *testing.T, f *fixture) {
	a := f.Open("alice")
	_, err := f.Svc.Statement(f.Ctx, a.ID, f.Today, f.Today.AddDays(-1))
	requireInvalid(t, err, "to")
	_, err = f.Svc.Statement(f.Ctx, a.ID, calendar.Date{}, f.Today)
	requireInvalid(t, err, "from")
	_, err = f.Svc.Statement(f.Ctx, ledger.NewID(), f.Today, f.Today)
	require.ErrorIs(t, err, ledger.ErrNotFound)
	_, err = f.Svc.Statement(f.Ctx, ledger.NilID, f.Today, f.Today)
	requireInvalid(t, err, "account_id")
}

func testTrialBalance(t *testing.T, f *fixture) {
	a, b := f.Open("alice"), f.Open("bob")
	f.Deposit(a.ID, "100.00")
	f.Deposit(b.ID, "50.00")
	f.Transfer(a.ID, b.ID, "10.00")
	fees, err := f.Svc.ChartAccount(f.Ctx, "CNY", ledger.CodeFeesIncome)
	require.NoError(t, err)
	_, err = f.Svc.PostEntry(f.Ctx, ledger.JournalRequest{Postings: []ledger.Posting{
		{AccountID: b.ID, Side: ledger.Debit, Amount: cny("2.00")},
		{AccountID: fees.ID, Side: ledger.Credit, Amount: cny("2.00")},
	}})
	require.NoError(t, err)
	tb := f.RequireTrialBalanced()
	// Debit column: vault cash 150. Credit column: alice 90 + bob 58 +
	// fees 2 = 150.
	require.Equal(t, "150.00", tb.Debits.ValueString())
	require.Equal(t, "150.00", tb.Credits.ValueString())
	require.Equal(t, 2+len(ledger.DefaultChart()), tb.Accounts)
}

// historyRow is what the History tests compare of a line.
type historyRow struct {
	id            ledger.ID
	amount, after string
}

func historyRows(lines []ledger.StatementLine) []historyRow {
	out := make([]historyRow, len(lines))
	for i, l := range lines {
		out[i] = historyRow{l.EntryID, l.Amount.ValueString(), l.BalanceAfter.ValueString()}
	}
	return out
}

func testHistory(t *testing.T, f *fixture) {
	a, ids := statementFixture(t, f)
	d := f.Today
	page := func(from, to calendar.Date, before ledger.ID, limit int) []historyRow {
		t.Helper()
		lines, err := f.Svc.History(f.Ctx, ledger.HistoryQuery{AccountID: a.ID, From: from, To: to, Before: before, Limit: limit})
		require.NoError(t, err)
		return historyRows(lines)
	}
	// Newest first; on d-2 the later-posted entry (ids[4]) first. The
	// balance after each line counts every older line, whatever the range.
	require.Equal(t, []historyRow{{ids[3], "-20.00", "56.75"}, {ids[2], "5.50", "76.75"}}, page(d.AddDays(-10), d, ledger.NilID, 2))
	require.Equal(t, []historyRow{{ids[4], "1.25", "71.25"}, {ids[1], "-30.00", "70.00"}}, page(d.AddDays(-10), d, ids[2], 2))
	require.Equal(t, []historyRow{{ids[0], "100.00", "100.00"}}, page(d.AddDays(-10), d, ids[1], 2))
	require.Empty(t, page(d.AddDays(-10), d, ids[0], 2))

	require.Equal(t, []historyRow{{ids[2], "5.50", "76.75"}, {ids[4], "1.25", "71.25"}, {ids[1], "-30.00", "70.00"}, {ids[0], "100.00", "100.00"}},
		page(d.AddDays(-10), d.AddDays(-1), ledger.NilID, 10), "a line newer than the range still counts in the balances")
	require.Equal(t, []historyRow{{ids[4], "1.25", "71.25"}, {ids[1], "-30.00", "70.00"}}, page(d.AddDays(-2), d.AddDays(-2), ledger.NilID, 10))
	require.Equal(t, []historyRow{{ids[1], "-30.00", "70.00"}}, page(d.AddDays(-2), d.AddDays(-2), ids[4], 10))

	// Read page by page, the history is the statement backwards.
	st, err := f.Svc.Statement(f.Ctx, a.ID, d.AddDays(-10), d)
	require.NoError(t, err)
	var want []historyRow
	for i := len(st.Lines) - 1; i >= 0; i-- {
		want = append(want, historyRows(st.Lines[i:i+1])...)
	}
	var got []historyRow
	for before := ledger.NilID; ; {
		rows := page(d.AddDays(-10), d, before, 1)
		if len(rows) == 0 {
			break
		}
		got = append(got, rows...)
		before = rows[len(rows)-1].id
	}
	require.Equal(t, want, got)

	// Vault cash takes part in every deposit and spreads over balance
	// rows where a store shards it: its newest line's balance after is
	// still the account's balance.
	vault, err := f.Svc.ChartAccount(f.Ctx, "CNY", ledger.CodeVaultCash)
	require.NoError(t, err)
	lines, err := f.Svc.History(f.Ctx, ledger.HistoryQuery{AccountID: vault.ID, From: d.AddDays(-10), To: d, Limit: 1})
	require.NoError(t, err)
	require.Len(t, lines, 1)
	now, err := f.Svc.Account(f.Ctx, vault.ID)
	require.NoError(t, err)
	require.Equal(t, now.Balance.ValueString(), lines[0].BalanceAfter.ValueString())
}

func testHistoryErrors(t *testing.T, f *fixture) {
	a := f.Open("alice")
	f.Deposit(a.ID, "10.00")
	b := f.Open("bob")
	other := f.Deposit(b.ID, "10.00")
	q := ledger.HistoryQuery{AccountID: a.ID, From: f.Today.AddDays(-1), To: f.Today, Limit: 10}
	for _, c := range []struct {
		change func(*ledger.HistoryQuery)
		field  string
	}{
		{func(q *ledger.HistoryQuery) { q.AccountID = ledger.NilID }, "account_id"},
		{func(q *ledger.HistoryQuery) { q.From = calendar.Date{} }, "from"},
		{func(q *ledger.HistoryQuery) { q.To = calendar.Date{} }, "to"},
		{func(q *ledger.HistoryQuery) { q.To = q.From.AddDays(-1) }, "to"},
		{func(q *ledger.HistoryQuery) { q.Limit = 0 }, "limit"},
		{func(q *ledger.HistoryQuery) { q.Limit = ledger.MaxHistoryPage + 1 }, "limit"},
		{func(q *ledger.HistoryQuery) { q.Before = other.ID }, "before"},
		{func(q *ledger.HistoryQuery) { q.Before = ledger.NewID() }, "before"},
	} {
		bad := q
		c.change(&bad)
		_, err := f.Svc.History(f.Ctx, bad)
		requireInvalid(t, err, c.field)
	}
	unknown := q
	unknown.AccountID = ledger.NewID()
	_, err := f.Svc.History(f.Ctx, unknown)
	require.ErrorIs(t, err, ledger.ErrNotFound)
	lines, err := f.Svc.History(f.Ctx, q)
	require.NoError(t, err)
	require.Len(t, lines, 1, "the queries above changed nothing")
}
