package channel

import (
	"context"
	"fmt"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
)

// Online is online and mobile banking beyond login: the second factor
// (TOTP with recovery codes), bound mobile devices, step-up proofs for
// sensitive actions, payees and the customer's transfer limits. It keeps
// its records in an OnlineStore and reaches other subsystems only through
// the ports it declares (AccountOwners). It is safe for concurrent use.
type Online struct {
	store  OnlineStore
	clock  calendar.Clock
	cfg    OnlineConfig
	owners AccountOwners
	sealer SecretSealer
}

// AccountOwners is the port to the bank's accounts: who owns an account of
// this bank. The reference server adapts the ledger to it.
type AccountOwners interface {
	// AccountOwner returns the customer id of the account's owner, "" for
	// an account of the bank itself. An unknown account is an error
	// wrapping ErrNotFound.
	AccountOwner(ctx context.Context, accountID string) (string, error)
}

// SecretSealer encrypts TOTP secrets at rest (an AEAD; aad is the
// identity id, so a sealed secret cannot be moved to another identity).
// Without one the secret is stored as it is, which is only fit for tests
// and demos. customer.Sealer fits.
type SecretSealer interface {
	Seal(ctx context.Context, aad, plaintext []byte) ([]byte, error)
	Open(aad, sealed []byte) ([]byte, error)
}

// LimitRange is what the bank allows for one channel and currency: the
// limits a customer has until they choose their own, and the most they may
// choose.
type LimitRange struct {
	Default Limits
	Max     Limits
}

// OnlineConfig is the bank's policy for online banking. DefaultOnlineConfig
// is the reference bank's (amounts in CNY; add rows for other currencies).
type OnlineConfig struct {
	// Issuer names the bank in authenticator apps.
	Issuer string
	// SecondFactorLockout limits wrong codes as the login lockout limits
	// wrong passwords: counted before the check, a lock after MaxFailures.
	SecondFactorLockout LockoutPolicy
	// RecoveryCodes is how many single-use recovery codes enrolment gives.
	RecoveryCodes int
	// StepUpTTL is how long a step-up proof is valid before it is used.
	StepUpTTL time.Duration
	// StepUpAbove: a transfer above this amount needs a step-up. A currency
	// without a row always needs one.
	StepUpAbove map[money.Currency]decimal.Decimal
	// StepUpRiskLevel: buying a wealth product of a risk level above this
	// (R1..R5 as 1..5) needs a step-up.
	StepUpRiskLevel int
	// PayeeCooling is how long a new payee is capped; PayeeCoolingCap the
	// most one transfer to it may move meanwhile (a currency without a row:
	// nothing).
	PayeeCooling    time.Duration
	PayeeCoolingCap map[money.Currency]decimal.Decimal
	// Limits per channel and currency. A transfer in a channel and
	// currency without a row is refused (ErrLimitExceeded).
	Limits map[Channel]map[money.Currency]LimitRange
	// Location is where the limits' days and months begin and end.
	Location *time.Location
	// ReservationGrace is how old a reservation must be before the day's
	// reconciliation may release it for want of a posting: younger ones
	// may belong to a transfer still on its way to the ledger.
	ReservationGrace time.Duration
}

// DefaultOnlineConfig returns the reference bank's policy.
func DefaultOnlineConfig() OnlineConfig {
	d := decimal.RequireFromString
	cny := LimitRange{
		Default: Limits{PerTransaction: d("50000"), PerDay: d("200000"), PerMonth: d("1000000")},
		Max:     Limits{PerTransaction: d("500000"), PerDay: d("1000000"), PerMonth: d("5000000")},
	}
	return OnlineConfig{
		Issuer:              "bankkit",
		SecondFactorLockout: LockoutPolicy{MaxFailures: 5, Duration: 15 * time.Minute},
		RecoveryCodes:       10,
		StepUpTTL:           5 * time.Minute,
		StepUpAbove:         map[money.Currency]decimal.Decimal{"CNY": d("5000")},
		StepUpRiskLevel:     3,
		PayeeCooling:        24 * time.Hour,
		PayeeCoolingCap:     map[money.Currency]decimal.Decimal{"CNY": d("1000")},
		Limits: map[Channel]map[money.Currency]LimitRange{
			ChannelOnline: {"CNY": cny},
			ChannelMobile: {"CNY": cny},
		},
		Location:         time.FixedZone("UTC+8", 8*3600),
		ReservationGrace: 15 * time.Minute,
	}
}

