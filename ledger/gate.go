package ledger

import "context"

// beforePostKey is the context key of WithBeforePost's function.
type beforePostKey struct{}

// WithBeforePost returns a context under which the Service's posting calls
// (Deposit, Withdraw, Transfer, TransferBatch, Reverse, CaptureHold and
// the other calls that post entries) call wait after every read and check
// of their own and before anything is written. If wait returns an error
// the call posts nothing and returns that error.
//
// It is for a caller that has work of its own to finish before a posting
// may take effect, and would rather the ledger's reads ran meanwhile than
// after: the reference server claims a request's Idempotency-Key this way
// while the ledger reads. wait must be safe to call more than once and
// return the same answer each time. Calls that write without posting
// (holds placed or released, accounts opened) do not call it.
//
// With a Store that implements PostGate the store calls wait itself,
// after its own reads (balances, idempotency keys) and before its write;
// with any other Store the Service calls it right before PostEntries.
func WithBeforePost(ctx context.Context, wait func(context.Context) error) context.Context {
	return context.WithValue(ctx, beforePostKey{}, wait)
}

// PostGate is implemented by a Store whose PostEntries calls WaitBeforePost
// with each caller's context after its reads and before it writes, so that
// the wait overlaps the store's reads too. A store that implements it must
// call WaitBeforePost on every path of PostEntries before writing, and
// return the error it gives as the caller's (nothing of that caller
// posted).
type PostGate interface {
	// GatesPosts marks the store as calling WaitBeforePost itself.
	GatesPosts()
}

// WaitBeforePost runs the function WithBeforePost put in ctx, if any: for
// a Store implementing PostGate, right before it writes a caller's
// entries.
func WaitBeforePost(ctx context.Context) error {
	wait, _ := ctx.Value(beforePostKey{}).(func(context.Context) error)
	if wait == nil {
		return nil
	}
	return wait(ctx)
}

// waitBeforePost is the Service's part: it waits, unless the store does.
func (s *Service) waitBeforePost(ctx context.Context) error {
	if _, ok := s.store.(PostGate); ok {
		return nil
	}
	return WaitBeforePost(ctx)
}
