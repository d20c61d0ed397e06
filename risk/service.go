package risk

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/event"
)

// Figures is the port through which other parts of the bank publish the
// figures indicators watch ("ledger.fx_open_position.USD",
// "channel.failed_logins_1h"). The reference server registers one.
type Figures interface {
	// Figure returns a figure's current value; an unknown name wraps
	// ErrNotFound.
	Figure(ctx context.Context, name string) (decimal.Decimal, error)
}

// Service is risk's API: rule sets, screening, alerts and cases, AML
// reports and indicators. It is safe for concurrent use.
type Service struct {
	store      Store
	clock      calendar.Clock
	filer      Filer
	figures    Figures
	thresholds AMLThresholds
	fxRates    FXRates
	ttl        time.Duration
	events     *event.Feed

	mu     sync.Mutex
	cache  activeSets
	cached time.Time

	snoozeMu    sync.Mutex
	snoozes     []Snooze  // every snooze in force after snoozeFrom
	snoozeFrom  time.Time // zero: nothing cached
	snoozesRead time.Time
}

type activeSets struct {
	live, shadow *compiledSet
}

// Option configures a Service.
type Option func(*Service) error

// WithClock sets the clock (default calendar.SystemClock).
func WithClock(c calendar.Clock) Option {
	return func(s *Service) error {
		if c != nil {
			s.clock = c
		}
		return nil
	}
}

// WithFiler sets where AML reports are filed (default: none; filing is
// then refused with ErrUnavailable).
func WithFiler(f Filer) Option { return func(s *Service) error { s.filer = f; return nil } }

// WithFigures sets the source of the figures indicators watch.
func WithFigures(f Figures) Option { return func(s *Service) error { s.figures = f; return nil } }

// WithFXRates sets the port that converts foreign-currency transactions
// for the large-value report (default: none; they are then not counted).
func WithFXRates(r FXRates) Option { return func(s *Service) error { s.fxRates = r; return nil } }

// WithAMLThresholds sets the large-value thresholds (default
// PBoCThresholds).
func WithAMLThresholds(t AMLThresholds) Option {
	return func(s *Service) error {
		if !t.Currency.Valid() {
			return invalid("aml_thresholds.currency", "is not a known currency")
		}
		for _, d := range []decimal.Decimal{t.Cash, t.IndividualDomestic, t.IndividualCrossBorder, t.NonIndividual} {
			if !d.IsPositive() {
				return invalid("aml_thresholds", "every threshold must be positive")
			}
		}
		if f := t.Foreign; f != nil {
			if !f.Currency.Valid() || f.Currency == t.Currency {
				return invalid("aml_thresholds.foreign.currency", "is not a known currency other than the thresholds' own")
			}
			for _, d := range []decimal.Decimal{f.Cash, f.IndividualDomestic, f.IndividualCrossBorder, f.NonIndividual} {
				if !d.IsPositive() {
					return invalid("aml_thresholds.foreign", "every threshold must be positive")
				}
			}
		}
		s.thresholds = t
		return nil
	}
}

// WithRuleSetRefresh sets how long a Service trusts the rule sets it read
// (default one second): another process's publication is seen within it;
// this Service's own at once.
func WithRuleSetRefresh(d time.Duration) Option {
	return func(s *Service) error {
		if d < 0 {
			return invalid("refresh", "must not be negative")
		}
		s.ttl = d
		return nil
	}
}

