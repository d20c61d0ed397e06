package ledger

import (
	"fmt"

	"github.com/bankkit/bankkit/money"
	"github.com/shopspring/decimal"
)

// Apply is the business rule of posting, shared by every store so that all
// of them refuse the same entries with the same errors. A store calls it
// while it holds the locks on the entry's accounts (and hold):
//
//   - moves is e.Movements(); accounts are the accounts of moves, in the
//     same order, as they stand now, with Balance and Held.
//   - hold is the hold a capture consumes, nil for other kinds.
//
// Apply checks, in this order: the capture's hold is active and belongs to
// a debited account (ErrHoldNotActive) that it covers (ErrInvalidInput);
// then for each account in order, its
// currency (ErrCurrencyMismatch), its status (ErrAccountClosed,
// ErrTimeDepositLocked for a debit to a time deposit other than by a journal
// entry, ErrAccountFrozen, ErrAccountDormant), the bounds of its balance
// (ErrBalanceLimit) and its balance policy (ErrInsufficientFunds). Only if
// every check passes does it write the new Balance and Held into accounts
// and the captured state into hold.
//
// The bounds keep every balance within what the books carry. A customer's
// own posting (a deposit, withdrawal, transfer or capture) may not take a
// balance beyond money.MaxAmount, nor further once it is beyond; the bank's
// own entries (journal entries: interest, a time deposit's payout, a
// payment returned) and reversals may take it up to money.Capacity, so the
// interest on a balance at MaxAmount is always paid. Nothing takes a
// balance past Capacity; a posting that brings a balance nearer zero is
// never refused for its size, so an account beyond a bound (written before
// the bounds existed) can still be drawn down. The available balance needs
// no bound of its own: it is the balance less holds plus an overdraft
// limit, itself at most MaxAmount.
//
// Reversals are corrections of the bank's own records: they are refused on
// a closed account but ignore freezes, dormancy and the balance policy (a
// reversed deposit that was already spent leaves the account overdrawn,
// which is the truth the bank must then collect).
//
// An account whose policy is unchecked is never refused for its balance, so
// a store that keeps no running balance for it may pass any Balance and
// ignore the one written back.
func Apply(e Entry, moves []Movement, accounts []Account, hold *Hold) error {
	if len(moves) != len(accounts) {
		return fmt.Errorf("ledger: Apply got %d accounts for %d movements", len(accounts), len(moves))
	}
	released := decimal.Zero
	holdAt := -1
	if hold != nil {
		if !hold.activeAt(e.BookedAt) {
			if hold.Status == HoldActive {
				return &holdError{id: hold.ID, status: HoldExpired}
			}
			return holdNotActive(*hold)
		}
		for i, m := range moves {
			if m.AccountID == hold.AccountID && m.Change(accounts[i].NormalSide).IsNegative() {
				holdAt = i
			}
		}
		if holdAt < 0 {
			return fmt.Errorf("%w: the capture does not debit the hold's account", ErrHoldNotActive)
		}
		if moves[holdAt].decrease(accounts[holdAt].NormalSide).GreaterThan(hold.Amount.Amount) {
			return invalid("amount", fmt.Sprintf("the capture exceeds the hold of %s", hold.Amount))
		}
		released = hold.Amount.Amount
	}
	for i, m := range moves {
		a := &accounts[i]
		if a.ID != m.AccountID {
			return fmt.Errorf("ledger: Apply got account %s for movement on %s", a.ID, m.AccountID)
		}
		rel := decimal.Zero
		if i == holdAt {
			rel = released
		}
		if err := admit(a, m, e.Kind, rel); err != nil {
			return err
		}
	}
	for i, m := range moves {
		a := &accounts[i]
		a.Balance.Amount = m.ApplyTo(a.Balance.Amount, a.NormalSide)
		if i == holdAt {
			a.Held.Amount = subDec(a.Held.Amount, released)
			hold.Status = HoldCaptured
			hold.ClosedAt = e.BookedAt
			hold.CaptureEntryID = e.ID
			hold.Captured = hold.Amount
			hold.Captured.Amount = m.Change(a.NormalSide).Neg()
		}
	}
	return nil
}

