package memledger

import (
	"context"
	"slices"

	"github.com/bankkit/bankkit/ledger"
)

// RebindAccount implements ledger.Store: under the store's lock, so a
// posting sees the binding before or after the change, never half of it.
func (s *Store) RebindAccount(ctx context.Context, c ledger.BindingChange, check func(ledger.Account) error) (ledger.Account, error) {
	if err := ctx.Err(); err != nil {
		return ledger.Account{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	acct, ok := s.accounts[c.AccountID]
	if !ok {
		return ledger.Account{}, notFound("account", c.AccountID)
	}
	if err := check(acct.Account); err != nil {
		return ledger.Account{}, err
	}
	bound, external, changed := ledger.BindingResult(acct.Account, c)
	if !changed {
		return acct.Account, nil
	}
	c.From, c.To = slices.Clone(acct.Bound), slices.Clone(bound)
	c.FromExternal, c.ToExternal = slices.Clone(acct.BoundExternal), slices.Clone(external)
	c.At = c.At.UTC()
	acct.Bound, acct.BoundExternal = bound, external
	if s.bindings == nil {
		s.bindings = map[ledger.ID][]ledger.BindingChange{}
	}
	s.bindings[c.AccountID] = append(s.bindings[c.AccountID], c)
	return acct.Account, nil
}

// Bindings implements ledger.Store.
func (s *Store) Bindings(ctx context.Context, accountID ledger.ID) ([]ledger.BindingChange, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	if _, ok := s.accounts[accountID]; !ok {
		return nil, notFound("account", accountID)
	}
	out := make([]ledger.BindingChange, 0, len(s.bindings[accountID]))
	for _, c := range s.bindings[accountID] {
		c.From, c.To = slices.Clone(c.From), slices.Clone(c.To)
		c.FromExternal, c.ToExternal = slices.Clone(c.FromExternal), slices.Clone(c.ToExternal)
		out = append(out, c)
	}
	return out, nil
}
