package ledger

import "context"

// beforePostKey is the context key of WithBeforePost's function.
type beforePostKey struct{}

// WithBeforePost returns a context under which the Service's posting calls
// (Deposit, Withdraw, Transfer, TransferBatch, Reverse, CaptureHold and
// the other calls that post entries) call wait after every read and check
// of their own and right before they hand their entries to the store. If
// wait returns an error the call posts nothing and returns that error.
//
// It is for a caller that has work of its own to finish before a posting
// may take effect, and would rather the ledger's reads ran meanwhile than
// after: the reference server claims a request's Idempotency-Key this way
// while the ledger reads the business date. wait must be safe to call more
// than once and return the same answer each time. Calls that write
// without posting (holds placed or released, accounts opened) do not call
// it.
func WithBeforePost(ctx context.Context, wait func(context.Context) error) context.Context {
	return context.WithValue(ctx, beforePostKey{}, wait)
}

// waitBeforePost runs the function WithBeforePost put in ctx, if any.
func waitBeforePost(ctx context.Context) error {
	wait, _ := ctx.Value(beforePostKey{}).(func(context.Context) error)
	if wait == nil {
		return nil
	}
	return wait(ctx)
}
