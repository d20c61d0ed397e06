package endofday

import (
	"context"
	"fmt"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/bankkit/bankkit/money"
)

// matureDeposits makes the scheduled payouts due and applies the
// instruction of every open deposit whose maturity date is on or before
// the run's date. A deposit maturing on a
// non-business day matures on the next business day's run (the following
// convention), value-dated that day. Each maturity's entry is keyed by the
// deposit and its maturity date, and the record update is a
// compare-and-set on the term's start, so a resumed run matures nothing
// twice.
func (e *Service) matureDeposits(ctx context.Context, run Run) (Run, error) {
	done := 0
	for {
		page, err := e.store.TimeDepositsDue(ctx, run.Date, run.Cursor, e.pageSize)
		if err != nil {
			return run, err
		}
		for _, td := range page {
			matured, payouts, err := e.mature(ctx, run.Date, td)
			run.Summary.Payouts += payouts
			if err != nil {
				if ctx.Err() != nil || !refusal(err) {
					return run, err
				}
				e.fail(&run, td.ID, err)
				continue
			}
			if matured {
				run.Summary.Maturities++
			}
		}
		if len(page) == 0 {
			break
		}
		run.Cursor = page[len(page)-1].ID
		if err := e.saveRun(ctx, &run); err != nil {
			return run, err
		}
		done += len(page)
		e.report(run, done, "time deposits matured")
		if len(page) < e.pageSize {
			break
		}
	}
	return e.finishStep(ctx, run, StepHolds)
}

// mature books one deposit's maturity on date: interest from interest
// expense, then per instruction principal and interest to the demand
// account (pay out), interest to the deposit (roll over all, hold) or
// interest to the demand account (roll over principal); a rollover takes
// the product's rate on the maturity date.
func (e *Service) mature(ctx context.Context, date calendar.Date, td TimeDeposit) (matured bool, payouts int, err error) {
	if td, err = e.settlePending(ctx, td); err != nil {
		return false, 0, err
	}
	if td.Status != TimeDepositOpen {
		return false, 0, nil // the pending operation closed it
	}
	for {
		due, ok := td.Terms.NextPayout()
		if !ok || due.After(date) {
			break
		}
		next, err := e.payScheduled(ctx, date, td)
		if err != nil {
			return false, payouts, err
		}
		td = next
		payouts++
	}
	if td.Terms.Maturity().After(date) {
		return false, payouts, nil // a scheduled payout was due, not the maturity
	}
	return true, payouts, e.matureNow(ctx, date, td)
}

// matureNow books the maturity of a deposit whose maturity has come.
func (e *Service) matureNow(ctx context.Context, date calendar.Date, td TimeDeposit) error {
	maturity := td.Terms.Maturity()
	p, err := e.store.InterestProduct(ctx, td.ProductCode)
	if err != nil {
		return err
	}
	rolled := td.Terms.Principal.Amount
	if td.Terms.Instruction == interest.RolloverAll {
		if full, err := td.Terms.Interest(); err == nil {
			rolled = rolled.Add(full.Amount)
		}
	}
	rate, err := creditRate(p, maturity, rolled)
	if err != nil {
		return invalid("product", err.Error())
	}
	demand, err := e.demandRate(ctx, td.DemandAccountID, maturity)
	if err != nil {
		return err
	}
	res, err := td.Terms.MatureWith(rate, demand)
	if err != nil {
		return invalid("terms", err.Error())
	}
	what := "maturity/" + maturity.String()
	desc := fmt.Sprintf("Time deposit matured %s: %s, interest %s", maturity, res.Instruction, res.Interest)
	switch res.Instruction {
	case interest.PayOut:
		if _, err := e.payOut(ctx, td, what, date, res.Principal, res.Interest, desc); err != nil {
			return err
		}
		return e.closeDeposit(ctx, td.ID, date)
	case interest.RolloverPrincipal:
		if _, err := e.payInterest(ctx, td, what, date, td.DemandAccountID, res.Interest, desc); err != nil {
			return err
		}
	case interest.RolloverAll, interest.Hold:
		if _, err := e.payInterest(ctx, td, what, date, td.ID, res.Interest, desc); err != nil {
			return err
		}
	}
	_, err = e.store.UpdateTimeDeposit(ctx, td.ID, func(cur TimeDeposit) (TimeDeposit, error) {
		if cur.Status != TimeDepositOpen || cur.Terms.Start != td.Terms.Start {
			return cur, nil // matured already by an earlier attempt
		}
		if res.Rollover != nil {
			cur.Terms = *res.Rollover
			cur.Rollovers++
		} else {
			cur.Status = TimeDepositHeld
		}
		return cur, nil
	})
	return err
}

