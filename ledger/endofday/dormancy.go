package endofday

import (
	"context"
	"fmt"

	"github.com/bankkit/bankkit/ledger"
)

// customerInitiated are the entry kinds a customer starts. Interest,
// fees and other journal entries, and reversals, keep no account alive.
var customerInitiated = []ledger.EntryKind{ledger.KindDeposit, ledger.KindWithdrawal, ledger.KindTransfer, ledger.KindCapture}

// markDormant makes dormant every active demand account opened before the
// dormancy period whose journal shows no customer-initiated entry in it.
// The activity is read from the journal itself, by the store in one query
// a page, so no other record has to be kept in step with postings;
// marking an account dormant twice is harmless, so a resumed run simply
// goes on.
func (e *Service) markDormant(ctx context.Context, run Run) (Run, error) {
	if e.dormancy == 0 {
		return e.finishStep(ctx, run, StepAdvance)
	}
	since := run.Date.AddDays(1 - e.dormancy)
	done := 0
	for {
		page, err := e.store.InactiveAccounts(ctx, InactivityQuery{Since: since, Kinds: customerInitiated, After: run.Cursor, Limit: e.pageSize})
		if err != nil {
			return run, err
		}
		for _, id := range page {
			if _, err := e.svc.MarkDormant(ctx, id); err != nil {
				if ctx.Err() != nil || !refusal(err) {
					return run, err
				}
				e.fail(&run, id, err)
				continue
			}
			run.Summary.MarkedDormant++
		}
		if len(page) == 0 {
			break
		}
		done += len(page)
		run.Cursor = page[len(page)-1]
		if err := e.saveRun(ctx, &run); err != nil {
			return run, err
		}
		e.report(run, done, fmt.Sprintf("%d accounts marked dormant", done))
		if len(page) < e.pageSize {
			break
		}
	}
	return e.finishStep(ctx, run, StepAdvance)
}
