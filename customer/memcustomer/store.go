// Package memcustomer is an in-memory customer.Store: the fake for tests
// and the default of the reference server. It keeps exactly what the
// PostgreSQL store keeps — sealed personal data and blind indexes, never
// plaintext — behaves the same (errors, ordering, atomicity) and is safe
// for concurrent use. customertest.Run proves it.
package memcustomer

import (
	"bytes"
	"slices"
	"sync"

	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/internal/memoutbox"
)

// Store is an in-memory customer.Store. Call New; the zero value is not
// usable. One lock guards everything, so every method is atomic.
type Store struct {
	mu sync.RWMutex

	customers    map[customer.ID]*customer.Record
	customerIDs  []customer.ID // ascending
	byNationalID map[string]customer.ID
	// byExternalRef finds customers by their creating client's reference.
	byExternalRef map[customer.ExternalRef]customer.ID
	byPhone       map[string]map[customer.ID]bool

	documents   map[customer.ID]*customer.DocumentRecord
	documentIDs []customer.ID // ascending

	links        map[customer.ID][]customer.AccountLink // by account id
	consents     map[customer.ID][]customer.Consent     // oldest first
	interactions map[customer.ID][]customer.Interaction // by id

	complaints   map[customer.ID]*customer.Complaint
	complaintIDs []customer.ID // ascending

	access    []customer.AccessEntry // entry i has Seq i+1
	keyChecks map[string]customer.KeyCheck
	outbox    *memoutbox.Outbox[event.Envelope]
}

var _ customer.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	return &Store{
		customers:     map[customer.ID]*customer.Record{},
		byNationalID:  map[string]customer.ID{},
		byExternalRef: map[customer.ExternalRef]customer.ID{},
		byPhone:       map[string]map[customer.ID]bool{},
		documents:     map[customer.ID]*customer.DocumentRecord{},
		links:         map[customer.ID][]customer.AccountLink{},
		consents:      map[customer.ID][]customer.Consent{},
		interactions:  map[customer.ID][]customer.Interaction{},
		complaints:    map[customer.ID]*customer.Complaint{},
		keyChecks:     map[string]customer.KeyCheck{},
		outbox:        memoutbox.New(customer.EventSource, memoutbox.Stored),
	}
}

// insertSorted adds id to the ascending slice ids.
func insertSorted(ids []customer.ID, id customer.ID) []customer.ID {
	i, _ := slices.BinarySearchFunc(ids, id, compareIDs)
	return slices.Insert(ids, i, id)
}

func compareIDs(a, b customer.ID) int { return bytes.Compare(a[:], b[:]) }

// after returns the position in the ascending ids of the first id after
// the page cursor.
func after(ids []customer.ID, p customer.Page) int {
	if p.After == customer.NilID {
		return 0
	}
	i, found := slices.BinarySearchFunc(ids, p.After, compareIDs)
	if found {
		i++
	}
	return i
}

// validEvents refuses malformed events before anything is changed, as the
// PostgreSQL outbox does by rolling the change back.
func validEvents(es ...event.Envelope) error {
	for _, e := range es {
		if err := e.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// appendEvent adds e to the outbox; callers hold the write lock and have
// made the change e reports.
func (s *Store) appendEvent(e event.Envelope) { s.outbox.Append(e.Clone()) }

// Events implements customer.Store.
func (s *Store) Events() event.Log { return s.outbox }
