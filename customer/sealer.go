package customer

import (
	"context"
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"
)

// Sealer seals data outside the customer store that can hold personal
// data — a server's remembered replies, an export — under the keys of the
// Service's keyring, so it is protected, rotated and checked like the
// customer records. Each key is derived for the sealer's purpose
// (HKDF-SHA-256), so a value sealed for one purpose never opens as
// another's or as a customer field. Values have the customer fields'
// layout and name the key id that opens them.
type Sealer struct {
	svc     *Service
	purpose string
}

// Sealer returns a Sealer for purpose, a fixed label such as
// "refserver/idempotency-reply".
func (s *Service) Sealer(purpose string) *Sealer { return &Sealer{svc: s, purpose: purpose} }

// Seal seals plaintext under the primary key, bound to aad. The key is
// confirmed against the store's key-check record first, as for customer
// data.
func (s *Sealer) Seal(ctx context.Context, aad, plaintext []byte) ([]byte, error) {
	id, key, err := s.svc.sealingKey(ctx)
	if err != nil {
		return nil, err
	}
	derived, err := s.derive(key)
	if err != nil {
		return nil, err
	}
	return seal(id, derived, aad, plaintext)
}

// Open opens a value Seal returned with the same aad: ErrUnknownKey when
// the keyring no longer holds its key, ErrCorrupt when it was altered or
// bound to other data.
func (s *Sealer) Open(aad, sealed []byte) ([]byte, error) {
	plain, err := openWith(func(id string) ([]byte, error) {
		key, err := s.svc.keys.Key(id)
		if err != nil {
			return nil, err
		}
		return s.derive(key)
	}, aad, sealed)
	if errors.Is(err, errNotAuthentic) {
		return nil, fmt.Errorf("%w: a value sealed for %s does not open", ErrCorrupt, s.purpose)
	}
	return plain, err
}

func (s *Sealer) derive(key []byte) ([]byte, error) {
	return hkdf.Key(sha256.New, key, nil, "bankkit "+s.purpose, KeySize)
}
