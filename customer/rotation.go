package customer

import (
	"context"
	"fmt"
)

// RotateKeys re-seals up to batchSize customers and documents that are not
// under the primary key, and reports how many it rewrote and whether none
// are left. Call it until done; it is resumable at any point because the
// rows still to do are simply those under another key. Old keys must stay
// in the keyring until it reports done.
func (s *Service) RotateKeys(ctx context.Context, batchSize int) (rotated int, done bool, err error) {
	if batchSize < 1 || batchSize > MaxPageLimit {
		return 0, false, invalid("batch_size", "must be 1-%d", MaxPageLimit)
	}
	keyID, key, err := s.sealingKey(ctx)
	if err != nil {
		return 0, false, err
	}
	n, err := s.store.Rekey(ctx, keyID, batchSize, func(ref SealRef, old []byte) ([]byte, error) {
		pt, err := open(s.keys, ref, old)
		if err != nil {
			return nil, err
		}
		return sealWith(keyID, key, ref, pt)
	})
	if err != nil {
		return n, false, err
	}
	return n, n < batchSize, nil
}

// KeyUsage counts the customers and documents sealed under keyID.
func (s *Service) KeyUsage(ctx context.Context, keyID string) (int, error) {
	if !keyIDPattern.MatchString(keyID) {
		return 0, invalid("key_id", "is not a key id")
	}
	return s.store.KeyUsage(ctx, keyID)
}

// RetireKey refuses with ErrKeyInUse while keyID is primary or still
// seals a row; otherwise, if the keyring is a Retirer, it drops the key.
// With another keyring a nil error means the key can be removed from it.
func (s *Service) RetireKey(ctx context.Context, keyID string) error {
	if primary, _ := s.keys.Primary(); primary == keyID {
		return fmt.Errorf("%w: %q is the primary key", ErrKeyInUse, keyID)
	}
	n, err := s.KeyUsage(ctx, keyID)
	if err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("%w: %d rows are still sealed under %q; run RotateKeys first", ErrKeyInUse, n, keyID)
	}
	if r, ok := s.keys.(Retirer); ok {
		return r.Retire(keyID)
	}
	return nil
}
