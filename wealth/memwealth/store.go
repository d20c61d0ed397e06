// Package memwealth is an in-memory wealth.Store: the fake for tests and
// the default of the reference server. It behaves as the PostgreSQL store
// does (errors, ordering, atomicity) and is safe for concurrent use;
// wealthtest.Run proves it.
package memwealth

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/internal/memoutbox"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/wealth"
)

// Store is an in-memory wealth.Store. Call New; the zero value is not
// usable. One lock guards everything, so every method is atomic. Records
// are copied through JSON, as the PostgreSQL store keeps them.
type Store struct {
	mu sync.RWMutex

	products   map[wealth.ID]wealth.Product
	productIDs []wealth.ID
	byCode     map[string]wealth.ID

	navs map[wealth.ID]map[calendar.Date]wealth.NAV

	assessments map[wealth.ID]wealth.Assessment
	refusals    map[wealth.ID][]wealth.Refusal

	orders   map[wealth.ID]wealth.Order
	orderIDs []wealth.ID
	byKey    map[string]wealth.ID // customer id + key

	holdings   map[wealth.ID]wealth.Holding
	snapshots  map[string]map[wealth.ID]wealth.Holding // month -> holding id -> copy
	snapped    map[string]calendar.Date                // finished months
	holdingIDs []wealth.ID
	byOwner    map[[2]wealth.ID]wealth.ID // customer, product

	income map[string]money.Money // product id + date

	outbox *memoutbox.Outbox[event.Envelope]
}

var _ wealth.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	return &Store{
		products: map[wealth.ID]wealth.Product{}, byCode: map[string]wealth.ID{},
		navs:        map[wealth.ID]map[calendar.Date]wealth.NAV{},
		snapshots:   map[string]map[wealth.ID]wealth.Holding{},
		snapped:     map[string]calendar.Date{},
		assessments: map[wealth.ID]wealth.Assessment{}, refusals: map[wealth.ID][]wealth.Refusal{},
		orders: map[wealth.ID]wealth.Order{}, byKey: map[string]wealth.ID{},
		holdings: map[wealth.ID]wealth.Holding{}, byOwner: map[[2]wealth.ID]wealth.ID{},
		income: map[string]money.Money{},
		outbox: memoutbox.New(wealth.EventSource, memoutbox.Stored),
	}
}

// Events implements wealth.Store.
func (s *Store) Events() event.Log { return s.outbox }

func (s *Store) emit(events []event.Envelope) {
	for _, e := range events {
		s.outbox.Append(e)
	}
}

func clone[T any](v T) T {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // every wealth record marshals
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

func compareIDs(a, b wealth.ID) int { return bytes.Compare(a[:], b[:]) }

func insertSorted(ids []wealth.ID, id wealth.ID) []wealth.ID {
	i, _ := slices.BinarySearchFunc(ids, id, compareIDs)
	return slices.Insert(ids, i, id)
}

func after(ids []wealth.ID, id wealth.ID) int {
	if id == wealth.NilID {
		return 0
	}
	i, found := slices.BinarySearchFunc(ids, id, compareIDs)
	if found {
		i++
	}
	return i
}

// CreateProduct implements wealth.Store.
func (s *Store) CreateProduct(_ context.Context, p wealth.Product, events ...event.Envelope) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.products[p.ID]; ok {
		return fmt.Errorf("%w: product %s", wealth.ErrDuplicate, p.ID)
	}
	if _, ok := s.byCode[p.Code]; ok {
		return fmt.Errorf("%w: product %s", wealth.ErrDuplicate, p.Code)
	}
	s.products[p.ID] = clone(p)
	s.productIDs = insertSorted(s.productIDs, p.ID)
	s.byCode[p.Code] = p.ID
	s.emit(events)
	return nil
}

// Product implements wealth.Store.
func (s *Store) Product(_ context.Context, id wealth.ID) (wealth.Product, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, ok := s.products[id]
	if !ok {
		return wealth.Product{}, fmt.Errorf("%w: product %s", wealth.ErrNotFound, id)
	}
	return clone(p), nil
}

// ProductByCode implements wealth.Store.
func (s *Store) ProductByCode(ctx context.Context, code string) (wealth.Product, error) {
	s.mu.RLock()
	id, ok := s.byCode[code]
	s.mu.RUnlock()
	if !ok {
		return wealth.Product{}, fmt.Errorf("%w: product %s", wealth.ErrNotFound, code)
	}
	return s.Product(ctx, id)
}

