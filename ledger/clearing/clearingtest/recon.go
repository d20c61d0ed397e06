package clearingtest

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/clearing"
	"github.com/bankkit/bankkit/ledger/iso20022"
	"github.com/bankkit/bankkit/money"
	"github.com/stretchr/testify/require"
)

// nostro posts a movement on the account against equity, signed in
// statement terms (positive: money in, a debit to the nostro), with a
// value date and metadata, and returns the entry's ID.
func (f *fixture) nostro(account ledger.Account, signed money.Money, vd calendar.Date, meta map[string]string) ledger.ID {
	f.T.Helper()
	equity := f.chart(account.Currency, ledger.CodeEquity)
	side := ledger.Debit
	amount := signed
	if signed.IsNegative() {
		side, amount = ledger.Credit, signed.Neg()
	}
	r, err := f.Svc.PostEntry(f.Ctx, ledger.JournalRequest{
		Postings: []ledger.Posting{
			{AccountID: account.ID, Side: side, Amount: amount},
			{AccountID: equity.ID, Side: side.Opposite(), Amount: amount},
		},
		ValueDate: vd, Metadata: meta,
	})
	require.NoError(f.T, err)
	return r.Entry.ID
}

// line is a booked statement line, signed (negative: a debit), with its
// references as end-to-end ids of its transaction details.
func line(signed money.Money, vd calendar.Date, refs ...string) iso20022.Entry {
	e := iso20022.Entry{Amount: signed, Direction: iso20022.Credit, Status: iso20022.StatusBooked, ValueDate: vd}
	if signed.IsNegative() {
		e.Amount, e.Direction = signed.Neg(), iso20022.Debit
	}
	for _, r := range refs {
		e.Details = append(e.Details, iso20022.TransactionDetails{EndToEndID: r})
	}
	return e
}

// matchesByKind turns a report's matches into "kind lines->entries"
// strings, for comparison with an expectation written out by hand.
func matchesByKind(r clearing.ReconReport, names map[ledger.ID]string) []string {
	var out []string
	for _, m := range r.Matches {
		var entries []string
		for _, id := range m.EntryIDs {
			entries = append(entries, names[id])
		}
		slices.Sort(entries)
		lines := make([]string, len(m.Lines))
		for i, l := range m.Lines {
			lines[i] = string(rune('A' + l))
		}
		slices.Sort(lines)
		out = append(out, string(m.Kind)+" "+strings.Join(lines, "")+"->"+strings.Join(entries, ","))
	}
	slices.Sort(out)
	return out
}

// reconScenario posts the suite's standard nostro postings and returns a
// statement that pairs with them in every way, with the names of the
// postings. Lines (by letter) and postings:
//
//	A -300.00 d0 ref E2E-A   P1 -300.00 d0 end_to_end_id E2E-A   reference
//	B -300.00 d0             P2 -300.00 d0 (posted first)        amount
//	C +120.00 d0+1           P3 +120.00 d0-1 (2 days: inside)    amount
//	D  +50.00 d0             P4  +50.00 d0-3 (3 days: outside)   both breaks
//	E  +30.00 d0-2           P5 +10, P6 +15, P7 +5 on d0-2       sum (one line, three postings)
//	F  -30.00 d0-4           P8 -80.00 d0-4                      sum (two lines, one posting)
//	G  -50.00 d0-4
//	H  -15.00 d0             bank charges, not in the ledger     break
//	I  +99.00 d0 pending     not booked: skipped
func (f *fixture) reconScenario() ([]iso20022.Entry, map[ledger.ID]string) {
	f.T.Helper()
	d0 := f.Today.AddDays(-1)
	names := map[ledger.ID]string{}
	post := func(name, amount string, vd calendar.Date, meta map[string]string) {
		names[f.nostro(f.settlement, cny(amount), vd, meta)] = name
	}
	post("P2", "-300.00", d0, nil)
	post("P1", "-300.00", d0, map[string]string{"end_to_end_id": "E2E-A"})
	post("P3", "120.00", d0.AddDays(-1), nil)
	post("P4", "50.00", d0.AddDays(-3), nil)
	post("P5", "10.00", d0.AddDays(-2), nil)
	post("P6", "15.00", d0.AddDays(-2), nil)
	post("P7", "5.00", d0.AddDays(-2), nil)
	post("P8", "-80.00", d0.AddDays(-4), nil)
	pending := line(cny("99.00"), d0)
	pending.Status = iso20022.StatusPending
	return []iso20022.Entry{
		line(cny("-300.00"), d0, "E2E-A"),
		line(cny("-300.00"), d0),
		line(cny("120.00"), d0.AddDays(1)),
		line(cny("50.00"), d0),
		line(cny("30.00"), d0.AddDays(-2)),
		line(cny("-30.00"), d0.AddDays(-4)),
		line(cny("-50.00"), d0.AddDays(-4)),
		line(cny("-15.00"), d0),
		pending,
	}, names
}

