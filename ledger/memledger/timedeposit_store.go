package memledger

import (
	"context"
	"fmt"
	"slices"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
)

// CreateTimeDeposit implements ledger.EndOfDayStore.
func (s *Store) CreateTimeDeposit(ctx context.Context, td ledger.TimeDepositRecord) (ledger.TimeDepositRecord, bool, error) {
	if err := ctx.Err(); err != nil {
		return ledger.TimeDepositRecord{}, false, err
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
		return ledger.TimeDepositRecord{}, false, fmt.Errorf("%w: time deposit %s", ledger.ErrDuplicate, td.ID)
	}
	st.deposits[td.ID] = td
	i, _ := slices.BinarySearchFunc(st.depositIDs, td.ID, ledger.CompareIDs)
	st.depositIDs = slices.Insert(st.depositIDs, i, td.ID)
	if td.IdempotencyKey != "" {
		st.depositKeys[td.IdempotencyKey] = td.ID
	}
	return td, false, nil
}

// TimeDeposit implements ledger.EndOfDayStore.
func (s *Store) TimeDeposit(ctx context.Context, id ledger.ID) (ledger.TimeDepositRecord, error) {
	if err := ctx.Err(); err != nil {
		return ledger.TimeDepositRecord{}, err
	}
	st := s.eod()
	st.mu.Lock()
	defer st.mu.Unlock()
	td, ok := st.deposits[id]
	if !ok {
		return ledger.TimeDepositRecord{}, fmt.Errorf("%w: time deposit %s", ledger.ErrNotFound, id)
	}
	return td, nil
}

// TimeDepositsDue implements ledger.EndOfDayStore.
func (s *Store) TimeDepositsDue(ctx context.Context, date calendar.Date, after ledger.ID, limit int) ([]ledger.TimeDepositRecord, error) {
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
	var out []ledger.TimeDepositRecord
	for ; i < len(st.depositIDs) && len(out) < limit; i++ {
		td := st.deposits[st.depositIDs[i]]
		if td.Status == ledger.TimeDepositOpen && !td.Terms.Maturity().After(date) {
			out = append(out, td)
		}
	}
	return out, nil
}

// UpdateTimeDeposit implements ledger.EndOfDayStore.
func (s *Store) UpdateTimeDeposit(ctx context.Context, id ledger.ID, fn func(ledger.TimeDepositRecord) (ledger.TimeDepositRecord, error)) (ledger.TimeDepositRecord, error) {
	if err := ctx.Err(); err != nil {
		return ledger.TimeDepositRecord{}, err
	}
	st := s.eod()
	st.mu.Lock()
	defer st.mu.Unlock()
	td, ok := st.deposits[id]
	if !ok {
		return ledger.TimeDepositRecord{}, fmt.Errorf("%w: time deposit %s", ledger.ErrNotFound, id)
	}
	updated, err := fn(td)
	if err != nil {
		return ledger.TimeDepositRecord{}, err
	}
	updated.ID, updated.IdempotencyKey = td.ID, td.IdempotencyKey
	st.deposits[id] = updated
	return updated, nil
}