// Validate checks the policy.
func (c OnlineConfig) Validate() error {
	if c.Issuer == "" || len(c.Issuer) > 64 {
		return invalid("issuer", "must be 1 to 64 characters")
	}
	if err := c.SecondFactorLockout.Validate(); err != nil {
		return err
	}
	if c.RecoveryCodes < 1 || c.RecoveryCodes > 50 {
		return invalid("recovery_codes", "must be 1 to 50")
	}
	if c.StepUpTTL <= 0 || c.StepUpTTL > time.Hour {
		return invalid("step_up_ttl", "must be positive and at most an hour")
	}
	if c.PayeeCooling < 0 {
		return invalid("payee_cooling", "must not be negative")
	}
	if c.ReservationGrace < 0 {
		return invalid("reservation_grace", "must not be negative")
	}
	if c.Location == nil {
		return invalid("location", "must not be nil")
	}
	for ch, rows := range c.Limits {
		if err := ch.Validate(); err != nil {
			return err
		}
		for cur, r := range rows {
			if !cur.Valid() {
				return invalid("limits.currency", fmt.Sprintf("%q is not a currency", cur))
			}
			if err := r.Max.validate(cur); err != nil {
				return err
			}
			if err := r.Default.validate(cur); err != nil {
				return err
			}
			if !r.Default.within(r.Max) {
				return invalid("limits.default", fmt.Sprintf("%s %s: above the maximum", ch, cur))
			}
		}
	}
	return nil
}

// OnlineOption configures an Online service.
type OnlineOption func(*Online) error

// WithOnlineClock sets the clock (default calendar.SystemClock).
func WithOnlineClock(c calendar.Clock) OnlineOption {
	return func(o *Online) error {
		if c == nil {
			return invalid("clock", "must not be nil")
		}
		o.clock = c
		return nil
	}
}

// WithOnlineConfig sets the bank's policy (default DefaultOnlineConfig).
func WithOnlineConfig(c OnlineConfig) OnlineOption {
	return func(o *Online) error {
		if err := c.Validate(); err != nil {
			return err
		}
		o.cfg = c
		return nil
	}
}

// WithAccountOwners sets the port that tells a payee that is the
// customer's own account. Without it only payees at other banks can be
// told apart from nothing: AddPayee of an account of this bank is refused.
func WithAccountOwners(a AccountOwners) OnlineOption {
	return func(o *Online) error {
		if a == nil {
			return invalid("account_owners", "must not be nil")
		}
		o.owners = a
		return nil
	}
}

// WithSecretSealer encrypts TOTP secrets at rest.
func WithSecretSealer(s SecretSealer) OnlineOption {
	return func(o *Online) error {
		if s == nil {
			return invalid("sealer", "must not be nil")
		}
		o.sealer = s
		return nil
	}
}

// NewOnline returns the online-banking service over store.
func NewOnline(store OnlineStore, opts ...OnlineOption) (*Online, error) {
	if store == nil {
		return nil, invalid("store", "must not be nil")
	}
	o := &Online{store: store, clock: calendar.SystemClock{}, cfg: DefaultOnlineConfig()}
	for _, opt := range opts {
		if err := opt(o); err != nil {
			return nil, err
		}
	}
	return o, nil
}

// Config returns the policy the service applies.
func (o *Online) Config() OnlineConfig { return o.cfg }

func (o *Online) now() time.Time { return o.clock.Now().UTC().Truncate(time.Microsecond) }

// customerOf checks that p is a customer's principal and returns its
// customer id.
func customerOf(p Principal) (string, error) {
	if p.Kind != KindCustomer || p.CustomerID == "" {
		return "", fmt.Errorf("%w: only a customer's own login may do this", ErrForbidden)
	}
	return p.CustomerID, nil
}
