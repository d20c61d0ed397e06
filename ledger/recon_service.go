package ledger

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger/iso20022"
	"github.com/bankkit/bankkit/money"
	"github.com/shopspring/decimal"
)

// MaxStatementLines is the most lines one statement import takes.
const MaxStatementLines = 20000

// ImportCamt053 reconciles a camt.053 message holding one statement of the
// nostro account accountID (its Stmt/Id names it for re-imports). An
// invalid file is ErrInvalidInput, also wrapping iso20022.ErrInvalidMessage
// or ErrUnsupportedMessage, and changes nothing.
func (c *Clearing) ImportCamt053(ctx context.Context, accountID ID, data []byte, dryRun bool) (ReconReport, error) {
	m, err := iso20022.ParseStatement(bytes.NewReader(data))
	if err != nil {
		return ReconReport{}, badMessage(err)
	}
	if len(m.Statements) != 1 {
		return ReconReport{}, invalid("message", fmt.Sprintf("holds %d statements; import one account's statement at a time", len(m.Statements)))
	}
	st := m.Statements[0]
	id := st.ID
	if id == "" {
		id = m.MessageID
	}
	if st.Currency != "" {
		a, err := c.svc.Account(ctx, accountID)
		if err != nil {
			return ReconReport{}, err
		}
		if st.Currency != a.Currency {
			return ReconReport{}, fmt.Errorf("%w: the statement is in %s, account %s in %s", ErrCurrencyMismatch, st.Currency, a.Number, a.Currency)
		}
	}
	return c.ImportStatement(ctx, StatementImport{AccountID: accountID, StatementID: id, Entries: st.Entries, DryRun: dryRun})
}

// ImportCSV reconciles a statement in bankkit's CSV format (see
// iso20022.ParseCSVStatement); statementID names it for re-imports.
func (c *Clearing) ImportCSV(ctx context.Context, accountID ID, statementID string, data []byte, dryRun bool) (ReconReport, error) {
	entries, err := iso20022.ParseCSVStatement(bytes.NewReader(data))
	if err != nil {
		return ReconReport{}, badMessage(err)
	}
	return c.ImportStatement(ctx, StatementImport{AccountID: accountID, StatementID: statementID, Entries: entries, DryRun: dryRun})
}

// ImportStatement matches the booked lines of a statement with the
// postings on the account: one to one by end-to-end reference, then one to
// one by amount and direction within the value-date window (WithMatchWindow),
// then one line to several postings or several lines to one posting by
// sums on one value date (bounded: see MaxSumItems). Postings matched by an
// earlier statement are not matched again. What is left is reported as
// breaks: lines missing from the ledger, and postings with value dates in
// the statement's range missing from the statement.
//
// A dry run returns the report and records nothing. Otherwise the matches
// and breaks are stored, and importing the same StatementID for the
// account again returns the stored report with Replayed set.
func (c *Clearing) ImportStatement(ctx context.Context, imp StatementImport) (ReconReport, error) {
	if c.configErr != nil {
		return ReconReport{}, c.configErr
	}
	switch {
	case imp.AccountID == NilID:
		return ReconReport{}, invalid("account_id", "is required")
	case imp.StatementID == "" || len(imp.StatementID) > 140 || !utf8.ValidString(imp.StatementID):
		return ReconReport{}, invalid("statement_id", "must be 1 to 140 bytes of UTF-8")
	case len(imp.Entries) > MaxStatementLines:
		return ReconReport{}, invalid("entries", fmt.Sprintf("at most %d lines per statement", MaxStatementLines))
	}
	account, err := c.svc.Account(ctx, imp.AccountID)
	if err != nil {
		return ReconReport{}, err
	}
	lines, report, err := statementItems(imp, account)
	if err != nil {
		return ReconReport{}, err
	}
	prior, err := c.store.ReconReport(ctx, imp.AccountID, imp.StatementID)
	if err == nil {
		prior.Replayed = true
		return prior, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return ReconReport{}, err
	}
	for attempt := 0; ; attempt++ {
		r, err := c.reconcile(ctx, imp, account, lines, report)
		if err != nil || imp.DryRun {
			return r, err
		}
		stored, replayed, err := c.store.SaveReconciliation(ctx, r)
		if errors.Is(err, ErrDuplicate) && attempt == 0 {
			continue // another statement matched one of our postings: match again
		}
		if err != nil {
			return ReconReport{}, err
		}
		stored.Replayed = replayed
		return stored, nil
	}
}

