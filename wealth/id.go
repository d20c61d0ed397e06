package wealth

import "github.com/google/uuid"

// ID identifies a product, order, holding or assessment: a UUIDv7, so
// later ids sort later and listing by id is listing by creation order.
type ID = uuid.UUID

// NilID is the zero ID.
var NilID = uuid.Nil

// NewID returns a new UUIDv7.
func NewID() ID { return uuid.Must(uuid.NewV7()) }

// ParseID reads the canonical 36-character form and nothing else.
func ParseID(s string) (ID, error) {
	id, err := uuid.Parse(s)
	if len(s) != 36 || err != nil {
		return NilID, invalid("id", "%q is not a UUID", s)
	}
	return id, nil
}

// Page selects a slice of an id-ordered list: items after After (NilID:
// from the start), at most Limit of them.
type Page struct {
	After ID
	Limit int
}

// Page limits.
const (
	DefaultPageLimit = 50
	MaxPageLimit     = 500
)

func (p Page) normalize() (Page, error) {
	switch {
	case p.Limit == 0:
		p.Limit = DefaultPageLimit
	case p.Limit < 0 || p.Limit > MaxPageLimit:
		return p, invalid("limit", "must be 1-%d", MaxPageLimit)
	}
	return p, nil
}
