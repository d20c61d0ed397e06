package memcustomer

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/event"
)

// clone copies every slice of r, so callers never share memory with the
// store (as they would not with a database).
func clone(r customer.Record) customer.Record {
	r.NationalIDIndex = slices.Clone(r.NationalIDIndex)
	r.PhoneIndexes = slices.Clone(r.PhoneIndexes)
	for i := range r.PhoneIndexes {
		r.PhoneIndexes[i] = slices.Clone(r.PhoneIndexes[i])
	}
	r.Sealed = customer.SealedPII{
		NationalID: slices.Clone(r.Sealed.NationalID), Phones: slices.Clone(r.Sealed.Phones),
		Email: slices.Clone(r.Sealed.Email), Address: slices.Clone(r.Sealed.Address),
		DateOfBirth: slices.Clone(r.Sealed.DateOfBirth),
	}
	return r
}

// CreateCustomer implements customer.Store.
func (s *Store) CreateCustomer(ctx context.Context, r customer.Record, e event.Envelope) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := validEvents(e); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, dup := s.customers[r.ID]; dup {
		return fmt.Errorf("%w: customer id %s exists", customer.ErrDuplicate, r.ID)
	}
	if !r.ExternalRef.IsZero() {
		if id, taken := s.byExternalRef[r.ExternalRef]; taken {
			return customer.RefTaken(r.ExternalRef, id)
		}
	}
	if _, dup := s.byNationalID[string(r.NationalIDIndex)]; dup {
		return fmt.Errorf("%w: a customer with this national id exists", customer.ErrDuplicate)
	}
	r = clone(r)
	r.Version = 1
	s.customers[r.ID] = &r
	s.customerIDs = insertSorted(s.customerIDs, r.ID)
	s.byNationalID[string(r.NationalIDIndex)] = r.ID
	if !r.ExternalRef.IsZero() {
		s.byExternalRef[r.ExternalRef] = r.ID
	}
	s.indexPhones(r)
	s.appendEvent(e)
	return nil
}

// CustomerByExternalRef implements customer.Store.
func (s *Store) CustomerByExternalRef(ctx context.Context, r customer.ExternalRef) (customer.Record, error) {
	if err := ctx.Err(); err != nil {
		return customer.Record{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.byExternalRef[r]
	if !ok {
		return customer.Record{}, fmt.Errorf("%w: no customer with external reference %q", customer.ErrNotFound, r.Ref)
	}
	return clone(*s.customers[id]), nil
}

func (s *Store) indexPhones(r customer.Record) {
	for _, p := range r.PhoneIndexes {
		if s.byPhone[string(p)] == nil {
			s.byPhone[string(p)] = map[customer.ID]bool{}
		}
		s.byPhone[string(p)][r.ID] = true
	}
}

func (s *Store) unindexPhones(r customer.Record) {
	for _, p := range r.PhoneIndexes {
		delete(s.byPhone[string(p)], r.ID)
		if len(s.byPhone[string(p)]) == 0 {
			delete(s.byPhone, string(p))
		}
	}
}

// Customer implements customer.Store.
func (s *Store) Customer(ctx context.Context, id customer.ID) (customer.Record, error) {
	if err := ctx.Err(); err != nil {
		return customer.Record{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	r, ok := s.customers[id]
	if !ok {
		return customer.Record{}, fmt.Errorf("%w: customer %s", customer.ErrNotFound, id)
	}
	return clone(*r), nil
}

// UpdateCustomer implements customer.Store.
func (s *Store) UpdateCustomer(ctx context.Context, id customer.ID, fn func(customer.Record) (customer.Record, []event.Envelope, error)) (customer.Record, error) {
	if err := ctx.Err(); err != nil {
		return customer.Record{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.customers[id]
	if !ok {
		return customer.Record{}, fmt.Errorf("%w: customer %s", customer.ErrNotFound, id)
	}
	next, events, err := fn(clone(*old))
	if err == nil {
		err = validEvents(events...)
	}
	if err != nil {
		return customer.Record{}, err
	}
	next = clone(next)
	next.ID, next.CreatedAt, next.Version = old.ID, old.CreatedAt, old.Version+1
	next.ExternalRef = old.ExternalRef
	if string(next.NationalIDIndex) != string(old.NationalIDIndex) {
		if _, dup := s.byNationalID[string(next.NationalIDIndex)]; dup {
			return customer.Record{}, fmt.Errorf("%w: a customer with this national id exists", customer.ErrDuplicate)
		}
		delete(s.byNationalID, string(old.NationalIDIndex))
		s.byNationalID[string(next.NationalIDIndex)] = id
	}
	s.unindexPhones(*old)
	s.indexPhones(next)
	s.customers[id] = &next
	for _, e := range events {
		s.appendEvent(e)
	}
	return clone(next), nil
}

// CustomerByNationalID implements customer.Store.
func (s *Store) CustomerByNationalID(ctx context.Context, index []byte) (customer.Record, error) {
	if err := ctx.Err(); err != nil {
		return customer.Record{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.byNationalID[string(index)]
	if !ok {
		return customer.Record{}, fmt.Errorf("%w: no customer with this national id", customer.ErrNotFound)
	}
	return clone(*s.customers[id]), nil
}

// CustomersByPhone implements customer.Store.
func (s *Store) CustomersByPhone(ctx context.Context, index []byte) ([]customer.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	ids := make([]customer.ID, 0, len(s.byPhone[string(index)]))
	for id := range s.byPhone[string(index)] {
		ids = append(ids, id)
	}
	slices.SortFunc(ids, compareIDs)
	out := make([]customer.Record, 0, len(ids))
	for _, id := range ids {
		out = append(out, clone(*s.customers[id]))
	}
	return out, nil
}

// ListCustomers implements customer.Store.
func (s *Store) ListCustomers(ctx context.Context, f customer.ListFilter) ([]customer.Record, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []customer.Record
	for _, id := range s.customerIDs[after(s.customerIDs, f.Page):] {
		if len(out) == f.Limit {
			break
		}
		r := s.customers[id]
		if f.NamePrefix != "" && !strings.HasPrefix(r.NameKey, f.NamePrefix) ||
			f.Status != "" && r.Status != f.Status ||
			f.KYC != "" && r.KYC.Status != f.KYC ||
			f.Risk != "" && r.Risk != f.Risk {
			continue
		}
		out = append(out, clone(*r))
	}
	return out, nil
}
