// Package memrisk is a risk.Store in memory: the fake for tests and the
// reference server's default. Aggregate state is kept per entity in time
// buckets, dropped once no window reaches them. One lock serialises the
// store, so every method is atomic.
package memrisk

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/internal/memoutbox"
	"github.com/bankkit/bankkit/risk"
)

type stateKey struct{ spec, key string }

type bucket struct {
	count int64
	sum   decimal.Decimal
	cps   map[string]struct{}
}

type state struct {
	buckets map[int64]*bucket
}

// Store is a risk.Store in memory, safe for concurrent use.
type Store struct {
	mu         sync.Mutex
	outbox     *memoutbox.Outbox[event.Envelope]
	sets       map[risk.ID]risk.RuleSet
	states     map[stateKey]*state
	decisions  map[risk.ID]risk.Decision
	byTx       map[risk.ID]risk.ID // transaction -> live decision
	byKey      map[string]risk.ID  // idempotency key -> live decision
	txDecs     map[risk.ID][]risk.ID
	order      []risk.ID // decisions by id (UUIDv7: by time of creation)
	snoozes    map[risk.ID]risk.Snooze
	alerts     map[risk.ID]risk.Alert
	cases      map[risk.ID]risk.Case
	openCase   map[string]risk.ID
	largeValue map[calendar.Date]risk.LargeValueReport
	suspicious map[risk.ID]risk.SuspiciousReport
	strByCase  map[risk.ID]risk.ID
	indicators map[risk.ID]risk.Indicator
	cursors    map[string]int64
}

var _ risk.Store = (*Store)(nil)

// New returns an empty Store.
func New() *Store {
	return &Store{
		outbox: memoutbox.New(risk.EventSource, memoutbox.Stored),
		sets:   map[risk.ID]risk.RuleSet{}, states: map[stateKey]*state{}, decisions: map[risk.ID]risk.Decision{},
		byTx: map[risk.ID]risk.ID{}, byKey: map[string]risk.ID{}, txDecs: map[risk.ID][]risk.ID{},
		snoozes: map[risk.ID]risk.Snooze{}, alerts: map[risk.ID]risk.Alert{}, cases: map[risk.ID]risk.Case{},
		openCase: map[string]risk.ID{}, largeValue: map[calendar.Date]risk.LargeValueReport{},
		suspicious: map[risk.ID]risk.SuspiciousReport{}, strByCase: map[risk.ID]risk.ID{}, indicators: map[risk.ID]risk.Indicator{},
		cursors: map[string]int64{},
	}
}

// Events implements risk.Store.
func (s *Store) Events() event.Log { return s.outbox }

func (s *Store) publish(events []event.Envelope) {
	for _, e := range events {
		s.outbox.Append(e.Clone())
	}
}

// clone deep-copies a value through JSON: what the store keeps never
// shares memory with what callers hold.
func clone[T any](v T) T {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprintf("memrisk: %v", err)) // every stored type marshals
	}
	var out T
	if err := json.Unmarshal(b, &out); err != nil {
		panic(fmt.Sprintf("memrisk: %v", err))
	}
	return out
}

func notFound(what string, id any) error { return fmt.Errorf("%w: %s %v", risk.ErrNotFound, what, id) }

// CreateRuleSet implements risk.Store.
func (s *Store) CreateRuleSet(_ context.Context, r risk.RuleSet, events ...event.Envelope) (risk.RuleSet, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.sets[r.ID]; ok {
		return risk.RuleSet{}, fmt.Errorf("%w: rule set %s", risk.ErrDuplicate, r.ID)
	}
	for _, o := range s.sets {
		r.Version = max(r.Version, o.Version)
	}
	r.Version++
	s.sets[r.ID] = clone(r)
	s.publish(withVersion(events, r.Version))
	return clone(r), nil
}

// withVersion sets the version in rule-set events made before it was
// known.
func withVersion(events []event.Envelope, v int) []event.Envelope {
	out := make([]event.Envelope, len(events))
	for i, e := range events {
		var p risk.RuleSetChanged
		if e.Type == risk.EventRuleSetChanged && json.Unmarshal(e.Payload, &p) == nil && p.Version == 0 {
			p.Version = v
			if b, err := json.Marshal(p); err == nil {
				e.Payload = b
			}
		}
		out[i] = e
	}
	return out
}

