package endofday

import (
	"context"
	"errors"
	"fmt"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/bankkit/bankkit/money"
	"github.com/shopspring/decimal"
)

// OpenTimeDepositRequest opens a time deposit funded from a demand account.
type OpenTimeDepositRequest struct {
	// DemandAccountID funds the deposit and receives its payouts; the
	// deposit belongs to the same owner.
	DemandAccountID ledger.ID
	Principal       money.Money
	TermMonths      int
	// ProductCode is the interest product whose credit rate on the
	// business date, for this principal, becomes the deposit's fixed rate;
	// its day count and rounding apply too.
	ProductCode string
	Instruction interest.Instruction
	// IdempotencyKey makes the whole opening safe to retry: the account,
	// the record and the funding transfer are each keyed by it.
	IdempotencyKey string
}

// opened reports whether rec is the deposit r opened: what a replay of r
// must find. After a rollover the principal may have grown, so only the
// fields no maturity changes are compared.
func (r OpenTimeDepositRequest) opened(rec TimeDeposit) bool {
	return rec.DemandAccountID == r.DemandAccountID && rec.ProductCode == r.ProductCode &&
		rec.Terms.Instruction == r.Instruction && rec.Terms.TermMonths == r.TermMonths &&
		(rec.Rollovers > 0 || rec.Terms.Principal.Equal(r.Principal))
}

// TimeDepositReceipt is the outcome of OpenTimeDeposit.
type TimeDepositReceipt struct {
	Deposit  TimeDeposit
	Funding  ledger.Receipt
	Replayed bool
}

// OpenTimeDeposit opens a time deposit account, records its terms and
// moves the principal into it from the demand account. The rate is fixed
// for the term. With an idempotency key a retry after a failure (or a
// crash) finishes the opening instead of opening a second deposit. If the
// funding transfer is refused (ErrInsufficientFunds, say) the deposit is
// marked failed, its account closed, and the error returned.
func (e *Service) OpenTimeDeposit(ctx context.Context, r OpenTimeDepositRequest) (TimeDepositReceipt, error) {
	switch {
	case r.DemandAccountID == ledger.NilID:
		return TimeDepositReceipt{}, invalid("demand_account_id", "is required")
	case r.TermMonths < 1 || r.TermMonths > interest.MaxTermMonths:
		return TimeDepositReceipt{}, invalid("term_months", fmt.Sprintf("must be 1 to %d", interest.MaxTermMonths))
	case !r.Instruction.Valid():
		return TimeDepositReceipt{}, invalid("instruction", fmt.Sprintf("%s is not a maturity instruction", r.Instruction))
	}
	if err := ledger.ValidateAmount("principal", r.Principal); err != nil {
		return TimeDepositReceipt{}, err
	}
	if err := validProductCode(r.ProductCode); err != nil {
		return TimeDepositReceipt{}, err
	}
	key := r.IdempotencyKey
	if key == "" {
		key = ledger.NewID().String()
	} else if err := ledger.ValidateIdempotencyKey(key); err != nil {
		return TimeDepositReceipt{}, err
	}
	demand, err := e.svc.Account(ctx, r.DemandAccountID)
	if err != nil {
		return TimeDepositReceipt{}, err
	}
	if demand.Product != ledger.ProductDemand {
		return TimeDepositReceipt{}, invalid("demand_account_id", fmt.Sprintf("is a %s account, not a demand account", demand.Product))
	}
	if demand.Currency != r.Principal.Currency {
		return TimeDepositReceipt{}, fmt.Errorf("%w: account %s is in %s, not %s", ledger.ErrCurrencyMismatch, demand.Number, demand.Currency, r.Principal.Currency)
	}
	p, err := e.store.InterestProduct(ctx, r.ProductCode)
	if err != nil {
		return TimeDepositReceipt{}, err
	}
	if p.Currency != r.Principal.Currency {
		return TimeDepositReceipt{}, fmt.Errorf("%w: product %s is in %s, not %s", ledger.ErrCurrencyMismatch, r.ProductCode, p.Currency, r.Principal.Currency)
	}
	today, err := e.svc.BusinessDate(ctx)
	if err != nil {
		return TimeDepositReceipt{}, err
	}
	rate, err := creditRate(p, today, r.Principal.Amount)
	if err != nil {
		return TimeDepositReceipt{}, invalid("product", err.Error())
	}
	terms := interest.TimeDeposit{
		Principal: r.Principal, Rate: rate, TermMonths: r.TermMonths, Start: today,
		DayCount: p.DayCount, Instruction: r.Instruction, Rounding: p.Rounding,
	}
	if err := terms.Validate(); err != nil {
		return TimeDepositReceipt{}, invalid("terms", err.Error())
	}
	acct, err := e.svc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: demand.OwnerID, Product: ledger.ProductTime,
		Currency: r.Principal.Currency, IdempotencyKey: "timedeposit/" + key})
	if err != nil {
		return TimeDepositReceipt{}, err
	}
	rec, replayed, err := e.store.CreateTimeDeposit(ctx, TimeDeposit{
		ID: acct.ID, DemandAccountID: demand.ID, ProductCode: r.ProductCode, Terms: terms,
		Status: TimeDepositPending, IdempotencyKey: key, CreatedAt: e.clock.Now(),
	})
	if err != nil {
		return TimeDepositReceipt{}, err
	}
	if replayed && !r.opened(rec) {
		return TimeDepositReceipt{}, fmt.Errorf("%w: time deposit key %q", ledger.ErrIdempotencyConflict, key)
	}
	funding, err := e.svc.Transfer(ctx, ledger.TransferRequest{
		FromAccountID: demand.ID, ToAccountID: rec.ID, Amount: rec.Terms.Principal,
		Description: fmt.Sprintf("Time deposit %d months at %s%%", rec.Terms.TermMonths, rec.Terms.Rate.Shift(2)),
		Metadata:    map[string]string{"time_deposit": rec.ID.String()}, ValueDate: rec.Terms.Start,
		IdempotencyKey: "timedeposit/" + rec.ID.String() + "/funding",
	})
	if err != nil {
		if refusal(err) || errors.Is(err, ledger.ErrInsufficientFunds) {
			e.failFunding(ctx, rec.ID)
		}
		return TimeDepositReceipt{}, err
	}
	if rec.Status == TimeDepositPending {
		rec, err = e.store.UpdateTimeDeposit(ctx, rec.ID, func(td TimeDeposit) (TimeDeposit, error) {
			if td.Status == TimeDepositPending {
				td.Status = TimeDepositOpen
			}
			return td, nil
		})
		if err != nil {
			return TimeDepositReceipt{}, err
		}
	}
	return TimeDepositReceipt{Deposit: rec, Funding: funding, Replayed: replayed}, nil
}

