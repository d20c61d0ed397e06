package customer

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"errors"
	"fmt"
)

// A sealed value is laid out as
//
//	version (1 byte, 1) | key id length (1 byte) | key id | nonce (12 bytes) | AES-256-GCM ciphertext and tag
//
// so every ciphertext names the key that opens it. The additional
// authenticated data binds it to its place: "customer/<id>/<field>" (or
// ".../document/<doc id>/number"), so a ciphertext copied to another row or
// field fails to open.
const sealVersion = 1

// SealRef says where a sealed value lives; it is the additional
// authenticated data the value is bound to.
type SealRef struct {
	CustomerID ID
	DocumentID ID // NilID for customer fields
	Field      Field
}

func (r SealRef) aad() []byte {
	if r.DocumentID != NilID {
		return []byte("customer/" + r.CustomerID.String() + "/document/" + r.DocumentID.String() + "/" + string(r.Field))
	}
	return []byte("customer/" + r.CustomerID.String() + "/" + string(r.Field))
}

// SealedKeyID returns the id of the key a sealed value was sealed under.
func SealedKeyID(sealed []byte) (string, error) {
	if len(sealed) < 2 || sealed[0] != sealVersion || len(sealed) < 2+int(sealed[1]) {
		return "", fmt.Errorf("%w: bad header", ErrCorrupt)
	}
	return string(sealed[2 : 2+int(sealed[1])]), nil
}

// sealWith seals plaintext under the key id/key, bound to ref.
func sealWith(id string, key []byte, ref SealRef, plaintext []byte) ([]byte, error) {
	return seal(id, key, ref.aad(), plaintext)
}

func open(keys Keyring, ref SealRef, sealed []byte) ([]byte, error) {
	plain, err := openWith(keys.Key, ref.aad(), sealed)
	if errors.Is(err, errNotAuthentic) {
		id, _ := SealedKeyID(sealed)
		return nil, fmt.Errorf("%w: %s does not open under key %q", ErrCorrupt, ref.Field, id)
	}
	return plain, err
}

// errNotAuthentic: a sealed value's tag does not verify under its key and
// additional data. Callers say which value it was.
var errNotAuthentic = errors.New("customer: does not authenticate")

// seal seals plaintext under the key id/key, bound to aad.
func seal(id string, key, aad, plaintext []byte) ([]byte, error) {
	aead, err := newGCM(key)
	if err != nil {
		return nil, err
	}
	return sealAEAD(id, aead, aad, plaintext)
}

// sealAEAD seals plaintext with the cipher of the key id, bound to aad.
func sealAEAD(id string, aead cipher.AEAD, aad, plaintext []byte) ([]byte, error) {
	if len(id) == 0 || len(id) > 255 {
		return nil, fmt.Errorf("%w: primary key id %q", ErrUnknownKey, id)
	}
	out := make([]byte, 0, 2+len(id)+aead.NonceSize()+len(plaintext)+aead.Overhead())
	out = append(out, sealVersion, byte(len(id)))
	out = append(out, id...)
	nonce := make([]byte, aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return nil, fmt.Errorf("customer: nonce: %w", err)
	}
	out = append(out, nonce...)
	return aead.Seal(out, nonce, plaintext, aad), nil
}

// openWith opens a sealed value with the key keyOf returns for the id it
// names. A value that does not authenticate is errNotAuthentic.
func openWith(keyOf func(id string) ([]byte, error), aad, sealed []byte) ([]byte, error) {
	return openAEAD(func(id string) (cipher.AEAD, error) {
		key, err := keyOf(id)
		if err != nil {
			return nil, err
		}
		return newGCM(key)
	}, aad, sealed)
}

// openAEAD opens a sealed value with the cipher aeadOf returns for the id
// it names. A value that does not authenticate is errNotAuthentic.
func openAEAD(aeadOf func(id string) (cipher.AEAD, error), aad, sealed []byte) ([]byte, error) {
	id, err := SealedKeyID(sealed)
	if err != nil {
		return nil, err
	}
	aead, err := aeadOf(id)
	if err != nil {
		return nil, err
	}
	body := sealed[2+len(id):]
	if len(body) < aead.NonceSize()+aead.Overhead() {
		return nil, fmt.Errorf("%w: too short", ErrCorrupt)
	}
	plain, err := aead.Open(nil, body[:aead.NonceSize()], body[aead.NonceSize():], aad)
	if err != nil {
		return nil, errNotAuthentic
	}
	return plain, nil
}

func newGCM(key []byte) (cipher.AEAD, error) {
	if len(key) != KeySize {
		return nil, fmt.Errorf("%w: key is %d bytes, want %d", ErrUnknownKey, len(key), KeySize)
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	return cipher.NewGCM(block)
}

// blindIndex is the keyed HMAC-SHA-256 of a normalised value, prefixed by
// its kind so a phone and an id never share an index value.
func blindIndex(keys Keyring, kind, normalized string) ([]byte, error) {
	key := keys.IndexKey()
	if len(key) < KeySize {
		return nil, errors.New("customer: the blind-index key must be at least 32 bytes")
	}
	m := hmac.New(sha256.New, key)
	m.Write([]byte(kind))
	m.Write([]byte{0})
	m.Write([]byte(normalized))
	return m.Sum(nil), nil
}
