// Package customertest is the contract suite every customer.Store must
// pass. A backend's tests call Run with a constructor that returns a fresh,
// empty store; the suite drives it through customer.Service, so it checks
// what users see: errors, ordering, atomicity, concurrency, encryption,
// rotation, key checks and the access log. A store wrapped in a harness
// that implements Tamperer or KeyCheckForgetter runs the tests that need
// raw access too.
//
//	func TestContract(t *testing.T) {
//		customertest.Run(t, func(t *testing.T) customer.Store { return memcustomer.New() })
//	}
package customertest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/fault"
)

// Tamperer is implemented by a test harness around a store that can alter
// a stored access-log entry the way someone with raw database access could.
// When the store passed to Run implements it, the tamper-detection tests
// run too.
type Tamperer interface {
	TamperAccessLog(ctx context.Context, seq int64, fn func(*customer.AccessEntry)) error
}

// Run runs the contract suite. newStore must return a fresh, empty store on
// every call.
func Run(t *testing.T, newStore func(t *testing.T) customer.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, newStore func(t *testing.T) customer.Store)
	}{
		{"CreateAndRead", testCreateAndRead},
		{"RejectsBadInputForEveryField", testBadInput},
		{"DuplicateNationalID", testDuplicateNationalID},
		{"ConcurrentCreatesOfOneNationalID", testConcurrentDuplicates},
		{"UpdateWithVersion", testUpdate},
		{"ConcurrentUpdates", testConcurrentUpdates},
		{"DeceasedIsFinal", testDeceased},
		{"KYC", testKYC},
		{"Search", testSearch},
		{"ListAndPaginate", testList},
		{"Reveal", testReveal},
		{"AccessLogUnderConcurrentReveals", testConcurrentReveals},
		{"AccessLogTamperDetection", testTamper},
		{"CiphertextIsBoundToItsRow", testCiphertextBinding},
		{"KeyRotation", testRotation},
		{"KeyringMustOpenTheData", testKeyringMustOpenTheData},
		{"RetiredKeyMayLeaveTheKeyring", testRetiredKeyMayLeave},
		{"KeyChecksForDataWrittenBeforeThem", testKeyChecksForOlderData},
		{"LinkedAccounts", testLinkedAccounts},
		{"Documents", testDocuments},
		{"Consent", testConsent},
		{"Interactions", testInteractions},
		{"Complaints", testComplaints},
		{"EventsAtLeastOnce", testEvents},
		{"ConcurrentPrimaryDocuments", testConcurrentPrimaryDocuments},
		{"ConcurrentEventsHaveNoGaps", testConcurrentEvents},
		{"ExternalRefs", testExternalRefs},
		{"ConcurrentExternalRefs", testConcurrentExternalRefs},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, newStore)
		})
	}
}

// start is Monday 2026-03-02, 09:00 UTC.
var start = time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)

// env is one test's service with its store, clock and keys.
type env struct {
	t     *testing.T
	ctx   context.Context
	store customer.Store
	clock *calendar.ManualClock
	keys  *customer.StaticKeyring
	svc   *customer.Service
}

func keyText(fill byte) string {
	return base64.StdEncoding.EncodeToString([]byte(strings.Repeat(string(rune(fill)), customer.KeySize)))
}

func newEnv(t *testing.T, newStore func(t *testing.T) customer.Store, opts ...customer.Option) *env {
	t.Helper()
	keys, err := customer.ParseKeyring("k1:" + keyText('a') + ",index:" + keyText('i'))
	require.NoError(t, err)
	e := &env{t: t, ctx: context.Background(), store: newStore(t), clock: calendar.NewManualClock(start), keys: keys}
	e.svc, err = customer.NewService(e.store, keys, append([]customer.Option{customer.WithClock(e.clock)}, opts...)...)
	require.NoError(t, err)
	return e
}

// The PRC ids below had their check characters computed by hand.
const (
	prcID1 = "11010519491231002X" // born 1949-12-31
	prcID2 = "310115198505202011" // born 1985-05-20
	prcID3 = "110105200002290013" // born 2000-02-29
)

// zhang is a valid new customer with a Chinese name and a PRC id.
func zhang() customer.NewCustomer {
	return customer.NewCustomer{
		FullName:    "张三",
		Gender:      customer.GenderMale,
		DateOfBirth: calendar.MustParseDate("1949-12-31"),
		NationalID:  customer.NationalID{Type: customer.PRCResidentID, Number: prcID1},
		Phones:      []string{"+8613812345678"},
		Email:       "zhang.san@example.com",
		Address: customer.Address{Line1: "长安街1号", City: "北京", Province: "北京市",
			PostalCode: "100000", Country: "CN"},
		Occupation:  "工程师",
		IncomeBand:  customer.IncomeMiddle,
		Preferences: customer.Preferences{Channel: customer.ChannelSMS, Language: "zh-CN"},
	}
}

// traveller returns a valid customer identified by a passport numbered
// from i, so tests can create many distinct customers.
func traveller(i int) customer.NewCustomer {
	return customer.NewCustomer{
		FullName:    fmt.Sprintf("Traveller %03d", i),
		Gender:      customer.GenderFemale,
		DateOfBirth: calendar.MustParseDate("1980-01-15"),
		NationalID:  customer.NationalID{Type: customer.Passport, Number: fmt.Sprintf("P%08d", i), Country: "GB"},
		Phones:      []string{fmt.Sprintf("+4420718%05d", i)},
		Email:       fmt.Sprintf("traveller%d@example.co.uk", i),
		Address:     customer.Address{Line1: fmt.Sprintf("%d Baker Street", i), City: "London", PostalCode: "NW1 6XE", Country: "GB"},
		Occupation:  "Writer",
	}
}

func (e *env) create(n customer.NewCustomer) customer.Masked {
	e.t.Helper()
	m, err := e.svc.Create(e.ctx, n)
	require.NoError(e.t, err)
	return m
}

// count returns how many customers the store lists.
func (e *env) count() int {
	e.t.Helper()
	n, after := 0, customer.NilID
	for {
		page, err := e.svc.List(e.ctx, customer.Filter{}, customer.Page{After: after, Limit: customer.MaxPageLimit})
		require.NoError(e.t, err)
		n += len(page)
		if len(page) < customer.MaxPageLimit {
			return n
		}
		after = page[len(page)-1].ID
	}
}

// events returns every event in the outbox.
func (e *env) events() []event.Envelope {
	e.t.Helper()
	var out []event.Envelope
	for {
		page, err := e.svc.Events().Read(e.ctx, int64(len(out)), event.PageSize)
		require.NoError(e.t, err)
		out = append(out, page...)
		if len(page) < event.PageSize {
			return out
		}
	}
}

// payload decodes an event's payload, after checking the envelope says
// what the payload is and whom it is about.
func payload[T any](t *testing.T, ev event.Envelope, typ string, customerID customer.ID) T {
	t.Helper()
	require.Equal(t, customer.EventSource, ev.Source)
	require.Equal(t, typ, ev.Type)
	require.Equal(t, customer.EventVersion, ev.Version)
	require.Equal(t, []customer.ID{customerID}, ev.Subjects)
	var p T
	require.NoError(t, json.Unmarshal(ev.Payload, &p))
	return p
}

// requireField asserts err is a validation error naming field.
func requireField(t *testing.T, err error, field string) {
	t.Helper()
	require.ErrorIs(t, err, customer.ErrInvalidInput)
	var ve *fault.FieldError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, field, ve.Field, "error: %v", err)
}

func ptr[T any](v T) *T { return &v }

const time1h = time.Hour
