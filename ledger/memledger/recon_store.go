package memledger

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/clearing"
)

// ReconReport implements clearing.ReconStore. The breaks are read as they
// are now (a break resolved since the import shows resolved).
func (s *Store) ReconReport(ctx context.Context, accountID ledger.ID, statementID string) (clearing.ReconReport, error) {
	if err := ctx.Err(); err != nil {
		return clearing.ReconReport{}, err
	}
	c := s.clearing()
	c.mu.Lock()
	defer c.mu.Unlock()
	r, ok := c.reports[reportKey{accountID, statementID}]
	if !ok {
		return clearing.ReconReport{}, fmt.Errorf("%w: no statement %q imported for account %s", ledger.ErrNotFound, statementID, accountID)
	}
	return c.currentReport(r), nil
}

// currentReport copies a stored report with its breaks as they are now.
func (c *clearingState) currentReport(r clearing.ReconReport) clearing.ReconReport {
	r.Matches = slices.Clone(r.Matches)
	for i := range r.Matches {
		r.Matches[i].Lines = slices.Clone(r.Matches[i].Lines)
		r.Matches[i].EntryIDs = slices.Clone(r.Matches[i].EntryIDs)
	}
	r.UnmatchedStatement = slices.Clone(r.UnmatchedStatement)
	r.UnmatchedLedger = slices.Clone(r.UnmatchedLedger)
	for _, bs := range [][]clearing.ReconBreak{r.UnmatchedStatement, r.UnmatchedLedger} {
		for i := range bs {
			bs[i] = c.breaks[bs[i].ID]
		}
	}
	return r
}

// ReconciledEntries implements clearing.ReconStore.
func (s *Store) ReconciledEntries(ctx context.Context, accountID ledger.ID, ids []ledger.ID) ([]ledger.ID, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c := s.clearing()
	c.mu.Lock()
	defer c.mu.Unlock()
	var done []ledger.ID
	for _, id := range ids {
		if c.reconciled[accountID][id] {
			done = append(done, id)
		}
	}
	return done, nil
}

// SaveReconciliation implements clearing.ReconStore.
func (s *Store) SaveReconciliation(ctx context.Context, r clearing.ReconReport) (clearing.ReconReport, bool, error) {
	if err := ctx.Err(); err != nil {
		return clearing.ReconReport{}, false, err
	}
	c := s.clearing()
	c.mu.Lock()
	defer c.mu.Unlock()
	k := reportKey{r.AccountID, r.StatementID}
	if prior, ok := c.reports[k]; ok {
		return c.currentReport(prior), true, nil
	}
	done := c.reconciled[r.AccountID]
	matched := r.MatchedEntryIDs()
	for _, id := range matched {
		if done[id] {
			return clearing.ReconReport{}, false, fmt.Errorf("%w: entry %s was reconciled by another statement", ledger.ErrDuplicate, id)
		}
	}
	if done == nil {
		done = make(map[ledger.ID]bool)
		c.reconciled[r.AccountID] = done
	}
	for _, id := range matched {
		done[id] = true
		if b, open := c.openByEntry[id]; open {
			br := c.breaks[b]
			br.Status = clearing.BreakCleared
			c.breaks[b] = br
			delete(c.openByEntry, id)
		}
	}
	r.Replayed = false
	r.UnmatchedStatement = slices.Clone(r.UnmatchedStatement)
	r.UnmatchedLedger = slices.Clone(r.UnmatchedLedger)
	for i, b := range r.UnmatchedLedger {
		if prior, open := c.openByEntry[b.EntryID]; open {
			r.UnmatchedLedger[i] = c.breaks[prior]
			continue
		}
		c.openByEntry[b.EntryID] = b.ID
		c.breaks[b.ID] = b
	}
	for _, b := range r.UnmatchedStatement {
		c.breaks[b.ID] = b
	}
	c.reports[k] = c.currentReport(r)
	return c.currentReport(r), false, nil
}

// ReconBreak implements clearing.ReconStore.
func (s *Store) ReconBreak(ctx context.Context, id ledger.ID) (clearing.ReconBreak, error) {
	if err := ctx.Err(); err != nil {
		return clearing.ReconBreak{}, err
	}
	c := s.clearing()
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.breaks[id]
	if !ok {
		return clearing.ReconBreak{}, fmt.Errorf("%w: reconciliation break %s", ledger.ErrNotFound, id)
	}
	return b, nil
}

// ResolveReconBreak implements clearing.ReconStore.
func (s *Store) ResolveReconBreak(ctx context.Context, id, entryID ledger.ID, approver string, at time.Time) (clearing.ReconBreak, error) {
	if err := ctx.Err(); err != nil {
		return clearing.ReconBreak{}, err
	}
	c := s.clearing()
	c.mu.Lock()
	defer c.mu.Unlock()
	b, ok := c.breaks[id]
	switch {
	case !ok:
		return clearing.ReconBreak{}, fmt.Errorf("%w: reconciliation break %s", ledger.ErrNotFound, id)
	case b.Status == clearing.BreakResolved && b.AdjustmentEntryID == entryID:
		return b, nil
	case b.Status != clearing.BreakOpen:
		return clearing.ReconBreak{}, fmt.Errorf("%w: break %s is %s", clearing.ErrState, id, b.Status)
	}
	b.Status, b.AdjustmentEntryID, b.ResolvedBy, b.ResolvedAt = clearing.BreakResolved, entryID, approver, at
	c.breaks[id] = b
	if b.Side == clearing.BreakInLedger {
		delete(c.openByEntry, b.EntryID)
		c.markReconciled(b.AccountID, b.EntryID)
	}
	c.markReconciled(b.AccountID, entryID)
	return b, nil
}

func (c *clearingState) markReconciled(account, entry ledger.ID) {
	if c.reconciled[account] == nil {
		c.reconciled[account] = make(map[ledger.ID]bool)
	}
	c.reconciled[account][entry] = true
}

// EntryMetadata implements clearing.ReconStore.
func (s *Store) EntryMetadata(ctx context.Context, ids []ledger.ID) (map[ledger.ID]map[string]string, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	out := make(map[ledger.ID]map[string]string)
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, id := range ids {
		if i, ok := s.journal.lookup(id); ok {
			if m := s.journal.metadata(i); len(m) > 0 {
				out[id] = maps.Clone(m)
			}
		}
	}
	return out, nil
}
