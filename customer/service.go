package customer

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/event"
)

// Service is the customer subsystem's API. It validates input, seals
// personal data before the Store sees it, masks what it returns, and logs
// every full-PII read. It is safe for concurrent use.
type Service struct {
	store  Store
	keys   Keyring
	clock  calendar.Clock
	loc    *time.Location
	days   BusinessDays
	sla    int
	reveal RevealPolicy
	events *event.Feed
	// confirmed maps a key id (or IndexKeyCheckID) to the key this
	// process has checked against the store's key-check record.
	confirmed sync.Map
}

// RevealPolicy decides whether actor may see the fields of a customer for
// reason. A non-nil error refuses the read (Reveal returns it wrapped in
// ErrForbidden) and nothing is disclosed or logged.
type RevealPolicy func(ctx context.Context, actor string, customerID ID, fields []Field, reason string) error

// Option configures a Service. A bad option makes NewService fail.
type Option func(*Service) error

// WithClock sets the clock (default calendar.SystemClock).
func WithClock(c calendar.Clock) Option {
	return func(s *Service) error {
		if c == nil {
			return invalid("clock", "must not be nil")
		}
		s.clock = c
		return nil
	}
}

// WithLocation sets the time zone the business date is read in (default
// UTC).
func WithLocation(loc *time.Location) Option {
	return func(s *Service) error {
		if loc == nil {
			return invalid("location", "must not be nil")
		}
		s.loc = loc
		return nil
	}
}

// WithBusinessDays sets the calendar complaint due dates are counted on
// (default: Monday to Friday, no holidays).
func WithBusinessDays(b BusinessDays) Option {
	return func(s *Service) error {
		if b == nil {
			return invalid("business_days", "must not be nil")
		}
		s.days = b
		return nil
	}
}

// WithComplaintSLA sets how many business days a complaint may stay
// unresolved (default DefaultComplaintSLA; at least 1).
func WithComplaintSLA(days int) Option {
	return func(s *Service) error {
		if days < 1 {
			return invalid("complaint_sla", "must be at least 1 business day")
		}
		s.sla = days
		return nil
	}
}

// WithRevealPolicy sets the authorisation hook of Reveal (default: every
// named actor with a reason may reveal; the log records it).
func WithRevealPolicy(p RevealPolicy) Option {
	return func(s *Service) error {
		s.reveal = p
		return nil
	}
}

