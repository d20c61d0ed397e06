package memledger

import (
	"context"
	"fmt"

	"github.com/bankkit/bankkit/ledger"
)

// AccountByRef implements ledger.Store.
func (s *Store) AccountByRef(ctx context.Context, r ledger.ExternalRef) (ledger.Account, error) {
	if err := ctx.Err(); err != nil {
		return ledger.Account{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.accountRefs[r]
	if !ok {
		return ledger.Account{}, fmt.Errorf("%w: no account with external reference %q", ledger.ErrNotFound, r.Ref)
	}
	return s.accounts[id].Account, nil
}

// HoldByRef implements ledger.Store.
func (s *Store) HoldByRef(ctx context.Context, r ledger.ExternalRef) (ledger.Hold, error) {
	if err := ctx.Err(); err != nil {
		return ledger.Hold{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.holdRefs[r]
	if !ok {
		return ledger.Hold{}, fmt.Errorf("%w: no hold with external reference %q", ledger.ErrNotFound, r.Ref)
	}
	return *s.holds[id], nil
}

// EntryByRef implements ledger.Store.
func (s *Store) EntryByRef(ctx context.Context, r ledger.ExternalRef) (ledger.Entry, error) {
	if err := ctx.Err(); err != nil {
		return ledger.Entry{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.entryRefs[r]
	if !ok {
		return ledger.Entry{}, fmt.Errorf("%w: no entry with external reference %q", ledger.ErrNotFound, r.Ref)
	}
	i, _ := s.journal.lookup(id)
	return s.entryAt(i), nil
}