// failFunding marks a deposit whose funding was refused as failed and
// closes its empty account. It is best effort: the deposit stays pending
// if it cannot, and a retry with the same key tries the funding again.
func (e *Service) failFunding(ctx context.Context, id ledger.ID) {
	_, err := e.store.UpdateTimeDeposit(ctx, id, func(td TimeDeposit) (TimeDeposit, error) {
		if td.Status == TimeDepositPending {
			td.Status = TimeDepositFailed
		}
		return td, nil
	})
	if err == nil {
		_, _ = e.svc.Close(ctx, id)
	}
}

// TimeDeposit returns a time deposit.
func (e *Service) TimeDeposit(ctx context.Context, id ledger.ID) (TimeDeposit, error) {
	if id == ledger.NilID {
		return TimeDeposit{}, invalid("time_deposit_id", "is required")
	}
	return e.store.TimeDeposit(ctx, id)
}

// CloseTimeDepositEarly closes an open deposit before maturity on the
// business date. The penalty rule applies: interest is paid at the rate
// the linked demand account's interest product pays on that date (zero
// without one) for the days held, not at the deposit's own rate, and the
// entry's description says so, so the customer's statement shows it. A
// deposit held at maturity is paid out as it stands, with no penalty.
// It returns the closure and the entry that paid it.
func (e *Service) CloseTimeDepositEarly(ctx context.Context, id ledger.ID) (interest.Closure, ledger.Receipt, error) {
	if id == ledger.NilID {
		return interest.Closure{}, ledger.Receipt{}, invalid("time_deposit_id", "is required")
	}
	td, err := e.store.TimeDeposit(ctx, id)
	if err != nil {
		return interest.Closure{}, ledger.Receipt{}, err
	}
	today, err := e.svc.BusinessDate(ctx)
	if err != nil {
		return interest.Closure{}, ledger.Receipt{}, err
	}
	var closure interest.Closure
	out := td.Terms.Principal // what leaves the deposit account
	switch td.Status {
	case TimeDepositOpen:
		rate, err := e.demandRate(ctx, td.DemandAccountID, today)
		if err != nil {
			return interest.Closure{}, ledger.Receipt{}, err
		}
		if closure, err = td.Terms.EarlyClosure(today, rate); err != nil {
			return interest.Closure{}, ledger.Receipt{}, invalidAs(ErrTimeDepositState, "time_deposit_id", err.Error())
		}
	case TimeDepositHeld:
		a, err := e.svc.Account(ctx, id)
		if err != nil {
			return interest.Closure{}, ledger.Receipt{}, err
		}
		c := a.Currency
		closure = interest.Closure{Date: today, DaysHeld: today.DaysSince(td.Terms.Start),
			Interest: money.Zero(c), Forgone: money.Zero(c), Payout: a.Balance,
			Note: "Paid out after maturity on instruction."}
		out = a.Balance
	default:
		return interest.Closure{}, ledger.Receipt{}, fmt.Errorf("%w: time deposit %s is %s", ErrTimeDepositState, id, td.Status)
	}
	receipt, err := e.payOut(ctx, td, "close", today, out, closure.Interest, closure.Note)
	if err != nil {
		return interest.Closure{}, ledger.Receipt{}, err
	}
	if err := e.closeDeposit(ctx, td.ID, today); err != nil {
		return interest.Closure{}, ledger.Receipt{}, err
	}
	return closure, receipt, nil
}

