package customer

import (
	"bytes"
	"context"
	"crypto/cipher"
	"crypto/hkdf"
	"crypto/sha256"
	"errors"
	"fmt"
	"sync"
)

// Sealer seals data outside the customer store that can hold personal
// data — a server's remembered replies, an export — under the keys of the
// Service's keyring, so it is protected, rotated and checked like the
// customer records. Each key is derived for the sealer's purpose
// (HKDF-SHA-256), so a value sealed for one purpose never opens as
// another's or as a customer field. Values have the customer fields'
// layout and name the key id that opens them. Safe for concurrent use.
type Sealer struct {
	svc     *Service
	purpose string
	derived sync.Map // key id -> derivedKey
}

// derivedKey caches a purpose key: deriving it costs more than sealing.
type derivedKey struct {
	from []byte // the keyring's key it was derived from
	aead cipher.AEAD
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
	aead, err := s.aead(id, key)
	if err != nil {
		return nil, err
	}
	return sealAEAD(id, aead, aad, plaintext)
}

// Open opens a value Seal returned with the same aad: ErrUnknownKey when
// the keyring no longer holds its key, ErrCorrupt when it was altered or
// bound to other data.
func (s *Sealer) Open(aad, sealed []byte) ([]byte, error) {
	plain, err := openAEAD(func(id string) (cipher.AEAD, error) {
		key, err := s.svc.keys.Key(id)
		if err != nil {
			return nil, err
		}
		return s.aead(id, key)
	}, aad, sealed)
	if errors.Is(err, errNotAuthentic) {
		return nil, fmt.Errorf("%w: a value sealed for %s does not open", ErrCorrupt, s.purpose)
	}
	return plain, err
}

// aead returns the cipher of the purpose key derived from key.
func (s *Sealer) aead(id string, key []byte) (cipher.AEAD, error) {
	if d, ok := s.derived.Load(id); ok && bytes.Equal(d.(derivedKey).from, key) {
		return d.(derivedKey).aead, nil
	}
	derived, err := hkdf.Key(sha256.New, key, nil, "bankkit "+s.purpose, KeySize)
	if err != nil {
		return nil, err
	}
	aead, err := newGCM(derived)
	if err != nil {
		return nil, err
	}
	s.derived.Store(id, derivedKey{from: key, aead: aead})
	return aead, nil
}
