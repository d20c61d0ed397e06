package refserver

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/channel"
)

// Config is everything the server needs to start. The zero value plus an
// address runs the bank in memory.
type Config struct {
	// Addr is the TCP address to listen on, e.g. ":8080".
	Addr string
	// DatabaseURL selects PostgreSQL storage (postgres://...); empty means
	// in-memory storage.
	DatabaseURL string
	// AdminToken is the bootstrap administrator's bearer token. Empty: a
	// random one is made at each start and logged once. Either way it is
	// for creating the real staff users, who log in with passwords: it
	// lives BootstrapTokenTTL from the start that first registers it, and
	// each start revokes the bootstrap tokens of the starts before it.
	AdminToken string
	// BootstrapTokenTTL is how long the bootstrap admin token lasts; zero
	// means one hour, and it may not exceed a staff login's 8 hours.
	// Negative issues no bootstrap token (earlier ones are still revoked):
	// for a bank whose staff are set up.
	BootstrapTokenTTL time.Duration
	// PIIKeyring is the customer-data keyring text (see
	// customer.ParseKeyring). Required on PostgreSQL, where data outlives
	// the process; in memory an ephemeral keyring is made when empty.
	PIIKeyring string
	// MetricsToken is the bearer token a Prometheus scraper sends for
	// /metrics (at least 32 characters); it opens nothing else. Empty:
	// /metrics answers 401 to everyone, unless MetricsPublic.
	MetricsToken string
	// MetricsPublic serves /metrics without a token: for a network where
	// nobody but the scraper reaches the server's port.
	MetricsPublic bool
	// OpenAPIPrivate serves /openapi.json to signed-in callers only; by
	// default it is public, as the API contract says (it describes the
	// API and holds no data).
	OpenAPIPrivate bool
	// TLSCertFile and TLSKeyFile serve HTTPS when both are set.
	TLSCertFile, TLSKeyFile string
	// IdempotencyLease is how long a request holds its Idempotency-Key
	// before a retry may take over (the server holding it may have died).
	// A takeover is safe: the ledger's own idempotency stops a second
	// posting. Zero means 30 seconds.
	IdempotencyLease time.Duration
	// DatabaseMaxConns bounds the PostgreSQL connection pool; zero means
	// 32. Connections beyond what the server's cores can keep busy only add
	// contention.
	DatabaseMaxConns int
	// ClearingDir is where the built-in clearing network writes outbound
	// ISO 20022 messages (outbox/) for the clearing house, created when
	// missing. Empty: DefaultClearingDir on a database; in memory, a
	// temporary directory removed at Close (the bank dies with the process).
	ClearingDir string
	// InterbankChannels routes CNY transfers to other banks to the CNAPS
	// channels (large-value, bulk, online: clearing.DefaultChannels on the
	// weekday calendar), sent by POST /v1/clearing/send-due; off, they all
	// wait for POST /v1/clearing/batches, as before.
	InterbankChannels bool
	// SendDueInterval, when positive, sends the inter-bank transfers that
	// are due (clearing.Service.SendDue, as POST /v1/clearing/send-due)
	// every interval while the server listens, one process at a time
	// (under end of day's run lease); zero leaves it to that endpoint.
	SendDueInterval time.Duration
	// DormancyDays is how long a demand account may go without a deposit,
	// withdrawal or transfer of the customer's before end of day marks it
	// dormant; zero means 365, negative turns dormancy off.
	DormancyDays int
	// RiskFilingDir is where the built-in filer writes AML reports for the
	// authority's filing system, created when missing; empty: reports are
	// drafted but filing them is refused.
	RiskFilingDir string
	// RiskObserver evaluates the ledger's events with the risk rules in
	// the background while the server listens (every second), besides
	// the screening of movements before they post.
	RiskObserver bool
	// RiskIndicatorInterval checks the risk indicators (limits and key
	// risk indicators, docs/risk.md) every interval while the server
	// listens; zero checks them only at end of day and on request.
	RiskIndicatorInterval time.Duration
	// RiskStarterRules publishes risk's starter rules (risk.StarterRules,
	// docs/risk.md) at the first start of a bank that has no rule-set
	// version yet, so that transactions are screened from the start. Off
	// in the zero Config; the command turns it on (-risk-starter-rules).
	RiskStarterRules bool
	// Demo seeds a small believable bank at start (idempotently).
	Demo bool
	// MakerChecker holds the operations of the reference bank's
	// maker-checker policies (transfers, withdrawals and hold captures
	// above an amount, reversals, freezing and unfreezing, staff creation,
	// role changes) until a second member of staff approves them; see
	// docs/risk.md. Off in the zero Config; the command turns it on.
	MakerChecker bool
	// AuditAsyncCommit appends to the staff audit trail on PostgreSQL
	// without waiting for the disk flush (pgoprisk.AsyncCommit): an audited
	// request is cheaper, and a database crash may lose the last few
	// hundred milliseconds of records, never one in the middle.
	AuditAsyncCommit bool
	// ShutdownTimeout bounds how long in-flight requests get to finish on
	// SIGINT/SIGTERM.
	ShutdownTimeout time.Duration
	// StaffSecondFactorRoles are the staff roles that log in with a TOTP
	// code (channel.WithStaffSecondFactor): a member of staff holding one
	// enrols at their first login, whose session may do nothing else, and
	// sends a code with every later login. Nil means the default: admin on
	// PostgreSQL, none in memory (a demo bank); an empty slice means none.
	StaffSecondFactorRoles []channel.Role
	// Clock drives business time; nil means the system clock.
	Clock calendar.Clock
	// Logger receives structured logs; nil means JSON to stderr.
	Logger *slog.Logger

	// passwordParams lets this package's tests hash passwords cheaply; the
	// server always uses the OWASP parameters.
	passwordParams *channel.Params
}