// UpdateRuleSet implements risk.Store.
func (s *Store) UpdateRuleSet(_ context.Context, id risk.ID, fn func(risk.RuleSet) (risk.RuleSet, []event.Envelope, error)) (risk.RuleSet, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.sets[id]
	if !ok {
		return risk.RuleSet{}, notFound("rule set", id)
	}
	r, events, err := fn(clone(old))
	if err != nil {
		return risk.RuleSet{}, err
	}
	s.sets[id] = clone(r)
	s.publish(events)
	return r, nil
}

// Promote implements risk.Store.
func (s *Store) Promote(_ context.Context, id risk.ID, to risk.Status, at time.Time, by string, events ...event.Envelope) (risk.RuleSet, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.sets[id]
	if !ok {
		return risk.RuleSet{}, notFound("rule set", id)
	}
	r, err := risk.Promoted(r, to, at, by)
	if err != nil {
		return risk.RuleSet{}, err
	}
	for oid, o := range s.sets {
		if oid == id {
			continue
		}
		if o.Status == to {
			s.sets[oid] = risk.Demoted(o, at)
		}
	}
	s.sets[id] = r
	s.publish(events)
	return clone(r), nil
}

// RuleSet implements risk.Store.
func (s *Store) RuleSet(_ context.Context, id risk.ID) (risk.RuleSet, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.sets[id]
	if !ok {
		return risk.RuleSet{}, notFound("rule set", id)
	}
	return clone(r), nil
}

// RuleSets implements risk.Store.
func (s *Store) RuleSets(_ context.Context, limit int) ([]risk.RuleSet, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]risk.RuleSet, 0, len(s.sets))
	for _, r := range s.sets {
		out = append(out, clone(r))
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Version > out[j].Version })
	if len(out) > limit {
		out = out[:limit]
	}
	return out, nil
}

// ActiveRuleSets implements risk.Store.
func (s *Store) ActiveRuleSets(_ context.Context) (live, shadow *risk.RuleSet, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.sets {
		switch r.Status {
		case risk.StatusPublished:
			c := clone(r)
			live = &c
		case risk.StatusShadow:
			c := clone(r)
			shadow = &c
		}
	}
	return live, shadow, nil
}

func cloneDecision(d risk.Decision) risk.Decision {
	d.Fired = slices.Clone(d.Fired)
	d.Failures = slices.Clone(d.Failures)
	d.Snoozed = slices.Clone(d.Snoozed)
	d.Figures = maps.Clone(d.Figures)
	return d
}

// Screen implements risk.Store.
func (s *Store) Screen(_ context.Context, sc risk.Screening) (risk.Decision, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.screen(sc)
}

// ScreenBatch implements risk.Store: the screenings one after the other
// under the lock, then the cursor. A Decide that fails midway (it cannot
// on the Service's screenings: they are checked before) leaves the ones
// before it kept and the cursor where it was.
func (s *Store) ScreenBatch(_ context.Context, b risk.Batch) ([]risk.Verdict, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]risk.Verdict, 0, len(b.Screenings))
	for _, sc := range b.Screenings {
		d, replayed, err := s.screen(sc)
		if err != nil {
			return nil, err
		}
		out = append(out, risk.Verdict{Decision: d, Replayed: replayed})
	}
	if b.Cursor != "" && b.Position > s.cursors[b.Cursor] {
		s.cursors[b.Cursor] = b.Position
	}
	return out, nil
}

// Cursor implements risk.Store.
func (s *Store) Cursor(_ context.Context, name string) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.cursors[name], nil
}

