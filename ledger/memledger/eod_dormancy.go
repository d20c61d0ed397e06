package memledger

import (
	"context"
	"slices"

	"github.com/bankkit/bankkit/ledger"
)

// InactiveAccounts implements ledger.EndOfDayStore.
func (s *Store) InactiveAccounts(ctx context.Context, q ledger.InactivityQuery) ([]ledger.ID, error) {
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
		active := slices.ContainsFunc(a.entries, func(e *ledger.Entry) bool {
			return !e.ValueDate.Before(q.Since) && slices.Contains(q.Kinds, e.Kind)
		})
		if !active {
			out = append(out, a.ID)
		}
	}
	return out, nil
}
