package endofday

import (
	"context"
	"errors"
	"fmt"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
)

// Progress reports how far a run has got.
type Progress struct {
	Date calendar.Date
	Step Step
	// Done is how many items (accounts, deposits, holds) the step has
	// finished so far.
	Done    int
	Message string
}

// Summary is what a run did.
type Summary struct {
	Date calendar.Date
	Next calendar.Date
	// AccountsAccrued counts accounts that accrued at least one day.
	AccountsAccrued int
	// DaysAccrued counts account-days accrued.
	DaysAccrued int
	// Postings counts interest postings to customer accounts.
	Postings int
	// InterestPosted is gross credit interest posted, TaxWithheld the tax
	// withheld from it, DebitInterest the overdraft interest charged, per
	// currency.
	InterestPosted map[money.Currency]money.Money
	TaxWithheld    map[money.Currency]money.Money
	DebitInterest  map[money.Currency]money.Money
	Maturities     int
	// Payouts counts scheduled payouts before maturity (a part of the
	// principal, an interval's interest).
	Payouts       int
	HoldsExpired  int
	MarkedDormant int
	// Failures are accounts or deposits a step could not finish (a
	// frozen account refusing its interest, say); the run goes on and the
	// next run tries them again. At most MaxFailures are listed;
	// MoreFailures counts the rest.
	Failures     []Failure
	MoreFailures int
}

// MaxFailures is how many failures a summary lists.
const MaxFailures = 1000

// Failure is one item a step could not finish.
type Failure struct {
	Step   Step
	ID     ledger.ID
	Reason string
}

// Run closes businessDate, which must be the ledger's current business
// date, and returns what it did. Steps, in order: accrual of every
// interest-bearing account for each calendar day up to the day before the
// next business day, with posting at the ends of posting periods; booking
// the day's accrual; time-deposit maturities; hold expiry; dormancy; and
// last, advancing the business date.
//
// Running a date that was closed already returns its stored summary and
// changes nothing; a run stopped half-way (a crash, a cancelled ctx)
// resumes where it stopped.
func (e *Service) Run(ctx context.Context, businessDate calendar.Date) (Summary, error) {
	return e.runSteps(ctx, businessDate, "", StepDone)
}

// RunSteps runs every step of businessDate's run but the last, the advance
// of the business date, and returns the summary so far. It is the first
// half of Run, for a bank-wide end of day that runs other subsystems' steps
// before the date moves; Advance is the second. Like Run it resumes a run
// stopped half-way, and once its steps are done running it again returns
// the summary and changes nothing.
func (e *Service) RunSteps(ctx context.Context, businessDate calendar.Date) (Summary, error) {
	return e.runSteps(ctx, businessDate, "", StepAdvance)
}

// Advance moves the business date on from businessDate, the last step of
// its run, and returns the run's summary: the second half of Run, once
// RunSteps has done the first (ErrStepsPending before). Advancing a date
// that has moved on already returns its summary and changes nothing.
func (e *Service) Advance(ctx context.Context, businessDate calendar.Date) (Summary, error) {
	return e.runSteps(ctx, businessDate, StepAdvance, StepDone)
}

// Summary returns what the run of businessDate has done so far, or
// ledger.ErrNotFound when no run of that date has started.
func (e *Service) Summary(ctx context.Context, businessDate calendar.Date) (Summary, error) {
	if !businessDate.Valid() {
		return Summary{}, invalid("business_date", "is not a valid date")
	}
	run, err := e.store.EndOfDayRun(ctx, businessDate)
	if err != nil {
		return Summary{}, err
	}
	return run.Summary, nil
}