// statementItems reads the booked lines of the statement, in statement
// terms, and the report's header.
func statementItems(imp StatementImport, account Account) ([]reconItem, ReconReport, error) {
	r := ReconReport{AccountID: account.ID, StatementID: imp.StatementID, DryRun: imp.DryRun}
	var items []reconItem
	for i, e := range imp.Entries {
		if e.Status != iso20022.StatusBooked {
			r.Skipped++
			continue
		}
		field := fmt.Sprintf("entries[%d]", i)
		if e.Amount.Currency != account.Currency {
			return nil, r, invalidAs(ErrCurrencyMismatch, field+".amount",
				fmt.Sprintf("is in %s, the account in %s", e.Amount.Currency, account.Currency))
		}
		if !e.Direction.Valid() || !amountValid(e.Amount) || !e.Amount.IsPositive() {
			return nil, r, invalid(field+".amount", "needs an amount above zero in the currency's minor unit, and a direction")
		}
		d := e.ValueDate
		if d.IsZero() {
			d = e.BookingDate
		}
		if d.IsZero() || !d.Valid() {
			return nil, r, invalid(field+".value_date", "is required (or a booking date)")
		}
		items = append(items, reconItem{index: i, amount: inMinorUnits(e.Signed()).Amount, valueDate: d, refs: lineRefs(e)})
		if r.From.IsZero() || d.Before(r.From) {
			r.From = d
		}
		if d.After(r.To) {
			r.To = d
		}
	}
	return items, r, nil
}

// lineRefs are the references a statement line carries.
func lineRefs(e iso20022.Entry) []string {
	var refs []string
	add := func(s string) {
		if s != "" && s != "NOTPROVIDED" && !slices.Contains(refs, s) {
			refs = append(refs, s)
		}
	}
	add(e.Reference)
	add(e.AccountServicerRef)
	for _, d := range e.Details {
		add(d.EndToEndID)
		add(d.TransactionID)
		add(d.InstructionID)
	}
	return refs
}

// reconcile computes the report from the statement's lines and the
// account's unreconciled postings.
func (c *Clearing) reconcile(ctx context.Context, imp StatementImport, account Account, stmt []reconItem, r ReconReport) (ReconReport, error) {
	cur := account.Currency
	zero := inMinorUnits(money.Zero(cur))
	r.MatchedTotal, r.UnmatchedStatementTotal, r.UnmatchedLedgerTotal = zero, zero, zero
	r.ImportedAt = c.svc.clock.Now().UTC().Truncate(time.Microsecond)
	if !imp.DryRun {
		r.ID = NewID()
	}
	if len(stmt) == 0 {
		return r, nil
	}
	postings, err := c.ledgerItems(ctx, account, r.From.AddDays(-c.window), r.To.AddDays(c.window))
	if err != nil {
		return ReconReport{}, err
	}
	lines := make([]*reconItem, len(stmt))
	for i := range stmt {
		item := stmt[i]
		lines[i] = &item
	}
	ledger := make([]*reconItem, len(postings))
	for i := range postings {
		ledger[i] = &postings[i].item
	}
	for _, m := range matchItems(lines, ledger, c.window) {
		rm := ReconMatch{Kind: m.kind, Lines: m.lines, Amount: zero}
		for _, i := range m.ledger {
			rm.EntryIDs = append(rm.EntryIDs, postings[i].entryID)
		}
		for _, i := range m.lines {
			rm.Amount.Amount = rm.Amount.Amount.Add(inMinorUnits(imp.Entries[i].Signed()).Amount)
		}
		r.MatchedTotal.Amount = r.MatchedTotal.Amount.Add(rm.Amount.Amount)
		r.Matches = append(r.Matches, rm)
	}
	newBreak := func(side BreakSide, line int, entry ID, it *reconItem) ReconBreak {
		b := ReconBreak{AccountID: account.ID, StatementID: imp.StatementID, Side: side, Line: line, EntryID: entry,
			Amount: money.Money{Amount: it.amount, Currency: cur}, ValueDate: it.valueDate, Status: BreakOpen}
		if len(it.refs) > 0 {
			b.Reference = it.refs[0]
		}
		if !imp.DryRun {
			b.ID = NewID()
		}
		return b
	}
	for _, l := range lines {
		if !l.matched {
			r.UnmatchedStatement = append(r.UnmatchedStatement, newBreak(BreakOnStatement, l.index, NilID, l))
			r.UnmatchedStatementTotal.Amount = r.UnmatchedStatementTotal.Amount.Add(l.amount)
		}
	}
	for i, p := range ledger {
		if !p.matched && !p.valueDate.Before(r.From) && !p.valueDate.After(r.To) {
			r.UnmatchedLedger = append(r.UnmatchedLedger, newBreak(BreakInLedger, -1, postings[i].entryID, p))
			r.UnmatchedLedgerTotal.Amount = r.UnmatchedLedgerTotal.Amount.Add(p.amount)
		}
	}
	return r, nil
}

