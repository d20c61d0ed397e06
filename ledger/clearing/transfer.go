package clearing

import (
	"fmt"
	"time"

	"github.com/bankkit/bankkit/ledger"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
)

// Status is the state of an outbound inter-bank transfer.
type Status string

// Clearing statuses.
const (
	StatusPending  Status = "pending_clearing" // debited, waiting for a batch
	StatusBatched  Status = "batched"          // sent in a batch, not yet settled
	StatusSettled  Status = "settled"          // the clearing house settled the batch
	StatusReturned Status = "returned"         // came back; the customer was refunded
)

// Valid reports whether s is one of the statuses above.
func (s Status) Valid() bool {
	switch s {
	case StatusPending, StatusBatched, StatusSettled, StatusReturned:
		return true
	}
	return false
}

// canBecome reports whether the state machine allows s -> next.
func (s Status) canBecome(next Status) bool {
	switch s {
	case StatusPending:
		return next == StatusBatched
	case StatusBatched:
		return next == StatusSettled || next == StatusReturned
	case StatusSettled:
		return next == StatusReturned
	}
	return false
}

// ExternalAccount is a beneficiary at another bank.
type ExternalAccount struct {
	// BankCode is the beneficiary bank's member id in the clearing system.
	BankCode string
	// AccountNumber is the account at that bank (an IBAN or a local
	// number, at most 34 characters).
	AccountNumber string
	// Name is the beneficiary's name, at most 140 characters.
	Name string
}

// Transfer is one outbound inter-bank payment.
type Transfer struct {
	ID ledger.ID
	// EntryID is the entry that debited the customer and credited
	// clearing suspense.
	EntryID           ledger.ID
	FromAccountID     ledger.ID
	FromAccountNumber string
	// DebtorName is the customer's name as sent (Dbtr/Nm).
	DebtorName string
	To         ExternalAccount
	Amount     money.Money
	// EndToEndID is the payment's reference in every message about it: the
	// ID's 32 hex digits.
	EndToEndID  string
	Description string
	Status      Status
	// BatchID is the batch it was sent in, once batched.
	BatchID ledger.ID
	// ReturnEntryID is the entry that refunded the customer, once returned;
	// ReturnReason the ISO return reason code and ReturnInfo its text.
	ReturnEntryID ledger.ID
	ReturnReason  string
	ReturnInfo    string
	// ReturnedFromSettlement says the refund was taken from the settlement
	// account (the transfer had settled) rather than clearing suspense.
	ReturnedFromSettlement bool
	CreatedAt              time.Time
	UpdatedAt              time.Time
	// IdempotencyKey is the scoped key of the request that made it.
	IdempotencyKey string

	// Channel is the code of the channel it was routed to (empty: the
	// single Network of a bank without channels), Route why, in words for
	// the customer, and SendAfter when it will be sent: a transfer that
	// arrived after the channel's cut-off waits for the next window.
	Channel   string
	Route     string
	Urgent    bool
	SendAfter time.Time
	// Fee is the channel's fee charged with the debit (zero without one);
	// a return or rejection refunds it with the principal, in the return
	// entry.
	Fee money.Money
	// Rejected says the clearing house rejected it (pacs.002) rather than
	// the beneficiary's bank returning it; either way Status is returned.
	Rejected bool
	// ExternalRef is the sending client's own reference for the payment,
	// if any (TransferOutRequest.ExternalRef): its debit entry carries it
	// too, and TransferByRef finds the payment by it.
	ExternalRef ledger.ExternalRef
}

// Progress is a transfer's state as a customer sees it through its
// channel.
type Progress string

// Progress states.
const (
	ProgressQueued   Progress = "queued"   // waiting for its channel's window or batch
	ProgressSent     Progress = "sent"     // with the clearing house
	ProgressSettled  Progress = "settled"  // the money reached the other bank
	ProgressReturned Progress = "returned" // came back; refunded
	ProgressRejected Progress = "rejected" // refused by the clearing house; refunded
)

