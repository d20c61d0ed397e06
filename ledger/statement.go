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
