package ledger

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/text"
)

// numberAttempts bounds the redraws after an account-number collision.
const numberAttempts = 8

// OpenAccount opens a customer account (demand, time or loan) with a new
// account number and a zero balance, active from the business date.
func (s *Service) OpenAccount(ctx context.Context, r OpenAccountRequest) (Account, error) {
	switch {
	case r.OwnerID == "":
		return Account{}, invalid("owner_id", "is required")
	case r.Product == ProductInternal:
		return Account{}, invalid("product", "internal accounts come from SetupChart")
	case !r.Product.Valid():
		return Account{}, invalid("product", fmt.Sprintf("unknown product %q", r.Product))
	case !r.Currency.Valid():
		return Account{}, invalid("currency", fmt.Sprintf("unknown currency %q", r.Currency))
	}
	key, err := scopedKey(scopeAccount, r.IdempotencyKey)
	if err != nil {
		return Account{}, err
	}
	a := Account{
		OwnerID:     r.OwnerID,
		Product:     r.Product,
		Currency:    r.Currency,
		NormalSide:  r.Product.NormalSide(),
		Status:      StatusActive,
		Policy:      r.Policy.normalized(),
		Class:       r.Class,
		Bound:       slices.Clone(r.BoundAccountIDs),
		ExternalRef: r.ExternalRef,
	}
	if err := r.ExternalRef.Validate("external_ref"); err != nil {
		return Account{}, err
	}
	if err := s.classOf(ctx, &a); err != nil {
		return Account{}, err
	}
	return s.createAccount(ctx, a, key, r.fingerprint())
}

// classOf fills in the limits of a class II or III account from the
// class rules and checks its bound accounts: each an open demand account
// of the same owner and currency, not itself class II or III. A bound
// account is read, not locked: an account closed afterwards only stops
// receiving. Rebind changes the binding later.
func (s *Service) classOf(ctx context.Context, a *Account) error {
	if !a.Class.Valid() {
		return invalid("class", fmt.Sprintf("unknown class %q (I, II or III)", a.Class))
	}
	if a.Class != ClassNone && a.Product != ProductDemand {
		return invalid("class", "only demand accounts carry a class")
	}
	if !a.Class.limited() {
		if len(a.Bound) > 0 {
			return invalid("bound_account_ids", "only class II and III accounts have bound accounts")
		}
		return nil
	}
	a.Limits = s.classRules[a.Class][a.Currency]
	if len(a.Bound) > MaxBoundAccounts {
		return invalid("bound_account_ids", fmt.Sprintf("at most %d", MaxBoundAccounts))
	}
	return s.checkBound(ctx, a)
}

// checkBound checks the bound accounts of a class II or III account a:
// each an open demand account of the same owner and currency, not itself
// class II or III (read, not locked).
func (s *Service) checkBound(ctx context.Context, a *Account) error {
	for i, id := range a.Bound {
		field := fmt.Sprintf("bound_account_ids[%d]", i)
		if id == NilID {
			return invalid(field, "is required")
		}
		b, err := s.store.Account(ctx, id)
		if errors.Is(err, ErrNotFound) {
			return invalid(field, "no such account")
		}
		if err != nil {
			return err
		}
		switch {
		case b.OwnerID != a.OwnerID:
			return invalid(field, "must be an account of the same owner")
		case b.Product != ProductDemand || b.Currency != a.Currency:
			return invalid(field, fmt.Sprintf("must be a demand account in %s", a.Currency))
		case b.Class.limited():
			return invalid(field, "a class II or III account is bound to a class I account, not to another")
		case b.Status == StatusClosed:
			return invalid(field, "is closed")
		}
	}
	return nil
}

// createAccount fills in the ID, number and dates and stores a, drawing a
// new number on a collision.
func (s *Service) createAccount(ctx context.Context, a Account, key string, fp Fingerprint) (Account, error) {
	opened, err := s.BusinessDate(ctx)
	if err != nil {
		return Account{}, err
	}
	a.OpenedOn = opened
	a.CreatedAt = s.clock.Now()
	a.Balance, a.Held = money.Zero(a.Currency), money.Zero(a.Currency)
	for range numberAttempts {
		a.ID = NewID()
		a.Number = newAccountNumber(s.prefix)
		if err := a.Validate(); err != nil {
			return Account{}, err
		}
		created, _, err := s.store.CreateAccount(ctx, a, key, fp)
		if errors.Is(err, ErrDuplicate) && a.Code == "" {
			continue // a number collision: draw again
		}
		return created, err
	}
	return Account{}, fmt.Errorf("%w: no free account number after %d draws", ErrDuplicate, numberAttempts)
}

// SetupChart creates the internal accounts of the DefaultChart in currency c, the
// bank's side of every entry in c. It is idempotent: accounts that exist
// are kept, and concurrent calls create each account once. It returns the
// chart's accounts in DefaultChart order.
func (s *Service) SetupChart(ctx context.Context, c money.Currency) ([]Account, error) {
	if !c.Valid() {
		return nil, invalid("currency", fmt.Sprintf("unknown currency %q", c))
	}
	accounts := make([]Account, 0, len(defaultChart))
	for _, ca := range defaultChart {
		a, err := s.EnsureChartAccount(ctx, c, ca)
		if err != nil {
			return nil, err
		}
		accounts = append(accounts, a)
	}
	return accounts, nil
}

