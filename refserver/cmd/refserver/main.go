// Command refserver runs bankkit's reference retail bank over HTTP.
//
//	go run ./refserver/cmd/refserver                 # in-memory bank on :8080
//	go run ./refserver/cmd/refserver -database-url postgres://postgres@127.0.0.1:5432/bank?sslmode=disable
//
// Every flag has an environment variable, named in its usage, that sets it
// when the flag is not given (docs/operations.md lists them).
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"regexp"
	"strings"
	"syscall"
	"time"

	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/refserver"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "refserver:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	var cfg refserver.Config
	var keysFile string
	fs := flags(&cfg, &keysFile)
	if err := parse(fs, args, os.LookupEnv); err != nil {
		return err
	}
	keyring := os.Getenv("BANKKIT_PII_KEYS")
	if keysFile != "" {
		if keyring != "" {
			return fmt.Errorf("set the PII keyring once: BANKKIT_PII_KEYS or -pii-keys-file, not both")
		}
		b, err := os.ReadFile(keysFile)
		if err != nil {
			return fmt.Errorf("PII keyring file: %w", err)
		}
		keyring = string(b)
	}
	cfg.PIIKeyring = keyring
	cfg.Logger = slog.New(slog.NewJSONHandler(os.Stderr, nil))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	srv, err := refserver.New(ctx, cfg)
	if err != nil {
		return err
	}
	defer srv.Close()
	return srv.ListenAndServe(ctx)
}

// flags defines the command's flags over cfg and keysFile. Each usage ends
// with the environment variable that sets the flag, "(env BANKKIT_...)".
func flags(cfg *refserver.Config, keysFile *string) *flag.FlagSet {
	fs := flag.NewFlagSet("refserver", flag.ContinueOnError)
	fs.StringVar(&cfg.Addr, "addr", ":8080", "listen address (env BANKKIT_ADDR)")
	fs.StringVar(&cfg.DatabaseURL, "database-url", "", "PostgreSQL URL; empty runs in memory (env BANKKIT_DATABASE_URL)")
	fs.StringVar(&cfg.AdminToken, "admin-token", "", "bootstrap admin bearer token, at least 32 characters, living -bootstrap-token-ttl from its first start; empty makes a random one at each start and logs it (env BANKKIT_ADMIN_TOKEN)")
	fs.DurationVar(&cfg.BootstrapTokenTTL, "bootstrap-token-ttl", refserver.DefaultBootstrapTokenTTL, "how long the bootstrap admin token lasts, at most 8h; negative issues none (env BANKKIT_BOOTSTRAP_TOKEN_TTL)")
	fs.StringVar(keysFile, "pii-keys-file", "", "file holding the customer-data keyring; or put the keyring itself in BANKKIT_PII_KEYS (env BANKKIT_PII_KEYS_FILE)")
	fs.StringVar(&cfg.TLSCertFile, "tls-cert", "", "TLS certificate file; with -tls-key serves HTTPS (env BANKKIT_TLS_CERT)")
	fs.StringVar(&cfg.TLSKeyFile, "tls-key", "", "TLS private key file (env BANKKIT_TLS_KEY)")
	fs.StringVar(&cfg.MetricsToken, "metrics-token", "", "bearer token the Prometheus scraper sends for /metrics, at least 32 characters (env BANKKIT_METRICS_TOKEN)")
	fs.BoolVar(&cfg.MetricsPublic, "metrics-public", false, "serve /metrics without a token (env BANKKIT_METRICS_PUBLIC)")
	fs.BoolVar(&cfg.OpenAPIPrivate, "openapi-private", false, "serve /openapi.json to signed-in callers only (env BANKKIT_OPENAPI_PRIVATE)")
	fs.BoolVar(&cfg.Demo, "demo", false, "seed a small demo bank: customers, accounts and four weeks of activity (env BANKKIT_DEMO)")
	fs.StringVar(&cfg.ClearingDir, "clearing-dir", "", "directory for outbound ISO 20022 clearing messages, created if missing; empty: $XDG_STATE_HOME/bankkit/clearing (or ~/.local/state/...) on a database, a temporary one in memory (env BANKKIT_CLEARING_DIR)")
	fs.BoolVar(&cfg.InterbankChannels, "interbank-channels", false, "route CNY payments to other banks through the CNAPS-like channels (large-value, bulk, online) with their hours, cut-offs and fees, instead of one clearing network (env BANKKIT_INTERBANK_CHANNELS)")
	fs.DurationVar(&cfg.SendDueInterval, "send-due-interval", 0, "send the inter-bank transfers that are due every interval (say 5s), one process at a time; 0: only by POST /v1/clearing/send-due (env BANKKIT_SEND_DUE_INTERVAL)")
	fs.StringVar(&cfg.RiskFilingDir, "risk-filing-dir", "", "directory the AML reports are filed to, created if missing; empty: filing is refused (env BANKKIT_RISK_FILING_DIR)")
	fs.BoolVar(&cfg.RiskObserver, "risk-observer", false, "evaluate the ledger's events with the risk rules in the background (env BANKKIT_RISK_OBSERVER)")
	fs.DurationVar(&cfg.RiskIndicatorInterval, "risk-indicator-interval", 0, "check the risk indicators every interval (say 5m); 0: only at end of day and on request (env BANKKIT_RISK_INDICATOR_INTERVAL)")
	fs.BoolVar(&cfg.RiskStarterRules, "risk-starter-rules", true, "publish risk's starter rules at the first start of a bank with no rule set, so movements are screened from the start; false leaves screening off until a rule set is published (env BANKKIT_RISK_STARTER_RULES)")
	fs.BoolVar(&cfg.MakerChecker, "maker-checker", true, "hold transfers, withdrawals and captures above an amount, reversals, freezes, staff creation and role changes for a second member of staff's approval (env BANKKIT_MAKER_CHECKER)")
	fs.BoolVar(&cfg.AuditAsyncCommit, "audit-async-commit", false, "append to the staff audit trail without waiting for PostgreSQL's disk flush: cheaper staff requests, and a database crash may lose the last records (env BANKKIT_AUDIT_ASYNC_COMMIT)")
	fs.Var(&rolesFlag{roles: &cfg.StaffSecondFactorRoles}, "staff-second-factor-roles", "staff roles that log in with a TOTP code, comma-separated, or none; empty: admin on PostgreSQL, none in memory (env BANKKIT_STAFF_SECOND_FACTOR_ROLES)")
	fs.IntVar(&cfg.DormancyDays, "dormancy-days", 365, "days without customer activity before end of day marks a demand account dormant; negative: never (env BANKKIT_DORMANCY_DAYS)")
	fs.IntVar(&cfg.DatabaseMaxConns, "db-max-conns", 32, "PostgreSQL connection pool size (env BANKKIT_DB_MAX_CONNS)")
	fs.DurationVar(&cfg.IdempotencyLease, "idempotency-lease", 30*time.Second, "how long a request holds its Idempotency-Key before a retry may take over (env BANKKIT_IDEMPOTENCY_LEASE)")
	fs.DurationVar(&cfg.ShutdownTimeout, "shutdown-timeout", 15*time.Second, "how long in-flight requests get on SIGINT/SIGTERM (env BANKKIT_SHUTDOWN_TIMEOUT)")
	return fs
}