// NewService returns a Service over store, sealing under keys. A nil store
// or keyring, or a bad option, is an error wrapping ErrInvalidInput.
func NewService(store Store, keys Keyring, opts ...Option) (*Service, error) {
	if store == nil {
		return nil, invalid("store", "must not be nil")
	}
	if keys == nil {
		return nil, invalid("keys", "must not be nil")
	}
	s := &Service{store: store, keys: keys, clock: calendar.SystemClock{}, loc: time.UTC,
		days: weekendsOnly(), sla: DefaultComplaintSLA, events: event.NewFeed(store.Events())}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// now is the clock's reading in UTC at the microsecond precision every
// store keeps.
func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// today is the business date.
func (s *Service) today() calendar.Date { return calendar.DateOf(s.clock.Now().In(s.loc)) }

// Create validates n, seals its personal data and stores the new customer
// with a CustomerCreated event. A second customer with the same national
// id is ErrDuplicate, found through the blind index.
func (s *Service) Create(ctx context.Context, n NewCustomer) (Masked, error) {
	if err := n.Validate(s.today()); err != nil {
		return Masked{}, err
	}
	id := NewID()
	now := s.now()
	c := Customer{
		ID: id, FullName: n.FullName, Gender: n.Gender, DateOfBirth: n.DateOfBirth,
		NationalID: n.NationalID.Normalize(), Phones: append([]string(nil), n.Phones...),
		Email: normalizeEmail(n.Email), Address: n.Address, Occupation: n.Occupation,
		IncomeBand: n.IncomeBand, Preferences: n.Preferences, KYC: KYC{Status: KYCPending},
		Risk: n.Risk, Status: StatusActive, Version: 1, CreatedAt: now, UpdatedAt: now,
		ExternalRef: n.ExternalRef,
	}
	if c.IncomeBand == "" {
		c.IncomeBand = IncomeUndisclosed
	}
	if c.Risk == "" {
		c.Risk = RiskLow
	}
	keyID, key, err := s.sealingKey(ctx)
	if err != nil {
		return Masked{}, err
	}
	r, err := s.toRecord(c, keyID, key)
	if err != nil {
		return Masked{}, err
	}
	ev, err := s.newEvent(EventCustomerCreated, id, now, CustomerCreated{CustomerID: id, ExternalRef: n.ExternalRef.Ref})
	if err != nil {
		return Masked{}, err
	}
	if err := s.store.CreateCustomer(ctx, r, ev); err != nil {
		return Masked{}, err
	}
	return c.Mask(), nil
}

// Get returns the masked view of a customer.
func (s *Service) Get(ctx context.Context, id ID) (Masked, error) {
	if err := checkID("id", id); err != nil {
		return Masked{}, err
	}
	r, err := s.store.Customer(ctx, id)
	if err != nil {
		return Masked{}, err
	}
	return s.masked(r)
}

// Update applies p if the customer is still at expectedVersion, and
// returns the new masked view. A stale version is ErrVersionConflict;
// nothing changes on any error.
func (s *Service) Update(ctx context.Context, id ID, expectedVersion int64, p Patch) (Masked, error) {
	if err := checkID("id", id); err != nil {
		return Masked{}, err
	}
	if expectedVersion < 1 {
		return Masked{}, invalid("version", "must be the version last read (1 or more)")
	}
	if _, err := p.apply(Customer{}); err != nil {
		return Masked{}, err
	}
	keyID, key, err := s.sealingKey(ctx)
	if err != nil {
		return Masked{}, err
	}
	var updated Customer
	_, err = s.store.UpdateCustomer(ctx, id, func(old Record) (Record, []event.Envelope, error) {
		if old.Version != expectedVersion {
			return Record{}, nil, fmt.Errorf("%w: customer %s is at version %d, not %d", ErrVersionConflict, id, old.Version, expectedVersion)
		}
		c, err := s.fromRecord(old, customerFields...)
		if err != nil {
			return Record{}, nil, err
		}
		if c, err = p.apply(c); err != nil {
			return Record{}, nil, err
		}
		c.UpdatedAt = s.now()
		c.Version = old.Version + 1
		updated = c
		r, err := s.toRecord(c, keyID, key)
		return r, nil, err
	})
	if err != nil {
		return Masked{}, err
	}
	return updated.Mask(), nil
}

// SetKYC records a KYC verdict (pending -> verified or rejected; back to
// pending for a review) with who and why, and publishes KYCChanged in the
// same step.
func (s *Service) SetKYC(ctx context.Context, id ID, d KYCDecision) (Masked, error) {
	if err := checkID("id", id); err != nil {
		return Masked{}, err
	}
	if err := d.validate(); err != nil {
		return Masked{}, err
	}
	r, err := s.store.UpdateCustomer(ctx, id, func(old Record) (Record, []event.Envelope, error) {
		if old.Status == StatusDeceased {
			return Record{}, nil, fmt.Errorf("%w: the customer is deceased", ErrInvalidTransition)
		}
		if err := kycStep(old.KYC.Status, d.Status); err != nil {
			return Record{}, nil, err
		}
		now := s.now()
		ev, err := s.newEvent(EventKYCChanged, id, now, KYCChanged{CustomerID: id, From: old.KYC.Status, To: d.Status, By: d.By})
		if err != nil {
			return Record{}, nil, err
		}
		old.KYC = KYC{Status: d.Status, By: d.By, At: now, Reason: d.Reason}
		old.UpdatedAt = now
		return old, []event.Envelope{ev}, nil
	})
	if err != nil {
		return Masked{}, err
	}
	return s.masked(r)
}

// FindByNationalID returns the customer holding that national id, found
// through its blind index, or ErrNotFound.
func (s *Service) FindByNationalID(ctx context.Context, n NationalID) (Masked, error) {
	if err := n.Validate(); err != nil {
		return Masked{}, err
	}
	if err := s.confirmIndex(ctx); err != nil {
		return Masked{}, err
	}
	idx, err := blindIndex(s.keys, "national_id", n.indexKey())
	if err != nil {
		return Masked{}, err
	}
	r, err := s.store.CustomerByNationalID(ctx, idx)
	if err != nil {
		return Masked{}, err
	}
	return s.masked(r)
}

// FindByPhone returns the customers with that exact E.164 phone, in id
// order (family members may share one).
func (s *Service) FindByPhone(ctx context.Context, phone string) ([]Masked, error) {
	if err := ValidatePhone(phone); err != nil {
		return nil, err
	}
	if err := s.confirmIndex(ctx); err != nil {
		return nil, err
	}
	idx, err := blindIndex(s.keys, "phone", phoneIndexKey(phone))
	if err != nil {
		return nil, err
	}
	rs, err := s.store.CustomersByPhone(ctx, idx)
	if err != nil {
		return nil, err
	}
	return s.maskedAll(rs)
}

// Filter selects customers for List.
type Filter struct {
	NamePrefix string // matched case-insensitively against the start of the full name
	Status     Status
	KYC        KYCStatus
	Risk       RiskRating
}

// List returns a page of customers matching f, in id (creation) order.
// Pass the last id of a page as After to get the next.
func (s *Service) List(ctx context.Context, f Filter, p Page) ([]Masked, error) {
	p, err := p.normalize()
	if err != nil {
		return nil, err
	}
	if f.NamePrefix != "" {
		if err := validateLine("name_prefix", f.NamePrefix, MaxNameRunes, false); err != nil {
			return nil, err
		}
	}
	if f.Status != "" {
		if err := validateStatus(f.Status); err != nil {
			return nil, err
		}
	}
	if f.KYC != "" {
		if err := validateKYCStatus("kyc_status", f.KYC); err != nil {
			return nil, err
		}
	}
	if f.Risk != "" {
		if err := validateRisk(f.Risk); err != nil {
			return nil, err
		}
	}
	rs, err := s.store.ListCustomers(ctx, ListFilter{NamePrefix: normalizeName(f.NamePrefix),
		Status: f.Status, KYC: f.KYC, Risk: f.Risk, Page: p})
	if err != nil {
		return nil, err
	}
	return s.maskedAll(rs)
}
