package memchannel

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/channel"
)

// online holds the records of channel.OnlineStore under their own lock.
type online struct {
	mu           sync.Mutex
	factors      map[uuid.UUID]channel.SecondFactor
	devices      map[deviceKey]channel.Device
	stepUps      map[channel.TokenHash]channel.StepUp
	payees       map[uuid.UUID]channel.Payee
	limits       map[channel.LimitKey]channel.Limits
	usage        map[channel.LimitKey]channel.Usage
	reservations map[string]channel.Reservation
	reconciled   map[calendar.Date]channel.LimitReconciliation
}

type deviceKey struct {
	identity uuid.UUID
	id       string
}

var _ channel.OnlineStore = (*Store)(nil)

func (s *Store) on() *online {
	s.onlineOnce.Do(func() {
		s.online = &online{
			factors:      map[uuid.UUID]channel.SecondFactor{},
			devices:      map[deviceKey]channel.Device{},
			stepUps:      map[channel.TokenHash]channel.StepUp{},
			payees:       map[uuid.UUID]channel.Payee{},
			limits:       map[channel.LimitKey]channel.Limits{},
			usage:        map[channel.LimitKey]channel.Usage{},
			reservations: map[string]channel.Reservation{},
			reconciled:   map[calendar.Date]channel.LimitReconciliation{},
		}
	})
	return s.online
}

func cloneFactor(f channel.SecondFactor) channel.SecondFactor {
	f.Secret = bytes.Clone(f.Secret)
	f.Recovery = slices.Clone(f.Recovery)
	return f
}

func cloneDevice(d channel.Device) channel.Device {
	d.PublicKey = bytes.Clone(d.PublicKey)
	return d
}

// CreateSecondFactor implements channel.OnlineStore.
func (s *Store) CreateSecondFactor(ctx context.Context, f channel.SecondFactor) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	o := s.on()
	o.mu.Lock()
	defer o.mu.Unlock()
	if old, ok := o.factors[f.IdentityID]; ok && old.Confirmed() {
		return fmt.Errorf("%w: a confirmed second factor exists", channel.ErrDuplicate)
	}
	o.factors[f.IdentityID] = cloneFactor(f)
	return nil
}

// SecondFactor implements channel.OnlineStore.
func (s *Store) SecondFactor(ctx context.Context, identityID uuid.UUID) (channel.SecondFactor, error) {
	if err := ctx.Err(); err != nil {
		return channel.SecondFactor{}, err
	}
	o := s.on()
	o.mu.Lock()
	defer o.mu.Unlock()
	f, ok := o.factors[identityID]
	if !ok {
		return channel.SecondFactor{}, notFound("second factor of", identityID)
	}
	return cloneFactor(f), nil
}

// UpdateSecondFactor implements channel.OnlineStore.
func (s *Store) UpdateSecondFactor(ctx context.Context, identityID uuid.UUID, fn func(channel.SecondFactor) (channel.SecondFactor, error)) (channel.SecondFactor, error) {
	if err := ctx.Err(); err != nil {
		return channel.SecondFactor{}, err
	}
	o := s.on()
	o.mu.Lock()
	defer o.mu.Unlock()
	f, ok := o.factors[identityID]
	if !ok {
		return channel.SecondFactor{}, notFound("second factor of", identityID)
	}
	next, err := fn(cloneFactor(f))
	if err != nil {
		return channel.SecondFactor{}, err
	}
	next.IdentityID, next.Secret, next.CreatedAt = f.IdentityID, f.Secret, f.CreatedAt
	o.factors[identityID] = cloneFactor(next)
	return cloneFactor(next), nil
}

// DeleteSecondFactor implements channel.OnlineStore.
func (s *Store) DeleteSecondFactor(ctx context.Context, identityID uuid.UUID) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	o := s.on()
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, ok := o.factors[identityID]; !ok {
		return notFound("second factor of", identityID)
	}
	delete(o.factors, identityID)
	return nil
}

// PutDevice implements channel.OnlineStore.
func (s *Store) PutDevice(ctx context.Context, d channel.Device) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	o := s.on()
	o.mu.Lock()
	defer o.mu.Unlock()
	k := deviceKey{d.IdentityID, d.ID}
	if old, ok := o.devices[k]; ok && old.Bound() {
		return fmt.Errorf("%w: device %q is bound", channel.ErrDuplicate, d.ID)
	}
	d.RevokedAt = time.Time{}
	o.devices[k] = cloneDevice(d)
	return nil
}