// screen is Screen with the lock held.
func (s *Store) screen(sc risk.Screening) (risk.Decision, bool, error) {
	if id, ok := s.byTx[sc.Transaction.ID]; ok {
		return cloneDecision(s.decisions[id]), true, nil
	}
	if sc.Key != "" {
		if id, ok := s.byKey[sc.Key]; ok {
			return cloneDecision(s.decisions[id]), true, nil
		}
	}
	// Reads first on a copy of what the records add, so that a refused
	// decision leaves the state as it was.
	figures := make([]risk.Figure, len(sc.Reads))
	pending := map[stateKey][]risk.Record{}
	for _, r := range sc.Records {
		k := stateKey{r.Spec, r.Key}
		pending[k] = append(pending[k], r)
	}
	for i, rd := range sc.Reads {
		f := risk.Figure{Sum: decimal.Zero}
		cps := map[string]struct{}{}
		if st := s.states[stateKey{rd.Spec, rd.Key}]; st != nil {
			for b, bk := range st.buckets {
				if b < rd.From || b > rd.To {
					continue
				}
				f.Count += bk.count
				f.Sum = f.Sum.Add(bk.sum)
				for cp := range bk.cps {
					cps[cp] = struct{}{}
				}
			}
		}
		for _, r := range pending[stateKey{rd.Spec, rd.Key}] {
			if r.Bucket >= rd.From && r.Bucket <= rd.To {
				f.Count++
				f.Sum = f.Sum.Add(r.Amount)
				if r.Distinct {
					cps[r.Counterparty] = struct{}{}
				}
			}
		}
		f.Distinct = int64(len(cps))
		figures[i] = f
	}
	out, err := sc.Decide(figures)
	if err != nil {
		return risk.Decision{}, false, err
	}
	if len(out.Decisions) == 0 {
		return risk.Decision{}, false, fmt.Errorf("memrisk: a screening decided nothing")
	}
	for _, r := range sc.Records {
		k := stateKey{r.Spec, r.Key}
		st := s.states[k]
		if st == nil {
			st = &state{buckets: map[int64]*bucket{}}
			s.states[k] = st
		}
		bk := st.buckets[r.Bucket]
		if bk == nil {
			bk = &bucket{sum: decimal.Zero}
			st.buckets[r.Bucket] = bk
			for b := range st.buckets { // drop what no window reaches
				if b <= r.Bucket-r.Keep-1 {
					delete(st.buckets, b)
				}
			}
		}
		bk.count++
		bk.sum = bk.sum.Add(r.Amount)
		if r.Distinct {
			if bk.cps == nil {
				bk.cps = map[string]struct{}{}
			}
			bk.cps[r.Counterparty] = struct{}{}
		}
	}
	live := out.Decisions[0]
	if out.Alert != nil {
		a := s.raise(*out.Alert, out.NewCase)
		live.AlertID = a.ID
		out.Decisions[0] = live
	}
	for _, d := range out.Decisions {
		s.decisions[d.ID] = cloneDecision(d)
		s.order = append(s.order, d.ID)
		s.txDecs[d.TransactionID] = append(s.txDecs[d.TransactionID], d.ID)
	}
	s.byTx[live.TransactionID] = live.ID
	if sc.Key != "" {
		s.byKey[sc.Key] = live.ID
	}
	s.publish(out.Events)
	return cloneDecision(live), false, nil
}

// raise stores an alert and files it in its customer's case. Call with
// the lock held.
func (s *Store) raise(a risk.Alert, newCase risk.Case) risk.Alert {
	if a.CustomerID != "" {
		cid, ok := s.openCase[a.CustomerID]
		if !ok {
			c := newCase
			c.CustomerID = a.CustomerID
			c.Alerts = nil
			s.cases[c.ID] = c
			s.openCase[a.CustomerID] = c.ID
			cid = c.ID
		}
		c := s.cases[cid]
		c.Alerts = append(slices.Clone(c.Alerts), a.ID)
		s.cases[cid] = c
		a.CaseID = cid
	}
	s.alerts[a.ID] = clone(a)
	return a
}

// Decision implements risk.Store.
func (s *Store) Decision(_ context.Context, id risk.ID) (risk.Decision, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	d, ok := s.decisions[id]
	if !ok {
		return risk.Decision{}, notFound("decision", id)
	}
	return cloneDecision(d), nil
}

// Decisions implements risk.Store.
func (s *Store) Decisions(_ context.Context, f risk.DecisionFilter) ([]risk.Decision, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	ids := s.order
	if f.TransactionID != risk.NilID {
		ids = s.txDecs[f.TransactionID]
	}
	match := func(d risk.Decision) bool {
		return (f.Version == 0 || d.Version == f.Version) && (f.Mode == "" || d.Mode == f.Mode) &&
			(f.Outcome == "" || d.Outcome == f.Outcome) && (f.Since.IsZero() || !d.DecidedAt.Before(f.Since)) &&
			(f.Until.IsZero() || d.DecidedAt.Before(f.Until))
	}
	var out []risk.Decision
	if f.After != risk.NilID {
		sorted := slices.Clone(ids)
		slices.SortFunc(sorted, func(a, b risk.ID) int { return compareID(a, b) })
		for _, id := range sorted {
			if compareID(id, f.After) > 0 && match(s.decisions[id]) {
				out = append(out, cloneDecision(s.decisions[id]))
				if len(out) == f.Limit {
					break
				}
			}
		}
		return out, nil
	}
	if f.Mode == risk.ModeShadow || f.Version != 0 {
		// Oldest first for a version's walk (Compare pages with After).
		sorted := slices.Clone(ids)
		slices.SortFunc(sorted, func(a, b risk.ID) int { return compareID(a, b) })
		for _, id := range sorted {
			if match(s.decisions[id]) {
				out = append(out, cloneDecision(s.decisions[id]))
				if len(out) == f.Limit {
					break
				}
			}
		}
		return out, nil
	}
	for i := len(ids) - 1; i >= 0; i-- {
		if d := s.decisions[ids[i]]; match(d) {
			out = append(out, cloneDecision(d))
			if len(out) == f.Limit {
				break
			}
		}
	}
	return out, nil
}

