package channel

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/bankkit/bankkit/calendar"
)

// Default session lifetimes: a customer's online-banking session is short,
// a member of staff's lasts a working day.
const (
	DefaultCustomerSessionTTL = 30 * time.Minute
	DefaultStaffSessionTTL    = 8 * time.Hour
)

// Service is the channel's API for identities, credentials and sessions.
// It validates requests, hashes passwords, enforces the lockout and issues
// tokens; its Store keeps the records. It is safe for concurrent use.
type Service struct {
	store       Store
	clock       calendar.Clock
	params      Params
	lockout     LockoutPolicy
	customerTTL time.Duration
	staffTTL    time.Duration
	dummyOnce   sync.Once
	dummy       Credential
	dummyErr    error
	// factors and factorRoles: staff holding one of factorRoles log in
	// with a second factor from factors (WithStaffSecondFactor).
	factors     SecondFactors
	factorRoles []Role
}

// SecondFactors is what the login needs of the second factor: *Online
// provides it.
type SecondFactors interface {
	// SecondFactorStatus says whether the identity has a confirmed
	// enrolment.
	SecondFactorStatus(ctx context.Context, identityID uuid.UUID) (SecondFactorStatus, error)
	// VerifySecondFactor checks a code (counted towards its own lock,
	// accepted once). Errors: ErrInvalidCode, ErrSecondFactorLocked,
	// ErrNotEnrolled.
	VerifySecondFactor(ctx context.Context, identityID uuid.UUID, code string) error
}

// WithStaffSecondFactor makes a second factor part of the login of every
// member of staff holding one of roles: with a confirmed enrolment in f,
// LoginWithCode needs a good code (ErrSecondFactorRequired without one);
// without, the login opens an enrolment-only session (Session.EnrolmentOnly)
// that the caller lets do nothing but enrol, after which the next login
// needs a code. Customers are not affected. No roles: nobody needs one.
func WithStaffSecondFactor(f SecondFactors, roles ...Role) Option {
	return func(s *Service) error {
		if f == nil && len(roles) > 0 {
			return invalid("second_factors", "must not be nil")
		}
		for _, r := range roles {
			if !r.Valid() {
				return invalid("second_factor_roles", fmt.Sprintf("unknown role %q", r))
			}
		}
		s.factors, s.factorRoles = f, slices.Clone(roles)
		return nil
	}
}

// NeedsSecondFactor reports whether an identity of kind with roles logs
// in with a second factor under this service's policy.
func (s *Service) NeedsSecondFactor(kind Kind, roles []Role) bool {
	if kind != KindStaff {
		return false
	}
	for _, r := range roles {
		if slices.Contains(s.factorRoles, r) {
			return true
		}
	}
	return false
}

// Option configures a Service. A bad option makes NewService fail.
type Option func(*Service) error

// WithClock sets the clock that dates sessions, expiries and locks. The
// default is calendar.SystemClock.
func WithClock(c calendar.Clock) Option {
	return func(s *Service) error {
		if c == nil {
			return invalid("clock", "must not be nil")
		}
		s.clock = c
		return nil
	}
}

// WithParams sets the argon2id parameters of new hashes (default
// DefaultParams). Hashes made under weaker parameters are redone at the
// next successful login. Tests use small parameters to run fast.
func WithParams(p Params) Option {
	return func(s *Service) error {
		if err := p.Validate(); err != nil {
			return err
		}
		s.params = p
		return nil
	}
}

// WithLockout sets the failed-login policy (default DefaultLockout).
func WithLockout(p LockoutPolicy) Option {
	return func(s *Service) error {
		if err := p.Validate(); err != nil {
			return err
		}
		s.lockout = p
		return nil
	}
}

// WithSessionTTL sets how long sessions of customers and of staff last
// (defaults DefaultCustomerSessionTTL and DefaultStaffSessionTTL).
func WithSessionTTL(customer, staff time.Duration) Option {
	return func(s *Service) error {
		if customer <= 0 || staff <= 0 {
			return invalid("session_ttl", "must be positive")
		}
		s.customerTTL, s.staffTTL = customer, staff
		return nil
	}
}

// NewService returns a Service over store. A nil store or a bad option is
// an error wrapping ErrInvalidInput.
func NewService(store Store, opts ...Option) (*Service, error) {
	if store == nil {
		return nil, invalid("store", "must not be nil")
	}
	s := &Service{
		store:       store,
		clock:       calendar.SystemClock{},
		params:      DefaultParams,
		lockout:     DefaultLockout,
		customerTTL: DefaultCustomerSessionTTL,
		staffTTL:    DefaultStaffSessionTTL,
	}
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

func (s *Service) ttl(k Kind) time.Duration {
	if k == KindStaff {
		return s.staffTTL
	}
	return s.customerTTL
}

func newID() (uuid.UUID, error) {
	id, err := uuid.NewV7()
	if err != nil {
		return uuid.Nil, fmt.Errorf("channel: new id: %w", err)
	}
	return id, nil
}

// dummyCredential is hashed against when a username is unknown, so that
// the answer takes as long as for a known one and timing does not reveal
// which usernames exist.
func (s *Service) dummyCredential() (Credential, error) {
	s.dummyOnce.Do(func() {
		pw, err := GenerateToken()
		if err != nil {
			s.dummyErr = err
			return
		}
		s.dummy, s.dummyErr = HashPassword(pw, s.params)
	})
	return s.dummy, s.dummyErr
}
