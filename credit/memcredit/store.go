// Package memcredit is an in-memory credit.Store: the fake for tests and
// the default of the reference server. It behaves as the PostgreSQL store
// does (errors, ordering, atomicity, one open application per customer
// and product) and is safe for concurrent use; credittest.Run proves it.
package memcredit

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/internal/memoutbox"
)

// Store is an in-memory credit.Store. Call New; the zero value is not
// usable. One lock guards everything, so every method is atomic. Records
// are kept as their JSON, as the PostgreSQL store keeps them, so what
// comes back is a copy that went through the same encoding.
type Store struct {
	mu sync.RWMutex

	products   map[credit.ID][]byte
	productIDs []credit.ID // ascending
	byCode     map[string]credit.ID

	apps   map[credit.ID][]byte
	appIDs []credit.ID // ascending
	// open maps customer and product to the open application.
	open map[[2]credit.ID]credit.ID

	outbox *memoutbox.Outbox[event.Envelope]
}

var _ credit.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	return &Store{
		products: map[credit.ID][]byte{}, byCode: map[string]credit.ID{},
		apps: map[credit.ID][]byte{}, open: map[[2]credit.ID]credit.ID{},
		outbox: memoutbox.New(credit.EventSource, memoutbox.Stored),
	}
}

// Events implements credit.Store.
func (s *Store) Events() event.Log { return s.outbox }

func compareIDs(a, b credit.ID) int { return bytes.Compare(a[:], b[:]) }

func insertSorted(ids []credit.ID, id credit.ID) []credit.ID {
	i, _ := slices.BinarySearchFunc(ids, id, compareIDs)
	return slices.Insert(ids, i, id)
}

func after(ids []credit.ID, id credit.ID) int {
	if id == credit.NilID {
		return 0
	}
	i, found := slices.BinarySearchFunc(ids, id, compareIDs)
	if found {
		i++
	}
	return i
}

func validEvents(es []event.Envelope) error {
	for _, e := range es {
		if err := e.Validate(); err != nil {
			return err
		}
	}
	return nil
}

func (s *Store) append(es []event.Envelope) {
	for _, e := range es {
		s.outbox.Append(e.Clone())
	}
}

// CreateProduct implements credit.Store.
func (s *Store) CreateProduct(_ context.Context, p credit.Product, events ...event.Envelope) error {
	if err := validEvents(events); err != nil {
		return err
	}
	body, err := json.Marshal(p)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.products[p.ID]; ok {
		return fmt.Errorf("%w: product %s", credit.ErrDuplicate, p.ID)
	}
	if _, ok := s.byCode[p.Code]; ok {
		return fmt.Errorf("%w: product code %s", credit.ErrDuplicate, p.Code)
	}
	s.products[p.ID] = body
	s.productIDs = insertSorted(s.productIDs, p.ID)
	s.byCode[p.Code] = p.ID
	s.append(events)
	return nil
}

func decodeProduct(body []byte) (credit.Product, error) {
	var p credit.Product
	err := json.Unmarshal(body, &p)
	return p, err
}

// Product implements credit.Store.
func (s *Store) Product(_ context.Context, id credit.ID) (credit.Product, error) {
	s.mu.RLock()
	body, ok := s.products[id]
	s.mu.RUnlock()
	if !ok {
		return credit.Product{}, fmt.Errorf("%w: product %s", credit.ErrNotFound, id)
	}
	return decodeProduct(body)
}

// ProductByCode implements credit.Store.
func (s *Store) ProductByCode(ctx context.Context, code string) (credit.Product, error) {
	s.mu.RLock()
	id, ok := s.byCode[code]
	s.mu.RUnlock()
	if !ok {
		return credit.Product{}, fmt.Errorf("%w: product code %s", credit.ErrNotFound, code)
	}
	return s.Product(ctx, id)
}

