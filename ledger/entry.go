package ledger

import (
	"fmt"
	"slices"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/text"
	"github.com/shopspring/decimal"
)

// EntryKind says which operation posted an entry.
type EntryKind string

// Entry kinds.
const (
	KindDeposit    EntryKind = "deposit"    // cash in: debit vault cash, credit the account
	KindWithdrawal EntryKind = "withdrawal" // cash out: debit the account, credit vault cash
	KindTransfer   EntryKind = "transfer"   // between two accounts of one currency
	KindCapture    EntryKind = "capture"    // a captured hold
	KindReversal   EntryKind = "reversal"   // the mirror of an earlier entry
	KindJournal    EntryKind = "journal"    // any balanced entry from another subsystem
)

// Valid reports whether k is one of the kinds above.
func (k EntryKind) Valid() bool {
	switch k {
	case KindDeposit, KindWithdrawal, KindTransfer, KindCapture, KindReversal, KindJournal:
		return true
	}
	return false
}

// Posting is one line of an entry: a positive amount on one side of one
// account.
type Posting struct {
	AccountID ID
	Side      Side
	Amount    money.Money
}

// Entry is a journal entry: immutable, two or more postings whose debits
// equal their credits in every currency. Entries are never updated or
// deleted; a mistake is corrected by a reversal.
type Entry struct {
	ID   ID
	Kind EntryKind
	// IdempotencyKey is the scoped key ("transfer/<caller's key>"), empty
	// when the caller gave none.
	IdempotencyKey string
	Postings       []Posting
	// ValueDate is the business date the entry counts for; BookedAt the
	// moment it was recorded.
	ValueDate   calendar.Date
	BookedAt    time.Time
	Description string
	Metadata    map[string]string
	// Reverses is the entry this one reverses (KindReversal only).
	Reverses ID
	// HoldID is the hold this entry captured (KindCapture only).
	HoldID ID
	// ExternalRef is the posting client's own reference for the entry, if
	// any: unique per client among entries (ErrExternalRefTaken), found
	// again with EntryByRef, and carried by the entry's event.
	ExternalRef ExternalRef
	// ReversedBy is the reversal of this entry, if any. Stores fill it in on
	// reads; it is not part of the entry as posted.
	ReversedBy ID
}

// Limits on free-form fields, so a store can rely on them.
const (
	MaxDescriptionLength = 500
	MaxMetadataEntries   = 32
	MaxMetadataLength    = 500 // per key and per value
	MaxIdempotencyKey    = 255
	MaxPostings          = 100
)

// Validate checks the entry's shape: fields present, amounts positive, in
// their currency's minor unit and at most money.Capacity (but for a
// reversal's), debits equal to credits per currency. It does not look at
// accounts; Apply does.
func (e Entry) Validate() error {
	switch {
	case e.ID == NilID:
		return invalid("id", "is required")
	case !e.Kind.Valid():
		return invalid("kind", fmt.Sprintf("unknown kind %q", e.Kind))
	case e.ValueDate.IsZero() || !e.ValueDate.Valid():
		return invalid("value_date", "is required")
	case e.BookedAt.IsZero():
		return invalid("booked_at", "is required")
	case len(e.Postings) < 2:
		return invalid("postings", "an entry needs at least two postings")
	case len(e.Postings) > MaxPostings:
		return invalid("postings", fmt.Sprintf("at most %d postings", MaxPostings))
	case (e.Kind == KindReversal) != (e.Reverses != NilID):
		return invalid("reverses", "is set exactly on reversals")
	case (e.Kind == KindCapture) != (e.HoldID != NilID):
		return invalid("hold_id", "is set exactly on captures")
	}
	if err := validateText(e.Description, e.Metadata, e.IdempotencyKey); err != nil {
		return err
	}
	if err := e.ExternalRef.Validate("external_ref"); err != nil {
		return err
	}
	var buf [2]currencyTotal
	totals := buf[:0]
	for i, p := range e.Postings {
		field := func(name string) string { return fmt.Sprintf("postings[%d].%s", i, name) }
		switch {
		case p.AccountID == NilID:
			return invalid(field("account_id"), "is required")
		case !p.Side.Valid():
			return invalid(field("side"), fmt.Sprintf("must be debit or credit, not %q", p.Side))
		case !amountValid(p.Amount):
			return invalid(field("amount"), "has no valid currency or too many decimal places")
		case !p.Amount.IsPositive():
			return invalid(field("amount"), "must be positive")
		case e.Kind != KindReversal && exceeds(p.Amount.Amount, money.Capacity(p.Amount.Currency)):
			// A reversal mirrors an entry booked already, whatever its size,
			// so one booked before the bound existed can be corrected.
			return invalid(field("amount"), fmt.Sprintf("exceeds the largest amount the books carry, %s", money.Capacity(p.Amount.Currency)))
		}
		totals = addTotal(totals, p)
	}
	for _, t := range totals {
		if !t.debits.Equal(t.credits) {
			return invalidAs(ErrUnbalanced, "postings",
				fmt.Sprintf("%s debits %s != credits %s", t.currency, t.debits, t.credits))
		}
	}
	return nil
}

