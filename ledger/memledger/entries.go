package memledger

import (
	"context"
	"fmt"
	"math"
	"slices"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/fault"
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
	// Validation needs no lock. The journal copies what it keeps of an
	// entry, so the store needs no private copy of the request.
	results := make([]ledger.PostResult, len(reqs))
	for i := range reqs {
		results[i].Err = reqs[i].Entry.Validate()
	}

	s.mu.Lock()
	for i := range reqs {
		if results[i].Err == nil {
			s.post(&reqs[i].Entry, reqs[i].Fingerprint, &results[i])
		}
	}
	s.mu.Unlock()
	return results, nil
}

// maxInline is how many accounts an entry may touch before post's buffers
// of movements and accounts move to the heap; accountsInline is the same
// for the copies of the accounts handed to Apply, which are larger.
const (
	maxInline      = 4
	accountsInline = 2
)

// post applies one valid entry and writes its result to res, which is
// zero; the caller holds s.mu. A fresh posting's result is the caller's own
// entry (with ReversedBy unset); a replay's is rebuilt from the journal.
func (s *Store) post(e *ledger.Entry, fp ledger.Fingerprint, res *ledger.PostResult) {
	if e.IdempotencyKey != "" {
		if k, ok := s.entryKeys[e.IdempotencyKey]; ok {
			if k.fp != fp {
				res.Err = fmt.Errorf("%w: key %q", ledger.ErrIdempotencyConflict, e.IdempotencyKey)
				return
			}
			i, _ := s.journal.lookup(k.id)
			res.Entry, res.Replayed = s.entryAt(i), true
			return
		}
	}
	if e.Reverses != ledger.NilID {
		if _, done := s.reversedBy[e.Reverses]; done {
			res.Err = fmt.Errorf("%w: entry %s", ledger.ErrAlreadyReversed, e.Reverses)
			return
		}
	}
	if !e.ExternalRef.IsZero() {
		if id, taken := s.entryRefs[e.ExternalRef]; taken {
			res.Err = ledger.RefTaken("entry", e.ExternalRef, id)
			return
		}
	}
	if s.journal.len() >= math.MaxUint32 {
		res.Err = fmt.Errorf("memledger: the store holds its maximum of %d entries", uint32(math.MaxUint32))
		return
	}
	var movesBuf [maxInline]ledger.Movement
	moves := e.AppendMovements(movesBuf[:0])
	var buf [accountsInline]ledger.Account
	var ptrs [maxInline]*account
	accts, targets := buf[:0], ptrs[:0]
	for _, m := range moves {
		a, ok := s.accounts[m.AccountID]
		if !ok {
			res.Err = notFound("account", m.AccountID)
			return
		}
		accts = append(accts, a.Account)
		targets = append(targets, a)
	}
	var hold *ledger.Hold
	if e.HoldID != ledger.NilID {
		h, ok := s.holds[e.HoldID]
		if !ok {
			res.Err = notFound("hold", e.HoldID)
			return
		}
		copied := *h
		hold = &copied
	}
	if err := ledger.Apply(*e, moves, accts, hold); err != nil {
		res.Err = err
		return
	}
	if err := s.applyClass(e, moves, accts); err != nil {
		res.Err = err
		return
	}

	var captured event.Envelope
	if hold != nil {
		var err error
		if captured, err = ledger.HoldChangedEvent(*hold); err != nil {
			res.Err = err
			return
		}
	}
	idx := s.journal.add(e, moves, targets)
	s.outbox.Append(struct{}{})
	for i, a := range targets {
		a.Balance, a.Held = accts[i].Balance, accts[i].Held
		a.entries = append(a.entries, idx)
	}
	if hold != nil {
		*s.holds[hold.ID] = *hold
		s.publish(captured)
	}
	if e.Reverses != ledger.NilID {
		s.reversedBy[e.Reverses] = e.ID
	}
	if e.IdempotencyKey != "" {
		s.entryKeys[e.IdempotencyKey] = keyed{fp: fp, id: e.ID}
	}
	if !e.ExternalRef.IsZero() {
		s.entryRefs[e.ExternalRef] = e.ID
		s.refOfEntry[e.ID] = e.ExternalRef
	}
	res.Entry = *e
	res.Entry.ReversedBy = ledger.NilID
}

