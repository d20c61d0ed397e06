package event_test

import (
	"encoding/json"
	"os"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/fault"
)

var subject = uuid.MustParse("019530e1-7a00-7000-8000-0000000000aa")

// golden is the envelope testdata/envelope_v1.json holds.
func golden() event.Envelope {
	return event.Envelope{
		ID:           uuid.MustParse("019530e1-7a00-7000-8000-000000000001"),
		Source:       "customer",
		Type:         "customer.kyc_changed",
		Version:      1,
		Sequence:     42,
		OccurredAt:   time.Date(2026, 3, 2, 9, 0, 0, 123456000, time.UTC),
		BusinessDate: calendar.MustParseDate("2026-03-02"),
		Subjects:     []uuid.UUID{subject},
		Payload:      json.RawMessage(`{"customer_id":"019530e1-7a00-7000-8000-0000000000aa","from":"pending","to":"verified"}`),
	}
}

// The JSON form is a published contract: consumers outside Go read it.
// This pins it, key by key; changing it needs a new EnvelopeVersion.
func TestJSONFormIsPinned(t *testing.T) {
	want, err := os.ReadFile("testdata/envelope_v1.json")
	require.NoError(t, err)
	got, err := json.MarshalIndent(golden(), "", "  ")
	require.NoError(t, err)
	require.Equal(t, string(want), string(got)+"\n")

	var back event.Envelope
	require.NoError(t, json.Unmarshal(want, &back))
	g := golden()
	require.JSONEq(t, string(g.Payload), string(back.Payload))
	back.Payload = g.Payload
	require.Equal(t, g, back)
}

func TestJSONLeavesOutAnUnsetBusinessDateButNotSubjects(t *testing.T) {
	e := golden()
	e.BusinessDate = calendar.Date{}
	e.Subjects = nil
	e.OccurredAt = e.OccurredAt.In(time.FixedZone("CST", 8*3600))
	b, err := json.Marshal(e)
	require.NoError(t, err)
	var keys map[string]json.RawMessage
	require.NoError(t, json.Unmarshal(b, &keys))
	require.NotContains(t, keys, "business_date")
	require.JSONEq(t, `[]`, string(keys["subjects"]))
	require.JSONEq(t, `"2026-03-02T09:00:00.123456Z"`, string(keys["occurred_at"]), "always UTC")
}

func TestJSONRefusesAnotherEnvelopeVersion(t *testing.T) {
	for _, v := range []string{`2`, `0`} {
		var e event.Envelope
		err := json.Unmarshal([]byte(`{"envelope_version":`+v+`,"id":"019530e1-7a00-7000-8000-000000000001"}`), &e)
		require.ErrorIs(t, err, event.ErrInvalidInput, v)
	}
}

func TestNew(t *testing.T) {
	at := time.Date(2026, 3, 2, 17, 0, 0, 999, time.FixedZone("CST", 8*3600))
	e, err := event.New("customer.kyc_changed", 1, at, map[string]string{"to": "verified"}, subject)
	require.NoError(t, err)
	require.NotEqual(t, uuid.Nil, e.ID)
	require.Equal(t, uuid.Version(7), e.ID.Version())
	require.Equal(t, time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC), e.OccurredAt, "UTC, to the microsecond")
	require.JSONEq(t, `{"to":"verified"}`, string(e.Payload))
	require.Equal(t, []uuid.UUID{subject}, e.Subjects)
	require.Empty(t, e.Source, "the outbox's to set")
	require.Zero(t, e.Sequence, "the outbox's to set")

	other, err := event.New("customer.kyc_changed", 1, at, struct{}{})
	require.NoError(t, err)
	require.NotEqual(t, e.ID, other.ID)
	require.Nil(t, other.Subjects)

	_, err = event.New("customer.kyc_changed", 1, at, []int{1})
	requireField(t, err, "payload")
	_, err = event.New("customer.kyc_changed", 1, at, func() {})
	require.Error(t, err, "not JSON at all")
}

func TestValidateNamesTheField(t *testing.T) {
	for field, spoil := range map[string]func(*event.Envelope){
		"id":            func(e *event.Envelope) { e.ID = uuid.Nil },
		"type":          func(e *event.Envelope) { e.Type = "KYC changed" },
		"version":       func(e *event.Envelope) { e.Version = 0 },
		"occurred_at":   func(e *event.Envelope) { e.OccurredAt = time.Time{} },
		"business_date": func(e *event.Envelope) { e.BusinessDate = calendar.Date{Year: 2026, Month: 2, Day: 30} },
		"subjects":      func(e *event.Envelope) { e.Subjects = append(e.Subjects, uuid.Nil) },
		"payload":       func(e *event.Envelope) { e.Payload = json.RawMessage(`{"a":`) },
	} {
		e := golden()
		require.NoError(t, e.Validate())
		spoil(&e)
		requireField(t, e.Validate(), field)
	}
	for _, typ := range []string{"customer", "customer.", ".x", "customer.KYC", "customer.kyc-changed"} {
		e := golden()
		e.Type = typ
		requireField(t, e.Validate(), "type")
	}
	for _, typ := range []string{"customer.created", "ledger.entry_posted", "credit.loan.disbursed"} {
		e := golden()
		e.Type = typ
		require.NoError(t, e.Validate(), typ)
	}
}

func TestCloneSharesNothing(t *testing.T) {
	e := golden()
	c := e.Clone()
	c.Payload[2] = 'X'
	c.Subjects[0][0]++
	require.Equal(t, golden(), e)
}

func requireField(t *testing.T, err error, field string) {
	t.Helper()
	require.ErrorIs(t, err, event.ErrInvalidInput)
	var fe *fault.FieldError
	require.ErrorAs(t, err, &fe)
	require.Equal(t, field, fe.Field, "error: %v", err)
}
