package memcustomer

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/event"
)

// This file keeps what hangs off a customer: account links, consent,
// interactions and complaints.

func (s *Store) requireCustomer(id customer.ID) error {
	if _, ok := s.customers[id]; !ok {
		return fmt.Errorf("%w: customer %s", customer.ErrNotFound, id)
	}
	return nil
}

// LinkAccount implements customer.Store.
func (s *Store) LinkAccount(ctx context.Context, l customer.AccountLink) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.requireCustomer(l.CustomerID); err != nil {
		return err
	}
	links := s.links[l.CustomerID]
	i, found := slices.BinarySearchFunc(links, l.AccountID, func(x customer.AccountLink, id string) int { return cmp.Compare(x.AccountID, id) })
	if found {
		return fmt.Errorf("%w: account %s is already linked", customer.ErrDuplicate, l.AccountID)
	}
	s.links[l.CustomerID] = slices.Insert(links, i, l)
	return nil
}

// UnlinkAccount implements customer.Store.
func (s *Store) UnlinkAccount(ctx context.Context, customerID customer.ID, accountID string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	links := s.links[customerID]
	i := slices.IndexFunc(links, func(l customer.AccountLink) bool { return l.AccountID == accountID })
	if i < 0 {
		return fmt.Errorf("%w: account %s is not linked", customer.ErrNotFound, accountID)
	}
	s.links[customerID] = slices.Delete(slices.Clone(links), i, i+1)
	return nil
}

// AccountLinks implements customer.Store.
func (s *Store) AccountLinks(ctx context.Context, customerID customer.ID) ([]customer.AccountLink, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.links[customerID]), nil
}

// AppendConsent implements customer.Store.
func (s *Store) AppendConsent(ctx context.Context, c customer.Consent, e event.Envelope) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := validEvents(e); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.requireCustomer(c.CustomerID); err != nil {
		return err
	}
	list := s.consents[c.CustomerID]
	at, _ := slices.BinarySearchFunc(list, c.ID, func(x customer.Consent, id customer.ID) int { return compareIDs(x.ID, id) })
	s.consents[c.CustomerID] = slices.Insert(list, at, c)
	s.appendEvent(e)
	return nil
}

// Consents implements customer.Store.
func (s *Store) Consents(ctx context.Context, customerID customer.ID) ([]customer.Consent, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return slices.Clone(s.consents[customerID]), nil
}

// AddInteraction implements customer.Store.
func (s *Store) AddInteraction(ctx context.Context, i customer.Interaction) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.requireCustomer(i.CustomerID); err != nil {
		return err
	}
	list := s.interactions[i.CustomerID]
	at, _ := slices.BinarySearchFunc(list, i.ID, func(x customer.Interaction, id customer.ID) int { return compareIDs(x.ID, id) })
	s.interactions[i.CustomerID] = slices.Insert(list, at, i)
	return nil
}

// Interactions implements customer.Store.
func (s *Store) Interactions(ctx context.Context, customerID customer.ID, p customer.Page) ([]customer.Interaction, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []customer.Interaction
	for _, i := range s.interactions[customerID] {
		if len(out) == p.Limit {
			break
		}
		if p.After == customer.NilID || compareIDs(i.ID, p.After) > 0 {
			out = append(out, i)
		}
	}
	return out, nil
}

// CreateComplaint implements customer.Store.
func (s *Store) CreateComplaint(ctx context.Context, c customer.Complaint) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.requireCustomer(c.CustomerID); err != nil {
		return err
	}
	if _, dup := s.complaints[c.ID]; dup {
		return fmt.Errorf("%w: complaint id %s exists", customer.ErrDuplicate, c.ID)
	}
	c.Version = 1
	s.complaints[c.ID] = &c
	s.complaintIDs = insertSorted(s.complaintIDs, c.ID)
	return nil
}

// Complaint implements customer.Store.
func (s *Store) Complaint(ctx context.Context, id customer.ID) (customer.Complaint, error) {
	if err := ctx.Err(); err != nil {
		return customer.Complaint{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, ok := s.complaints[id]
	if !ok {
		return customer.Complaint{}, fmt.Errorf("%w: complaint %s", customer.ErrNotFound, id)
	}
	return *c, nil
}

// UpdateComplaint implements customer.Store.
func (s *Store) UpdateComplaint(ctx context.Context, id customer.ID, fn func(customer.Complaint) (customer.Complaint, error)) (customer.Complaint, error) {
	if err := ctx.Err(); err != nil {
		return customer.Complaint{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.complaints[id]
	if !ok {
		return customer.Complaint{}, fmt.Errorf("%w: complaint %s", customer.ErrNotFound, id)
	}
	next, err := fn(*old)
	if err != nil {
		return customer.Complaint{}, err
	}
	next.ID, next.CustomerID, next.OpenedAt, next.Version = old.ID, old.CustomerID, old.OpenedAt, old.Version+1
	s.complaints[id] = &next
	return next, nil
}

// Complaints implements customer.Store.
func (s *Store) Complaints(ctx context.Context, customerID customer.ID) ([]customer.Complaint, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []customer.Complaint
	for _, id := range s.complaintIDs {
		if c := s.complaints[id]; c.CustomerID == customerID {
			out = append(out, *c)
		}
	}
	return out, nil
}

// OverdueComplaints implements customer.Store.
func (s *Store) OverdueComplaints(ctx context.Context, asOf calendar.Date, p customer.Page) ([]customer.Complaint, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []customer.Complaint
	for _, id := range s.complaintIDs[after(s.complaintIDs, p):] {
		if len(out) == p.Limit {
			break
		}
		if c := s.complaints[id]; c.Overdue(asOf) {
			out = append(out, *c)
		}
	}
	return out, nil
}
