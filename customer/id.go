package customer

import (
	"github.com/google/uuid"
)

// ID identifies a customer, document, consent entry, interaction or
// complaint: a UUIDv7, so later ids sort later and listing by id is listing
// by creation order.
type ID = uuid.UUID

// NilID is the zero ID.
var NilID = uuid.Nil

// NewID returns a new UUIDv7; within one process ids strictly increase.
func NewID() ID {
	// NewV7 fails only if crypto/rand does, which since Go 1.24 it cannot.
	return uuid.Must(uuid.NewV7())
}

// ParseID reads the canonical 36-character form and nothing else.
func ParseID(s string) (ID, error) {
	id, err := uuid.Parse(s)
	if len(s) != 36 || err != nil {
		return NilID, invalid("id", "%q is not a UUID", s)
	}
	return id, nil
}

func checkID(field string, id ID) error {
	if id == NilID {
		return invalid(field, "is required")
	}
	return nil
}
