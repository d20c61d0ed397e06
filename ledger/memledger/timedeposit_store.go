package memledger

import (
	"context"
	"fmt"
	"slices"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/endofday"
)

// CreateTimeDeposit implements endofday.Store.
func (s *Store) CreateTimeDeposit(ctx context.Context, td endofday.TimeDeposit) (endofday.TimeDeposit, bool, error) {
	if err := ctx.Err(); err != nil {
		return endofday.TimeDeposit{}, false, err
	}
	st := s.eod()
	st.mu.Lock()
	defer st.mu.Unlock()
	if td.IdempotencyKey != "" {
		if id, ok := st.depositKeys[td.IdempotencyKey]; ok {
			return st.deposits[id], true, nil
		}
	}
	if _, ok := st.deposits[td.ID]; ok {
		return endofday.TimeDeposit{}, false, fmt.Errorf("%w: time deposit %s", ledger.ErrDuplicate, td.ID)
	}
	st.deposits[td.ID] = td
	i, _ := slices.BinarySearchFunc(st.depositIDs, td.ID, ledger.CompareIDs)
	st.depositIDs = slices.Insert(st.depositIDs, i, td.ID)
	if td.IdempotencyKey != "" {
		st.depositKeys[td.IdempotencyKey] = td.ID
	}
	return td, false, nil
}

// TimeDeposit implements endofday.Store.
func (s *Store) TimeDeposit(ctx context.Context, id ledger.ID) (endofday.TimeDeposit, error) {
	if err := ctx.Err(); err != nil {
		return endofday.TimeDeposit{}, err
	}
	st := s.eod()
	st.mu.Lock()
	defer st.mu.Unlock()
	td, ok := st.deposits[id]
	if !ok {
		return endofday.TimeDeposit{}, fmt.Errorf("%w: time deposit %s", ledger.ErrNotFound, id)
	}
	return td, nil
}

// TimeDepositsDue implements endofday.Store.
func (s *Store) TimeDepositsDue(ctx context.Context, date calendar.Date, after ledger.ID, limit int) ([]endofday.TimeDeposit, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	st := s.eod()
	st.mu.Lock()
	defer st.mu.Unlock()
	i, found := slices.BinarySearchFunc(st.depositIDs, after, ledger.CompareIDs)
	if found {
		i++
	}
	var out []endofday.TimeDeposit
	for ; i < len(st.depositIDs) && len(out) < limit; i++ {
		td := st.deposits[st.depositIDs[i]]
		if td.Status == endofday.TimeDepositOpen && !td.Terms.Due().After(date) {
			out = append(out, td)
		}
	}
	return out, nil
}

// UpdateTimeDeposit implements endofday.Store.
func (s *Store) UpdateTimeDeposit(ctx context.Context, id ledger.ID, fn func(endofday.TimeDeposit) (endofday.TimeDeposit, error)) (endofday.TimeDeposit, error) {
	if err := ctx.Err(); err != nil {
		return endofday.TimeDeposit{}, err
	}
	st := s.eod()
	st.mu.Lock()
	defer st.mu.Unlock()
	td, ok := st.deposits[id]
	if !ok {
		return endofday.TimeDeposit{}, fmt.Errorf("%w: time deposit %s", ledger.ErrNotFound, id)
	}
	updated, err := fn(td)
	if err != nil {
		return endofday.TimeDeposit{}, err
	}
	updated.ID, updated.IdempotencyKey = td.ID, td.IdempotencyKey
	st.deposits[id] = updated
	return updated, nil
}
