package closing_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/internal/pgtest"
	"github.com/bankkit/bankkit/refserver/closing"
)

var (
	day  = calendar.MustDate(2026, 12, 3)
	next = calendar.MustDate(2026, 12, 4)
	t0   = time.Date(2026, 12, 3, 18, 0, 0, 0, time.UTC)
)

func stores() map[string]func(t *testing.T) closing.Store {
	return map[string]func(t *testing.T) closing.Store{
		"memory": func(*testing.T) closing.Store { return closing.NewMemory() },
		"postgres": func(t *testing.T) closing.Store {
			db := pgtest.New(t)
			require.NoError(t, closing.Migrate(context.Background(), db))
			return closing.NewPostgres(db)
		},
	}
}

// journal records which steps ran, for which date, in order.
type journal struct {
	mu    sync.Mutex
	calls []string
}

func (j *journal) step(name string, fail func(n int) error) closing.Step {
	n := 0
	return closing.Step{Name: name, Run: func(_ context.Context, d calendar.Date) error {
		j.mu.Lock()
		defer j.mu.Unlock()
		j.calls = append(j.calls, name+"@"+d.String())
		n++
		if fail != nil {
			return fail(n)
		}
		return nil
	}}
}

func (j *journal) take() []string {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := j.calls
	j.calls = nil
	return out
}

func statuses(r closing.Report) map[string]closing.Status {
	out := map[string]closing.Status{}
	for _, s := range r.Steps {
		out[s.Name] = s.Status
	}
	return out
}

var errRefused = errors.New("repayment file missing")

func TestRunner(t *testing.T) {
	for name, newStore := range stores() {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			for _, tc := range runnerTests {
				t.Run(tc.name, func(t *testing.T) {
					tc.run(t, newStore(t))
				})
			}
		})
	}
}