type ledgerPosting struct {
	entryID ID
	item    reconItem
}

// ledgerItems returns the account's postings with value dates in [from,
// to] that no earlier statement reconciled, in statement terms, with their
// references: the end-to-end, transaction and message ids of their
// metadata, and the end-to-end ids of the transfers of a settled batch.
func (c *Clearing) ledgerItems(ctx context.Context, account Account, from, to calendar.Date) ([]ledgerPosting, error) {
	st, err := c.svc.Statement(ctx, account.ID, from, to)
	if err != nil {
		return nil, err
	}
	ids := make([]ID, len(st.Lines))
	for i, l := range st.Lines {
		ids[i] = l.EntryID
	}
	done, err := c.store.ReconciledEntries(ctx, account.ID, ids)
	if err != nil {
		return nil, err
	}
	reconciled := make(map[ID]bool, len(done))
	for _, id := range done {
		reconciled[id] = true
	}
	metadata, err := c.store.EntryMetadata(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []ledgerPosting
	for i, l := range st.Lines {
		if reconciled[l.EntryID] || l.Amount.IsZero() {
			continue
		}
		amount := inMinorUnits(l.Amount).Amount
		if account.NormalSide == Credit {
			amount = amount.Neg()
		}
		refs, err := c.entryRefs(ctx, metadata[l.EntryID])
		if err != nil {
			return nil, err
		}
		out = append(out, ledgerPosting{entryID: l.EntryID,
			item: reconItem{index: i, amount: amount, valueDate: l.ValueDate, refs: refs}})
	}
	for i := range out {
		out[i].item.index = i
	}
	return out, nil
}

// entryRefs are the references of a posting, from its entry's metadata.
func (c *Clearing) entryRefs(ctx context.Context, metadata map[string]string) ([]string, error) {
	var refs []string
	for _, k := range []string{"end_to_end_id", "transaction_id", "message_id", "reference"} {
		if v := metadata[k]; v != "" {
			refs = append(refs, v)
		}
	}
	if batch, err := ParseID(metadata["clearing_batch"]); err == nil {
		ts, err := c.store.ClearingTransfersOfBatch(ctx, batch)
		if err != nil && !errors.Is(err, ErrNotFound) {
			return nil, err
		}
		for _, t := range ts {
			refs = append(refs, t.EndToEndID)
		}
	}
	return refs, nil
}

// ResolveBreakRequest settles a break with an adjustment entry between the
// reconciled account and an internal account of the chart.
type ResolveBreakRequest struct {
	BreakID ID
	// CounterCode is the chart code of the other side of the adjustment
	// (bank charges to CodeFeesIncome or an expense, unexplained items to
	// CodeSuspense); empty: CodeSuspense.
	CounterCode string
	// Approver is who authorised the adjustment; required.
	Approver    string
	Description string
}

// ResolveBreak posts the adjustment that settles a break and links the
// two. For a line on the statement missing from the ledger, the entry
// books the line's movement on the account; for a posting missing from the
// statement, it undoes the posting's movement. The entry's key is
// recon/break/<id>/adjust, so resolving again returns the resolved break
// and posts nothing.
func (c *Clearing) ResolveBreak(ctx context.Context, r ResolveBreakRequest) (ReconBreak, error) {
	if c.configErr != nil {
		return ReconBreak{}, c.configErr
	}
	switch {
	case r.BreakID == NilID:
		return ReconBreak{}, invalid("break_id", "is required")
	case r.Approver == "" || len(r.Approver) > 200:
		return ReconBreak{}, invalid("approver", "is required, at most 200 bytes")
	case len(r.Description) > MaxDescriptionLength:
		return ReconBreak{}, invalid("description", fmt.Sprintf("is longer than %d bytes", MaxDescriptionLength))
	}
	b, err := c.store.ReconBreak(ctx, r.BreakID)
	if err != nil {
		return ReconBreak{}, err
	}
	if b.Status == BreakResolved {
		return b, nil
	}
	if b.Status != BreakOpen {
		return ReconBreak{}, fmt.Errorf("%w: break %s is %s", ErrClearingState, b.ID, b.Status)
	}
	account, err := c.svc.Account(ctx, b.AccountID)
	if err != nil {
		return ReconBreak{}, err
	}
	code := r.CounterCode
	if code == "" {
		code = CodeSuspense
	}
	counter, err := c.svc.ChartAccount(ctx, account.Currency, code)
	if err != nil {
		return ReconBreak{}, err
	}
	if counter.ID == account.ID {
		return ReconBreak{}, invalid("counter_code", "is the reconciled account itself")
	}
	change := b.Amount.Amount // statement terms: what the account must move by
	if b.Side == BreakInLedger {
		change = change.Neg()
	}
	receipt, err := c.svc.PostEntry(ctx, JournalRequest{
		Postings:    adjustmentPostings(account, counter.ID, change),
		Description: adjustmentDescription(r, b),
		Metadata: map[string]string{"recon_break": b.ID.String(), "approved_by": r.Approver,
			"statement_id": b.StatementID},
		IdempotencyKey: "recon/break/" + b.ID.String() + "/adjust",
	})
	if err != nil {
		return ReconBreak{}, err
	}
	return c.store.ResolveReconBreak(ctx, b.ID, receipt.Entry.ID, r.Approver, c.svc.clock.Now().UTC().Truncate(time.Microsecond))
}

// adjustmentPostings moves account by change in statement terms: money in
// at the correspondent is a debit to our (debit-normal) nostro account.
func adjustmentPostings(account Account, counter ID, change decimal.Decimal) []Posting {
	side := Debit
	if change.IsNegative() {
		side = Credit
	}
	amount := money.Money{Amount: change.Abs(), Currency: account.Currency}
	return []Posting{
		{AccountID: account.ID, Side: side, Amount: amount},
		{AccountID: counter, Side: side.Opposite(), Amount: amount},
	}
}

func adjustmentDescription(r ResolveBreakRequest, b ReconBreak) string {
	if r.Description != "" {
		return r.Description
	}
	return fmt.Sprintf("Reconciliation adjustment for statement %s (%s break %s)", b.StatementID, b.Side, b.Reference)
}

// Break returns a reconciliation break.
func (c *Clearing) Break(ctx context.Context, id ID) (ReconBreak, error) {
	if id == NilID {
		return ReconBreak{}, invalid("break_id", "is required")
	}
	return c.store.ReconBreak(ctx, id)
}