// entryAt rebuilds journal record i with ReversedBy filled in; the caller
// holds s.mu.
func (s *Store) entryAt(i uint32) ledger.Entry {
	e := s.journal.entry(i, s.accountList)
	e.ReversedBy = s.reversedBy[e.ID]
	e.ExternalRef = s.refOfEntry[e.ID]
	return e
}

// Entry implements ledger.Store.
func (s *Store) Entry(ctx context.Context, id ledger.ID) (ledger.Entry, error) {
	if err := ctx.Err(); err != nil {
		return ledger.Entry{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	i, ok := s.journal.lookup(id)
	if !ok {
		return ledger.Entry{}, notFound("entry", id)
	}
	return s.entryAt(i), nil
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
	return money.Money{Amount: s.balanceOn(a, date), Currency: a.Currency}, nil
}

// StatementLines implements ledger.Store, under one read lock.
func (s *Store) StatementLines(ctx context.Context, accountID ledger.ID, from, to calendar.Date) (money.Money, []ledger.StatementLine, error) {
	if err := ctx.Err(); err != nil {
		return money.Money{}, nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.accounts[accountID]
	if !ok {
		return money.Money{}, nil, notFound("account", accountID)
	}
	var out []ledger.StatementLine
	opening := decimal.Zero
	lo, hi := packDate(from), packDate(to)
	for _, i := range a.entries {
		switch vd := s.journal.valueDate(i); {
		case vd < lo:
			opening = opening.Add(s.journal.changeTo(i, a))
		case vd <= hi:
			out = append(out, s.journal.statementLine(i, a))
		}
	}
	slices.SortStableFunc(out, statementOrder)
	return money.Money{Amount: opening, Currency: a.Currency}, out, nil
}

// statementOrder orders statement lines by value date, then entry ID.
func statementOrder(x, y ledger.StatementLine) int {
	if c := x.ValueDate.Compare(y.ValueDate); c != 0 {
		return c
	}
	return ledger.CompareIDs(x.EntryID, y.EntryID)
}

// balanceOn returns the sum of a's changes from entries whose value date is
// on or before day; the caller holds s.mu.
func (s *Store) balanceOn(a *account, day calendar.Date) decimal.Decimal {
	last := packDate(day)
	sum := decimal.Zero
	for _, i := range a.entries {
		if s.journal.valueDate(i) <= last {
			sum = sum.Add(s.journal.changeTo(i, a))
		}
	}
	return sum
}

// History implements ledger.Store. In memory the whole history is at hand,
// so it is simply sorted and summed under one read lock.
func (s *Store) History(ctx context.Context, q ledger.HistoryQuery) ([]ledger.StatementLine, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.accounts[q.AccountID]
	if !ok {
		return nil, notFound("account", q.AccountID)
	}
	all := make([]ledger.StatementLine, 0, len(a.entries))
	for _, i := range a.entries {
		all = append(all, s.journal.statementLine(i, a))
	}
	slices.SortStableFunc(all, statementOrder)
	running := decimal.Zero
	for i := range all {
		running = running.Add(all[i].Amount.Amount)
		all[i].BalanceAfter = money.Money{Amount: running, Currency: a.Currency}
	}
	start := len(all) - 1
	if q.Before != ledger.NilID {
		at := slices.IndexFunc(all, func(l ledger.StatementLine) bool { return l.EntryID == q.Before })
		if at < 0 {
			return nil, fault.Field(ledger.ErrInvalidInput, "before", "is not an entry of this account")
		}
		start = at - 1
	}
	var out []ledger.StatementLine
	for i := start; i >= 0 && len(out) < q.Limit; i-- {
		l := all[i]
		if l.ValueDate.Before(q.From) {
			break
		}
		if !l.ValueDate.After(q.To) {
			out = append(out, l)
		}
	}
	return out, nil
}

// EntryByKey implements ledger.KeyedEntries.
func (s *Store) EntryByKey(ctx context.Context, key string) (ledger.Entry, error) {
	if err := ctx.Err(); err != nil {
		return ledger.Entry{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	k, ok := s.entryKeys[key]
	if !ok {
		return ledger.Entry{}, fmt.Errorf("%w: no entry with idempotency key %q", ledger.ErrNotFound, key)
	}
	i, _ := s.journal.lookup(k.id)
	return s.entryAt(i), nil
}
