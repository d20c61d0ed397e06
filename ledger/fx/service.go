package fx

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/text"
)

// Chart codes of the accounts FX posts to, made on demand in each
// currency that needs them.
const (
	// CodePosition: the FX position account of a currency, credit-normal
	// (a positive balance is a long position).
	CodePosition = "fx_position"
	// CodeIncome: realised spread income, in the home currency.
	CodeIncome = "fx_income"
	// CodeRevaluation: unrealised revaluation gain (loss when negative),
	// in the home currency.
	CodeRevaluation = "fx_revaluation"
	// CodePositionRevaluation: the home-currency adjustment of the
	// positions' value that revaluation books against CodeRevaluation.
	CodePositionRevaluation = "fx_position_revaluation"
)

var (
	positionAccount    = ledger.ChartAccount{Code: CodePosition, Name: "FX position", NormalSide: ledger.Credit}
	incomeAccount      = ledger.ChartAccount{Code: CodeIncome, Name: "FX spread income", NormalSide: ledger.Credit}
	revaluationAccount = ledger.ChartAccount{Code: CodeRevaluation, Name: "FX revaluation gain/loss", NormalSide: ledger.Credit}
	positionRevalue    = ledger.ChartAccount{Code: CodePositionRevaluation, Name: "FX position revaluation", NormalSide: ledger.Debit}
)

// journalScope prefixes the ledger idempotency keys of FX entries.
const journalScope = "fx"

// Defaults of the options.
const (
	DefaultQuoteTTL = 30 * time.Second
	DefaultHome     = money.CNY
)

// Quota is the annual conversion quota per person and side: at most Limit,
// in Currency equivalent, a calendar year. A zero Limit means no quota.
type Quota struct {
	Currency money.Currency
	Limit    decimal.Decimal
}

// DefaultQuota is SAFE's annual facilitation quota for individuals, USD
// 50,000 equivalent a year for purchases and for sales each (个人外汇管理办法
// 实施细则, 2007, art. 2).
func DefaultQuota() Quota {
	return Quota{Currency: money.USD, Limit: decimal.New(50000, 0)}
}

// Service converts between currencies over a ledger.Service. It is safe
// for concurrent use.
type Service struct {
	ledger *ledger.Service
	store  Store
	rates  RateSource
	clock  calendar.Clock
	home   money.Currency
	ttl    time.Duration
	quota  Quota
}

// Option configures a Service; NewService returns the error of a bad one.
type Option func(*Service) error

// WithClock sets the clock; give the ledger.Service's.
func WithClock(c calendar.Clock) Option {
	return func(s *Service) error {
		if c != nil {
			s.clock = c
		}
		return nil
	}
}

// WithHomeCurrency sets the currency every pair is quoted in, in which
// income and revaluation are booked (CNY by default).
func WithHomeCurrency(c money.Currency) Option {
	return func(s *Service) error {
		if !c.Valid() {
			return invalid("home_currency", fmt.Sprintf("unknown currency %q", c))
		}
		s.home = c
		return nil
	}
}

// WithQuoteTTL sets how long a quote is valid (1 second to 1 hour).
func WithQuoteTTL(d time.Duration) Option {
	return func(s *Service) error {
		if d < time.Second || d > time.Hour {
			return invalid("quote_ttl", "must be 1 second to 1 hour")
		}
		s.ttl = d
		return nil
	}
}

// WithQuota sets the annual quota per person (DefaultQuota by default; a
// zero Limit turns it off).
func WithQuota(q Quota) Option {
	return func(s *Service) error {
		if q.Limit.IsNegative() || (!q.Limit.IsZero() && !q.Currency.Valid()) {
			return invalid("quota", "needs a valid currency and a limit of zero or more")
		}
		s.quota = q
		return nil
	}
}

// WithRates sets the rate port quotes and conversions read, by default
// the Store's published rates. Revaluation still takes the closing mid
// from the rates published to the Store for the business date, so a feed
// plugged in here publishes its closing rates too.
func WithRates(r RateSource) Option {
	return func(s *Service) error {
		if r != nil {
			s.rates = r
		}
		return nil
	}
}

