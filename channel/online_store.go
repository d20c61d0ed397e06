package channel

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/bankkit/bankkit/calendar"
)

// OnlineStore is what Online needs from a backend: second-factor
// enrolments, devices, step-up proofs, payees, limits and their counters.
// memchannel and pgchannel implement it beside Store; the contract suite
// is channeltest.RunOnline. Every method is safe for concurrent use; times
// come truncated to the microsecond, in UTC.
type OnlineStore interface {
	// CreateSecondFactor stores a new, unconfirmed enrolment, replacing
	// an unconfirmed one of the identity. Errors: ErrDuplicate if the
	// identity has a confirmed one.
	CreateSecondFactor(ctx context.Context, f SecondFactor) error
	// SecondFactor returns the identity's enrolment. Errors: ErrNotFound.
	SecondFactor(ctx context.Context, identityID uuid.UUID) (SecondFactor, error)
	// UpdateSecondFactor reads the enrolment, calls fn and stores what fn
	// returns (confirmation, last step, failures, lock, recovery codes),
	// atomically: no other update of the enrolment interleaves. If fn
	// fails nothing changes and its error is returned as is.
	// Errors: ErrNotFound.
	UpdateSecondFactor(ctx context.Context, identityID uuid.UUID, fn func(SecondFactor) (SecondFactor, error)) (SecondFactor, error)
	// DeleteSecondFactor removes the enrolment. Errors: ErrNotFound.
	DeleteSecondFactor(ctx context.Context, identityID uuid.UUID) error

	// PutDevice binds a device: it stores d, replacing a revoked device of
	// the same identity and id. Errors: ErrDuplicate if one is bound.
	PutDevice(ctx context.Context, d Device) error
	// Device returns a device, bound or revoked. Errors: ErrNotFound.
	Device(ctx context.Context, identityID uuid.UUID, id string) (Device, error)
	// TouchDevice sets a bound device's LastSeen to at (if later) and
	// returns it. Errors: ErrNotFound if unknown or revoked.
	TouchDevice(ctx context.Context, identityID uuid.UUID, id string, at time.Time) (Device, error)
	// ListDevices returns the identity's devices by FirstSeen, then id.
	ListDevices(ctx context.Context, identityID uuid.UUID) ([]Device, error)
	// RevokeDevice sets RevokedAt to at unless it is set, and returns the
	// device. Errors: ErrNotFound.
	RevokeDevice(ctx context.Context, identityID uuid.UUID, id string, at time.Time) (Device, error)

	// CreateStepUp stores a new step-up proof. Errors: ErrDuplicate.
	CreateStepUp(ctx context.Context, s StepUp) error
	// DeleteStepUps deletes the proofs that expired before before (used
	// or not: none can be used any more) and returns how many.
	DeleteStepUps(ctx context.Context, before time.Time) (int, error)
	// UseStepUp marks the proof with that token hash used at at and
	// returns it, atomically: of concurrent uses one succeeds.
	// Errors: ErrNotFound; ErrConflict if it was used already.
	UseStepUp(ctx context.Context, h TokenHash, at time.Time) (StepUp, error)

	// CreatePayee stores a payee. Errors: ErrDuplicate if the customer has
	// a payee with the same account.
	CreatePayee(ctx context.Context, p Payee) error
	// Payee returns a payee. Errors: ErrNotFound.
	Payee(ctx context.Context, id uuid.UUID) (Payee, error)
	// PayeeByAccount returns the customer's payee of an account of this
	// bank. Errors: ErrNotFound.
	PayeeByAccount(ctx context.Context, customerID, accountID string) (Payee, error)
	// ListPayees returns the customer's payees in ascending ID order.
	ListPayees(ctx context.Context, customerID string) ([]Payee, error)
	// RenamePayee sets the payee's name. Errors: ErrNotFound.
	RenamePayee(ctx context.Context, id uuid.UUID, name string) (Payee, error)
	// DeletePayee removes the payee. Errors: ErrNotFound.
	DeletePayee(ctx context.Context, id uuid.UUID) error

	// Limits returns the limits the customer chose. Errors: ErrNotFound
	// while they have the bank's default.
	Limits(ctx context.Context, k LimitKey) (Limits, error)
	// PutLimits stores the customer's own limits.
	PutLimits(ctx context.Context, k LimitKey, l Limits, at time.Time) error
	// Usage returns what the reservations of day and month add up to.
	Usage(ctx context.Context, k LimitKey, day, month string) (Usage, error)
	// Reserve counts r.Amount against r.Key's limits (the customer's own,
	// or def) in r.Day and r.Month and records r, atomically: it succeeds
	// only if r.Amount is at most PerTransaction and the day's and month's
	// totals with it are at most PerDay and PerMonth, and, when
	// r.PayeeAccountID is one of the customer's payees still cooling off
	// at r.CreatedAt, r.Amount is at most r.CoolingCap. A reservation under
	// r.IdempotencyKey already there is returned as it is (nothing more is
	// counted) if it is for the same key and amount, with Replayed set.
	// Errors: ErrCoolingOff; ErrLimitExceeded; ErrConflict if the idempotency key holds a
	// different reservation.
	Reserve(ctx context.Context, r Reservation, def Limits) (Reservation, error)
	// Release deletes the reservation and takes its amount off the
	// counters of its day and month. Errors: ErrNotFound.
	Release(ctx context.Context, idempotencyKey string) error
	// Reservations returns the reservations of a day in key order.
	Reservations(ctx context.Context, day string) ([]Reservation, error)

	// SaveLimitReconciliation keeps the reconciliation of r.Day unless
	// one is kept for that date: it returns the one kept, with created
	// true only if it is r. Of concurrent saves of a date one is kept.
	SaveLimitReconciliation(ctx context.Context, r LimitReconciliation) (kept LimitReconciliation, created bool, err error)
	// LimitReconciliation returns the reconciliation kept for day.
	// Errors: ErrNotFound.
	LimitReconciliation(ctx context.Context, day calendar.Date) (LimitReconciliation, error)
}
