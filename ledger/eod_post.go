package ledger

import (
	"context"
	"errors"
	"fmt"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
)

// CodeTaxPayable is the chart code of the internal account that holds
// withholding tax on deposit interest until it is paid to the tax
// authority. It is not in DefaultChart: end of day creates it in a
// currency the first time it needs it.
const CodeTaxPayable = "tax_payable"

// scopeEndOfDay scopes the idempotency keys of every end-of-day posting.
const scopeEndOfDay = "eod"

// journal builds a journal entry under an end-of-day key, with the value
// date chosen by the run. Unlike PostEntry it may date the entry after the
// business date: interest for a period ending on a weekend is value-dated
// on that weekend day while the business date is still the Friday, so the
// entry counts in the balances from the day after the period end and no
// earlier, which keeps a resumed run's balances what they were. Postings
// with a zero amount are dropped; an entry left with fewer than two lines
// is not built (ok == false).
func (e *EndOfDay) journal(key string, vd calendar.Date, desc string, meta map[string]string, lines []Posting) (req PostRequest, ok bool, err error) {
	kept := make([]Posting, 0, len(lines))
	for _, p := range lines {
		if p.Amount.IsPositive() {
			kept = append(kept, p)
		}
	}
	if len(kept) < 2 {
		return PostRequest{}, false, nil
	}
	entry := Entry{
		ID:             NewID(),
		Kind:           KindJournal,
		IdempotencyKey: scopeEndOfDay + "/" + key,
		Postings:       kept,
		ValueDate:      vd,
		BookedAt:       e.svc.clock.Now(),
		Description:    desc,
		Metadata:       meta,
	}
	if err := entry.Validate(); err != nil {
		return PostRequest{}, false, err
	}
	f := newFingerprinter(scopeEndOfDay).str(key).str(vd.String()).str(desc)
	for _, p := range kept {
		f.id(p.AccountID).str(string(p.Side)).str(p.Amount.Amount.String()).str(string(p.Amount.Currency))
	}
	return PostRequest{Entry: entry, Fingerprint: fingerprintMetadata(f, meta).sum()}, true, nil
}

// post builds a journal entry as journal does and posts it on its own.
func (e *EndOfDay) post(ctx context.Context, key string, vd calendar.Date, desc string, meta map[string]string, lines []Posting) (receipt Receipt, ok bool, err error) {
	req, ok, err := e.journal(key, vd, desc, meta, lines)
	if !ok || err != nil {
		return Receipt{}, false, err
	}
	receipt, err = e.svc.postOne(ctx, req.Entry, req.Fingerprint)
	return receipt, err == nil, err
}

// chartID returns the internal account with code in currency c, creating
// the tax-payable account on first use. The rest of the chart comes from
// Service.SetupChart.
func (e *EndOfDay) chartID(ctx context.Context, c money.Currency, code string) (ID, error) {
	id, err := e.svc.chartID(ctx, c, code)
	if !errors.Is(err, ErrNotFound) || code != CodeTaxPayable {
		return id, err
	}
	a, err := e.svc.createAccount(ctx, Account{
		Code: CodeTaxPayable, Product: ProductInternal, Currency: c,
		NormalSide: Credit, Status: StatusActive, Policy: Unchecked(),
	}, scopeChart+"/"+string(c)+"/"+CodeTaxPayable, newFingerprinter(scopeChart).str(string(c)).str(CodeTaxPayable).sum())
	if errors.Is(err, ErrDuplicate) {
		return e.svc.chartID(ctx, c, code)
	}
	if err != nil {
		return NilID, fmt.Errorf("creating the %s account in %s: %w", CodeTaxPayable, c, err)
	}
	return a.ID, nil
}
