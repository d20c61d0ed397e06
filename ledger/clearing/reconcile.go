package clearing

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/iso20022"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/text"
	"github.com/shopspring/decimal"
)

// MaxStatementLines is the most lines one statement import takes.
const MaxStatementLines = 20000

// ImportCamt053 reconciles a camt.053 message holding one statement of the
// nostro account accountID (its Stmt/Id names it for re-imports). An
// invalid file is ErrInvalidInput, also wrapping iso20022.ErrInvalidMessage
// or ErrUnsupportedMessage, and changes nothing. With a nil accountID the
// statement is reconciled against the settlement account in its currency
// (see ImportBankToCustomer).
func (c *Service) ImportCamt053(ctx context.Context, accountID ledger.ID, data []byte, dryRun bool) (ReconReport, error) {
	m, err := iso20022.ParseStatement(bytes.NewReader(data))
	if err != nil {
		return ReconReport{}, badMessage(err)
	}
	return c.importMessage(ctx, accountID, m, dryRun)
}

// ImportBankToCustomer reconciles what a correspondent sends about the
// nostro account: a camt.053 statement, a camt.052 intraday report or a
// camt.054 debit/credit notification, each holding one account's
// statement, report or notification (its Id names it for re-imports). The
// three read into one model (iso20022.ParseBankToCustomer) and reconcile
// alike: booked entries are matched, others skipped; a notification has no
// balances and needs none.
//
// accountID is the ledger account reconciled; nil takes the settlement
// account in the statement's currency (its Acct/Ccy, or else the currency
// of its entries), created on demand with the rest of clearing's accounts
// in that currency (SetUpCurrency), so a statement in any ISO 4217
// currency can be reconciled. A statement, or an entry, in a currency other
// than the account's is ErrCurrencyMismatch naming the field.
func (c *Service) ImportBankToCustomer(ctx context.Context, accountID ledger.ID, data []byte, dryRun bool) (ReconReport, error) {
	m, err := iso20022.ParseBankToCustomer(bytes.NewReader(data))
	if err != nil {
		return ReconReport{}, badMessage(err)
	}
	return c.importMessage(ctx, accountID, m, dryRun)
}

func (c *Service) importMessage(ctx context.Context, accountID ledger.ID, m iso20022.StatementMessage, dryRun bool) (ReconReport, error) {
	if len(m.Statements) != 1 {
		return ReconReport{}, invalid("message", fmt.Sprintf("holds %d statements; import one account's statement at a time", len(m.Statements)))
	}
	st := m.Statements[0]
	id := st.ID
	if id == "" {
		id = m.MessageID
	}
	if accountID == ledger.NilID {
		cur := statementCurrency(st)
		if cur == "" {
			return ReconReport{}, invalid("account_id", "is required for a statement that names no currency")
		}
		a, err := c.SettlementAccount(ctx, cur)
		if err != nil {
			return ReconReport{}, err
		}
		accountID = a.ID
	}
	if st.Currency != "" {
		a, err := c.svc.Account(ctx, accountID)
		if err != nil {
			return ReconReport{}, err
		}
		if st.Currency != a.Currency {
			return ReconReport{}, currencyMismatch("currency", fmt.Sprintf("the statement is in %s, account %s in %s", st.Currency, a.Number, a.Currency))
		}
	}
	return c.ImportStatement(ctx, StatementImport{AccountID: accountID, StatementID: id, Entries: st.Entries, DryRun: dryRun})
}

// statementCurrency is the currency a statement is in: its account's Ccy,
// or that of its first entry; "" when it says neither.
func statementCurrency(st iso20022.Statement) money.Currency {
	if st.Currency != "" {
		return st.Currency
	}
	for _, e := range st.Entries {
		if e.Amount.Currency.Valid() {
			return e.Amount.Currency
		}
	}
	return ""
}

// currencyMismatch is a currency other than the account's, found in
// field: ErrCurrencyMismatch wherever it is found, so every path answers
// with the same kind and code.
func currencyMismatch(field, reason string) error {
	return fault.Field(ledger.ErrCurrencyMismatch, field, reason)
}

