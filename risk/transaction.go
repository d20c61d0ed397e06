package risk

import (
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/text"
)

// Kind is what a screened transaction does.
type Kind string

// The kinds of transaction.
const (
	KindTransfer   Kind = "transfer"    // between two accounts of the bank
	KindPaymentOut Kind = "payment_out" // to an account at another bank
	KindPaymentIn  Kind = "payment_in"  // from an account at another bank
	KindDeposit    Kind = "deposit"     // cash paid in
	KindWithdrawal Kind = "withdrawal"  // cash paid out
	KindOther      Kind = "other"
	// KindStaff is not a movement of money: a member of staff's action
	// through the bank's systems (a record of oprisk's audit trail), so
	// that rules watch staff behaviour with the same aggregates, alerts
	// and cases. Its amount is zero and Staff says what was done.
	KindStaff Kind = "staff_action"
)

func (k Kind) valid() bool {
	switch k {
	case KindTransfer, KindPaymentOut, KindPaymentIn, KindDeposit, KindWithdrawal, KindOther, KindStaff:
		return true
	}
	return false
}

// CustomerKind is whether a party is a natural person: the large-value
// thresholds differ.
type CustomerKind string

// The kinds of customer.
const (
	Individual    CustomerKind = "individual"
	NonIndividual CustomerKind = "non_individual"
)

// Party is one side of a transaction: the account debited (From) or
// credited (To), and what the caller knows of it.
type Party struct {
	// Account is the account's id or, at another bank, its number; empty
	// for the bank's own cash.
	Account string `json:"account,omitempty"`
	// Customer is the owner's id; empty for the bank's own accounts and
	// for outsiders.
	Customer string `json:"customer,omitempty"`
	// CustomerKind is the owner's kind (default individual).
	CustomerKind CustomerKind `json:"customer_kind,omitempty"`
	// OpenedOn is when the account was opened, if known.
	OpenedOn calendar.Date `json:"opened_on,omitzero"`
	// External: the account is at another bank.
	External bool `json:"external,omitempty"`
	// Country is the ISO 3166 country of an external account ("CN" when
	// empty).
	Country string `json:"country,omitempty"`
}

// Transaction is what is screened or observed: one movement of money from
// one party to another, and its context.
type Transaction struct {
	// ID is the movement's id (the ledger entry's): screening the same id
	// twice returns the first decision.
	ID ID `json:"id"`
	// Kind is what it does.
	Kind Kind `json:"kind"`
	// Amount is positive.
	Amount money.Money `json:"amount"`
	From   Party       `json:"from"`
	To     Party       `json:"to"`
	// Channel is where it was asked for: "branch", "online", "mobile",
	// "api", "batch" (free text, up to 32 characters).
	Channel string `json:"channel,omitempty"`
	// Device identifies the customer's device, if known.
	Device string `json:"device,omitempty"`
	// Cash: money crosses the counter as notes.
	Cash bool `json:"cash,omitempty"`
	// At is when the movement is asked for.
	At time.Time `json:"at"`
	// BusinessDate is the bank's business date of the movement.
	BusinessDate calendar.Date `json:"business_date"`
	// Staff is what a member of staff did (KindStaff only). From is the
	// member of staff: Account and Customer "staff:<identity id>".
	Staff *StaffAction `json:"staff,omitempty"`
}

// StaffAction is a staff action as rules see it (`staff.*`).
type StaffAction struct {
	// Action is the permission exercised ("customers.read").
	Action string `json:"action"`
	// Status is the HTTP status answered.
	Status int `json:"status"`
	// PII: personal data was disclosed in full.
	PII bool `json:"pii,omitempty"`
	// TeamApproval: an approval of a held request whose maker shares a
	// role with the checker.
	TeamApproval bool `json:"team_approval,omitempty"`
}

// Customer is the customer the transaction is about: the payer's, or the
// payee's when the payer is the bank or an outsider.
func (t Transaction) Customer() string {
	if t.From.Customer != "" {
		return t.From.Customer
	}
	return t.To.Customer
}

// CrossBorder: one side is an external account outside China.
func (t Transaction) CrossBorder() bool {
	foreign := func(p Party) bool { return p.External && p.Country != "" && p.Country != "CN" }
	return foreign(t.From) || foreign(t.To)
}

const maxShortText = 64

func shortText(field, s string, max int) error {
	if utf8.RuneCountInString(s) > max {
		return invalid(field, "is longer than %d characters", max)
	}
	return text.Line(ErrInvalidInput, field, s)
}

func (p Party) validate(field string) error {
	if err := shortText(field+".account", p.Account, maxShortText); err != nil {
		return err
	}
	if err := shortText(field+".customer", p.Customer, maxShortText); err != nil {
		return err
	}
	switch p.CustomerKind {
	case "", Individual, NonIndividual:
	default:
		return invalid(field+".customer_kind", "must be individual or non_individual")
	}
	if !p.OpenedOn.IsZero() && !p.OpenedOn.Valid() {
		return invalid(field+".opened_on", "is not a valid date")
	}
	if p.Country != "" && (len(p.Country) != 2 || p.Country[0] < 'A' || p.Country[0] > 'Z' || p.Country[1] < 'A' || p.Country[1] > 'Z') {
		return invalid(field+".country", "must be an ISO 3166 alpha-2 code")
	}
	return nil
}

// Validate checks a transaction before anything is recorded.
func (t Transaction) Validate() error {
	switch {
	case t.ID == NilID:
		return invalid("id", "is required")
	case !t.Kind.valid():
		return invalid("kind", "must be transfer, payment_out, payment_in, deposit, withdrawal, other or staff_action")
	case t.Kind == KindStaff && t.Staff == nil:
		return invalid("staff", "is required for a staff action")
	case t.Kind != KindStaff && t.Staff != nil:
		return invalid("staff", "is only for a staff action")
	case t.Kind == KindStaff && (!t.Amount.Valid() || !t.Amount.Amount.IsZero()):
		return invalid("amount", "must be zero in a known currency for a staff action")
	case t.Kind != KindStaff && (!t.Amount.Valid() || !t.Amount.Amount.IsPositive()):
		return invalid("amount", "must be a positive amount in a known currency")
	case t.Amount.Amount.GreaterThan(money.MaxAmount(t.Amount.Currency).Amount):
		return invalid("amount", "is more than %s", money.MaxAmount(t.Amount.Currency))
	case t.At.IsZero():
		return invalid("at", "is required")
	case !t.BusinessDate.Valid():
		return invalid("business_date", "is required")
	case t.From.Account == "" && t.To.Account == "":
		return invalid("from.account", "one side needs an account")
	}
	if err := t.From.validate("from"); err != nil {
		return err
	}
	if err := t.To.validate("to"); err != nil {
		return err
	}
	if t.Staff != nil {
		if t.Staff.Action == "" {
			return invalid("staff.action", "is required")
		}
		if err := shortText("staff.action", t.Staff.Action, 100); err != nil {
			return err
		}
		if t.Staff.Status < 100 || t.Staff.Status > 599 {
			return invalid("staff.status", "must be an HTTP status (100-599)")
		}
	}
	if err := shortText("channel", t.Channel, 32); err != nil {
		return err
	}
	return shortText("device", t.Device, 128)
}

func (t Transaction) String() string {
	return fmt.Sprintf("%s %s %s %s->%s", t.ID, t.Kind, t.Amount, t.From.Account, t.To.Account)
}

func textLine(field, s string) error { return text.Line(ErrInvalidInput, field, s) }

func textMultiline(field, s string) error { return text.Multiline(ErrInvalidInput, field, s) }
