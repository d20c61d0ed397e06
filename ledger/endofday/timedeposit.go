package endofday

import (
	"context"
	"errors"
	"fmt"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/fault"
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
	// its day count, rounding and term rules (the deposit's kind among
	// them) apply too. For an Instalments deposit Principal is the monthly
	// instalment, the first paid at opening; a Flexible or Notice deposit
	// has no term (TermMonths 0).
	ProductCode string
	Instruction interest.Instruction
	// ExternalRef is the client's own reference for the deposit: its
	// account carries it (unique per client among accounts,
	// ledger.ErrExternalRefTaken before anything moves; found with
	// ledger.Service.AccountByRef; in ledger.account_opened). A deposit
	// whose funding was refused keeps it on its closed account.
	ExternalRef ledger.ExternalRef
	// IdempotencyKey makes the whole opening safe to retry: the account,
	// the record and the funding transfer are each keyed by it.
	IdempotencyKey string
}

// opened reports whether rec is the deposit r opened: what a replay of r
// must find. After a rollover, a partial withdrawal, an instalment or a
// notice withdrawal the principal has changed, so only the fields those
// leave alone are compared.
func (r OpenTimeDepositRequest) opened(rec TimeDeposit) bool {
	t := rec.Terms
	months := r.TermMonths
	if t.Rules.Kind.OpenEnded() && months == 0 {
		months = interest.MaxTermMonths
	}
	principal := rec.Rollovers > 0 || t.PartsWithdrawn > 0 || t.Principal.Equal(r.Principal)
	switch t.Rules.Kind {
	case interest.Instalments:
		principal = t.Principal.Currency == r.Principal.Currency && t.Instalment.Equal(r.Principal.Amount)
	case interest.Notice:
		principal = t.Principal.Currency == r.Principal.Currency && !t.Principal.Amount.GreaterThan(r.Principal.Amount)
	}
	return rec.DemandAccountID == r.DemandAccountID && rec.ProductCode == r.ProductCode &&
		t.Instruction == r.Instruction && t.TermMonths == months && principal
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
	case r.TermMonths < 0 || r.TermMonths > interest.MaxTermMonths:
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
	if err := r.ExternalRef.Validate("external_ref"); err != nil {
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
	kind := p.Term.Kind
	switch {
	case kind.OpenEnded() && r.TermMonths != 0 && r.TermMonths != interest.MaxTermMonths:
		return TimeDepositReceipt{}, invalid("term_months", fmt.Sprintf("a %s deposit has no term: leave it out", kind))
	case !kind.OpenEnded() && r.TermMonths < 1:
		return TimeDepositReceipt{}, invalid("term_months", fmt.Sprintf("must be 1 to %d", interest.MaxTermMonths))
	case r.Principal.Amount.LessThan(p.Term.MinimumDeposit):
		return TimeDepositReceipt{}, invalid("principal", fmt.Sprintf("%s is below the product's minimum of %s", r.Principal, p.Term.MinimumDeposit))
	}
	months := r.TermMonths
	if kind.OpenEnded() {
		months = interest.MaxTermMonths
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
		Principal: r.Principal, Rate: rate, TermMonths: months, Start: today,
		DayCount: p.DayCount, Instruction: r.Instruction, Rounding: p.Rounding, Rules: p.Term,
	}
	if kind == interest.Instalments {
		terms.Instalment, terms.PaidOn = r.Principal.Amount, []calendar.Date{today}
	}
	if err := terms.Validate(); err != nil {
		return TimeDepositReceipt{}, requestField(err)
	}
	acct, err := e.svc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: demand.OwnerID, Product: ledger.ProductTime,
		Currency: r.Principal.Currency, ExternalRef: r.ExternalRef, IdempotencyKey: "timedeposit/" + key})
	if err != nil {
		return TimeDepositReceipt{}, err
	}
	rec, replayed, err := e.store.CreateTimeDeposit(ctx, TimeDeposit{
		ID: acct.ID, DemandAccountID: demand.ID, ProductCode: r.ProductCode, Terms: terms,
		Funding: r.Principal.Amount, FundingNote: fundingNote(terms), FundedOn: terms.Start,
		Status: TimeDepositPending, IdempotencyKey: key, CreatedAt: e.clock.Now(),
	})
	if err != nil {
		return TimeDepositReceipt{}, err
	}
	if replayed && !r.opened(rec) {
		return TimeDepositReceipt{}, fmt.Errorf("%w: time deposit key %q", ledger.ErrIdempotencyConflict, key)
	}
	// The funding transfer as first made, whatever has happened to the
	// deposit since (records from before Funding was kept: as they stand).
	funded, note, on := rec.Terms.Principal, fundingNote(rec.Terms), rec.Terms.Start
	if !rec.Funding.IsZero() {
		funded.Amount, note, on = rec.Funding, rec.FundingNote, rec.FundedOn
	}
	funding, err := e.svc.Transfer(ctx, ledger.TransferRequest{
		FromAccountID: demand.ID, ToAccountID: rec.ID, Amount: funded, Description: note,
		Metadata: map[string]string{"time_deposit": rec.ID.String()}, ValueDate: on,
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
// without one) for the days held, on the deposit's demand day count
// (interest.TermRules), not at the deposit's own rate, and the entry's
// description says so, so the customer's statement shows it. A deposit
// held at maturity is paid out as it stands, with interest at that demand
// rate for the days since maturity when its rules say so (AfterMaturity).
// It returns the closure and the entry that paid it.
func (e *Service) CloseTimeDepositEarly(ctx context.Context, id ledger.ID) (interest.Closure, ledger.Receipt, error) {
	if id == ledger.NilID {
		return interest.Closure{}, ledger.Receipt{}, invalid("time_deposit_id", "is required")
	}
	td, err := e.deposit(ctx, id)
	if err != nil {
		return interest.Closure{}, ledger.Receipt{}, err
	}
	today, err := e.svc.BusinessDate(ctx)
	if err != nil {
		return interest.Closure{}, ledger.Receipt{}, err
	}
	var closure interest.Closure
	var out money.Money // what leaves the deposit account
	switch td.Status {
	case TimeDepositOpen:
		rate, err := e.demandRate(ctx, td.DemandAccountID, today)
		if err != nil {
			return interest.Closure{}, ledger.Receipt{}, err
		}
		if closure, err = td.Terms.EarlyClosure(today, rate); err != nil {
			return interest.Closure{}, ledger.Receipt{}, invalidAs(ErrTimeDepositState, "time_deposit_id", err.Error())
		}
		if out, err = closure.Payout.Sub(closure.Interest); err != nil {
			return interest.Closure{}, ledger.Receipt{}, err
		}
	case TimeDepositHeld:
		a, err := e.svc.Account(ctx, id)
		if err != nil {
			return interest.Closure{}, ledger.Receipt{}, err
		}
		late, days, err := e.afterMaturity(ctx, td, today)
		if err != nil {
			return interest.Closure{}, ledger.Receipt{}, err
		}
		payout, err := a.Balance.Add(late)
		if err != nil {
			return interest.Closure{}, ledger.Receipt{}, err
		}
		closure = interest.Closure{Date: today, DaysHeld: today.DaysSince(td.Terms.Start),
			Interest: late, Forgone: money.Zero(a.Currency), Payout: payout,
			Note: "Paid out after maturity on instruction."}
		if late.IsPositive() {
			closure.Note = fmt.Sprintf("Paid out after maturity on instruction, with %s interest at the demand-deposit rate for %d days since maturity on %s.",
				late, days, td.Terms.Maturity())
		}
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
// instruction for its own maturity. The days since maturity earn the
// demand rate first when the deposit's rules say so (AfterMaturity),
// paid into the deposit; no other money moves: it is already in the
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
	td, err := e.deposit(ctx, id)
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
	terms := td.Terms
	terms.TermMonths, terms.Start, terms.Instruction, terms.PartsWithdrawn = termMonths, today, instruction, 0
	if termMonths < 1 || termMonths > interest.MaxTermMonths {
		return TimeDeposit{}, invalid("term_months", fmt.Sprintf("must be 1 to %d", interest.MaxTermMonths))
	}
	if !instruction.Valid() {
		return TimeDeposit{}, invalid("instruction", fmt.Sprintf("%s is not a maturity instruction", instruction))
	}
	// The days since maturity earn the demand rate, paid into the deposit
	// first (keyed by the maturity, so a retry pays them once).
	late, days, err := e.afterMaturity(ctx, td, today)
	if err != nil {
		return TimeDeposit{}, err
	}
	principal := a.Balance // what the deposit holds
	if late.IsPositive() {
		// Worked out, not read: a retry after the interest was paid in
		// (on the same business date) renews the same principal.
		held, err := e.heldAmount(td)
		if err != nil {
			return TimeDeposit{}, err
		}
		if principal, err = held.Add(late); err != nil {
			return TimeDeposit{}, err
		}
	}
	rate, err := creditRate(p, today, principal.Amount)
	if err != nil {
		return TimeDeposit{}, invalid("product", err.Error())
	}
	terms.Principal, terms.Rate = principal, rate
	if err := terms.Validate(); err != nil {
		return TimeDeposit{}, invalid("terms", err.Error())
	}
	if late.IsPositive() {
		desc := fmt.Sprintf("Interest after maturity on %s: %d days at the demand-deposit rate", td.Terms.Maturity(), days)
		if _, err := e.payInterest(ctx, td, "after-maturity/"+td.Terms.Maturity().String(), today, td.ID, late, desc); err != nil {
			return TimeDeposit{}, err
		}
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

// heldAmount is what a deposit held at maturity holds: its principal and
// the term's interest, paid into it at maturity. It is worked out from the
// terms, not read from the balance, so that a retried renewal computes the
// interest after maturity it computed the first time.
func (e *Service) heldAmount(td TimeDeposit) (money.Money, error) {
	due, err := td.Terms.Interest()
	if err != nil {
		return money.Money{}, invalid("terms", err.Error())
	}
	return td.Terms.Principal.Add(due)
}

// afterMaturity is a held deposit's interest at the demand rate on day
// for the days since its maturity (zero unless its rules pay it), and the
// number of those days.
func (e *Service) afterMaturity(ctx context.Context, td TimeDeposit, day calendar.Date) (money.Money, int, error) {
	held, err := e.heldAmount(td)
	if err != nil {
		return money.Money{}, 0, err
	}
	if !td.Terms.Rules.AfterMaturity || !day.After(td.Terms.Maturity()) {
		return money.Zero(held.Currency), 0, nil
	}
	rate, err := e.demandRate(ctx, td.DemandAccountID, day)
	if err != nil {
		return money.Money{}, 0, err
	}
	late, err := td.Terms.AfterMaturity(held, day, rate)
	if err != nil {
		return money.Money{}, 0, invalid("terms", err.Error())
	}
	return late, day.DaysSince(td.Terms.Maturity()), nil
}

// WithdrawTimeDepositPart takes amount out of an open deposit before
// maturity, on the business date, when the deposit's rules allow a
// partial withdrawal (interest.TermRules): the amount is paid to the
// demand account with interest on it at the demand account's rate of the
// day for the days held, and the rest keeps its rate and maturity. The
// entry is keyed by the deposit and the withdrawal's number in the term
// and recorded as pending before it posts, so a crash between the entry
// and the record is finished by whatever is asked of the deposit next
// (PendingOperation), without paying twice.
//
// Errors: ErrNotFound; ErrTimeDepositState unless the deposit is open and
// before maturity; interest.ErrPartLimit when the term's partial
// withdrawals are used up; ErrInvalidInput naming "amount" when it would
// leave less than the product's minimum remaining (or nothing: close the
// deposit instead).
func (e *Service) WithdrawTimeDepositPart(ctx context.Context, id ledger.ID, amount money.Money) (interest.PartWithdrawal, ledger.Receipt, error) {
	if id == ledger.NilID {
		return interest.PartWithdrawal{}, ledger.Receipt{}, invalid("time_deposit_id", "is required")
	}
	if err := ledger.ValidateAmount("amount", amount); err != nil {
		return interest.PartWithdrawal{}, ledger.Receipt{}, err
	}
	td, err := e.deposit(ctx, id)
	if err != nil {
		return interest.PartWithdrawal{}, ledger.Receipt{}, err
	}
	if td.Status != TimeDepositOpen {
		return interest.PartWithdrawal{}, ledger.Receipt{}, fmt.Errorf("%w: time deposit %s is %s", ErrTimeDepositState, id, td.Status)
	}
	if amount.Currency != td.Terms.Principal.Currency {
		return interest.PartWithdrawal{}, ledger.Receipt{}, fmt.Errorf("%w: time deposit %s is in %s, not %s", ledger.ErrCurrencyMismatch, id, td.Terms.Principal.Currency, amount.Currency)
	}
	today, err := e.svc.BusinessDate(ctx)
	if err != nil {
		return interest.PartWithdrawal{}, ledger.Receipt{}, err
	}
	if !today.Before(td.Terms.Maturity()) {
		return interest.PartWithdrawal{}, ledger.Receipt{}, fmt.Errorf("%w: time deposit %s matures on %s", ErrTimeDepositState, id, td.Terms.Maturity())
	}
	rate, err := e.demandRate(ctx, td.DemandAccountID, today)
	if err != nil {
		return interest.PartWithdrawal{}, ledger.Receipt{}, err
	}
	pw, err := td.Terms.WithdrawPart(today, amount, rate)
	if err != nil {
		var fe *fault.FieldError
		if errors.As(err, &fe) && fe.Field == "amount" {
			return interest.PartWithdrawal{}, ledger.Receipt{}, invalid("amount", fe.Reason)
		}
		return interest.PartWithdrawal{}, ledger.Receipt{}, err
	}
	c := amount.Currency
	op := PendingOperation{What: fmt.Sprintf("part/%s/%d", td.Terms.Start, pw.Remaining.PartsWithdrawn), Date: today,
		Out: pw.Amount, Interest: pw.Interest, In: money.Zero(c), Note: pw.Note, Terms: pw.Remaining}
	_, receipt, err := e.operate(ctx, td, op)
	if err != nil {
		return interest.PartWithdrawal{}, ledger.Receipt{}, err
	}
	return pw, receipt, nil
}

// requestField renames a field error of interest.TimeDeposit.Validate to
// the request's field, as the JSON API spells it.
func requestField(err error) error {
	var fe *fault.FieldError
	if !errors.As(err, &fe) {
		return invalid("terms", err.Error())
	}
	names := map[string]string{"Principal": "principal", "Instruction": "instruction", "TermMonths": "term_months", "Instalment": "principal"}
	if name, ok := names[fe.Field]; ok {
		return invalid(name, fe.Reason)
	}
	return invalid("product", fe.Field+": "+fe.Reason)
}

// deposit reads a deposit for an operation, finishing first an earlier
// operation a crash interrupted.
func (e *Service) deposit(ctx context.Context, id ledger.ID) (TimeDeposit, error) {
	td, err := e.store.TimeDeposit(ctx, id)
	if err != nil {
		return TimeDeposit{}, err
	}
	return e.settlePending(ctx, td)
}

// fundingNote describes a deposit's funding transfer on the statement.
func fundingNote(t interest.TimeDeposit) string {
	switch k := t.Rules.Kind; {
	case k.OpenEnded():
		return fmt.Sprintf("Time deposit (%s) at %s%%", k, t.Rate.Shift(2))
	case k != interest.LumpSum:
		return fmt.Sprintf("Time deposit (%s) %d months at %s%%", k, t.TermMonths, t.Rate.Shift(2))
	}
	return fmt.Sprintf("Time deposit %d months at %s%%", t.TermMonths, t.Rate.Shift(2))
}