// Products implements wealth.Store.
func (s *Store) Products(_ context.Context, page wealth.Page) ([]wealth.Product, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []wealth.Product{}
	for _, id := range s.productIDs[after(s.productIDs, page.After):] {
		if len(out) == page.Limit {
			break
		}
		out = append(out, clone(s.products[id]))
	}
	return out, nil
}

// UpdateProduct implements wealth.Store.
func (s *Store) UpdateProduct(_ context.Context, id wealth.ID, fn func(wealth.Product) (wealth.Product, []event.Envelope, error)) (wealth.Product, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	p, ok := s.products[id]
	if !ok {
		return wealth.Product{}, fmt.Errorf("%w: product %s", wealth.ErrNotFound, id)
	}
	n, evs, err := fn(clone(p))
	if err != nil {
		return wealth.Product{}, err
	}
	n.ID, n.Code, n.Version = p.ID, p.Code, p.Version+1
	s.products[id] = clone(n)
	s.emit(evs)
	return clone(n), nil
}

// PublishNAV implements wealth.Store.
func (s *Store) PublishNAV(_ context.Context, n wealth.NAV, events ...event.Envelope) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	m := s.navs[n.ProductID]
	if m == nil {
		m = map[calendar.Date]wealth.NAV{}
		s.navs[n.ProductID] = m
	}
	if _, ok := m[n.Date]; ok {
		return fmt.Errorf("%w: a NAV of product %s for %s is published", wealth.ErrDuplicate, n.ProductID, n.Date)
	}
	m[n.Date] = clone(n)
	s.emit(events)
	return nil
}

// PublishNAVs implements wealth.Store.
func (s *Store) PublishNAVs(_ context.Context, navs []wealth.NAV, events []event.Envelope) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := map[wealth.ID]map[calendar.Date]bool{}
	for _, n := range navs {
		if _, ok := s.products[n.ProductID]; !ok {
			return fmt.Errorf("%w: product %s", wealth.ErrNotFound, n.ProductID)
		}
		if _, ok := s.navs[n.ProductID][n.Date]; ok || seen[n.ProductID][n.Date] {
			return fmt.Errorf("%w: a NAV of product %s for %s is published", wealth.ErrDuplicate, n.ProductID, n.Date)
		}
		if seen[n.ProductID] == nil {
			seen[n.ProductID] = map[calendar.Date]bool{}
		}
		seen[n.ProductID][n.Date] = true
	}
	for _, n := range navs {
		m := s.navs[n.ProductID]
		if m == nil {
			m = map[calendar.Date]wealth.NAV{}
			s.navs[n.ProductID] = m
		}
		m[n.Date] = clone(n)
	}
	s.emit(events)
	return nil
}

// NAV implements wealth.Store.
func (s *Store) NAV(_ context.Context, product wealth.ID, d calendar.Date) (wealth.NAV, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	n, ok := s.navs[product][d]
	if !ok {
		return wealth.NAV{}, fmt.Errorf("%w: NAV of product %s for %s", wealth.ErrNotFound, product, d)
	}
	return clone(n), nil
}

// NAVs implements wealth.Store.
func (s *Store) NAVs(_ context.Context, product wealth.ID, from, to calendar.Date) ([]wealth.NAV, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []wealth.NAV{}
	for d, n := range s.navs[product] {
		if !d.Before(from) && !d.After(to) {
			out = append(out, clone(n))
		}
	}
	slices.SortFunc(out, func(a, b wealth.NAV) int { return a.Date.Compare(b.Date) })
	return out, nil
}

// LatestNAV implements wealth.Store.
func (s *Store) LatestNAV(_ context.Context, product wealth.ID, d calendar.Date) (wealth.NAV, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var best wealth.NAV
	found := false
	for nd, n := range s.navs[product] {
		if !nd.After(d) && (!found || nd.After(best.Date)) {
			best, found = n, true
		}
	}
	if !found {
		return wealth.NAV{}, fmt.Errorf("%w: no NAV of product %s on or before %s", wealth.ErrNotFound, product, d)
	}
	return clone(best), nil
}

// SaveAssessment implements wealth.Store.
func (s *Store) SaveAssessment(_ context.Context, a wealth.Assessment, events ...event.Envelope) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.assessments[a.CustomerID] = clone(a)
	s.emit(events)
	return nil
}

