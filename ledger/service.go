package ledger

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/money"
)

// Service is the ledger's API: it validates requests, builds balanced
// entries and hands them to its Store. It is safe for concurrent use.
type Service struct {
	store  Store
	clock  calendar.Clock
	prefix string

	chart sync.Map // chartKey -> ID of the internal account

	classRules ClassRules

	events *event.Feed

	screener Screener // nil: movements are not screened
}

type chartKey struct {
	currency money.Currency
	code     string
}

// Option configures a Service. NewService returns the error of a bad one.
type Option func(*Service) error

// DefaultNumberPrefix starts account numbers when WithNumberPrefix is not
// given.
const DefaultNumberPrefix = "62"

// WithClock sets the clock for booking times and the first business date.
// The default is calendar.SystemClock.
func WithClock(c calendar.Clock) Option {
	return func(s *Service) error {
		if c != nil {
			s.clock = c
		}
		return nil
	}
}

// WithNumberPrefix sets the digits every new account number starts with
// (1 to 8 digits).
func WithNumberPrefix(prefix string) Option {
	return func(s *Service) error {
		if !validPrefix(prefix) {
			return invalid("number_prefix", fmt.Sprintf("must be 1 to %d digits", maxPrefixLength))
		}
		s.prefix = prefix
		return nil
	}
}

// WithClassRules sets the limits of class II and III accounts per
// currency (DefaultClassRules when not given; an empty ClassRules gives
// every class no limits). They are checked here and copied onto each
// class II or III account as it opens.
func WithClassRules(r ClassRules) Option {
	return func(s *Service) error {
		if err := r.validate(); err != nil {
			return err
		}
		copied := ClassRules{}
		for class, byCurrency := range r {
			copied[class] = map[money.Currency]ClassLimits{}
			for c, l := range byCurrency {
				copied[class][c] = l
			}
		}
		s.classRules = copied
		return nil
	}
}

// NewService returns a Service over store. A bad option is an error here
// (ErrInvalidInput), not on first use.
func NewService(store Store, opts ...Option) (*Service, error) {
	if store == nil {
		return nil, invalid("store", "is required")
	}
	s := &Service{store: store, clock: calendar.SystemClock{}, prefix: DefaultNumberPrefix, classRules: DefaultClassRules()}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(s); err != nil {
			return nil, err
		}
	}
	s.events = event.NewFeed(store.Events())
	return s, nil
}

// BusinessDate returns the ledger's current business date. On a new store
// it is the clock's date at the first call.
func (s *Service) BusinessDate(ctx context.Context) (calendar.Date, error) {
	return s.businessDate(ctx, s.clock.Now())
}

// businessDate is BusinessDate for a caller that has read the clock
// already: now's date is the initial business date of a store with none.
func (s *Service) businessDate(ctx context.Context, now time.Time) (calendar.Date, error) {
	return s.store.BusinessDate(ctx, calendar.DateOf(now))
}

// valueDate returns the value date of a new entry on the business date
// today: the requested one, or today. A requested date may lie in the past
// (back-valuing a correction) but not after today.
func valueDate(requested, today calendar.Date) (calendar.Date, error) {
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

// Events is the ledger's event feed, an EntryPosted for every posted
// entry: subscribe to it, run its delivery (Run), and prune what every
// subscriber has had. Delivery is at least once, in posting order; the
// envelope's ID is the entry's, the key to deduplicate on.
func (s *Service) Events() *event.Feed { return s.events }
