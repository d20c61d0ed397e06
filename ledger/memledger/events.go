package memledger

import (
	"fmt"
	"sort"
	"time"

	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/internal/memoutbox"
	"github.com/bankkit/bankkit/ledger"
)

// The outbox keeps nothing per entry event: the n-th entry event is
// journal record n-1, appended under the store's lock with the entry, so
// events appear in posting order and only for entries that were posted.
// An entry's event is rendered from its record when read, the entry as
// posted. The rarer account and hold events (ledger.account_opened, ...)
// are kept whole in objectEvents, by Sequence, appended under the same
// lock in the same critical section as their change; an entry's record is
// then its Sequence less one less the object events before it, so
// postings cost what they did.

// objectEvent is an account or hold event and its Sequence.
type objectEvent struct {
	seq int64
	ev  event.Envelope
}

// newOutbox returns the outbox of s's journal.
func newOutbox(s *Store) *memoutbox.Outbox[struct{}] {
	return memoutbox.New(ledger.EventSource, s.renderEvent)
}

// Events implements ledger.Store.
func (s *Store) Events() event.Log { return s.outbox }

// publish appends an account or hold event; the caller holds s.mu for
// writing, in the critical section of the change, after everything that
// could refuse it.
func (s *Store) publish(ev event.Envelope) {
	seq := s.outbox.Append(struct{}{})
	s.objectEvents = append(s.objectEvents, objectEvent{seq: seq, ev: ev})
}

// now is the time of a change that has none of its own (a status change).
func now() time.Time { return time.Now().UTC() }

// renderEvent returns the event of Sequence seq. The outbox calls it
// without its own lock held, so it may take the store's.
func (s *Store) renderEvent(seq int64, _ struct{}) event.Envelope {
	s.mu.RLock()
	before := 0
	if n := len(s.objectEvents); n > 0 {
		before = sort.Search(n, func(i int) bool { return s.objectEvents[i].seq >= seq })
		if before < n && s.objectEvents[before].seq == seq {
			ev := s.objectEvents[before].ev.Clone()
			s.mu.RUnlock()
			return ev
		}
	}
	e := s.journal.entry(uint32(seq-1-int64(before)), s.accountList)
	if len(s.refOfEntry) > 0 {
		e.ExternalRef = s.refOfEntry[e.ID]
	}
	s.mu.RUnlock()
	ev, err := ledger.EntryPostedEvent(e)
	if err != nil {
		// Every record passed Entry.Validate before it was kept.
		panic(fmt.Sprintf("memledger: journal record %d: %v", seq-1-int64(before), err))
	}
	return ev
}