// admit checks one account's movement; rel is the amount of the account's
// holds the entry releases.
func admit(a *Account, m Movement, kind EntryKind, rel decimal.Decimal) error {
	if m.Currency != a.Currency {
		return fmt.Errorf("%w: account %s is in %s, not %s", ErrCurrencyMismatch, a.Number, a.Currency, m.Currency)
	}
	if a.Status == StatusClosed {
		return fmt.Errorf("%w: %s", ErrAccountClosed, a.Number)
	}
	if kind == KindReversal {
		return withinBounds(a, m, kind)
	}
	debits := m.Debits.IsPositive()
	switch {
	case a.Product == ProductTime && debits && kind != KindJournal:
		// Maturity and early closure post journal entries; nothing else
		// takes money out of a time deposit before its term.
		return fmt.Errorf("%w: %s", ErrTimeDepositLocked, a.Number)
	case a.Status == StatusFrozen:
		return fmt.Errorf("%w: %s is frozen", ErrAccountFrozen, a.Number)
	case a.Status == StatusFrozenDebits && debits:
		return fmt.Errorf("%w: %s is frozen for debits", ErrAccountFrozen, a.Number)
	case a.Status == StatusDormant && debits:
		return fmt.Errorf("%w: %s", ErrAccountDormant, a.Number)
	}
	if !a.Policy.Checked() {
		return nil
	}
	if err := withinBounds(a, m, kind); err != nil {
		return err
	}
	decrease := m.decrease(a.NormalSide)
	if !decrease.IsPositive() {
		return nil
	}
	// available + rel >= decrease, with the terms that are zero skipped.
	avail := addDec(subDec(addDec(a.Balance.Amount, a.Policy.Limit), a.Held.Amount), rel)
	if avail.Cmp(decrease) < 0 {
		return fmt.Errorf("%w: %s has %s %s available", ErrInsufficientFunds, a.Number,
			avail.StringFixed(a.Currency.MinorUnits()), a.Currency)
	}
	return nil
}

// withinBounds checks that the movement leaves a checked account's balance
// within the bounds of its kind of entry (see Apply). An unchecked
// account's balance is the bank's own position, which a store may not even
// keep in one place, and is not bounded.
func withinBounds(a *Account, m Movement, kind EntryKind) error {
	if !a.Policy.Checked() {
		return nil
	}
	maxAmount := money.MaxAmount(a.Currency)
	if small(maxAmount, a.Balance.Amount, m.Credits, m.Debits) {
		return nil // far from any bound: no arithmetic
	}
	after := m.ApplyTo(a.Balance.Amount, a.NormalSide)
	if !after.Abs().GreaterThan(a.Balance.Amount.Abs()) {
		return nil // the bounds stop a balance growing, never shrinking
	}
	limit := money.Capacity(a.Currency)
	if kind != KindJournal && kind != KindReversal {
		limit = maxAmount
	}
	if exceeds(after, limit) {
		return fmt.Errorf("%w: %s would hold %s %s, beyond %s", ErrBalanceLimit, a.Number,
			after.StringFixed(a.Currency.MinorUnits()), a.Currency, limit)
	}
	return nil
}

// small reports whether a balance and a movement's credits and debits each
// have fewer digits before the point than bound (of the form 10^k less a
// minor unit, as money.MaxAmount): then the balance they make is below
// 3×10^(k-1), and within bound.
func small(bound money.Money, balance, credits, debits decimal.Decimal) bool {
	k := bound.Amount.NumDigits() + int(bound.Amount.Exponent())
	for _, d := range [...]decimal.Decimal{balance, credits, debits} {
		if !d.IsZero() && d.NumDigits()+int(d.Exponent()) >= k {
			return false
		}
	}
	return true
}

// AdmitHold checks that account a, as it stands, may take hold h: the store
// calls it under the account's lock. The account must be active and in the
// hold's currency, and its available balance must cover the amount.
// On success it adds the amount to a.Held.
func AdmitHold(a *Account, h Hold) error {
	if h.Amount.Currency != a.Currency {
		return fmt.Errorf("%w: account %s is in %s, not %s", ErrCurrencyMismatch, a.Number, a.Currency, h.Amount.Currency)
	}
	if a.Product == ProductTime {
		return fmt.Errorf("%w: %s", ErrTimeDepositLocked, a.Number)
	}
	switch a.Status {
	case StatusClosed:
		return fmt.Errorf("%w: %s", ErrAccountClosed, a.Number)
	case StatusFrozen, StatusFrozenDebits:
		return fmt.Errorf("%w: %s", ErrAccountFrozen, a.Number)
	case StatusDormant:
		return fmt.Errorf("%w: %s", ErrAccountDormant, a.Number)
	}
	if a.Policy.Checked() && a.Available().Amount.LessThan(h.Amount.Amount) {
		return fmt.Errorf("%w: %s has %s available", ErrInsufficientFunds, a.Number, a.Available())
	}
	a.Held.Amount = a.Held.Amount.Add(h.Amount.Amount)
	return nil
}
