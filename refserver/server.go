package refserver

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // PostgreSQL driver

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/clearing"
	"github.com/bankkit/bankkit/ledger/endofday"
	"github.com/bankkit/bankkit/ledger/fx"
	"github.com/bankkit/bankkit/refserver/bank"
	"github.com/bankkit/bankkit/refserver/closing"
	"github.com/bankkit/bankkit/refserver/idempotency"
	"github.com/bankkit/bankkit/risk/oprisk"
	"github.com/bankkit/bankkit/risk/oprisk/pgoprisk"
	"github.com/bankkit/bankkit/wealth"
)

// Server is a running bank: its storage, its services and its HTTP handler.
type Server struct {
	cfg     Config
	log     *slog.Logger
	clock   calendar.Clock
	db      *sqlx.DB // nil on in-memory storage
	metrics *metrics

	ledger  *ledger.Service
	eod     *endofday.Service
	closing *closing.Runner
	// runLease is the closing runner's lease store: the one-process-at-a-
	// time lock that end of day and the SendDue timer take.
	runLease closing.Store
	clearing *clearing.Service
	fx       *fx.Service
	fxDesk   *bank.FXDesk
	customer *customer.Service
	channel  *channel.Service
	online   *channel.Online
	fleet    *channel.Fleet
	notify   *notifications
	contact  *channel.Contact
	idem     idempotency.Store
	bank     *bank.Bank
	// loans is the bank's lending over credit, whose day is the ledger's
	// business date.
	loans *bank.LoanDesk
	// bankCalendar is the bank's business calendar (Saturday and Sunday
	// off): the ledger's end of day skips its other days, credit moves due
	// dates onto its business days.
	bankCalendar *calendar.BusinessCalendar
	wealth       *wealth.Service
	// wealthCalendar is the calendar wealth products trade on.
	wealthCalendar *calendar.BusinessCalendar
	// closeStores releases what the stores hold beyond the pool.
	closeStores func() error

	clearingDir     string // where the clearing network keeps its files
	tempClearingDir string // the same, when it is temporary: removed at Close

	riskState riskState // transaction monitoring (risk.go)

	loginLimiter *loginLimiter
	failedLogins loginFailures // the figure channel.failed_logins_last_hour
	tokens       *tokenCache
	routes       []route
	// oprisk enforces the permission catalogue, maker-checker and the
	// staff audit trail; byPermission finds a held request's route.
	oprisk       *oprisk.Service
	byPermission map[string]route
	mux          *http.ServeMux
	handler      http.Handler
}

// BootstrapAdmin is the username of the administrator the server creates
// at start to set up the real staff; it authenticates with the bootstrap
// token, short-lived and replaced at every start (Config.AdminToken).
const BootstrapAdmin = "admin"

// The log messages of the bootstrap token.
const (
	bootstrapIssued = "bootstrap admin token issued"
	bootstrapSpent  = "no bootstrap admin token"
)

// New builds the server: it opens the storage chosen by cfg (applying every
// subsystem's migrations on PostgreSQL), creates the services, makes sure
// the bootstrap administrator exists, and assembles the HTTP routes.
func New(ctx context.Context, cfg Config) (*Server, error) {
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("refserver: invalid configuration:\n%w", err)
	}
	s := &Server{cfg: cfg, log: cfg.Logger, clock: cfg.Clock, metrics: newMetrics(),
		loginLimiter: newLoginLimiter(6*time.Second, 20), tokens: newTokenCache()}
	if s.log == nil {
		s.log = slog.New(slog.NewJSONHandler(os.Stderr, nil))
	}
	if s.clock == nil {
		s.clock = calendar.SystemClock{}
	}
	keys, err := s.keyring()
	if err != nil {
		return nil, err
	}
	if err := s.start(ctx, keys); err != nil {
		return nil, err
	}
	return s, nil
}

