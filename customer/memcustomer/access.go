package memcustomer

import (
	"context"
	"fmt"
	"slices"

	"github.com/bankkit/bankkit/customer"
)

// Reveal implements customer.Store: the read and the log entry happen
// under one write lock, so the chain never forks.
func (s *Store) Reveal(ctx context.Context, e customer.AccessEntry, documents bool) (customer.Record, []customer.DocumentRecord, customer.AccessEntry, error) {
	if err := ctx.Err(); err != nil {
		return customer.Record{}, nil, customer.AccessEntry{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.customers[e.CustomerID]
	if !ok {
		return customer.Record{}, nil, customer.AccessEntry{}, fmt.Errorf("%w: customer %s", customer.ErrNotFound, e.CustomerID)
	}
	var docs []customer.DocumentRecord
	if documents {
		docs = s.documentsOf(e.CustomerID)
	}
	var prev customer.AccessEntry
	if n := len(s.access); n > 0 {
		prev = s.access[n-1]
	}
	e.Fields = slices.Clone(e.Fields)
	e = customer.Link(prev, e)
	s.access = append(s.access, e)
	return clone(*r), docs, cloneEntry(e), nil
}

func cloneEntry(e customer.AccessEntry) customer.AccessEntry {
	e.Fields = slices.Clone(e.Fields)
	e.PrevHash = slices.Clone(e.PrevHash)
	e.Hash = slices.Clone(e.Hash)
	return e
}

// AccessLog implements customer.Store.
func (s *Store) AccessLog(ctx context.Context, afterSeq int64, limit int) ([]customer.AccessEntry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []customer.AccessEntry
	for i := max(afterSeq, 0); i < int64(len(s.access)) && len(out) < limit; i++ {
		out = append(out, cloneEntry(s.access[i]))
	}
	return out, nil
}

// Rekey implements customer.Store. The whole batch is computed first and
// written only if every value re-sealed, like the PostgreSQL transaction.
func (s *Store) Rekey(ctx context.Context, keyID string, limit int, reseal func(customer.SealRef, []byte) ([]byte, error)) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var recs []customer.Record
	for _, id := range s.customerIDs {
		if len(recs) == limit {
			break
		}
		r := s.customers[id]
		if r.KeyID == keyID {
			continue
		}
		sealed, err := r.Sealed.Reseal(r.ID, reseal)
		if err != nil {
			return 0, err
		}
		next := clone(*r)
		next.Sealed, next.KeyID = sealed, keyID
		recs = append(recs, next)
	}
	var docs []customer.DocumentRecord
	for _, id := range s.documentIDs {
		if len(recs)+len(docs) == limit {
			break
		}
		d := s.documents[id]
		if d.KeyID == keyID {
			continue
		}
		next, err := d.Reseal(reseal)
		if err != nil {
			return 0, err
		}
		next.KeyID = keyID
		docs = append(docs, next)
	}
	for i := range recs {
		s.customers[recs[i].ID] = &recs[i]
	}
	for i := range docs {
		s.documents[docs[i].ID] = &docs[i]
	}
	return len(recs) + len(docs), nil
}

// KeyUsage implements customer.Store.
func (s *Store) KeyUsage(ctx context.Context, keyID string) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	n := 0
	for _, r := range s.customers {
		if r.KeyID == keyID {
			n++
		}
	}
	for _, d := range s.documents {
		if d.KeyID == keyID {
			n++
		}
	}
	return n, nil
}
