package memledger

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sync"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/endofday"
	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/bankkit/bankkit/money"
)

// eodState is a store's end-of-day records, under a lock of their own.
type eodState struct {
	mu sync.Mutex

	products    map[string]interest.Product
	accounts    map[ledger.ID]endofday.InterestAccount
	accountIDs  []ledger.ID // ascending
	runs        map[calendar.Date]endofday.Run
	deposits    map[ledger.ID]endofday.TimeDeposit
	depositIDs  []ledger.ID // ascending
	depositKeys map[string]ledger.ID
}

func newEODState() *eodState {
	return &eodState{
		products:    map[string]interest.Product{},
		accounts:    map[ledger.ID]endofday.InterestAccount{},
		runs:        map[calendar.Date]endofday.Run{},
		deposits:    map[ledger.ID]endofday.TimeDeposit{},
		depositKeys: map[string]ledger.ID{},
	}
}

func (s *Store) eod() *eodState { return s.eodRecords }

// PutInterestProduct implements endofday.Store.
func (s *Store) PutInterestProduct(ctx context.Context, code string, p interest.Product) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	st := s.eod()
	st.mu.Lock()
	defer st.mu.Unlock()
	st.products[code] = cloneProduct(p)
	return nil
}

// InterestProduct implements endofday.Store.
func (s *Store) InterestProduct(ctx context.Context, code string) (interest.Product, error) {
	if err := ctx.Err(); err != nil {
		return interest.Product{}, err
	}
	st := s.eod()
	st.mu.Lock()
	defer st.mu.Unlock()
	p, ok := st.products[code]
	if !ok {
		return interest.Product{}, fmt.Errorf("%w: interest product %q", ledger.ErrNotFound, code)
	}
	return cloneProduct(p), nil
}

// cloneProduct copies the rate schedules, so that a caller changing its
// product after storing it changes nothing here.
func cloneProduct(p interest.Product) interest.Product {
	clone := func(s interest.RateSchedule) interest.RateSchedule {
		if s == nil {
			return nil
		}
		out := make(interest.RateSchedule, len(s))
		for i, c := range s {
			c.Rate.Tiers = slices.Clone(c.Rate.Tiers)
			out[i] = c
		}
		return out
	}
	p.Credit, p.Debit = clone(p.Credit), clone(p.Debit)
	return p
}

// CreateInterestAccount implements endofday.Store.
func (s *Store) CreateInterestAccount(ctx context.Context, a endofday.InterestAccount) (endofday.InterestAccount, bool, error) {
	if err := ctx.Err(); err != nil {
		return endofday.InterestAccount{}, false, err
	}
	st := s.eod()
	st.mu.Lock()
	defer st.mu.Unlock()
	if old, ok := st.accounts[a.AccountID]; ok {
		if old.ProductCode != a.ProductCode {
			return endofday.InterestAccount{}, false, fmt.Errorf("%w: account %s earns interest under %s", ledger.ErrDuplicate, a.AccountID, old.ProductCode)
		}
		return old, false, nil
	}
	st.accounts[a.AccountID] = a
	i, _ := slices.BinarySearchFunc(st.accountIDs, a.AccountID, ledger.CompareIDs)
	st.accountIDs = slices.Insert(st.accountIDs, i, a.AccountID)
	return a, true, nil
}

// InterestAccount implements endofday.Store.
func (s *Store) InterestAccount(ctx context.Context, id ledger.ID) (endofday.InterestAccount, error) {
	if err := ctx.Err(); err != nil {
		return endofday.InterestAccount{}, err
	}
	st := s.eod()
	st.mu.Lock()
	defer st.mu.Unlock()
	a, ok := st.accounts[id]
	if !ok {
		return endofday.InterestAccount{}, fmt.Errorf("%w: no interest product on account %s", ledger.ErrNotFound, id)
	}
	return a, nil
}

// InterestAccounts implements endofday.Store.
func (s *Store) InterestAccounts(ctx context.Context, after ledger.ID, limit int) ([]endofday.InterestAccount, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	st := s.eod()
	st.mu.Lock()
	defer st.mu.Unlock()
	i, found := slices.BinarySearchFunc(st.accountIDs, after, ledger.CompareIDs)
	if found {
		i++
	}
	out := make([]endofday.InterestAccount, 0, min(max(limit, 0), len(st.accountIDs)-i))
	for ; i < len(st.accountIDs) && len(out) < limit; i++ {
		out = append(out, st.accounts[st.accountIDs[i]])
	}
	return out, nil
}

