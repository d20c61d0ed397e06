// Package closing runs the bank's end of day: one ordered list of steps
// that the subsystems contribute — credit repayments before deposit
// interest, wealth confirmations, risk indicators, finance and analytics
// snapshots, and the business-date advance last — run for one business
// date at a time by one process at a time.
//
// Each step must be idempotent and resumable for its date: a run stopped
// by a failure or a crash is run again, and a step then finishes what is
// left without repeating what it did. The Runner records each step's
// progress, skips the steps a date has finished, and stops at the first
// step that fails, so the steps after it — the business-date advance among
// them — do not run until it succeeds.
//
//	r, err := closing.New(closing.NewMemory(), []closing.Step{
//		{Name: "ledger.interest", Run: ledgerDay.Process},
//		{Name: "ledger.advance", Run: ledgerDay.Advance},
//	})
//	report, err := r.Run(ctx, today)
package closing

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"runtime/debug"
	"time"

	"github.com/google/uuid"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/fault"
)

// Sentinel errors.
var (
	// ErrInvalidInput: a step list, option or date is malformed.
	ErrInvalidInput = fault.New(fault.Invalid, "invalid-input", "closing: invalid input")
	// ErrBusy: another run holds the lease; only one end of day runs at a
	// time, across every process sharing the store.
	ErrBusy = fault.New(fault.Conflict, "end-of-day-running", "closing: an end of day is running")
)

// Step is one subsystem's part of the end of day.
type Step struct {
	// Name identifies the step in progress records and reports:
	// lower-case letters, digits, dots and hyphens, e.g. "ledger.interest".
	Name string
	// Run does the step's work for the business date. It is called again
	// for the same date after a failure or a crash, and must then finish
	// what is left without repeating effects (idempotency keys derived
	// from the date make that easy).
	Run func(ctx context.Context, date calendar.Date) error
}