type currencyTotal struct {
	currency        money.Currency
	debits, credits decimal.Decimal
}

func addTotal(totals []currencyTotal, p Posting) []currencyTotal {
	i := slices.IndexFunc(totals, func(t currencyTotal) bool { return t.currency == p.Amount.Currency })
	if i < 0 {
		totals = append(totals, currencyTotal{currency: p.Amount.Currency})
		i = len(totals) - 1
	}
	if p.Side == Debit {
		totals[i].debits = addDec(totals[i].debits, p.Amount.Amount)
	} else {
		totals[i].credits = addDec(totals[i].credits, p.Amount.Amount)
	}
	return totals
}

func validateText(description string, metadata map[string]string, key string) error {
	if len(description) > MaxDescriptionLength {
		return invalid("description", fmt.Sprintf("is longer than %d bytes", MaxDescriptionLength))
	}
	if err := text.Line(ErrInvalidInput, "description", description); err != nil {
		return err
	}
	if len(metadata) > MaxMetadataEntries {
		return invalid("metadata", fmt.Sprintf("has more than %d entries", MaxMetadataEntries))
	}
	for k, v := range metadata {
		if k == "" || len(k) > MaxMetadataLength || len(v) > MaxMetadataLength {
			return invalid("metadata", fmt.Sprintf("keys must be 1 to %d bytes and values at most %d", MaxMetadataLength, MaxMetadataLength))
		}
		if err := text.Line(ErrInvalidInput, "metadata", k); err != nil {
			return err
		}
		if err := text.Line(ErrInvalidInput, "metadata."+k, v); err != nil {
			return err
		}
	}
	if len(key) > MaxIdempotencyKey+32 {
		return invalid("idempotency_key", "is too long")
	}
	return nil
}

// Movement is what an entry does to one account: the sum of its debits and
// credits there.
type Movement struct {
	AccountID ID
	Currency  money.Currency
	Debits    decimal.Decimal
	Credits   decimal.Decimal
}

// Change returns the movement's effect on a balance kept on the normal
// side: credits minus debits for a credit-normal account.
func (m Movement) Change(normal Side) decimal.Decimal {
	up, down := m.Credits, m.Debits
	if normal == Debit {
		up, down = down, up
	}
	if down.IsZero() {
		return up
	}
	if up.IsZero() {
		return down.Neg()
	}
	return up.Sub(down)
}

// ApplyTo returns balance, kept on the normal side, after the movement.
func (m Movement) ApplyTo(balance decimal.Decimal, normal Side) decimal.Decimal {
	up, down := m.Credits, m.Debits
	if normal == Debit {
		up, down = down, up
	}
	return subDec(addDec(balance, up), down)
}

// decrease returns how much the movement lowers a balance kept on the
// normal side (zero or negative when it does not).
func (m Movement) decrease(normal Side) decimal.Decimal {
	up, down := m.Credits, m.Debits
	if normal == Debit {
		up, down = down, up
	}
	switch {
	case up.IsZero():
		return down
	case down.IsZero():
		return decimal.Zero
	}
	return down.Sub(up)
}

// Movements returns one Movement per account the entry touches, in
// ascending account ID order: the order in which stores lock accounts. An
// account posted in two currencies gets an empty Currency, which Apply
// refuses with ErrCurrencyMismatch.
func (e Entry) Movements() []Movement {
	return e.AppendMovements(make([]Movement, 0, len(e.Postings)))
}

// AppendMovements is Movements appending to dst[:0], so that a store can
// compute them in a buffer of its own instead of a new slice.
func (e Entry) AppendMovements(dst []Movement) []Movement {
	ms := dst[:0]
	for _, p := range e.Postings {
		i, found := slices.BinarySearchFunc(ms, p.AccountID, func(m Movement, id ID) int { return CompareIDs(m.AccountID, id) })
		if !found {
			ms = slices.Insert(ms, i, Movement{AccountID: p.AccountID, Currency: p.Amount.Currency})
		}
		if ms[i].Currency != p.Amount.Currency {
			ms[i].Currency = "" // mixed currencies on one account: Apply refuses it
		}
		if p.Side == Debit {
			ms[i].Debits = addDec(ms[i].Debits, p.Amount.Amount)
		} else {
			ms[i].Credits = addDec(ms[i].Credits, p.Amount.Amount)
		}
	}
	return ms
}

// Amount returns the entry's size: the total of its debits in the currency
// of its first posting.
func (e Entry) Amount() money.Money {
	if len(e.Postings) == 0 {
		return money.Money{}
	}
	total := money.Zero(e.Postings[0].Amount.Currency)
	for _, p := range e.Postings {
		if p.Side == Debit && p.Amount.Currency == total.Currency {
			total.Amount = total.Amount.Add(p.Amount.Amount)
		}
	}
	return total
}

// Mirror returns the postings of a reversal of e: the same amounts on the
// opposite sides.
func (e Entry) Mirror() []Posting {
	ps := make([]Posting, len(e.Postings))
	for i, p := range e.Postings {
		ps[i] = Posting{AccountID: p.AccountID, Side: p.Side.Opposite(), Amount: p.Amount}
	}
	return ps
}
