package memcustomer

import (
	"context"
	"fmt"
	"slices"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/customer"
)

func cloneDoc(d customer.DocumentRecord) customer.DocumentRecord {
	d.SealedNumber = slices.Clone(d.SealedNumber)
	return d
}

// documentsOf lists a customer's documents in id order; callers hold a lock.
func (s *Store) documentsOf(customerID customer.ID) []customer.DocumentRecord {
	var out []customer.DocumentRecord
	for _, id := range s.documentIDs {
		if d := s.documents[id]; d.CustomerID == customerID {
			out = append(out, cloneDoc(*d))
		}
	}
	return out
}

// demoteOthers clears Primary on the customer's documents other than keep.
func (s *Store) demoteOthers(customerID, keep customer.ID) {
	for _, d := range s.documents {
		if d.CustomerID == customerID && d.ID != keep {
			d.Primary = false
		}
	}
}

// AddDocument implements customer.Store.
func (s *Store) AddDocument(ctx context.Context, d customer.DocumentRecord) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.customers[d.CustomerID]; !ok {
		return fmt.Errorf("%w: customer %s", customer.ErrNotFound, d.CustomerID)
	}
	if _, dup := s.documents[d.ID]; dup {
		return fmt.Errorf("%w: document id %s exists", customer.ErrDuplicate, d.ID)
	}
	d = cloneDoc(d)
	if d.Primary {
		s.demoteOthers(d.CustomerID, d.ID)
	}
	s.documents[d.ID] = &d
	s.documentIDs = insertSorted(s.documentIDs, d.ID)
	return nil
}

// UpdateDocument implements customer.Store.
func (s *Store) UpdateDocument(ctx context.Context, id customer.ID, fn func(customer.DocumentRecord) (customer.DocumentRecord, error)) (customer.DocumentRecord, error) {
	if err := ctx.Err(); err != nil {
		return customer.DocumentRecord{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.documents[id]
	if !ok {
		return customer.DocumentRecord{}, fmt.Errorf("%w: document %s", customer.ErrNotFound, id)
	}
	next, err := fn(cloneDoc(*old))
	if err != nil {
		return customer.DocumentRecord{}, err
	}
	next = cloneDoc(next)
	next.ID, next.CustomerID = old.ID, old.CustomerID
	if next.Primary {
		s.demoteOthers(next.CustomerID, next.ID)
	}
	s.documents[id] = &next
	return cloneDoc(next), nil
}

// Documents implements customer.Store.
func (s *Store) Documents(ctx context.Context, customerID customer.ID) ([]customer.DocumentRecord, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.documentsOf(customerID), nil
}

// ExpiredPrimaryDocuments implements customer.Store.
func (s *Store) ExpiredPrimaryDocuments(ctx context.Context, asOf calendar.Date, p customer.Page) ([]customer.DocumentRecord, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []customer.DocumentRecord
	for _, id := range s.documentIDs[after(s.documentIDs, p):] {
		if len(out) == p.Limit {
			break
		}
		if d := s.documents[id]; d.Primary && !d.ExpiresOn.IsZero() && d.ExpiresOn.Before(asOf) {
			out = append(out, cloneDoc(*d))
		}
	}
	return out, nil
}