// demandRate is the credit rate of the demand account's interest product
// on day (its first tier's for a tiered rate), zero when the account
// earns no interest.
func (e *Service) demandRate(ctx context.Context, demandID ledger.ID, day calendar.Date) (decimal.Decimal, error) {
	ia, err := e.store.InterestAccount(ctx, demandID)
	if errors.Is(err, ledger.ErrNotFound) {
		return decimal.Zero, nil
	}
	if err != nil {
		return decimal.Zero, err
	}
	p, err := e.store.InterestProduct(ctx, ia.ProductCode)
	if err != nil {
		return decimal.Zero, err
	}
	return creditRate(p, day, decimal.Zero)
}

// RenewHeldTimeDeposit gives a deposit held at maturity (the Hold
// instruction) its new instruction: it starts a new term of termMonths on
// the business date, on everything the account holds (principal and the
// interest paid into it), at the deposit product's rate on that date, with
// instruction for its own maturity. No money moves: it is already in the
// deposit account. To take the money out instead, close the deposit
// (CloseTimeDepositEarly pays a held deposit out as it stands).
//
// Errors: ErrNotFound; ErrTimeDepositState unless the deposit is held (so a
// repeated call does not renew twice); ErrInvalidInput for the term or
// instruction.
func (e *Service) RenewHeldTimeDeposit(ctx context.Context, id ledger.ID, termMonths int, instruction interest.Instruction) (TimeDeposit, error) {
	if id == ledger.NilID {
		return TimeDeposit{}, invalid("time_deposit_id", "is required")
	}
	td, err := e.store.TimeDeposit(ctx, id)
	if err != nil {
		return TimeDeposit{}, err
	}
	if td.Status != TimeDepositHeld {
		return TimeDeposit{}, fmt.Errorf("%w: time deposit %s is %s, not held awaiting instruction", ErrTimeDepositState, id, td.Status)
	}
	today, err := e.svc.BusinessDate(ctx)
	if err != nil {
		return TimeDeposit{}, err
	}
	a, err := e.svc.Account(ctx, id)
	if err != nil {
		return TimeDeposit{}, err
	}
	p, err := e.store.InterestProduct(ctx, td.ProductCode)
	if err != nil {
		return TimeDeposit{}, err
	}
	rate, err := creditRate(p, today, a.Balance.Amount)
	if err != nil {
		return TimeDeposit{}, invalid("product", err.Error())
	}
	terms := td.Terms
	terms.Principal, terms.Rate, terms.TermMonths, terms.Start, terms.Instruction = a.Balance, rate, termMonths, today, instruction
	if err := terms.Validate(); err != nil {
		return TimeDeposit{}, invalid("terms", err.Error())
	}
	return e.store.UpdateTimeDeposit(ctx, id, func(cur TimeDeposit) (TimeDeposit, error) {
		if cur.Status != TimeDepositHeld {
			return cur, fmt.Errorf("%w: time deposit %s is %s, not held awaiting instruction", ErrTimeDepositState, id, cur.Status)
		}
		cur.Terms, cur.Status = terms, TimeDepositOpen
		cur.Rollovers++
		return cur, nil
	})
}
