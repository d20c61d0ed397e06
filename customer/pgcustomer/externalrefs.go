package pgcustomer

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/bankkit/bankkit/customer"
)

// refFree returns customer.RefTaken when a customer has the reference r
// already; nil when r is zero or free. The unique index on (ref_client,
// external_ref) decides races; CreateCustomer answers a violation by
// calling it again.
func (s *Store) refFree(ctx context.Context, r customer.ExternalRef) error {
	if r.IsZero() {
		return nil
	}
	var id customer.ID
	err := s.db.GetContext(ctx, &id, `SELECT id FROM customer.customers WHERE ref_client = $1 AND external_ref = $2`, r.Client, r.Ref)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return nil
	case err != nil:
		return err
	}
	return customer.RefTaken(r, id)
}

// CustomerByExternalRef implements customer.Store.
func (s *Store) CustomerByExternalRef(ctx context.Context, r customer.ExternalRef) (customer.Record, error) {
	var row customerRow
	err := s.db.GetContext(ctx, &row, `SELECT `+customerColumns+` FROM customer.customers WHERE ref_client = $1 AND external_ref = $2`,
		r.Client, r.Ref)
	if errors.Is(err, sql.ErrNoRows) {
		return customer.Record{}, fmt.Errorf("%w: no customer with external reference %q", customer.ErrNotFound, r.Ref)
	}
	if err != nil {
		return customer.Record{}, err
	}
	return row.record(), nil
}

// nullString is s, or NULL when empty.
func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}