// EnsureChartAccount returns the internal account of ca in currency c,
// creating it first if the chart has none: how a subsystem adds an account
// of its own to the chart (end of day's tax payable). Concurrent calls
// create it once.
func (s *Service) EnsureChartAccount(ctx context.Context, c money.Currency, ca ChartAccount) (Account, error) {
	if !ca.NormalSide.Valid() {
		return Account{}, invalid("normal_side", fmt.Sprintf("must be debit or credit, not %q", ca.NormalSide))
	}
	a, err := s.ChartAccount(ctx, c, ca.Code)
	if !errors.Is(err, ErrNotFound) {
		return a, err
	}
	a, err = s.createAccount(ctx, Account{
		Code: ca.Code, Product: ProductInternal, Currency: c,
		NormalSide: ca.NormalSide, Status: StatusActive, Policy: Unchecked(),
	}, scopeChart+"/"+string(c)+"/"+ca.Code, newFingerprinter(scopeChart).str(string(c)).str(ca.Code).sum())
	if errors.Is(err, ErrDuplicate) { // created meanwhile under another key
		return s.ChartAccount(ctx, c, ca.Code)
	}
	if err != nil {
		return Account{}, err
	}
	s.chart.Store(chartKey{c, ca.Code}, a.ID)
	return a, nil
}

// ChartAccount returns the internal account with the chart code in
// currency c. It is ErrNotFound until SetupChart(c) has run.
func (s *Service) ChartAccount(ctx context.Context, c money.Currency, code string) (Account, error) {
	if id, ok := s.chart.Load(chartKey{c, code}); ok {
		return s.store.Account(ctx, id.(ID))
	}
	if !c.Valid() {
		return Account{}, invalid("currency", fmt.Sprintf("unknown currency %q", c))
	}
	if code == "" {
		return Account{}, invalid("code", "is required")
	}
	if err := text.Line(ErrInvalidInput, "code", code); err != nil {
		return Account{}, err
	}
	found, err := s.store.ListAccounts(ctx, AccountFilter{Product: ProductInternal, Currency: c, Code: code, Limit: 1})
	if err != nil {
		return Account{}, err
	}
	if len(found) == 0 {
		return Account{}, fmt.Errorf("%w: no %s account in %s (run SetupChart)", ErrNotFound, code, c)
	}
	s.chart.Store(chartKey{c, code}, found[0].ID)
	return found[0], nil
}

// ChartAccountID is ChartAccount's ID, read from the store only the first
// time: for a caller that posts to chart accounts on every entry and needs
// no balance.
func (s *Service) ChartAccountID(ctx context.Context, c money.Currency, code string) (ID, error) {
	if id, ok := s.chart.Load(chartKey{c, code}); ok {
		return id.(ID), nil
	}
	a, err := s.ChartAccount(ctx, c, code)
	return a.ID, err
}

// Freeze stops postings to a customer account: to Status StatusFrozen
// (nothing moves) or StatusFrozenDebits (credits still arrive). Freezing a
// frozen account changes its kind of freeze.
func (s *Service) Freeze(ctx context.Context, id ID, to Status) (Account, error) {
	if to != StatusFrozen && to != StatusFrozenDebits {
		return Account{}, invalid("status", "freeze to frozen or frozen_debits")
	}
	return s.changeStatus(ctx, id, to)
}

// Unfreeze makes a frozen or dormant account active again. An active
// account stays as it is.
func (s *Service) Unfreeze(ctx context.Context, id ID) (Account, error) {
	return s.changeStatus(ctx, id, StatusActive)
}

// MarkDormant marks an active account dormant: it keeps taking credits, but
// debits wait until Unfreeze reactivates it.
func (s *Service) MarkDormant(ctx context.Context, id ID) (Account, error) {
	return s.changeStatus(ctx, id, StatusDormant)
}

// Close closes an account for good. It needs a zero balance and no active
// holds (ErrAccountNotEmpty). Closing a closed account returns it.
func (s *Service) Close(ctx context.Context, id ID) (Account, error) {
	return s.changeStatus(ctx, id, StatusClosed)
}

func (s *Service) changeStatus(ctx context.Context, id ID, to Status) (Account, error) {
	if id == NilID {
		return Account{}, invalid("account_id", "is required")
	}
	return s.store.UpdateAccount(ctx, id, func(a Account) (Account, error) {
		return a.withStatus(to)
	})
}

// withStatus is the account life cycle: which status changes are allowed.
func (a Account) withStatus(to Status) (Account, error) {
	if a.Status == to {
		return a, nil
	}
	switch {
	case a.Product == ProductInternal:
		return a, invalid("account_id", "the status of an internal account does not change")
	case a.Status == StatusClosed:
		return a, fmt.Errorf("%w: %s", ErrAccountClosed, a.Number)
	case to == StatusDormant && a.Status != StatusActive:
		return a, fmt.Errorf("%w: only an active account becomes dormant, %s is %s", ErrAccountFrozen, a.Number, a.Status)
	case to == StatusClosed && (!a.Balance.IsZero() || !a.Held.IsZero()):
		return a, fmt.Errorf("%w: %s has balance %s and holds %s", ErrAccountNotEmpty, a.Number, a.Balance, a.Held)
	}
	a.Status = to
	return a, nil
}
