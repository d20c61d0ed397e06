package endofday

import (
	"context"
	"errors"
	"fmt"

	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/bankkit/bankkit/money"
)

// The operations of the classic RMB deposit kinds (interest.Kind) besides
// opening, maturity and closing: an instalment of a 零存整取 deposit, and
// the notice and withdrawal of a 通知存款 deposit. Each posts one keyed
// entry, then records the change with a compare-and-set, so a retry on
// the same business date finishes what a crash interrupted without
// posting twice.

// openDeposit reads an open deposit of kind.
func (e *Service) openDeposit(ctx context.Context, id ledger.ID, kind interest.Kind) (TimeDeposit, error) {
	if id == ledger.NilID {
		return TimeDeposit{}, invalid("time_deposit_id", "is required")
	}
	td, err := e.store.TimeDeposit(ctx, id)
	if err != nil {
		return TimeDeposit{}, err
	}
	switch {
	case td.Status != TimeDepositOpen:
		return TimeDeposit{}, fmt.Errorf("%w: time deposit %s is %s", ErrTimeDepositState, id, td.Status)
	case td.Terms.Rules.Kind != kind:
		return TimeDeposit{}, fmt.Errorf("%w: time deposit %s is a %s deposit, not %s", interest.ErrInstalment, id, td.Terms.Rules.Kind, kind)
	}
	return td, nil
}

// PayInstalment pays the monthly instalment of an instalment deposit
// (零存整取) from its demand account, on the business date: one a month,
// two in the month after one was missed (making it up). A deposit in
// breach (two months missed, or one not made up) takes no more: it earns
// the demand rate at maturity.
//
// Errors: ErrNotFound; ErrTimeDepositState unless the deposit is open and
// before maturity; interest.ErrInstalment when the month is paid already,
// the deposit is in breach or is of another kind; the transfer's own
// (ErrInsufficientFunds).
func (e *Service) PayInstalment(ctx context.Context, id ledger.ID) (TimeDeposit, ledger.Receipt, error) {
	td, err := e.openDeposit(ctx, id, interest.Instalments)
	if err != nil {
		return TimeDeposit{}, ledger.Receipt{}, err
	}
	today, err := e.svc.BusinessDate(ctx)
	if err != nil {
		return TimeDeposit{}, ledger.Receipt{}, err
	}
	next, err := td.Terms.PayInstalment(today)
	if err != nil {
		var fe *fault.FieldError
		if errors.As(err, &fe) { // the day is outside the term
			return TimeDeposit{}, ledger.Receipt{}, fmt.Errorf("%w: time deposit %s: %s", ErrTimeDepositState, id, fe.Reason)
		}
		return TimeDeposit{}, ledger.Receipt{}, err
	}
	n := len(next.PaidOn)
	receipt, err := e.svc.Transfer(ctx, ledger.TransferRequest{
		FromAccountID: td.DemandAccountID, ToAccountID: td.ID, Amount: money.Money{Amount: td.Terms.Instalment, Currency: td.Terms.Principal.Currency},
		Description:    fmt.Sprintf("Instalment %d of %d", n, td.Terms.TermMonths),
		Metadata:       map[string]string{"time_deposit": td.ID.String()},
		IdempotencyKey: fmt.Sprintf("timedeposit/%s/instalment/%d", td.ID, n),
	})
	if err != nil {
		return TimeDeposit{}, ledger.Receipt{}, err
	}
	stored, err := e.store.UpdateTimeDeposit(ctx, id, func(cur TimeDeposit) (TimeDeposit, error) {
		switch len(cur.Terms.PaidOn) {
		case n - 1:
			cur.Terms = next
		case n: // recorded already by a concurrent call with the same entry
		default:
			return cur, fmt.Errorf("%w: time deposit %s changed during the instalment", ErrTimeDepositState, id)
		}
		return cur, nil
	})
	return stored, receipt, err
}

