package customer

import (
	"context"
	"crypto/hmac"
	"crypto/subtle"
	"errors"
	"fmt"
	"slices"
	"time"
)

// Key checks make a wrong keyring fail once, at start, instead of request
// by request: without them a different key under a known id answers every
// read with ErrCorrupt, and a different index key finds nothing and lets a
// national id be registered twice.
//
// The store keeps one record per key that has sealed data: a fixed label
// sealed under the key, and for the index key the label's HMAC. A record
// is written when its key is first used, so every key the data needs has
// one; data written before key checks gets its records once a value
// sealed under each key id has opened.

// KeyCheck is the record that lets a key be recognised: Value is a fixed
// label sealed under the key (KeyID IndexKeyCheckID: the label's blind
// index under the index key).
type KeyCheck struct {
	KeyID     string
	Value     []byte
	CreatedAt time.Time
}

// IndexKeyCheckID is the KeyID of the index key's record; no key of a
// keyring can have it.
const IndexKeyCheckID = "index"

// KeySample is one value sealed under a key, with the reference it is
// bound to: what a key without a record is checked against.
type KeySample struct {
	KeyID  string
	Ref    SealRef
	Sealed []byte
}

const (
	keyCheckLabel = "bankkit customer key check v1"
	keyCheckKind  = "key_check" // the blind-index kind of the index key's record
)

func keyCheckAAD(keyID string) []byte { return []byte("key-check/" + keyID) }

// fixedKey answers every key id with key: it opens a value with one
// candidate key.
func fixedKey(key []byte) func(string) ([]byte, error) {
	return func(string) ([]byte, error) { return key, nil }
}

// keyState is what the store knows about keys.
type keyState struct {
	checks  map[string]KeyCheck
	samples map[string]KeySample
	first   []Record // the first customer, if any: the index key's sample
}

func (s *Service) keyState(ctx context.Context) (keyState, error) {
	st := keyState{checks: map[string]KeyCheck{}, samples: map[string]KeySample{}}
	checks, err := s.store.KeyChecks(ctx)
	if err != nil {
		return st, err
	}
	for _, c := range checks {
		st.checks[c.KeyID] = c
	}
	samples, err := s.store.KeySamples(ctx)
	if err != nil {
		return st, err
	}
	for _, sm := range samples {
		st.samples[sm.KeyID] = sm
	}
	st.first, err = s.store.ListCustomers(ctx, ListFilter{Page: Page{Limit: 1}})
	return st, err
}

// verifyKey checks the key with that id against its record, or, without
// one, against a value sealed under it. It returns the record to add when
// there is none.
func (s *Service) verifyKey(st keyState, id string, key []byte) (*KeyCheck, error) {
	if rec, ok := st.checks[id]; ok {
		if _, err := openWith(fixedKey(key), keyCheckAAD(id), rec.Value); err != nil {
			return nil, fmt.Errorf("%w: key %q is not the key first used under that id (on %s)",
				ErrKeyMismatch, id, rec.CreatedAt.Format(time.DateOnly))
		}
		return nil, nil
	}
	if sm, ok := st.samples[id]; ok {
		if _, err := openWith(fixedKey(key), sm.Ref.aad(), sm.Sealed); err != nil {
			return nil, fmt.Errorf("%w: key %q does not open the data sealed under that id", ErrKeyMismatch, id)
		}
	}
	value, err := seal(id, key, keyCheckAAD(id), []byte(keyCheckLabel))
	if err != nil {
		return nil, err
	}
	return &KeyCheck{KeyID: id, Value: value, CreatedAt: s.now()}, nil
}

// verifyIndex checks the index key against its record, or, without one,
// against the national-id index of the first customer.
func (s *Service) verifyIndex(st keyState) (*KeyCheck, error) {
	mac, err := blindIndex(s.keys, keyCheckKind, keyCheckLabel)
	if err != nil {
		return nil, err
	}
	mismatch := fmt.Errorf("%w: the index key is not the one the blind indexes were computed with", ErrKeyMismatch)
	if rec, ok := st.checks[IndexKeyCheckID]; ok {
		if !hmac.Equal(mac, rec.Value) {
			return nil, mismatch
		}
		return nil, nil
	}
	if len(st.first) > 0 {
		r := st.first[0]
		c, err := s.fromRecord(r, FieldNationalID)
		if err != nil {
			return nil, fmt.Errorf("the index key cannot be checked without the key of customer %s: %w", r.ID, err)
		}
		idx, err := blindIndex(s.keys, "national_id", c.NationalID.indexKey())
		if err != nil {
			return nil, err
		}
		if !hmac.Equal(idx, r.NationalIDIndex) {
			return nil, mismatch
		}
	}
	return &KeyCheck{KeyID: IndexKeyCheckID, Value: mac, CreatedAt: s.now()}, nil
}

