package channel

import (
	"context"
	"time"

	"github.com/google/uuid"

	"github.com/bankkit/bankkit/calendar"
)

// ATMStore is what Fleet needs from a backend: the devices, their
// withdrawals, replenishment orders and fault tickets. memchannel and
// pgchannel implement it beside Store; the contract suite is
// channeltest.RunATM. Every method is safe for concurrent use; times come
// truncated to the microsecond, in UTC. Steps that change a device and
// one of its records together lock the device first, then the record.
type ATMStore interface {
	// CreateATM stores a new device. Errors: ErrDuplicate if the id or
	// the credential hash is taken.
	CreateATM(ctx context.Context, a ATM) error
	// ATM returns a device. Errors: ErrNotFound.
	ATM(ctx context.Context, id string) (ATM, error)
	// ATMByCredential returns the device whose credential hashes to h.
	// Errors: ErrNotFound.
	ATMByCredential(ctx context.Context, h TokenHash) (ATM, error)
	// ListATMs returns every device in id order.
	ListATMs(ctx context.Context) ([]ATM, error)
	// UpdateATM reads the device, calls fn and stores the device fn
	// returns with the tickets it returns (new ones inserted, known ones
	// updated), atomically. If fn fails nothing changes and its error is
	// returned as is. The id, credential hash and creation time cannot
	// change through fn. Errors: ErrNotFound.
	UpdateATM(ctx context.Context, id string, fn func(ATM) (ATM, []ATMTicket, error)) (ATM, error)
	// HeartbeatATM is UpdateATM of the device whose credential hashes to
	// h: the heartbeat's one step. Errors: ErrNotFound.
	HeartbeatATM(ctx context.Context, h TokenHash, fn func(ATM) (ATM, []ATMTicket, error)) (ATM, error)
	// TouchATM is the heartbeat that changes nothing but the time, in one
	// step: if the device whose credential hashes to h has state s and
	// fault code code, when counts is not nil exactly those counts, and a
	// last heartbeat at or after freshSince (it has not been offline), it
	// sets LastHeartbeat to at (if later) and returns the device with
	// true. Otherwise nothing changes and it returns false (the caller
	// takes HeartbeatATM's way, which explains the refusal or records the
	// change or the offline spell). Errors: only the backend's.
	TouchATM(ctx context.Context, h TokenHash, s ATMState, code string, counts []int, freshSince, at time.Time) (ATM, bool, error)
	// RotateATMCredential sets the device's credential hash.
	// Errors: ErrNotFound; ErrDuplicate if another device has it.
	RotateATMCredential(ctx context.Context, id string, h TokenHash) error

	// CreateATMWithdrawal stores a new withdrawal, unique per device and
	// transaction id. If one exists under that pair it is returned with
	// created false, whatever it holds (the caller compares).
	CreateATMWithdrawal(ctx context.Context, w ATMWithdrawal) (stored ATMWithdrawal, created bool, err error)
	// ATMWithdrawal returns a device's withdrawal. Errors: ErrNotFound.
	ATMWithdrawal(ctx context.Context, deviceID, txnID string) (ATMWithdrawal, error)
	// UpdateATMWithdrawal reads the withdrawal and its device, calls fn
	// and stores both as fn returns them, atomically (the device locked
	// first). If fn fails nothing changes. Errors: ErrNotFound.
	UpdateATMWithdrawal(ctx context.Context, deviceID, txnID string, fn func(ATMWithdrawal, ATM) (ATMWithdrawal, ATM, error)) (ATMWithdrawal, error)
	// ListATMWithdrawals returns the device's withdrawals the filter
	// selects, by CreatedAt then id.
	ListATMWithdrawals(ctx context.Context, f ATMWithdrawalFilter) ([]ATMWithdrawal, error)

	// CreateReplenishment stores a new order. Errors: ErrDuplicate.
	CreateReplenishment(ctx context.Context, r Replenishment) error
	// Replenishment returns an order. Errors: ErrNotFound.
	Replenishment(ctx context.Context, id uuid.UUID) (Replenishment, error)
	// ListReplenishments returns a device's orders by id.
	ListReplenishments(ctx context.Context, deviceID string) ([]Replenishment, error)
	// UpdateReplenishment reads the order and its device, calls fn and
	// stores both as fn returns them, atomically (the device locked
	// first). If fn fails nothing changes. Errors: ErrNotFound.
	UpdateReplenishment(ctx context.Context, id uuid.UUID, fn func(Replenishment, ATM) (Replenishment, ATM, error)) (Replenishment, error)

	// ListATMTickets returns a device's fault tickets by OpenedAt then id
	// ("" for every device's).
	ListATMTickets(ctx context.Context, deviceID string) ([]ATMTicket, error)

	// SaveATMReconciliation keeps the end of day's reconciliation of
	// r.Day unless one is kept for that date already: it returns the
	// one kept, with created true only if it is r. Of concurrent saves of
	// one date exactly one is kept.
	SaveATMReconciliation(ctx context.Context, r Reconciliation) (kept Reconciliation, created bool, err error)
	// ATMReconciliation returns the reconciliation kept for day.
	// Errors: ErrNotFound.
	ATMReconciliation(ctx context.Context, day calendar.Date) (Reconciliation, error)
}
