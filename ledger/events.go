package ledger

import (
	"slices"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/money"
)

// EventSource is the Source of the ledger's events.
const EventSource = "ledger"

// The ledger publishes one event per posted entry, in posting order. Risk
// watches transfers with it, analytics books it, and every consumer keys
// on the envelope's ID, which is the entry's ID.
const (
	EventEntryPosted = "ledger.entry_posted" // payload EntryPosted

	EventVersion = 1 // of EntryPosted
)

// EntryPosted is the payload of EventEntryPosted: the entry as posted.
// The description, metadata and idempotency key are left out: callers
// write free text and their own references into them, which may be
// personal data, and every consumer keeps a copy. In JSON:
//
//	{"entry_id": "…", "kind": "transfer", "value_date": "2026-03-02",
//	 "booked_at": "2026-03-02T09:30:00.123456Z",
//	 "postings": [{"account_id": "…", "side": "debit", "amount": {"value": "3.00", "currency": "CNY"}},
//	              {"account_id": "…", "side": "credit", "amount": {"value": "3.00", "currency": "CNY"}}]}
//
// "reverses" (reversals) and "hold_id" (captures) appear only when set,
// and so does "external_ref", the posting client's own reference for the
// entry: {"client": "staff/…", "ref": "order-7"} (a client's reference
// is its own identifier, not free text about a person; consumers match
// their records by it).
type EntryPosted struct {
	EntryID   ID            `json:"entry_id"`
	Kind      EntryKind     `json:"kind"`
	ValueDate calendar.Date `json:"value_date"`
	// BookedAt is in UTC, to the microsecond, as every store keeps it.
	BookedAt    time.Time      `json:"booked_at"`
	Reverses    ID             `json:"reverses,omitzero"`
	HoldID      ID             `json:"hold_id,omitzero"`
	ExternalRef ExternalRef    `json:"external_ref,omitzero"`
	Postings    []EventPosting `json:"postings"`
}

// EventPosting is one posting of an EntryPosted, in the entry's order.
type EventPosting struct {
	AccountID ID          `json:"account_id"`
	Side      Side        `json:"side"`
	Amount    money.Money `json:"amount"`
}

// EntryPostedEvent returns the event of a posted entry, as a Store's
// outbox hands it out (the outbox sets Source and Sequence): the entry's
// ID as the event's, its booking time as OccurredAt, its value date as
// BusinessDate, its accounts, each once in posting order, as Subjects.
// Stores keep only the entry and render the event when it is read, so
// an event costs the posting path next to nothing. An entry that fails
// Validate has no event (ErrInvalidInput).
func EntryPostedEvent(e Entry) (event.Envelope, error) {
	if err := e.Validate(); err != nil {
		return event.Envelope{}, err
	}
	at := e.BookedAt.UTC().Truncate(time.Microsecond)
	p := EntryPosted{EntryID: e.ID, Kind: e.Kind, ValueDate: e.ValueDate, BookedAt: at,
		Reverses: e.Reverses, HoldID: e.HoldID, ExternalRef: e.ExternalRef, Postings: make([]EventPosting, len(e.Postings))}
	subjects := make([]ID, 0, len(e.Postings))
	for i, q := range e.Postings {
		p.Postings[i] = EventPosting(q)
		if !slices.Contains(subjects, q.AccountID) {
			subjects = append(subjects, q.AccountID)
		}
	}
	body := p.appendJSON(make([]byte, 0, 192+144*len(p.Postings)))
	return event.Envelope{ID: e.ID, Type: EventEntryPosted, Version: EventVersion, OccurredAt: at,
		BusinessDate: e.ValueDate, Subjects: subjects, Payload: body}, nil
}