// NewService returns a Service posting through svc and keeping its records
// in store (usually the same backend as svc's).
func NewService(svc *ledger.Service, store Store, opts ...Option) (*Service, error) {
	if svc == nil || store == nil {
		return nil, invalid("fx", "needs a ledger.Service and a Store")
	}
	s := &Service{ledger: svc, store: store, rates: store, clock: calendar.SystemClock{},
		home: DefaultHome, ttl: DefaultQuoteTTL, quota: DefaultQuota()}
	for _, o := range opts {
		if o == nil {
			continue
		}
		if err := o(s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// Home returns the home currency.
func (s *Service) Home() money.Currency { return s.home }

// PublishRateRequest is the treasury's publication of one pair's rates.
type PublishRateRequest struct {
	Pair           Pair
	Mid, Buy, Sell decimal.Decimal
	Source         string
	BusinessDate   calendar.Date // zero: the ledger's business date
	PublishedAt    time.Time     // zero: now
}

// PublishRate stores a rate for a pair of a foreign currency against the
// home currency. ledger.ErrDuplicate when the pair has one published at
// the same instant.
func (s *Service) PublishRate(ctx context.Context, r PublishRateRequest) (Rate, error) {
	if err := s.checkPair(r.Pair); err != nil {
		return Rate{}, err
	}
	rate := Rate{ID: ledger.NewID(), Pair: r.Pair, Mid: r.Mid, Buy: r.Buy, Sell: r.Sell, Source: r.Source,
		BusinessDate: r.BusinessDate, PublishedAt: r.PublishedAt}
	if rate.PublishedAt.IsZero() {
		rate.PublishedAt = s.clock.Now()
	}
	rate.PublishedAt = rate.PublishedAt.UTC().Truncate(time.Microsecond) // what PostgreSQL keeps
	if rate.BusinessDate.IsZero() {
		d, err := s.ledger.BusinessDate(ctx)
		if err != nil {
			return Rate{}, err
		}
		rate.BusinessDate = d
	}
	if err := rate.Validate(); err != nil {
		return Rate{}, err
	}
	if err := s.store.PublishRate(ctx, rate); err != nil {
		return Rate{}, err
	}
	return rate, nil
}

// checkPair refuses a pair that is not foreign/home.
func (s *Service) checkPair(p Pair) error {
	if !p.Base.Valid() || !p.Quote.Valid() || p.Base == p.Quote {
		return invalid("pair", "must be two different ISO 4217 currencies")
	}
	if p.Quote != s.home {
		return invalid("pair", fmt.Sprintf("must be quoted in the home currency %s", s.home))
	}
	return nil
}

// RateAt returns the rate of pair in force at at (now when zero).
func (s *Service) RateAt(ctx context.Context, pair Pair, at time.Time) (Rate, error) {
	if err := s.checkPair(pair); err != nil {
		return Rate{}, err
	}
	if at.IsZero() {
		at = s.clock.Now()
	}
	return s.rates.RateAt(ctx, pair, at)
}

// Rates returns the rates of pair published for a business date, oldest
// first.
func (s *Service) Rates(ctx context.Context, pair Pair, date calendar.Date) ([]Rate, error) {
	if err := s.checkPair(pair); err != nil {
		return nil, err
	}
	if !date.Valid() {
		return nil, invalid("business_date", "is not a valid date")
	}
	return s.store.Rates(ctx, pair, date)
}

// pairOf returns the pair a conversion from a to b is priced at: the
// foreign one against home when either is home; for two foreign
// currencies a's pair and, as cross, b's, through the home currency.
func (s *Service) pairOf(a, b money.Currency) (pair Pair, cross *Pair, err error) {
	switch {
	case a == b:
		return Pair{}, nil, invalid("currency", "a conversion needs two different currencies")
	case a == s.home:
		return Pair{Base: b, Quote: a}, nil, nil
	case b == s.home:
		return Pair{Base: a, Quote: b}, nil, nil
	}
	return Pair{Base: a, Quote: s.home}, &Pair{Base: b, Quote: s.home}, nil
}

// crossRates reads the rates of both pairs of a cross conversion in force
// at at; ErrNoRate names the missing one.
func (s *Service) crossRates(ctx context.Context, pair, cross Pair, at time.Time) (Rate, Rate, error) {
	sold, err := s.rates.RateAt(ctx, pair, at)
	if err != nil {
		return Rate{}, Rate{}, fmt.Errorf("a %s/%s cross rate through %s needs %s: %w", pair.Base, cross.Base, s.home, pair, err)
	}
	bought, err := s.rates.RateAt(ctx, cross, at)
	if err != nil {
		return Rate{}, Rate{}, fmt.Errorf("a %s/%s cross rate through %s needs %s: %w", pair.Base, cross.Base, s.home, cross, err)
	}
	return sold, bought, nil
}

// QuoteRequest asks what Pays converts to in Receive.
type QuoteRequest struct {
	// OwnerID, when set, binds the quote to the accounts of one owner.
	OwnerID string
	Pays    money.Money
	Receive money.Currency
}

// Quote fixes the rate in force for a conversion of r.Pays, for the quote
// TTL.
func (s *Service) Quote(ctx context.Context, r QuoteRequest) (Quote, error) {
	if err := ledger.ValidateAmount("pays", r.Pays); err != nil {
		return Quote{}, err
	}
	if !r.Receive.Valid() {
		return Quote{}, invalid("receive", fmt.Sprintf("unknown currency %q", r.Receive))
	}
	if len(r.OwnerID) > 255 {
		return Quote{}, invalid("owner_id", "is too long")
	}
	if err := text.Line(ledger.ErrInvalidInput, "owner_id", r.OwnerID); err != nil {
		return Quote{}, err
	}
	pair, cross, err := s.pairOf(r.Pays.Currency, r.Receive)
	if err != nil {
		return Quote{}, err
	}
	now := s.clock.Now().UTC().Truncate(time.Microsecond)
	var rate Rate
	var p Pricing
	var leg *CrossLeg
	if cross != nil {
		var bought Rate
		if rate, bought, err = s.crossRates(ctx, pair, *cross, now); err != nil {
			return Quote{}, err
		}
		var l CrossLeg
		p, l, err = CrossPrice(rate, bought, r.Pays)
		leg = &l
	} else {
		if rate, err = s.rates.RateAt(ctx, pair, now); err != nil {
			return Quote{}, err
		}
		p, err = Price(rate, r.Pays)
	}
	if err != nil {
		return Quote{}, renamed(err, "amount", "pays")
	}
	q := Quote{ID: ledger.NewID(), OwnerID: r.OwnerID, Pair: pair, Side: p.Side, Pays: r.Pays, Receives: p.Receives,
		Rate: p.Rate, Mid: rate.Mid, RateID: rate.ID, Source: rate.Source, PublishedAt: rate.PublishedAt,
		CreatedAt: now, ExpiresAt: now.Add(s.ttl), Cross: leg}
	if err := s.store.SaveQuote(ctx, q); err != nil {
		return Quote{}, err
	}
	return q, nil
}

// ConvertRequest converts Amount out of FromAccountID into ToAccountID's
// currency, at the quote's rate when QuoteID is set, else at the rate in
// force.
type ConvertRequest struct {
	FromAccountID  ledger.ID
	ToAccountID    ledger.ID
	Amount         money.Money // debited from FromAccountID, in its currency
	QuoteID        ledger.ID
	Description    string
	IdempotencyKey string
	// ExternalRef is the client's own reference for the conversion: its
	// ledger entry carries it, so it is unique per client among entries
	// (ledger.ErrExternalRefTaken), found by ledger.Service.EntryByRef
	// and in the entry's ledger.entry_posted event.
	ExternalRef ledger.ExternalRef
}

func (r ConvertRequest) fingerprint() ledger.Fingerprint {
	parts := []string{"fx/convert", string(r.FromAccountID[:]), string(r.ToAccountID[:]),
		r.Amount.ValueString(), string(r.Amount.Currency), string(r.QuoteID[:]), r.Description}
	if !r.ExternalRef.IsZero() {
		// Only when set: a request without one keeps its fingerprint.
		parts = append(parts, "external_ref", r.ExternalRef.Client, r.ExternalRef.Ref)
	}
	return ledger.FingerprintOf(parts...)
}

// ConvertReceipt is a posted conversion and whether an earlier request
// with the same idempotency key posted it.
type ConvertReceipt struct {
	Conversion Conversion
	Replayed   bool
}

// Convert posts a conversion (see the package documentation). Errors:
// ledger.ErrInvalidInput (a field), ledger.ErrNotFound (an account or the
// quote, on its field), ledger.ErrCurrencyMismatch (the amount is not in
// the source account's currency), ErrNoRate, ErrQuoteExpired, ErrQuoteUsed,
// ErrQuotaExceeded, ErrConversionCancelled, ledger.ErrIdempotencyConflict,
// and the ledger's refusals of the entry (ErrInsufficientFunds,
// ErrAccountClosed, ...).
func (s *Service) Convert(ctx context.Context, r ConvertRequest) (ConvertReceipt, error) {
	if err := s.validate(r); err != nil {
		return ConvertReceipt{}, err
	}
	fp := r.fingerprint()
	if r.IdempotencyKey != "" {
		c, stored, err := s.store.ConversionByKey(ctx, r.IdempotencyKey)
		switch {
		case err == nil && stored != fp:
			return ConvertReceipt{}, ledger.ErrIdempotencyConflict
		case err == nil:
			c, err = s.post(ctx, c)
			return ConvertReceipt{Conversion: c, Replayed: true}, err
		case !errors.Is(err, ledger.ErrNotFound):
			return ConvertReceipt{}, err
		}
	}
	if err := s.refFree(ctx, r); err != nil {
		return ConvertReceipt{}, err
	}
	c, quota, err := s.price(ctx, r)
	if err != nil {
		return ConvertReceipt{}, err
	}
	c, replayed, err := s.store.BeginConversion(ctx, c, fp, quota)
	switch {
	case errors.Is(err, ErrQuoteUsed):
		return ConvertReceipt{}, fieldErr(ErrQuoteUsed, "quote_id", "was used by another conversion")
	case errors.Is(err, ErrQuotaExceeded):
		return ConvertReceipt{}, fieldErr(ErrQuotaExceeded, "amount", fmt.Sprintf("%s equivalent would take %s's %d %s quota past %s %s",
			quota.Amount, quota.OwnerID, quota.Year, quota.Side, quota.Limit, s.quota.Currency))
	case err != nil:
		return ConvertReceipt{}, err
	}
	c, err = s.post(ctx, c)
	return ConvertReceipt{Conversion: c, Replayed: replayed}, err
}

// refFree refuses a reference another entry of the client has before a
// quote or quota is taken, so such a conversion leaves no trace; the
// posting decides races (the entries' unique reference refuses the
// second, whose record is then cancelled and its quote and quota given
// back).
func (s *Service) refFree(ctx context.Context, r ConvertRequest) error {
	if r.ExternalRef.IsZero() {
		return nil
	}
	e, err := s.ledger.EntryByRef(ctx, r.ExternalRef)
	switch {
	case errors.Is(err, ledger.ErrNotFound):
		return nil
	case err != nil:
		return err
	}
	return ledger.RefTaken("entry", r.ExternalRef, e.ID)
}

func (s *Service) validate(r ConvertRequest) error {
	switch {
	case r.FromAccountID == ledger.NilID:
		return invalid("from_account_id", "is required")
	case r.ToAccountID == ledger.NilID:
		return invalid("to_account_id", "is required")
	case r.FromAccountID == r.ToAccountID:
		return invalid("to_account_id", "must differ from from_account_id")
	case len(r.Description) > ledger.MaxDescriptionLength:
		return invalid("description", "is too long")
	}
	if err := text.Line(ledger.ErrInvalidInput, "description", r.Description); err != nil {
		return err
	}
	if r.IdempotencyKey != "" {
		if err := ledger.ValidateIdempotencyKey(r.IdempotencyKey); err != nil {
			return err
		}
	}
	if err := r.ExternalRef.Validate("external_ref"); err != nil {
		return err
	}
	return ledger.ValidateAmount("amount", r.Amount)
}

// price builds the pending record of r: accounts, rate, pricing, quota.
func (s *Service) price(ctx context.Context, r ConvertRequest) (Conversion, QuotaCharge, error) {
	from, err := s.ledger.Account(ctx, r.FromAccountID)
	if err != nil {
		return Conversion{}, QuotaCharge{}, onField(err, "from_account_id")
	}
	to, err := s.ledger.Account(ctx, r.ToAccountID)
	if err != nil {
		return Conversion{}, QuotaCharge{}, onField(err, "to_account_id")
	}
	if from.Currency != r.Amount.Currency {
		return Conversion{}, QuotaCharge{}, fmt.Errorf("%w: amount in %s, account in %s", ledger.ErrCurrencyMismatch, r.Amount.Currency, from.Currency)
	}
	if from.Product == ledger.ProductInternal || to.Product == ledger.ProductInternal {
		return Conversion{}, QuotaCharge{}, invalid("from_account_id", "conversions are between customer accounts")
	}
	pair, cross, err := s.pairOf(from.Currency, to.Currency)
	if err != nil {
		return Conversion{}, QuotaCharge{}, err
	}
	now := s.clock.Now().UTC().Truncate(time.Microsecond)
	today, err := s.ledger.BusinessDate(ctx)
	if err != nil {
		return Conversion{}, QuotaCharge{}, err
	}
	c := Conversion{ID: ledger.NewID(), IdempotencyKey: r.IdempotencyKey, Status: Pending,
		FromAccountID: from.ID, ToAccountID: to.ID, OwnerID: from.OwnerID, Pair: pair,
		QuoteID: r.QuoteID, Description: r.Description, BusinessDate: today, CreatedAt: now, ExternalRef: r.ExternalRef}
	var rate, bought Rate
	if r.QuoteID != ledger.NilID {
		q, err := s.store.Quote(ctx, r.QuoteID)
		if err != nil {
			return Conversion{}, QuotaCharge{}, onField(err, "quote_id")
		}
		if q.OwnerID != "" && q.OwnerID != from.OwnerID {
			return Conversion{}, QuotaCharge{}, onField(ledger.ErrNotFound, "quote_id")
		}
		if q.Pair != pair || !q.Pays.Equal(r.Amount) || (q.Cross == nil) != (cross == nil) || cross != nil && q.Cross.Pair != *cross {
			return Conversion{}, QuotaCharge{}, invalid("quote_id", fmt.Sprintf("quotes %s paid for %s, not this conversion", q.Pays, q.Receives.Currency))
		}
		if now.After(q.ExpiresAt) {
			return Conversion{}, QuotaCharge{}, fieldErr(ErrQuoteExpired, "quote_id", fmt.Sprintf("expired at %s", q.ExpiresAt.Format(time.RFC3339)))
		}
		rate = Rate{ID: q.RateID, Pair: q.Pair, Mid: q.Mid, Buy: q.Rate, Sell: q.Rate, Source: q.Source, PublishedAt: q.PublishedAt}
		if q.Cross != nil {
			l := q.Cross
			bought = Rate{ID: l.RateID, Pair: l.Pair, Mid: l.Mid, Buy: l.Rate, Sell: l.Rate, Source: l.Source, PublishedAt: l.PublishedAt}
		}
	} else if cross != nil {
		if rate, bought, err = s.crossRates(ctx, pair, *cross, now); err != nil {
			return Conversion{}, QuotaCharge{}, err
		}
	} else if rate, err = s.rates.RateAt(ctx, pair, now); err != nil {
		return Conversion{}, QuotaCharge{}, err
	}
	var p Pricing
	if cross != nil {
		var leg CrossLeg
		if p, leg, err = CrossPrice(rate, bought, r.Amount); err != nil {
			return Conversion{}, QuotaCharge{}, err
		}
		c.Cross = &leg
	} else if p, err = Price(rate, r.Amount); err != nil {
		return Conversion{}, QuotaCharge{}, err
	}
	c.Side, c.Pays, c.Receives, c.Foreign, c.HomeAtMid, c.Income = p.Side, p.Pays, p.Receives, p.Foreign, p.HomeAtMid, p.Income
	c.Rate, c.Mid, c.RateID, c.Source, c.PublishedAt = p.Rate, rate.Mid, rate.ID, rate.Source, rate.PublishedAt
	var quota QuotaCharge
	c.QuotaAmount = money.Zero(s.home)
	// A cross conversion neither buys nor sells the home currency: it is
	// not 结售汇 and the annual quota does not count it.
	if s.quota.Limit.IsPositive() && from.OwnerID != "" && c.Cross == nil {
		eq, err := s.equivalent(ctx, c, now)
		if err != nil {
			return Conversion{}, QuotaCharge{}, err
		}
		c.QuotaAmount, c.QuotaYear = eq, today.Year
		quota = QuotaCharge{OwnerID: from.OwnerID, Year: today.Year, Side: c.Side, Amount: eq.Amount, Limit: s.quota.Limit}
	}
	return c, quota, nil
}

// equivalent is the conversion's foreign leg in the quota currency: the
// leg itself when it is in that currency, its home value at mid when the
// quota is in home currency, else the home value at mid divided by the
// quota currency's mid in force, half-even.
func (s *Service) equivalent(ctx context.Context, c Conversion, at time.Time) (money.Money, error) {
	q := s.quota.Currency
	switch q {
	case c.Foreign.Currency:
		return c.Foreign, nil
	case s.home:
		return c.HomeAtMid, nil
	}
	rate, err := s.rates.RateAt(ctx, Pair{Base: q, Quote: s.home}, at)
	if err != nil {
		return money.Money{}, fmt.Errorf("quota in %s: %w", q, err)
	}
	return money.Money{Amount: c.HomeAtMid.Amount.DivRound(rate.Mid, q.MinorUnits()+4).RoundBank(q.MinorUnits()), Currency: q}, nil
}

// post posts a recorded conversion's entry (again, harmlessly, when it is
// posted already) and marks it posted; a refused entry cancels the record.
func (s *Service) post(ctx context.Context, c Conversion) (Conversion, error) {
	if c.Status == Posted {
		return c, nil
	}
	req, err := s.entry(ctx, c)
	if err != nil {
		return Conversion{}, err
	}
	res, err := s.ledger.PostJournal(ctx, ledger.JournalBatch{Scope: journalScope, Entries: []ledger.JournalRequest{req}})
	if err != nil {
		return Conversion{}, err
	}
	if err := res[0].Err; err != nil {
		if cerr := s.store.CancelConversion(ctx, c.ID); cerr != nil {
			return Conversion{}, errors.Join(err, cerr)
		}
		return Conversion{}, err
	}
	done, err := s.store.FinishConversion(ctx, c.ID, res[0].Entry.ID)
	if errors.Is(err, ledger.ErrNotFound) {
		// A concurrent request with the same key saw the ledger refuse
		// the entry and cancelled the record; this one then posted it.
		// The record, quote and quota are released, so the entry must go
		// too: it is reversed, and the caller may try again.
		_, rerr := s.ledger.Reverse(ctx, ledger.ReversalRequest{EntryID: res[0].Entry.ID,
			Description: "FX conversion cancelled", IdempotencyKey: "fx-cancelled/" + c.ID.String()})
		return Conversion{}, errors.Join(ErrConversionCancelled, rerr)
	}
	return done, err
}

// entry is the ledger entry of c. It depends only on c and the chart, so
// a re-run builds the same entry and the ledger replays it.
func (s *Service) entry(ctx context.Context, c Conversion) (ledger.JournalRequest, error) {
	foreign, home := c.Pair.Base, c.Pair.Quote
	posF, err := s.chartID(ctx, foreign, positionAccount)
	if err != nil {
		return ledger.JournalRequest{}, err
	}
	posH, err := s.chartID(ctx, home, positionAccount)
	if err != nil {
		return ledger.JournalRequest{}, err
	}
	var ps []ledger.Posting
	if c.Cross != nil {
		return s.crossEntry(ctx, c, posF, posH)
	}
	if c.Side == Sell {
		// The customer gives foreign, the bank's foreign position grows;
		// the bank pays home at the buy rate and books the spread.
		ps = []ledger.Posting{
			{AccountID: c.FromAccountID, Side: ledger.Debit, Amount: c.Foreign},
			{AccountID: posF, Side: ledger.Credit, Amount: c.Foreign},
			{AccountID: posH, Side: ledger.Debit, Amount: c.HomeAtMid},
			{AccountID: c.ToAccountID, Side: ledger.Credit, Amount: c.Receives},
		}
	} else {
		// The customer pays home at the sell rate; the bank gives foreign
		// out of its position.
		ps = []ledger.Posting{
			{AccountID: c.FromAccountID, Side: ledger.Debit, Amount: c.Pays},
			{AccountID: posH, Side: ledger.Credit, Amount: c.HomeAtMid},
			{AccountID: posF, Side: ledger.Debit, Amount: c.Foreign},
			{AccountID: c.ToAccountID, Side: ledger.Credit, Amount: c.Foreign},
		}
	}
	if c.Income.IsPositive() {
		inc, err := s.chartID(ctx, home, incomeAccount)
		if err != nil {
			return ledger.JournalRequest{}, err
		}
		ps = append(ps, ledger.Posting{AccountID: inc, Side: ledger.Credit, Amount: c.Income})
	}
	desc := c.Description
	if desc == "" {
		desc = fmt.Sprintf("FX %s %s %s at %s", c.Side, c.Foreign, c.Pair, c.Rate)
	}
	meta := map[string]string{
		"fx.conversion_id": c.ID.String(),
		"fx.pair":          c.Pair.String(),
		"fx.side":          string(c.Side),
		"fx.rate":          c.Rate.String(),
		"fx.mid":           c.Mid.String(),
		"fx.spread":        c.Rate.Sub(c.Mid).Abs().String(),
		"fx.income":        c.Income.ValueString(),
		"fx.rate_source":   c.Source,
		"fx.rate_time":     c.PublishedAt.UTC().Format(time.RFC3339Nano),
	}
	if c.QuoteID != ledger.NilID {
		meta["fx.quote_id"] = c.QuoteID.String()
	}
	return ledger.JournalRequest{Postings: ps, Description: desc, Metadata: meta, ValueDate: c.BusinessDate,
		IdempotencyKey: "conversion/" + c.ID.String(), ExternalRef: c.ExternalRef}, nil
}

// crossEntry is the entry of a cross conversion: the paid currency into
// its position at the customer's amount, the received one out of its
// position; in the home currency the two legs' values at mid meet in the
// home position account, which keeps only their difference, the spread,
// booked to income:
//
//	USD  debit  customer USD account   100.00
//	USD  credit fx_position USD        100.00
//	EUR  debit  fx_position EUR         90.44
//	EUR  credit customer EUR account    90.44
//	CNY  debit  fx_position CNY          9.57   (715.00 − 705.43)
//	CNY  credit fx_income CNY            9.57
func (s *Service) crossEntry(ctx context.Context, c Conversion, posF, posH ledger.ID) (ledger.JournalRequest, error) {
	leg := c.Cross
	posR, err := s.chartID(ctx, leg.Pair.Base, positionAccount)
	if err != nil {
		return ledger.JournalRequest{}, err
	}
	ps := []ledger.Posting{
		{AccountID: c.FromAccountID, Side: ledger.Debit, Amount: c.Foreign},
		{AccountID: posF, Side: ledger.Credit, Amount: c.Foreign},
		{AccountID: posR, Side: ledger.Debit, Amount: leg.Foreign},
		{AccountID: c.ToAccountID, Side: ledger.Credit, Amount: leg.Foreign},
	}
	if c.Income.IsPositive() {
		inc, err := s.chartID(ctx, c.Income.Currency, incomeAccount)
		if err != nil {
			return ledger.JournalRequest{}, err
		}
		ps = append(ps,
			ledger.Posting{AccountID: posH, Side: ledger.Debit, Amount: c.Income},
			ledger.Posting{AccountID: inc, Side: ledger.Credit, Amount: c.Income})
	}
	cross := Pair{Base: c.Foreign.Currency, Quote: leg.Foreign.Currency}
	desc := c.Description
	if desc == "" {
		desc = fmt.Sprintf("FX cross %s %s at %s through %s", cross, c.Foreign, leg.CrossRate, c.Pair.Quote)
	}
	meta := map[string]string{
		"fx.conversion_id":      c.ID.String(),
		"fx.pair":               cross.String(),
		"fx.side":               "cross",
		"fx.rate":               leg.CrossRate.String(),
		"fx.income":             c.Income.ValueString(),
		"fx.sold_pair":          c.Pair.String(),
		"fx.sold_rate":          c.Rate.String(),
		"fx.sold_mid":           c.Mid.String(),
		"fx.sold_rate_source":   c.Source,
		"fx.sold_rate_time":     c.PublishedAt.UTC().Format(time.RFC3339Nano),
		"fx.bought_pair":        leg.Pair.String(),
		"fx.bought_rate":        leg.Rate.String(),
		"fx.bought_mid":         leg.Mid.String(),
		"fx.bought_rate_source": leg.Source,
		"fx.bought_rate_time":   leg.PublishedAt.UTC().Format(time.RFC3339Nano),
	}
	if c.QuoteID != ledger.NilID {
		meta["fx.quote_id"] = c.QuoteID.String()
	}
	return ledger.JournalRequest{Postings: ps, Description: desc, Metadata: meta, ValueDate: c.BusinessDate,
		IdempotencyKey: "conversion/" + c.ID.String(), ExternalRef: c.ExternalRef}, nil
}

// chartID returns the chart account's id in c, made the first time it is
// needed. ChartAccountID answers from the ledger's cache without a read,
// which keeps the three lookups of every conversion off the store.
func (s *Service) chartID(ctx context.Context, c money.Currency, ca ledger.ChartAccount) (ledger.ID, error) {
	id, err := s.ledger.ChartAccountID(ctx, c, ca.Code)
	if errors.Is(err, ledger.ErrNotFound) {
		a, err := s.ledger.EnsureChartAccount(ctx, c, ca)
		return a.ID, err
	}
	return id, err
}

// Conversion returns a conversion record.
func (s *Service) Conversion(ctx context.Context, id ledger.ID) (Conversion, error) {
	if id == ledger.NilID {
		return Conversion{}, invalid("id", "is required")
	}
	return s.store.Conversion(ctx, id)
}

// QuotaUsed returns how much of the owner's quota for the year and side is
// used, in the quota currency.
func (s *Service) QuotaUsed(ctx context.Context, ownerID string, year int, side Side) (money.Money, error) {
	if ownerID == "" || !side.Valid() || year < 1 || year > 9999 {
		return money.Money{}, invalid("owner_id", "needs an owner, a year and a side")
	}
	if err := text.Line(ledger.ErrInvalidInput, "owner_id", ownerID); err != nil {
		return money.Money{}, err
	}
	used, err := s.store.QuotaUsed(ctx, ownerID, year, side)
	return money.Money{Amount: used, Currency: s.quota.Currency}, err
}

// renamed names a field error on from as on to: Price speaks of the
// amount, a quote request of what it pays.
func renamed(err error, from, to string) error {
	var fe *fault.FieldError
	if errors.As(err, &fe) && (fe.Field == from || strings.HasPrefix(fe.Field, from+".")) {
		return &fault.FieldError{Field: to + strings.TrimPrefix(fe.Field, from), Reason: fe.Reason, Err: fe.Err}
	}
	return err
}

// onField puts a not-found on the request field naming the object.
func onField(err error, field string) error {
	if errors.Is(err, ledger.ErrNotFound) {
		return fieldErr(ledger.ErrNotFound, field, "names nothing")
	}
	return err
}
