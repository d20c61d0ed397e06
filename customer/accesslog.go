package customer

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"slices"
	"time"
)

// Field names a piece of personal data that Reveal can disclose.
type Field string

// The protected fields. They are stored sealed and shown masked.
const (
	FieldNationalID  Field = "national_id"
	FieldPhones      Field = "phones"
	FieldEmail       Field = "email"
	FieldAddress     Field = "address"
	FieldDateOfBirth Field = "date_of_birth"
	FieldDocuments   Field = "documents" // identity document numbers
)

// AllFields lists every protected field, in canonical order.
var AllFields = []Field{FieldNationalID, FieldPhones, FieldEmail, FieldAddress, FieldDateOfBirth, FieldDocuments}

// customerFields are the fields sealed on the customer row.
var customerFields = []Field{FieldNationalID, FieldPhones, FieldEmail, FieldAddress, FieldDateOfBirth}

// canonicalFields validates fields and returns them deduplicated in
// AllFields order, so the same request always logs the same way.
func canonicalFields(fields []Field) ([]Field, error) {
	if len(fields) == 0 {
		return nil, invalid("fields", "name at least one field to reveal")
	}
	for i, f := range fields {
		if !slices.Contains(AllFields, f) {
			return nil, invalid(fmt.Sprintf("fields[%d]", i), "unknown field %q", f)
		}
	}
	var out []Field
	for _, f := range AllFields {
		if slices.Contains(fields, f) {
			out = append(out, f)
		}
	}
	return out, nil
}

// AccessEntry is one full-PII read in the append-only access log. Entries
// form a hash chain: each stores the hash of the one before, so altering,
// removing or reordering an entry breaks every later link.
type AccessEntry struct {
	Seq        int64     // 1, 2, 3, ... assigned by the Store
	At         time.Time // UTC, microsecond precision
	Actor      string    // who read
	CustomerID ID        // whose data
	Fields     []Field   // what was disclosed, canonical order
	Reason     string    // why
	PrevHash   []byte    // Hash of entry Seq-1; 32 zero bytes for the first
	Hash       []byte    // ChainHash of this entry
}

// GenesisHash is the PrevHash of the first entry.
var GenesisHash = make([]byte, sha256.Size)

// ChainHash returns SHA-256 over a canonical encoding of every field of e
// but Hash, PrevHash included. Stores call it when they append, so every
// backend chains identically.
func ChainHash(e AccessEntry) []byte {
	h := sha256.New()
	var n [8]byte
	put := func(b []byte) {
		binary.BigEndian.PutUint64(n[:], uint64(len(b)))
		h.Write(n[:])
		h.Write(b)
	}
	put([]byte("bankkit.customer.access.v1"))
	binary.BigEndian.PutUint64(n[:], uint64(e.Seq))
	h.Write(n[:])
	put([]byte(e.At.UTC().Format(time.RFC3339Nano)))
	put([]byte(e.Actor))
	put(e.CustomerID[:])
	binary.BigEndian.PutUint64(n[:], uint64(len(e.Fields)))
	h.Write(n[:])
	for _, f := range e.Fields {
		put([]byte(f))
	}
	put([]byte(e.Reason))
	put(e.PrevHash)
	return h.Sum(nil)
}

// Link fills in Seq, PrevHash and Hash of e as the entry after prev (the
// zero AccessEntry when the log is empty). Stores call it inside the
// operation that appends e.
func Link(prev, e AccessEntry) AccessEntry {
	e.Seq = prev.Seq + 1
	e.PrevHash = GenesisHash
	if prev.Seq != 0 {
		e.PrevHash = prev.Hash
	}
	e.Hash = ChainHash(e)
	return e
}