// Assessment implements wealth.Store.
func (s *Store) Assessment(_ context.Context, customer wealth.ID) (wealth.Assessment, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.assessments[customer]
	if !ok {
		return wealth.Assessment{}, fmt.Errorf("%w: no assessment of customer %s", wealth.ErrNotFound, customer)
	}
	return clone(a), nil
}

// RecordRefusal implements wealth.Store.
func (s *Store) RecordRefusal(_ context.Context, r wealth.Refusal, events ...event.Envelope) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.refusals[r.CustomerID] = append(s.refusals[r.CustomerID], clone(r))
	s.emit(events)
	return nil
}

// Refusals implements wealth.Store.
func (s *Store) Refusals(_ context.Context, customer wealth.ID) ([]wealth.Refusal, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return clone(append([]wealth.Refusal{}, s.refusals[customer]...)), nil
}

func orderKey(customer wealth.ID, key string) string { return customer.String() + "\x00" + key }

// holdingOf returns the customer's holding of the product, or a new one
// (not stored).
func (s *Store) holdingOf(customer, product wealth.ID) (wealth.Holding, bool, error) {
	if id, ok := s.byOwner[[2]wealth.ID{customer, product}]; ok {
		return clone(s.holdings[id]), true, nil
	}
	p, ok := s.products[product]
	if !ok {
		return wealth.Holding{}, false, fmt.Errorf("%w: product %s", wealth.ErrNotFound, product)
	}
	return wealth.NewHolding(customer, product, p.Currency), false, nil
}

func (s *Store) putHolding(h wealth.Holding, old wealth.Holding, existed bool) {
	if existed {
		h.ID, h.Version = old.ID, old.Version+1
	} else {
		h.Version = 1
		s.holdingIDs = insertSorted(s.holdingIDs, h.ID)
		s.byOwner[[2]wealth.ID{h.CustomerID, h.ProductID}] = h.ID
	}
	s.holdings[h.ID] = clone(h)
}

// CreateOrder implements wealth.Store.
func (s *Store) CreateOrder(_ context.Context, o wealth.Order, fn func(wealth.Holding) (wealth.Holding, []event.Envelope, error)) (wealth.Order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.orders[o.ID]; ok {
		return wealth.Order{}, fmt.Errorf("%w: order %s", wealth.ErrDuplicate, o.ID)
	}
	if _, ok := s.byKey[orderKey(o.CustomerID, o.Key)]; ok {
		return wealth.Order{}, fmt.Errorf("%w: order key %q", wealth.ErrDuplicate, o.Key)
	}
	h, existed, err := s.holdingOf(o.CustomerID, o.ProductID)
	if err != nil {
		return wealth.Order{}, err
	}
	n, evs, err := fn(clone(h))
	if err != nil {
		return wealth.Order{}, err
	}
	s.putHolding(n, h, existed)
	s.orders[o.ID] = clone(o)
	s.orderIDs = insertSorted(s.orderIDs, o.ID)
	s.byKey[orderKey(o.CustomerID, o.Key)] = o.ID
	s.emit(evs)
	return clone(o), nil
}

// Order implements wealth.Store.
func (s *Store) Order(_ context.Context, id wealth.ID) (wealth.Order, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	o, ok := s.orders[id]
	if !ok {
		return wealth.Order{}, fmt.Errorf("%w: order %s", wealth.ErrNotFound, id)
	}
	return clone(o), nil
}

// OrderByKey implements wealth.Store.
func (s *Store) OrderByKey(ctx context.Context, customer wealth.ID, key string) (wealth.Order, error) {
	s.mu.RLock()
	id, ok := s.byKey[orderKey(customer, key)]
	s.mu.RUnlock()
	if !ok {
		return wealth.Order{}, fmt.Errorf("%w: order key %q", wealth.ErrNotFound, key)
	}
	return s.Order(ctx, id)
}

// Orders implements wealth.Store.
func (s *Store) Orders(_ context.Context, f wealth.OrderFilter, page wealth.Page) ([]wealth.Order, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []wealth.Order{}
	for _, id := range s.orderIDs[after(s.orderIDs, page.After):] {
		if len(out) == page.Limit {
			break
		}
		if o := s.orders[id]; f.Match(o) {
			out = append(out, clone(o))
		}
	}
	return out, nil
}