// runSteps runs businessDate's steps up to, not including, stop. The run
// must have reached from already (ErrStepsPending); "" is any run, even
// one not started.
func (e *Service) runSteps(ctx context.Context, businessDate calendar.Date, from, stop Step) (Summary, error) {
	if !businessDate.Valid() {
		return Summary{}, invalid("business_date", "is not a valid date")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	run, err := e.store.EndOfDayRun(ctx, businessDate)
	if err == nil && !run.Step.before(stop) {
		return run.Summary, nil
	}
	if err != nil && !errors.Is(err, ledger.ErrNotFound) {
		return Summary{}, err
	}
	today, err := e.svc.BusinessDate(ctx)
	if err != nil {
		return Summary{}, err
	}
	// A run that stopped after advancing the date but before recording
	// that it had finished resumes too.
	resumingAdvance := run.Step == StepAdvance && today == run.Next
	if today != businessDate && !resumingAdvance {
		return Summary{}, invalid("business_date", fmt.Sprintf("%s is not the business date %s", businessDate, today))
	}
	if run.Step.before(from) {
		return run.Summary, fmt.Errorf("%w: end of day %s is at step %q, not yet %s", ErrStepsPending, businessDate, run.Step, from)
	}
	if run.Step == "" {
		if run, err = e.startRun(ctx, businessDate); err != nil {
			return Summary{}, err
		}
	}
	for run.Step.before(stop) {
		if err := ctx.Err(); err != nil {
			return run.Summary, err
		}
		e.report(run, 0, "step started")
		if run, err = e.runStep(ctx, run); err != nil {
			return run.Summary, fmt.Errorf("end of day %s, step %s: %w", businessDate, run.Step, err)
		}
	}
	return run.Summary, nil
}

func (e *Service) runStep(ctx context.Context, run Run) (Run, error) {
	switch run.Step {
	case StepAccrual:
		return e.accrueAll(ctx, run)
	case StepBooking:
		return e.bookAccruals(ctx, run)
	case StepMaturity:
		return e.matureDeposits(ctx, run)
	case StepHolds:
		return e.expireHolds(ctx, run)
	case StepDormancy:
		return e.markDormant(ctx, run)
	case StepAdvance:
		return e.advance(ctx, run)
	}
	return run, fmt.Errorf("ledger: unknown end-of-day step %q", run.Step)
}

// startRun creates the run record of date, taking the accrual carries
// from the latest earlier run.
func (e *Service) startRun(ctx context.Context, date calendar.Date) (Run, error) {
	next, err := e.nextBusinessDay(date)
	if err != nil {
		return Run{}, err
	}
	run := Run{
		Date: date, Through: next.AddDays(-1), Next: next, Step: StepAccrual,
		StartedAt: e.clock.Now(),
		Summary:   Summary{Date: date, Next: next},
	}
	prev, err := e.store.LatestEndOfDayRun(ctx)
	switch {
	case err == nil:
		for _, b := range prev.Books {
			run.Books = append(run.Books, AccrualBook{Currency: b.Currency, CreditCarry: b.CreditCarry, DebitCarry: b.DebitCarry})
		}
	case !errors.Is(err, ledger.ErrNotFound):
		return Run{}, err
	}
	err = e.store.CreateEndOfDayRun(ctx, run)
	if errors.Is(err, ledger.ErrDuplicate) {
		return e.store.EndOfDayRun(ctx, date)
	}
	return run, err
}

func (e *Service) nextBusinessDay(d calendar.Date) (calendar.Date, error) {
	if e.calendar == nil {
		return d.AddDays(1), nil
	}
	return e.calendar.NextBusinessDay(d)
}

// finishStep moves the run to the step after its current one and saves it.
func (e *Service) finishStep(ctx context.Context, run Run, next Step) (Run, error) {
	run.Step, run.Cursor = next, ledger.NilID
	if next == StepDone {
		run.FinishedAt = e.clock.Now()
	}
	return run, e.saveRun(ctx, &run)
}

// saveRun saves the run record as its next version.
func (e *Service) saveRun(ctx context.Context, run *Run) error {
	run.Version++
	return e.store.SaveEndOfDayRun(ctx, *run)
}

func (e *Service) report(run Run, done int, msg string) {
	if e.progress != nil {
		e.progress(Progress{Date: run.Date, Step: run.Step, Done: done, Message: msg})
	}
}

func (e *Service) fail(run *Run, id ledger.ID, err error) {
	if len(run.Summary.Failures) >= MaxFailures {
		run.Summary.MoreFailures++
		return
	}
	run.Summary.Failures = append(run.Summary.Failures, Failure{Step: run.Step, ID: id, Reason: err.Error()})
}

// expireHolds releases every hold whose expiry has passed by now.
func (e *Service) expireHolds(ctx context.Context, run Run) (Run, error) {
	expired, err := e.svc.ExpireHolds(ctx, e.clock.Now())
	if err != nil {
		return run, err
	}
	run.Summary.HoldsExpired += len(expired)
	e.report(run, len(expired), "holds expired")
	return e.finishStep(ctx, run, StepDormancy)
}

// advance moves the business date to the run's next date, then marks the
// run done. A crash between the two is mended on the re-run: the date has
// moved already, which the compare-and-set reports and advance accepts.
func (e *Service) advance(ctx context.Context, run Run) (Run, error) {
	err := e.store.AdvanceBusinessDate(ctx, run.Date, run.Next)
	if errors.Is(err, ErrBusinessDateMoved) {
		today, derr := e.svc.BusinessDate(ctx)
		if derr != nil {
			return run, derr
		}
		if today != run.Next {
			return run, err
		}
	} else if err != nil {
		return run, err
	}
	e.report(run, 1, "business date "+run.Next.String())
	return e.finishStep(ctx, run, StepDone)
}

// addTo adds m to the per-currency total in *totals.
func addTo(totals *map[money.Currency]money.Money, m money.Money) {
	if m.IsZero() {
		return
	}
	if *totals == nil {
		*totals = map[money.Currency]money.Money{}
	}
	sum, ok := (*totals)[m.Currency]
	if !ok {
		sum = money.Zero(m.Currency)
	}
	sum.Amount = sum.Amount.Add(m.Amount)
	(*totals)[m.Currency] = sum
}
