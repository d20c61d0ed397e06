package memcredit

import (
	"context"
	"encoding/json"
	"fmt"
	"sort"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/money"
)

// eodPosting is a ledger entry the end of day recorded as owed.
type eodPosting struct {
	entry  []byte
	posted bool
}

// EndOfDayLoans implements credit.Store.
func (s *Store) EndOfDayLoans(_ context.Context, date calendar.Date, from credit.ID, limit int) ([]credit.Loan, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []credit.Loan{}
	for _, id := range s.loanIDs[after(s.loanIDs, from):] {
		if len(out) == limit {
			break
		}
		l, err := s.decodeLoan(s.loans[id])
		if err != nil {
			return nil, err
		}
		if l.Status == credit.LoanActive && l.Standing.AsOf.Before(date) {
			out = append(out, l)
		}
	}
	return out, nil
}

// ApplyEndOfDay implements credit.Store.
func (s *Store) ApplyEndOfDay(_ context.Context, b credit.EndOfDayBatch) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	bodies := make(map[credit.ID][]byte, len(b.Loans))
	for _, x := range b.Loans {
		l := x.Loan
		old, err := s.batchLoan(bodies, l.ID)
		if err != nil {
			return err
		}
		if old.Version != l.Version {
			return fmt.Errorf("%w: loan %s at version %d, not %d", credit.ErrConcurrentUpdate, l.ID, old.Version, l.Version)
		}
		if err := validEvents(x.Events); err != nil {
			return err
		}
		l.ContractID, l.CustomerID, l.Version = old.ContractID, old.CustomerID, old.Version+1
		if bodies[l.ID], err = json.Marshal(l); err != nil {
			return err
		}
	}
	entries, err := s.postings(b.Postings)
	if err != nil {
		return err
	}
	for _, x := range b.Loans {
		s.loans[x.Loan.ID] = bodies[x.Loan.ID]
		s.append(x.Events)
	}
	s.addPostings(entries)
	s.markPosted(b.Posted)
	return nil
}

// postings encodes the postings of a page, ErrDuplicate when a key is
// taken.
func (s *Store) postings(ps []credit.LedgerEntry) (map[string][]byte, error) {
	entries := make(map[string][]byte, len(ps))
	for _, e := range ps {
		if _, taken := s.eodPostings[e.Key]; taken || entries[e.Key] != nil {
			return nil, fmt.Errorf("%w: end-of-day posting %q", credit.ErrDuplicate, e.Key)
		}
		body, err := json.Marshal(e)
		if err != nil {
			return nil, err
		}
		entries[e.Key] = body
	}
	return entries, nil
}

func (s *Store) addPostings(entries map[string][]byte) {
	if s.eodPostings == nil {
		s.eodPostings = map[string]eodPosting{}
	}
	for k, body := range entries {
		s.eodPostings[k] = eodPosting{entry: body}
	}
}

// QuietLoans implements credit.QuietEndOfDayStore: the loans' cursors
// are worked out from their records, as pgcredit keeps them.
func (s *Store) QuietLoans(_ context.Context, q credit.QuietQuery) ([]credit.QuietLoan, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []credit.QuietLoan{}
	for _, id := range s.loanIDs[after(s.loanIDs, q.After):] {
		if len(out) == q.Limit {
			break
		}
		l, err := s.decodeLoan(s.loans[id])
		if err != nil {
			return nil, err
		}
		st := l.Standing
		c := l.AccrualCursor()
		first := st.AsOf.IsZero() && st.Bucket == ""
		later := !st.AsOf.IsZero() && st.AsOf.Before(q.Date) && st.Bucket == q.Bucket && st.Classification == credit.ClassNormal
		if c == nil || st.DaysPastDue != 0 || !first && !later || !c.NextDue.After(q.DueAfter) {
			continue
		}
		out = append(out, credit.QuietLoan{ID: l.ID, Version: l.Version, Currency: l.Currency(), Cursor: *c,
			Recognised: l.Paid[c.Instalment].Recognised.Amount})
	}
	return out, nil
}

// ApplyQuiet implements credit.QuietEndOfDayStore.
func (s *Store) ApplyQuiet(_ context.Context, b credit.QuietBatch) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	bodies := make(map[credit.ID][]byte, len(b.Loans))
	for _, x := range b.Loans {
		l, err := s.batchLoan(bodies, x.ID)
		if err != nil {
			return err
		}
		c := l.AccrualCursor()
		if l.Version != x.Version || !l.Standing.AsOf.Before(b.Date) || c == nil {
			return fmt.Errorf("%w: loan %s at version %d, not %d", credit.ErrConcurrentUpdate, l.ID, l.Version, x.Version)
		}
		if p := &l.Paid[c.Instalment]; !p.Recognised.Amount.Equal(x.Recognised) {
			p.Recognised = money.Money{Amount: x.Recognised, Currency: l.Currency()}
		}
		if l.Standing.Bucket == "" {
			l.Standing.Bucket, l.Standing.Classification = b.Bucket, credit.ClassNormal
		}
		l.Standing.AsOf, l.Version, l.UpdatedAt = b.Date, l.Version+1, b.UpdatedAt
		if bodies[x.ID], err = json.Marshal(l); err != nil {
			return err
		}
	}
	entries, err := s.postings(b.Postings)
	if err != nil {
		return err
	}
	for id, body := range bodies {
		s.loans[id] = body
	}
	s.addPostings(entries)
	s.markPosted(b.Posted)
	return nil
}

// batchLoan is loan id as stored, for a batch whose new records so far
// are bodies: a loan the store lacks, or one the batch names twice, is
// refused.
func (s *Store) batchLoan(bodies map[credit.ID][]byte, id credit.ID) (credit.Loan, error) {
	body, ok := s.loans[id]
	if !ok {
		return credit.Loan{}, fmt.Errorf("%w: loan %s", credit.ErrNotFound, id)
	}
	if _, dup := bodies[id]; dup {
		return credit.Loan{}, fmt.Errorf("%w: loan %s twice in a batch", credit.ErrInvalidInput, id)
	}
	return s.decodeLoan(body)
}

func (s *Store) markPosted(keys []string) {
	for _, k := range keys {
		if p, ok := s.eodPostings[k]; ok {
			p.posted = true
			s.eodPostings[k] = p
		}
	}
}

// EndOfDayPostings implements credit.Store.
func (s *Store) EndOfDayPostings(context.Context) ([]credit.LedgerEntry, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := []credit.LedgerEntry{}
	for _, p := range s.eodPostings {
		if p.posted {
			continue
		}
		var e credit.LedgerEntry
		if err := json.Unmarshal(p.entry, &e); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Key < out[j].Key })
	return out, nil
}

// MarkEndOfDayPosted implements credit.Store.
func (s *Store) MarkEndOfDayPosted(_ context.Context, keys []string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.markPosted(keys)
	return nil
}