func compareID(a, b risk.ID) int {
	for i := range a {
		if a[i] != b[i] {
			if a[i] < b[i] {
				return -1
			}
			return 1
		}
	}
	return 0
}

// DayTransactions implements risk.Store.
func (s *Store) DayTransactions(_ context.Context, date calendar.Date) ([]risk.Transaction, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []risk.Transaction
	ids := slices.Clone(s.order)
	slices.SortFunc(ids, compareID)
	for _, id := range ids {
		d := s.decisions[id]
		if d.Mode != risk.ModeShadow && d.Transaction.BusinessDate == date && !(d.Mode == risk.ModeScreened && d.Outcome.Blocks()) {
			out = append(out, d.Transaction)
		}
	}
	return out, nil
}

// AddSnooze implements risk.Store.
func (s *Store) AddSnooze(_ context.Context, z risk.Snooze) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.snoozes[z.ID]; ok {
		return fmt.Errorf("%w: snooze %s", risk.ErrDuplicate, z.ID)
	}
	s.snoozes[z.ID] = z
	return nil
}

// Snoozes implements risk.Store.
func (s *Store) Snoozes(_ context.Context, at time.Time, entities ...string) ([]risk.Snooze, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []risk.Snooze{}
	for _, z := range s.snoozes {
		if z.Until.After(at) && (len(entities) == 0 || slices.Contains(entities, z.Entity)) {
			out = append(out, z)
		}
	}
	slices.SortFunc(out, func(a, b risk.Snooze) int { return compareID(a.ID, b.ID) })
	return out, nil
}

// DeleteSnooze implements risk.Store.
func (s *Store) DeleteSnooze(_ context.Context, id risk.ID) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.snoozes[id]; !ok {
		return notFound("snooze", id)
	}
	delete(s.snoozes, id)
	return nil
}

// RaiseAlert implements risk.Store.
func (s *Store) RaiseAlert(_ context.Context, a risk.Alert, newCase risk.Case, events ...event.Envelope) (risk.Alert, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.alerts[a.ID]; ok {
		return risk.Alert{}, fmt.Errorf("%w: alert %s", risk.ErrDuplicate, a.ID)
	}
	a = s.raise(a, newCase)
	s.publish(events)
	return clone(a), nil
}

// Alert implements risk.Store.
func (s *Store) Alert(_ context.Context, id risk.ID) (risk.Alert, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	a, ok := s.alerts[id]
	if !ok {
		return risk.Alert{}, notFound("alert", id)
	}
	return clone(a), nil
}

func page[T any](m map[risk.ID]T, id func(T) risk.ID, after risk.ID, limit int, match func(T) bool) []T {
	out := []T{}
	for _, v := range m {
		if compareID(id(v), after) > 0 && match(v) {
			out = append(out, v)
		}
	}
	slices.SortFunc(out, func(a, b T) int { return compareID(id(a), id(b)) })
	if len(out) > limit {
		out = out[:limit]
	}
	for i := range out {
		out[i] = clone(out[i])
	}
	return out
}

// Alerts implements risk.Store.
func (s *Store) Alerts(_ context.Context, f risk.AlertFilter) ([]risk.Alert, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return page(s.alerts, func(a risk.Alert) risk.ID { return a.ID }, f.After, f.Limit, func(a risk.Alert) bool {
		return (f.CustomerID == "" || a.CustomerID == f.CustomerID) && (f.CaseID == risk.NilID || a.CaseID == f.CaseID)
	}), nil
}

// Case implements risk.Store.
func (s *Store) Case(_ context.Context, id risk.ID) (risk.Case, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.cases[id]
	if !ok {
		return risk.Case{}, notFound("case", id)
	}
	return clone(c), nil
}

// Cases implements risk.Store.
func (s *Store) Cases(_ context.Context, f risk.CaseFilter) ([]risk.Case, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return page(s.cases, func(c risk.Case) risk.ID { return c.ID }, f.After, f.Limit, func(c risk.Case) bool {
		return (f.Status == "" || c.Status == f.Status) && (f.Assignee == "" || c.Assignee == f.Assignee) &&
			(f.CustomerID == "" || c.CustomerID == f.CustomerID)
	}), nil
}

