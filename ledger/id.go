package ledger

import (
	"bytes"
	"fmt"

	"github.com/google/uuid"
)

// ID identifies an account, entry or hold: a UUIDv7 (RFC 9562), whose
// leading 48-bit millisecond timestamp makes later IDs sort later and keeps
// B-tree indexes dense. It is uuid.UUID under a domain name.
//
// The zero ID (NilID) means "none": an entry that reverses nothing.
type ID = uuid.UUID

// NilID is the zero ID.
var NilID = uuid.Nil

// NewID returns a new UUIDv7. Within one process IDs strictly increase.
func NewID() ID {
	// NewV7 fails only if the system's random source does, and since Go
	// 1.24 crypto/rand never returns an error.
	return uuid.Must(uuid.NewV7())
}

// ParseID reads the canonical 36-character form
// "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" (either case) and nothing else.
func ParseID(s string) (ID, error) {
	if len(s) != 36 {
		return NilID, invalid("id", fmt.Sprintf("%q is not a UUID", s))
	}
	id, err := uuid.Parse(s)
	if err != nil {
		return NilID, invalid("id", fmt.Sprintf("%q is not a UUID", s))
	}
	return id, nil
}

// CompareIDs orders IDs bytewise, which for UUIDv7 is creation order. It
// is the order in which stores lock accounts.
func CompareIDs(a, b ID) int { return bytes.Compare(a[:], b[:]) }