// payOut moves out of the deposit account to the demand account, with
// interest from interest expense added, as one entry. Negative interest
// (interest paid out already and taken back) goes back to interest
// expense out of what the demand account receives.
func (e *Service) payOut(ctx context.Context, td TimeDeposit, what string, vd calendar.Date, out, paid money.Money, desc string) (ledger.Receipt, error) {
	expense, err := e.chartID(ctx, out.Currency, ledger.CodeInterestExpense)
	if err != nil {
		return ledger.Receipt{}, err
	}
	total, err := out.Add(paid)
	if err != nil {
		return ledger.Receipt{}, fmt.Errorf("%w: %v", ledger.ErrCurrencyMismatch, err)
	}
	expenseSide := ledger.Debit
	if paid.IsNegative() {
		expenseSide, paid = ledger.Credit, paid.Neg()
	}
	r, _, err := e.post(ctx, "timedeposit/"+td.ID.String()+"/"+what, vd, desc,
		map[string]string{"time_deposit": td.ID.String(), "interest": paid.ValueString()},
		[]ledger.Posting{
			{AccountID: td.ID, Side: ledger.Debit, Amount: out},
			{AccountID: expense, Side: expenseSide, Amount: paid},
			{AccountID: td.DemandAccountID, Side: ledger.Credit, Amount: total},
		})
	return r, err
}

// payScheduled makes a deposit's next scheduled payout before maturity
// (a part of a PrincipalPayouts deposit's principal, an interval of an
// InterestPayouts deposit's interest) to the demand account, keyed by the
// term's start and the payout's number, and records it with a
// compare-and-set on that number, so a resumed run pays nothing twice.
func (e *Service) payScheduled(ctx context.Context, date calendar.Date, td TimeDeposit) (TimeDeposit, error) {
	p, err := td.Terms.PayScheduled()
	if err != nil {
		return td, invalid("terms", err.Error())
	}
	what := fmt.Sprintf("payout/%s/%d", td.Terms.Start, p.Number)
	desc := fmt.Sprintf("Time deposit payout %d of %s: principal %s, interest %s", p.Number, td.Terms.Rules.Kind, p.Principal, p.Interest)
	if p.Principal.IsPositive() {
		_, err = e.payOut(ctx, td, what, date, p.Principal, p.Interest, desc)
	} else {
		_, err = e.payInterest(ctx, td, what, date, td.DemandAccountID, p.Interest, desc)
	}
	if err != nil {
		return td, err
	}
	return e.store.UpdateTimeDeposit(ctx, td.ID, func(cur TimeDeposit) (TimeDeposit, error) {
		if cur.Status == TimeDepositOpen && cur.Terms.Start == td.Terms.Start && cur.Terms.Payouts == td.Terms.Payouts {
			cur.Terms = p.Next
		}
		return cur, nil
	})
}

// payInterest pays a deposit's interest from interest expense into to.
func (e *Service) payInterest(ctx context.Context, td TimeDeposit, what string, vd calendar.Date, to ledger.ID, paid money.Money, desc string) (ledger.Receipt, error) {
	expense, err := e.chartID(ctx, paid.Currency, ledger.CodeInterestExpense)
	if err != nil {
		return ledger.Receipt{}, err
	}
	r, _, err := e.post(ctx, "timedeposit/"+td.ID.String()+"/"+what, vd, desc,
		map[string]string{"time_deposit": td.ID.String(), "interest": paid.ValueString()},
		[]ledger.Posting{{AccountID: expense, Side: ledger.Debit, Amount: paid}, {AccountID: to, Side: ledger.Credit, Amount: paid}})
	return r, err
}

// closeDeposit marks the deposit closed and closes its (now empty)
// account.
func (e *Service) closeDeposit(ctx context.Context, id ledger.ID, on calendar.Date) error {
	_, err := e.store.UpdateTimeDeposit(ctx, id, func(td TimeDeposit) (TimeDeposit, error) {
		td.Status, td.ClosedOn = TimeDepositClosed, on
		return td, nil
	})
	if err != nil {
		return err
	}
	_, err = e.svc.Close(ctx, id)
	return err
}
