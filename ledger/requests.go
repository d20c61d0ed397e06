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
	Policy BalancePolicy
	// Class is the tier of an individual's demand account (empty: none).
	// A class II or III account takes its limits from the Service's
	// ClassRules and may name bound accounts: open demand accounts of the
	// same owner and currency that are not class II or III themselves.
	Class           Class
	BoundAccountIDs []ID
	// ExternalRef is the client's own reference for the account: unique
	// per client (ErrExternalRefTaken), found again with AccountByRef.
	ExternalRef    ExternalRef
	IdempotencyKey string
}

// DepositRequest is cash paid into an account: debit vault cash, credit the
// account.
type DepositRequest struct {
	AccountID   ID
	Amount      money.Money
	Description string
	Metadata    map[string]string
	ValueDate   calendar.Date // zero: the business date
	// ExternalRef is the client's own reference for the entry: unique per
	// client among entries (ErrExternalRefTaken), found again with
	// EntryByRef.
	ExternalRef    ExternalRef
	IdempotencyKey string
}

// WithdrawalRequest is cash paid out of an account: debit the account,
// credit vault cash.
type WithdrawalRequest DepositRequest

// TransferRequest moves money between two accounts of the same currency:
// debit From, credit To.
type TransferRequest struct {
	FromAccountID ID
	ToAccountID   ID
	Amount        money.Money
	Description   string
	Metadata      map[string]string
	ValueDate     calendar.Date // zero: the business date
	// ExternalRef is the client's own reference for the entry, as in
	// DepositRequest.
	ExternalRef    ExternalRef
	IdempotencyKey string
}

