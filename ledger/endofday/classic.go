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
// the notice and withdrawal of a 通知存款 deposit. Each records itself as
// pending, posts one keyed entry and saves its terms (PendingOperation),
// so a crash between the entry and the record is finished by whatever is
// asked of the deposit next, without posting twice.

// openDeposit reads an open deposit of kind.
func (e *Service) openDeposit(ctx context.Context, id ledger.ID, kind interest.Kind) (TimeDeposit, error) {
	if id == ledger.NilID {
		return TimeDeposit{}, invalid("time_deposit_id", "is required")
	}
	td, err := e.deposit(ctx, id)
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
	n, c := len(next.PaidOn), td.Terms.Principal.Currency
	op := PendingOperation{What: fmt.Sprintf("instalment/%d", n), Date: today, Out: money.Zero(c), Interest: money.Zero(c),
		In: money.Money{Amount: td.Terms.Instalment, Currency: c}, Note: fmt.Sprintf("Instalment %d of %d", n, td.Terms.TermMonths), Terms: next}
	stored, receipt, err := e.operate(ctx, td, op)
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
		if cur.Status != TimeDepositOpen || cur.Pending != nil {
			return cur, fmt.Errorf("%w: time deposit %s is %s, or busy with another operation", ErrTimeDepositState, id, cur.Status)
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
	c := amount.Currency
	op := PendingOperation{What: fmt.Sprintf("notice/%s/%s", today, td.Terms.Principal.ValueString()), Date: today,
		Out: w.Amount, Interest: w.Interest, In: money.Zero(c), Note: w.Note, Terms: td.Terms, Closes: w.Closed}
	if !w.Closed {
		op.Terms = w.Remaining
	}
	_, receipt, err := e.operate(ctx, td, op)
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