var runnerTests = []struct {
	name string
	run  func(t *testing.T, store closing.Store)
}{
	{"StepsRunInOrderOncePerDate", func(t *testing.T, store closing.Store) {
		ctx := context.Background()
		j := &journal{}
		r, err := closing.New(store, []closing.Step{j.step("credit.repayments", nil), j.step("ledger.interest", nil), j.step("ledger.advance", nil)},
			closing.WithClock(calendar.NewManualClock(t0)))
		require.NoError(t, err)
		rep, err := r.Run(ctx, day)
		require.NoError(t, err)
		require.Equal(t, []string{"credit.repayments@2026-12-03", "ledger.interest@2026-12-03", "ledger.advance@2026-12-03"}, j.take())
		require.True(t, rep.Done)
		require.Equal(t, day, rep.Date)
		require.Equal(t, r.Steps(), []string{rep.Steps[0].Name, rep.Steps[1].Name, rep.Steps[2].Name}, "the report lists the steps in order")
		for _, s := range rep.Steps {
			require.Equal(t, closing.StatusDone, s.Status)
			require.Equal(t, 1, s.Attempts)
			require.Equal(t, t0, s.StartedAt)
			require.Equal(t, t0, s.FinishedAt)
			require.Empty(t, s.Error)
		}

		again, err := r.Run(ctx, day)
		require.NoError(t, err)
		require.Empty(t, j.take(), "a finished date runs nothing again")
		require.Equal(t, rep, again)

		_, err = r.Run(ctx, next)
		require.NoError(t, err)
		require.Len(t, j.take(), 3, "each date has its own progress")
	}},
	{"AFailedStepStopsTheRunAndTheDateDoesNotAdvance", func(t *testing.T, store closing.Store) {
		ctx := context.Background()
		j := &journal{}
		failOnce := func(n int) error {
			if n == 1 {
				return errRefused
			}
			return nil
		}
		r, err := closing.New(store, []closing.Step{j.step("a", nil), j.step("b", failOnce), j.step("advance", nil)})
		require.NoError(t, err)

		rep, err := r.Run(ctx, day)
		var se *closing.StepError
		require.ErrorAs(t, err, &se)
		require.Equal(t, "b", se.Step)
		require.ErrorIs(t, err, errRefused)
		require.Equal(t, []string{"a@2026-12-03", "b@2026-12-03"}, j.take(), "the advance after the failed step did not run")
		require.False(t, rep.Done)
		require.Equal(t, map[string]closing.Status{"a": closing.StatusDone, "b": closing.StatusFailed, "advance": closing.StatusPending}, statuses(rep))
		require.Equal(t, errRefused.Error(), rep.Steps[1].Error)

		rep, err = r.Run(ctx, day)
		require.NoError(t, err)
		require.Equal(t, []string{"b@2026-12-03", "advance@2026-12-03"}, j.take(), "the re-run resumes at the failed step")
		require.True(t, rep.Done)
		require.Equal(t, 2, rep.Steps[1].Attempts)
		require.Empty(t, rep.Steps[1].Error)
	}},
	{"AStepErrorKeepsItsCausesKind", func(t *testing.T, store closing.Store) {
		moved := fault.New(fault.Conflict, "conflict", "test: business date moved")
		r, err := closing.New(store, []closing.Step{{Name: "ledger.advance", Run: func(context.Context, calendar.Date) error { return moved }}})
		require.NoError(t, err)
		_, err = r.Run(context.Background(), day)
		require.ErrorIs(t, err, moved)
		require.Equal(t, fault.Conflict, fault.KindOf(err))
	}},
	{"APanickingStepIsAFailedStep", func(t *testing.T, store closing.Store) {
		j := &journal{}
		r, err := closing.New(store, []closing.Step{{Name: "boom", Run: func(context.Context, calendar.Date) error { panic("nil map") }}, j.step("after", nil)})
		require.NoError(t, err)
		rep, err := r.Run(context.Background(), day)
		require.ErrorContains(t, err, "panic: nil map")
		require.Empty(t, j.take())
		require.Equal(t, closing.StatusFailed, rep.Steps[0].Status)
		require.Contains(t, rep.Steps[0].Error, "panic: nil map")
	}},
	{"ACrashedRunResumesAtTheStepItWasIn", func(t *testing.T, store closing.Store) {
		ctx := context.Background()
		// What a process that died in step b leaves behind.
		require.NoError(t, store.SaveStep(ctx, day, closing.StepRecord{Name: "a", Status: closing.StatusDone, Attempts: 1, StartedAt: t0, FinishedAt: t0}))
		require.NoError(t, store.SaveStep(ctx, day, closing.StepRecord{Name: "b", Status: closing.StatusRunning, Attempts: 1, StartedAt: t0}))
		j := &journal{}
		r, err := closing.New(store, []closing.Step{j.step("a", nil), j.step("b", nil), j.step("c", nil)})
		require.NoError(t, err)
		before, err := r.Report(ctx, day)
		require.NoError(t, err)
		require.Equal(t, map[string]closing.Status{"a": closing.StatusDone, "b": closing.StatusRunning, "c": closing.StatusPending}, statuses(before))

		rep, err := r.Run(ctx, day)
		require.NoError(t, err)
		require.Equal(t, []string{"b@2026-12-03", "c@2026-12-03"}, j.take())
		require.Equal(t, 2, rep.Steps[1].Attempts)
	}},
	{"OneRunAtATimeAcrossRunners", func(t *testing.T, store closing.Store) {
		ctx := context.Background()
		entered, release := make(chan struct{}), make(chan struct{})
		slow := closing.Step{Name: "slow", Run: func(context.Context, calendar.Date) error {
			close(entered)
			<-release
			return nil
		}}
		first, err := closing.New(store, []closing.Step{slow})
		require.NoError(t, err)
		j := &journal{}
		second, err := closing.New(store, []closing.Step{j.step("slow", nil)}) // another process, the same steps
		require.NoError(t, err)

		done := make(chan error)
		go func() { _, err := first.Run(ctx, day); done <- err }()
		<-entered
		_, err = second.Run(ctx, day)
		require.ErrorIs(t, err, closing.ErrBusy)
		require.Equal(t, fault.Conflict, fault.KindOf(err))
		_, err = second.Run(ctx, next)
		require.ErrorIs(t, err, closing.ErrBusy, "one run at a time, whatever the date")
		close(release)
		require.NoError(t, <-done)

		rep, err := second.Run(ctx, day)
		require.NoError(t, err, "the lease is released when the run ends")
		require.True(t, rep.Done)
		require.Empty(t, j.take(), "the first runner finished the date")
	}},
	{"AnExpiredLeaseIsTakenOver", func(t *testing.T, store closing.Store) {
		ctx := context.Background()
		clock := calendar.NewManualClock(t0)
		// A process that took the lease and died.
		require.NoError(t, store.Acquire(ctx, "dead-process", t0, t0.Add(time.Minute)))
		j := &journal{}
		r, err := closing.New(store, []closing.Step{j.step("a", nil)}, closing.WithClock(clock))
		require.NoError(t, err)
		_, err = r.Run(ctx, day)
		require.ErrorIs(t, err, closing.ErrBusy)
		require.Empty(t, j.take())

		clock.Advance(time.Minute + time.Second)
		_, err = r.Run(ctx, day)
		require.NoError(t, err)
		require.Equal(t, []string{"a@2026-12-03"}, j.take())
	}},
	{"ALostLeaseStopsTheRun", func(t *testing.T, store closing.Store) {
		ctx := context.Background()
		clock := calendar.NewManualClock(t0)
		j := &journal{}
		waitForCancel := closing.Step{Name: "long", Run: func(ctx context.Context, _ calendar.Date) error {
			// Another process takes the lease over, as if this one had
			// stalled past its lease.
			later := t0.Add(time.Hour)
			if err := store.Acquire(context.Background(), "other-process", later, later.Add(time.Hour)); err != nil {
				return err
			}
			select {
			case <-ctx.Done():
				return ctx.Err()
			case <-time.After(30 * time.Second):
				return errors.New("the run went on without its lease")
			}
		}}
		r, err := closing.New(store, []closing.Step{waitForCancel, j.step("advance", nil)}, closing.WithClock(clock), closing.WithLease(time.Second))
		require.NoError(t, err)
		rep, err := r.Run(ctx, day)
		require.ErrorIs(t, err, context.Canceled)
		require.ErrorContains(t, err, "lease was lost")
		require.Empty(t, j.take(), "nothing runs after the lease is lost")
		require.Equal(t, closing.StatusFailed, rep.Steps[0].Status)
	}},
}

