package endofday

import (
	"context"
	"slices"
	"time"

	"github.com/bankkit/bankkit/ledger"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/bankkit/bankkit/money"
	"github.com/shopspring/decimal"
)

// Store is what end of day needs from a backend besides a ledger.Store:
// the interest products, each interest-bearing account's accrual state,
// the record of each run, the time deposits, and the compare-and-set that
// advances the business date.
//
// Postings never go through it: they go through the Service, keyed by
// idempotency keys derived from the run, so that a run resumed after a
// crash re-posts nothing. What this store saves atomically is the state
// those postings came from (SaveAccrualPage), after them; a crash between
// the two re-computes the same postings from the old state, which replay.
//
// Every method is safe for concurrent use.
type Store interface {
	// PutInterestProduct stores the product under code, replacing an
	// earlier version: a rate change is a new schedule entry with its
	// effective date, so the past accrues as before. p must pass
	// p.Validate (the Service checks it).
	PutInterestProduct(ctx context.Context, code string, p interest.Product) error
	// InterestProduct returns the product. Errors: ErrNotFound.
	InterestProduct(ctx context.Context, code string) (interest.Product, error)

	// CreateInterestAccount starts an account's accrual state. If the
	// account has one already it is returned with created == false when the
	// product code is the same, else ErrDuplicate.
	CreateInterestAccount(ctx context.Context, a InterestAccount) (stored InterestAccount, created bool, err error)
	// InterestAccount returns one account's state. Errors: ErrNotFound.
	InterestAccount(ctx context.Context, id ledger.ID) (InterestAccount, error)
	// InterestAccounts returns up to limit states with AccountID greater
	// than after, in ascending AccountID order: a keyset page.
	InterestAccounts(ctx context.Context, after ledger.ID, limit int) ([]InterestAccount, error)

	// ClosingBalances returns the balances (normal-side terms) of the
	// accounts at the end of day, counting every entry with a value date on
	// or before it, in the order of ids. Errors: ErrNotFound.
	ClosingBalances(ctx context.Context, day calendar.Date, ids []ledger.ID) ([]decimal.Decimal, error)

	// SaveAccrualPage stores, in one atomic step, the new accrual states of
	// a page of accounts and the run record with its cursor moved past
	// them. Each update applies only if the stored state's LastAccrued is
	// still update.Before, and the run only over the stored run of
	// Version run.Version-1; if any is not, nothing is saved and the error
	// is ErrAccrualConflict. Errors: ErrNotFound (run or account).
	SaveAccrualPage(ctx context.Context, run Run, updates []AccrualUpdate) error

	// CreateEndOfDayRun stores a new run record. Errors: ErrDuplicate if
	// a run for the date exists.
	CreateEndOfDayRun(ctx context.Context, run Run) error
	// SaveEndOfDayRun replaces the run record of run.Date, which must have
	// Version run.Version-1 (ErrAccrualConflict otherwise).
	// Errors: ErrNotFound.
	SaveEndOfDayRun(ctx context.Context, run Run) error
	// Run returns the run record of a date. Errors: ErrNotFound.
	EndOfDayRun(ctx context.Context, date calendar.Date) (Run, error)
	// LatestEndOfDayRun returns the run with the latest date.
	// Errors: ErrNotFound when no run exists.
	LatestEndOfDayRun(ctx context.Context) (Run, error)

	// InactiveAccounts returns up to limit active demand accounts with ID
	// greater than q.After, in ascending ID order, that were opened before
	// q.Since and have no entry of one of q.Kinds with a value date on or
	// after q.Since.
	InactiveAccounts(ctx context.Context, q InactivityQuery) ([]ledger.ID, error)

	// AdvanceBusinessDate moves the business date from from to to, a
	// compare-and-set: ErrBusinessDateMoved when it is not from. to must
	// be after from.
	AdvanceBusinessDate(ctx context.Context, from, to calendar.Date) error

	// CreateTimeDeposit stores a new time deposit. If one was stored with
	// the same IdempotencyKey it returns that one and replayed == true (the
	// Service compares the terms). Errors: ErrDuplicate (the ID).
	CreateTimeDeposit(ctx context.Context, td TimeDeposit) (stored TimeDeposit, replayed bool, err error)
	// TimeDeposit returns one time deposit. Errors: ErrNotFound.
	TimeDeposit(ctx context.Context, id ledger.ID) (TimeDeposit, error)
	// TimeDepositsDue returns up to limit open deposits whose next
	// scheduled event (Terms.Due: a payout, or the maturity) is on or
	// before date and whose ID is greater than after, in ascending ID
	// order.
	TimeDepositsDue(ctx context.Context, date calendar.Date, after ledger.ID, limit int) ([]TimeDeposit, error)
	// UpdateTimeDeposit reads the deposit, calls fn and stores what it
	// returns, atomically. If fn fails nothing changes and its error is
	// returned as is. Errors: ErrNotFound.
	UpdateTimeDeposit(ctx context.Context, id ledger.ID, fn func(TimeDeposit) (TimeDeposit, error)) (TimeDeposit, error)
}

