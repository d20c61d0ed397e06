package memledger

import (
	"context"
	"fmt"
	"slices"

	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
)

// CreateAccount implements ledger.Store.
func (s *Store) CreateAccount(ctx context.Context, a ledger.Account, key string, fp ledger.Fingerprint) (ledger.Account, bool, error) {
	if err := ctx.Err(); err != nil {
		return ledger.Account{}, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if key != "" {
		if k, ok := s.accountKeys[key]; ok {
			if k.fp != fp {
				return ledger.Account{}, false, fmt.Errorf("%w: account key %q", ledger.ErrIdempotencyConflict, key)
			}
			return s.accounts[k.id].Account, true, nil
		}
	}
	if err := a.Validate(); err != nil {
		return ledger.Account{}, false, err
	}
	if _, ok := s.accounts[a.ID]; ok {
		return ledger.Account{}, false, fmt.Errorf("%w: account id %s", ledger.ErrDuplicate, a.ID)
	}
	if _, ok := s.byNumber[a.Number]; ok {
		return ledger.Account{}, false, fmt.Errorf("%w: account number %s", ledger.ErrDuplicate, a.Number)
	}
	ck := chartKey{a.Currency, a.Code}
	if a.Code != "" {
		if _, ok := s.byChart[ck]; ok {
			return ledger.Account{}, false, fmt.Errorf("%w: chart account %s in %s", ledger.ErrDuplicate, a.Code, a.Currency)
		}
	}
	if !a.ExternalRef.IsZero() {
		if id, ok := s.accountRefs[a.ExternalRef]; ok {
			return ledger.Account{}, false, ledger.RefTaken("account", a.ExternalRef, id)
		}
	}
	if a.Class == ledger.ClassI {
		if held, ok := s.classOne[classOneKey{a.OwnerID, a.Currency}]; ok && held.Status != ledger.StatusClosed {
			return ledger.Account{}, false, fmt.Errorf("%w: %s holds %s in %s", ledger.ErrClassOneHeld, a.OwnerID, held.Number, a.Currency)
		}
	}
	if len(s.accountList) >= sideCredit {
		return ledger.Account{}, false, fmt.Errorf("memledger: the store holds its maximum of %d accounts", sideCredit)
	}
	a.Balance, a.Held = money.Zero(a.Currency), money.Zero(a.Currency)
	a.Bound = slices.Clone(a.Bound)
	opened, err := ledger.AccountOpenedEvent(withCreatedAt(a))
	if err != nil {
		return ledger.Account{}, false, err
	}
	acct := &account{Account: a, index: uint32(len(s.accountList))}
	if a.Class == ledger.ClassI {
		s.classOne[classOneKey{a.OwnerID, a.Currency}] = acct
	}
	if !a.ExternalRef.IsZero() {
		s.accountRefs[a.ExternalRef] = a.ID
	}
	s.accounts[a.ID] = acct
	s.accountList = append(s.accountList, acct)
	s.byNumber[a.Number] = acct
	if a.Code != "" {
		s.byChart[ck] = acct
	}
	i, _ := slices.BinarySearchFunc(s.accountIDs, a.ID, ledger.CompareIDs)
	s.accountIDs = slices.Insert(s.accountIDs, i, a.ID)
	if key != "" {
		s.accountKeys[key] = keyed{fp: fp, id: a.ID}
	}
	s.publish(opened)
	return a, false, nil
}

// withCreatedAt is a with a creation time: the Service sets one; a caller
// of the Store that did not gets the time it was kept.
func withCreatedAt(a ledger.Account) ledger.Account {
	if a.CreatedAt.IsZero() {
		a.CreatedAt = now()
	}
	return a
}

// UpdateAccount implements ledger.Store.
func (s *Store) UpdateAccount(ctx context.Context, id ledger.ID, fn func(ledger.Account) (ledger.Account, error)) (ledger.Account, error) {
	if err := ctx.Err(); err != nil {
		return ledger.Account{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	acct, ok := s.accounts[id]
	if !ok {
		return ledger.Account{}, notFound("account", id)
	}
	updated, err := fn(acct.Account)
	if err != nil {
		return ledger.Account{}, err
	}
	if !updated.Status.Valid() {
		return ledger.Account{}, fault.Field(ledger.ErrInvalidInput, "status", fmt.Sprintf("unknown status %q", updated.Status))
	}
	if updated.Status != acct.Status {
		next := acct.Account
		next.Status = updated.Status
		changed, err := ledger.AccountStatusChangedEvent(next, acct.Status, now())
		if err != nil {
			return ledger.Account{}, err
		}
		acct.Status = updated.Status
		s.publish(changed)
	}
	return acct.Account, nil
}

// Account implements ledger.Store.
func (s *Store) Account(ctx context.Context, id ledger.ID) (ledger.Account, error) {
	if err := ctx.Err(); err != nil {
		return ledger.Account{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	acct, ok := s.accounts[id]
	if !ok {
		return ledger.Account{}, notFound("account", id)
	}
	return acct.Account, nil
}

// AccountByNumber implements ledger.Store.
func (s *Store) AccountByNumber(ctx context.Context, number string) (ledger.Account, error) {
	if err := ctx.Err(); err != nil {
		return ledger.Account{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	acct, ok := s.byNumber[number]
	if !ok {
		return ledger.Account{}, fmt.Errorf("%w: account number %s", ledger.ErrNotFound, number)
	}
	return acct.Account, nil
}

// ListAccounts implements ledger.Store.
func (s *Store) ListAccounts(ctx context.Context, f ledger.AccountFilter) ([]ledger.Account, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if f.Limit < 1 {
		return nil, fault.Field(ledger.ErrInvalidInput, "limit", "must be positive")
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if f.Code != "" && f.Currency != "" {
		acct, ok := s.byChart[chartKey{f.Currency, f.Code}]
		if !ok || !f.Matches(acct.Account) || ledger.CompareIDs(acct.ID, f.After) <= 0 {
			return nil, nil
		}
		return []ledger.Account{acct.Account}, nil
	}
	start, found := slices.BinarySearchFunc(s.accountIDs, f.After, ledger.CompareIDs)
	if found {
		start++
	}
	var out []ledger.Account
	for _, id := range s.accountIDs[start:] {
		if a := s.accounts[id].Account; f.Matches(a) {
			out = append(out, a)
			if len(out) == f.Limit {
				break
			}
		}
	}
	return out, nil
}

// AccountBalances implements ledger.Store.
func (s *Store) AccountBalances(ctx context.Context, c money.Currency) ([]ledger.Account, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []ledger.Account
	for _, id := range s.accountIDs {
		if a := s.accounts[id].Account; a.Currency == c {
			out = append(out, a)
		}
	}
	return out, nil
}

func notFound(what string, id ledger.ID) error {
	return fmt.Errorf("%w: %s %s", ledger.ErrNotFound, what, id)
}
