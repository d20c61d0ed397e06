// Package memcustomer is an in-memory customer.Store: the fake for tests
// and the default of the reference server. It keeps exactly what the
// PostgreSQL store keeps — sealed personal data and blind indexes, never
// plaintext — behaves the same (errors, ordering, atomicity) and is safe
// for concurrent use. customertest.Run proves it.
package memcustomer

import (
	"bytes"
	"context"
	"slices"
	"sync"

	"github.com/bankkit/bankkit/customer"
)

// Store is an in-memory customer.Store. Call New; the zero value is not
// usable. One lock guards everything, so every method is atomic.
type Store struct {
	mu sync.RWMutex

	customers    map[customer.ID]*customer.Record
	customerIDs  []customer.ID // ascending
	byNationalID map[string]customer.ID
	byPhone      map[string]map[customer.ID]bool

	documents   map[customer.ID]*customer.DocumentRecord
	documentIDs []customer.ID // ascending

	links        map[customer.ID][]customer.AccountLink // by account id
	consents     map[customer.ID][]customer.Consent     // oldest first
	interactions map[customer.ID][]customer.Interaction // by id

	complaints   map[customer.ID]*customer.Complaint
	complaintIDs []customer.ID // ascending

	access  []customer.AccessEntry // entry i has Seq i+1
	events  []customer.Event       // event i has Seq i+1
	cursors map[string]int64
}

var _ customer.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	return &Store{
		customers:    map[customer.ID]*customer.Record{},
		byNationalID: map[string]customer.ID{},
		byPhone:      map[string]map[customer.ID]bool{},
		documents:    map[customer.ID]*customer.DocumentRecord{},
		links:        map[customer.ID][]customer.AccountLink{},
		consents:     map[customer.ID][]customer.Consent{},
		interactions: map[customer.ID][]customer.Interaction{},
		complaints:   map[customer.ID]*customer.Complaint{},
		cursors:      map[string]int64{},
	}
}

// insertSorted adds id to the ascending slice ids.
func insertSorted(ids []customer.ID, id customer.ID) []customer.ID {
	i, _ := slices.BinarySearchFunc(ids, id, compareIDs)
	return slices.Insert(ids, i, id)
}

func compareIDs(a, b customer.ID) int { return bytes.Compare(a[:], b[:]) }

// after returns the position in the ascending ids of the first id after
// the page cursor.
func after(ids []customer.ID, p customer.Page) int {
	if p.After == customer.NilID {
		return 0
	}
	i, found := slices.BinarySearchFunc(ids, p.After, compareIDs)
	if found {
		i++
	}
	return i
}

// appendEvent gives e the next Seq and adds it to the outbox; callers hold
// the write lock.
func (s *Store) appendEvent(e customer.Event) {
	e.Seq = int64(len(s.events)) + 1
	e.KYC = clonePtr(e.KYC)
	e.Consent = clonePtr(e.Consent)
	s.events = append(s.events, e)
}

func clonePtr[T any](p *T) *T {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

// Events implements customer.Store.
func (s *Store) Events(ctx context.Context, afterSeq int64, limit int) ([]customer.Event, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	var out []customer.Event
	for i := max(afterSeq, 0); i < int64(len(s.events)) && len(out) < limit; i++ {
		e := s.events[i]
		e.KYC, e.Consent = clonePtr(e.KYC), clonePtr(e.Consent)
		out = append(out, e)
	}
	return out, nil
}

// Cursor implements customer.Store.
func (s *Store) Cursor(ctx context.Context, subscriber string) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	return s.cursors[subscriber], nil
}

// SetCursor implements customer.Store.
func (s *Store) SetCursor(ctx context.Context, subscriber string, seq int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.cursors[subscriber] = max(s.cursors[subscriber], seq)
	return nil
}
