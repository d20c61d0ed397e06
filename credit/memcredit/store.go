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
	"github.com/bankkit/bankkit/calendar"
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

	contracts      map[credit.ID]contract
	byApplication  map[credit.ID][]credit.ID // contract versions, oldest first
	loans          map[credit.ID][]byte
	loanIDs        []credit.ID // ascending
	loanByContract map[credit.ID]credit.ID
	repayments     map[credit.ID][][]byte // by loan, in the order received
	repaymentKeys  map[[2]string]int      // loan and caller's key to index in repayments
	history        collectionHistory      // actions and past promises, by loan (collections.go)

	outbox *memoutbox.Outbox[event.Envelope]

	eodPostings map[string]eodPosting // the end of day's postings, by key (eod.go)

	schedMu   sync.Mutex
	schedules map[string]credit.Schedule // decoded, by their JSON
}

var (
	_ credit.Store              = (*Store)(nil)
	_ credit.QuietEndOfDayStore = (*Store)(nil)
)

// New returns an empty store.
func New() *Store {
	return &Store{
		products: map[credit.ID][]byte{}, byCode: map[string]credit.ID{},
		apps: map[credit.ID][]byte{}, open: map[[2]credit.ID]credit.ID{},
		contracts: map[credit.ID]contract{}, byApplication: map[credit.ID][]credit.ID{},
		loans: map[credit.ID][]byte{}, loanByContract: map[credit.ID]credit.ID{},
		repayments: map[credit.ID][][]byte{}, repaymentKeys: map[[2]string]int{},
		outbox:    memoutbox.New(credit.EventSource, memoutbox.Stored),
		schedules: map[string]credit.Schedule{},
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

// SwapApplication implements credit.ApplicationSwapper.
func (s *Store) SwapApplication(ctx context.Context, id credit.ID, version int64, next credit.Application, events ...event.Envelope) (credit.Application, error) {
	return s.UpdateApplication(ctx, id, func(old credit.Application) (credit.Application, []event.Envelope, error) {
		if old.Version != version || old.CustomerID != next.CustomerID || old.ProductID != next.ProductID {
			return credit.Application{}, nil, fmt.Errorf("%w: application %s is at version %d, not %d", credit.ErrApplicationChanged, id, old.Version, version)
		}
		return next, events, nil
	})
}

var _ credit.ApplicationSwapper = (*Store)(nil)

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

// contract is a stored contract version and its documents.
type contract struct {
	body []byte
	docs credit.Documents
}

func decodeContract(body []byte) (credit.Contract, error) {
	var c credit.Contract
	err := json.Unmarshal(body, &c)
	return c, err
}

// CreateContract implements credit.Store.
func (s *Store) CreateContract(_ context.Context, c credit.Contract, docs credit.Documents, events ...event.Envelope) error {
	if err := validEvents(events); err != nil {
		return err
	}
	body, err := json.Marshal(c)
	if err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.contracts[c.ID]; ok {
		return fmt.Errorf("%w: contract %s", credit.ErrDuplicate, c.ID)
	}
	earlier := s.byApplication[c.ApplicationID]
	next := make(map[credit.ID][]byte, len(earlier))
	for _, id := range earlier {
		old, err := decodeContract(s.contracts[id].body)
		if err != nil {
			return err
		}
		if old.Version == c.Version {
			return fmt.Errorf("%w: contract version %d of application %s", credit.ErrDuplicate, c.Version, c.ApplicationID)
		}
		switch old.Status {
		case credit.ContractAccepted:
			return fmt.Errorf("%w: contract version %d of application %s is accepted", credit.ErrInvalidTransition, old.Version, c.ApplicationID)
		case credit.ContractIssued:
			old.Status = credit.ContractSuperseded
			b, err := json.Marshal(old)
			if err != nil {
				return err
			}
			next[id] = b
		}
	}
	for id, b := range next {
		s.contracts[id] = contract{body: b, docs: s.contracts[id].docs}
	}
	s.contracts[c.ID] = contract{body: body, docs: credit.Documents{HTML: bytes.Clone(docs.HTML), PDF: bytes.Clone(docs.PDF)}}
	s.byApplication[c.ApplicationID] = append(earlier, c.ID)
	s.append(events)
	return nil
}

// Contract implements credit.Store.
func (s *Store) Contract(_ context.Context, id credit.ID) (credit.Contract, error) {
	s.mu.RLock()
	c, ok := s.contracts[id]
	s.mu.RUnlock()
	if !ok {
		return credit.Contract{}, fmt.Errorf("%w: contract %s", credit.ErrNotFound, id)
	}
	return decodeContract(c.body)
}

// Contracts implements credit.Store.
func (s *Store) Contracts(_ context.Context, applicationID credit.ID) ([]credit.Contract, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []credit.Contract{}
	for _, id := range s.byApplication[applicationID] {
		c, err := decodeContract(s.contracts[id].body)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// ContractDocument implements credit.Store.
func (s *Store) ContractDocument(_ context.Context, id credit.ID, f credit.DocumentFormat) ([]byte, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	c, ok := s.contracts[id]
	if !ok {
		return nil, fmt.Errorf("%w: contract %s", credit.ErrNotFound, id)
	}
	if f == credit.FormatPDF {
		return bytes.Clone(c.docs.PDF), nil
	}
	return bytes.Clone(c.docs.HTML), nil
}

// AcceptContract implements credit.Store.
func (s *Store) AcceptContract(_ context.Context, id credit.ID, fn func(credit.Contract) (credit.Contract, credit.Loan, []event.Envelope, error)) (credit.Contract, credit.Loan, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	stored, ok := s.contracts[id]
	if !ok {
		return credit.Contract{}, credit.Loan{}, fmt.Errorf("%w: contract %s", credit.ErrNotFound, id)
	}
	old, err := decodeContract(stored.body)
	if err != nil {
		return credit.Contract{}, credit.Loan{}, err
	}
	next, loan, events, err := fn(old)
	if err != nil {
		return credit.Contract{}, credit.Loan{}, err
	}
	if err := validEvents(events); err != nil {
		return credit.Contract{}, credit.Loan{}, err
	}
	if _, ok := s.loanByContract[id]; ok {
		return credit.Contract{}, credit.Loan{}, fmt.Errorf("%w: contract %s has a loan", credit.ErrDuplicate, id)
	}
	if _, ok := s.loans[loan.ID]; ok {
		return credit.Contract{}, credit.Loan{}, fmt.Errorf("%w: loan %s", credit.ErrDuplicate, loan.ID)
	}
	next.ID, next.ApplicationID, next.Version = old.ID, old.ApplicationID, old.Version
	cb, err := json.Marshal(next)
	if err != nil {
		return credit.Contract{}, credit.Loan{}, err
	}
	lb, err := json.Marshal(loan)
	if err != nil {
		return credit.Contract{}, credit.Loan{}, err
	}
	s.contracts[id] = contract{body: cb, docs: stored.docs}
	s.loans[loan.ID] = lb
	s.loanIDs = insertSorted(s.loanIDs, loan.ID)
	s.loanByContract[id] = loan.ID
	s.append(events)
	c, err := decodeContract(cb)
	if err != nil {
		return credit.Contract{}, credit.Loan{}, err
	}
	l, err := s.decodeLoan(lb)
	return c, l, err
}

// loanNoSchedule is a Loan without its methods, so loanJSON can take
// the schedule apart.
type loanNoSchedule credit.Loan

// loanJSON decodes a loan with its schedule left as JSON.
type loanJSON struct {
	*loanNoSchedule
	Schedule json.RawMessage `json:"schedule"`
}

// maxSchedules bounds the decoded schedules kept.
const maxSchedules = 4096

// decodeLoan decodes a stored loan. A schedule is the bulk of a loan
// and changes only on a prepayment or restructuring, so decoded
// schedules are kept by their JSON and shared: a Schedule is an
// immutable value (every change makes a new one).
func (s *Store) decodeLoan(body []byte) (credit.Loan, error) {
	var l credit.Loan
	w := loanJSON{loanNoSchedule: (*loanNoSchedule)(&l)}
	if err := json.Unmarshal(body, &w); err != nil {
		return credit.Loan{}, err
	}
	s.schedMu.Lock()
	sch, ok := s.schedules[string(w.Schedule)]
	s.schedMu.Unlock()
	if !ok {
		if err := json.Unmarshal(w.Schedule, &sch); err != nil {
			return credit.Loan{}, err
		}
		s.schedMu.Lock()
		if len(s.schedules) >= maxSchedules {
			clear(s.schedules)
		}
		s.schedules[string(w.Schedule)] = sch
		s.schedMu.Unlock()
	}
	l.Schedule = sch
	return l, nil
}

// Loan implements credit.Store.
func (s *Store) Loan(_ context.Context, id credit.ID) (credit.Loan, error) {
	s.mu.RLock()
	body, ok := s.loans[id]
	s.mu.RUnlock()
	if !ok {
		return credit.Loan{}, fmt.Errorf("%w: loan %s", credit.ErrNotFound, id)
	}
	return s.decodeLoan(body)
}

// Loans implements credit.Store.
func (s *Store) Loans(_ context.Context, f credit.LoanFilter, page credit.Page) ([]credit.Loan, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []credit.Loan{}
	for _, id := range s.loanIDs[after(s.loanIDs, page.After):] {
		if len(out) == page.Limit {
			break
		}
		l, err := s.decodeLoan(s.loans[id])
		if err != nil {
			return nil, err
		}
		if !f.Matches(l) {
			continue
		}
		out = append(out, l)
	}
	return out, nil
}

// UpdateLoan implements credit.Store.
func (s *Store) UpdateLoan(_ context.Context, id credit.ID, fn func(credit.Loan) (credit.Loan, *credit.Repayment, []event.Envelope, error)) (credit.Loan, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	body, ok := s.loans[id]
	if !ok {
		return credit.Loan{}, fmt.Errorf("%w: loan %s", credit.ErrNotFound, id)
	}
	old, err := s.decodeLoan(body)
	if err != nil {
		return credit.Loan{}, err
	}
	next, rep, events, err := fn(old)
	if err != nil {
		return credit.Loan{}, err
	}
	if err := validEvents(events); err != nil {
		return credit.Loan{}, err
	}
	next.ID, next.ContractID, next.CustomerID, next.Version = id, old.ContractID, old.CustomerID, old.Version+1
	var rb []byte
	if rep != nil {
		rep.LoanID = id
		if _, taken := s.repaymentKeys[[2]string{id.String(), rep.Key}]; taken {
			return credit.Loan{}, fmt.Errorf("%w: repayment key %q of loan %s", credit.ErrDuplicate, rep.Key, id)
		}
		if rb, err = json.Marshal(rep); err != nil {
			return credit.Loan{}, err
		}
	}
	nb, err := json.Marshal(next)
	if err != nil {
		return credit.Loan{}, err
	}
	s.loans[id] = nb
	if rep != nil {
		s.repayments[id] = append(s.repayments[id], rb)
		s.repaymentKeys[[2]string{id.String(), rep.Key}] = len(s.repayments[id]) - 1
	}
	s.append(events)
	// next was built from a copy decoded above, so the caller may have it:
	// nothing the store holds is shared with it.
	return next, nil
}

func decodeRepayment(body []byte) (credit.Repayment, error) {
	var r credit.Repayment
	err := json.Unmarshal(body, &r)
	return r, err
}

// Repayments implements credit.Store.
func (s *Store) Repayments(_ context.Context, loanID credit.ID, page credit.Page) ([]credit.Repayment, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []credit.Repayment{}
	started := page.After == credit.NilID
	for _, b := range s.repayments[loanID] {
		if len(out) == page.Limit {
			break
		}
		r, err := decodeRepayment(b)
		if err != nil {
			return nil, err
		}
		if !started {
			started = r.ID == page.After
			continue
		}
		out = append(out, r)
	}
	return out, nil
}

// RepaymentByKey implements credit.Store.
func (s *Store) RepaymentByKey(_ context.Context, loanID credit.ID, key string) (credit.Repayment, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	i, ok := s.repaymentKeys[[2]string{loanID.String(), key}]
	if !ok {
		return credit.Repayment{}, fmt.Errorf("%w: repayment %q of loan %s", credit.ErrNotFound, key, loanID)
	}
	return decodeRepayment(s.repayments[loanID][i])
}

func (s *Store) allLoans() ([]credit.Loan, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]credit.Loan, 0, len(s.loanIDs))
	for _, id := range s.loanIDs {
		l, err := s.decodeLoan(s.loans[id])
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, nil
}

// Exposure implements credit.Store over the loans held in memory.
func (s *Store) Exposure(_ context.Context, q credit.ExposureQuery) ([]credit.ExposureRow, error) {
	loans, err := s.allLoans()
	if err != nil {
		return nil, err
	}
	return credit.Exposure(loans, q), nil
}

// Migration implements credit.Store over the loans held in memory.
func (s *Store) Migration(_ context.Context, from, to calendar.Date) ([]credit.MigrationCell, error) {
	loans, err := s.allLoans()
	if err != nil {
		return nil, err
	}
	return credit.Migration(loans, from, to), nil
}
