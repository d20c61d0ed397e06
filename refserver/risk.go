package refserver

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/refserver/bank"
	"github.com/bankkit/bankkit/risk"
	"github.com/bankkit/bankkit/risk/pgrisk"
)

// Who may work transaction monitoring, cases, AML reports and indicators.
var riskOfficers = staff(channel.RoleAdmin, channel.RoleRiskOfficer)

// riskState is the reference server's wiring of risk: the service, the
// screener the ledger asks, and the observer of the ledger's events.
type riskState struct {
	svc     *risk.Service
	figures *figureRegistry
	lag     prometheus.Gauge
	seen    prometheus.Counter

	observeMu  sync.Mutex
	subscribed bool
	ledgerLog  event.Log // the ledger's outbox, where the observer's cursor is registered

	opts []risk.Option

	partyMu sync.Mutex
	parties map[ledger.ID]risk.Party
}

// riskServices builds risk over its store, with the built-in file filer
// and a figure registry the bank's subsystems publish into.
func (s *Server) riskServices(st stores) error {
	s.riskState.figures = newFigureRegistry()
	opts := []risk.Option{risk.WithClock(s.clock), risk.WithFigures(s.riskState.figures), risk.WithFXRates(fxRatesPort{s})}
	if s.cfg.RiskFilingDir != "" {
		f, err := risk.NewFileFiler(s.cfg.RiskFilingDir)
		if err != nil {
			return fmt.Errorf("refserver: risk filing directory: %w", err)
		}
		opts = append(opts, risk.WithFiler(f))
	}
	store := st.risk
	if s.cfg.RiskObserver && s.db != nil {
		// The observer evaluates again any posted movement whose
		// screening a crash lost, so screenings need not wait for the
		// disk (pgrisk.WithRelaxedCommit).
		store = pgrisk.New(s.db, pgrisk.WithRelaxedCommit())
	}
	var err error
	if s.riskState.svc, err = risk.NewService(store, opts...); err != nil {
		return fmt.Errorf("refserver: risk: %w", err)
	}
	s.riskState.opts = opts
	s.riskState.ledgerLog = st.ledger.Events()
	s.riskState.lag = prometheus.NewGauge(prometheus.GaugeOpts{Name: "bankkit_risk_observer_lag_seconds",
		Help: "Age of the last ledger event the risk observer evaluated when it evaluated it."})
	s.riskState.seen = prometheus.NewCounter(prometheus.CounterOpts{Name: "bankkit_risk_observed_total",
		Help: "Ledger movements the risk observer evaluated."})
	s.metrics.registry.MustRegister(s.riskState.lag, s.riskState.seen)
	s.registerFigures()
	return nil
}

// relaxRiskCommits makes risk's screenings on PostgreSQL commit without
// waiting for the disk, as with Config.RiskObserver (for benchmarks).
func (s *Server) relaxRiskCommits() error {
	if s.db == nil {
		return nil
	}
	svc, err := risk.NewService(pgrisk.New(s.db, pgrisk.WithRelaxedCommit()), s.riskState.opts...)
	if err != nil {
		return err
	}
	s.riskState.svc = svc
	return nil
}

// registerFigures publishes the figures the server can compute to the
// indicators: the FX open position per currency (ledger/fx), and the
// backlog of cases not closed (risk).
func (s *Server) registerFigures() {
	r := s.riskState.figures
	for _, c := range bank.Currencies {
		r.register("ledger.fx_open_position."+string(c), func(ctx context.Context) (decimal.Decimal, error) {
			ps, err := s.fx.Positions(ctx)
			if err != nil {
				return decimal.Zero, err
			}
			for _, p := range ps {
				if p.Open.Currency == c {
					return p.Open.Amount, nil
				}
			}
			return decimal.Zero, nil
		})
	}
	r.register("atm.reconciliation_differences", s.atmDifferences)
	s.registerBookFigures()
	r.register("risk.case_backlog", func(ctx context.Context) (decimal.Decimal, error) {
		st, err := s.riskState.svc.Stats(ctx)
		if err != nil {
			return decimal.Zero, err
		}
		return decimal.NewFromInt(int64(st.ByStatus[risk.CaseOpen] + st.ByStatus[risk.CaseInvestigating] + st.ByStatus[risk.CaseEscalated])), nil
	})
}