// UpdateCase implements risk.Store.
func (s *Store) UpdateCase(_ context.Context, id risk.ID, fn func(risk.Case) (risk.Case, []event.Envelope, error)) (risk.Case, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.cases[id]
	if !ok {
		return risk.Case{}, notFound("case", id)
	}
	c, events, err := fn(clone(old))
	if err != nil {
		return risk.Case{}, err
	}
	c.Alerts = old.Alerts // alerts join a case only through RaiseAlert
	if c.Status == risk.CaseClosed && s.openCase[c.CustomerID] == c.ID {
		delete(s.openCase, c.CustomerID)
	}
	s.cases[id] = clone(c)
	s.publish(events)
	return clone(c), nil
}

// SaveLargeValueReport implements risk.Store.
func (s *Store) SaveLargeValueReport(_ context.Context, r risk.LargeValueReport, events ...event.Envelope) (risk.LargeValueReport, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if old, ok := s.largeValue[r.BusinessDate]; ok {
		return clone(old), false, nil
	}
	s.largeValue[r.BusinessDate] = clone(r)
	s.publish(events)
	return clone(r), true, nil
}

// LargeValueReport implements risk.Store.
func (s *Store) LargeValueReport(_ context.Context, date calendar.Date) (risk.LargeValueReport, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.largeValue[date]
	if !ok {
		return risk.LargeValueReport{}, notFound("large-value report", date)
	}
	return clone(r), nil
}

// MarkLargeValueFiled implements risk.Store.
func (s *Store) MarkLargeValueFiled(_ context.Context, date calendar.Date, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.largeValue[date]
	if !ok {
		return notFound("large-value report", date)
	}
	r.FiledAt = at
	s.largeValue[date] = r
	return nil
}

// SaveSuspiciousReport implements risk.Store.
func (s *Store) SaveSuspiciousReport(_ context.Context, r risk.SuspiciousReport, events ...event.Envelope) (risk.SuspiciousReport, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if id, ok := s.strByCase[r.CaseID]; ok {
		return clone(s.suspicious[id]), false, nil
	}
	s.suspicious[r.ID] = clone(r)
	s.strByCase[r.CaseID] = r.ID
	s.publish(events)
	return clone(r), true, nil
}

// SuspiciousReport implements risk.Store.
func (s *Store) SuspiciousReport(_ context.Context, id risk.ID) (risk.SuspiciousReport, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.suspicious[id]
	if !ok {
		return risk.SuspiciousReport{}, notFound("suspicious-transaction report", id)
	}
	return clone(r), nil
}

// MarkSuspiciousFiled implements risk.Store.
func (s *Store) MarkSuspiciousFiled(_ context.Context, id risk.ID, at time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r, ok := s.suspicious[id]
	if !ok {
		return notFound("suspicious-transaction report", id)
	}
	r.FiledAt = at
	s.suspicious[id] = r
	return nil
}

// CreateIndicator implements risk.Store.
func (s *Store) CreateIndicator(_ context.Context, i risk.Indicator) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, o := range s.indicators {
		if o.Name == i.Name || o.ID == i.ID {
			return fmt.Errorf("%w: indicator %s", risk.ErrDuplicate, i.Name)
		}
	}
	s.indicators[i.ID] = clone(i)
	return nil
}

// Indicator implements risk.Store.
func (s *Store) Indicator(_ context.Context, id risk.ID) (risk.Indicator, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.indicators[id]
	if !ok {
		return risk.Indicator{}, notFound("indicator", id)
	}
	return clone(i), nil
}

// Indicators implements risk.Store.
func (s *Store) Indicators(_ context.Context) ([]risk.Indicator, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []risk.Indicator{}
	for _, i := range s.indicators {
		out = append(out, clone(i))
	}
	slices.SortFunc(out, func(a, b risk.Indicator) int {
		switch {
		case a.Name < b.Name:
			return -1
		case a.Name > b.Name:
			return 1
		}
		return 0
	})
	return out, nil
}

// UpdateIndicator implements risk.Store.
func (s *Store) UpdateIndicator(_ context.Context, id risk.ID, fn func(risk.Indicator) (risk.Indicator, *risk.Alert, []event.Envelope, error)) (risk.Indicator, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.indicators[id]
	if !ok {
		return risk.Indicator{}, notFound("indicator", id)
	}
	i, a, events, err := fn(clone(old))
	if err != nil {
		return risk.Indicator{}, err
	}
	if a != nil {
		s.raise(*a, risk.Case{})
	}
	s.indicators[id] = clone(i)
	s.publish(events)
	return clone(i), nil
}
