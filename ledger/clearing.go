package ledger

import (
	"fmt"
	"time"

	"github.com/bankkit/bankkit/fault"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
)

// ClearingStatus is the state of an outbound inter-bank transfer.
type ClearingStatus string

// Clearing statuses.
const (
	ClearingPending  ClearingStatus = "pending_clearing" // debited, waiting for a batch
	ClearingBatched  ClearingStatus = "batched"          // sent in a batch, not yet settled
	ClearingSettled  ClearingStatus = "settled"          // the clearing house settled the batch
	ClearingReturned ClearingStatus = "returned"         // came back; the customer was refunded
)

// Valid reports whether s is one of the statuses above.
func (s ClearingStatus) Valid() bool {
	switch s {
	case ClearingPending, ClearingBatched, ClearingSettled, ClearingReturned:
		return true
	}
	return false
}

// canBecome reports whether the state machine allows s -> next.
func (s ClearingStatus) canBecome(next ClearingStatus) bool {
	switch s {
	case ClearingPending:
		return next == ClearingBatched
	case ClearingBatched:
		return next == ClearingSettled || next == ClearingReturned
	case ClearingSettled:
		return next == ClearingReturned
	}
	return false
}

// ErrClearingState: the transfer or batch is not in a state that allows
// the operation (a return of a transfer never sent, a second settlement).
var ErrClearingState = fault.New(fault.Conflict, "invalid-state-transition", "ledger: clearing state does not allow this")

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

// ClearingTransfer is one outbound inter-bank payment.
type ClearingTransfer struct {
	ID ID
	// EntryID is the entry that debited the customer and credited
	// clearing suspense.
	EntryID           ID
	FromAccountID     ID
	FromAccountNumber string
	// DebtorName is the customer's name as sent (Dbtr/Nm).
	DebtorName string
	To         ExternalAccount
	Amount     money.Money
	// EndToEndID is the payment's reference in every message about it: the
	// ID's 32 hex digits.
	EndToEndID  string
	Description string
	Status      ClearingStatus
	// BatchID is the batch it was sent in, once batched.
	BatchID ID
	// ReturnEntryID is the entry that refunded the customer, once returned;
	// ReturnReason the ISO return reason code and ReturnInfo its text.
	ReturnEntryID ID
	ReturnReason  string
	ReturnInfo    string
	// ReturnedFromSettlement says the refund was taken from the settlement
	// account (the transfer had settled) rather than clearing suspense.
	ReturnedFromSettlement bool
	CreatedAt              time.Time
	UpdatedAt              time.Time
	// IdempotencyKey is the scoped key of the request that made it.
	IdempotencyKey string
}

// EndToEndIDOf returns the end-to-end reference of a transfer with id:
// its 32 hex digits, which fit the standard's 35-character references.
func EndToEndIDOf(id ID) string {
	const hexdigits = "0123456789abcdef"
	b := make([]byte, 32)
	for i, c := range id {
		b[2*i], b[2*i+1] = hexdigits[c>>4], hexdigits[c&15]
	}
	return string(b)
}

// ClearingBatch is a set of outbound transfers of one currency sent to the
// clearing house as one pacs.008.
type ClearingBatch struct {
	ID ID
	// MessageID is the pacs.008 MsgId: "B" and the ID's hex digits.
	MessageID   string
	Currency    money.Currency
	TransferIDs []ID // ascending
	Total       money.Money
	// SettlementDate is the interbank settlement date the message asks for.
	SettlementDate calendar.Date
	CreatedAt      time.Time
	// Settled is set when the clearing house confirmed the batch;
	// SettledTotal is what moved from suspense to settlement (the total
	// less transfers returned before settlement) and SettlementEntryID the
	// entry that moved it (nil while the posting is outstanding or when
	// nothing was left to move).
	Settled           bool
	SettledAt         time.Time
	SettledTotal      money.Money
	SettlementEntryID ID
	// Message is the pacs.008 XML. Stores need not keep it: the Clearing
	// writes it again, byte for byte, from the fields above.
	Message []byte
}

// TransferOutRequest asks for an outbound inter-bank transfer.
type TransferOutRequest struct {
	FromAccountID ID
	To            ExternalAccount
	Amount        money.Money
	// DebtorName is the customer's name as the beneficiary will see it;
	// empty: the account number.
	DebtorName     string
	Description    string // at most 140 characters; sent as remittance info
	IdempotencyKey string
}

// MaxClearingKey is the longest idempotency key the clearing operations
// take: room is left for the scope prefixes they add.
const MaxClearingKey = 200

func clearingKey(key string) error {
	if len(key) > MaxClearingKey {
		return invalid("idempotency_key", fmt.Sprintf("is longer than %d characters", MaxClearingKey))
	}
	_, err := scopedKey("clearing", key)
	return err
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
func (t ClearingTransfer) normalized() ClearingTransfer {
	t.Amount = inMinorUnits(t.Amount)
	return t
}

// normalized is the batch with its totals in minor units.
func (b ClearingBatch) normalized() ClearingBatch {
	b.Total = inMinorUnits(money.Money{Amount: b.Total.Amount, Currency: b.Currency})
	if b.Settled {
		b.SettledTotal = inMinorUnits(money.Money{Amount: b.SettledTotal.Amount, Currency: b.Currency})
	}
	return b
}
