package memchannel

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/channel"
)

// atmRecords holds the records of channel.ATMStore under their own lock.
type atmRecords struct {
	mu             sync.Mutex
	devices        map[string]channel.ATM
	byCredential   map[channel.TokenHash]string
	withdrawals    map[withdrawalKey]channel.ATMWithdrawal
	replenishments map[uuid.UUID]channel.Replenishment
	tickets        map[uuid.UUID]channel.ATMTicket
	closedDays     map[calendar.Date]channel.Reconciliation
}

type withdrawalKey struct{ device, txn string }

var _ channel.ATMStore = (*Store)(nil)

func (s *Store) fleet() *atmRecords {
	s.atmOnce.Do(func() {
		s.atms = &atmRecords{
			devices:        map[string]channel.ATM{},
			byCredential:   map[channel.TokenHash]string{},
			withdrawals:    map[withdrawalKey]channel.ATMWithdrawal{},
			replenishments: map[uuid.UUID]channel.Replenishment{},
			tickets:        map[uuid.UUID]channel.ATMTicket{},
			closedDays:     map[calendar.Date]channel.Reconciliation{},
		}
	})
	return s.atms
}

func atmNotFound(what string, key any) error {
	return fmt.Errorf("%w: %s %v", channel.ErrNotFound, what, key)
}

// CreateATM implements channel.ATMStore.
func (s *Store) CreateATM(ctx context.Context, a channel.ATM) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f := s.fleet()
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.devices[a.ID]; ok {
		return fmt.Errorf("%w: device %s", channel.ErrDuplicate, a.ID)
	}
	if _, ok := f.byCredential[a.CredentialHash]; ok {
		return fmt.Errorf("%w: device credential", channel.ErrDuplicate)
	}
	f.devices[a.ID] = a.Clone()
	f.byCredential[a.CredentialHash] = a.ID
	return nil
}

// ATM implements channel.ATMStore.
func (s *Store) ATM(ctx context.Context, id string) (channel.ATM, error) {
	if err := ctx.Err(); err != nil {
		return channel.ATM{}, err
	}
	f := s.fleet()
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.devices[id]
	if !ok {
		return channel.ATM{}, atmNotFound("device", id)
	}
	return a.Clone(), nil
}

// ATMByCredential implements channel.ATMStore.
func (s *Store) ATMByCredential(ctx context.Context, h channel.TokenHash) (channel.ATM, error) {
	if err := ctx.Err(); err != nil {
		return channel.ATM{}, err
	}
	f := s.fleet()
	f.mu.Lock()
	defer f.mu.Unlock()
	id, ok := f.byCredential[h]
	if !ok {
		return channel.ATM{}, atmNotFound("device with credential", h)
	}
	return f.devices[id].Clone(), nil
}

// ListATMs implements channel.ATMStore.
func (s *Store) ListATMs(ctx context.Context) ([]channel.ATM, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f := s.fleet()
	f.mu.Lock()
	defer f.mu.Unlock()
	out := make([]channel.ATM, 0, len(f.devices))
	for _, a := range f.devices {
		out = append(out, a.Clone())
	}
	slices.SortFunc(out, func(a, b channel.ATM) int { return strings.Compare(a.ID, b.ID) })
	return out, nil
}

// updateATM runs fn on the device under the lock; f.mu is held.
func (f *atmRecords) updateATM(id string, fn func(channel.ATM) (channel.ATM, []channel.ATMTicket, error)) (channel.ATM, error) {
	old, ok := f.devices[id]
	if !ok {
		return channel.ATM{}, atmNotFound("device", id)
	}
	next, tickets, err := fn(old.Clone())
	if err != nil {
		return channel.ATM{}, err
	}
	next.ID, next.CredentialHash, next.CreatedAt = old.ID, old.CredentialHash, old.CreatedAt
	for _, t := range tickets {
		if prev, ok := f.tickets[t.ID]; ok {
			prev.ClosedAt, prev.UpdatedAt = t.ClosedAt, t.UpdatedAt
			f.tickets[t.ID] = prev
		} else {
			f.tickets[t.ID] = t
		}
	}
	f.devices[id] = next.Clone()
	return next, nil
}

// UpdateATM implements channel.ATMStore.
func (s *Store) UpdateATM(ctx context.Context, id string, fn func(channel.ATM) (channel.ATM, []channel.ATMTicket, error)) (channel.ATM, error) {
	if err := ctx.Err(); err != nil {
		return channel.ATM{}, err
	}
	f := s.fleet()
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.updateATM(id, fn)
}

// HeartbeatATM implements channel.ATMStore.
func (s *Store) HeartbeatATM(ctx context.Context, h channel.TokenHash, fn func(channel.ATM) (channel.ATM, []channel.ATMTicket, error)) (channel.ATM, error) {
	if err := ctx.Err(); err != nil {
		return channel.ATM{}, err
	}
	f := s.fleet()
	f.mu.Lock()
	defer f.mu.Unlock()
	id, ok := f.byCredential[h]
	if !ok {
		return channel.ATM{}, atmNotFound("device with credential", h)
	}
	return f.updateATM(id, fn)
}