// InterestAccount is one account's link to its interest product and its
// accrual state between postings.
type InterestAccount struct {
	AccountID ledger.ID
	Currency  money.Currency
	// ProductCode is the code of the interest product (SetInterestProduct).
	ProductCode string
	// From is the first day that earns interest.
	From    calendar.Date
	Accrual interest.Accrual
}

// AccrualUpdate is one account's new state for SaveAccrualPage.
type AccrualUpdate struct {
	AccountID ledger.ID
	// Before is the LastAccrued of the state the update was computed
	// from: the compare part of the compare-and-set.
	Before  calendar.Date
	Accrual interest.Accrual
}

// InactivityQuery selects accounts for dormancy: see
// Store.InactiveAccounts.
type InactivityQuery struct {
	Since calendar.Date
	Kinds []ledger.EntryKind
	After ledger.ID
	Limit int
}

// Step is a stage of a run, in the order they run.
type Step string

// The steps of a run.
const (
	StepAccrual  Step = "accrual"  // accrue every interest-bearing account; post at period ends
	StepBooking  Step = "booking"  // book the day's accrual per currency to interest payable / receivable
	StepMaturity Step = "maturity" // time deposits maturing
	StepHolds    Step = "holds"    // expire holds
	StepDormancy Step = "dormancy" // mark inactive accounts dormant
	StepAdvance  Step = "advance"  // move the business date
	StepDone     Step = "done"     // the run is finished
)

// steps are the steps in the order they run.
var steps = []Step{StepAccrual, StepBooking, StepMaturity, StepHolds, StepDormancy, StepAdvance, StepDone}

// before reports whether a run at step s has yet to reach t. The step of a
// run not started, "", is before every other.
func (s Step) before(t Step) bool {
	return slices.Index(steps, s) < slices.Index(steps, t)
}

// Run is the record of one run: where it stands, so that a run
// resumed after a crash continues from its step and cursor, and its
// summary, returned again when the finished date is run a second time.
type Run struct {
	Date calendar.Date
	// Through is the last calendar day accrued: the day before Next.
	Through calendar.Date
	// Next is the business date the run advances to.
	Next calendar.Date
	Step Step
	// Cursor is the last ID the current step has finished with.
	Cursor ledger.ID
	// Books are the day's unbooked accruals and the rounding carries, one
	// per currency, in currency order.
	Books      []AccrualBook
	Summary    Summary
	StartedAt  time.Time
	FinishedAt time.Time
	// Version counts the saves of the record. Each save names the next
	// version and succeeds only over the one before, so two runners of one
	// date cannot overwrite each other's totals.
	Version int64
}

// AccrualBook is one currency's aggregate of a run's accruals, booked as
// one entry per side at the booking step. Credit and Debit are the day's
// unrounded sums (credit may be negative when an average-balance true-up
// exceeds the day); the carries are what rounding the booked entry left,
// handed on to the next run, so the interest payable account never loses
// or gains a fraction.
type AccrualBook struct {
	Currency    money.Currency
	Credit      decimal.Decimal
	Debit       decimal.Decimal
	CreditCarry decimal.Decimal
	DebitCarry  decimal.Decimal
}

// TimeDepositStatus is a time deposit's life-cycle state.
type TimeDepositStatus string

// Time deposit statuses.
const (
	TimeDepositPending TimeDepositStatus = "pending" // opened, funding not yet posted
	TimeDepositOpen    TimeDepositStatus = "open"    // funded, earning, maturing on its date
	TimeDepositHeld    TimeDepositStatus = "held"    // matured under the Hold instruction, awaiting instruction
	TimeDepositClosed  TimeDepositStatus = "closed"  // paid out at maturity or closed early
	TimeDepositFailed  TimeDepositStatus = "failed"  // the funding transfer was refused
)

// TimeDeposit is a time deposit: its ledger account (same ID), the
// demand account that funded it and receives its payouts, and its terms.
type TimeDeposit struct {
	ID              ledger.ID
	DemandAccountID ledger.ID
	// ProductCode is the interest product whose credit rate set the
	// deposit's rate, and sets a rollover's. (Stored records name it
	// "Product", as it was first called.)
	ProductCode string `json:"Product"`
	Terms       interest.TimeDeposit
	Status      TimeDepositStatus
	// Funding is the amount the opening moved from the demand account
	// (the principal, or an instalment deposit's first instalment), with
	// its description and value date. A replayed opening repeats that
	// transfer, whatever has happened to the deposit since (a rollover, a
	// withdrawal). Zero on records from before it was kept.
	Funding     decimal.Decimal
	FundingNote string
	FundedOn    calendar.Date
	// Pending is an operation whose entry may have posted and whose terms
	// are not saved yet; nil almost always (see PendingOperation).
	Pending *PendingOperation `json:",omitempty"`
	// Rollovers counts the maturities that renewed the deposit.
	Rollovers      int
	ClosedOn       calendar.Date
	IdempotencyKey string
	CreatedAt      time.Time
}
