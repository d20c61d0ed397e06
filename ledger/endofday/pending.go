package endofday

import (
	"context"
	"fmt"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/bankkit/bankkit/money"
)

// PendingOperation is a customer's operation on a deposit (a partial
// withdrawal, an instalment, a withdrawal on notice) recorded before its
// entry posts, with the terms it leaves. It is cleared once the entry has
// posted and the terms are saved; a crash in between leaves it, and the
// next operation on the deposit, its closure or its maturity posts the
// same entry (which replays if it had posted) and saves the terms first.
// So the record and the ledger never disagree for longer than one call,
// whatever the customer asks next.
type PendingOperation struct {
	// What names the entry under the deposit: its key is
	// "timedeposit/<id>/<What>".
	What string
	Date calendar.Date
	// Out leaves the deposit for the demand account with Interest (a
	// payout); In moves from the demand account into the deposit (an
	// instalment). Both carry the deposit's currency.
	Out, Interest, In money.Money
	Note              string
	// Terms are the deposit's terms once the entry has posted; Closes says
	// the operation empties and closes it.
	Terms  interest.TimeDeposit
	Closes bool
}

// sameState reports whether cur is still the deposit an operation was
// worked out from.
func sameState(cur, was TimeDeposit) bool {
	a, b := cur.Terms, was.Terms
	return cur.Status == was.Status && cur.Pending == nil && a.Start == b.Start && a.Principal.Equal(b.Principal) &&
		a.PartsWithdrawn == b.PartsWithdrawn && len(a.PaidOn) == len(b.PaidOn) && a.Payouts == b.Payouts
}

// operate records op on td, posts its entry and saves its terms. A refused
// entry (insufficient funds, a frozen account) clears the record and
// changes nothing; any other failure leaves it for the next call to
// finish.
func (e *Service) operate(ctx context.Context, td TimeDeposit, op PendingOperation) (TimeDeposit, ledger.Receipt, error) {
	_, err := e.store.UpdateTimeDeposit(ctx, td.ID, func(cur TimeDeposit) (TimeDeposit, error) {
		if !sameState(cur, td) {
			return cur, fmt.Errorf("%w: time deposit %s changed during the operation; try again", ErrTimeDepositState, td.ID)
		}
		cur.Pending = &op
		return cur, nil
	})
	if err != nil {
		return TimeDeposit{}, ledger.Receipt{}, err
	}
	receipt, err := e.postPending(ctx, td, op)
	if err != nil {
		if ctx.Err() == nil && refusal(err) {
			_, _ = e.store.UpdateTimeDeposit(ctx, td.ID, func(cur TimeDeposit) (TimeDeposit, error) {
				if cur.Pending != nil && cur.Pending.What == op.What {
					cur.Pending = nil
				}
				return cur, nil
			})
		}
		return TimeDeposit{}, ledger.Receipt{}, err
	}
	stored, err := e.finishPending(ctx, td.ID, op)
	return stored, receipt, err
}

// postPending posts an operation's entry under its key.
func (e *Service) postPending(ctx context.Context, td TimeDeposit, op PendingOperation) (ledger.Receipt, error) {
	if op.In.IsPositive() {
		return e.svc.Transfer(ctx, ledger.TransferRequest{
			FromAccountID: td.DemandAccountID, ToAccountID: td.ID, Amount: op.In, Description: op.Note,
			Metadata:       map[string]string{"time_deposit": td.ID.String()},
			IdempotencyKey: "timedeposit/" + td.ID.String() + "/" + op.What,
		})
	}
	return e.payOut(ctx, td, op.What, op.Date, op.Out, op.Interest, op.Note)
}

// finishPending saves the terms of the deposit's pending operation op
// (once its entry has posted), and closes the deposit if op empties it.
func (e *Service) finishPending(ctx context.Context, id ledger.ID, op PendingOperation) (TimeDeposit, error) {
	stored, err := e.store.UpdateTimeDeposit(ctx, id, func(cur TimeDeposit) (TimeDeposit, error) {
		if cur.Pending != nil && cur.Pending.What == op.What {
			cur.Terms, cur.Pending = op.Terms, nil
		}
		return cur, nil
	})
	if err != nil || !op.Closes {
		return stored, err
	}
	if err := e.closeDeposit(ctx, id, op.Date); err != nil {
		return TimeDeposit{}, err
	}
	return e.store.TimeDeposit(ctx, id)
}

// settlePending finishes the deposit's pending operation, if it has one,
// and returns the deposit as it then stands.
func (e *Service) settlePending(ctx context.Context, td TimeDeposit) (TimeDeposit, error) {
	if td.Pending == nil {
		return td, nil
	}
	op := *td.Pending
	if _, err := e.postPending(ctx, td, op); err != nil {
		return td, fmt.Errorf("finishing the deposit's pending %s: %w", op.What, err)
	}
	return e.finishPending(ctx, td.ID, op)
}