var reconTests = []test{
	{Name: "statement lines match postings by reference, by amount within the window, and by sums", Run: func(t *testing.T, f *fixture) {
		lines, names := f.reconScenario()
		r, err := f.clr.ImportStatement(f.Ctx, clearing.StatementImport{AccountID: f.settlement.ID, StatementID: "ST-1", Entries: lines})
		require.NoError(t, err)
		require.Equal(t, []string{
			"amount B->P2",
			"amount C->P3",
			"reference A->P1",
			"sum E->P5,P6,P7",
			"sum FG->P8",
		}, matchesByKind(r, names))
		require.Equal(t, 1, r.Skipped)
		require.Equal(t, f.Today.AddDays(-5), r.From)
		require.Equal(t, f.Today, r.To)

		var stmtLines []int
		for _, b := range r.UnmatchedStatement {
			require.Equal(t, clearing.BreakOnStatement, b.Side)
			require.Equal(t, clearing.BreakOpen, b.Status)
			require.NotEqual(t, ledger.NilID, b.ID)
			stmtLines = append(stmtLines, b.Line)
		}
		require.Equal(t, []int{3, 7}, stmtLines) // D and H
		require.Len(t, r.UnmatchedLedger, 1)
		require.Equal(t, "P4", names[r.UnmatchedLedger[0].EntryID])
		require.True(t, r.UnmatchedLedger[0].Amount.Equal(cny("50.00")))

		// -300 -300 +120 +30 -80 matched; +50 -15 on the statement; +50 in the ledger.
		require.True(t, r.MatchedTotal.Equal(cny("-530.00")), "matched %s", r.MatchedTotal)
		require.True(t, r.UnmatchedStatementTotal.Equal(cny("35.00")), "statement breaks %s", r.UnmatchedStatementTotal)
		require.True(t, r.UnmatchedLedgerTotal.Equal(cny("50.00")), "ledger breaks %s", r.UnmatchedLedgerTotal)
		for _, b := range append(r.UnmatchedStatement, r.UnmatchedLedger...) {
			stored, err := f.clr.Break(f.Ctx, b.ID)
			require.NoError(t, err)
			require.Equal(t, b, stored)
		}
	}},
	{Name: "a wider window matches what the default window leaves", Run: func(t *testing.T, f *fixture) {
		g := newFixtureOver(t, f, clearing.WithMatchWindow(3))
		lines, names := g.reconScenario()
		r, err := g.clr.ImportStatement(f.Ctx, clearing.StatementImport{AccountID: f.settlement.ID, StatementID: "ST-1", Entries: lines})
		require.NoError(t, err)
		require.Contains(t, matchesByKind(r, names), "amount D->P4")
		require.Empty(t, r.UnmatchedLedger)
	}},
	{Name: "a dry run shows the matches and records nothing", Run: func(t *testing.T, f *fixture) {
		lines, names := f.reconScenario()
		imp := clearing.StatementImport{AccountID: f.settlement.ID, StatementID: "ST-1", Entries: lines, DryRun: true}
		dry, err := f.clr.ImportStatement(f.Ctx, imp)
		require.NoError(t, err)
		require.True(t, dry.DryRun)
		require.Len(t, dry.Matches, 5)
		for _, b := range dry.UnmatchedStatement {
			require.Equal(t, ledger.NilID, b.ID, "a dry run names no break")
		}
		_, err = f.recon.ReconReport(f.Ctx, f.settlement.ID, "ST-1")
		require.ErrorIs(t, err, ledger.ErrNotFound)
		again, err := f.clr.ImportStatement(f.Ctx, imp)
		require.NoError(t, err)
		require.Equal(t, matchesByKind(dry, names), matchesByKind(again, names), "a dry run claims no posting")

		imp.DryRun = false
		real, err := f.clr.ImportStatement(f.Ctx, imp)
		require.NoError(t, err)
		require.False(t, real.Replayed)
		require.Equal(t, matchesByKind(dry, names), matchesByKind(real, names))
	}},
	{Name: "re-importing a statement returns the stored report; its postings match no other statement", Run: func(t *testing.T, f *fixture) {
		lines, names := f.reconScenario()
		imp := clearing.StatementImport{AccountID: f.settlement.ID, StatementID: "ST-1", Entries: lines}
		first, err := f.clr.ImportStatement(f.Ctx, imp)
		require.NoError(t, err)
		second, err := f.clr.ImportStatement(f.Ctx, imp)
		require.NoError(t, err)
		require.True(t, second.Replayed)
		require.Equal(t, first.ID, second.ID)
		require.Equal(t, matchesByKind(first, names), matchesByKind(second, names))
		require.Equal(t, first.UnmatchedStatement, second.UnmatchedStatement)

		other, err := f.clr.ImportStatement(f.Ctx, clearing.StatementImport{AccountID: f.settlement.ID, StatementID: "ST-2",
			Entries: []iso20022.Entry{lines[0]}})
		require.NoError(t, err)
		require.Empty(t, other.Matches, "P1 was reconciled by ST-1")
		require.Len(t, other.UnmatchedStatement, 1)
		// P2 and P1 share ST-2's range; both were matched, so the only
		// ledger break is none.
		require.Empty(t, other.UnmatchedLedger)
	}},
	{Name: "resolving a break posts an adjustment linked to it, once", Run: func(t *testing.T, f *fixture) {
		lines, names := f.reconScenario()
		r, err := f.clr.ImportStatement(f.Ctx, clearing.StatementImport{AccountID: f.settlement.ID, StatementID: "ST-1", Entries: lines})
		require.NoError(t, err)
		charges := r.UnmatchedStatement[1] // H: -15.00 bank charges
		require.True(t, charges.Amount.Equal(cny("-15.00")))
		before := f.Account(f.settlement.ID).Balance

		_, err = f.clr.ResolveBreak(f.Ctx, clearing.ResolveBreakRequest{BreakID: charges.ID})
		requireInvalid(t, err, "approver")
		_, err = f.clr.ResolveBreak(f.Ctx, clearing.ResolveBreakRequest{BreakID: charges.ID, Approver: "ops-lead", CounterCode: "no_such_code"})
		require.ErrorIs(t, err, ledger.ErrNotFound)
		require.True(t, before.Equal(f.Account(f.settlement.ID).Balance))

		b, err := f.clr.ResolveBreak(f.Ctx, clearing.ResolveBreakRequest{BreakID: charges.ID, Approver: "ops-lead", CounterCode: ledger.CodeSuspense})
		require.NoError(t, err)
		require.Equal(t, clearing.BreakResolved, b.Status)
		require.Equal(t, "ops-lead", b.ResolvedBy)
		e, err := f.Svc.Entry(f.Ctx, b.AdjustmentEntryID)
		require.NoError(t, err)
		require.Equal(t, charges.ID.String(), e.Metadata["recon_break"])
		requirePostings(t, []ledger.Posting{
			{AccountID: f.settlement.ID, Side: ledger.Credit, Amount: cny("15.00")},
			{AccountID: f.research.ID, Side: ledger.Debit, Amount: cny("15.00")},
		}, e.Postings)
		after := f.Account(f.settlement.ID).Balance
		require.True(t, after.Amount.Equal(before.Amount.Sub(cny("15.00").Amount)), "the nostro falls by the charges")

		again, err := f.clr.ResolveBreak(f.Ctx, clearing.ResolveBreakRequest{BreakID: charges.ID, Approver: "ops-lead"})
		require.NoError(t, err)
		require.Equal(t, b.AdjustmentEntryID, again.AdjustmentEntryID)
		require.True(t, after.Equal(f.Account(f.settlement.ID).Balance), "resolving again posts nothing")

		// The ledger-side break P4 (+50 in the ledger, not on the
		// statement) is undone by its adjustment.
		p4 := r.UnmatchedLedger[0]
		require.Equal(t, "P4", names[p4.EntryID])
		b4, err := f.clr.ResolveBreak(f.Ctx, clearing.ResolveBreakRequest{BreakID: p4.ID, Approver: "ops-lead"})
		require.NoError(t, err)
		e4, err := f.Svc.Entry(f.Ctx, b4.AdjustmentEntryID)
		require.NoError(t, err)
		requirePostings(t, []ledger.Posting{
			{AccountID: f.settlement.ID, Side: ledger.Credit, Amount: cny("50.00")},
			{AccountID: f.research.ID, Side: ledger.Debit, Amount: cny("50.00")},
		}, e4.Postings)

		// The adjustments and the resolved posting are reconciled: the next
		// statement over the same days finds no ledger breaks.
		next, err := f.clr.ImportStatement(f.Ctx, clearing.StatementImport{AccountID: f.settlement.ID, StatementID: "ST-2",
			Entries: []iso20022.Entry{line(cny("1.00"), f.Today.AddDays(-5)), line(cny("1.00"), f.Today)}})
		require.NoError(t, err)
		require.Empty(t, next.UnmatchedLedger)
		stored, err := f.recon.ReconReport(f.Ctx, f.settlement.ID, "ST-1")
		require.NoError(t, err)
		require.Equal(t, clearing.BreakResolved, stored.UnmatchedStatement[1].Status, "the stored report shows the break resolved")
		f.RequireTrialBalanced()
	}},
	{Name: "a posting missing from one statement and matched by the next clears its break", Run: func(t *testing.T, f *fixture) {
		lines, names := f.reconScenario()
		r, err := f.clr.ImportStatement(f.Ctx, clearing.StatementImport{AccountID: f.settlement.ID, StatementID: "ST-1", Entries: lines})
		require.NoError(t, err)
		p4 := r.UnmatchedLedger[0]
		require.Equal(t, "P4", names[p4.EntryID])
		// A second statement over the same days that does not carry P4
		// either reports the same break, not a second one.
		again, err := f.clr.ImportStatement(f.Ctx, clearing.StatementImport{AccountID: f.settlement.ID, StatementID: "ST-2",
			Entries: []iso20022.Entry{line(cny("7.00"), f.Today.AddDays(-5)), line(cny("7.00"), f.Today)}})
		require.NoError(t, err)
		require.Len(t, again.UnmatchedLedger, 1)
		require.Equal(t, p4.ID, again.UnmatchedLedger[0].ID)
		// The next statement carries it, late.
		late, err := f.clr.ImportStatement(f.Ctx, clearing.StatementImport{AccountID: f.settlement.ID, StatementID: "ST-3",
			Entries: []iso20022.Entry{line(cny("50.00"), p4.ValueDate)}})
		require.NoError(t, err)
		require.Len(t, late.Matches, 1)
		require.Equal(t, []ledger.ID{p4.EntryID}, late.Matches[0].EntryIDs)
		cleared, err := f.clr.Break(f.Ctx, p4.ID)
		require.NoError(t, err)
		require.Equal(t, clearing.BreakCleared, cleared.Status)
		_, err = f.clr.ResolveBreak(f.Ctx, clearing.ResolveBreakRequest{BreakID: p4.ID, Approver: "ops-lead"})
		require.ErrorIs(t, err, clearing.ErrState, "a cleared break needs no adjustment")
	}},
	{Name: "one statement line settles a clearing batch by the payments' references", Run: func(t *testing.T, f *fixture) {
		a := f.funded("c1", "1000.00")
		t1 := f.out(a.ID, "300.00", "k1")
		t2 := f.out(a.ID, "200.00", "k2")
		batch, err := f.clr.CutBatch(f.Ctx, money.CNY)
		require.NoError(t, err)
		settled, err := f.clr.Settle(f.Ctx, batch.ID)
		require.NoError(t, err)
		// Another -500.00 on the same day, without references: matching by
		// amount alone could take either.
		decoy := f.nostro(f.settlement, cny("-500.00"), f.Today, nil)
		r, err := f.clr.ImportStatement(f.Ctx, clearing.StatementImport{AccountID: f.settlement.ID, StatementID: "ST-B",
			Entries: []iso20022.Entry{line(cny("-500.00"), f.Today, t2.EndToEndID, t1.EndToEndID)}})
		require.NoError(t, err)
		require.Len(t, r.Matches, 1)
		require.Equal(t, clearing.MatchByReference, r.Matches[0].Kind)
		require.Equal(t, []ledger.ID{settled.SettlementEntryID}, r.Matches[0].EntryIDs)
		require.Len(t, r.UnmatchedLedger, 1)
		require.Equal(t, decoy, r.UnmatchedLedger[0].EntryID)
	}},
	{Name: "the camt.053 of a real bank reconciles", Run: func(t *testing.T, f *fixture) {
		data := readSharedTestdata(t, "iso20022", "camt053.001.02-statement.xml")
		_, err := f.Svc.SetupChart(f.Ctx, money.EUR)
		require.NoError(t, err)
		nostro := f.chart(money.EUR, ledger.CodeSettlement)
		eur := func(v string) money.Money { return money.MustParse(v, "EUR") }
		day := calendar.MustParseDate
		// The statement debits 1.64 on 2015-05-11, and 2734.58, 30.16 and
		// 1.70 (charges) on 2015-05-20.
		names := map[ledger.ID]string{
			f.nostro(nostro, eur("-1.64"), day("2015-05-12"), nil):    "one day later",
			f.nostro(nostro, eur("-2734.58"), day("2015-05-20"), nil): "same day",
			f.nostro(nostro, eur("-20.00"), day("2015-05-20"), nil):   "part 1",
			f.nostro(nostro, eur("-10.16"), day("2015-05-20"), nil):   "part 2",
			f.nostro(nostro, eur("99.00"), day("2015-05-15"), nil):    "not on the statement",
		}
		r, err := f.clr.ImportCamt053(f.Ctx, nostro.ID, data, false)
		require.NoError(t, err)
		require.Equal(t, "201509302599406883", r.StatementID)
		require.Equal(t, []string{
			"amount A->one day later",
			"amount B->same day",
			"sum C->part 1,part 2",
		}, matchesByKind(r, names))
		require.Len(t, r.UnmatchedStatement, 1)
		require.True(t, r.UnmatchedStatement[0].Amount.Equal(eur("-1.70")))
		require.Len(t, r.UnmatchedLedger, 1)
		require.Equal(t, "not on the statement", names[r.UnmatchedLedger[0].EntryID])

		again, err := f.clr.ImportCamt053(f.Ctx, nostro.ID, data, false)
		require.NoError(t, err)
		require.True(t, again.Replayed)
		_, err = f.clr.ImportCamt053(f.Ctx, f.settlement.ID, data, true)
		require.ErrorIs(t, err, ledger.ErrCurrencyMismatch, "a EUR statement for the CNY nostro")
	}},
	{Name: "a CSV statement reconciles like a camt.053; a bad one is refused and records nothing", Run: func(t *testing.T, f *fixture) {
		d := f.Today.String()
		id := f.nostro(f.settlement, cny("1250.00"), f.Today, map[string]string{"end_to_end_id": "INV-114"})
		bad := []byte("value_date,amount,currency,direction,reference,description\n" + d + ",12.5x,CNY,C,INV-114,\n")
		_, err := f.clr.ImportCSV(f.Ctx, f.settlement.ID, "csv-1", bad, false)
		require.ErrorIs(t, err, ledger.ErrInvalidInput)
		require.ErrorIs(t, err, iso20022.ErrInvalidMessage)
		_, err = f.recon.ReconReport(f.Ctx, f.settlement.ID, "csv-1")
		require.ErrorIs(t, err, ledger.ErrNotFound)

		good := []byte("value_date,amount,currency,direction,reference,description\n" +
			d + ",1250.00,CNY,C,INV-114,\"Invoice 114, November\"\n" +
			d + ",8.00,CNY,D,,charges\n")
		r, err := f.clr.ImportCSV(f.Ctx, f.settlement.ID, "csv-1", good, false)
		require.NoError(t, err)
		require.Len(t, r.Matches, 1)
		require.Equal(t, clearing.MatchByReference, r.Matches[0].Kind)
		require.Equal(t, []ledger.ID{id}, r.Matches[0].EntryIDs)
		require.Len(t, r.UnmatchedStatement, 1)
		require.True(t, r.UnmatchedStatement[0].Amount.Equal(cny("-8.00")))
	}},
	{Name: "statement imports refuse bad input", Run: func(t *testing.T, f *fixture) {
		ok := []iso20022.Entry{line(cny("1.00"), f.Today)}
		_, err := f.clr.ImportStatement(f.Ctx, clearing.StatementImport{StatementID: "s", Entries: ok})
		requireInvalid(t, err, "account_id")
		_, err = f.clr.ImportStatement(f.Ctx, clearing.StatementImport{AccountID: f.settlement.ID, Entries: ok})
		requireInvalid(t, err, "statement_id")
		_, err = f.clr.ImportStatement(f.Ctx, clearing.StatementImport{AccountID: f.settlement.ID, StatementID: "s",
			Entries: []iso20022.Entry{line(usd("1.00"), f.Today)}})
		require.ErrorIs(t, err, ledger.ErrCurrencyMismatch)
		_, err = f.clr.ImportStatement(f.Ctx, clearing.StatementImport{AccountID: f.settlement.ID, StatementID: "s",
			Entries: []iso20022.Entry{line(cny("1.00"), calendar.Date{})}})
		requireInvalid(t, err, "entries[0].value_date")
		negative := line(cny("1.00"), f.Today)
		negative.Amount = cny("-1.00")
		_, err = f.clr.ImportStatement(f.Ctx, clearing.StatementImport{AccountID: f.settlement.ID, StatementID: "s",
			Entries: []iso20022.Entry{negative}})
		requireInvalid(t, err, "entries[0].amount")
		_, err = f.clr.ImportCamt053(f.Ctx, f.settlement.ID, []byte("<Document/>"), false)
		require.ErrorIs(t, err, ledger.ErrInvalidInput)
		_, err = f.recon.ReconReport(f.Ctx, f.settlement.ID, "s")
		require.ErrorIs(t, err, ledger.ErrNotFound)
	}},
}

// readSharedTestdata reads a file of the shared test data beside the
// repository (../shared/testdata from its root, or the folder
// BANKKIT_SHARED_TESTDATA names), skipping the test only when that folder
// is absent: a file missing from it fails the test.
func readSharedTestdata(t *testing.T, parts ...string) []byte {
	t.Helper()
	root := os.Getenv("BANKKIT_SHARED_TESTDATA")
	if root == "" {
		dir, err := os.Getwd()
		require.NoError(t, err)
		for {
			if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
				break
			}
			parent := filepath.Dir(dir)
			if parent == dir {
				t.Skip("no go.mod above the test's directory: cannot find ../shared/testdata")
			}
			dir = parent
		}
		root = filepath.Join(dir, "..", "shared", "testdata")
	}
	if _, err := os.Stat(root); os.IsNotExist(err) {
		t.Skipf("%s is absent", root)
	}
	data, err := os.ReadFile(filepath.Join(append([]string{root}, parts...)...))
	require.NoError(t, err)
	return data
}