// start opens the storage and builds the services and routes; on an error
// it releases whatever it opened.
func (s *Server) start(ctx context.Context, keys customer.Keyring) (err error) {
	cfg := s.cfg
	defer func() {
		if err != nil {
			s.Close()
		}
	}()

	var st stores
	if cfg.DatabaseURL != "" {
		var db *sqlx.DB
		if db, err = sqlx.ConnectContext(ctx, "postgres", cfg.DatabaseURL); err != nil {
			return fmt.Errorf("refserver: connect to PostgreSQL: %w", err)
		}
		// database/sql keeps only two idle connections by default: under
		// load every other request would open a new PostgreSQL backend and
		// prepare its statements again.
		db.SetMaxOpenConns(cfg.maxConns())
		db.SetMaxIdleConns(cfg.maxConns())
		db.SetConnMaxIdleTime(5 * time.Minute)
		var auditCommit []pgoprisk.Option
		if cfg.AuditAsyncCommit {
			auditCommit = append(auditCommit, pgoprisk.AsyncCommit())
		}
		if st, err = postgresStores(ctx, db, auditCommit...); err != nil {
			db.Close()
			return fmt.Errorf("refserver: %w", err)
		}
		s.db, s.closeStores = db, st.close
		s.log.Info("storage ready", "storage", "postgres")
	} else {
		st = memoryStores()
		s.log.Info("storage ready", "storage", "memory")
	}
	if err = s.services(st, keys); err != nil {
		return err
	}
	if err = s.checkKeys(ctx); err != nil {
		return err
	}
	for _, c := range bank.Currencies {
		if _, err = s.ledger.SetupChart(ctx, c); err != nil {
			return fmt.Errorf("refserver: chart of accounts for %s: %w", c, err)
		}
	}
	if err = s.bank.SetUpProducts(ctx); err != nil {
		return fmt.Errorf("refserver: %w", err)
	}
	if err = s.bootstrapAdmin(ctx); err != nil {
		return err
	}
	if cfg.Demo {
		var logins []string
		if logins, err = s.bank.SeedDemo(ctx, BootstrapAdmin); err != nil {
			return fmt.Errorf("refserver: demo data: %w", err)
		}
		s.log.Info("demo bank seeded", "customers", len(logins), "password", DemoPassword, "logins", fmt.Sprint(logins))
		if err = s.seedCreditDemo(ctx, st); err != nil {
			return fmt.Errorf("refserver: demo loans: %w", err)
		}
		s.log.Info("demo loans seeded", "states", fmt.Sprint(bank.DemoLoanStates()))
		if err = s.seedWealthDemo(ctx, s.wealthCalendar); err != nil {
			return fmt.Errorf("refserver: wealth demo: %w", err)
		}
		if err = s.seedATMDemo(ctx); err != nil {
			return fmt.Errorf("refserver: ATM demo: %w", err)
		}
		if err = s.seedContactDemo(ctx); err != nil {
			return fmt.Errorf("refserver: contact-centre demo: %w", err)
		}
	}
	if err = s.seedStarterRules(ctx); err != nil {
		return err
	}
	s.routes = s.allRoutes()
	if err = s.setUpOprisk(ctx, st.oprisk); err != nil {
		return err
	}
	s.handler = s.buildHandler()
	return nil
}

// keyring returns the configured PII keyring, or in memory an ephemeral
// one: the data it protects dies with the process anyway.
func (s *Server) keyring() (customer.Keyring, error) {
	if s.cfg.PIIKeyring != "" {
		k, err := customer.ParseKeyring(s.cfg.PIIKeyring)
		if err != nil {
			return nil, fmt.Errorf("refserver: PII keyring: %w", err)
		}
		return k, nil
	}
	k, err := customer.ParseKeyring("k1:" + base64.StdEncoding.EncodeToString(randomBytes(32)) +
		",index:" + base64.StdEncoding.EncodeToString(randomBytes(32)))
	if err != nil {
		return nil, err
	}
	s.log.Warn("no PII keyring configured: using an ephemeral one (fine in memory; set BANKKIT_PII_KEYS for a database)")
	return k, nil
}

