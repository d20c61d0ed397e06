package ledger

import (
	"context"
	"errors"
	"fmt"
	"sync"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
)

// EndOfDay closes business dates: it accrues and posts deposit interest,
// matures time deposits, expires holds, marks inactive accounts dormant and
// advances the business date.
//
// # Interest
//
// Products are interest.Product values registered under a code
// (SetInterestProduct) and assigned to demand accounts
// (AssignInterestProduct). Each account's interest.Accrual state is kept
// by the EndOfDayStore. A run walks every assigned account through each
// calendar day from the day after its last accrual up to the day before
// the next business day, so a Friday run accrues the weekend too, each day
// on that day's closing balance. When a day ends the product's posting
// period, the period is posted to the customer as one entry: gross credit
// interest out of interest payable, net to the customer and withholding
// tax to tax payable (CodeTaxPayable) as their own lines, and debit
// interest from the customer to interest receivable as its own lines,
// never netted. That entry is value-dated on the period end even when it
// falls after the business date (a month ending on a Sunday), so it counts
// from the right day and a resumed run reads the same balances.
//
// The day's accruals are booked to the general ledger once per currency
// (interest expense to interest payable, interest receivable to interest
// income), rounded half-even with the remainder carried to the next run,
// so interest payable always holds what customers have earned and not yet
// been paid, within half a minor unit.
//
// # Restarting
//
// Every posting is keyed by what it is for: "eod/interest/<account>/<period
// end>", "eod/<date>/accrual/<currency>/credit", "eod/timedeposit/<id>/
// maturity/<date>". The run record keeps the step reached and the last
// account done; a page of accrual states is saved together with that
// cursor after the page's postings. A run that stops between the two
// recomputes the same postings from the old states and the store replays
// them, so running a date twice or resuming after a crash accrues and
// posts exactly once. Advancing the business date is a compare-and-set
// and the last step.
//
// # Time deposits and dormancy
//
// OpenTimeDeposit funds a deposit by a transfer from a demand account at
// the product's rate of the day; a run matures every open deposit whose
// maturity date has come (the next business day's run, for a maturity on a
// holiday) under its instruction; CloseTimeDepositEarly applies the
// penalty rule. Dormancy (WithDormancyAfter) reads customer-initiated
// entries (deposits, withdrawals, transfers, captures) from each demand
// account's statement over the period; interest and other journal entries
// do not count as activity.
//
// One EndOfDay runs one date at a time; two processes running the same
// date are kept apart by the accrual compare-and-set and the idempotency
// keys, at the price of wasted work and a failed run to repeat.
type EndOfDay struct {
	svc      *Service
	store    EndOfDayStore
	calendar *calendar.BusinessCalendar
	progress func(Progress)
	dormancy int // days without customer activity; 0 turns dormancy off
	pageSize int

	mu sync.Mutex // one run at a time
}

// EndOfDayOption configures NewEndOfDay.
type EndOfDayOption func(*EndOfDay)

// WithBusinessCalendar sets the calendar whose non-business days the run
// skips (while still accruing for them). Without it every day is a
// business day.
func WithBusinessCalendar(c *calendar.BusinessCalendar) EndOfDayOption {
	return func(e *EndOfDay) { e.calendar = c }
}

// WithProgress sets a callback told of each step and of each page of
// accounts done. It is called on the run's goroutine and should return
// quickly.
func WithProgress(fn func(Progress)) EndOfDayOption {
	return func(e *EndOfDay) { e.progress = fn }
}

// WithDormancyAfter makes demand accounts with no customer-initiated
// activity (deposit, withdrawal, transfer, capture) in the last days
// calendar days dormant. Zero or less, the default, turns dormancy off.
func WithDormancyAfter(days int) EndOfDayOption {
	return func(e *EndOfDay) { e.dormancy = max(days, 0) }
}

// MaxEndOfDayPage is the largest page WithPageSize takes.
const MaxEndOfDayPage = 10000

// WithPageSize sets how many accounts a step reads and saves at once:
// default 500, at most MaxEndOfDayPage. Bigger pages mean fewer round
// trips to a database store and more work redone after a crash.
func WithPageSize(n int) EndOfDayOption {
	return func(e *EndOfDay) {
		if n > 0 && n <= MaxEndOfDayPage {
			e.pageSize = n
		}
	}
}

// NewEndOfDay returns the end-of-day runner over svc and store, which must
// be the same backend as svc's Store.
func NewEndOfDay(svc *Service, store EndOfDayStore, opts ...EndOfDayOption) *EndOfDay {
	e := &EndOfDay{svc: svc, store: store, pageSize: 500}
	for _, o := range opts {
		if o != nil {
			o(e)
		}
	}
	return e
}

// Progress reports how far a run has got.
type Progress struct {
	Date calendar.Date
	Step EndOfDayStep
	// Done is how many items (accounts, deposits, holds) the step has
	// finished so far.
	Done    int
	Message string
}

