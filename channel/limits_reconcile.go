package channel

import (
	"context"
	"errors"
	"time"

	"github.com/bankkit/bankkit/calendar"
)

// Postings is the port to the ledger for the limits' reconciliation: it
// reports whether the transfer a reservation was made for has posted,
// looked up by the reservation's idempotency key. An error means the
// ledger could not say (the reservation is left as it is).
type Postings interface {
	Posted(ctx context.Context, idempotencyKey string) (bool, error)
}

// LimitReconciliation is the end of day's report on the limit
// reservations of a day and the day before: each looked up in the ledger
// by its idempotency key, those without a posting released.
type LimitReconciliation struct {
	Day calendar.Date
	// Checked counts the reservations looked up; Posted those whose
	// transfer posted; Pending those younger than
	// OnlineConfig.ReservationGrace, left for the next day's run.
	Checked, Posted, Pending int
	// Released are the keys of the reservations released for want of a
	// posting, in key order.
	Released []string
	ClosedAt time.Time
}

// ReconcileReservations is the end-of-day step of the limits: the
// reservations of day and of the day before (a close after midnight, and
// what the previous run left pending) are looked up in the ledger through
// posted; a reservation without a posting, older than
// OnlineConfig.ReservationGrace, is released, so a crash between a
// reservation and its transfer does not keep the amount counted. The
// report is kept once per day: a re-run for the same day returns the kept
// one (created false) and releases nothing more. Errors: ErrInvalidInput
// (a zero day, a nil port); the port's, with nothing kept (the releases
// made stand; a re-run finishes the rest).
func (o *Online) ReconcileReservations(ctx context.Context, day calendar.Date, posted Postings) (rep LimitReconciliation, created bool, err error) {
	if day.IsZero() {
		return LimitReconciliation{}, false, invalid("day", "is required")
	}
	if posted == nil {
		return LimitReconciliation{}, false, invalid("postings", "must not be nil")
	}
	if kept, err := o.store.LimitReconciliation(ctx, day); err == nil {
		return kept, false, nil
	} else if !errors.Is(err, ErrNotFound) {
		return LimitReconciliation{}, false, err
	}
	now := o.now()
	rep = LimitReconciliation{Day: day, Released: []string{}}
	for _, d := range []calendar.Date{day.AddDays(-1), day} {
		rs, err := o.store.Reservations(ctx, d.String())
		if err != nil {
			return LimitReconciliation{}, false, err
		}
		for _, r := range rs {
			if now.Sub(r.CreatedAt) < o.cfg.ReservationGrace {
				rep.Pending++
				continue
			}
			rep.Checked++
			ok, err := posted.Posted(ctx, r.IdempotencyKey)
			if err != nil {
				return LimitReconciliation{}, false, err
			}
			if ok {
				rep.Posted++
				continue
			}
			// Released meanwhile (the transfer failed and said so) is as good.
			if err := o.store.Release(ctx, r.IdempotencyKey); err != nil && !errors.Is(err, ErrNotFound) {
				return LimitReconciliation{}, false, err
			}
			rep.Released = append(rep.Released, r.IdempotencyKey)
		}
	}
	rep.ClosedAt = o.now()
	return o.store.SaveLimitReconciliation(ctx, rep)
}

// ReservationsReconciled returns the report ReconcileReservations kept for
// day. Errors: ErrNotFound when the day has not been reconciled.
func (o *Online) ReservationsReconciled(ctx context.Context, day calendar.Date) (LimitReconciliation, error) {
	if day.IsZero() {
		return LimitReconciliation{}, invalid("day", "is required")
	}
	return o.store.LimitReconciliation(ctx, day)
}
