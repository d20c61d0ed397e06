package memledger

import (
	"context"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/fx"
	"github.com/bankkit/bankkit/money"
)

var _ fx.Store = (*Store)(nil)

// fxState holds the FX records under a lock of their own: they go with
// postings only through idempotency keys, never inside the posting lock.
type fxState struct {
	mu           sync.Mutex
	rates        map[fx.Pair][]fx.Rate // by PublishedAt, ascending
	quotes       map[ledger.ID]fx.Quote
	conversions  map[ledger.ID]*fxConversion
	byKey        map[string]ledger.ID
	quoteHolder  map[ledger.ID]ledger.ID // quote -> conversion
	quota        map[quotaKey]decimal.Decimal
	revaluations map[revalKey]fx.Revaluation
	// running are the Totals per currency, moved as conversions finish
	// and revaluations are recorded.
	running map[money.Currency]*fx.Totals
}

type fxConversion struct {
	c  fx.Conversion
	fp ledger.Fingerprint
}

type quotaKey struct {
	owner string
	year  int
	side  fx.Side
}

type revalKey struct {
	date     calendar.Date
	currency money.Currency
}

func newFXState() *fxState {
	return &fxState{
		rates: map[fx.Pair][]fx.Rate{}, quotes: map[ledger.ID]fx.Quote{},
		conversions: map[ledger.ID]*fxConversion{}, byKey: map[string]ledger.ID{},
		quoteHolder: map[ledger.ID]ledger.ID{}, quota: map[quotaKey]decimal.Decimal{},
		revaluations: map[revalKey]fx.Revaluation{}, running: map[money.Currency]*fx.Totals{},
	}
}

// fxLazy makes the FX records on first use, so a Store that never
// converts carries none.
type fxLazy struct {
	once  sync.Once
	state *fxState
}

// fx returns the FX records.
func (s *Store) fx() *fxState {
	s.fxRecords.once.Do(func() { s.fxRecords.state = newFXState() })
	return s.fxRecords.state
}

// PublishRate implements fx.Store.
func (s *Store) PublishRate(ctx context.Context, r fx.Rate) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := r.Validate(); err != nil {
		return err
	}
	st := s.fx()
	st.mu.Lock()
	defer st.mu.Unlock()
	list := st.rates[r.Pair]
	i, found := slices.BinarySearchFunc(list, r.PublishedAt, func(x fx.Rate, t time.Time) int { return x.PublishedAt.Compare(t) })
	if found {
		return ledger.ErrDuplicate
	}
	st.rates[r.Pair] = slices.Insert(list, i, r)
	return nil
}

// RateAt implements fx.RateSource.
func (s *Store) RateAt(ctx context.Context, pair fx.Pair, at time.Time) (fx.Rate, error) {
	if err := ctx.Err(); err != nil {
		return fx.Rate{}, err
	}
	st := s.fx()
	st.mu.Lock()
	defer st.mu.Unlock()
	list := st.rates[pair]
	i, found := slices.BinarySearchFunc(list, at, func(x fx.Rate, t time.Time) int { return x.PublishedAt.Compare(t) })
	if found {
		return list[i], nil
	}
	if i == 0 {
		return fx.Rate{}, fx.ErrNoRate
	}
	return list[i-1], nil
}

// Rates implements fx.Store.
func (s *Store) Rates(ctx context.Context, pair fx.Pair, date calendar.Date) ([]fx.Rate, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	st := s.fx()
	st.mu.Lock()
	defer st.mu.Unlock()
	var out []fx.Rate
	for _, r := range st.rates[pair] {
		if r.BusinessDate == date {
			out = append(out, r)
		}
	}
	return out, nil
}

// SaveQuote implements fx.Store.
func (s *Store) SaveQuote(ctx context.Context, q fx.Quote) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	st := s.fx()
	st.mu.Lock()
	defer st.mu.Unlock()
	if _, ok := st.quotes[q.ID]; ok {
		return ledger.ErrDuplicate
	}
	st.quotes[q.ID] = q
	return nil
}

// Quote implements fx.Store.
func (s *Store) Quote(ctx context.Context, id ledger.ID) (fx.Quote, error) {
	if err := ctx.Err(); err != nil {
		return fx.Quote{}, err
	}
	st := s.fx()
	st.mu.Lock()
	defer st.mu.Unlock()
	q, ok := st.quotes[id]
	if !ok {
		return fx.Quote{}, ledger.ErrNotFound
	}
	return q, nil
}

