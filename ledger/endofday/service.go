package endofday

import (
	"fmt"
	"sync"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
)

// Service runs end of day over a ledger.Service (see the package
// documentation). It runs one date at a time; two processes running the
// same date are kept apart by the accrual compare-and-set and the
// idempotency keys, at the price of wasted work and a failed run to
// repeat.
type Service struct {
	svc      *ledger.Service
	store    Store
	clock    calendar.Clock
	calendar *calendar.BusinessCalendar
	progress func(Progress)
	dormancy int // days without customer activity; 0 turns dormancy off
	pageSize int

	mu sync.Mutex // one run at a time
}

// Option configures a Service. NewService returns the error of a bad one.
type Option func(*Service) error

// WithBusinessCalendar sets the calendar whose non-business days the run
// skips (while still accruing for them). Without it every day is a
// business day.
func WithBusinessCalendar(c *calendar.BusinessCalendar) Option {
	return func(e *Service) error {
		e.calendar = c
		return nil
	}
}

// WithProgress sets a callback told of each step and of each page of
// accounts done. It is called on the run's goroutine and should return
// quickly.
func WithProgress(fn func(Progress)) Option {
	return func(e *Service) error {
		e.progress = fn
		return nil
	}
}

// WithDormancyAfter makes demand accounts with no customer-initiated
// activity (deposit, withdrawal, transfer, capture) in the last days
// calendar days dormant. Zero or less, the default, turns dormancy off.
func WithDormancyAfter(days int) Option {
	return func(e *Service) error {
		e.dormancy = max(days, 0)
		return nil
	}
}

// Page sizes of WithPageSize.
const (
	DefaultPageSize = 500
	MaxPageSize     = 10000
)

// WithPageSize sets how many accounts a step reads and saves at once:
// 1 to MaxPageSize, DefaultPageSize when not given. Bigger pages mean
// fewer round trips to a database store and more work redone after a
// crash.
func WithPageSize(n int) Option {
	return func(e *Service) error {
		if n < 1 || n > MaxPageSize {
			return invalid("page_size", fmt.Sprintf("must be 1 to %d", MaxPageSize))
		}
		e.pageSize = n
		return nil
	}
}

// WithClock sets the clock that stamps runs and time deposits and
// decides which holds have expired. The default is calendar.SystemClock;
// give the ledger.Service's clock.
func WithClock(c calendar.Clock) Option {
	return func(e *Service) error {
		if c != nil {
			e.clock = c
		}
		return nil
	}
}

// NewService returns the end-of-day runner over svc and store, which must
// be the same backend as svc's Store. A bad option or a missing dependency
// is ErrInvalidInput.
func NewService(svc *ledger.Service, store Store, opts ...Option) (*Service, error) {
	if svc == nil || store == nil {
		return nil, invalid("endofday", "needs a ledger.Service and a Store")
	}
	e := &Service{svc: svc, store: store, clock: calendar.SystemClock{}, pageSize: DefaultPageSize}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(e); err != nil {
			return nil, err
		}
	}
	return e, nil
}