// riskScreener is the ledger's Screener: it turns a movement into a risk
// transaction (the accounts' owners and opening dates from the ledger's
// store) and screens it with the published rule set. A block refuses the
// posting; a review lets it post with an alert raised. Until the bank
// publishes a rule set, every movement passes unscreened.
type riskScreener struct {
	s        *Server
	accounts interface {
		Account(ctx context.Context, id ledger.ID) (ledger.Account, error)
	}
}

func (r *riskScreener) Screen(ctx context.Context, m ledger.ScreenedMovement) (ledger.Verdict, error) {
	svc := r.s.riskState.svc
	if svc == nil {
		return ledger.Verdict{}, nil
	}
	t, err := r.transaction(ctx, m.EntryID, m.Kind, m.From, m.To, m.Amount, m.BookedAt, m.ValueDate)
	if err != nil {
		return ledger.Verdict{}, err
	}
	t.Channel, t.Device = channelOf(ctx), screeningDevice(ctx)
	v, err := svc.Screen(ctx, t, m.IdempotencyKey)
	if errors.Is(err, risk.ErrNoRuleSet) {
		return ledger.Verdict{}, nil
	}
	if err != nil {
		return ledger.Verdict{}, err
	}
	if !v.Allowed() {
		return ledger.Verdict{Refuse: true, Reason: v.Decision.Reason() + " (decision " + v.Decision.ID.String() + ")"}, nil
	}
	return ledger.Verdict{}, nil
}

// channelOf names where a request came from: a customer's own login is
// "online" ("mobile" from a bound device), staff act at the "branch", an
// ATM's card holder at the "atm", the bank itself is "system".
func channelOf(ctx context.Context) string {
	if ch, ok := ctx.Value(screeningChannelKey{}).(string); ok {
		return ch
	}
	switch bank.CallerOf(ctx).Kind {
	case channel.KindCustomer:
		if screeningDevice(ctx) != "" {
			return "mobile"
		}
		return "online"
	case channel.KindStaff:
		return "branch"
	}
	return "system"
}

type (
	screeningDeviceKey  struct{}
	screeningChannelKey struct{}
)

// withScreeningDevice names the device a request came from (a customer's
// bound mobile device) for the screenings it makes.
func withScreeningDevice(ctx context.Context, device string) context.Context {
	if device == "" || len(device) > 128 {
		return ctx
	}
	return context.WithValue(ctx, screeningDeviceKey{}, device)
}

// withScreeningChannel names the channel of the screenings a request makes
// when its caller does not say it (an ATM's card holder).
func withScreeningChannel(ctx context.Context, ch string) context.Context {
	return context.WithValue(ctx, screeningChannelKey{}, ch)
}

// screeningDevice is the device the request came from, if known.
func screeningDevice(ctx context.Context) string {
	d, _ := ctx.Value(screeningDeviceKey{}).(string)
	return d
}

// party is what screening needs of an account: its owner, the owner's
// kind as the customer subsystem knows it, and the opening date, which
// never change, so they are remembered (up to maxParties accounts, then
// forgotten all at once) and a screening reads no account.
func (r *riskScreener) party(ctx context.Context, id ledger.ID) (risk.Party, error) {
	st := &r.s.riskState
	st.partyMu.Lock()
	p, ok := st.parties[id]
	st.partyMu.Unlock()
	if ok {
		return p, nil
	}
	a, err := r.accounts.Account(ctx, id)
	if err != nil {
		return risk.Party{}, err
	}
	if a.OwnerID != "" { // else the bank's own (vault cash): no party
		kind, err := r.s.customerKind(ctx, a.OwnerID)
		if err != nil {
			return risk.Party{}, err
		}
		p = risk.Party{Account: a.ID.String(), Customer: a.OwnerID, CustomerKind: kind, OpenedOn: a.OpenedOn}
	}
	st.partyMu.Lock()
	if st.parties == nil || len(st.parties) >= maxParties {
		st.parties = map[ledger.ID]risk.Party{}
	}
	st.parties[id] = p
	st.partyMu.Unlock()
	return p, nil
}

