package pgledger

import (
	"context"

	"github.com/lib/pq"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/endofday"
)

// InactiveAccounts implements endofday.Store: one keyset page of
// active demand accounts with no posting of the given kinds since
// q.Since, each probe an index range on (account_id, value_date).
func (s *Store) InactiveAccounts(ctx context.Context, q endofday.InactivityQuery) ([]ledger.ID, error) {
	kinds := make([]string, len(q.Kinds))
	for i, k := range q.Kinds {
		kinds[i] = string(k)
	}
	var ids []ledger.ID
	err := s.db.SelectContext(ctx, &ids, `SELECT a.id FROM ledger.accounts a
		WHERE a.id > $1 AND a.product = 'demand' AND a.status = 'active' AND a.opened_on < $2::date
			AND NOT EXISTS (SELECT 1 FROM ledger.postings p JOIN ledger.entries e ON e.id = p.entry_id
				WHERE p.account_id = a.id AND p.value_date >= $2::date AND e.kind = ANY($3::text[]))
		ORDER BY a.id LIMIT $4`, q.After, q.Since, pq.StringArray(kinds), max(q.Limit, 0))
	return ids, err
}