// BeginConversion implements fx.Store.
func (s *Store) BeginConversion(ctx context.Context, c fx.Conversion, fp ledger.Fingerprint, quota fx.QuotaCharge) (fx.Conversion, bool, error) {
	if err := ctx.Err(); err != nil {
		return fx.Conversion{}, false, err
	}
	st := s.fx()
	st.mu.Lock()
	defer st.mu.Unlock()
	if c.IdempotencyKey != "" {
		if id, ok := st.byKey[c.IdempotencyKey]; ok {
			old := st.conversions[id]
			if old.fp != fp {
				return fx.Conversion{}, false, ledger.ErrIdempotencyConflict
			}
			return old.c, true, nil
		}
	}
	if _, ok := st.conversions[c.ID]; ok {
		return fx.Conversion{}, false, ledger.ErrDuplicate
	}
	if c.QuoteID != ledger.NilID {
		if _, taken := st.quoteHolder[c.QuoteID]; taken {
			return fx.Conversion{}, false, fx.ErrQuoteUsed
		}
	}
	qk := quotaKey{quota.OwnerID, quota.Year, quota.Side}
	if quota.Limit.IsPositive() {
		if st.quota[qk].Add(quota.Amount).GreaterThan(quota.Limit) {
			return fx.Conversion{}, false, fx.ErrQuotaExceeded
		}
		st.quota[qk] = st.quota[qk].Add(quota.Amount)
	}
	if c.QuoteID != ledger.NilID {
		st.quoteHolder[c.QuoteID] = c.ID
	}
	c.Status = fx.Pending
	st.conversions[c.ID] = &fxConversion{c: c, fp: fp}
	if c.IdempotencyKey != "" {
		st.byKey[c.IdempotencyKey] = c.ID
	}
	return c, false, nil
}

// FinishConversion implements fx.Store.
func (s *Store) FinishConversion(ctx context.Context, id, entryID ledger.ID) (fx.Conversion, error) {
	if err := ctx.Err(); err != nil {
		return fx.Conversion{}, err
	}
	st := s.fx()
	st.mu.Lock()
	defer st.mu.Unlock()
	rec, ok := st.conversions[id]
	if !ok {
		return fx.Conversion{}, ledger.ErrNotFound
	}
	if rec.c.Status == fx.Pending {
		rec.c.Status, rec.c.EntryID = fx.Posted, entryID
		for _, e := range rec.c.Effects() {
			t := st.runningOf(e.Currency)
			t.Position = t.Position.Add(e.Position)
			t.Carrying = t.Carrying.Add(e.Carrying)
			t.Income = t.Income.Add(e.Income)
		}
	}
	return rec.c, nil
}

// CancelConversion implements fx.Store.
func (s *Store) CancelConversion(ctx context.Context, id ledger.ID) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	st := s.fx()
	st.mu.Lock()
	defer st.mu.Unlock()
	rec, ok := st.conversions[id]
	if !ok || rec.c.Status != fx.Pending {
		return nil
	}
	c := rec.c
	delete(st.conversions, id)
	if c.IdempotencyKey != "" {
		delete(st.byKey, c.IdempotencyKey)
	}
	if c.QuoteID != ledger.NilID && st.quoteHolder[c.QuoteID] == id {
		delete(st.quoteHolder, c.QuoteID)
	}
	if !c.QuotaAmount.IsZero() {
		qk := quotaKey{c.OwnerID, c.QuotaYear, c.Side}
		st.quota[qk] = st.quota[qk].Sub(c.QuotaAmount.Amount)
	}
	return nil
}

// Conversion implements fx.Store.
func (s *Store) Conversion(ctx context.Context, id ledger.ID) (fx.Conversion, error) {
	if err := ctx.Err(); err != nil {
		return fx.Conversion{}, err
	}
	st := s.fx()
	st.mu.Lock()
	defer st.mu.Unlock()
	rec, ok := st.conversions[id]
	if !ok {
		return fx.Conversion{}, ledger.ErrNotFound
	}
	return rec.c, nil
}

// ConversionByKey implements fx.Store.
func (s *Store) ConversionByKey(ctx context.Context, key string) (fx.Conversion, ledger.Fingerprint, error) {
	if err := ctx.Err(); err != nil {
		return fx.Conversion{}, ledger.Fingerprint{}, err
	}
	st := s.fx()
	st.mu.Lock()
	defer st.mu.Unlock()
	id, ok := st.byKey[key]
	if !ok {
		return fx.Conversion{}, ledger.Fingerprint{}, ledger.ErrNotFound
	}
	rec := st.conversions[id]
	return rec.c, rec.fp, nil
}

