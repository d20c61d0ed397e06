package risk

import (
	"context"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/event"
)

// Page is a window of a list: the items after an id, at most Limit.
type Page struct {
	After ID
	Limit int
}

// DecisionFilter chooses decisions; zero fields choose all. Decisions list
// newest first unless After is set, then by id after it.
type DecisionFilter struct {
	Version       int
	Mode          Mode
	Outcome       Outcome
	TransactionID ID
	Since, Until  time.Time // DecidedAt in [Since, Until)
	After         ID
	Limit         int
}

// AlertFilter chooses alerts, by id.
type AlertFilter struct {
	CustomerID string
	CaseID     ID
	After      ID
	Limit      int
}

// CaseFilter chooses cases, by id.
type CaseFilter struct {
	Status     CaseStatus
	Assignee   string
	CustomerID string
	After      ID
	Limit      int
}

// Screening is one transaction to record atomically: its records added to
// the aggregate state, its reads taken (after the records), then Decide
// turns the figures into the decisions to keep (the live one first) and
// the alert to raise. Decide is pure and may be called again when the
// store retries its transaction.
type Screening struct {
	Transaction Transaction
	// Key is the caller's idempotency key, if any: a transaction with the
	// same key is the same transaction.
	Key     string
	Records []Record
	Reads   []Read
	Decide  func(figures []Figure) (Decided, error)
}

// Batch is screenings kept together with the move of a cursor: the
// position in a feed of events (the ledger's) up to which they were
// evaluated. A cursor never moves back.
type Batch struct {
	Screenings []Screening
	Cursor     string
	Position   int64
}

// Decided is what a screening keeps.
type Decided struct {
	Decisions []Decision
	// Alert, when set, joins the open case of its customer or opens
	// NewCase (whose ID and OpenedAt are set) when they have none.
	Alert   *Alert
	NewCase Case
	Events  []event.Envelope
}

// Store is what the Service needs of a backend. memrisk and pgrisk
// implement it; risktest is its contract suite. Each method's doc names
// the sentinels it returns.
type Store interface {
	// Events is the outbox of risk's events.
	Events() event.Log

	// CreateRuleSet stores a new draft, numbering it one after the highest
	// version; it returns it as stored.
	CreateRuleSet(ctx context.Context, r RuleSet, events ...event.Envelope) (RuleSet, error)
	// UpdateRuleSet applies fn to a version atomically (ErrNotFound).
	UpdateRuleSet(ctx context.Context, id ID, fn func(RuleSet) (RuleSet, []event.Envelope, error)) (RuleSet, error)
	// Promote makes a draft or shadow version the shadow, or the published
	// version, atomically: the shadow it replaces goes back to draft, the
	// published version it replaces is retired (ErrNotFound,
	// ErrInvalidTransition).
	Promote(ctx context.Context, id ID, to Status, at time.Time, by string, events ...event.Envelope) (RuleSet, error)
	// RuleSet returns a version (ErrNotFound).
	RuleSet(ctx context.Context, id ID) (RuleSet, error)
	// RuleSets lists versions, newest first.
	RuleSets(ctx context.Context, limit int) ([]RuleSet, error)
	// ActiveRuleSets returns the published and shadow versions (nil when
	// none).
	ActiveRuleSets(ctx context.Context) (live, shadow *RuleSet, err error)

	// Screen records a screening (see Screening). When a decision of the
	// same transaction id or key was recorded before, it changes nothing
	// and returns that live decision with replayed true.
	Screen(ctx context.Context, s Screening) (live Decision, replayed bool, err error)
	// ScreenBatch records screenings in their order, as Screen would one
	// after the other (each reads the aggregates with the ones before it
	// counted; one screened before by id or key is replayed and counts
	// nothing), and moves cursor b.Cursor to b.Position, all in one
	// atomic change: either everything is kept or nothing is. It returns
	// a verdict per screening.
	ScreenBatch(ctx context.Context, b Batch) ([]Verdict, error)
	// Cursor returns where cursor name stands (0 when it never moved).
	Cursor(ctx context.Context, name string) (int64, error)

	// Decision returns a decision (ErrNotFound).
	Decision(ctx context.Context, id ID) (Decision, error)
	// Decisions lists decisions (see DecisionFilter).
	Decisions(ctx context.Context, f DecisionFilter) ([]Decision, error)
	// DayTransactions returns the transactions of a business date whose
	// live decision let them post, by decision id.
	DayTransactions(ctx context.Context, date calendar.Date) ([]Transaction, error)

	// AddSnooze stores a snooze.
	AddSnooze(ctx context.Context, s Snooze) error
	// Snoozes lists the snoozes in force at a time, for the given
	// entities (all entities when none).
	Snoozes(ctx context.Context, at time.Time, entities ...string) ([]Snooze, error)
	// DeleteSnooze ends a snooze (ErrNotFound).
	DeleteSnooze(ctx context.Context, id ID) error

	// RaiseAlert stores an alert; one with a customer joins their open
	// case or opens newCase. It returns the alert with its case.
	RaiseAlert(ctx context.Context, a Alert, newCase Case, events ...event.Envelope) (Alert, error)
	// Alert returns an alert (ErrNotFound).
	Alert(ctx context.Context, id ID) (Alert, error)
	// Alerts lists alerts by id.
	Alerts(ctx context.Context, f AlertFilter) ([]Alert, error)
	// Case returns a case (ErrNotFound).
	Case(ctx context.Context, id ID) (Case, error)
	// Cases lists cases by id.
	Cases(ctx context.Context, f CaseFilter) ([]Case, error)
	// UpdateCase applies fn to a case atomically (ErrNotFound).
	UpdateCase(ctx context.Context, id ID, fn func(Case) (Case, []event.Envelope, error)) (Case, error)

	// SaveLargeValueReport stores a business date's report; when one is
	// stored for the date already it returns that one and false.
	SaveLargeValueReport(ctx context.Context, r LargeValueReport, events ...event.Envelope) (LargeValueReport, bool, error)
	// LargeValueReport returns a business date's report (ErrNotFound).
	LargeValueReport(ctx context.Context, date calendar.Date) (LargeValueReport, error)
	// MarkLargeValueFiled sets a report's FiledAt (ErrNotFound).
	MarkLargeValueFiled(ctx context.Context, date calendar.Date, at time.Time) error
	// SaveSuspiciousReport stores a case's report; when the case has one
	// already it returns that one and false.
	SaveSuspiciousReport(ctx context.Context, r SuspiciousReport, events ...event.Envelope) (SuspiciousReport, bool, error)
	// SuspiciousReport returns a report (ErrNotFound).
	SuspiciousReport(ctx context.Context, id ID) (SuspiciousReport, error)
	// MarkSuspiciousFiled sets a report's FiledAt (ErrNotFound).
	MarkSuspiciousFiled(ctx context.Context, id ID, at time.Time) error

	// CreateIndicator stores an indicator (ErrDuplicate on its name).
	CreateIndicator(ctx context.Context, i Indicator) error
	// Indicator returns an indicator (ErrNotFound).
	Indicator(ctx context.Context, id ID) (Indicator, error)
	// Indicators lists indicators by name.
	Indicators(ctx context.Context) ([]Indicator, error)
	// UpdateIndicator applies fn to an indicator atomically, storing the
	// alert it returns, if any, with it (ErrNotFound).
	UpdateIndicator(ctx context.Context, id ID, fn func(Indicator) (Indicator, *Alert, []event.Envelope, error)) (Indicator, error)
}