// MinAdminTokenLength keeps a configured admin token from being guessable.
const MinAdminTokenLength = 32

// Validate reports every problem with c at once, naming the setting.
func (c Config) Validate() error {
	var errs []error
	if _, port, err := net.SplitHostPort(c.Addr); err != nil || port == "" {
		errs = append(errs, fmt.Errorf("listen address %q: want host:port such as :8080", c.Addr))
	}
	if c.DatabaseURL != "" && !strings.HasPrefix(c.DatabaseURL, "postgres://") && !strings.HasPrefix(c.DatabaseURL, "postgresql://") {
		errs = append(errs, fmt.Errorf("database URL: want postgres://user@host:port/db, got a value starting %q", prefix(c.DatabaseURL)))
	}
	if c.AdminToken != "" && len(c.AdminToken) < MinAdminTokenLength {
		errs = append(errs, fmt.Errorf("admin token: must be at least %d characters", MinAdminTokenLength))
	}
	if c.BootstrapTokenTTL > channel.DefaultStaffSessionTTL {
		errs = append(errs, fmt.Errorf("bootstrap token TTL %s: at most %s, a staff login's", c.BootstrapTokenTTL, channel.DefaultStaffSessionTTL))
	}
	if c.BootstrapTokenTTL < 0 && c.AdminToken != "" {
		errs = append(errs, errors.New("admin token: set, but a negative bootstrap token TTL issues no bootstrap token"))
	}
	if c.DatabaseURL != "" && c.PIIKeyring == "" {
		errs = append(errs, errors.New("PII keyring: required with a database (BANKKIT_PII_KEYS or -pii-keys-file); without it customer data could not be read after a restart"))
	}
	switch {
	case c.MetricsToken != "" && len(c.MetricsToken) < MinAdminTokenLength:
		errs = append(errs, fmt.Errorf("metrics token: must be at least %d characters", MinAdminTokenLength))
	case c.MetricsToken != "" && c.MetricsPublic:
		errs = append(errs, errors.New("metrics: set a metrics token or make them public, not both"))
	case c.MetricsToken != "" && c.MetricsToken == c.AdminToken:
		errs = append(errs, errors.New("metrics token: must differ from the admin token"))
	}
	if (c.TLSCertFile == "") != (c.TLSKeyFile == "") {
		errs = append(errs, errors.New("TLS: set both the certificate and the key file, or neither"))
	}
	if c.DatabaseMaxConns < 0 {
		errs = append(errs, fmt.Errorf("database max connections %d: must not be negative", c.DatabaseMaxConns))
	}
	if c.IdempotencyLease < 0 {
		errs = append(errs, fmt.Errorf("idempotency lease %s: must not be negative", c.IdempotencyLease))
	}
	if c.SendDueInterval < 0 {
		errs = append(errs, fmt.Errorf("send-due interval %s: must not be negative", c.SendDueInterval))
	}
	for _, r := range c.StaffSecondFactorRoles {
		if !r.Valid() {
			errs = append(errs, fmt.Errorf("staff second-factor roles: %q is not a role", r))
		}
	}
	if c.ShutdownTimeout < 0 {
		errs = append(errs, fmt.Errorf("shutdown timeout %s: must not be negative", c.ShutdownTimeout))
	}
	return errors.Join(errs...)
}

func (c Config) dormancyDays() int {
	if c.DormancyDays == 0 {
		return 365
	}
	return c.DormancyDays
}

// DefaultBootstrapTokenTTL is how long the bootstrap admin token lasts
// unless configured: long enough to create the first staff users.
const DefaultBootstrapTokenTTL = time.Hour

func (c Config) bootstrapTokenTTL() time.Duration {
	if c.BootstrapTokenTTL == 0 {
		return DefaultBootstrapTokenTTL
	}
	return c.BootstrapTokenTTL
}

func (c Config) maxConns() int {
	if c.DatabaseMaxConns == 0 {
		return 32
	}
	return c.DatabaseMaxConns
}

// prefix shows the start of a value without echoing secrets it may hold.
func prefix(s string) string {
	if len(s) > 10 {
		return s[:10] + "..."
	}
	return s
}

// defaultStaffSecondFactor is the roles that need a second factor on
// PostgreSQL when the Config names none (a variable so that this
// package's tests, which log staff in by password alone, can clear it).
var defaultStaffSecondFactor = []channel.Role{channel.RoleAdmin}

// staffSecondFactorRoles resolves StaffSecondFactorRoles' default.
func (c Config) staffSecondFactorRoles() []channel.Role {
	switch {
	case c.StaffSecondFactorRoles != nil:
		return c.StaffSecondFactorRoles
	case c.DatabaseURL != "":
		return defaultStaffSecondFactor
	}
	return nil
}
