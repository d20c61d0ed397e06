package memledger

import (
	"context"
	"slices"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/endofday"
)

// InactiveAccounts implements endofday.Store.
func (s *Store) InactiveAccounts(ctx context.Context, q endofday.InactivityQuery) ([]ledger.ID, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	i, found := slices.BinarySearchFunc(s.accountIDs, q.After, ledger.CompareIDs)
	if found {
		i++
	}
	var out []ledger.ID
	for ; i < len(s.accountIDs) && len(out) < q.Limit; i++ {
		a := s.accounts[s.accountIDs[i]]
		if a.Product != ledger.ProductDemand || a.Status != ledger.StatusActive || !a.OpenedOn.Before(q.Since) {
			continue
		}
		since := packDate(q.Since)
		active := slices.ContainsFunc(a.entries, func(e uint32) bool {
			return s.journal.valueDate(e) >= since && slices.Contains(q.Kinds, s.journal.kind(e))
		})
		if !active {
			out = append(out, a.ID)
		}
	}
	return out, nil
}
