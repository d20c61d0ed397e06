package ledger

import "context"

// EntryPosted is published for every posted entry. Stores write it to an
// outbox atomically with the entry, numbered by a strictly increasing
// Sequence, and the Service delivers it to subscribers at least once:
// a handler may see an event again after a failure and must be idempotent
// (the entry ID is a natural key).
type EntryPosted struct {
	Sequence int64
	Entry    Entry
}

// EventHandler consumes events. Returning an error stops delivery to this
// subscriber; the event is delivered again on the next round.
type EventHandler func(ctx context.Context, e EntryPosted) error
