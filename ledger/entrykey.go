package ledger

import (
	"context"
	"fmt"
)

// KeyedEntries is the capability of a Store to find an entry by the
// idempotency key it was posted under. memledger and pgledger have it; a
// Store without it leaves EntryByIdempotencyKey unsupported.
type KeyedEntries interface {
	// EntryByKey returns the entry posted under the scoped key, as
	// Entry.IdempotencyKey holds it. Errors: ErrNotFound.
	EntryByKey(ctx context.Context, key string) (Entry, error)
}

// EntryByIdempotencyKey returns the entry posted under key, as
// Entry.IdempotencyKey holds it: the caller's key scoped by its operation
// ("transfer/<caller's key>", "journal/<caller's key>", ...). It tells a
// caller that reserved something ahead of a posting whether the posting
// happened (a crash can come between them). Errors: ErrNotFound when
// nothing was posted under it; ErrInvalidInput for an empty or over-long
// key, or a Store without the KeyedEntries capability.
func (s *Service) EntryByIdempotencyKey(ctx context.Context, key string) (Entry, error) {
	if key == "" {
		return Entry{}, invalid("idempotency_key", "is required")
	}
	if len(key) > MaxIdempotencyKey+32 {
		return Entry{}, invalid("idempotency_key", fmt.Sprintf("is longer than %d characters", MaxIdempotencyKey+32))
	}
	ks, ok := s.store.(KeyedEntries)
	if !ok {
		return Entry{}, invalid("store", "cannot find entries by idempotency key")
	}
	return ks.EntryByKey(ctx, key)
}
