package oprisk

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/bankkit/bankkit/text"
)

// Record is one staff action in the audit trail.
type Record struct {
	Seq       int64     // 1, 2, 3, ... assigned by the Store
	At        time.Time // UTC, microsecond precision
	ActorID   string    // the identity's id
	Actor     string    // its username
	Roles     []string  // its roles at the time
	Action    string    // the permission exercised ("accounts.freeze")
	Method    string    // HTTP method
	Path      string    // HTTP path
	Object    string    // the object acted on: the path's id or the created object's
	Outcome   int       // the HTTP status answered
	RequestID string    // the request id (also in the PII access log's link)
	Address   string    // the client's address
	PII       bool      // the action disclosed personal data in full
	Detail    string    // anything else worth keeping ("held as request ...")
	PrevHash  []byte    // Hash of record Seq-1; GenesisHash for the first
	Hash      []byte    // ChainHash of this record
}

// GenesisHash is the PrevHash of the first record: 32 zero bytes.
var GenesisHash = make([]byte, sha256.Size)

// ChainHash is SHA-256 over a canonical encoding of every field of r but
// Hash, PrevHash included: each field length-prefixed, so no two records
// encode alike. Every backend chains with it.
func ChainHash(r Record) []byte {
	h := sha256.New()
	var n [8]byte
	num := func(v int64) {
		binary.BigEndian.PutUint64(n[:], uint64(v))
		h.Write(n[:])
	}
	str := func(s []byte) {
		num(int64(len(s)))
		h.Write(s)
	}
	str([]byte("bankkit.oprisk.audit.v1"))
	num(r.Seq)
	str([]byte(r.At.UTC().Format(time.RFC3339Nano)))
	str([]byte(r.ActorID))
	str([]byte(r.Actor))
	num(int64(len(r.Roles)))
	for _, role := range r.Roles {
		str([]byte(role))
	}
	str([]byte(r.Action))
	str([]byte(r.Method))
	str([]byte(r.Path))
	str([]byte(r.Object))
	num(int64(r.Outcome))
	str([]byte(r.RequestID))
	str([]byte(r.Address))
	if r.PII {
		num(1)
	} else {
		num(0)
	}
	str([]byte(r.Detail))
	str(r.PrevHash)
	return h.Sum(nil)
}

// Link fills in Seq, PrevHash and Hash of r as the record after prev (the
// zero Record when the trail is empty). Stores call it inside the step
// that appends r, holding the trail's lock.
func Link(prev, r Record) Record {
	r.Seq = prev.Seq + 1
	r.PrevHash = GenesisHash
	if prev.Seq != 0 {
		r.PrevHash = prev.Hash
	}
	r.Hash = ChainHash(r)
	return r
}

// Verification is what walking the chain found.
type Verification struct {
	Checked  int64  // records read
	Head     int64  // the last sequence number the store says it has appended
	HeadHash []byte // and its hash: keep it elsewhere to compare later
	OK       bool   // every link holds and nothing is missing at the end
	BrokenAt int64  // the first record that breaks the chain (0 when OK)
	Reason   string // why it breaks
}

// Verifier walks records in sequence order, one page at a time.
type Verifier struct {
	prev Record
	v    Verification
}

// Next checks the next record; it returns false once the chain is broken
// (further records are not checked).
func (w *Verifier) Next(r Record) bool {
	if w.v.BrokenAt != 0 {
		return false
	}
	w.v.Checked++
	fail := func(reason string) bool {
		w.v.BrokenAt, w.v.Reason = r.Seq, reason
		return false
	}
	wantPrev := GenesisHash
	if w.prev.Seq != 0 {
		wantPrev = w.prev.Hash
	}
	switch {
	case r.Seq != w.prev.Seq+1:
		return fail(fmt.Sprintf("record %d follows record %d: records are missing or out of order", r.Seq, w.prev.Seq))
	case !bytes.Equal(r.PrevHash, wantPrev):
		return fail("its previous hash is not the hash of the record before it")
	case !bytes.Equal(ChainHash(r), r.Hash):
		return fail("its content does not match its hash: the record was altered")
	}
	w.prev = r
	return true
}

// Done finishes the walk against the head the store reports (the last
// sequence number and hash it appended), so a deleted tail is found too.
func (w *Verifier) Done(headSeq int64, headHash []byte) Verification {
	w.v.Head, w.v.HeadHash = headSeq, headHash
	if w.v.BrokenAt != 0 {
		return w.v
	}
	switch {
	case headSeq != w.prev.Seq:
		w.v.BrokenAt, w.v.Reason = w.prev.Seq+1, fmt.Sprintf("the trail ends at record %d but %d were appended", w.prev.Seq, headSeq)
	case headSeq != 0 && !bytes.Equal(headHash, w.prev.Hash):
		w.v.BrokenAt, w.v.Reason = w.prev.Seq, "the last record's hash is not the one appended"
	default:
		w.v.OK = true
	}
	return w.v
}

const maxField = 2000

func (r Record) validate() error {
	for _, f := range []struct{ name, v string }{
		{"actor_id", r.ActorID}, {"actor", r.Actor}, {"action", r.Action}, {"method", r.Method},
		{"path", r.Path}, {"object", r.Object}, {"request_id", r.RequestID}, {"address", r.Address}, {"detail", r.Detail},
	} {
		if err := text.Line(ErrInvalidInput, f.name, f.v); err != nil {
			return err
		}
		if len(f.v) > maxField {
			return invalid(f.name, "at most %d bytes", maxField)
		}
	}
	if r.ActorID == "" {
		return invalid("actor_id", "name who acted")
	}
	for i, role := range r.Roles {
		if err := CheckRoleName(fmt.Sprintf("roles[%d]", i), role); err != nil {
			return err
		}
	}
	if r.Outcome < 100 || r.Outcome > 599 {
		return invalid("outcome", "must be an HTTP status")
	}
	return nil
}

// AuditFilter selects records: after a sequence number, at most Limit, and
// optionally only one actor's or one request's.
type AuditFilter struct {
	After     int64
	Limit     int
	ActorID   string
	RequestID string
}