var envInUsage = regexp.MustCompile(`\(env (BANKKIT_[A-Z0-9_]+)\)$`)

// envOf is the environment variable that sets f, as its usage names it.
func envOf(f *flag.Flag) string {
	if m := envInUsage.FindStringSubmatch(f.Usage); m != nil {
		return m[1]
	}
	return ""
}

// parse parses args, then sets each flag not given there from its
// environment variable, when that is set and not empty: flags win.
func parse(fs *flag.FlagSet, args []string, lookupEnv func(string) (string, bool)) error {
	if err := fs.Parse(args); err != nil {
		return err
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	var errs []error
	fs.VisitAll(func(f *flag.Flag) {
		env := envOf(f)
		v, ok := lookupEnv(env)
		if given[f.Name] || env == "" || !ok || v == "" {
			return
		}
		if err := fs.Set(f.Name, v); err != nil {
			errs = append(errs, fmt.Errorf("%s=%q: %w", env, v, err))
		}
	})
	return errors.Join(errs...)
}

// rolesFlag is -staff-second-factor-roles: "none" for no role, else roles
// separated by commas (refserver.Config.Validate names an unknown one).
type rolesFlag struct {
	roles *[]channel.Role
	raw   string
}

func (f *rolesFlag) String() string {
	if f == nil {
		return ""
	}
	return f.raw
}

func (f *rolesFlag) Get() any { return f.raw }

func (f *rolesFlag) Set(v string) error {
	f.raw = v
	v = strings.TrimSpace(v)
	switch v {
	case "":
		*f.roles = nil
	case "none":
		*f.roles = []channel.Role{}
	default:
		*f.roles = nil
		for _, r := range strings.Split(v, ",") {
			*f.roles = append(*f.roles, channel.Role(strings.TrimSpace(r)))
		}
	}
	return nil
}