// bootstrapAdmin makes sure the administrator exists and holds this
// start's bootstrap token, which ends the tokens of earlier starts. A
// configured token that was revoked or has expired is not brought back:
// the server starts without a bootstrap token and says so.
func (s *Server) bootstrapAdmin(ctx context.Context) error {
	ttl := s.cfg.bootstrapTokenTTL()
	if ttl < 0 {
		return s.revokeBootstrapTokens(ctx)
	}
	token := s.cfg.AdminToken
	generated := token == ""
	if generated {
		token = "bk_admin_" + randomBase64(32)
	}
	g, err := s.channel.EnsureBootstrapAdmin(ctx, BootstrapAdmin, token, ttl)
	switch {
	case !generated && errors.Is(err, channel.ErrDuplicate):
		s.log.Warn(bootstrapSpent, "reason", "the configured admin token (BANKKIT_ADMIN_TOKEN) was revoked or has expired, and a spent token is never brought back; set a new one, or none to have one generated")
		return nil
	case err != nil:
		return fmt.Errorf("refserver: bootstrap admin: %w", err)
	case generated:
		s.log.Warn(bootstrapIssued, "admin_token", token, "expires_at", g.ExpiresAt.UTC(),
			"use", "create staff users with passwords (POST /v1/staff); the next start revokes this token")
	default:
		s.log.Info("bootstrap admin token registered", "expires_at", g.ExpiresAt.UTC())
	}
	return nil
}

// revokeBootstrapTokens ends every bootstrap token and issues none.
func (s *Server) revokeBootstrapTokens(ctx context.Context) error {
	admin, err := s.channel.IdentityByUsername(ctx, BootstrapAdmin)
	if errors.Is(err, channel.ErrNotFound) {
		return nil
	}
	if err == nil {
		_, err = s.channel.RevokeAll(ctx, admin.ID)
	}
	if err != nil {
		return fmt.Errorf("refserver: revoking the bootstrap admin's tokens: %w", err)
	}
	s.log.Info(bootstrapSpent, "reason", "turned off (negative bootstrap token TTL)")
	return nil
}

func randomBytes(n int) []byte {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand does not fail on supported platforms
	}
	return b
}

func randomBase64(n int) string { return base64.RawURLEncoding.EncodeToString(randomBytes(n)) }

// Handler returns the server's HTTP handler (for tests and embedding).
func (s *Server) Handler() http.Handler { return s.handler }

// Close releases the storage, and removes the clearing directory when it
// was a temporary one.
func (s *Server) Close() error {
	var errs []error
	if s.closeStores != nil {
		errs = append(errs, s.closeStores())
	}
	if s.db != nil {
		errs = append(errs, s.db.Close())
	}
	if s.tempClearingDir != "" {
		errs = append(errs, os.RemoveAll(s.tempClearingDir))
	}
	return errors.Join(errs...)
}