// Device implements channel.OnlineStore.
func (s *Store) Device(ctx context.Context, identityID uuid.UUID, id string) (channel.Device, error) {
	if err := ctx.Err(); err != nil {
		return channel.Device{}, err
	}
	o := s.on()
	o.mu.Lock()
	defer o.mu.Unlock()
	d, ok := o.devices[deviceKey{identityID, id}]
	if !ok {
		return channel.Device{}, notFound("device", id)
	}
	return cloneDevice(d), nil
}

// TouchDevice implements channel.OnlineStore.
func (s *Store) TouchDevice(ctx context.Context, identityID uuid.UUID, id string, at time.Time) (channel.Device, error) {
	if err := ctx.Err(); err != nil {
		return channel.Device{}, err
	}
	o := s.on()
	o.mu.Lock()
	defer o.mu.Unlock()
	k := deviceKey{identityID, id}
	d, ok := o.devices[k]
	if !ok || !d.Bound() {
		return channel.Device{}, notFound("device", id)
	}
	if at.After(d.LastSeen) {
		d.LastSeen = at
		o.devices[k] = d
	}
	return cloneDevice(d), nil
}

// ListDevices implements channel.OnlineStore.
func (s *Store) ListDevices(ctx context.Context, identityID uuid.UUID) ([]channel.Device, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	o := s.on()
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []channel.Device
	for k, d := range o.devices {
		if k.identity == identityID {
			out = append(out, cloneDevice(d))
		}
	}
	slices.SortFunc(out, func(a, b channel.Device) int {
		if c := a.FirstSeen.Compare(b.FirstSeen); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out, nil
}

// RevokeDevice implements channel.OnlineStore.
func (s *Store) RevokeDevice(ctx context.Context, identityID uuid.UUID, id string, at time.Time) (channel.Device, error) {
	if err := ctx.Err(); err != nil {
		return channel.Device{}, err
	}
	o := s.on()
	o.mu.Lock()
	defer o.mu.Unlock()
	k := deviceKey{identityID, id}
	d, ok := o.devices[k]
	if !ok {
		return channel.Device{}, notFound("device", id)
	}
	if d.RevokedAt.IsZero() {
		d.RevokedAt = at
		o.devices[k] = d
	}
	return cloneDevice(d), nil
}

// CreateStepUp implements channel.OnlineStore.
func (s *Store) CreateStepUp(ctx context.Context, su channel.StepUp) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	o := s.on()
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, ok := o.stepUps[su.TokenHash]; ok {
		return fmt.Errorf("%w: step-up token exists", channel.ErrDuplicate)
	}
	for _, x := range o.stepUps {
		if x.ID == su.ID {
			return fmt.Errorf("%w: step-up %s exists", channel.ErrDuplicate, su.ID)
		}
	}
	su.UsedAt = time.Time{}
	o.stepUps[su.TokenHash] = su
	return nil
}

// UseStepUp implements channel.OnlineStore.
func (s *Store) UseStepUp(ctx context.Context, h channel.TokenHash, at time.Time) (channel.StepUp, error) {
	if err := ctx.Err(); err != nil {
		return channel.StepUp{}, err
	}
	o := s.on()
	o.mu.Lock()
	defer o.mu.Unlock()
	su, ok := o.stepUps[h]
	if !ok {
		return channel.StepUp{}, notFound("step-up", h)
	}
	if !su.UsedAt.IsZero() {
		return channel.StepUp{}, fmt.Errorf("%w: step-up used at %s", channel.ErrConflict, su.UsedAt)
	}
	su.UsedAt = at
	o.stepUps[h] = su
	return su, nil
}

// CreatePayee implements channel.OnlineStore.
func (s *Store) CreatePayee(ctx context.Context, p channel.Payee) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	o := s.on()
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, ok := o.payees[p.ID]; ok {
		return fmt.Errorf("%w: payee %s exists", channel.ErrDuplicate, p.ID)
	}
	for _, x := range o.payees {
		if x.CustomerID == p.CustomerID && x.AccountID == p.AccountID && x.BankCode == p.BankCode && x.AccountNumber == p.AccountNumber {
			return fmt.Errorf("%w: a payee of that account exists (%q)", channel.ErrDuplicate, x.Name)
		}
	}
	o.payees[p.ID] = p
	return nil
}

