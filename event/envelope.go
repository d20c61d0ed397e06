package event

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/bankkit/bankkit/calendar"
)

// Envelope is one event, as every source publishes it. The payload is the
// source's own JSON document, whose shape Type and Version name; it carries
// ids and states, never plaintext personal data, because every consumer
// (analytics keeps them for years) gets a copy.
type Envelope struct {
	// ID is a UUIDv7, unique to the event: consumers deduplicate on it,
	// since delivery is at least once.
	ID uuid.UUID
	// Source names the subsystem that published it: "customer".
	Source string
	// Type says what happened: "customer.kyc_changed".
	Type string
	// Version is the version of Type's payload schema, from 1. A change
	// that could break a consumer gets a new version.
	Version int
	// Sequence numbers the source's events 1, 2, 3, ... in the order they
	// become visible: a reader that has seen n never later finds one
	// below n it has not seen. The outbox assigns it.
	Sequence int64
	// OccurredAt is when the change happened, in UTC to the microsecond.
	OccurredAt time.Time
	// BusinessDate is the banking day of the change, if the source has
	// one (zero otherwise).
	BusinessDate calendar.Date
	// Subjects are the ids of the objects the event is about, so that a
	// consumer can route it without reading the payload.
	Subjects []uuid.UUID
	// Payload is a JSON object.
	Payload json.RawMessage
}

// EnvelopeVersion is the version of the envelope's JSON form, written as
// "envelope_version". Adding a field keeps it; any other change raises it.
const EnvelopeVersion = 1

// wire is the JSON form of an Envelope.
type wire struct {
	EnvelopeVersion int             `json:"envelope_version"`
	ID              uuid.UUID       `json:"id"`
	Source          string          `json:"source"`
	Type            string          `json:"type"`
	Version         int             `json:"version"`
	Sequence        int64           `json:"sequence"`
	OccurredAt      time.Time       `json:"occurred_at"`
	BusinessDate    calendar.Date   `json:"business_date,omitzero"`
	Subjects        []uuid.UUID     `json:"subjects"`
	Payload         json.RawMessage `json:"payload"`
}

// MarshalJSON writes the envelope's stable JSON form (docs/events.md):
// snake_case keys, occurred_at in RFC 3339 UTC, business_date left out
// when unset, subjects always an array.
func (e Envelope) MarshalJSON() ([]byte, error) {
	w := wire{EnvelopeVersion: EnvelopeVersion, ID: e.ID, Source: e.Source, Type: e.Type, Version: e.Version,
		Sequence: e.Sequence, OccurredAt: e.OccurredAt.UTC(), BusinessDate: e.BusinessDate,
		Subjects: e.Subjects, Payload: e.Payload}
	if w.Subjects == nil {
		w.Subjects = []uuid.UUID{}
	}
	return json.Marshal(w)
}

// UnmarshalJSON reads the JSON form of EnvelopeVersion, and refuses
// others: a consumer must not misread a form it does not know.
func (e *Envelope) UnmarshalJSON(data []byte) error {
	var w wire
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	if w.EnvelopeVersion != EnvelopeVersion {
		return fmt.Errorf("%w: envelope_version %d, want %d", ErrInvalidInput, w.EnvelopeVersion, EnvelopeVersion)
	}
	*e = Envelope{ID: w.ID, Source: w.Source, Type: w.Type, Version: w.Version, Sequence: w.Sequence,
		OccurredAt: w.OccurredAt.UTC(), BusinessDate: w.BusinessDate, Subjects: w.Subjects, Payload: w.Payload}
	if len(e.Subjects) == 0 {
		e.Subjects = nil
	}
	return nil
}

// New returns the envelope of a new event: a fresh UUIDv7, at in UTC to
// the microsecond (what every store keeps), and payload as JSON. Source and
// Sequence are left to the outbox; set BusinessDate if the source has one.
func New(typ string, version int, at time.Time, payload any, subjects ...uuid.UUID) (Envelope, error) {
	body, err := json.Marshal(payload)
	if err != nil {
		return Envelope{}, fmt.Errorf("event: payload of %s: %w", typ, err)
	}
	e := Envelope{ID: uuid.Must(uuid.NewV7()), Type: typ, Version: version,
		OccurredAt: at.UTC().Truncate(time.Microsecond), Subjects: slices.Clone(subjects), Payload: body}
	if err := e.Validate(); err != nil {
		return Envelope{}, err
	}
	return e, nil
}

var typeName = regexp.MustCompile(`^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+$`)

// Validate checks what a publisher sets: an id, a dotted lower-case type,
// a version from 1, the time, a valid business date if any, non-nil
// subjects and a JSON object as payload.
func (e Envelope) Validate() error {
	switch {
	case e.ID == uuid.Nil:
		return invalid("id", "is required")
	case !typeName.MatchString(e.Type):
		return invalid("type", "must be lower-case words joined by dots, like customer.kyc_changed")
	case e.Version < 1:
		return invalid("version", "must be 1 or more")
	case e.OccurredAt.IsZero():
		return invalid("occurred_at", "is required")
	case !e.BusinessDate.IsZero() && !e.BusinessDate.Valid():
		return invalid("business_date", "is not a valid date")
	case slices.Contains(e.Subjects, uuid.Nil):
		return invalid("subjects", "must not hold the nil id")
	case !isObject(e.Payload):
		return invalid("payload", "must be a JSON object")
	}
	return nil
}

func isObject(b json.RawMessage) bool {
	b = bytes.TrimSpace(b)
	return len(b) > 0 && b[0] == '{' && json.Valid(b)
}

// Clone returns a copy of e that shares no memory with it, so a store can
// keep or hand out envelopes without callers reaching into them.
func (e Envelope) Clone() Envelope {
	if len(e.Subjects) == 0 {
		e.Subjects = nil
	} else {
		e.Subjects = slices.Clone(e.Subjects)
	}
	e.Payload = bytes.Clone(e.Payload)
	return e
}