const maxParties = 100_000

// customerKind is an account owner's kind as the customer subsystem knows
// it: its customers are natural persons (identified by a resident id,
// passport, residence permit or driving licence), so a customer it knows
// is an individual; an owner it does not know (none, or no customer
// subsystem) is left unknown ("": the rules' default, individual).
func (s *Server) customerKind(ctx context.Context, owner string) (risk.CustomerKind, error) {
	if s.customer == nil {
		return "", nil
	}
	id, err := uuid.Parse(owner)
	if err != nil {
		return "", nil
	}
	if _, err := s.customer.Get(ctx, id); err != nil {
		if errors.Is(err, customer.ErrNotFound) {
			return "", nil
		}
		return "", err
	}
	return risk.Individual, nil
}

func (r *riskScreener) transaction(ctx context.Context, id ledger.ID, kind ledger.EntryKind, from, to ledger.ID,
	amount money.Money, at time.Time, day calendar.Date) (risk.Transaction, error) {
	fp, err := r.party(ctx, from)
	if err != nil {
		return risk.Transaction{}, err
	}
	tp, err := r.party(ctx, to)
	if err != nil {
		return risk.Transaction{}, err
	}
	t := risk.Transaction{ID: id, Amount: amount, From: fp, To: tp, At: at, BusinessDate: day}
	switch kind {
	case ledger.KindDeposit:
		t.Kind, t.Cash = risk.KindDeposit, true
	case ledger.KindWithdrawal:
		t.Kind, t.Cash = risk.KindWithdrawal, true
	case ledger.KindTransfer:
		t.Kind = risk.KindTransfer
	default:
		t.Kind = risk.KindOther
	}
	return t, nil
}

// observed turns one ledger event into the transaction it moved: a
// deposit, withdrawal or transfer between two accounts (ok false for any
// other event).
func (s *Server) observed(ctx context.Context, e event.Envelope) (risk.Transaction, bool, error) {
	if e.Type != ledger.EventEntryPosted {
		return risk.Transaction{}, false, nil
	}
	var p ledger.EntryPosted
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return risk.Transaction{}, false, fmt.Errorf("refserver: risk observer: entry %s: %w", e.ID, err)
	}
	if len(p.Postings) != 2 {
		return risk.Transaction{}, false, nil
	}
	var from, to ledger.ID
	for _, q := range p.Postings {
		if q.Side == ledger.Debit {
			from = q.AccountID
		} else {
			to = q.AccountID
		}
	}
	sc := &riskScreener{s: s, accounts: s.ledger}
	if p.Kind == ledger.KindJournal {
		return s.observedPaymentIn(ctx, sc, p, from, to)
	}
	if p.Kind != ledger.KindDeposit && p.Kind != ledger.KindWithdrawal && p.Kind != ledger.KindTransfer {
		return risk.Transaction{}, false, nil
	}
	t, err := sc.transaction(ctx, p.EntryID, p.Kind, from, to, p.Postings[0].Amount, p.BookedAt, p.ValueDate)
	if err != nil {
		return risk.Transaction{}, false, err
	}
	t.Channel = "observed"
	return t, true, nil
}

