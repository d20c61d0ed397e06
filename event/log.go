package event

import (
	"context"
	"time"
)

// Log is a source's outbox as its storage backend provides it: the events,
// numbered by Sequence, and the durable cursors of their subscribers.
// Events are appended by the backend itself, in the same transaction as
// the change they describe, so appending is not part of Log.
//
// Backends need not write one: internal/memoutbox and internal/pgoutbox
// implement Log for every subsystem, and eventtest.Run proves a Log. The
// Feed is its only caller and passes valid arguments (after >= 0,
// limit >= 1, names it has checked).
type Log interface {
	// Read returns up to limit events with Sequence > after, in Sequence
	// order, with Source and Sequence set. Once an event with Sequence n
	// has been returned, no event with a lower Sequence appears later.
	Read(ctx context.Context, after int64, limit int) ([]Envelope, error)

	// Register creates the cursor name at 0, before every event, unless it
	// exists, when it is left where it is.
	Register(ctx context.Context, name string) error
	// Cursor returns the Sequence of the last event the cursor's
	// subscriber has handled (0: none), or ErrUnknownCursor.
	Cursor(ctx context.Context, name string) (int64, error)
	// Advance moves the cursor to seq; a cursor never moves back, so a
	// lower seq changes nothing. ErrUnknownCursor if it is not registered.
	Advance(ctx context.Context, name string, seq int64) error
	// Remove deletes the cursor, if it exists, so pruning no longer waits
	// for it.
	Remove(ctx context.Context, name string) error

	// Prune deletes up to limit of the oldest events, stopping at the
	// first that some registered cursor has not passed or that occurred
	// at or after before; what remains keeps its Sequence, and later
	// events never reuse a pruned one. It returns how many it deleted.
	Prune(ctx context.Context, before time.Time, limit int) (int, error)
}
