package risk

import "github.com/google/uuid"

// ID identifies a rule-set version, decision, alert, case, report or
// indicator: a UUIDv7, so later ids sort later.
type ID = uuid.UUID

// NilID is the zero ID.
var NilID = uuid.Nil

// NewID returns a new UUIDv7.
func NewID() ID { return uuid.Must(uuid.NewV7()) }

// ParseID reads the canonical 36-character form and nothing else.
func ParseID(field, s string) (ID, error) {
	id, err := uuid.Parse(s)
	if len(s) != 36 || err != nil {
		return NilID, invalid(field, "%q is not a UUID", s)
	}
	return id, nil
}
