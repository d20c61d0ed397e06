package ledger

import (
	"context"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/money"
)

// Store is what the Service needs from a backend: durable records, and the
// few read-modify-write steps that must be atomic. Validation and business
// rules live in the Service and in pure functions of this package (Apply,
// AdmitHold, Hold.Release, Hold.Expire); a Store calls those under its locks
// so that every backend refuses the same things with the same errors.
//
// Every method is safe for concurrent use. Errors other than the sentinels
// named below (a lost connection, a cancelled ctx) are returned as they are
// and mean "nothing happened or unknown": callers retry with the same
// idempotency key.
//
// The package ledger/ledgertest holds the contract suite every Store must
// pass.
type Store interface {
	// BusinessDate returns the ledger's current business date. The first
	// call on an empty store records initial and returns it.
	BusinessDate(ctx context.Context, initial calendar.Date) (calendar.Date, error)

	// CreateAccount stores a new account with a zero balance. An account
	// that fails a.Validate() is refused with that error. If key is not
	// empty and an account was created with that key before, it returns
	// that account and replayed == true when fp matches,
	// ErrIdempotencyConflict when it does not (checked before anything
	// else). Errors: ErrDuplicate if the ID or Number is taken, or an
	// internal account with the same Currency and Code exists.
	CreateAccount(ctx context.Context, a Account, key string, fp Fingerprint) (acct Account, replayed bool, err error)

	// UpdateAccount reads the account (with Balance and Held), calls fn and
	// stores the Status of the account fn returns, atomically: no posting or
	// hold on the account interleaves. Only Status is persisted. If fn fails,
	// nothing changes and its error is returned as is.
	// Errors: ErrNotFound.
	UpdateAccount(ctx context.Context, id ID, fn func(Account) (Account, error)) (Account, error)

	// RebindAccount replaces the bound accounts of c.AccountID with c.To:
	// it reads the account under its lock (no posting on it interleaves),
	// calls check, and if check passes stores c.To as the account's Bound
	// and appends c, with From set to the Bound it replaced, to the
	// account's binding history, atomically; when c.To equals the current
	// Bound it changes and records nothing. A posting after it counts
	// against the account's class limits by the new binding, in every
	// process sharing the store. If check fails nothing changes and its
	// error is returned as is.
	// Errors: ErrNotFound.
	RebindAccount(ctx context.Context, c BindingChange, check func(Account) error) (Account, error)

	// Bindings returns the account's binding history (RebindAccount),
	// oldest first.
	// Errors: ErrNotFound.
	Bindings(ctx context.Context, accountID ID) ([]BindingChange, error)

	// Account returns the account with its Balance and Held.
	// Errors: ErrNotFound.
	Account(ctx context.Context, id ID) (Account, error)

	// AccountByRef returns the account created with the external
	// reference (Account.ExternalRef; CreateAccount refuses a second one of
	// a client with RefTaken("account", ...)).
	// Errors: ErrNotFound.
	AccountByRef(ctx context.Context, r ExternalRef) (Account, error)

	// HoldByRef returns the hold placed with the external reference
	// (PlaceHold refuses a second one of a client with RefTaken("hold",
	// ...), after the idempotency key's replay).
	// Errors: ErrNotFound.
	HoldByRef(ctx context.Context, r ExternalRef) (Hold, error)

	// EntryByRef returns the entry posted with the external reference
	// (Entry.ExternalRef), with ReversedBy filled in.
	// Errors: ErrNotFound.
	EntryByRef(ctx context.Context, r ExternalRef) (Entry, error)

	// AccountByNumber returns the account with that number.
	// Errors: ErrNotFound.
	AccountByNumber(ctx context.Context, number string) (Account, error)

	// ListAccounts returns the accounts matching f (f.Matches) with ID
	// greater than f.After, in ascending ID order, at most f.Limit (the
	// Service asks for one more than its page size, so up to 501).
	ListAccounts(ctx context.Context, f AccountFilter) ([]Account, error)

	// PostEntries posts each request on its own, in order: each one either
	// fully posts or changes nothing, and the result at index i says which
	// (a store may use one transaction for the batch, but a failed request
	// must not undo the others). An entry that fails Entry.Validate() is
	// refused with that error (ErrInvalidInput) before anything else.
	// The returned error is for the batch as a whole (ctx, connection);
	// when it is not nil the results are nil and which requests posted is
	// unknown (a retry with the same keys is safe).
	//
	// For each request, atomically:
	//  1. If Entry.IdempotencyKey is set and was used before: the result is
	//     the entry posted then, with Replayed = true, when Fingerprint
	//     matches, or ErrIdempotencyConflict when it does not.
	//  2. If Entry.Reverses is set and that entry was reversed already:
	//     ErrAlreadyReversed. (The Service checked that it exists.) If
	//     Entry.ExternalRef is set and another entry has it (an earlier
	//     one, or one before it in the batch): RefTaken("entry", ref,
	//     that entry's ID).
	//  3. Every account of Entry.Movements() must exist: ErrNotFound.
	//  4. Lock the accounts in Movements() order (and the hold named by
	//     Entry.HoldID, if any: ErrNotFound when missing), then call Apply;
	//     its error is the result (ErrHoldNotActive, ErrInvalidInput for a
	//     capture above its hold, ErrCurrencyMismatch, ErrAccountClosed,
	//     ErrAccountFrozen, ErrAccountDormant, ErrInsufficientFunds).
	//  5. Store the entry, its postings, the new balances (only those of
	//     checked accounts need a locked running balance), the captured
	//     hold, the idempotency key with Fingerprint, the external
	//     reference, and the entry's event in the outbox (Events).
	PostEntries(ctx context.Context, reqs []PostRequest) ([]PostResult, error)

	// Entry returns the entry with ReversedBy filled in.
	// Errors: ErrNotFound.
	Entry(ctx context.Context, id ID) (Entry, error)

	// PlaceHold stores a new active hold after AdmitHold accepts it against
	// the locked account. A hold that fails h.Validate() is refused with
	// that error. If
	// h.IdempotencyKey was used before it returns that hold with
	// replayed == true when fp matches, ErrIdempotencyConflict otherwise.
	// Errors: ErrNotFound (account), and those of AdmitHold
	// (ErrCurrencyMismatch, ErrAccountClosed, ErrAccountFrozen,
	// ErrAccountDormant, ErrInsufficientFunds).
	PlaceHold(ctx context.Context, h Hold, fp Fingerprint) (hold Hold, replayed bool, err error)

	// ReleaseHold applies Hold.Release(at) to the hold atomically and
	// returns the result (the account's Held drops by the amount).
	// Errors: ErrNotFound, ErrHoldNotActive.
	ReleaseHold(ctx context.Context, id ID, at time.Time) (Hold, error)

	// ExpireHolds applies Hold.Expire(asOf) to every active hold and returns
	// the holds it expired, in ascending ID order.
	ExpireHolds(ctx context.Context, asOf time.Time) ([]Hold, error)

	// Hold returns the hold.
	// Errors: ErrNotFound.
	Hold(ctx context.Context, id ID) (Hold, error)

	// Holds returns the account's holds, active ones only if activeOnly, in
	// ascending ID order.
	// Errors: ErrNotFound (account).
	Holds(ctx context.Context, accountID ID, activeOnly bool) ([]Hold, error)

	// BalanceAsOf returns the account's balance (normal-side terms) counting
	// every entry with a value date on or before date.
	// Errors: ErrNotFound.
	BalanceAsOf(ctx context.Context, accountID ID, date calendar.Date) (money.Money, error)

	// StatementLines returns the account's opening balance — every entry
	// with a value date before from — and one line per entry that touched
	// the account with a value date in [from, to], ordered by value date
	// then entry ID, both read at one consistent moment (an entry posted
	// meanwhile is in both or in neither). Each line's Amount is the
	// entry's net change to the balance in normal-side terms; BalanceAfter
	// is left for the Service to fill.
	// Errors: ErrNotFound.
	StatementLines(ctx context.Context, accountID ID, from, to calendar.Date) (opening money.Money, lines []StatementLine, err error)

	// History returns one page of the account's statement lines, newest
	// first (see HistoryQuery), each with Amount as in Postings and
	// BalanceAfter: the balance after the line, counting every entry of the
	// account in (value date, entry ID) order, whatever the range. The page
	// and its balances are read at one consistent moment, and the work done
	// grows with the lines newer than the page, not with the account's
	// whole history, so the recent pages of a busy account stay cheap.
	// Errors: ErrNotFound (account); a *fault.FieldError on "before" when
	// Before is not an entry that touched the account.
	History(ctx context.Context, q HistoryQuery) ([]StatementLine, error)

	// AccountBalances returns every account in the currency with its
	// Balance, all read at one consistent moment (no entry half-counted),
	// in ascending ID order. The trial balance is computed from it.
	AccountBalances(ctx context.Context, c money.Currency) ([]Account, error)

	// Events is the outbox PostEntries writes to, with Source EventSource:
	// one event per posted entry, atomically with it, each
	// EntryPostedEvent(entry as posted), numbered in the order the entries
	// become visible. The backends use internal/memoutbox and
	// internal/pgoutbox, keeping only a marker per entry and rendering the
	// event when it is read.
	Events() event.Log
}

// PostRequest is one entry for Store.PostEntries.
type PostRequest struct {
	Entry Entry
	// Fingerprint identifies the request behind Entry.IdempotencyKey.
	Fingerprint Fingerprint
}

// PostResult is the outcome of one PostRequest: the posted (or, on a
// replay, the first) entry, or the error that refused it.
type PostResult struct {
	Entry    Entry
	Replayed bool
	Err      error
}