// SaveAccrualPage implements endofday.Store.
func (s *Store) SaveAccrualPage(ctx context.Context, run endofday.Run, updates []endofday.AccrualUpdate) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	st := s.eod()
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := st.checkVersion(run); err != nil {
		return err
	}
	for _, u := range updates {
		a, ok := st.accounts[u.AccountID]
		switch {
		case !ok:
			return fmt.Errorf("%w: no interest product on account %s", ledger.ErrNotFound, u.AccountID)
		case a.Accrual.LastAccrued != u.Before:
			return fmt.Errorf("%w: account %s was accrued to %s, not %s", endofday.ErrAccrualConflict, u.AccountID, a.Accrual.LastAccrued, u.Before)
		}
	}
	for _, u := range updates {
		a := st.accounts[u.AccountID]
		a.Accrual = u.Accrual
		st.accounts[u.AccountID] = a
	}
	st.runs[run.Date] = cloneRun(run)
	return nil
}

// cloneRun copies the run's slices and maps, so the stored record shares
// nothing with the caller's.
func cloneRun(r endofday.Run) endofday.Run {
	r.Books = slices.Clone(r.Books)
	r.Summary.Failures = slices.Clone(r.Summary.Failures)
	for _, m := range []*map[money.Currency]money.Money{&r.Summary.InterestPosted, &r.Summary.TaxWithheld, &r.Summary.DebitInterest} {
		if *m != nil {
			*m = maps.Clone(*m)
		}
	}
	return r
}

// CreateEndOfDayRun implements endofday.Store.
func (s *Store) CreateEndOfDayRun(ctx context.Context, run endofday.Run) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	st := s.eod()
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, ok := st.runs[run.Date]; ok {
		return fmt.Errorf("%w: end-of-day run for %s", ledger.ErrDuplicate, run.Date)
	}
	st.runs[run.Date] = cloneRun(run)
	return nil
}

// SaveEndOfDayRun implements endofday.Store.
func (s *Store) SaveEndOfDayRun(ctx context.Context, run endofday.Run) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	st := s.eod()
	st.mu.Lock()
	defer st.mu.Unlock()
	if err := st.checkVersion(run); err != nil {
		return err
	}
	st.runs[run.Date] = cloneRun(run)
	return nil
}

// checkVersion checks that run is the version after the stored one.
func (st *eodState) checkVersion(run endofday.Run) error {
	stored, ok := st.runs[run.Date]
	switch {
	case !ok:
		return fmt.Errorf("%w: no end-of-day run for %s", ledger.ErrNotFound, run.Date)
	case stored.Version != run.Version-1:
		return fmt.Errorf("%w: the run of %s is at version %d, not %d", endofday.ErrAccrualConflict, run.Date, stored.Version, run.Version-1)
	}
	return nil
}

// EndOfDayRun implements endofday.Store.
func (s *Store) EndOfDayRun(ctx context.Context, date calendar.Date) (endofday.Run, error) {
	if err := ctx.Err(); err != nil {
		return endofday.Run{}, err
	}
	st := s.eod()
	st.mu.Lock()
	defer st.mu.Unlock()
	r, ok := st.runs[date]
	if !ok {
		return endofday.Run{}, fmt.Errorf("%w: no end-of-day run for %s", ledger.ErrNotFound, date)
	}
	return cloneRun(r), nil
}

// LatestEndOfDayRun implements endofday.Store.
func (s *Store) LatestEndOfDayRun(ctx context.Context) (endofday.Run, error) {
	if err := ctx.Err(); err != nil {
		return endofday.Run{}, err
	}
	st := s.eod()
	st.mu.Lock()
	defer st.mu.Unlock()
	var latest endofday.Run
	for d, r := range st.runs {
		if latest.Date.IsZero() || d.After(latest.Date) {
			latest = r
		}
	}
	if latest.Date.IsZero() {
		return endofday.Run{}, fmt.Errorf("%w: no end-of-day run yet", ledger.ErrNotFound)
	}
	return cloneRun(latest), nil
}

// AdvanceBusinessDate implements endofday.Store.
func (s *Store) AdvanceBusinessDate(ctx context.Context, from, to calendar.Date) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !from.Valid() || !to.Valid() || !to.After(from) {
		return fault.Field(ledger.ErrInvalidInput, "to", fmt.Sprintf("%s must be a date after %s", to, from))
	}
	if !s.businessDate.CompareAndSwap(packDate(from), packDate(to)) {
		return fmt.Errorf("%w: the business date is %s, not %s", endofday.ErrBusinessDateMoved, unpackDate(s.businessDate.Load()), from)
	}
	return nil
}
