package ledger

import "fmt"

// Idempotency keys are chosen by callers (the HTTP Idempotency-Key header,
// or a key derived from the caller's own record such as
// "loan/<id>/disbursement"). The Service scopes each key by operation
// before it reaches the store — "deposit/<key>", "transfer/<key>",
// "hold/<key>" ... — so the same caller key used for a deposit and for a
// hold names two different requests instead of conflicting. Within one
// operation, the same key with the same request returns the first result
// and posts nothing; with a different request it is ErrIdempotencyConflict.
//
// An empty key means the caller wants no idempotency.

// Idempotency scopes, one per operation.
const (
	scopeAccount  = "account"
	scopeChart    = "chart"
	scopeDeposit  = "deposit"
	scopeWithdraw = "withdrawal"
	scopeTransfer = "transfer"
	scopeJournal  = "journal"
	scopeReversal = "reversal"
	scopeHold     = "hold"
	scopeCapture  = "capture"
)

// serviceScopes are the scopes of the Service's own operations, which
// JournalBatch may not borrow.
var serviceScopes = []string{scopeAccount, scopeChart, scopeDeposit, scopeWithdraw, scopeTransfer,
	scopeJournal, scopeReversal, scopeHold, scopeCapture}

// ValidateIdempotencyKey checks a caller's idempotency key: empty (no
// idempotency), or 1 to MaxIdempotencyKey printable ASCII characters. The
// error is a *fault.FieldError on "idempotency_key". Subsystems that keep
// keyed records of their own check their callers' keys with it.
func ValidateIdempotencyKey(key string) error {
	if len(key) > MaxIdempotencyKey {
		return invalid("idempotency_key", fmt.Sprintf("is longer than %d characters", MaxIdempotencyKey))
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x20 || key[i] > 0x7e {
			return invalid("idempotency_key", "must be printable ASCII")
		}
	}
	return nil
}

// scopedKey validates a caller's key and returns it scoped by operation.
func scopedKey(scope, key string) (string, error) {
	if key == "" {
		return "", nil
	}
	if err := ValidateIdempotencyKey(key); err != nil {
		return "", err
	}
	return scope + "/" + key, nil
}
