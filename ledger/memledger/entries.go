package memledger

import (
	"context"
	"fmt"
	"maps"
	"slices"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
	"github.com/shopspring/decimal"
)

// PostEntries implements ledger.Store. The whole batch runs under the
// store's lock, each request on its own: a refused request changes nothing
// and does not stop the ones after it.
func (s *Store) PostEntries(ctx context.Context, reqs []ledger.PostRequest) ([]ledger.PostResult, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	// Work that needs no lock: validation, movements, private copies.
	results := make([]ledger.PostResult, len(reqs))
	prepared := make([]preparedEntry, len(reqs))
	for i := range reqs {
		e := reqs[i].Entry
		if err := e.Validate(); err != nil {
			results[i].Err = err
			continue
		}
		p := &prepared[i]
		p.entry = e
		if len(e.Postings) <= len(p.inline) {
			n := copy(p.inline[:], e.Postings)
			p.entry.Postings = p.inline[:n:n]
		} else {
			p.entry.Postings = slices.Clone(e.Postings)
		}
		p.entry.Metadata = maps.Clone(e.Metadata)
		p.entry.ReversedBy = ledger.NilID
	}

	s.mu.Lock()
	for i := range reqs {
		if results[i].Err == nil {
			results[i] = s.post(&prepared[i].entry, reqs[i].Fingerprint)
		}
	}
	s.mu.Unlock()
	// Stored entries never change, so the results' private copies of their
	// slices can be made outside the lock. A fresh posting hands back the
	// caller's own slices, which the store never kept.
	for i := range results {
		switch {
		case results[i].Err != nil:
		case results[i].Replayed:
			detach(&results[i].Entry)
		default:
			results[i].Entry.Postings = reqs[i].Entry.Postings
			results[i].Entry.Metadata = reqs[i].Entry.Metadata
		}
	}
	return results, nil
}

// preparedEntry is a validated private copy of a request's entry, made
// before taking the lock. The stored entry is the one in here, and the
// postings of a two-posting entry live in inline: one allocation holds the
// whole record.
type preparedEntry struct {
	entry  ledger.Entry
	inline [2]ledger.Posting
}

// maxInline is how many accounts an entry may touch before post's account
// buffer moves to the heap.
const maxInline = 4

// post applies one valid entry; the caller holds s.mu.
func (s *Store) post(e *ledger.Entry, fp ledger.Fingerprint) ledger.PostResult {
	if e.IdempotencyKey != "" {
		if k, ok := s.entryKeys[e.IdempotencyKey]; ok {
			if k.fp != fp {
				return ledger.PostResult{Err: fmt.Errorf("%w: key %q", ledger.ErrIdempotencyConflict, e.IdempotencyKey)}
			}
			return ledger.PostResult{Entry: s.entryShared(k.id), Replayed: true}
		}
	}
	if e.Reverses != ledger.NilID {
		if _, done := s.reversedBy[e.Reverses]; done {
			return ledger.PostResult{Err: fmt.Errorf("%w: entry %s", ledger.ErrAlreadyReversed, e.Reverses)}
		}
	}
	var movesBuf [maxInline]ledger.Movement
	moves := e.AppendMovements(movesBuf[:0])
	var buf [maxInline]ledger.Account
	var ptrs [maxInline]*account
	accts, targets := buf[:0], ptrs[:0]
	for _, m := range moves {
		a, ok := s.accounts[m.AccountID]
		if !ok {
			return ledger.PostResult{Err: notFound("account", m.AccountID)}
		}
		accts = append(accts, a.Account)
		targets = append(targets, a)
	}
	var hold *ledger.Hold
	if e.HoldID != ledger.NilID {
		h, ok := s.holds[e.HoldID]
		if !ok {
			return ledger.PostResult{Err: notFound("hold", e.HoldID)}
		}
		copied := *h
		hold = &copied
	}
	if err := ledger.Apply(*e, moves, accts, hold); err != nil {
		return ledger.PostResult{Err: err}
	}

	stored := e
	s.entries[e.ID] = stored
	for i, a := range targets {
		a.Balance, a.Held = accts[i].Balance, accts[i].Held
		a.entries = append(a.entries, stored)
	}
	if hold != nil {
		*s.holds[hold.ID] = *hold
	}
	if e.Reverses != ledger.NilID {
		s.reversedBy[e.Reverses] = e.ID
	}
	if e.IdempotencyKey != "" {
		s.entryKeys[e.IdempotencyKey] = keyed{fp: fp, id: e.ID}
	}
	s.outbox = append(s.outbox, stored)
	return ledger.PostResult{Entry: s.entryShared(e.ID)}
}

// entryShared returns a stored entry with ReversedBy filled in, still
// sharing its slices with the store; the caller holds s.mu and detaches the
// copy before handing it out.
func (s *Store) entryShared(id ledger.ID) ledger.Entry {
	e := *s.entries[id]
	e.ReversedBy = s.reversedBy[id]
	return e
}

// detach gives e its own postings and metadata, so that the caller may
// change them without touching the store.
func detach(e *ledger.Entry) {
	e.Postings = slices.Clone(e.Postings)
	e.Metadata = maps.Clone(e.Metadata)
}

// Entry implements ledger.Store.
func (s *Store) Entry(ctx context.Context, id ledger.ID) (ledger.Entry, error) {
	if err := ctx.Err(); err != nil {
		return ledger.Entry{}, err
	}
	s.mu.RLock()
	_, ok := s.entries[id]
	var e ledger.Entry
	if ok {
		e = s.entryShared(id)
	}
	s.mu.RUnlock()
	if !ok {
		return ledger.Entry{}, notFound("entry", id)
	}
	detach(&e)
	return e, nil
}

// BalanceAsOf implements ledger.Store.
func (s *Store) BalanceAsOf(ctx context.Context, accountID ledger.ID, date calendar.Date) (money.Money, error) {
	if err := ctx.Err(); err != nil {
		return money.Money{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.accounts[accountID]
	if !ok {
		return money.Money{}, notFound("account", accountID)
	}
	sum := decimal.Zero
	for _, e := range a.entries {
		if !e.ValueDate.After(date) {
			sum = sum.Add(a.changeTo(e))
		}
	}
	return money.Money{Amount: sum, Currency: a.Currency}, nil
}

// Postings implements ledger.Store.
func (s *Store) Postings(ctx context.Context, accountID ledger.ID, from, to calendar.Date) ([]ledger.StatementLine, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.accounts[accountID]
	if !ok {
		return nil, notFound("account", accountID)
	}
	var out []ledger.StatementLine
	for _, e := range a.entries {
		if e.ValueDate.Before(from) || e.ValueDate.After(to) {
			continue
		}
		out = append(out, ledger.StatementLine{
			EntryID:     e.ID,
			Kind:        e.Kind,
			Amount:      money.Money{Amount: a.changeTo(e), Currency: a.Currency},
			Description: e.Description,
			ValueDate:   e.ValueDate,
			BookedAt:    e.BookedAt,
		})
	}
	slices.SortStableFunc(out, func(x, y ledger.StatementLine) int {
		if c := x.ValueDate.Compare(y.ValueDate); c != 0 {
			return c
		}
		return ledger.CompareIDs(x.EntryID, y.EntryID)
	})
	return out, nil
}