// CheckKeys verifies that the keyring opens what the store holds and
// refuses it otherwise, naming every key that is missing (ErrUnknownKey)
// or different (ErrKeyMismatch): each key id that seals a customer or a
// document must be in the keyring, each key with a record must match it,
// and the index key must match the blind indexes. A key with a record but
// no data (retired after rotation) may be absent. The primary key, and
// keys of data written before key checks, get their records here — only
// when every check passed. Call it at start: a wrong keyring then stops
// the process, before any request reads or writes under it.
func (s *Service) CheckKeys(ctx context.Context) error {
	st, err := s.keyState(ctx)
	if err != nil {
		return err
	}
	primary, _ := s.keys.Primary()
	ids := []string{primary}
	for id := range st.samples {
		ids = append(ids, id)
	}
	for id := range st.checks {
		if id != IndexKeyCheckID {
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	var problems []error
	var adds []KeyCheck
	keys := map[string][]byte{}
	for _, id := range slices.Compact(ids) {
		key, err := s.keys.Key(id)
		if err != nil {
			if _, used := st.samples[id]; used || id == primary {
				problems = append(problems, fmt.Errorf("%w: key %q seals stored customer data but is not in the keyring", ErrUnknownKey, id))
			}
			continue
		}
		add, err := s.verifyKey(st, id, key)
		if err != nil {
			problems = append(problems, err)
			continue
		}
		keys[id] = key
		if add != nil {
			adds = append(adds, *add)
		}
	}
	add, err := s.verifyIndex(st)
	if err != nil {
		problems = append(problems, err)
	} else if add != nil {
		adds = append(adds, *add)
	}
	if len(problems) > 0 {
		return errors.Join(problems...)
	}
	for _, c := range adds {
		if err := s.addKeyCheck(ctx, c, keys[c.KeyID]); err != nil {
			return err
		}
	}
	for id, key := range keys {
		s.confirm(id, key)
	}
	s.confirm(IndexKeyCheckID, s.keys.IndexKey())
	return nil
}

// addKeyCheck stores c; if another process recorded the key first, the
// key (nil: the index key) must match that record instead.
func (s *Service) addKeyCheck(ctx context.Context, c KeyCheck, key []byte) error {
	stored, err := s.store.AddKeyCheck(ctx, c)
	if err != nil || hmac.Equal(stored.Value, c.Value) {
		return err
	}
	st := keyState{checks: map[string]KeyCheck{stored.KeyID: stored}}
	if c.KeyID == IndexKeyCheckID {
		_, err = s.verifyIndex(st)
	} else {
		_, err = s.verifyKey(st, c.KeyID, key)
	}
	return err
}

// confirm remembers that key is the one the store knows under id.
func (s *Service) confirm(id string, key []byte) { s.confirmed.Store(id, slices.Clone(key)) }

// isConfirmed says whether this process has checked the key under id.
func (s *Service) isConfirmed(id string, key []byte) bool {
	known, ok := s.confirmed.Load(id)
	return ok && subtle.ConstantTimeCompare(known.([]byte), key) == 1
}

// confirmIndex makes sure the index key is the one the blind indexes were
// computed with before a lookup or a write relies on it.
func (s *Service) confirmIndex(ctx context.Context) error {
	key := s.keys.IndexKey()
	if s.isConfirmed(IndexKeyCheckID, key) {
		return nil
	}
	st, err := s.keyState(ctx)
	if err != nil {
		return err
	}
	add, err := s.verifyIndex(st)
	if err == nil && add != nil {
		err = s.addKeyCheck(ctx, *add, nil)
	}
	if err != nil {
		return err
	}
	s.confirm(IndexKeyCheckID, key)
	return nil
}

// sealingKey returns the primary key, once it and the index key are
// confirmed to be those the store knows: nothing is ever sealed or indexed
// under a wrong key, even without CheckKeys.
func (s *Service) sealingKey(ctx context.Context) (string, []byte, error) {
	id, key := s.keys.Primary()
	if err := s.confirmIndex(ctx); err != nil {
		return "", nil, err
	}
	if s.isConfirmed(id, key) {
		return id, key, nil
	}
	st, err := s.keyState(ctx)
	if err != nil {
		return "", nil, err
	}
	add, err := s.verifyKey(st, id, key)
	if err == nil && add != nil {
		err = s.addKeyCheck(ctx, *add, key)
	}
	if err != nil {
		return "", nil, err
	}
	s.confirm(id, key)
	return id, key, nil
}
