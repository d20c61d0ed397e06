package memcredit

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/event"
)

// collectionHistory is each loan's collections history as JSON, in
// number order (numbers run from 1 without gaps).
type collectionHistory struct {
	actions  map[credit.ID][][]byte
	promises map[credit.ID][][]byte
}

// add appends entry numbered n to list; ErrDuplicate when n is taken
// or leaves a gap.
func add(list map[credit.ID][][]byte, id credit.ID, n int, entry any, what string) ([][]byte, error) {
	if n != len(list[id])+1 {
		return nil, fmt.Errorf("%w: %s %d of loan %s (it has %d)", credit.ErrDuplicate, what, n, id, len(list[id]))
	}
	b, err := json.Marshal(entry)
	if err != nil {
		return nil, err
	}
	return append(list[id], b), nil
}

// UpdateCollections implements credit.Store.
func (s *Store) UpdateCollections(_ context.Context, id credit.ID, fn func(credit.Loan) (credit.Loan, credit.CollectionEntries, []event.Envelope, error)) (credit.Loan, error) {
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
	next, entries, events, err := fn(old)
	if err != nil {
		return credit.Loan{}, err
	}
	if err := validEvents(events); err != nil {
		return credit.Loan{}, err
	}
	if s.history.actions == nil {
		s.history = collectionHistory{actions: map[credit.ID][][]byte{}, promises: map[credit.ID][][]byte{}}
	}
	var actions, promises [][]byte
	if a := entries.Action; a != nil {
		if actions, err = add(s.history.actions, id, a.Number, a, "action"); err != nil {
			return credit.Loan{}, err
		}
	}
	if p := entries.Promise; p != nil {
		if promises, err = add(s.history.promises, id, p.Number, p, "promise"); err != nil {
			return credit.Loan{}, err
		}
	}
	next.ID, next.ContractID, next.CustomerID, next.Version = id, old.ContractID, old.CustomerID, old.Version+1
	nb, err := json.Marshal(next)
	if err != nil {
		return credit.Loan{}, err
	}
	s.loans[id] = nb
	if actions != nil {
		s.history.actions[id] = actions
	}
	if promises != nil {
		s.history.promises[id] = promises
	}
	s.append(events)
	return next, nil
}

func page[T any](list [][]byte, after, limit int) ([]T, error) {
	out := []T{}
	for i := after; i < len(list) && len(out) < limit; i++ {
		var v T
		if err := json.Unmarshal(list[i], &v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}

// CollectionActions implements credit.Store.
func (s *Store) CollectionActions(_ context.Context, loanID credit.ID, after, limit int) ([]credit.CollectionAction, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return page[credit.CollectionAction](s.history.actions[loanID], after, limit)
}

// PastPromises implements credit.Store.
func (s *Store) PastPromises(_ context.Context, loanID credit.ID, after, limit int) ([]credit.Promise, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	return page[credit.Promise](s.history.promises[loanID], after, limit)
}