// TouchATM implements channel.ATMStore.
func (s *Store) TouchATM(ctx context.Context, h channel.TokenHash, st channel.ATMState, code string, counts []int, freshSince, at time.Time) (channel.ATM, bool, error) {
	if err := ctx.Err(); err != nil {
		return channel.ATM{}, false, err
	}
	f := s.fleet()
	f.mu.Lock()
	defer f.mu.Unlock()
	id, ok := f.byCredential[h]
	if !ok {
		return channel.ATM{}, false, nil
	}
	a := f.devices[id]
	if a.State != st || a.FaultCode != code || a.LastHeartbeat.IsZero() || a.LastHeartbeat.Before(freshSince) {
		return channel.ATM{}, false, nil
	}
	if counts != nil {
		if len(counts) != len(a.Cassettes) {
			return channel.ATM{}, false, nil
		}
		for i, k := range a.Cassettes {
			if k.Count != counts[i] {
				return channel.ATM{}, false, nil
			}
		}
	}
	if at.After(a.LastHeartbeat) {
		a.LastHeartbeat = at
	}
	f.devices[id] = a
	return a.Clone(), true, nil
}

// RotateATMCredential implements channel.ATMStore.
func (s *Store) RotateATMCredential(ctx context.Context, id string, h channel.TokenHash) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f := s.fleet()
	f.mu.Lock()
	defer f.mu.Unlock()
	a, ok := f.devices[id]
	if !ok {
		return atmNotFound("device", id)
	}
	if other, ok := f.byCredential[h]; ok && other != id {
		return fmt.Errorf("%w: device credential", channel.ErrDuplicate)
	}
	delete(f.byCredential, a.CredentialHash)
	a.CredentialHash = h
	f.devices[id] = a
	f.byCredential[h] = id
	return nil
}

// CreateATMWithdrawal implements channel.ATMStore.
func (s *Store) CreateATMWithdrawal(ctx context.Context, w channel.ATMWithdrawal) (channel.ATMWithdrawal, bool, error) {
	if err := ctx.Err(); err != nil {
		return channel.ATMWithdrawal{}, false, err
	}
	f := s.fleet()
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.devices[w.DeviceID]; !ok {
		return channel.ATMWithdrawal{}, false, atmNotFound("device", w.DeviceID)
	}
	k := withdrawalKey{w.DeviceID, w.TxnID}
	if old, ok := f.withdrawals[k]; ok {
		return old.Clone(), false, nil
	}
	f.withdrawals[k] = w.Clone()
	return w.Clone(), true, nil
}

// ATMWithdrawal implements channel.ATMStore.
func (s *Store) ATMWithdrawal(ctx context.Context, deviceID, txnID string) (channel.ATMWithdrawal, error) {
	if err := ctx.Err(); err != nil {
		return channel.ATMWithdrawal{}, err
	}
	f := s.fleet()
	f.mu.Lock()
	defer f.mu.Unlock()
	w, ok := f.withdrawals[withdrawalKey{deviceID, txnID}]
	if !ok {
		return channel.ATMWithdrawal{}, atmNotFound("withdrawal", deviceID+"/"+txnID)
	}
	return w.Clone(), nil
}

// UpdateATMWithdrawal implements channel.ATMStore.
func (s *Store) UpdateATMWithdrawal(ctx context.Context, deviceID, txnID string, fn func(channel.ATMWithdrawal, channel.ATM) (channel.ATMWithdrawal, channel.ATM, error)) (channel.ATMWithdrawal, error) {
	if err := ctx.Err(); err != nil {
		return channel.ATMWithdrawal{}, err
	}
	f := s.fleet()
	f.mu.Lock()
	defer f.mu.Unlock()
	k := withdrawalKey{deviceID, txnID}
	w, ok := f.withdrawals[k]
	if !ok {
		return channel.ATMWithdrawal{}, atmNotFound("withdrawal", deviceID+"/"+txnID)
	}
	a := f.devices[deviceID]
	nw, na, err := fn(w.Clone(), a.Clone())
	if err != nil {
		return channel.ATMWithdrawal{}, err
	}
	nw.ID, nw.DeviceID, nw.TxnID, nw.CreatedAt = w.ID, w.DeviceID, w.TxnID, w.CreatedAt
	na.ID, na.CredentialHash, na.CreatedAt = a.ID, a.CredentialHash, a.CreatedAt
	f.withdrawals[k] = nw.Clone()
	f.devices[deviceID] = na.Clone()
	return nw, nil
}

// ListATMWithdrawals implements channel.ATMStore.
func (s *Store) ListATMWithdrawals(ctx context.Context, q channel.ATMWithdrawalFilter) ([]channel.ATMWithdrawal, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f := s.fleet()
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []channel.ATMWithdrawal
	for k, w := range f.withdrawals {
		if k.device != q.DeviceID || w.CreatedAt.Before(q.Since) {
			continue
		}
		if q.Unsettled && (!reported(w.State) || !w.SettledAt.IsZero()) {
			continue
		}
		out = append(out, w.Clone())
	}
	slices.SortFunc(out, func(a, b channel.ATMWithdrawal) int {
		if c := a.CreatedAt.Compare(b.CreatedAt); c != 0 {
			return c
		}
		return slices.Compare(a.ID[:], b.ID[:])
	})
	return out, nil
}

