package clearing

import (
	"context"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/iso20022"
	"github.com/bankkit/bankkit/money"
)

// Reconciliation compares the statement a correspondent bank sends for our
// nostro (settlement) account with the postings on that account in our
// ledger. Amounts in a reconciliation are signed in the statement's terms:
// positive for a credit to the account at the correspondent (money in),
// which is a debit to our debit-normal nostro account.

// StatementImport is a statement to reconcile.
type StatementImport struct {
	// AccountID is the ledger account the statement is for: the nostro or
	// settlement account.
	AccountID ledger.ID
	// StatementID names the statement uniquely for the account (camt.053
	// Stmt/Id, or the file name of a CSV statement); importing the same id
	// again returns the stored report.
	StatementID string
	Entries     []iso20022.Entry
	// DryRun computes the report without recording anything.
	DryRun bool
}

// MatchKind says how statement lines and postings were paired.
type MatchKind string

// Match kinds, in the order the matcher tries them.
const (
	MatchByReference MatchKind = "reference" // one to one, same amount and a shared reference
	MatchByAmount    MatchKind = "amount"    // one to one, same amount within the value-date window
	MatchBySum       MatchKind = "sum"       // one line to several postings, or several lines to one
)

// ReconMatch pairs statement lines with ledger postings of the same total.
type ReconMatch struct {
	Kind MatchKind
	// Lines are indexes into the imported Entries, EntryIDs the postings.
	Lines    []int
	EntryIDs []ledger.ID
	Amount   money.Money // signed, statement terms
}

// BreakSide says which side a break is on.
type BreakSide string

// Break sides.
const (
	BreakOnStatement BreakSide = "statement" // on the statement, not in the ledger
	BreakInLedger    BreakSide = "ledger"    // in the ledger, not on the statement
)

// BreakStatus is a break's state.
type BreakStatus string

// Break statuses.
const (
	BreakOpen     BreakStatus = "open"
	BreakResolved BreakStatus = "resolved" // an adjustment entry settled it
	BreakCleared  BreakStatus = "cleared"  // a later statement matched the posting
)

// ReconBreak is an item one side has and the other lacks.
type ReconBreak struct {
	ID          ledger.ID
	AccountID   ledger.ID
	StatementID string
	Side        BreakSide
	// Line is the statement line's index (statement side; -1 otherwise);
	// EntryID the posting (ledger side).
	Line      int
	EntryID   ledger.ID
	Amount    money.Money // signed, statement terms
	ValueDate calendar.Date
	Reference string
	Status    BreakStatus
	// AdjustmentEntryID is the entry that resolved the break, approved by
	// ResolvedBy at ResolvedAt.
	AdjustmentEntryID ledger.ID
	ResolvedBy        string
	ResolvedAt        time.Time
}

// ReconReport is the outcome of a statement import.
type ReconReport struct {
	ID          ledger.ID
	AccountID   ledger.ID
	StatementID string
	DryRun      bool
	ImportedAt  time.Time
	// From and To are the statement's first and last value dates.
	From, To calendar.Date
	// Skipped counts lines not booked (pending, information): they have
	// not moved the balance and are not reconciled.
	Skipped            int
	Matches            []ReconMatch
	UnmatchedStatement []ReconBreak
	UnmatchedLedger    []ReconBreak
	// Totals, signed in statement terms.
	MatchedTotal            money.Money
	UnmatchedStatementTotal money.Money
	UnmatchedLedgerTotal    money.Money
	// Replayed says the statement was imported before; this is the stored
	// report.
	Replayed bool
}

// MatchedEntryIDs returns every posting the report matched.
func (r ReconReport) MatchedEntryIDs() []ledger.ID {
	var ids []ledger.ID
	for _, m := range r.Matches {
		ids = append(ids, m.EntryIDs...)
	}
	return ids
}

// ReconStore keeps the reconciliations of statements: reports, the
// postings they matched, and breaks. Like Store, it is safe for concurrent
// use; clearingtest.RunReconciliation is its contract suite.
type ReconStore interface {
	// ReconReport returns the stored report of a statement.
	// Errors: ErrNotFound.
	ReconReport(ctx context.Context, accountID ledger.ID, statementID string) (ReconReport, error)

	// ReconciledEntries returns those of ids that an earlier statement of
	// the account matched, or that resolved one of its breaks.
	ReconciledEntries(ctx context.Context, accountID ledger.ID, ids []ledger.ID) ([]ledger.ID, error)

	// EntryMetadata returns the metadata of those of the entries that have
	// any, by entry ID: one read for a statement's worth of postings,
	// where the references to match live.
	EntryMetadata(ctx context.Context, ids []ledger.ID) (map[ledger.ID]map[string]string, error)

	// SaveReconciliation stores a report atomically: its matches (marking
	// their entries reconciled), and its breaks. A report for the same
	// (AccountID, StatementID) stored before wins and is returned with
	// replayed == true. An entry matched by another statement in between is
	// ErrDuplicate, and nothing is stored. A ledger break for an entry that
	// already has an open one is not stored again: the report carries the
	// open one. Open ledger breaks whose entries this report matched
	// become cleared.
	SaveReconciliation(ctx context.Context, r ReconReport) (stored ReconReport, replayed bool, err error)

	// ReconBreak returns the break. Errors: ErrNotFound.
	ReconBreak(ctx context.Context, id ledger.ID) (ReconBreak, error)

	// ResolveReconBreak marks an open break resolved by the adjustment
	// entry, and the entry reconciled. A break resolved before by the same
	// entry is returned as it is. Errors: ErrNotFound; ErrState
	// when the break is cleared or was resolved by another entry.
	ResolveReconBreak(ctx context.Context, id, entryID ledger.ID, approver string, at time.Time) (ReconBreak, error)
}