// observedPaymentIn is a payment received from another bank: clearing's
// journal entry crediting a customer's account from the bank's
// settlement account of the currency (an inbound credit, or a payment of
// the customer's sent back). The payer is outside the bank and not named
// in the event: an external party without an account. Any other journal
// entry (the bank's own postings) is not a payment (ok false).
func (s *Server) observedPaymentIn(ctx context.Context, sc *riskScreener, p ledger.EntryPosted, from, to ledger.ID) (risk.Transaction, bool, error) {
	amount := p.Postings[0].Amount
	settlement, err := s.settlementAccount(ctx, amount.Currency)
	if err != nil || settlement != from {
		return risk.Transaction{}, false, err
	}
	tp, err := sc.party(ctx, to)
	if err != nil || tp.Customer == "" {
		return risk.Transaction{}, false, err
	}
	t := risk.Transaction{ID: p.EntryID, Kind: risk.KindPaymentIn, Amount: amount, From: risk.Party{External: true}, To: tp,
		At: p.BookedAt, BusinessDate: p.ValueDate, Channel: "observed"}
	return t, true, nil
}

// settlementAccount is the ledger's settlement account of a currency
// (ledger.NilID when the bank has none yet); the ledger remembers it.
func (s *Server) settlementAccount(ctx context.Context, c money.Currency) (ledger.ID, error) {
	id, err := s.ledger.ChartAccountID(ctx, c, ledger.CodeSettlement)
	if errors.Is(err, ledger.ErrNotFound) {
		return ledger.NilID, nil
	}
	return id, err
}

// observerName is the risk observer's cursor on the ledger's events: in
// risk's store, moved with each batch's decisions, and registered in the
// ledger's outbox (moved after each batch) so that pruning waits for it.
const observerName = "risk"

// deliverToRisk evaluates what the observer has not yet evaluated: the
// ledger's events (deliverLedgerToRisk) and the staff audit trail's
// records (deliverStaffToRisk). It returns how many of each.
func (s *Server) deliverToRisk(ctx context.Context) (int, int, error) {
	n, err := s.deliverLedgerToRisk(ctx)
	if err != nil {
		return n, 0, err
	}
	m, err := s.deliverStaffToRisk(ctx)
	return n, m, err
}

// deliverLedgerToRisk evaluates the ledger's events after the observer's cursor,
// a page (event.PageSize) at a time: each page is one risk.ObserveBatch,
// whose decisions, alerts, counts and cursor move are one transaction. It
// returns how many movements it evaluated.
func (s *Server) deliverLedgerToRisk(ctx context.Context) (int, error) {
	st := &s.riskState
	st.observeMu.Lock()
	defer st.observeMu.Unlock()
	log := st.ledgerLog
	if !st.subscribed && log != nil {
		if err := log.Register(ctx, observerName); err != nil {
			return 0, err
		}
		st.subscribed = true
	}
	cursor, err := st.svc.ObserverCursor(ctx, observerName)
	if err != nil {
		return 0, err
	}
	if cursor == 0 && log != nil {
		// Before its first batch: where the observer of single events
		// (which moved the ledger's cursor only) had got to.
		if cursor, err = log.Cursor(ctx, observerName); err != nil {
			return 0, err
		}
	}
	total := 0
	for {
		events, err := s.ledger.Events().Read(ctx, cursor, event.PageSize)
		if err != nil || len(events) == 0 {
			return total, err
		}
		ts := make([]risk.Transaction, 0, len(events))
		for _, e := range events {
			t, ok, err := s.observed(ctx, e)
			if err != nil {
				return total, err
			}
			if ok {
				ts = append(ts, t)
			}
		}
		last := events[len(events)-1]
		_, err = st.svc.ObserveBatch(ctx, observerName, last.Sequence, ts)
		if errors.Is(err, risk.ErrNoRuleSet) {
			// Nothing is screened until a rule set is published: the
			// page is passed over.
			_, err = st.svc.ObserveBatch(ctx, observerName, last.Sequence, nil)
			ts = nil
		}
		if err != nil {
			return total, err
		}
		cursor = last.Sequence
		total += len(ts)
		st.seen.Add(float64(len(ts)))
		st.lag.Set(s.clock.Now().Sub(last.OccurredAt).Seconds())
		if log != nil {
			if err := log.Advance(ctx, observerName, cursor); err != nil {
				return total, err
			}
		}
		if len(events) < event.PageSize {
			return total, nil
		}
	}
}

