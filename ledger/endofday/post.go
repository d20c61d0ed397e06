package endofday

import (
	"context"
	"errors"
	"fmt"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
)

// CodeTaxPayable is the chart code of the internal account that holds
// withholding tax on deposit interest until it is paid to the tax
// authority. It is not in DefaultChart: end of day creates it in a
// currency the first time it needs it.
const CodeTaxPayable = "tax_payable"

// taxPayable is the chart entry of CodeTaxPayable.
var taxPayable = ledger.ChartAccount{Code: CodeTaxPayable, Name: "Tax payable", NormalSide: ledger.Credit}

// scopeEndOfDay scopes the idempotency keys of every end-of-day posting.
const scopeEndOfDay = "eod"

// journal builds a journal entry under an end-of-day key, with the value
// date chosen by the run, which may be after the business date (see
// JournalBatch.FutureValueDates): interest for a period ending on a
// weekend counts from the day after the period end and no earlier, which
// keeps a resumed run's balances what they were. Postings with a zero
// amount are dropped; an entry left with fewer than two lines is not built
// (ok == false).
func journal(key string, vd calendar.Date, desc string, meta map[string]string, lines []ledger.Posting) (r ledger.JournalRequest, ok bool) {
	kept := make([]ledger.Posting, 0, len(lines))
	for _, p := range lines {
		if p.Amount.IsPositive() {
			kept = append(kept, p)
		}
	}
	if len(kept) < 2 {
		return ledger.JournalRequest{}, false
	}
	return ledger.JournalRequest{Postings: kept, Description: desc, Metadata: meta, ValueDate: vd, IdempotencyKey: key}, true
}

// postJournal posts end-of-day journal entries and returns their results
// in order.
func (e *Service) postJournal(ctx context.Context, entries []ledger.JournalRequest) ([]ledger.BatchResult, error) {
	return e.svc.PostJournal(ctx, ledger.JournalBatch{Scope: scopeEndOfDay, FutureValueDates: true, Entries: entries})
}

// post builds a journal entry as journal does and posts it on its own.
func (e *Service) post(ctx context.Context, key string, vd calendar.Date, desc string, meta map[string]string, lines []ledger.Posting) (receipt ledger.Receipt, ok bool, err error) {
	r, ok := journal(key, vd, desc, meta, lines)
	if !ok {
		return ledger.Receipt{}, false, nil
	}
	results, err := e.postJournal(ctx, []ledger.JournalRequest{r})
	if err != nil {
		return ledger.Receipt{}, false, err
	}
	if results[0].Err != nil {
		return ledger.Receipt{}, false, results[0].Err
	}
	return results[0].Receipt, true, nil
}

// chartID returns the internal account with code in currency c, creating
// the tax-payable account on first use. The rest of the chart comes from
// Service.SetupChart.
func (e *Service) chartID(ctx context.Context, c money.Currency, code string) (ledger.ID, error) {
	id, err := e.svc.ChartAccountID(ctx, c, code)
	if !errors.Is(err, ledger.ErrNotFound) || code != CodeTaxPayable {
		return id, err
	}
	a, err := e.svc.EnsureChartAccount(ctx, c, taxPayable)
	if err != nil {
		return ledger.NilID, fmt.Errorf("creating the %s account in %s: %w", CodeTaxPayable, c, err)
	}
	return a.ID, nil
}
