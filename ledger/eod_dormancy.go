package ledger

import (
	"context"
	"fmt"
)

// customerInitiated are the entry kinds a customer starts. Interest,
// fees and other journal entries, and reversals, keep no account alive.
var customerInitiated = map[EntryKind]bool{
	KindDeposit: true, KindWithdrawal: true, KindTransfer: true, KindCapture: true,
}

// markDormant makes dormant every active demand account opened at least
// the dormancy period ago whose statement over the period shows no
// customer-initiated entry. The activity is read from the journal itself,
// so no other record has to be kept in step with postings; marking an
// account dormant twice is harmless, so a resumed run simply goes on.
func (e *EndOfDay) markDormant(ctx context.Context, run EndOfDayRun) (EndOfDayRun, error) {
	if e.dormancy == 0 {
		return e.finishStep(ctx, run, StepAdvance)
	}
	since := run.Date.AddDays(1 - e.dormancy)
	done := 0
	for {
		page, next, err := e.svc.ListAccounts(ctx, AccountFilter{Product: ProductDemand, Status: StatusActive, After: run.Cursor, Limit: min(e.pageSize, MaxPageSize)})
		if err != nil {
			return run, err
		}
		for _, a := range page {
			if a.OpenedOn.After(since.AddDays(-1)) {
				continue
			}
			lines, err := e.svc.store.Postings(ctx, a.ID, since, run.Through)
			if err != nil {
				return run, err
			}
			if active(lines) {
				continue
			}
			if _, err := e.svc.MarkDormant(ctx, a.ID); err != nil {
				if ctx.Err() != nil || !refusal(err) {
					return run, err
				}
				e.fail(&run, a.ID, err)
				continue
			}
			run.Summary.MarkedDormant++
		}
		done += len(page)
		if next == NilID {
			break
		}
		run.Cursor = next
		if err := e.saveRun(ctx, &run); err != nil {
			return run, err
		}
		e.report(run, done, fmt.Sprintf("%d accounts checked for dormancy", done))
	}
	return e.finishStep(ctx, run, StepAdvance)
}

func active(lines []StatementLine) bool {
	for _, l := range lines {
		if customerInitiated[l.Kind] {
			return true
		}
	}
	return false
}