// startRiskObserver evaluates the ledger's events every interval until
// ctx ends, when Config.RiskObserver is set.
func (s *Server) startRiskObserver(ctx context.Context, interval time.Duration) func() {
	if !s.cfg.RiskObserver {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			if _, _, err := s.deliverToRisk(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("risk observer", "error", err)
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return func() { cancel(); <-done }
}

// starterRulesBy is who the starter rules' version is created and
// published by.
const starterRulesBy = "system:starter-rules"

// seedStarterRules publishes risk.StarterRules as version 1 when
// Config.RiskStarterRules is set and the bank has no rule-set version at
// all (its first start). A bank with any version, even a draft, is left
// as it is: the starter rules come once, and a bank that has rules of its
// own never gets them back.
func (s *Server) seedStarterRules(ctx context.Context) error {
	if !s.cfg.RiskStarterRules {
		return nil
	}
	svc := s.riskState.svc
	sets, err := svc.RuleSets(ctx, 1)
	if err != nil {
		return fmt.Errorf("refserver: risk starter rules: %w", err)
	}
	if len(sets) > 0 {
		return nil
	}
	v, err := svc.CreateDraft(ctx, risk.StarterRules(), starterRulesBy)
	if err != nil {
		return fmt.Errorf("refserver: risk starter rules: %w", err)
	}
	if _, err := svc.Publish(ctx, v.ID, starterRulesBy); err != nil {
		return fmt.Errorf("refserver: risk starter rules: %w", err)
	}
	s.log.Info("risk starter rules published", "version", v.Version, "rules", len(v.Rules))
	return nil
}

// startRiskIndicators checks the risk indicators every interval until ctx
// ends (Config.RiskIndicatorInterval; zero or less: never). A crossing is
// kept and alerted once by risk itself, so checking often raises nothing
// twice.
func (s *Server) startRiskIndicators(ctx context.Context, interval time.Duration) func() {
	if interval <= 0 {
		return func() {}
	}
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
			if _, err := s.riskState.svc.CheckIndicators(ctx); err != nil && ctx.Err() == nil {
				s.log.Warn("risk indicators", "error", err)
			}
		}
	}()
	return func() { cancel(); <-done }
}

// riskEndOfDay is the end-of-day step "risk.indicators": every indicator
// checked once more at the close of the business day. An indicator whose
// figure cannot be read stays as it was and is logged: it never stops the
// bank's close.
func (s *Server) riskEndOfDay(ctx context.Context, _ calendar.Date) error {
	if _, err := s.riskState.svc.CheckIndicators(ctx); err != nil {
		s.log.Warn("risk indicators at end of day", "error", err)
	}
	return nil
}

// figureRegistry is risk's Figures port over functions the server
// registers by name.
type figureRegistry struct {
	mu  sync.RWMutex
	fns map[string]func(context.Context) (decimal.Decimal, error)
}

func newFigureRegistry() *figureRegistry {
	return &figureRegistry{fns: map[string]func(context.Context) (decimal.Decimal, error){}}
}

func (r *figureRegistry) register(name string, fn func(context.Context) (decimal.Decimal, error)) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fns[name] = fn
}

// Figure implements risk.Figures.
func (r *figureRegistry) Figure(ctx context.Context, name string) (decimal.Decimal, error) {
	r.mu.RLock()
	fn, ok := r.fns[name]
	r.mu.RUnlock()
	if !ok {
		return decimal.Zero, fmt.Errorf("%w: no figure %s is published", risk.ErrNotFound, name)
	}
	return fn(ctx)
}

func (r *figureRegistry) names() []string {
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]string, 0, len(r.fns))
	for n := range r.fns {
		out = append(out, n)
	}
	slices.Sort(out)
	return out
}
