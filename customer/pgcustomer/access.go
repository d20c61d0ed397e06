package pgcustomer

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/bankkit/bankkit/customer"
)

type accessRow struct {
	Seq        int64          `db:"seq"`
	At         time.Time      `db:"at"`
	Actor      string         `db:"actor"`
	CustomerID customer.ID    `db:"customer_id"`
	Fields     pq.StringArray `db:"fields"`
	Reason     string         `db:"reason"`
	PrevHash   []byte         `db:"prev_hash"`
	Hash       []byte         `db:"hash"`
}

func (r accessRow) entry() customer.AccessEntry {
	fields := make([]customer.Field, len(r.Fields))
	for i, f := range r.Fields {
		fields[i] = customer.Field(f)
	}
	return customer.AccessEntry{Seq: r.Seq, At: r.At.UTC(), Actor: r.Actor, CustomerID: r.CustomerID,
		Fields: fields, Reason: r.Reason, PrevHash: r.PrevHash, Hash: r.Hash}
}

// Reveal implements customer.Store. Taking the next seq locks the log's
// head row, so concurrent reveals append one after another.
func (s *Store) Reveal(ctx context.Context, e customer.AccessEntry, documents bool) (customer.Record, []customer.DocumentRecord, customer.AccessEntry, error) {
	var (
		rec  customer.Record
		docs []customer.DocumentRecord
		out  customer.AccessEntry
	)
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		var row customerRow
		if err := tx.GetContext(ctx, &row, `SELECT `+customerColumns+` FROM customer.customers WHERE id = $1`, e.CustomerID); err != nil {
			return notFound(err, "customer", e.CustomerID)
		}
		rec = row.record()
		docs = nil
		if documents {
			var err error
			if docs, err = documentsOf(ctx, tx, e.CustomerID); err != nil {
				return err
			}
		}
		seq, err := nextSeq(ctx, tx, "access_log")
		if err != nil {
			return err
		}
		prev := customer.AccessEntry{}
		if seq > 1 {
			var p accessRow
			if err := tx.GetContext(ctx, &p, `SELECT * FROM customer.access_log WHERE seq = $1`, seq-1); err != nil {
				return err
			}
			prev = p.entry()
		}
		out = customer.Link(prev, e)
		if out.Seq != seq {
			return fmt.Errorf("pgcustomer: access log head is %d but its last entry is %d", seq, prev.Seq)
		}
		fields := make(pq.StringArray, len(out.Fields))
		for i, f := range out.Fields {
			fields[i] = string(f)
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO customer.access_log (seq, at, actor, customer_id, fields, reason, prev_hash, hash)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, out.Seq, out.At, out.Actor, out.CustomerID, fields, out.Reason, out.PrevHash, out.Hash)
		return err
	})
	if err != nil {
		return customer.Record{}, nil, customer.AccessEntry{}, err
	}
	return rec, docs, out, nil
}

// AccessLog implements customer.Store.
func (s *Store) AccessLog(ctx context.Context, after int64, limit int) ([]customer.AccessEntry, error) {
	var rows []accessRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT * FROM customer.access_log WHERE seq > $1 ORDER BY seq LIMIT $2`, after, limit); err != nil {
		return nil, err
	}
	out := make([]customer.AccessEntry, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.entry())
	}
	return out, nil
}

// Rekey implements customer.Store: one transaction per batch, rows locked
// in id order.
func (s *Store) Rekey(ctx context.Context, keyID string, limit int, reseal func(customer.SealRef, []byte) ([]byte, error)) (int, error) {
	var n int
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		n = 0
		var rows []customerRow
		if err := tx.SelectContext(ctx, &rows, `SELECT `+customerColumns+` FROM customer.customers
			WHERE key_id <> $1 ORDER BY id LIMIT $2 FOR UPDATE`, keyID, limit); err != nil {
			return err
		}
		for _, row := range rows {
			r := row.record()
			sealed, err := r.Sealed.Reseal(r.ID, reseal)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE customer.customers SET key_id = $2, national_id_sealed = $3,
				phones_sealed = $4, email_sealed = $5, address_sealed = $6, date_of_birth_sealed = $7 WHERE id = $1`,
				r.ID, keyID, sealed.NationalID, sealed.Phones, sealed.Email, sealed.Address, sealed.DateOfBirth); err != nil {
				return err
			}
			n++
		}
		if n == limit {
			return nil
		}
		var docs []documentRow
		if err := tx.SelectContext(ctx, &docs, `SELECT `+documentColumns+` FROM customer.documents
			WHERE key_id <> $1 ORDER BY id LIMIT $2 FOR UPDATE`, keyID, limit-n); err != nil {
			return err
		}
		for _, row := range docs {
			d, err := row.record().Reseal(reseal)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `UPDATE customer.documents SET key_id = $2, number_sealed = $3 WHERE id = $1`,
				d.ID, keyID, d.SealedNumber); err != nil {
				return err
			}
			n++
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	return n, nil
}

// KeyUsage implements customer.Store.
func (s *Store) KeyUsage(ctx context.Context, keyID string) (int, error) {
	var n int
	err := s.db.GetContext(ctx, &n, `SELECT (SELECT count(*) FROM customer.customers WHERE key_id = $1)
		+ (SELECT count(*) FROM customer.documents WHERE key_id = $1)`, keyID)
	return n, err
}
