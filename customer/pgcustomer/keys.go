package pgcustomer

import (
	"cmp"
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/bankkit/bankkit/customer"
)

// sampleSQL finds the key ids of a table's rows without reading them all:
// each step of the recursion is one probe of the (key_id, id) index, so
// the cost grows with the number of keys, not of rows. It returns the
// first row of each key id.
const sampleSQL = `WITH RECURSIVE k AS (
	(SELECT key_id FROM customer.%[1]s ORDER BY key_id LIMIT 1)
	UNION ALL
	SELECT (SELECT t.key_id FROM customer.%[1]s t WHERE t.key_id > k.key_id ORDER BY t.key_id LIMIT 1)
	FROM k WHERE k.key_id IS NOT NULL
)
SELECT k.key_id, s.id, s.sealed %[3]s FROM k
CROSS JOIN LATERAL (SELECT id, %[2]s AS sealed %[3]s FROM customer.%[1]s t
	WHERE t.key_id = k.key_id ORDER BY id LIMIT 1) s`

var (
	customerSamplesSQL = fmt.Sprintf(sampleSQL, "customers", "national_id_sealed", "")
	documentSamplesSQL = fmt.Sprintf(sampleSQL, "documents", "number_sealed", ", customer_id")
)

type sampleRow struct {
	KeyID      string      `db:"key_id"`
	ID         customer.ID `db:"id"`
	Sealed     []byte      `db:"sealed"`
	CustomerID customer.ID `db:"customer_id"`
}

// KeySamples implements customer.Store.
func (s *Store) KeySamples(ctx context.Context) ([]customer.KeySample, error) {
	var customers, documents []sampleRow
	if err := s.db.SelectContext(ctx, &customers, customerSamplesSQL); err != nil {
		return nil, err
	}
	if err := s.db.SelectContext(ctx, &documents, documentSamplesSQL); err != nil {
		return nil, err
	}
	byKey := map[string]customer.KeySample{}
	for _, r := range documents {
		ref, _ := customer.DocumentRecord{ID: r.ID, CustomerID: r.CustomerID}.SealedValue()
		byKey[r.KeyID] = customer.KeySample{KeyID: r.KeyID, Ref: ref, Sealed: r.Sealed}
	}
	for _, r := range customers {
		byKey[r.KeyID] = customer.KeySample{KeyID: r.KeyID, Sealed: r.Sealed,
			Ref: customer.SealRef{CustomerID: r.ID, Field: customer.FieldNationalID}}
	}
	return slices.SortedFunc(maps.Values(byKey), func(a, b customer.KeySample) int { return cmp.Compare(a.KeyID, b.KeyID) }), nil
}

type keyCheckRow struct {
	KeyID     string    `db:"key_id"`
	Value     []byte    `db:"value"`
	CreatedAt time.Time `db:"created_at"`
}

func (r keyCheckRow) check() customer.KeyCheck {
	return customer.KeyCheck{KeyID: r.KeyID, Value: r.Value, CreatedAt: r.CreatedAt.UTC()}
}

// KeyChecks implements customer.Store.
func (s *Store) KeyChecks(ctx context.Context) ([]customer.KeyCheck, error) {
	var rows []keyCheckRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT key_id, value, created_at FROM customer.key_checks ORDER BY key_id`); err != nil {
		return nil, err
	}
	out := make([]customer.KeyCheck, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.check())
	}
	return out, nil
}

// AddKeyCheck implements customer.Store. The read is a statement of its
// own, so it sees a record another process committed while the insert
// waited for it.
func (s *Store) AddKeyCheck(ctx context.Context, c customer.KeyCheck) (customer.KeyCheck, error) {
	if _, err := s.db.ExecContext(ctx, `INSERT INTO customer.key_checks (key_id, value, created_at) VALUES ($1, $2, $3)
		ON CONFLICT (key_id) DO NOTHING`, c.KeyID, c.Value, c.CreatedAt); err != nil {
		return customer.KeyCheck{}, err
	}
	var row keyCheckRow
	if err := s.db.GetContext(ctx, &row, `SELECT key_id, value, created_at FROM customer.key_checks WHERE key_id = $1`, c.KeyID); err != nil {
		return customer.KeyCheck{}, err
	}
	return row.check(), nil
}