// JournalRequest posts any balanced entry: how other subsystems book loan
// disbursements, interest and fees.
type JournalRequest struct {
	Postings    []Posting
	Description string
	Metadata    map[string]string
	ValueDate   calendar.Date // zero: the business date
	// ExternalRef is the client's own reference for the entry, as in
	// DepositRequest: how a subsystem posting for a client (an inter-bank
	// payment) gives the entry the client's reference.
	ExternalRef ExternalRef
	// Payout, if set, names the account at another bank the entry pays
	// and the part of it that goes there (an inter-bank payment: its
	// amount and charges). The entry keeps it in its metadata (MetaPayoutBank
	// and the like) and a class II or III account bound to that account
	// (BindExternal) does not count that part against its outflow limits.
	Payout         *Payout
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
	AccountID   ID
	Amount      money.Money
	ExpiresAt   time.Time // zero: never expires
	Description string
	// ExternalRef is the client's own reference for the hold: unique per
	// client (ErrExternalRefTaken), found again with HoldByRef.
	ExternalRef    ExternalRef
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

// The fingerprints of the requests. Each covers every field of its
// request but the idempotency key (a test changes each field in turn), in a
// fixed order that must not change: stored fingerprints are compared with
// those of requests replayed after an upgrade.

func (r OpenAccountRequest) fingerprint() Fingerprint {
	f := newFingerprinter(scopeAccount).str(r.OwnerID).str(string(r.Product)).str(string(r.Currency))
	p := r.Policy.normalized()
	f.str(string(p.Kind)).str(p.Limit.String())
	if r.Class != ClassNone || len(r.BoundAccountIDs) > 0 {
		// Only then, so the requests from before classes keep their
		// fingerprints.
		f.str(string(r.Class)).str(strconv.Itoa(len(r.BoundAccountIDs)))
		for _, id := range r.BoundAccountIDs {
			f.id(id)
		}
	}
	return r.ExternalRef.fingerprint(f).sum()
}

// movement is the deposit or withdrawal of r between the account and
// vault cash.
func (r DepositRequest) movement(scope string, kind EntryKind, vault ID) movement {
	m := movement{scope: scope, kind: kind, from: vault, to: r.AccountID, amount: r.Amount,
		description: r.Description, metadata: r.Metadata, valueDate: r.ValueDate, ref: r.ExternalRef, key: r.IdempotencyKey}
	if kind == KindWithdrawal {
		m.from, m.to = m.to, m.from
	}
	return m
}

func (r TransferRequest) movement() movement {
	return movement{scope: scopeTransfer, kind: KindTransfer, from: r.FromAccountID, to: r.ToAccountID,
		amount: r.Amount, description: r.Description, metadata: r.Metadata, valueDate: r.ValueDate, ref: r.ExternalRef,
		key: r.IdempotencyKey}
}

// fingerprint covers the fields shared by deposits, withdrawals and
// transfers.
func (m movement) fingerprint() Fingerprint {
	f := newFingerprinter(m.scope).id(m.from).id(m.to).
		str(m.amount.Amount.String()).str(string(m.amount.Currency)).str(m.description)
	if !m.valueDate.IsZero() {
		f.str(m.valueDate.String())
	} else {
		f.str("")
	}
	return m.ref.fingerprint(fingerprintMetadata(f, m.metadata)).sum()
}

func (r JournalRequest) fingerprint() Fingerprint {
	return r.postingsFingerprint(newFingerprinter(scopeJournal).str(r.Description).str(r.ValueDate.String()))
}

// scopedFingerprint is the fingerprint of r posted by PostJournal under
// scope.
func (r JournalRequest) scopedFingerprint(scope string) Fingerprint {
	return r.postingsFingerprint(newFingerprinter(scope).str(r.IdempotencyKey).str(r.ValueDate.String()).str(r.Description))
}

// postingsFingerprint adds r's postings and metadata to the fields f
// holds already.
func (r JournalRequest) postingsFingerprint(f *fingerprinter) Fingerprint {
	for _, p := range r.Postings {
		f.id(p.AccountID).str(string(p.Side)).str(p.Amount.Amount.String()).str(string(p.Amount.Currency))
	}
	f = r.ExternalRef.fingerprint(fingerprintMetadata(f, r.Metadata))
	if r.Payout != nil { // only when set: a request without one keeps its fingerprint
		f = f.str("payout").str(r.Payout.BankCode).str(r.Payout.AccountNumber).
			str(r.Payout.Amount.Amount.String()).str(string(r.Payout.Amount.Currency))
	}
	return f.sum()
}

func (r ReversalRequest) fingerprint() Fingerprint {
	return newFingerprinter(scopeReversal).id(r.EntryID).str(r.Description).sum()
}

func (r HoldRequest) fingerprint() Fingerprint {
	expires := ""
	if !r.ExpiresAt.IsZero() {
		expires = r.ExpiresAt.UTC().Format(time.RFC3339Nano)
	}
	f := newFingerprinter(scopeHold).id(r.AccountID).str(r.Amount.Amount.String()).
		str(string(r.Amount.Currency)).str(expires).str(r.Description)
	return r.ExternalRef.fingerprint(f).sum()
}

func (r CaptureRequest) fingerprint() Fingerprint {
	f := newFingerprinter(scopeCapture).id(r.HoldID).id(r.ToAccountID).
		str(r.Amount.Amount.String()).str(string(r.Amount.Currency)).str(r.Description)
	return fingerprintMetadata(f, r.Metadata).sum()
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

// ValidateAmount checks that m is an amount a request may carry: a known
// currency, no more decimal places than its minor unit, above zero and at
// most money.MaxAmount. Every request the ledger and its packages take
// (deposits, withdrawals, transfers, holds, captures, time deposits,
// clearing payments) checks its amount with it; a subsystem posting a
// journal entry on a request of its own should too. The error is a
// *fault.FieldError on field (field+".currency" for the currency).
func ValidateAmount(field string, m money.Money) error {
	switch {
	case !m.Currency.Valid():
		return invalid(field+".currency", fmt.Sprintf("unknown currency %q", m.Currency))
	case !amountValid(m):
		return invalid(field, fmt.Sprintf("has more than %d decimal places for %s", m.Currency.MinorUnits(), m.Currency))
	case !m.IsPositive():
		return invalid(field, "must be positive")
	case exceeds(m.Amount, money.MaxAmount(m.Currency)):
		return invalid(field, fmt.Sprintf("exceeds the largest amount accepted, %s", money.MaxAmount(m.Currency)))
	}
	return nil
}