// Products implements credit.Store.
func (s *Store) Products(_ context.Context, page credit.Page) ([]credit.Product, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []credit.Product{}
	for _, id := range s.productIDs[after(s.productIDs, page.After):] {
		if len(out) == page.Limit {
			break
		}
		p, err := decodeProduct(s.products[id])
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, nil
}

func openKey(a credit.Application) [2]credit.ID { return [2]credit.ID{a.CustomerID, a.ProductID} }

// CreateApplication implements credit.Store.
func (s *Store) CreateApplication(_ context.Context, a credit.Application, events ...event.Envelope) error {
	if err := validEvents(events); err != nil {
		return err
	}
	body, err := json.Marshal(a)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.apps[a.ID]; ok {
		return fmt.Errorf("%w: application %s", credit.ErrDuplicate, a.ID)
	}
	if _, ok := s.open[openKey(a)]; ok && a.Status.Open() {
		return fmt.Errorf("%w: customer %s, product %s", credit.ErrOpenApplication, a.CustomerID, a.ProductID)
	}
	s.apps[a.ID] = body
	s.appIDs = insertSorted(s.appIDs, a.ID)
	if a.Status.Open() {
		s.open[openKey(a)] = a.ID
	}
	s.append(events)
	return nil
}

func decodeApplication(body []byte) (credit.Application, error) {
	var a credit.Application
	err := json.Unmarshal(body, &a)
	return a, err
}

// Application implements credit.Store.
func (s *Store) Application(_ context.Context, id credit.ID) (credit.Application, error) {
	s.mu.RLock()
	body, ok := s.apps[id]
	s.mu.RUnlock()
	if !ok {
		return credit.Application{}, fmt.Errorf("%w: application %s", credit.ErrNotFound, id)
	}
	return decodeApplication(body)
}

// UpdateApplication implements credit.Store.
func (s *Store) UpdateApplication(_ context.Context, id credit.ID, fn func(credit.Application) (credit.Application, []event.Envelope, error)) (credit.Application, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	body, ok := s.apps[id]
	if !ok {
		return credit.Application{}, fmt.Errorf("%w: application %s", credit.ErrNotFound, id)
	}
	old, err := decodeApplication(body)
	if err != nil {
		return credit.Application{}, err
	}
	version := old.Version
	next, events, err := fn(old)
	if err != nil {
		return credit.Application{}, err
	}
	if err := validEvents(events); err != nil {
		return credit.Application{}, err
	}
	// What identifies the application cannot change.
	next.ID, next.CustomerID, next.ProductID, next.Version = id, old.CustomerID, old.ProductID, version+1
	key := openKey(next)
	if next.Status.Open() {
		if other, taken := s.open[key]; taken && other != id {
			return credit.Application{}, fmt.Errorf("%w: customer %s, product %s", credit.ErrOpenApplication, next.CustomerID, next.ProductID)
		}
	}
	nb, err := json.Marshal(next)
	if err != nil {
		return credit.Application{}, err
	}
	s.apps[id] = nb
	if next.Status.Open() {
		s.open[key] = id
	} else if s.open[key] == id {
		delete(s.open, key)
	}
	s.append(events)
	return decodeApplication(nb)
}

// Applications implements credit.Store.
func (s *Store) Applications(_ context.Context, f credit.ApplicationFilter, page credit.Page) ([]credit.Application, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []credit.Application{}
	for _, id := range s.appIDs[after(s.appIDs, page.After):] {
		if len(out) == page.Limit {
			break
		}
		a, err := decodeApplication(s.apps[id])
		if err != nil {
			return nil, err
		}
		if f.CustomerID != credit.NilID && a.CustomerID != f.CustomerID ||
			f.ProductID != credit.NilID && a.ProductID != f.ProductID ||
			f.Status != "" && a.Status != f.Status ||
			!f.StepDueBefore.IsZero() && !a.Late(f.StepDueBefore) {
			continue
		}
		out = append(out, a)
	}
	return out, nil
}