// UpdateOrder implements wealth.Store.
func (s *Store) UpdateOrder(_ context.Context, id wealth.ID, fn func(wealth.Order, wealth.Holding) (wealth.Order, wealth.Holding, []event.Envelope, error)) (wealth.Order, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	o, ok := s.orders[id]
	if !ok {
		return wealth.Order{}, fmt.Errorf("%w: order %s", wealth.ErrNotFound, id)
	}
	h, existed, err := s.holdingOf(o.CustomerID, o.ProductID)
	if err != nil {
		return wealth.Order{}, err
	}
	no, nh, evs, err := fn(clone(o), clone(h))
	if err != nil {
		return wealth.Order{}, err
	}
	no.ID, no.CustomerID, no.ProductID, no.Key, no.Version = o.ID, o.CustomerID, o.ProductID, o.Key, o.Version+1
	s.orders[id] = clone(no)
	s.putHolding(nh, h, existed)
	s.emit(evs)
	return clone(no), nil
}

// UpdateOrders implements wealth.Store.
func (s *Store) UpdateOrders(_ context.Context, ids []wealth.ID, fn func(wealth.Order, wealth.Holding) (wealth.Order, wealth.Holding, []event.Envelope, error)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	sorted := slices.Clone(ids)
	slices.SortFunc(sorted, compareIDs)
	sorted = slices.Compact(sorted)
	type held struct {
		h, old  wealth.Holding
		existed bool
	}
	holdings := map[[2]wealth.ID]*held{}
	orders := make([]wealth.Order, 0, len(sorted))
	var events []event.Envelope
	for _, id := range sorted {
		o, ok := s.orders[id]
		if !ok {
			return fmt.Errorf("%w: order %s", wealth.ErrNotFound, id)
		}
		k := [2]wealth.ID{o.CustomerID, o.ProductID}
		hd := holdings[k]
		if hd == nil {
			h, existed, err := s.holdingOf(o.CustomerID, o.ProductID)
			if err != nil {
				return err
			}
			hd = &held{h: h, old: h, existed: existed}
			holdings[k] = hd
		}
		no, nh, evs, err := fn(clone(o), clone(hd.h))
		if err != nil {
			return err
		}
		no.ID, no.CustomerID, no.ProductID, no.Key, no.Version = o.ID, o.CustomerID, o.ProductID, o.Key, o.Version+1
		nh.ID, nh.CustomerID, nh.ProductID = hd.old.ID, hd.old.CustomerID, hd.old.ProductID
		hd.h = nh
		orders = append(orders, no)
		events = append(events, evs...)
	}
	for _, o := range orders {
		s.orders[o.ID] = clone(o)
	}
	for _, hd := range holdings {
		s.putHolding(hd.h, hd.old, hd.existed)
	}
	s.emit(events)
	return nil
}

// Holding implements wealth.Store.
func (s *Store) Holding(_ context.Context, customer, product wealth.ID) (wealth.Holding, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	id, ok := s.byOwner[[2]wealth.ID{customer, product}]
	if !ok {
		return wealth.Holding{}, fmt.Errorf("%w: holding of customer %s in product %s", wealth.ErrNotFound, customer, product)
	}
	return clone(s.holdings[id]), nil
}

// Holdings implements wealth.Store.
func (s *Store) Holdings(_ context.Context, f wealth.HoldingFilter, page wealth.Page) ([]wealth.Holding, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []wealth.Holding{}
	for _, id := range s.holdingIDs[after(s.holdingIDs, page.After):] {
		if len(out) == page.Limit {
			break
		}
		if h := s.holdings[id]; f.Match(h) {
			out = append(out, clone(h))
		}
	}
	return out, nil
}

// SnapshotHoldings implements wealth.Store.
func (s *Store) SnapshotHoldings(_ context.Context, month string, product, afterID wealth.ID, limit int) (wealth.IncomePage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	pg := wealth.IncomePage{Last: afterID}
	if _, done := s.snapped[month]; done {
		return pg, nil
	}
	m := s.snapshots[month]
	if m == nil {
		m = map[wealth.ID]wealth.Holding{}
		s.snapshots[month] = m
	}
	for _, id := range s.holdingIDs[after(s.holdingIDs, afterID):] {
		if pg.Scanned == limit {
			break
		}
		h := s.holdings[id]
		if h.ProductID != product {
			continue
		}
		pg.Scanned++
		pg.Last = id
		m[id] = clone(h)
		pg.Credited++
	}
	return pg, nil
}