// ListenAndServe serves on cfg.Addr (HTTPS when a certificate is
// configured) until ctx is cancelled, then stops accepting connections and
// waits up to ShutdownTimeout for in-flight requests to finish.
func (s *Server) ListenAndServe(ctx context.Context) error {
	srv := &http.Server{
		Addr:              s.cfg.Addr,
		Handler:           s.handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
	stopPurging := s.startPurging(ctx, replyPurgeInterval)
	defer stopPurging()
	stopRisk := s.startRiskObserver(ctx, time.Second)
	defer stopRisk()
	if s.cfg.SendDueInterval > 0 {
		t := time.NewTicker(s.cfg.SendDueInterval)
		stopSending := s.startSendingDue(ctx, t.C, nil)
		defer func() { stopSending(); t.Stop() }()
	}
	stopIndicators := s.startRiskIndicators(ctx, s.cfg.RiskIndicatorInterval)
	defer stopIndicators()
	stopContact := s.startContactScheduler(ctx, time.Minute)
	defer stopContact()
	stopNotifications := s.startNotificationScheduler(ctx, time.Second)
	defer stopNotifications()
	errc := make(chan error, 1)
	go func() {
		if s.cfg.TLSCertFile != "" {
			errc <- srv.ListenAndServeTLS(s.cfg.TLSCertFile, s.cfg.TLSKeyFile)
			return
		}
		errc <- srv.ListenAndServe()
	}()
	s.log.Info("listening", "addr", s.cfg.Addr, "tls", s.cfg.TLSCertFile != "")
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	timeout := s.cfg.ShutdownTimeout
	if timeout == 0 {
		timeout = 15 * time.Second
	}
	s.log.Info("shutting down", "timeout", timeout.String())
	shutdownCtx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		return fmt.Errorf("refserver: shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	s.log.Info("stopped")
	return nil
}

// allRoutes is the route table: every API endpoint the server serves.
func (s *Server) allRoutes() []route {
	var rs []route
	rs = append(rs, s.authRoutes()...)
	rs = append(rs, s.customerRoutes()...)
	rs = append(rs, s.complaintRoutes()...)
	rs = append(rs, s.accountRoutes()...)
	rs = append(rs, s.movementRoutes()...)
	rs = append(rs, s.journalRoutes()...)
	rs = append(rs, s.operationRoutes()...)
	rs = append(rs, s.endOfDayRoutes()...)
	rs = append(rs, s.clearingRoutes()...)
	rs = append(rs, s.fxRoutes()...)
	rs = append(rs, s.creditRoutes()...)
	rs = append(rs, s.riskRoutes()...)
	rs = append(rs, s.opriskRoutes()...)
	rs = append(rs, s.auditRoutes()...)
	rs = append(rs, s.onlineRoutes()...)
	rs = append(rs, s.contactRoutes()...)
	rs = append(rs, s.wealthRoutes()...)
	rs = append(rs, s.atmRoutes()...)
	return rs
}

func (s *Server) buildHandler() http.Handler {
	mux := http.NewServeMux()
	s.mux = mux
	mux.HandleFunc("GET /healthz", s.healthz)
	mux.HandleFunc("GET /readyz", s.readyz)
	mux.Handle("GET /metrics", s.metricsAccess(s.metrics.handler()))
	doc, err := json.MarshalIndent(openAPI(s.routes), "", "  ")
	if err != nil {
		panic(err) // the document is built from static types; a failure is a programming error
	}
	mux.Handle("GET /openapi.json", s.openAPIAccess(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeResponse(w, answer{http.StatusOK, "application/json", doc})
	})))
	for _, rt := range s.routes {
		rt.check()
		mux.Handle(rt.muxPattern(), s.serve(rt))
	}
	return s.withRequestLog(withSecurityHeaders(s.unmatchedAsProblems(mux)))
}

// unmatchedAsProblems answers requests no route matches in problem+json,
// like every other error: an unknown path is 404, a known path with the
// wrong method 405 with the mux's Allow header.
func (s *Server) unmatchedAsProblems(mux *http.ServeMux) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if h, pattern := mux.Handler(r); pattern == "" {
			probe := &statusProbe{header: http.Header{}}
			h.ServeHTTP(probe, r)
			if probe.status == http.StatusMethodNotAllowed {
				allow := probe.header.Get("Allow")
				w.Header().Set("Allow", allow)
				s.fail(w, r, fmt.Errorf("%w: %s is not served here; allowed: %s", errMethodNotAllowed, r.Method, allow))
				return
			}
			if probe.status == http.StatusNotFound {
				s.fail(w, r, fmt.Errorf("%w: no such endpoint: %s %s", errNotFound, r.Method, r.URL.Path))
				return
			}
		}
		mux.ServeHTTP(w, r)
	})
}

// statusProbe records what a handler would answer, writing nothing.
type statusProbe struct {
	header http.Header
	status int
}

func (p *statusProbe) Header() http.Header         { return p.header }
func (p *statusProbe) Write(b []byte) (int, error) { return len(b), nil }
func (p *statusProbe) WriteHeader(code int)        { p.status = code }

// healthz answers as long as the process serves HTTP.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{"status": "ok"})
}

// readyz answers 200 only when the storage can serve requests.
func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	if s.db != nil {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := s.db.PingContext(ctx); err != nil {
			s.log.WarnContext(r.Context(), "readiness check failed", "error", err)
			writeJSON(w, http.StatusServiceUnavailable, map[string]string{"status": "unavailable", "storage": "postgres"})
			return
		}
		writeJSON(w, http.StatusOK, map[string]string{"status": "ready", "storage": "postgres"})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"status": "ready", "storage": "memory"})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