// Progress returns the transfer's state through its channel and the
// reason shown to the customer.
func (t Transfer) Progress() (Progress, string) {
	switch t.Status {
	case StatusPending:
		why := "waiting to be sent"
		if t.Channel != "" {
			why = "waiting for " + t.Channel
			if !t.SendAfter.IsZero() {
				why += ", to be sent at " + t.SendAfter.UTC().Format(time.RFC3339)
			}
		}
		return ProgressQueued, why
	case StatusBatched:
		return ProgressSent, "sent to " + channelName(t.Channel)
	case StatusSettled:
		return ProgressSettled, "settled by " + channelName(t.Channel)
	case StatusReturned:
		why := t.ReturnReason
		if t.ReturnInfo != "" {
			why += ": " + t.ReturnInfo
		}
		if t.Rejected {
			return ProgressRejected, why
		}
		return ProgressReturned, why
	}
	return "", ""
}

func channelName(code string) string {
	if code == "" {
		return "the clearing house"
	}
	return code
}

// EndToEndIDOf returns the end-to-end reference of a transfer with id:
// its 32 hex digits, which fit the standard's 35-character references.
func EndToEndIDOf(id ledger.ID) string {
	const hexdigits = "0123456789abcdef"
	b := make([]byte, 32)
	for i, c := range id {
		b[2*i], b[2*i+1] = hexdigits[c>>4], hexdigits[c&15]
	}
	return string(b)
}

// Batch is a set of outbound transfers of one currency sent to the
// clearing house as one pacs.008.
type Batch struct {
	ID ledger.ID
	// MessageID is the pacs.008 MsgId: "B" and the ID's hex digits.
	MessageID   string
	Currency    money.Currency
	TransferIDs []ledger.ID // ascending
	Total       money.Money
	// SettlementDate is the interbank settlement date the message asks for.
	SettlementDate calendar.Date
	CreatedAt      time.Time
	// Channel is the code of the channel the batch went to (empty: the
	// single Network).
	Channel string
	// Settled is set when the clearing house confirmed the batch;
	// SettledTotal is what moved from suspense to settlement (the total
	// less transfers returned before settlement) and SettlementEntryID the
	// entry that moved it (nil while the posting is outstanding or when
	// nothing was left to move).
	Settled           bool
	SettledAt         time.Time
	SettledTotal      money.Money
	SettlementEntryID ledger.ID
	// Message is the pacs.008 XML. Stores need not keep it: the Service
	// writes it again, byte for byte, from the fields above.
	Message []byte
}

// TransferOutRequest asks for an outbound inter-bank transfer.
type TransferOutRequest struct {
	FromAccountID ledger.ID
	To            ExternalAccount
	Amount        money.Money
	// DebtorName is the customer's name as the beneficiary will see it;
	// empty: the account number.
	DebtorName  string
	Description string // at most 140 characters; sent as remittance info
	// Urgent asks for the large-value channel whatever the amount.
	Urgent bool
	// ExternalRef is the client's own reference for the payment: unique
	// per client among entries (the customer's debit entry carries it, so
	// a reference taken by any entry of the client is ErrExternalRefTaken
	// and nothing is posted, recorded or routed), found again with
	// TransferByRef and Service.EntryByRef, and in the entry's event.
	ExternalRef    ledger.ExternalRef
	IdempotencyKey string
}

// MaxIdempotencyKey is the longest idempotency key the clearing operations
// take: room is left for the scope prefixes they add.
const MaxIdempotencyKey = 200

func checkKey(key string) error {
	if len(key) > MaxIdempotencyKey {
		return invalid("idempotency_key", fmt.Sprintf("is longer than %d characters", MaxIdempotencyKey))
	}
	return ledger.ValidateIdempotencyKey(key)
}

// inMinorUnits returns m with its amount written to the currency's minor
// unit ("300" CNY as 300.00), so that equal amounts are equal values
// whichever store they come back from. m must fit the minor unit.
func inMinorUnits(m money.Money) money.Money {
	if m.Currency.Valid() {
		m.Amount = m.Amount.Round(int32(m.Currency.MinorUnits()))
	}
	return m
}

// normalized is the transfer with its amount in minor units.
func (t Transfer) normalized() Transfer {
	t.Amount = inMinorUnits(t.Amount)
	if t.Fee.Currency == "" {
		t.Fee = money.Zero(t.Amount.Currency)
	}
	t.Fee = inMinorUnits(t.Fee)
	return t
}

// normalized is the batch with its totals in minor units.
func (b Batch) normalized() Batch {
	b.Total = inMinorUnits(money.Money{Amount: b.Total.Amount, Currency: b.Currency})
	if b.Settled {
		b.SettledTotal = inMinorUnits(money.Money{Amount: b.SettledTotal.Amount, Currency: b.Currency})
	}
	return b
}