func reported(s channel.ATMWithdrawalState) bool {
	return s == channel.WithdrawalDispensed || s == channel.WithdrawalPartial || s == channel.WithdrawalFailed
}

// CreateReplenishment implements channel.ATMStore.
func (s *Store) CreateReplenishment(ctx context.Context, r channel.Replenishment) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	f := s.fleet()
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.devices[r.DeviceID]; !ok {
		return atmNotFound("device", r.DeviceID)
	}
	if _, ok := f.replenishments[r.ID]; ok {
		return fmt.Errorf("%w: replenishment %s", channel.ErrDuplicate, r.ID)
	}
	f.replenishments[r.ID] = r.Clone()
	return nil
}

// Replenishment implements channel.ATMStore.
func (s *Store) Replenishment(ctx context.Context, id uuid.UUID) (channel.Replenishment, error) {
	if err := ctx.Err(); err != nil {
		return channel.Replenishment{}, err
	}
	f := s.fleet()
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.replenishments[id]
	if !ok {
		return channel.Replenishment{}, atmNotFound("replenishment", id)
	}
	return r.Clone(), nil
}

// ListReplenishments implements channel.ATMStore.
func (s *Store) ListReplenishments(ctx context.Context, deviceID string) ([]channel.Replenishment, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f := s.fleet()
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []channel.Replenishment
	for _, r := range f.replenishments {
		if r.DeviceID == deviceID {
			out = append(out, r.Clone())
		}
	}
	slices.SortFunc(out, func(a, b channel.Replenishment) int { return slices.Compare(a.ID[:], b.ID[:]) })
	return out, nil
}

// UpdateReplenishment implements channel.ATMStore.
func (s *Store) UpdateReplenishment(ctx context.Context, id uuid.UUID, fn func(channel.Replenishment, channel.ATM) (channel.Replenishment, channel.ATM, error)) (channel.Replenishment, error) {
	if err := ctx.Err(); err != nil {
		return channel.Replenishment{}, err
	}
	f := s.fleet()
	f.mu.Lock()
	defer f.mu.Unlock()
	r, ok := f.replenishments[id]
	if !ok {
		return channel.Replenishment{}, atmNotFound("replenishment", id)
	}
	a := f.devices[r.DeviceID]
	nr, na, err := fn(r.Clone(), a.Clone())
	if err != nil {
		return channel.Replenishment{}, err
	}
	nr.ID, nr.DeviceID, nr.CreatedAt = r.ID, r.DeviceID, r.CreatedAt
	na.ID, na.CredentialHash, na.CreatedAt = a.ID, a.CredentialHash, a.CreatedAt
	f.replenishments[id] = nr.Clone()
	f.devices[r.DeviceID] = na.Clone()
	return nr, nil
}

// ListATMTickets implements channel.ATMStore.
func (s *Store) ListATMTickets(ctx context.Context, deviceID string) ([]channel.ATMTicket, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	f := s.fleet()
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []channel.ATMTicket
	for _, t := range f.tickets {
		if deviceID == "" || t.DeviceID == deviceID {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b channel.ATMTicket) int {
		if c := a.OpenedAt.Compare(b.OpenedAt); c != 0 {
			return c
		}
		return slices.Compare(a.ID[:], b.ID[:])
	})
	return out, nil
}

// SaveATMReconciliation implements channel.ATMStore.
func (s *Store) SaveATMReconciliation(ctx context.Context, r channel.Reconciliation) (channel.Reconciliation, bool, error) {
	if err := ctx.Err(); err != nil {
		return channel.Reconciliation{}, false, err
	}
	f := s.fleet()
	f.mu.Lock()
	defer f.mu.Unlock()
	if kept, ok := f.closedDays[r.Day]; ok {
		return cloneReconciliation(kept), false, nil
	}
	r.ClosedAt = r.ClosedAt.UTC().Truncate(time.Microsecond)
	f.closedDays[r.Day] = cloneReconciliation(r)
	return cloneReconciliation(r), true, nil
}

// ATMReconciliation implements channel.ATMStore.
func (s *Store) ATMReconciliation(ctx context.Context, day calendar.Date) (channel.Reconciliation, error) {
	if err := ctx.Err(); err != nil {
		return channel.Reconciliation{}, err
	}
	f := s.fleet()
	f.mu.Lock()
	defer f.mu.Unlock()
	kept, ok := f.closedDays[day]
	if !ok {
		return channel.Reconciliation{}, atmNotFound("reconciliation of", day)
	}
	return cloneReconciliation(kept), nil
}

func cloneReconciliation(r channel.Reconciliation) channel.Reconciliation {
	r.Lines = append([]channel.ReconciliationLine{}, r.Lines...)
	return r
}