// QuotaUsed implements fx.Store.
func (s *Store) QuotaUsed(ctx context.Context, ownerID string, year int, side fx.Side) (decimal.Decimal, error) {
	if err := ctx.Err(); err != nil {
		return decimal.Zero, err
	}
	st := s.fx()
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.quota[quotaKey{ownerID, year, side}], nil
}

// Totals implements fx.Store.
func (s *Store) Totals(ctx context.Context) ([]fx.Totals, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	st := s.fx()
	st.mu.Lock()
	defer st.mu.Unlock()
	return sortedTotals(st.running), nil
}

// runningOf returns the running totals of c, made at zero; the caller
// holds st.mu.
func (st *fxState) runningOf(c money.Currency) *fx.Totals {
	t, ok := st.running[c]
	if !ok {
		t = &fx.Totals{Currency: c}
		st.running[c] = t
	}
	return t
}

func sortedTotals(by map[money.Currency]*fx.Totals) []fx.Totals {
	out := make([]fx.Totals, 0, len(by))
	for _, t := range by {
		out = append(out, *t)
	}
	slices.SortFunc(out, func(a, b fx.Totals) int { return strings.Compare(string(a.Currency), string(b.Currency)) })
	return out
}

// RecomputeTotals implements fx.Store.
func (s *Store) RecomputeTotals(ctx context.Context) ([]fx.Totals, []fx.Totals, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	st := s.fx()
	st.mu.Lock()
	defer st.mu.Unlock()
	return st.recompute(), sortedTotals(st.running), nil
}

// recompute sums the posted conversions and the revaluations per foreign
// currency; the caller holds st.mu.
func (st *fxState) recompute() []fx.Totals {
	by := map[money.Currency]*fx.Totals{}
	get := func(c money.Currency) *fx.Totals {
		t, ok := by[c]
		if !ok {
			t = &fx.Totals{Currency: c}
			by[c] = t
		}
		return t
	}
	for _, rec := range st.conversions {
		c := rec.c
		if c.Status != fx.Posted {
			continue
		}
		for _, e := range c.Effects() {
			t := get(e.Currency)
			t.Position = t.Position.Add(e.Position)
			t.Carrying = t.Carrying.Add(e.Carrying)
			t.Income = t.Income.Add(e.Income)
		}
	}
	for _, r := range st.revaluations {
		t := get(r.Currency)
		t.Carrying = t.Carrying.Add(r.Gain)
	}
	return sortedTotals(by)
}

// Revalue implements fx.Store.
func (s *Store) Revalue(ctx context.Context, date calendar.Date, currency money.Currency, fn func(fx.Totals) (fx.Revaluation, error)) (fx.Revaluation, bool, error) {
	if err := ctx.Err(); err != nil {
		return fx.Revaluation{}, false, err
	}
	st := s.fx()
	st.mu.Lock()
	defer st.mu.Unlock()
	k := revalKey{date, currency}
	if r, ok := st.revaluations[k]; ok {
		return r, true, nil
	}
	t := fx.Totals{Currency: currency}
	if x, ok := st.running[currency]; ok {
		t = *x
	}
	r, err := fn(t)
	if err != nil {
		return fx.Revaluation{}, false, err
	}
	r.BusinessDate, r.Currency = date, currency
	st.revaluations[k] = r
	if !r.Gain.IsZero() {
		x := st.runningOf(currency)
		x.Carrying = x.Carrying.Add(r.Gain)
	}
	return r, false, nil
}

// SetRevaluationEntry implements fx.Store.
func (s *Store) SetRevaluationEntry(ctx context.Context, date calendar.Date, currency money.Currency, entryID ledger.ID) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	st := s.fx()
	st.mu.Lock()
	defer st.mu.Unlock()
	k := revalKey{date, currency}
	r, ok := st.revaluations[k]
	if !ok {
		return ledger.ErrNotFound
	}
	r.EntryID = entryID
	st.revaluations[k] = r
	return nil
}

// Revaluations implements fx.Store.
func (s *Store) Revaluations(ctx context.Context, date calendar.Date) ([]fx.Revaluation, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	st := s.fx()
	st.mu.Lock()
	defer st.mu.Unlock()
	var out []fx.Revaluation
	for k, r := range st.revaluations {
		if k.date == date {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b fx.Revaluation) int { return strings.Compare(string(a.Currency), string(b.Currency)) })
	return out, nil
}
