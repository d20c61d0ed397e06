package pgcustomer

import (
	"context"
	"database/sql"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/customer"
)

type documentRow struct {
	ID             customer.ID  `db:"id"`
	CustomerID     customer.ID  `db:"customer_id"`
	Type           string       `db:"type"`
	NumberSealed   []byte       `db:"number_sealed"`
	KeyID          string       `db:"key_id"`
	IssuingCountry string       `db:"issuing_country"`
	IssuedOn       sql.NullTime `db:"issued_on"`
	ExpiresOn      sql.NullTime `db:"expires_on"`
	Primary        bool         `db:"is_primary"`
	Verification   string       `db:"verification"`
	AddedAt        time.Time    `db:"added_at"`
}

const documentColumns = `id, customer_id, type, number_sealed, key_id, issuing_country, issued_on, expires_on,
	is_primary, verification, added_at`

func (r documentRow) record() customer.DocumentRecord {
	return customer.DocumentRecord{ID: r.ID, CustomerID: r.CustomerID, Type: customer.DocumentType(r.Type),
		SealedNumber: r.NumberSealed, KeyID: r.KeyID, IssuingCountry: r.IssuingCountry,
		IssuedOn: dateOf(r.IssuedOn), ExpiresOn: dateOf(r.ExpiresOn), Primary: r.Primary,
		Verification: customer.KYCStatus(r.Verification), AddedAt: r.AddedAt.UTC()}
}

func documentRecords(rows []documentRow) []customer.DocumentRecord {
	out := make([]customer.DocumentRecord, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.record())
	}
	return out
}

func documentsOf(ctx context.Context, q sqlx.QueryerContext, customerID customer.ID) ([]customer.DocumentRecord, error) {
	var rows []documentRow
	if err := sqlx.SelectContext(ctx, q, &rows, `SELECT `+documentColumns+` FROM customer.documents
		WHERE customer_id = $1 ORDER BY id`, customerID); err != nil {
		return nil, err
	}
	return documentRecords(rows), nil
}

// demoteOthers clears the primary flag of the customer's other documents,
// before a document becomes primary (the partial unique index allows one).
func demoteOthers(ctx context.Context, tx *sqlx.Tx, customerID, keep customer.ID) error {
	_, err := tx.ExecContext(ctx, `UPDATE customer.documents SET is_primary = false
		WHERE customer_id = $1 AND id <> $2 AND is_primary`, customerID, keep)
	return err
}

// AddDocument implements customer.Store.
func (s *Store) AddDocument(ctx context.Context, d customer.DocumentRecord) error {
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		// Lock the customer so two primary documents added at once serialise.
		var one int
		if err := tx.GetContext(ctx, &one, `SELECT 1 FROM customer.customers WHERE id = $1 FOR UPDATE`, d.CustomerID); err != nil {
			return notFound(err, "customer", d.CustomerID)
		}
		if d.Primary {
			if err := demoteOthers(ctx, tx, d.CustomerID, d.ID); err != nil {
				return err
			}
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO customer.documents (`+documentColumns+`)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			d.ID, d.CustomerID, string(d.Type), d.SealedNumber, d.KeyID, d.IssuingCountry, dateArg(d.IssuedOn),
			dateArg(d.ExpiresOn), d.Primary, string(d.Verification), d.AddedAt)
		return err
	})
	return notFoundIfMissingCustomer(err, d.CustomerID)
}

// UpdateDocument implements customer.Store.
func (s *Store) UpdateDocument(ctx context.Context, id customer.ID, fn func(customer.DocumentRecord) (customer.DocumentRecord, error)) (customer.DocumentRecord, error) {
	var out customer.DocumentRecord
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		var customerID customer.ID
		if err := tx.GetContext(ctx, &customerID, `SELECT customer_id FROM customer.documents WHERE id = $1`, id); err != nil {
			return notFound(err, "document", id)
		}
		// Customer first, then document: the same lock order as AddDocument.
		var one int
		if err := tx.GetContext(ctx, &one, `SELECT 1 FROM customer.customers WHERE id = $1 FOR UPDATE`, customerID); err != nil {
			return err
		}
		var row documentRow
		if err := tx.GetContext(ctx, &row, `SELECT `+documentColumns+` FROM customer.documents WHERE id = $1 FOR UPDATE`, id); err != nil {
			return notFound(err, "document", id)
		}
		old := row.record()
		next, err := fn(old)
		if err != nil {
			return err
		}
		next.ID, next.CustomerID = old.ID, old.CustomerID
		if next.Primary {
			if err := demoteOthers(ctx, tx, next.CustomerID, next.ID); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE customer.documents SET type = $2, number_sealed = $3, key_id = $4,
			issuing_country = $5, issued_on = $6, expires_on = $7, is_primary = $8, verification = $9 WHERE id = $1`,
			next.ID, string(next.Type), next.SealedNumber, next.KeyID, next.IssuingCountry, dateArg(next.IssuedOn),
			dateArg(next.ExpiresOn), next.Primary, string(next.Verification)); err != nil {
			return err
		}
		out = next
		return nil
	})
	if err != nil {
		return customer.DocumentRecord{}, err
	}
	return out, nil
}

// Documents implements customer.Store.
func (s *Store) Documents(ctx context.Context, customerID customer.ID) ([]customer.DocumentRecord, error) {
	return documentsOf(ctx, s.db, customerID)
}

// ExpiredPrimaryDocuments implements customer.Store.
func (s *Store) ExpiredPrimaryDocuments(ctx context.Context, asOf calendar.Date, p customer.Page) ([]customer.DocumentRecord, error) {
	var rows []documentRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+documentColumns+` FROM customer.documents
		WHERE is_primary AND expires_on < $1 AND id > $2 ORDER BY id LIMIT $3`, asOf.String(), p.After, p.Limit); err != nil {
		return nil, err
	}
	return documentRecords(rows), nil
}