// Payee implements channel.OnlineStore.
func (s *Store) Payee(ctx context.Context, id uuid.UUID) (channel.Payee, error) {
	if err := ctx.Err(); err != nil {
		return channel.Payee{}, err
	}
	o := s.on()
	o.mu.Lock()
	defer o.mu.Unlock()
	p, ok := o.payees[id]
	if !ok {
		return channel.Payee{}, notFound("payee", id)
	}
	return p, nil
}

// PayeeByAccount implements channel.OnlineStore.
func (s *Store) PayeeByAccount(ctx context.Context, customerID, accountID string) (channel.Payee, error) {
	if err := ctx.Err(); err != nil {
		return channel.Payee{}, err
	}
	o := s.on()
	o.mu.Lock()
	defer o.mu.Unlock()
	for _, p := range o.payees {
		if p.CustomerID == customerID && p.AccountID == accountID && accountID != "" {
			return p, nil
		}
	}
	return channel.Payee{}, notFound("payee of account", accountID)
}

// ListPayees implements channel.OnlineStore.
func (s *Store) ListPayees(ctx context.Context, customerID string) ([]channel.Payee, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	o := s.on()
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []channel.Payee
	for _, p := range o.payees {
		if p.CustomerID == customerID {
			out = append(out, p)
		}
	}
	slices.SortFunc(out, func(a, b channel.Payee) int { return bytes.Compare(a.ID[:], b.ID[:]) })
	return out, nil
}

// RenamePayee implements channel.OnlineStore.
func (s *Store) RenamePayee(ctx context.Context, id uuid.UUID, name string) (channel.Payee, error) {
	if err := ctx.Err(); err != nil {
		return channel.Payee{}, err
	}
	o := s.on()
	o.mu.Lock()
	defer o.mu.Unlock()
	p, ok := o.payees[id]
	if !ok {
		return channel.Payee{}, notFound("payee", id)
	}
	p.Name = name
	o.payees[id] = p
	return p, nil
}

// DeletePayee implements channel.OnlineStore.
func (s *Store) DeletePayee(ctx context.Context, id uuid.UUID) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	o := s.on()
	o.mu.Lock()
	defer o.mu.Unlock()
	if _, ok := o.payees[id]; !ok {
		return notFound("payee", id)
	}
	delete(o.payees, id)
	return nil
}

// Limits implements channel.OnlineStore.
func (s *Store) Limits(ctx context.Context, k channel.LimitKey) (channel.Limits, error) {
	if err := ctx.Err(); err != nil {
		return channel.Limits{}, err
	}
	o := s.on()
	o.mu.Lock()
	defer o.mu.Unlock()
	l, ok := o.limits[k]
	if !ok {
		return channel.Limits{}, notFound("limits of", k.CustomerID)
	}
	return l, nil
}

// PutLimits implements channel.OnlineStore.
func (s *Store) PutLimits(ctx context.Context, k channel.LimitKey, l channel.Limits, _ time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	o := s.on()
	o.mu.Lock()
	defer o.mu.Unlock()
	o.limits[k] = l
	return nil
}

// usageIn is k's usage seen from day and month: a counter of an earlier
// period counts as zero.
func (o *online) usageIn(k channel.LimitKey, day, month string) channel.Usage {
	u := o.usage[k]
	out := channel.Usage{Day: day, Month: month, DayUsed: decimal.Zero, MonthUsed: decimal.Zero}
	if u.Day == day {
		out.DayUsed = u.DayUsed
	}
	if u.Month == month {
		out.MonthUsed = u.MonthUsed
	}
	return out
}

// Usage implements channel.OnlineStore.
func (s *Store) Usage(ctx context.Context, k channel.LimitKey, day, month string) (channel.Usage, error) {
	if err := ctx.Err(); err != nil {
		return channel.Usage{}, err
	}
	o := s.on()
	o.mu.Lock()
	defer o.mu.Unlock()
	return o.usageIn(k, day, month), nil
}

