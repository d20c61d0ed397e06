package memledger

import (
	"context"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/shopspring/decimal"
)

// ClosingBalances implements endofday.Store.
func (s *Store) ClosingBalances(ctx context.Context, day calendar.Date, ids []ledger.ID) ([]decimal.Decimal, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]decimal.Decimal, len(ids))
	for i, id := range ids {
		a, ok := s.accounts[id]
		if !ok {
			return nil, notFound("account", id)
		}
		out[i] = s.balanceOn(a, day)
	}
	return out, nil
}
