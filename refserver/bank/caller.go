package bank

import (
	"context"
	"crypto/sha256"
	"encoding/hex"

	"github.com/bankkit/bankkit/channel"
)

type callerKey struct{}

// WithCaller returns ctx acting for p: the bank checks every object it
// hands out against p.
func WithCaller(ctx context.Context, p channel.Principal) context.Context {
	return context.WithValue(ctx, callerKey{}, p)
}

// CallerOf returns who ctx acts for: the zero Principal when nobody was set
// (the bank itself, at start or seeding the demo), which reaches everything.
func CallerOf(ctx context.Context) channel.Principal {
	p, _ := ctx.Value(callerKey{}).(channel.Principal)
	return p
}

// isCustomer reports whether ctx acts for a customer, who reaches only
// their own objects.
func isCustomer(ctx context.Context) bool { return CallerOf(ctx).Kind == channel.KindCustomer }

// owns reports whether ctx's caller may reach an object of ownerID:
// staff reach everything, a customer only what is theirs.
func owns(ctx context.Context, ownerID string) bool {
	return !isCustomer(ctx) || (ownerID != "" && ownerID == CallerOf(ctx).CustomerID)
}

type requestKeyKey struct{}

// WithRequestKey returns ctx carrying the request's idempotency key, scoped
// to its caller. Every step of a workflow derives its own key from it (see
// keyFor), so re-running the request repeats no step.
func WithRequestKey(ctx context.Context, key string) context.Context {
	return context.WithValue(ctx, requestKeyKey{}, key)
}

// keyFor derives the idempotency key of one step (purpose) from the
// request's key: a fixed-length digest, so any client key fits a
// subsystem's bound and no client can choose another caller's key. Without
// a request key it is "": the step is not idempotent, as the request asked.
func keyFor(ctx context.Context, purpose string) string {
	key, _ := ctx.Value(requestKeyKey{}).(string)
	if key == "" {
		return ""
	}
	sum := sha256.Sum256([]byte(purpose + "\x00" + key))
	return hex.EncodeToString(sum[:])
}
