package ledger

import (
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
)

// StatementLine is one entry's effect on one account.
type StatementLine struct {
	EntryID ID
	Kind    EntryKind
	// Amount is signed in the account's normal-side terms: positive when
	// the entry raised the balance (a deposit into a deposit account).
	Amount money.Money
	// BalanceAfter is the balance after this line, counting lines in
	// statement order.
	BalanceAfter money.Money
	Description  string
	ValueDate    calendar.Date
	BookedAt     time.Time
}

// Statement lists an account's lines over a range of value dates, oldest
// first, between its opening and closing balances.
type Statement struct {
	AccountID ID
	From, To  calendar.Date
	// Opening is the balance at the end of the day before From; Closing the
	// balance at the end of To (the last line's BalanceAfter, or Opening).
	Opening money.Money
	Closing money.Money
	Lines   []StatementLine
}

// HistoryQuery asks for one page of an account's statement lines, newest
// first: lines with value dates from From to To (inclusive), in descending
// order of value date then entry ID, starting after the line of entry
// Before (NilID: with the newest), at most Limit of them.
type HistoryQuery struct {
	AccountID ID
	From, To  calendar.Date
	Before    ID
	Limit     int
}

// MaxHistoryPage is the most lines one History call returns.
const MaxHistoryPage = 1000

// TrialBalance sums every account of one currency: each balance goes in
// the debit column if it stands on the debit side (a positive debit-normal
// or negative credit-normal balance), else in the credit column. Double
// entry makes the two columns equal, so Difference is always zero.
type TrialBalance struct {
	Currency   money.Currency
	Debits     money.Money
	Credits    money.Money
	Difference money.Money
	Accounts   int
}