// ImportCSV reconciles a statement in bankkit's CSV format (see
// iso20022.ParseCSVStatement); statementID names it for re-imports. With a
// nil accountID it is reconciled against the settlement account in the
// currency of its first line, made on demand.
func (c *Service) ImportCSV(ctx context.Context, accountID ledger.ID, statementID string, data []byte, dryRun bool) (ReconReport, error) {
	entries, err := iso20022.ParseCSVStatement(bytes.NewReader(data))
	if err != nil {
		return ReconReport{}, badMessage(err)
	}
	if accountID == ledger.NilID {
		cur := statementCurrency(iso20022.Statement{Entries: entries})
		if cur == "" {
			return ReconReport{}, invalid("account_id", "is required for a statement without lines")
		}
		a, err := c.SettlementAccount(ctx, cur)
		if err != nil {
			return ReconReport{}, err
		}
		accountID = a.ID
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
func (c *Service) ImportStatement(ctx context.Context, imp StatementImport) (ReconReport, error) {
	switch {
	case imp.AccountID == ledger.NilID:
		return ReconReport{}, invalid("account_id", "is required")
	case imp.StatementID == "" || len(imp.StatementID) > 140:
		return ReconReport{}, invalid("statement_id", "must be 1 to 140 bytes of UTF-8")
	case len(imp.Entries) > MaxStatementLines:
		return ReconReport{}, invalid("entries", fmt.Sprintf("at most %d lines per statement", MaxStatementLines))
	}
	if err := text.Line(ledger.ErrInvalidInput, "statement_id", imp.StatementID); err != nil {
		return ReconReport{}, err
	}
	account, err := c.svc.Account(ctx, imp.AccountID)
	if err != nil {
		return ReconReport{}, err
	}
	lines, report, err := statementItems(imp, account)
	if err != nil {
		return ReconReport{}, err
	}
	prior, err := c.recon.ReconReport(ctx, imp.AccountID, imp.StatementID)
	if err == nil {
		prior.Replayed = true
		return prior, nil
	}
	if !errors.Is(err, ledger.ErrNotFound) {
		return ReconReport{}, err
	}
	for attempt := 0; ; attempt++ {
		r, err := c.reconcile(ctx, imp, account, lines, report)
		if err != nil || imp.DryRun {
			return r, err
		}
		stored, replayed, err := c.recon.SaveReconciliation(ctx, r)
		if errors.Is(err, ledger.ErrDuplicate) && attempt == 0 {
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
func statementItems(imp StatementImport, account ledger.Account) ([]reconItem, ReconReport, error) {
	r := ReconReport{AccountID: account.ID, StatementID: imp.StatementID, DryRun: imp.DryRun}
	var items []reconItem
	for i, e := range imp.Entries {
		if e.Status != iso20022.StatusBooked {
			r.Skipped++
			continue
		}
		field := fmt.Sprintf("entries[%d]", i)
		if e.Amount.Currency != account.Currency {
			return nil, r, currencyMismatch(field+".amount",
				fmt.Sprintf("is in %s, the account in %s", e.Amount.Currency, account.Currency))
		}
		if !e.Direction.Valid() || !e.Amount.Valid() || !e.Amount.IsPositive() {
			return nil, r, invalid(field+".amount", "needs an amount above zero in the currency's minor unit, and a direction")
		}
		d := e.ValueDate
		if d.IsZero() {
			d = e.BookingDate
		}
		if d.IsZero() || !d.Valid() {
			return nil, r, invalid(field+".value_date", "is required (or a booking date)")
		}
		refs := lineRefs(e)
		for _, ref := range refs {
			// What a statement's XML may hold, no more: a break keeps it.
			if err := text.Multiline(ledger.ErrInvalidInput, field+".reference", ref); err != nil {
				return nil, r, err
			}
		}
		items = append(items, reconItem{index: i, amount: inMinorUnits(e.Signed()).Amount, valueDate: d, refs: refs})
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
func (c *Service) reconcile(ctx context.Context, imp StatementImport, account ledger.Account, stmt []reconItem, r ReconReport) (ReconReport, error) {
	cur := account.Currency
	zero := inMinorUnits(money.Zero(cur))
	r.MatchedTotal, r.UnmatchedStatementTotal, r.UnmatchedLedgerTotal = zero, zero, zero
	r.ImportedAt = c.now()
	if !imp.DryRun {
		r.ID = ledger.NewID()
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
	booked := make([]*reconItem, len(postings))
	for i := range postings {
		booked[i] = &postings[i].item
	}
	for _, m := range matchItems(lines, booked, c.window) {
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
	newBreak := func(side BreakSide, line int, entry ledger.ID, it *reconItem) ReconBreak {
		b := ReconBreak{AccountID: account.ID, StatementID: imp.StatementID, Side: side, Line: line, EntryID: entry,
			Amount: money.Money{Amount: it.amount, Currency: cur}, ValueDate: it.valueDate, Status: BreakOpen}
		if len(it.refs) > 0 {
			b.Reference = it.refs[0]
		}
		if !imp.DryRun {
			b.ID = ledger.NewID()
		}
		return b
	}
	for _, l := range lines {
		if !l.matched {
			r.UnmatchedStatement = append(r.UnmatchedStatement, newBreak(BreakOnStatement, l.index, ledger.NilID, l))
			r.UnmatchedStatementTotal.Amount = r.UnmatchedStatementTotal.Amount.Add(l.amount)
		}
	}
	for i, p := range booked {
		if !p.matched && !p.valueDate.Before(r.From) && !p.valueDate.After(r.To) {
			r.UnmatchedLedger = append(r.UnmatchedLedger, newBreak(BreakInLedger, -1, postings[i].entryID, p))
			r.UnmatchedLedgerTotal.Amount = r.UnmatchedLedgerTotal.Amount.Add(p.amount)
		}
	}
	return r, nil
}

type ledgerPosting struct {
	entryID ledger.ID
	item    reconItem
}

// ledgerItems returns the account's postings with value dates in [from,
// to] that no earlier statement reconciled, in statement terms, with their
// references: the end-to-end, transaction and message ids of their
// metadata, and the end-to-end ids of the transfers of a settled batch.
func (c *Service) ledgerItems(ctx context.Context, account ledger.Account, from, to calendar.Date) ([]ledgerPosting, error) {
	st, err := c.svc.Statement(ctx, account.ID, from, to)
	if err != nil {
		return nil, err
	}
	ids := make([]ledger.ID, len(st.Lines))
	for i, l := range st.Lines {
		ids[i] = l.EntryID
	}
	done, err := c.recon.ReconciledEntries(ctx, account.ID, ids)
	if err != nil {
		return nil, err
	}
	reconciled := make(map[ledger.ID]bool, len(done))
	for _, id := range done {
		reconciled[id] = true
	}
	metadata, err := c.recon.EntryMetadata(ctx, ids)
	if err != nil {
		return nil, err
	}
	var out []ledgerPosting
	for i, l := range st.Lines {
		if reconciled[l.EntryID] || l.Amount.IsZero() {
			continue
		}
		amount := inMinorUnits(l.Amount).Amount
		if account.NormalSide == ledger.Credit {
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
func (c *Service) entryRefs(ctx context.Context, metadata map[string]string) ([]string, error) {
	var refs []string
	for _, k := range []string{"end_to_end_id", "transaction_id", "message_id", "reference"} {
		if v := metadata[k]; v != "" {
			refs = append(refs, v)
		}
	}
	if batch, err := ledger.ParseID(metadata["clearing_batch"]); err == nil {
		ts, err := c.store.ClearingTransfersOfBatch(ctx, batch)
		if err != nil && !errors.Is(err, ledger.ErrNotFound) {
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
	BreakID ledger.ID
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
func (c *Service) ResolveBreak(ctx context.Context, r ResolveBreakRequest) (ReconBreak, error) {
	switch {
	case r.BreakID == ledger.NilID:
		return ReconBreak{}, invalid("break_id", "is required")
	case r.Approver == "" || len(r.Approver) > 200:
		return ReconBreak{}, invalid("approver", "is required, at most 200 bytes")
	case len(r.Description) > ledger.MaxDescriptionLength:
		return ReconBreak{}, invalid("description", fmt.Sprintf("is longer than %d bytes", ledger.MaxDescriptionLength))
	}
	for _, f := range [...]struct{ name, value string }{
		{"approver", r.Approver}, {"description", r.Description}, {"counter_code", r.CounterCode},
	} {
		if err := text.Line(ledger.ErrInvalidInput, f.name, f.value); err != nil {
			return ReconBreak{}, err
		}
	}
	b, err := c.recon.ReconBreak(ctx, r.BreakID)
	if err != nil {
		return ReconBreak{}, err
	}
	if b.Status == BreakResolved {
		return b, nil
	}
	if b.Status != BreakOpen {
		return ReconBreak{}, fmt.Errorf("%w: break %s is %s", ErrState, b.ID, b.Status)
	}
	account, err := c.svc.Account(ctx, b.AccountID)
	if err != nil {
		return ReconBreak{}, err
	}
	code := r.CounterCode
	if code == "" {
		code = ledger.CodeSuspense
	}
	counter, err := c.ensure(ctx, account.Currency, code)
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
	receipt, err := c.svc.PostEntry(ctx, ledger.JournalRequest{
		Postings:    adjustmentPostings(account, counter.ID, change),
		Description: adjustmentDescription(r, b),
		Metadata: map[string]string{"recon_break": b.ID.String(), "approved_by": r.Approver,
			"statement_id": b.StatementID},
		IdempotencyKey: "recon/break/" + b.ID.String() + "/adjust",
	})
	if err != nil {
		return ReconBreak{}, err
	}
	return c.recon.ResolveReconBreak(ctx, b.ID, receipt.Entry.ID, r.Approver, c.now())
}

// adjustmentPostings moves account by change in statement terms: money in
// at the correspondent is a debit to our (debit-normal) nostro account.
func adjustmentPostings(account ledger.Account, counter ledger.ID, change decimal.Decimal) []ledger.Posting {
	side := ledger.Debit
	if change.IsNegative() {
		side = ledger.Credit
	}
	amount := money.Money{Amount: change.Abs(), Currency: account.Currency}
	return []ledger.Posting{
		{AccountID: account.ID, Side: side, Amount: amount},
		{AccountID: counter, Side: side.Opposite(), Amount: amount},
	}
}

func adjustmentDescription(r ResolveBreakRequest, b ReconBreak) string {
	if r.Description != "" {
		return r.Description
	}
	return text.Clean(fmt.Sprintf("Reconciliation adjustment for statement %s (%s break %s)", b.StatementID, b.Side, b.Reference))
}

// Break returns a reconciliation break.
func (c *Service) Break(ctx context.Context, id ledger.ID) (ReconBreak, error) {
	if id == ledger.NilID {
		return ReconBreak{}, invalid("break_id", "is required")
	}
	return c.recon.ReconBreak(ctx, id)
}