func TestNewRefusesBadSteps(t *testing.T) {
	t.Parallel()
	ok := func(context.Context, calendar.Date) error { return nil }
	store := closing.NewMemory()
	for _, tc := range []struct {
		name  string
		steps []closing.Step
		opts  []closing.Option
		field string
	}{
		{"none", nil, nil, "steps"},
		{"unnamed", []closing.Step{{Run: ok}}, nil, "steps[0].name"},
		{"bad name", []closing.Step{{Name: "Ledger Interest", Run: ok}}, nil, "steps[0].name"},
		{"twice", []closing.Step{{Name: "a", Run: ok}, {Name: "a", Run: ok}}, nil, "steps[1].name"},
		{"no run", []closing.Step{{Name: "a"}}, nil, "steps[0].run"},
		{"short lease", []closing.Step{{Name: "a", Run: ok}}, []closing.Option{closing.WithLease(time.Millisecond)}, "lease"},
		{"nil clock", []closing.Step{{Name: "a", Run: ok}}, []closing.Option{closing.WithClock(nil)}, "clock"},
	} {
		_, err := closing.New(store, tc.steps, tc.opts...)
		var fe *fault.FieldError
		require.ErrorAs(t, err, &fe, tc.name)
		require.Equal(t, tc.field, fe.Field, tc.name)
		require.ErrorIs(t, err, closing.ErrInvalidInput, tc.name)
	}
	_, err := closing.New(nil, []closing.Step{{Name: "a", Run: ok}})
	require.ErrorIs(t, err, closing.ErrInvalidInput)

	r, err := closing.New(store, []closing.Step{{Name: "a", Run: ok}})
	require.NoError(t, err)
	_, err = r.Run(context.Background(), calendar.Date{Year: 2026, Month: 2, Day: 30})
	require.ErrorIs(t, err, closing.ErrInvalidInput)
	_, err = r.Report(context.Background(), calendar.Date{})
	require.ErrorIs(t, err, closing.ErrInvalidInput)
}