// NewService returns a Service over store.
func NewService(store Store, opts ...Option) (*Service, error) {
	if store == nil {
		return nil, invalid("store", "is required")
	}
	s := &Service{store: store, clock: calendar.SystemClock{}, thresholds: PBoCThresholds, ttl: time.Second}
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

// Events is risk's event feed.
func (s *Service) Events() *event.Feed { return s.events }

func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

func newEvent(typ string, at time.Time, payload any, subjects ...ID) (event.Envelope, error) {
	return event.New(typ, EventVersion, at, payload, subjects...)
}

// Draft is what a rule-set version is made of.
type Draft struct {
	Description string      `json:"description,omitempty"`
	Rules       []Rule      `json:"rules"`
	Aggregates  []Aggregate `json:"aggregates,omitempty"`
	Thresholds  Thresholds  `json:"thresholds"`
	TimeZone    string      `json:"time_zone,omitempty"`
}

func (d Draft) ruleSet() RuleSet {
	return RuleSet{Description: d.Description, Rules: d.Rules, Aggregates: d.Aggregates, Thresholds: d.Thresholds, TimeZone: d.TimeZone}
}

// Check compiles a draft without saving it: nil, or the error saving it
// would return (a *RuleError with the position for a bad expression).
func (s *Service) Check(d Draft) error {
	_, err := compile(d.ruleSet())
	return err
}

// CreateDraft saves a new draft version after compiling it.
func (s *Service) CreateDraft(ctx context.Context, d Draft, by string) (RuleSet, error) {
	r := d.ruleSet()
	if r.TimeZone == "" {
		r.TimeZone = DefaultTimeZone
	}
	if _, err := compile(r); err != nil {
		return RuleSet{}, err
	}
	if err := shortText("by", by, maxShortText); err != nil {
		return RuleSet{}, err
	}
	now := s.now()
	r.ID, r.Status, r.CreatedBy, r.CreatedAt, r.UpdatedAt = NewID(), StatusDraft, by, now, now
	ev, err := newEvent(EventRuleSetChanged, now, RuleSetChanged{RuleSetID: r.ID, Status: StatusDraft, By: by}, r.ID)
	if err != nil {
		return RuleSet{}, err
	}
	return s.store.CreateRuleSet(ctx, r, ev)
}

// UpdateDraft replaces a draft's content after compiling it; only a draft
// can be edited (ErrInvalidTransition).
func (s *Service) UpdateDraft(ctx context.Context, id ID, d Draft, by string) (RuleSet, error) {
	r := d.ruleSet()
	if r.TimeZone == "" {
		r.TimeZone = DefaultTimeZone
	}
	if _, err := compile(r); err != nil {
		return RuleSet{}, err
	}
	now := s.now()
	return s.store.UpdateRuleSet(ctx, id, func(old RuleSet) (RuleSet, []event.Envelope, error) {
		if old.Status != StatusDraft {
			return RuleSet{}, nil, fmt.Errorf("%w: version %d is %s; only a draft is edited", ErrInvalidTransition, old.Version, old.Status)
		}
		r.ID, r.Version, r.Status, r.CreatedBy, r.CreatedAt, r.UpdatedAt = old.ID, old.Version, old.Status, old.CreatedBy, old.CreatedAt, now
		ev, err := newEvent(EventRuleSetChanged, now, RuleSetChanged{RuleSetID: r.ID, Version: r.Version, Status: r.Status, By: by}, r.ID)
		return r, []event.Envelope{ev}, err
	})
}

// Shadow runs a draft in shadow from now: on every screened transaction
// its outcome is recorded, not enforced. The shadow it replaces goes back
// to draft.
func (s *Service) Shadow(ctx context.Context, id ID, by string) (RuleSet, error) {
	return s.promote(ctx, id, StatusShadow, by)
}

// Publish makes a draft or shadow version the one that decides; the
// version published before is retired.
func (s *Service) Publish(ctx context.Context, id ID, by string) (RuleSet, error) {
	return s.promote(ctx, id, StatusPublished, by)
}

func (s *Service) promote(ctx context.Context, id ID, to Status, by string) (RuleSet, error) {
	if err := shortText("by", by, maxShortText); err != nil {
		return RuleSet{}, err
	}
	old, err := s.store.RuleSet(ctx, id)
	if err != nil {
		return RuleSet{}, err
	}
	if _, err := compile(old); err != nil { // a stored version always compiles; a newer library may disagree
		return RuleSet{}, err
	}
	now := s.now()
	ev, err := newEvent(EventRuleSetChanged, now, RuleSetChanged{RuleSetID: id, Version: old.Version, Status: to, By: by}, id)
	if err != nil {
		return RuleSet{}, err
	}
	r, err := s.store.Promote(ctx, id, to, now, by, ev)
	s.mu.Lock()
	s.cached = time.Time{}
	s.mu.Unlock()
	return r, err
}

// RuleSet returns a version.
func (s *Service) RuleSet(ctx context.Context, id ID) (RuleSet, error) {
	return s.store.RuleSet(ctx, id)
}

// RuleSets lists versions, newest first.
func (s *Service) RuleSets(ctx context.Context, limit int) ([]RuleSet, error) {
	return s.store.RuleSets(ctx, clampLimit(limit))
}

func clampLimit(n int) int {
	switch {
	case n <= 0:
		return 50
	case n > 500:
		return 500
	}
	return n
}

// active returns the compiled published and shadow versions.
func (s *Service) active(ctx context.Context) (activeSets, error) {
	s.mu.Lock()
	if !s.cached.IsZero() && s.clock.Now().Sub(s.cached) < s.ttl && s.clock.Now().Sub(s.cached) >= 0 {
		a := s.cache
		s.mu.Unlock()
		return a, nil
	}
	s.mu.Unlock()
	live, shadow, err := s.store.ActiveRuleSets(ctx)
	if err != nil {
		return activeSets{}, err
	}
	var a activeSets
	s.mu.Lock()
	defer s.mu.Unlock()
	if live != nil {
		if s.cache.live != nil && s.cache.live.set.ID == live.ID && s.cache.live.set.UpdatedAt.Equal(live.UpdatedAt) {
			a.live = s.cache.live
		} else if a.live, err = compile(*live); err != nil {
			return activeSets{}, err
		}
	}
	if shadow != nil {
		if s.cache.shadow != nil && s.cache.shadow.set.ID == shadow.ID && s.cache.shadow.set.UpdatedAt.Equal(shadow.UpdatedAt) {
			a.shadow = s.cache.shadow
		} else if a.shadow, err = compile(*shadow); err != nil {
			return activeSets{}, err
		}
	}
	s.cache, s.cached = a, s.clock.Now()
	return a, nil
}

// Screen screens a transaction before it posts, against the published
// version (and the shadow, recorded): it adds the transaction to the
// aggregates, decides, keeps the decision, and raises an alert for review
// and block and review. key is the caller's idempotency key (may be
// empty): a transaction screened before, by id or key, gets its first
// decision back and counts once.
func (s *Service) Screen(ctx context.Context, t Transaction, key string) (Verdict, error) {
	return s.screen(ctx, t, key, ModeScreened)
}

// Observe evaluates a transaction that has posted already (from the
// ledger's events): the same rules and aggregates as Screen, the outcome
// recorded and alerted but not enforced. A transaction screened before is
// not counted again.
func (s *Service) Observe(ctx context.Context, t Transaction) (Verdict, error) {
	return s.screen(ctx, t, "", ModeObserved)
}

func (s *Service) screen(ctx context.Context, t Transaction, key string, mode Mode) (Verdict, error) {
	sets, err := s.liveSets(ctx)
	if err != nil {
		return Verdict{}, err
	}
	sc, err := s.prepare(ctx, t, key, mode, sets)
	if err != nil {
		return Verdict{}, err
	}
	d, replayed, err := s.store.Screen(ctx, sc)
	if err != nil {
		return Verdict{}, err
	}
	return Verdict{Decision: d, Replayed: replayed}, nil
}

// liveSets returns the published version and, if any, the shadow
// (ErrNoRuleSet when none is published).
func (s *Service) liveSets(ctx context.Context) ([]*compiledSet, error) {
	act, err := s.active(ctx)
	if err != nil {
		return nil, err
	}
	if act.live == nil {
		return nil, ErrNoRuleSet
	}
	sets := []*compiledSet{act.live}
	if act.shadow != nil {
		sets = append(sets, act.shadow)
	}
	return sets, nil
}

// prepare checks a transaction and works out its screening: what it adds
// to the aggregates, what it reads, and how the figures turn into the
// decisions and the alert.
func (s *Service) prepare(ctx context.Context, t Transaction, key string, mode Mode, sets []*compiledSet) (Screening, error) {
	if err := t.Validate(); err != nil {
		return Screening{}, err
	}
	if len(key) > 300 {
		return Screening{}, invalid("key", "is longer than 300 bytes")
	}
	t.At = t.At.UTC().Truncate(time.Microsecond)
	p, err := planFor(t, sets...)
	if err != nil {
		// A failing aggregate filter fails that transaction's screening
		// as a whole: the aggregates would otherwise drift.
		return Screening{}, err
	}
	snoozes, err := s.snoozesFor(ctx, t)
	if err != nil {
		return Screening{}, err
	}
	snoozed := func(rule string) bool {
		for _, z := range snoozes {
			if z.Rule == rule {
				return true
			}
		}
		return false
	}
	now := s.now()
	decide := func(figures []Figure) (Decided, error) {
		var out Decided
		for i, cs := range sets {
			ev := cs.evaluate(p, i, figures, snoozed)
			d := Decision{ID: NewID(), TransactionID: t.ID, RuleSetID: cs.set.ID, Version: cs.set.Version, Mode: mode,
				Outcome: ev.outcome, Score: ev.score, Fired: ev.fired, Failures: ev.failures, Snoozed: ev.snoozed,
				Figures: ev.figures, Transaction: t, DecidedAt: now}
			if d.Fired == nil {
				d.Fired = []Fired{}
			}
			if i > 0 {
				d.Mode = ModeShadow
			}
			out.Decisions = append(out.Decisions, d)
		}
		live := &out.Decisions[0]
		if live.Outcome.Alerts() || (mode == ModeObserved && live.Outcome.Blocks()) {
			a := Alert{ID: NewID(), Source: SourceScreening, CustomerID: t.Customer(), DecisionID: live.ID,
				TransactionID: t.ID, Outcome: live.Outcome, Score: live.Score, RaisedAt: now,
				Summary: live.Reason()}
			for _, f := range live.Fired {
				a.Rules = append(a.Rules, f.Rule)
			}
			live.AlertID = a.ID
			out.Alert = &a
			out.NewCase = newCase(a.CustomerID, now)
			ev, err := newEvent(EventAlertRaised, now, AlertRaised{AlertID: a.ID, Source: a.Source, CustomerID: a.CustomerID,
				DecisionID: live.ID, TransactionID: t.ID, Outcome: live.Outcome}, a.ID)
			if err != nil {
				return Decided{}, err
			}
			out.Events = append(out.Events, ev)
		}
		return out, nil
	}
	return Screening{Transaction: t, Key: key, Records: p.records, Reads: p.reads, Decide: decide}, nil
}

func newCase(customer string, now time.Time) Case {
	return Case{ID: NewID(), CustomerID: customer, Status: CaseOpen, Alerts: []ID{}, Comments: []Comment{},
		Attachments: []Attachment{}, OpenedAt: now, UpdatedAt: now}
}

// Decision returns a decision: why a transaction was approved, sent for
// review or blocked.
func (s *Service) Decision(ctx context.Context, id ID) (Decision, error) {
	return s.store.Decision(ctx, id)
}

// Decisions lists decisions.
func (s *Service) Decisions(ctx context.Context, f DecisionFilter) ([]Decision, error) {
	f.Limit = clampLimit(f.Limit)
	return s.store.Decisions(ctx, f)
}

// Comparison is how a shadow version decided the transactions the live
// one decided, over a time range.
type Comparison struct {
	LiveVersion   int `json:"live_version"`
	ShadowVersion int `json:"shadow_version"`
	Transactions  int `json:"transactions"`
	Agreed        int `json:"agreed"`
	// Matrix counts transactions by live outcome, then shadow outcome.
	Matrix map[Outcome]map[Outcome]int `json:"matrix"`
	// Differences are the first transactions decided differently.
	Differences []Difference `json:"differences"`
	// Rules counts, per rule, how often it fired in each version.
	LiveFired   map[string]int `json:"live_fired"`
	ShadowFired map[string]int `json:"shadow_fired"`
}

// Difference is one transaction the two versions decided differently.
type Difference struct {
	TransactionID ID      `json:"transaction_id"`
	Live          Outcome `json:"live"`
	Shadow        Outcome `json:"shadow"`
	LiveScore     int     `json:"live_score"`
	ShadowScore   int     `json:"shadow_score"`
}

// MaxCompared bounds the decisions a comparison reads.
const MaxCompared = 100_000

// Compare reports how shadow version shadowVersion decided the
// transactions it ran on in [since, until), against the live decisions of
// the same transactions.
func (s *Service) Compare(ctx context.Context, shadowVersion int, since, until time.Time) (Comparison, error) {
	if shadowVersion < 1 {
		return Comparison{}, invalid("shadow_version", "is required")
	}
	if !until.IsZero() && !since.Before(until) {
		return Comparison{}, invalid("until", "must be after since")
	}
	shadow, err := s.pageAll(ctx, DecisionFilter{Version: shadowVersion, Mode: ModeShadow, Since: since, Until: until})
	if err != nil {
		return Comparison{}, err
	}
	c := Comparison{ShadowVersion: shadowVersion, Matrix: map[Outcome]map[Outcome]int{}, Differences: []Difference{},
		LiveFired: map[string]int{}, ShadowFired: map[string]int{}}
	for _, sd := range shadow {
		lives, err := s.store.Decisions(ctx, DecisionFilter{TransactionID: sd.TransactionID, Limit: 10})
		if err != nil {
			return Comparison{}, err
		}
		var live *Decision
		for i := range lives {
			if lives[i].Mode != ModeShadow {
				live = &lives[i]
			}
		}
		if live == nil {
			continue
		}
		c.LiveVersion = live.Version
		c.Transactions++
		if c.Matrix[live.Outcome] == nil {
			c.Matrix[live.Outcome] = map[Outcome]int{}
		}
		c.Matrix[live.Outcome][sd.Outcome]++
		for _, f := range live.Fired {
			c.LiveFired[f.Rule]++
		}
		for _, f := range sd.Fired {
			c.ShadowFired[f.Rule]++
		}
		if live.Outcome == sd.Outcome {
			c.Agreed++
		} else if len(c.Differences) < 100 {
			c.Differences = append(c.Differences, Difference{TransactionID: sd.TransactionID, Live: live.Outcome,
				Shadow: sd.Outcome, LiveScore: live.Score, ShadowScore: sd.Score})
		}
	}
	return c, nil
}

func (s *Service) pageAll(ctx context.Context, f DecisionFilter) ([]Decision, error) {
	var out []Decision
	f.Limit = 500
	for {
		page, err := s.store.Decisions(ctx, f)
		if err != nil {
			return nil, err
		}
		out = append(out, page...)
		if len(page) < f.Limit || len(out) >= MaxCompared {
			return out, nil
		}
		f.After = page[len(page)-1].ID
	}
}

// SnoozeRequest silences a rule for an entity for a time.
type SnoozeRequest struct {
	Rule   string        `json:"rule"`
	Entity string        `json:"entity"`
	For    time.Duration `json:"-"`
	Until  time.Time     `json:"until"`
	Reason string        `json:"reason,omitempty"`
}

// MaxSnooze is the longest a snooze lasts.
const MaxSnooze = 90 * 24 * time.Hour

// Snooze silences a rule for a customer or account until a time (at most
// MaxSnooze ahead).
func (s *Service) Snooze(ctx context.Context, r SnoozeRequest, by string) (Snooze, error) {
	now := s.now()
	if !namePattern.MatchString(r.Rule) {
		return Snooze{}, invalid("rule", "must name a rule")
	}
	if r.Entity == "" {
		return Snooze{}, invalid("entity", "is required: a customer or account id")
	}
	if err := shortText("entity", r.Entity, maxShortText); err != nil {
		return Snooze{}, err
	}
	if err := shortText("reason", r.Reason, 500); err != nil {
		return Snooze{}, err
	}
	until := r.Until
	if until.IsZero() && r.For > 0 {
		until = now.Add(r.For)
	}
	switch {
	case !until.After(now):
		return Snooze{}, invalid("until", "must be in the future")
	case until.Sub(now) > MaxSnooze:
		return Snooze{}, invalid("until", "must be within 90 days")
	}
	z := Snooze{ID: NewID(), Rule: r.Rule, Entity: r.Entity, Until: until.UTC().Truncate(time.Microsecond), Reason: r.Reason, By: by, At: now}
	defer s.forgetSnoozes()
	return z, s.store.AddSnooze(ctx, z)
}

// snoozeLookback is how far before the time they are read the cached
// snoozes reach: a transaction observed up to this late is checked against
// the cache, an older one against the store.
const snoozeLookback = 24 * time.Hour

// snoozesFor returns the snoozes in force for a transaction's entities at
// its time. Snoozes are read from the store at most once per refresh
// period (WithRuleSetRefresh), like the rule sets: this Service's own
// snoozes and unsnoozes are seen at once, another process's within the
// period.
func (s *Service) snoozesFor(ctx context.Context, t Transaction) ([]Snooze, error) {
	now := s.clock.Now()
	s.snoozeMu.Lock()
	fresh := !s.snoozeFrom.IsZero() && now.Sub(s.snoozesRead) < s.ttl && now.Sub(s.snoozesRead) >= 0
	all, from := s.snoozes, s.snoozeFrom
	s.snoozeMu.Unlock()
	if !fresh {
		from = now.Add(-snoozeLookback)
		var err error
		if all, err = s.store.Snoozes(ctx, from); err != nil {
			return nil, err
		}
		s.snoozeMu.Lock()
		s.snoozes, s.snoozeFrom, s.snoozesRead = all, from, now
		s.snoozeMu.Unlock()
	}
	entities := t.entities()
	if len(entities) == 0 {
		return nil, nil
	}
	if t.At.Before(from) {
		return s.store.Snoozes(ctx, t.At, entities...)
	}
	var out []Snooze
	for _, z := range all {
		if z.Until.After(t.At) && slices.Contains(entities, z.Entity) {
			out = append(out, z)
		}
	}
	return out, nil
}

func (s *Service) forgetSnoozes() {
	s.snoozeMu.Lock()
	s.snoozeFrom = time.Time{}
	s.snoozeMu.Unlock()
}

// Snoozes lists the snoozes in force.
func (s *Service) Snoozes(ctx context.Context) ([]Snooze, error) {
	return s.store.Snoozes(ctx, s.now())
}

// Unsnooze ends a snooze.
func (s *Service) Unsnooze(ctx context.Context, id ID) error {
	defer s.forgetSnoozes()
	return s.store.DeleteSnooze(ctx, id)
}

var errNoFiler = fmt.Errorf("%w: no filer is configured", ErrUnavailable)

func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
