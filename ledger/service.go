package ledger

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
)

// Service is the ledger's API: it validates requests, builds balanced
// entries and hands them to its Store. It is safe for concurrent use.
type Service struct {
	store  Store
	clock  calendar.Clock
	prefix string
	// configErr is a bad option; every operation that needs the option
	// returns it instead of panicking in NewService.
	configErr error

	chart sync.Map // chartKey -> ID of the internal account

	subMu       sync.Mutex
	subscribers []subscriber
	deliverMu   sync.Mutex // one delivery round at a time
}

type chartKey struct {
	currency money.Currency
	code     string
}

// Option configures a Service.
type Option func(*Service)

// DefaultNumberPrefix starts account numbers when WithNumberPrefix is not
// given.
const DefaultNumberPrefix = "62"

// WithClock sets the clock for booking times and the first business date.
// The default is calendar.SystemClock.
func WithClock(c calendar.Clock) Option {
	return func(s *Service) {
		if c != nil {
			s.clock = c
		}
	}
}

// WithNumberPrefix sets the digits every new account number starts with
// (1 to 8 digits). A malformed prefix makes account creation fail with
// ErrInvalidInput.
func WithNumberPrefix(prefix string) Option {
	return func(s *Service) {
		if !validPrefix(prefix) {
			s.configErr = invalid("number_prefix", fmt.Sprintf("must be 1 to %d digits", maxPrefixLength))
			return
		}
		s.prefix = prefix
	}
}

// NewService returns a Service over store.
func NewService(store Store, opts ...Option) *Service {
	s := &Service{store: store, clock: calendar.SystemClock{}, prefix: DefaultNumberPrefix}
	for _, o := range opts {
		o(s)
	}
	return s
}

// BusinessDate returns the ledger's current business date. On a new store
// it is the clock's date at the first call.
func (s *Service) BusinessDate(ctx context.Context) (calendar.Date, error) {
	return s.store.BusinessDate(ctx, calendar.DateOf(s.clock.Now()))
}

// businessDateKey carries a business date already read for one call that
// builds many entries (a batch), so it is read once, not once per entry.
type businessDateKey struct{}

// valueDate returns the value date for a new entry: the requested one, or
// the business date. A requested date may lie in the past (back-valuing a
// correction) but not after the business date.
func (s *Service) valueDate(ctx context.Context, requested calendar.Date) (calendar.Date, error) {
	return s.valueDateAt(ctx, requested, time.Time{})
}

// valueDateAt is valueDate for a caller that has read the clock already:
// now, unless zero, stands in for a second reading (the store's initial
// business date, used only while it has none).
func (s *Service) valueDateAt(ctx context.Context, requested calendar.Date, now time.Time) (calendar.Date, error) {
	today, ok := ctx.Value(businessDateKey{}).(calendar.Date)
	if !ok {
		if now.IsZero() {
			now = s.clock.Now()
		}
		var err error
		if today, err = s.store.BusinessDate(ctx, calendar.DateOf(now)); err != nil {
			return calendar.Date{}, err
		}
	}
	if requested.IsZero() {
		return today, nil
	}
	if !requested.Valid() {
		return calendar.Date{}, invalid("value_date", "is not a valid date")
	}
	if requested.After(today) {
		return calendar.Date{}, invalid("value_date", fmt.Sprintf("%s is after the business date %s", requested, today))
	}
	return requested, nil
}