// EndOfDaySummary is what a run did.
type EndOfDaySummary struct {
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
	HoldsExpired   int
	MarkedDormant  int
	// Failures are accounts or deposits a step could not finish (a
	// frozen account refusing its interest, say); the run goes on and the
	// next run tries them again. At most MaxFailures are listed;
	// MoreFailures counts the rest.
	Failures     []EndOfDayFailure
	MoreFailures int
}

// MaxFailures is how many failures a summary lists.
const MaxFailures = 1000

// EndOfDayFailure is one item a step could not finish.
type EndOfDayFailure struct {
	Step   EndOfDayStep
	ID     ID
	Reason string
}

// RunEndOfDay closes businessDate, which must be the ledger's current
// business date, and returns what it did. Steps, in order: accrual of
// every interest-bearing account for each calendar day up to the day before
// the next business day, with posting at the ends of posting periods;
// booking the day's accrual; time-deposit maturities; hold expiry;
// dormancy; and last, advancing the business date.
//
// Running a date that was closed already returns its stored summary and
// changes nothing; a run stopped half-way (a crash, a cancelled ctx)
// resumes where it stopped.
func (e *EndOfDay) RunEndOfDay(ctx context.Context, businessDate calendar.Date) (EndOfDaySummary, error) {
	if !businessDate.Valid() {
		return EndOfDaySummary{}, invalid("business_date", "is not a valid date")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	run, err := e.store.EndOfDayRun(ctx, businessDate)
	if err == nil && run.Step == StepDone {
		return run.Summary, nil
	}
	if err != nil && !errors.Is(err, ErrNotFound) {
		return EndOfDaySummary{}, err
	}
	today, err := e.svc.BusinessDate(ctx)
	if err != nil {
		return EndOfDaySummary{}, err
	}
	// A run that stopped after advancing the date but before recording
	// that it had finished resumes too.
	resumingAdvance := run.Step == StepAdvance && today == run.Next
	if today != businessDate && !resumingAdvance {
		return EndOfDaySummary{}, invalid("business_date", fmt.Sprintf("%s is not the business date %s", businessDate, today))
	}
	if run.Step == "" {
		if run, err = e.startRun(ctx, businessDate); err != nil {
			return EndOfDaySummary{}, err
		}
	}
	for run.Step != StepDone {
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

func (e *EndOfDay) runStep(ctx context.Context, run EndOfDayRun) (EndOfDayRun, error) {
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
func (e *EndOfDay) startRun(ctx context.Context, date calendar.Date) (EndOfDayRun, error) {
	next, err := e.nextBusinessDay(date)
	if err != nil {
		return EndOfDayRun{}, err
	}
	run := EndOfDayRun{
		Date: date, Through: next.AddDays(-1), Next: next, Step: StepAccrual,
		StartedAt: e.svc.clock.Now(),
		Summary:   EndOfDaySummary{Date: date, Next: next},
	}
	prev, err := e.store.LatestEndOfDayRun(ctx)
	switch {
	case err == nil:
		for _, b := range prev.Books {
			run.Books = append(run.Books, AccrualBook{Currency: b.Currency, CreditCarry: b.CreditCarry, DebitCarry: b.DebitCarry})
		}
	case !errors.Is(err, ErrNotFound):
		return EndOfDayRun{}, err
	}
	err = e.store.CreateEndOfDayRun(ctx, run)
	if errors.Is(err, ErrDuplicate) {
		return e.store.EndOfDayRun(ctx, date)
	}
	return run, err
}

func (e *EndOfDay) nextBusinessDay(d calendar.Date) (calendar.Date, error) {
	if e.calendar == nil {
		return d.AddDays(1), nil
	}
	return e.calendar.NextBusinessDay(d)
}

// finishStep moves the run to the step after its current one and saves it.
func (e *EndOfDay) finishStep(ctx context.Context, run EndOfDayRun, next EndOfDayStep) (EndOfDayRun, error) {
	run.Step, run.Cursor = next, NilID
	if next == StepDone {
		run.FinishedAt = e.svc.clock.Now()
	}
	return run, e.saveRun(ctx, &run)
}

// saveRun saves the run record as its next version.
func (e *EndOfDay) saveRun(ctx context.Context, run *EndOfDayRun) error {
	run.Version++
	return e.store.SaveEndOfDayRun(ctx, *run)
}

func (e *EndOfDay) report(run EndOfDayRun, done int, msg string) {
	if e.progress != nil {
		e.progress(Progress{Date: run.Date, Step: run.Step, Done: done, Message: msg})
	}
}

func (e *EndOfDay) fail(run *EndOfDayRun, id ID, err error) {
	if len(run.Summary.Failures) >= MaxFailures {
		run.Summary.MoreFailures++
		return
	}
	run.Summary.Failures = append(run.Summary.Failures, EndOfDayFailure{Step: run.Step, ID: id, Reason: err.Error()})
}

// expireHolds releases every hold whose expiry has passed by now.
func (e *EndOfDay) expireHolds(ctx context.Context, run EndOfDayRun) (EndOfDayRun, error) {
	expired, err := e.svc.ExpireHolds(ctx, e.svc.clock.Now())
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
func (e *EndOfDay) advance(ctx context.Context, run EndOfDayRun) (EndOfDayRun, error) {
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