// GiveNotice records a notice to withdraw amount from a notice deposit
// (通知存款) the deposit's notice days after the business date; it
// replaces an earlier notice. The amount must be one the withdrawal would
// accept (at least the product's minimum withdrawal, leaving nothing or
// at least the minimum remaining; errors name "amount").
func (e *Service) GiveNotice(ctx context.Context, id ledger.ID, amount money.Money) (TimeDeposit, error) {
	if err := ledger.ValidateAmount("amount", amount); err != nil {
		return TimeDeposit{}, err
	}
	if _, err := e.openDeposit(ctx, id, interest.Notice); err != nil {
		return TimeDeposit{}, err
	}
	today, err := e.svc.BusinessDate(ctx)
	if err != nil {
		return TimeDeposit{}, err
	}
	return e.store.UpdateTimeDeposit(ctx, id, func(cur TimeDeposit) (TimeDeposit, error) {
		if cur.Status != TimeDepositOpen {
			return cur, fmt.Errorf("%w: time deposit %s is %s", ErrTimeDepositState, id, cur.Status)
		}
		next, err := cur.Terms.GiveNotice(today, amount)
		if err != nil {
			return cur, amountError(err)
		}
		cur.Terms = next
		return cur, nil
	})
}

// WithdrawNotice pays amount of a notice deposit out to its demand
// account on the business date, with interest on it for the days held:
// at the deposit's rate up to the amount of a notice falling due that
// day, at the demand account's rate of the day for the rest, or for all of
// it without a notice due that day (interest.TimeDeposit.WithdrawNoticed).
// What remains keeps earning; a withdrawal of everything closes the
// deposit.
func (e *Service) WithdrawNotice(ctx context.Context, id ledger.ID, amount money.Money) (interest.NoticeWithdrawal, ledger.Receipt, error) {
	if err := ledger.ValidateAmount("amount", amount); err != nil {
		return interest.NoticeWithdrawal{}, ledger.Receipt{}, err
	}
	td, err := e.openDeposit(ctx, id, interest.Notice)
	if err != nil {
		return interest.NoticeWithdrawal{}, ledger.Receipt{}, err
	}
	today, err := e.svc.BusinessDate(ctx)
	if err != nil {
		return interest.NoticeWithdrawal{}, ledger.Receipt{}, err
	}
	rate, err := e.demandRate(ctx, td.DemandAccountID, today)
	if err != nil {
		return interest.NoticeWithdrawal{}, ledger.Receipt{}, err
	}
	w, err := td.Terms.WithdrawNoticed(today, amount, rate)
	if err != nil {
		return interest.NoticeWithdrawal{}, ledger.Receipt{}, amountError(err)
	}
	// The principal before the withdrawal tells one withdrawal of a day
	// from the next.
	what := fmt.Sprintf("notice/%s/%s", today, td.Terms.Principal.ValueString())
	receipt, err := e.payOut(ctx, td, what, today, w.Amount, w.Interest, w.Note)
	if err != nil {
		return interest.NoticeWithdrawal{}, ledger.Receipt{}, err
	}
	if w.Closed {
		return w, receipt, e.closeDeposit(ctx, id, today)
	}
	_, err = e.store.UpdateTimeDeposit(ctx, id, func(cur TimeDeposit) (TimeDeposit, error) {
		switch {
		case cur.Terms.Principal.Equal(td.Terms.Principal):
			cur.Terms = w.Remaining
		case cur.Terms.Principal.Equal(w.Remaining.Principal): // recorded already
		default:
			return cur, fmt.Errorf("%w: time deposit %s changed during the withdrawal", ErrTimeDepositState, id)
		}
		return cur, nil
	})
	return w, receipt, err
}

// amountError makes an interest error naming "amount" the request's
// field error; other errors pass as they are.
func amountError(err error) error {
	var fe *fault.FieldError
	if errors.As(err, &fe) && fe.Field == "amount" {
		return invalid("amount", fe.Reason)
	}
	return err
}
