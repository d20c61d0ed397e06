package memledger

import (
	"fmt"

	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/internal/memoutbox"
	"github.com/bankkit/bankkit/ledger"
)

// The outbox keeps nothing per event: journal record i is event i+1,
// appended under the store's lock with the entry, so events appear in
// posting order and only for entries that were posted. An event is
// rendered from its record when read, the entry as posted.

// newOutbox returns the outbox of s's journal.
func newOutbox(s *Store) *memoutbox.Outbox[struct{}] {
	return memoutbox.New(ledger.EventSource, s.renderEvent)
}

// Events implements ledger.Store.
func (s *Store) Events() event.Log { return s.outbox }

// renderEvent returns the event of Sequence seq. The outbox calls it
// without its own lock held, so it may take the store's.
func (s *Store) renderEvent(seq int64, _ struct{}) event.Envelope {
	s.mu.RLock()
	e := s.journal.entry(uint32(seq-1), s.accountList)
	if len(s.refOfEntry) > 0 {
		e.ExternalRef = s.refOfEntry[e.ID]
	}
	s.mu.RUnlock()
	ev, err := ledger.EntryPostedEvent(e)
	if err != nil {
		// Every record passed Entry.Validate before it was kept.
		panic(fmt.Sprintf("memledger: journal record %d: %v", seq-1, err))
	}
	return ev
}
