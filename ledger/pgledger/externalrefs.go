package pgledger

import (
	"context"
	"fmt"

	"github.com/bankkit/bankkit/ledger"
)

// refTables are the tables of the objects that carry external references.
var refTables = map[string]string{"account": "ledger.accounts", "hold": "ledger.holds"}

// refFree returns RefTaken when an object of kind has the reference r
// already; nil when r is zero or free. The unique indexes on (ref_client,
// external_ref) decide races; the callers answer a violation by calling
// refFree again.
func (s *Store) refFree(ctx context.Context, kind string, r ledger.ExternalRef) error {
	if r.IsZero() {
		return nil
	}
	var ids []ledger.ID
	if err := s.db.SelectContext(ctx, &ids, `SELECT id FROM `+refTables[kind]+` WHERE ref_client = $1 AND external_ref = $2`,
		r.Client, r.Ref); err != nil {
		return err
	}
	if len(ids) == 0 {
		return nil
	}
	return ledger.RefTaken(kind, r, ids[0])
}

// AccountByRef implements ledger.Store.
func (s *Store) AccountByRef(ctx context.Context, r ledger.ExternalRef) (ledger.Account, error) {
	var row accountRow
	err := s.db.GetContext(ctx, &row, `SELECT `+accountColumns+accountFrom+
		`WHERE a.ref_client = $1 AND a.external_ref = $2 GROUP BY a.id`, r.Client, r.Ref)
	if err != nil {
		return ledger.Account{}, noRows(err, fmt.Errorf("%w: no account with external reference %q", ledger.ErrNotFound, r.Ref))
	}
	return row.account()
}

// HoldByRef implements ledger.Store.
func (s *Store) HoldByRef(ctx context.Context, r ledger.ExternalRef) (ledger.Hold, error) {
	var row holdRow
	err := s.db.GetContext(ctx, &row, `SELECT `+holdColumns+` FROM ledger.holds WHERE ref_client = $1 AND external_ref = $2`,
		r.Client, r.Ref)
	if err != nil {
		return ledger.Hold{}, noRows(err, fmt.Errorf("%w: no hold with external reference %q", ledger.ErrNotFound, r.Ref))
	}
	return row.hold(), nil
}
