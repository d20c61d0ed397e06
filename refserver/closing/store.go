package closing

import (
	"context"
	"time"

	"github.com/bankkit/bankkit/calendar"
)

// Status is where a step stands for a date.
type Status string

// Step statuses.
const (
	StatusPending Status = "pending" // not started
	StatusRunning Status = "running" // started; a crash leaves it so, and the next run starts it again
	StatusDone    Status = "done"
	StatusFailed  Status = "failed" // the last attempt failed; the next run tries again
)

// StepRecord is a step's progress for one date.
type StepRecord struct {
	Name       string
	Status     Status
	Attempts   int
	StartedAt  time.Time
	FinishedAt time.Time
	// Error is the last attempt's error, when it failed.
	Error string
}

// Store keeps the run lease and the steps' progress. Every method is safe
// for concurrent use, also from several processes on one database.
type Store interface {
	// Acquire takes the lease for owner until until when it is free, has
	// run out (its until is before now) or is owner's already (a renewal).
	// Errors: ErrBusy.
	Acquire(ctx context.Context, owner string, now, until time.Time) error
	// Release gives up owner's lease; it does nothing if owner holds none.
	Release(ctx context.Context, owner string) error
	// Steps returns the progress records of date, in no particular order.
	Steps(ctx context.Context, date calendar.Date) ([]StepRecord, error)
	// SaveStep stores a step's record for date, replacing the one before.
	SaveStep(ctx context.Context, date calendar.Date, rec StepRecord) error
}
