package risk

import (
	"context"
	"fmt"
	"strings"

	"github.com/bankkit/bankkit/fault"
)

// MaxBatch is the most transactions ObserveBatch takes at once.
const MaxBatch = 1000

// ObserveBatch evaluates transactions that have posted already (a page of
// the ledger's events), as Observe would one after the other, and moves
// cursor to position, in one atomic change on the store: a crash keeps
// either all of them and the cursor's move or none. A transaction
// screened or observed before counts nothing again (its verdict is
// Replayed). cursor names the feed and its reader ("ledger"); position is
// the feed's sequence number of the last event the batch covers.
func (s *Service) ObserveBatch(ctx context.Context, cursor string, position int64, ts []Transaction) ([]Verdict, error) {
	if err := checkCursor(cursor); err != nil {
		return nil, err
	}
	if position < 0 {
		return nil, invalid("position", "must not be negative")
	}
	if len(ts) > MaxBatch {
		return nil, invalid("transactions", "at most %d at once", MaxBatch)
	}
	if len(ts) == 0 { // the cursor only: no rule set is needed
		return s.store.ScreenBatch(ctx, Batch{Cursor: cursor, Position: position})
	}
	sets, err := s.liveSets(ctx)
	if err != nil {
		return nil, err
	}
	b := Batch{Cursor: cursor, Position: position, Screenings: make([]Screening, 0, len(ts))}
	for i, t := range ts {
		sc, err := s.prepare(ctx, t, "", ModeObserved, sets)
		if err != nil {
			return nil, fault.Within(fmt.Sprintf("transactions[%d]", i), err)
		}
		b.Screenings = append(b.Screenings, sc)
	}
	return s.store.ScreenBatch(ctx, b)
}

// ObserverCursor returns where an ObserveBatch cursor stands (0 before
// its first batch).
func (s *Service) ObserverCursor(ctx context.Context, name string) (int64, error) {
	if err := checkCursor(name); err != nil {
		return 0, err
	}
	return s.store.Cursor(ctx, name)
}

func checkCursor(name string) error {
	if name == "" || len(name) > 100 || strings.ContainsFunc(name, func(r rune) bool { return r < ' ' || r == 0x7f }) {
		return invalid("cursor", "must be 1 to 100 printable characters")
	}
	return nil
}
