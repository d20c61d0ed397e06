package ledger

import (
	"context"
	"fmt"
	"slices"
	"time"
)

// Rebinding: a class II or III account's bound accounts change after
// opening, when the owner moves the account they pay freely to (their class
// I account closed, or they hold one in another branch of the bank now).
// Each change is kept with who made it and when (BindingChange), so the
// account's binding history is an audit trail of its own, whoever asked:
// the bank's staff or the customer.

// RebindRequest replaces the bound accounts of a class II or III account.
type RebindRequest struct {
	AccountID ID
	// BoundAccountIDs are the new bound accounts, as at opening: open
	// demand accounts of the same owner and currency that are not class II
	// or III themselves, at most MaxBoundAccounts; empty unbinds the
	// account.
	BoundAccountIDs []ID
	// By names who asked (the reference server: "staff/<identity>" or
	// "customer/<id>"); required, kept with the change.
	By string
}

// BindingChange is one change of an account's bound accounts: of those in
// this bank (From, To) or, with External, of those at other banks
// (FromExternal, ToExternal; BindExternal). A store records both lists as
// they were and became, the one the change leaves alone the same in each.
type BindingChange struct {
	AccountID                ID
	From, To                 []ID
	External                 bool
	FromExternal, ToExternal []ExternalAccount
	By                       string
	At                       time.Time
}

// MaxBindingBy bounds BindingChange.By, in bytes.
const MaxBindingBy = 200

// Rebind replaces the bound accounts of a class II or III account. The new
// bound accounts are checked as at opening (read, not locked); the account
// itself is checked under its lock, so no posting from it interleaves: a
// posting before the change counts against its limits by the old binding,
// one after by the new. Rebinding to the accounts it has already changes
// nothing and records nothing.
// Errors: ErrNotFound, ErrInvalidInput (a field named: class,
// bound_account_ids[i], by), ErrAccountClosed.
func (s *Service) Rebind(ctx context.Context, r RebindRequest) (Account, error) {
	if err := validBinding(r.AccountID, r.By); err != nil {
		return Account{}, err
	}
	if len(r.BoundAccountIDs) > MaxBoundAccounts {
		return Account{}, invalid("bound_account_ids", fmt.Sprintf("at most %d", MaxBoundAccounts))
	}
	a, err := s.bindable(ctx, r.AccountID)
	if err != nil {
		return Account{}, err
	}
	// The checks of opening, on the account as it stands.
	probe := a
	probe.Bound = slices.Clone(r.BoundAccountIDs)
	for i, id := range probe.Bound {
		field := fmt.Sprintf("bound_account_ids[%d]", i)
		switch {
		case id == a.ID:
			return Account{}, invalid(field, "an account is not bound to itself")
		case slices.Contains(probe.Bound[:i], id):
			return Account{}, invalid(field, "is named twice")
		}
	}
	if err := s.checkBound(ctx, &probe); err != nil {
		return Account{}, err
	}
	change := BindingChange{AccountID: a.ID, To: probe.Bound, By: r.By, At: s.clock.Now()}
	return s.store.RebindAccount(ctx, change, stillBindable)
}

// validBinding checks what every change of binding names: the account and
// who changes it.
func validBinding(account ID, by string) error {
	switch {
	case account == NilID:
		return invalid("account_id", "is required")
	case by == "":
		return invalid("by", "is required")
	case len(by) > MaxBindingBy:
		return invalid("by", fmt.Sprintf("is longer than %d bytes", MaxBindingBy))
	}
	return nil
}

// bindable reads the account whose binding is to change: only class II
// and III accounts have bound accounts.
func (s *Service) bindable(ctx context.Context, id ID) (Account, error) {
	a, err := s.store.Account(ctx, id)
	if err != nil {
		return Account{}, err
	}
	if !a.Class.limited() {
		return Account{}, invalid("class", fmt.Sprintf("only class II and III accounts have bound accounts; %s is %s", a.Number, classWord(a.Class)))
	}
	return a, nil
}

// stillBindable checks the account again as it stands under its lock,
// where the store applies the change.
func stillBindable(current Account) error {
	switch {
	case current.Status == StatusClosed:
		return fmt.Errorf("%w: %s", ErrAccountClosed, current.Number)
	case !current.Class.limited():
		return invalid("class", "only class II and III accounts have bound accounts")
	}
	return nil
}

// Bindings returns the changes of the account's bound accounts, oldest
// first (the binding at opening is the account's Bound before the first).
// Errors: ErrNotFound.
func (s *Service) Bindings(ctx context.Context, accountID ID) ([]BindingChange, error) {
	if accountID == NilID {
		return nil, invalid("account_id", "is required")
	}
	return s.store.Bindings(ctx, accountID)
}

func classWord(c Class) string {
	if c == ClassNone {
		return "unclassified"
	}
	return "class " + string(c)
}
