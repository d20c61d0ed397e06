package ledger

import (
	"crypto/sha256"
	"encoding/binary"
)

// Fingerprint identifies a request's content, so that a replayed
// idempotency key can be told apart from a reused one: SHA-256 over a
// canonical, length-prefixed encoding of the request's fields.
type Fingerprint [32]byte

// fingerprinter builds a Fingerprint field by field. Every field is written
// with its length first, so ("ab","c") and ("a","bc") differ.
type fingerprinter struct {
	buf []byte
}

func newFingerprinter(operation string) *fingerprinter {
	f := &fingerprinter{buf: make([]byte, 0, 256)}
	return f.str(operation)
}

func (f *fingerprinter) str(s string) *fingerprinter {
	f.buf = binary.BigEndian.AppendUint64(f.buf, uint64(len(s)))
	f.buf = append(f.buf, s...)
	return f
}

func (f *fingerprinter) id(id ID) *fingerprinter {
	f.buf = binary.BigEndian.AppendUint64(f.buf, uint64(len(id)))
	f.buf = append(f.buf, id[:]...)
	return f
}

func (f *fingerprinter) sum() Fingerprint { return sha256.Sum256(f.buf) }

// FingerprintOf returns the fingerprint of a request given as its fields
// in a fixed order, the operation's name first. Subsystems that keep
// idempotent records of their own (clearing transfers) fingerprint their
// requests with it; an ID field is passed as string(id[:]).
func FingerprintOf(fields ...string) Fingerprint {
	f := &fingerprinter{buf: make([]byte, 0, 256)}
	for _, s := range fields {
		f.str(s)
	}
	return f.sum()
}
