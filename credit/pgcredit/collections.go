package pgcredit

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/jmoiron/sqlx"

	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/internal/pgtx"
)

// UpdateCollections implements credit.Store.
func (s *Store) UpdateCollections(ctx context.Context, id credit.ID, fn func(credit.Loan) (credit.Loan, credit.CollectionEntries, []event.Envelope, error)) (credit.Loan, error) {
	var out credit.Loan
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		old, err := getLoan(ctx, tx, `SELECT `+loanCols+` FROM credit.loans WHERE id = $1 FOR UPDATE`, id)
		if err != nil {
			return err
		}
		next, entries, events, err := fn(old)
		if err != nil {
			return err
		}
		next.ID, next.ContractID, next.CustomerID, next.Version = id, old.ContractID, old.CustomerID, old.Version+1
		nb, err := s.writeLoan(ctx, tx, next, false)
		if err != nil {
			return err
		}
		if a := entries.Action; a != nil {
			if err := addEntry(ctx, tx, "collection_actions", id, a.Number, a, "action"); err != nil {
				return err
			}
		}
		if p := entries.Promise; p != nil {
			if err := addEntry(ctx, tx, "promises", id, p.Number, p, "promise"); err != nil {
				return err
			}
		}
		if err := s.outbox.Append(ctx, tx, events...); err != nil {
			return err
		}
		out, err = decode[credit.Loan](nb, nil, "")
		return err
	})
	if err != nil {
		return credit.Loan{}, err
	}
	return out, nil
}

// addEntry inserts a numbered history entry of a loan; ErrDuplicate when
// the number is taken or leaves a gap (numbers run from 1).
func addEntry(ctx context.Context, tx *sqlx.Tx, table string, id credit.ID, n int, entry any, what string) error {
	b, err := json.Marshal(entry)
	if err != nil {
		return err
	}
	var last int
	if err := tx.GetContext(ctx, &last, `SELECT COALESCE(MAX(number), 0) FROM credit.`+table+` WHERE loan_id = $1`, id); err != nil {
		return err
	}
	if n != last+1 {
		return fmt.Errorf("%w: %s %d of loan %s (it has %d)", credit.ErrDuplicate, what, n, id, last)
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO credit.`+table+` (loan_id, number, body) VALUES ($1, $2, $3)`, id, n, b)
	if pgtx.IsUniqueViolation(err, "") {
		return fmt.Errorf("%w: %s %d of loan %s", credit.ErrDuplicate, what, n, id)
	}
	return err
}

// CollectionActions implements credit.Store.
func (s *Store) CollectionActions(ctx context.Context, loanID credit.ID, after, limit int) ([]credit.CollectionAction, error) {
	return selectBodies[credit.CollectionAction](ctx, s.db, `SELECT body FROM credit.collection_actions
		WHERE loan_id = $1 AND number > $2 ORDER BY number LIMIT $3`, loanID, after, limit)
}

// PastPromises implements credit.Store.
func (s *Store) PastPromises(ctx context.Context, loanID credit.ID, after, limit int) ([]credit.Promise, error) {
	return selectBodies[credit.Promise](ctx, s.db, `SELECT body FROM credit.promises
		WHERE loan_id = $1 AND number > $2 ORDER BY number LIMIT $3`, loanID, after, limit)
}
