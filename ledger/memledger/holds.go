package memledger

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/ledger"
)

// PlaceHold implements ledger.Store.
func (s *Store) PlaceHold(ctx context.Context, h ledger.Hold, fp ledger.Fingerprint) (ledger.Hold, bool, error) {
	if err := ctx.Err(); err != nil {
		return ledger.Hold{}, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if h.IdempotencyKey != "" {
		if k, ok := s.holdKeys[h.IdempotencyKey]; ok {
			if k.fp != fp {
				return ledger.Hold{}, false, fmt.Errorf("%w: key %q", ledger.ErrIdempotencyConflict, h.IdempotencyKey)
			}
			return *s.holds[k.id], true, nil
		}
	}
	if err := h.Validate(); err != nil {
		return ledger.Hold{}, false, err
	}
	if _, ok := s.holds[h.ID]; ok {
		return ledger.Hold{}, false, fmt.Errorf("%w: hold id %s", ledger.ErrDuplicate, h.ID)
	}
	if !h.ExternalRef.IsZero() {
		if id, ok := s.holdRefs[h.ExternalRef]; ok {
			return ledger.Hold{}, false, ledger.RefTaken("hold", h.ExternalRef, id)
		}
	}
	a, ok := s.accounts[h.AccountID]
	if !ok {
		return ledger.Hold{}, false, notFound("account", h.AccountID)
	}
	acct := a.Account
	if err := ledger.AdmitHold(&acct, h); err != nil {
		return ledger.Hold{}, false, err
	}
	placed, err := ledger.HoldChangedEvent(h)
	if err != nil {
		return ledger.Hold{}, false, err
	}
	a.Held = acct.Held
	stored := h
	s.holds[h.ID] = &stored
	a.holds = append(a.holds, &stored)
	if h.IdempotencyKey != "" {
		s.holdKeys[h.IdempotencyKey] = keyed{fp: fp, id: h.ID}
	}
	if !h.ExternalRef.IsZero() {
		s.holdRefs[h.ExternalRef] = h.ID
	}
	s.publish(placed)
	return h, false, nil
}

// ReleaseHold implements ledger.Store.
func (s *Store) ReleaseHold(ctx context.Context, id ledger.ID, at time.Time) (ledger.Hold, error) {
	if err := ctx.Err(); err != nil {
		return ledger.Hold{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	h, ok := s.holds[id]
	if !ok {
		return ledger.Hold{}, notFound("hold", id)
	}
	released, err := h.Release(at)
	if err != nil {
		return ledger.Hold{}, err
	}
	if h.Status == ledger.HoldActive {
		ev, err := ledger.HoldChangedEvent(released)
		if err != nil {
			return ledger.Hold{}, err
		}
		s.unhold(h)
		s.publish(ev)
	}
	*h = released
	return released, nil
}

// ExpireHolds implements ledger.Store.
func (s *Store) ExpireHolds(ctx context.Context, asOf time.Time) ([]ledger.Hold, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var expired []ledger.Hold
	for _, h := range s.holds {
		if e, due := h.Expire(asOf); due {
			expired = append(expired, e)
		}
	}
	slices.SortFunc(expired, func(x, y ledger.Hold) int { return ledger.CompareIDs(x.ID, y.ID) })
	events := make([]event.Envelope, len(expired))
	for i, e := range expired {
		ev, err := ledger.HoldChangedEvent(e)
		if err != nil {
			return nil, err
		}
		events[i] = ev
	}
	for i, e := range expired {
		h := s.holds[e.ID]
		s.unhold(h)
		*h = e
		s.publish(events[i])
	}
	return expired, nil
}

// unhold gives an active hold's amount back to its account's available
// balance; the caller holds s.mu.
func (s *Store) unhold(h *ledger.Hold) {
	a := s.accounts[h.AccountID]
	a.Held.Amount = a.Held.Amount.Sub(h.Amount.Amount)
}

// Hold implements ledger.Store.
func (s *Store) Hold(ctx context.Context, id ledger.ID) (ledger.Hold, error) {
	if err := ctx.Err(); err != nil {
		return ledger.Hold{}, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	h, ok := s.holds[id]
	if !ok {
		return ledger.Hold{}, notFound("hold", id)
	}
	return *h, nil
}

// Holds implements ledger.Store.
func (s *Store) Holds(ctx context.Context, accountID ledger.ID, activeOnly bool) ([]ledger.Hold, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	a, ok := s.accounts[accountID]
	if !ok {
		return nil, notFound("account", accountID)
	}
	var out []ledger.Hold
	for _, h := range a.holds {
		if !activeOnly || h.Status == ledger.HoldActive {
			out = append(out, *h)
		}
	}
	slices.SortFunc(out, func(x, y ledger.Hold) int { return ledger.CompareIDs(x.ID, y.ID) })
	return out, nil
}