var stepName = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]{0,99}$`)

// DefaultLease is how long a run holds the lease before it must renew
// it. A process that dies stops renewing, and another may take over once
// the lease has run out.
const DefaultLease = time.Minute

// Runner runs the steps. It is safe for concurrent use; concurrent runs
// (in this process or another on the same store) are refused with ErrBusy.
type Runner struct {
	store Store
	steps []Step
	clock calendar.Clock
	lease time.Duration
	owner string
}

// Option configures a Runner.
type Option func(*Runner) error

// WithClock sets the clock that dates progress records and leases
// (default calendar.SystemClock).
func WithClock(c calendar.Clock) Option {
	return func(r *Runner) error {
		if c == nil {
			return fault.Field(ErrInvalidInput, "clock", "must not be nil")
		}
		r.clock = c
		return nil
	}
}

// WithLease sets how long the run lease lasts between renewals (default
// DefaultLease; at least a second). The Runner renews it every third of
// that while a run goes on.
func WithLease(d time.Duration) Option {
	return func(r *Runner) error {
		if d < time.Second {
			return fault.Field(ErrInvalidInput, "lease", "must be at least a second")
		}
		r.lease = d
		return nil
	}
}

// New returns a Runner of steps, in the order given, over store. Step
// names must be valid and distinct, and every step needs a Run.
func New(store Store, steps []Step, opts ...Option) (*Runner, error) {
	if store == nil {
		return nil, fault.Field(ErrInvalidInput, "store", "must not be nil")
	}
	if len(steps) == 0 {
		return nil, fault.Field(ErrInvalidInput, "steps", "at least one step is needed")
	}
	seen := map[string]bool{}
	for i, s := range steps {
		field := fmt.Sprintf("steps[%d]", i)
		switch {
		case !stepName.MatchString(s.Name):
			return nil, fault.Field(ErrInvalidInput, field+".name", "must be 1 to 100 lower-case letters, digits, dots and hyphens")
		case seen[s.Name]:
			return nil, fault.Field(ErrInvalidInput, field+".name", fmt.Sprintf("%q is named twice", s.Name))
		case s.Run == nil:
			return nil, fault.Field(ErrInvalidInput, field+".run", "is required")
		}
		seen[s.Name] = true
	}
	r := &Runner{store: store, steps: append([]Step(nil), steps...), clock: calendar.SystemClock{},
		lease: DefaultLease, owner: uuid.NewString()}
	for _, o := range opts {
		if err := o(r); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// Steps returns the names of the steps in the order they run.
func (r *Runner) Steps() []string {
	names := make([]string, len(r.steps))
	for i, s := range r.steps {
		names[i] = s.Name
	}
	return names
}

// StepError is a step's failure: Run returns it, and the report records
// its text. It unwraps to the step's own error, so the caller sees that
// error's kind (a conflict, an unavailable database, ...).
type StepError struct {
	Step string
	Err  error
}

func (e *StepError) Error() string { return fmt.Sprintf("closing: step %s: %v", e.Step, e.Err) }

// Unwrap returns the step's error.
func (e *StepError) Unwrap() error { return e.Err }

// Run runs the end of day of date: every step the date has not finished,
// in order. It returns the date's report; when a step fails, the error is
// a *StepError and the steps after it have not run. Running a finished
// date again does nothing and returns its report. While another run holds
// the lease, Run returns ErrBusy and runs nothing.
func (r *Runner) Run(ctx context.Context, date calendar.Date) (Report, error) {
	if !date.Valid() {
		return Report{}, fault.Field(ErrInvalidInput, "date", "is not a valid date")
	}
	if err := r.store.Acquire(ctx, r.owner, r.now(), r.now().Add(r.lease)); err != nil {
		return Report{}, err
	}
	ctx, cancel := context.WithCancelCause(ctx)
	renewed := make(chan struct{})
	go r.renew(ctx, cancel, renewed)
	defer func() {
		cancel(nil)
		<-renewed
		// The lease is released even if ctx ended: a leftover lease only
		// delays the next run until it runs out.
		_ = r.store.Release(context.WithoutCancel(ctx), r.owner)
	}()

	records, err := r.store.Steps(ctx, date)
	if err != nil {
		return Report{}, err
	}
	byName := map[string]StepRecord{}
	for _, rec := range records {
		byName[rec.Name] = rec
	}
	for _, s := range r.steps {
		rec, ok := byName[s.Name]
		if ok && rec.Status == StatusDone {
			continue
		}
		rec = StepRecord{Name: s.Name, Status: StatusRunning, Attempts: rec.Attempts + 1, StartedAt: r.now()}
		if err := r.store.SaveStep(ctx, date, rec); err != nil {
			return Report{}, err
		}
		stepErr := r.runStep(ctx, s, date)
		if ctx.Err() != nil {
			// Say why the run was stopped (a lost lease, say), not only
			// that it was.
			if cause := context.Cause(ctx); stepErr == nil {
				stepErr = cause
			} else if !errors.Is(stepErr, cause) {
				stepErr = fmt.Errorf("%w: %w", cause, stepErr)
			}
		}
		rec.FinishedAt = r.now()
		rec.Status = StatusDone
		if stepErr != nil {
			rec.Status, rec.Error = StatusFailed, stepErr.Error()
		}
		// The outcome is recorded even if ctx ended meanwhile, so the
		// report says what happened.
		if err := r.store.SaveStep(context.WithoutCancel(ctx), date, rec); err != nil {
			return Report{}, err
		}
		if stepErr != nil {
			report, err := r.Report(context.WithoutCancel(ctx), date)
			if err != nil {
				return Report{}, err
			}
			return report, &StepError{Step: s.Name, Err: stepErr}
		}
	}
	return r.Report(ctx, date)
}

// runStep runs one step; a panic in it is its failure, not the process's.
func (r *Runner) runStep(ctx context.Context, s Step, date calendar.Date) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v\n%s", p, debug.Stack())
		}
	}()
	return s.Run(ctx, date)
}

// errLeaseLost ends a run whose lease another process took over.
var errLeaseLost = errors.New("closing: the run lease was lost")

// renew keeps the lease while the run goes on, and cancels the run when
// the lease cannot be renewed.
func (r *Runner) renew(ctx context.Context, cancel context.CancelCauseFunc, done chan<- struct{}) {
	defer close(done)
	t := time.NewTicker(r.lease / 3)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := r.store.Acquire(ctx, r.owner, r.now(), r.now().Add(r.lease)); err != nil {
				if ctx.Err() == nil {
					cancel(fmt.Errorf("%w: %w", errLeaseLost, err))
				}
				return
			}
		}
	}
}

func (r *Runner) now() time.Time { return r.clock.Now().UTC().Truncate(time.Microsecond) }

// Report returns where the end of day of date stands: every step, in
// order, with its status, attempts, times and last error.
func (r *Runner) Report(ctx context.Context, date calendar.Date) (Report, error) {
	if !date.Valid() {
		return Report{}, fault.Field(ErrInvalidInput, "date", "is not a valid date")
	}
	records, err := r.store.Steps(ctx, date)
	if err != nil {
		return Report{}, err
	}
	byName := map[string]StepRecord{}
	for _, rec := range records {
		byName[rec.Name] = rec
	}
	rep := Report{Date: date, Done: true}
	for _, s := range r.steps {
		rec, ok := byName[s.Name]
		if !ok {
			rec = StepRecord{Name: s.Name, Status: StatusPending}
		}
		if rec.Status != StatusDone {
			rep.Done = false
		}
		rep.Steps = append(rep.Steps, rec)
	}
	return rep, nil
}

// Report is where one business date's end of day stands.
type Report struct {
	Date calendar.Date
	// Steps are every step of the Runner, in order.
	Steps []StepRecord
	// Done is true when every step has finished.
	Done bool
}