// Reserve implements channel.OnlineStore.
func (s *Store) Reserve(ctx context.Context, r channel.Reservation, def channel.Limits) (channel.Reservation, error) {
	if err := ctx.Err(); err != nil {
		return channel.Reservation{}, err
	}
	o := s.on()
	o.mu.Lock()
	defer o.mu.Unlock()
	if old, ok := o.reservations[r.IdempotencyKey]; ok {
		if old.Key != r.Key || !old.Amount.Equal(r.Amount) {
			return channel.Reservation{}, fmt.Errorf("%w: idempotency key %q holds another reservation", channel.ErrConflict, r.IdempotencyKey)
		}
		old.Replayed = true
		return old, nil
	}
	if r.PayeeAccountID != "" && r.Amount.GreaterThan(r.CoolingCap) {
		for _, p := range o.payees {
			if p.CustomerID == r.Key.CustomerID && p.AccountID == r.PayeeAccountID && r.CreatedAt.Before(p.CoolingUntil) {
				return channel.Reservation{}, channel.ErrCoolingOff
			}
		}
	}
	l, ok := o.limits[r.Key]
	if !ok {
		l = def
	}
	u := o.usageIn(r.Key, r.Day, r.Month)
	if r.Amount.GreaterThan(l.PerTransaction) || u.DayUsed.Add(r.Amount).GreaterThan(l.PerDay) ||
		u.MonthUsed.Add(r.Amount).GreaterThan(l.PerMonth) {
		return channel.Reservation{}, channel.ErrLimitExceeded
	}
	u.DayUsed, u.MonthUsed = u.DayUsed.Add(r.Amount), u.MonthUsed.Add(r.Amount)
	o.usage[r.Key] = u
	o.reservations[r.IdempotencyKey] = r
	return r, nil
}

// Release implements channel.OnlineStore.
func (s *Store) Release(ctx context.Context, key string) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	o := s.on()
	o.mu.Lock()
	defer o.mu.Unlock()
	r, ok := o.reservations[key]
	if !ok {
		return notFound("reservation", key)
	}
	delete(o.reservations, key)
	u := o.usage[r.Key]
	if u.Day == r.Day {
		u.DayUsed = u.DayUsed.Sub(r.Amount)
	}
	if u.Month == r.Month {
		u.MonthUsed = u.MonthUsed.Sub(r.Amount)
	}
	o.usage[r.Key] = u
	return nil
}

// Reservations implements channel.OnlineStore.
func (s *Store) Reservations(ctx context.Context, day string) ([]channel.Reservation, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	o := s.on()
	o.mu.Lock()
	defer o.mu.Unlock()
	var out []channel.Reservation
	for _, r := range o.reservations {
		if r.Day == day {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b channel.Reservation) int { return strings.Compare(a.IdempotencyKey, b.IdempotencyKey) })
	return out, nil
}

// SaveLimitReconciliation implements channel.OnlineStore.
func (s *Store) SaveLimitReconciliation(ctx context.Context, r channel.LimitReconciliation) (channel.LimitReconciliation, bool, error) {
	if err := ctx.Err(); err != nil {
		return channel.LimitReconciliation{}, false, err
	}
	o := s.on()
	o.mu.Lock()
	defer o.mu.Unlock()
	if kept, ok := o.reconciled[r.Day]; ok {
		kept.Released = slices.Clone(kept.Released)
		return kept, false, nil
	}
	r.ClosedAt = r.ClosedAt.UTC().Truncate(time.Microsecond)
	r.Released = append([]string{}, r.Released...)
	o.reconciled[r.Day] = r
	r.Released = slices.Clone(r.Released)
	return r, true, nil
}

// LimitReconciliation implements channel.OnlineStore.
func (s *Store) LimitReconciliation(ctx context.Context, day calendar.Date) (channel.LimitReconciliation, error) {
	if err := ctx.Err(); err != nil {
		return channel.LimitReconciliation{}, err
	}
	o := s.on()
	o.mu.Lock()
	defer o.mu.Unlock()
	kept, ok := o.reconciled[day]
	if !ok {
		return channel.LimitReconciliation{}, notFound("limit reconciliation of", day)
	}
	kept.Released = append([]string{}, kept.Released...)
	return kept, nil
}

// DeleteStepUps implements channel.OnlineStore.
func (s *Store) DeleteStepUps(ctx context.Context, before time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	o := s.on()
	o.mu.Lock()
	defer o.mu.Unlock()
	n := 0
	for h, su := range o.stepUps {
		if su.ExpiresAt.Before(before) {
			delete(o.stepUps, h)
			n++
		}
	}
	return n, nil
}
