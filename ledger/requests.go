package ledger

import (
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
)

// OpenAccountRequest asks for a customer account.
type OpenAccountRequest struct {
	OwnerID  string
	Product  Product // demand, time or loan
	Currency money.Currency
	// Policy defaults to NonNegative.
	Policy         BalancePolicy
	IdempotencyKey string
}

func (r OpenAccountRequest) fingerprint() Fingerprint {
	f := newFingerprinter(scopeAccount).str(r.OwnerID).str(string(r.Product)).str(string(r.Currency))
	p := r.Policy.normalized()
	return f.str(string(p.Kind)).str(p.Limit.String()).sum()
}

// DepositRequest is cash paid into an account: debit vault cash, credit the
// account.
type DepositRequest struct {
	AccountID      ID
	Amount         money.Money
	Description    string
	Metadata       map[string]string
	ValueDate      calendar.Date // zero: the business date
	IdempotencyKey string
}

// WithdrawalRequest is cash paid out of an account: debit the account,
// credit vault cash.
type WithdrawalRequest DepositRequest

// TransferRequest moves money between two accounts of the same currency:
// debit From, credit To.
type TransferRequest struct {
	FromAccountID  ID
	ToAccountID    ID
	Amount         money.Money
	Description    string
	Metadata       map[string]string
	ValueDate      calendar.Date // zero: the business date
	IdempotencyKey string
}

// JournalRequest posts any balanced entry: how other subsystems book loan
// disbursements, interest and fees.
type JournalRequest struct {
	Postings       []Posting
	Description    string
	Metadata       map[string]string
	ValueDate      calendar.Date // zero: the business date
	IdempotencyKey string
}

// ReversalRequest reverses a posted entry.
type ReversalRequest struct {
	EntryID        ID
	Description    string // default: "Reversal of <entry id>"
	IdempotencyKey string
}

// HoldRequest reserves part of an account's available balance.
type HoldRequest struct {
	AccountID      ID
	Amount         money.Money
	ExpiresAt      time.Time // zero: never expires
	Description    string
	IdempotencyKey string
}

// CaptureRequest settles a hold: it moves Amount (zero: the whole hold)
// from the held account to ToAccountID and releases the rest.
type CaptureRequest struct {
	HoldID         ID
	ToAccountID    ID
	Amount         money.Money // zero value: the full hold
	Description    string
	Metadata       map[string]string
	IdempotencyKey string
}

// Receipt is the outcome of a posting: the entry, and whether it was posted
// by an earlier request with the same idempotency key (a replay).
type Receipt struct {
	Entry    Entry
	Replayed bool
}

// HoldReceipt is the outcome of PlaceHold.
type HoldReceipt struct {
	Hold     Hold
	Replayed bool
}

// BatchResult is the outcome of one transfer of a batch: a Receipt or the
// error that refused it.
type BatchResult struct {
	Receipt
	Err error
}

// fingerprintMovement covers the fields shared by deposits, withdrawals
// and transfers.
func fingerprintMovement(op string, from, to ID, amount money.Money, desc string, meta map[string]string, vd calendar.Date) Fingerprint {
	f := newFingerprinter(op).id(from).id(to).
		str(amount.Amount.String()).str(string(amount.Currency)).str(desc)
	if !vd.IsZero() {
		f.str(vd.String())
	} else {
		f.str("")
	}
	return fingerprintMetadata(f, meta).sum()
}

func fingerprintMetadata(f *fingerprinter, meta map[string]string) *fingerprinter {
	f.str(strconv.Itoa(len(meta)))
	if len(meta) == 0 {
		return f // without the key sort's allocations
	}
	for _, k := range slices.Sorted(maps.Keys(meta)) {
		f.str(k).str(meta[k])
	}
	return f
}

// ValidateAmount checks that m is an amount a posting may carry: a known
// currency, no more decimal places than its minor unit, and above zero.
// The error is a *fault.FieldError on field (field+".currency" for the
// currency).
func ValidateAmount(field string, m money.Money) error {
	switch {
	case !m.Currency.Valid():
		return invalid(field+".currency", fmt.Sprintf("unknown currency %q", m.Currency))
	case !amountValid(m):
		return invalid(field, fmt.Sprintf("has more than %d decimal places for %s", m.Currency.MinorUnits(), m.Currency))
	case !m.IsPositive():
		return invalid(field, "must be positive")
	}
	return nil
}
