package ledger

import (
	"crypto/sha256"
	"encoding/binary"
	"hash"
)

// Fingerprint identifies a request's content, so that a replayed
// idempotency key can be told apart from a reused one: SHA-256 over a
// canonical, length-prefixed encoding of the request's fields.
type Fingerprint [32]byte

// fingerprinter builds a Fingerprint field by field. Every field is written
// with its length first, so ("ab","c") and ("a","bc") differ.
type fingerprinter struct {
	h   hash.Hash
	buf [8]byte
}

func newFingerprinter(operation string) *fingerprinter {
	f := &fingerprinter{h: sha256.New()}
	f.str(operation)
	return f
}

func (f *fingerprinter) str(s string) *fingerprinter {
	binary.BigEndian.PutUint64(f.buf[:], uint64(len(s)))
	f.h.Write(f.buf[:])
	f.h.Write([]byte(s))
	return f
}

func (f *fingerprinter) sum() Fingerprint {
	var fp Fingerprint
	f.h.Sum(fp[:0])
	return fp
}