// FinishSnapshot implements wealth.Store.
func (s *Store) FinishSnapshot(_ context.Context, month string, d calendar.Date) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, done := s.snapped[month]; !done {
		s.snapped[month] = d
	}
	return nil
}

// Snapshot implements wealth.Store.
func (s *Store) Snapshot(_ context.Context, customer wealth.ID, month string) ([]wealth.Holding, bool, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	_, done := s.snapped[month]
	out := []wealth.Holding{}
	for _, id := range s.holdingIDs {
		if h, ok := s.snapshots[month][id]; ok && h.CustomerID == customer {
			out = append(out, clone(h))
		}
	}
	return out, done, nil
}

// UpdateHolding implements wealth.Store.
func (s *Store) UpdateHolding(_ context.Context, id wealth.ID, fn func(wealth.Holding) (wealth.Holding, []event.Envelope, error)) (wealth.Holding, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h, ok := s.holdings[id]
	if !ok {
		return wealth.Holding{}, fmt.Errorf("%w: holding %s", wealth.ErrNotFound, id)
	}
	n, evs, err := fn(clone(h))
	if err != nil {
		return wealth.Holding{}, err
	}
	n.ID, n.CustomerID, n.ProductID, n.Version = h.ID, h.CustomerID, h.ProductID, h.Version+1
	s.holdings[id] = clone(n)
	s.emit(evs)
	return clone(n), nil
}

// Totals implements wealth.Store.
func (s *Store) Totals(_ context.Context, product wealth.ID) (wealth.Totals, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	p, ok := s.products[product]
	if !ok {
		return wealth.Totals{}, fmt.Errorf("%w: product %s", wealth.ErrNotFound, product)
	}
	t := wealth.Totals{Units: decimal.Zero, Cost: money.Zero(p.Currency), Accrued: money.Zero(p.Currency)}
	for _, h := range s.holdings {
		if h.ProductID != product {
			continue
		}
		t.Units = t.Units.Add(h.Units)
		t.Cost.Amount = t.Cost.Amount.Add(h.Cost.Amount)
		t.Accrued.Amount = t.Accrued.Amount.Add(h.Accrued.Amount)
		if h.Units.IsPositive() {
			t.Holdings++
		}
	}
	return t, nil
}

// CreditIncome implements wealth.Store.
func (s *Store) CreditIncome(_ context.Context, r wealth.IncomeRun, afterID wealth.ID, limit int) (wealth.IncomePage, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	key := r.ProductID.String() + r.Date.String()
	total, ok := s.income[key]
	if !ok {
		total = money.Zero(r.Currency)
	}
	pg := wealth.IncomePage{Last: afterID}
	for _, id := range s.holdingIDs[after(s.holdingIDs, afterID):] {
		if pg.Scanned == limit {
			break
		}
		h := s.holdings[id]
		if h.ProductID != r.ProductID {
			continue
		}
		pg.Scanned, pg.Last = pg.Scanned+1, id
		if !h.IncomeThrough.Before(r.Date) || !h.Units.IsPositive() {
			continue
		}
		inc := r.Income(h.Units)
		h = clone(h)
		h.IncomeThrough = r.Date
		if inc.IsPositive() {
			m := money.Money{Amount: inc, Currency: r.Currency}
			h.Income, _ = h.Income.Add(m)
			if r.Mode == wealth.IncomeReinvest {
				h.Units = h.Units.Add(inc)
				h.Cost, _ = h.Cost.Add(m)
			} else {
				h.Accrued, _ = h.Accrued.Add(m)
			}
			total, _ = total.Add(m)
			pg.Credited++
		}
		h.Version++
		s.holdings[id] = h
	}
	s.income[key] = total
	return pg, nil
}

// IncomeOf implements wealth.Store.
func (s *Store) IncomeOf(_ context.Context, product wealth.ID, d calendar.Date) (money.Money, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if m, ok := s.income[product.String()+d.String()]; ok {
		return m, nil
	}
	p, ok := s.products[product]
	if !ok {
		return money.Money{}, fmt.Errorf("%w: product %s", wealth.ErrNotFound, product)
	}
	return money.Zero(p.Currency), nil
}
