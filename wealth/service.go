package wealth

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/text"
)

// Service is the wealth subsystem's API: the catalogue and its NAVs,
// suitability, orders, holdings, income, the end-of-day step and
// reconciliation with the ledger. It is safe for concurrent use.
type Service struct {
	store     Store
	clock     calendar.Clock
	loc       *time.Location
	cal       *calendar.BusinessCalendar
	customers Customers
	ledger    Ledger
	quiz      *Questionnaire
	eodPage   int
	events    *event.Feed
	dates     BusinessDates
}

// BusinessDates is the bank's business-date source: the banking day the
// bank is open for, which its end of day moves on (*ledger.Service is
// one). Orders trade from it, assessments and statements are dated by it.
type BusinessDates interface {
	BusinessDate(ctx context.Context) (calendar.Date, error)
}

// WithBusinessDate sets the bank's business-date source. Without it the
// business date is the wall clock's date in the bank's time zone, which
// is right only for a bank whose end of day runs at midnight.
func WithBusinessDate(b BusinessDates) Option {
	return func(s *Service) error {
		if b == nil {
			return invalid("business_date", "must not be nil")
		}
		s.dates = b
		return nil
	}
}

// Option configures a Service. A bad option makes NewService fail.
type Option func(*Service) error

// WithClock sets the clock (default calendar.SystemClock).
func WithClock(c calendar.Clock) Option {
	return func(s *Service) error {
		if c == nil {
			return invalid("clock", "must not be nil")
		}
		s.clock = c
		return nil
	}
}

// WithLocation sets the bank's time zone: cut-offs and dates are read in
// it (default UTC).
func WithLocation(loc *time.Location) Option {
	return func(s *Service) error {
		if loc == nil {
			return invalid("location", "must not be nil")
		}
		s.loc = loc
		return nil
	}
}

// WithCalendar sets the bank's business calendar: products trade on its
// business days (default: Monday to Friday).
func WithCalendar(c *calendar.BusinessCalendar) Option {
	return func(s *Service) error {
		if c == nil {
			return invalid("calendar", "must not be nil")
		}
		s.cal = c
		return nil
	}
}

// WithCustomers sets the port to customers' KYC status; orders need it.
func WithCustomers(c Customers) Option {
	return func(s *Service) error { s.customers = c; return nil }
}

// WithLedger sets the port to the bank's ledger; orders need it.
func WithLedger(l Ledger) Option {
	return func(s *Service) error { s.ledger = l; return nil }
}

// WithQuestionnaire sets the risk questionnaire (default
// DefaultQuestionnaire).
func WithQuestionnaire(q *Questionnaire) Option {
	return func(s *Service) error {
		if q == nil || q.index == nil {
			return invalid("questionnaire", "must come from ParseQuestionnaire")
		}
		s.quiz = q
		return nil
	}
}

// WithEndOfDayPage sets how many orders or holdings the end of day reads
// at a time (default 500).
func WithEndOfDayPage(n int) Option {
	return func(s *Service) error {
		if n < 1 || n > 100000 {
			return invalid("eod_page", "must be 1-100000")
		}
		s.eodPage = n
		return nil
	}
}

// NewService returns a Service over store.
func NewService(store Store, opts ...Option) (*Service, error) {
	if store == nil {
		return nil, invalid("store", "must not be nil")
	}
	s := &Service{store: store, clock: calendar.SystemClock{}, loc: time.UTC, eodPage: 500}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	if s.cal == nil {
		cal, err := calendar.NewBusinessCalendar()
		if err != nil {
			return nil, err
		}
		s.cal = cal
	}
	if s.quiz == nil {
		s.quiz = DefaultQuestionnaire()
	}
	s.events = event.NewFeed(store.Events())
	return s, nil
}

// Questionnaire returns the risk questionnaire customers answer.
func (s *Service) Questionnaire() *Questionnaire { return s.quiz }

// businessDate is the bank's business date (see WithBusinessDate).
func (s *Service) businessDate(ctx context.Context) (calendar.Date, error) {
	if s.dates == nil {
		return calendar.Today(s.clock, s.loc), nil
	}
	d, err := s.dates.BusinessDate(ctx)
	if err != nil {
		return calendar.Date{}, fmt.Errorf("wealth: business date: %w", err)
	}
	return d, nil
}

// CreateProduct lists a product.
func (s *Service) CreateProduct(ctx context.Context, spec ProductSpec) (Product, error) {
	p := spec.product(NewID(), s.clock.Now())
	if err := p.Validate(); err != nil {
		return Product{}, err
	}
	if p.Type == ClosedEnded {
		for _, d := range []struct {
			name string
			d    calendar.Date
		}{{"establishment", p.Establishment}, {"maturity", p.Maturity}} {
			if !s.cal.IsBusinessDay(d.d) {
				return Product{}, invalid(d.name, "%s is not a business day", d.d)
			}
		}
	}
	today, err := s.businessDate(ctx)
	if err != nil {
		return Product{}, err
	}
	e, err := s.newEvent(EventProductCreated, p.CreatedAt, today, ProductChanged{ProductID: p.ID, Code: p.Code, Status: p.Status, Phase: p.Phase}, p.ID)
	if err != nil {
		return Product{}, err
	}
	if err := s.store.CreateProduct(ctx, p, e); err != nil {
		return Product{}, err
	}
	return p, nil
}

// Product returns a product.
func (s *Service) Product(ctx context.Context, id ID) (Product, error) {
	if id == NilID {
		return Product{}, invalid("product_id", "is required")
	}
	return s.store.Product(ctx, id)
}

// ProductByCode returns a product by its code.
func (s *Service) ProductByCode(ctx context.Context, code string) (Product, error) {
	if err := checkCode(code); err != nil {
		return Product{}, err
	}
	return s.store.ProductByCode(ctx, code)
}

// Products lists the catalogue in id order. With professional false,
// products for professional investors only are left out (what a retail
// customer sees).
func (s *Service) Products(ctx context.Context, page Page, professional bool) ([]Product, error) {
	page, err := page.normalize()
	if err != nil {
		return nil, err
	}
	ps, err := s.store.Products(ctx, page)
	if err != nil || professional {
		return ps, err
	}
	out := ps[:0]
	for _, p := range ps {
		if !p.ProfessionalOnly {
			out = append(out, p)
		}
	}
	return out, nil
}

// SetStatus changes a product's sales status (open, pause, close).
func (s *Service) SetStatus(ctx context.Context, id ID, to SalesStatus) (Product, error) {
	if !to.Valid() {
		return Product{}, invalid("status", "must be pre_sale, open, paused or closed")
	}
	today, err := s.businessDate(ctx)
	if err != nil {
		return Product{}, err
	}
	return s.store.UpdateProduct(ctx, id, func(p Product) (Product, []event.Envelope, error) {
		if p.Status == Closed && to != Closed {
			return p, nil, fmt.Errorf("%w: a closed product stays closed", ErrInvalidTransition)
		}
		p.Status = to
		e, err := s.newEvent(EventProductChanged, s.clock.Now(), today, ProductChanged{ProductID: p.ID, Code: p.Code, Status: p.Status, Phase: p.Phase}, p.ID)
		return p, []event.Envelope{e}, err
	})
}

// PublishNAV publishes a product's NAV for a business date. A zero or
// negative NAV, a date the product does not trade, or a second NAV for the
// date is refused. A cash-management product publishes its income per
// 10,000 units (NAV 1); its 7-day annualised yield is worked out from the
// last seven days' incomes (a day without a publication, a weekend or a
// holiday, carries the income of the day published after it, as the
// issuer publishes the income of the days it closed in one figure spread
// evenly: it must publish it so).
func (s *Service) PublishNAV(ctx context.Context, r NAVRequest) (NAV, error) {
	p, err := s.Product(ctx, r.ProductID)
	if err != nil {
		return NAV{}, err
	}
	today, err := s.businessDate(ctx)
	if err != nil {
		return NAV{}, err
	}
	n, e, err := s.buildNAV(ctx, p, r, today, nil)
	if err != nil {
		return NAV{}, err
	}
	if err := s.store.PublishNAV(ctx, n, e); err != nil {
		return NAV{}, err
	}
	return n, nil
}

// buildNAV checks a publication of product p and builds the NAV and its
// event; pending are NAVs about to be published with it (a file's
// earlier lines), which a cash-management yield counts as published.
func (s *Service) buildNAV(ctx context.Context, p Product, r NAVRequest, today calendar.Date, pending []NAV) (NAV, event.Envelope, error) {
	if !r.Date.Valid() {
		return NAV{}, event.Envelope{}, invalid("date", "is required")
	}
	if !s.cal.IsBusinessDay(r.Date) {
		return NAV{}, event.Envelope{}, invalid("date", "%s is not a trading day", r.Date)
	}
	if r.PublishedBy == "" || len(r.PublishedBy) > 100 {
		return NAV{}, event.Envelope{}, invalid("published_by", "must be 1-100 bytes")
	}
	if err := text.Line(ErrInvalidInput, "published_by", r.PublishedBy); err != nil {
		return NAV{}, event.Envelope{}, err
	}
	if r.AccumulatedNAV.IsNegative() || r.AccumulatedNAV.Exponent() < -NAVPlaces || r.AccumulatedNAV.GreaterThan(decimal.NewFromInt(1000000)) {
		return NAV{}, event.Envelope{}, invalid("accumulated_nav", "must be 0-1000000 with at most %d decimal places", NAVPlaces)
	}
	n := NAV{ProductID: p.ID, Date: r.Date, IncomePer10K: decimal.Zero, Yield7D: decimal.Zero, AccumulatedNAV: r.AccumulatedNAV,
		PublishedAt: s.clock.Now(), PublishedBy: r.PublishedBy}
	if p.Type == CashManagement {
		if !r.Value.IsZero() && !r.Value.Equal(decimal.NewFromInt(1)) {
			return NAV{}, event.Envelope{}, invalid("nav", "a cash-management product's NAV is 1")
		}
		if r.IncomePer10K.IsNegative() || r.IncomePer10K.Exponent() < -4 || r.IncomePer10K.GreaterThan(decimal.NewFromInt(100)) {
			return NAV{}, event.Envelope{}, invalid("income_per_10k", "must be 0-100 with at most 4 decimal places")
		}
		if r.IssuerYield7D.IsNegative() || r.IssuerYield7D.Exponent() < -6 || r.IssuerYield7D.GreaterThan(decimal.NewFromInt(1)) {
			return NAV{}, event.Envelope{}, invalid("yield_7d", "must be 0-1 (0.01734 is 1.734%%) with at most 6 decimal places")
		}
		n.Value, n.IncomePer10K, n.IssuerYield7D = decimal.NewFromInt(1), r.IncomePer10K, r.IssuerYield7D
		y, err := s.yield(ctx, p.ID, r.Date, r.IncomePer10K, pending)
		if err != nil {
			return NAV{}, event.Envelope{}, err
		}
		n.Yield7D = y
	} else {
		if !r.IncomePer10K.IsZero() {
			return NAV{}, event.Envelope{}, invalid("income_per_10k", "only for cash management")
		}
		if !r.IssuerYield7D.IsZero() {
			return NAV{}, event.Envelope{}, invalid("yield_7d", "only for cash management")
		}
		if !r.Value.IsPositive() {
			return NAV{}, event.Envelope{}, invalid("nav", "must be positive")
		}
		if r.Value.Exponent() < -NAVPlaces || r.Value.GreaterThan(decimal.NewFromInt(1000000)) {
			return NAV{}, event.Envelope{}, invalid("nav", "must have at most %d decimal places and be at most 1000000", NAVPlaces)
		}
		n.Value = r.Value
	}
	e, err := s.newEvent(EventNAVPublished, n.PublishedAt, today, NAVPublished{ProductID: p.ID, Date: n.Date, NAV: n.Value,
		IncomePer10K: n.IncomePer10K, Yield7D: n.Yield7D}, p.ID)
	if err != nil {
		return NAV{}, event.Envelope{}, err
	}
	return n, e, nil
}

// yield works out the 7-day yield ending on d. A publication covers the
// calendar days since the one before it (Monday's income per 10,000 is
// that of Saturday, Sunday and Monday together; a product's first covers
// its own day only); each covered day counts an equal share of it. Zero
// until publications cover the seven days d-6..d.
func (s *Service) yield(ctx context.Context, product ID, d calendar.Date, today decimal.Decimal, pending []NAV) (decimal.Decimal, error) {
	navs, err := s.store.NAVs(ctx, product, d.AddDays(-20), d.AddDays(-1))
	if err != nil {
		return decimal.Zero, err
	}
	for _, n := range pending {
		if n.ProductID == product && !n.Date.Before(d.AddDays(-20)) && n.Date.Before(d) {
			navs = append(navs, n)
		}
	}
	slices.SortFunc(navs, func(a, b NAV) int { return a.Date.Compare(b.Date) })
	navs = append(navs, NAV{Date: d, IncomePer10K: today})
	first := d.AddDays(-6)
	if navs[0].Date.After(first) {
		return decimal.Zero, nil
	}
	incomes := make([]decimal.Decimal, 0, 7)
	j := 0
	for day := first; !day.After(d); day = day.AddDays(1) {
		for navs[j].Date.Before(day) {
			j++
		}
		days := 1
		if j > 0 {
			days = navs[j].Date.DaysSince(navs[j-1].Date)
		}
		incomes = append(incomes, navs[j].IncomePer10K.DivRound(decimal.NewFromInt(int64(days)), 8))
	}
	return Yield7D(incomes)
}

// NAV returns a product's NAV for a date.
func (s *Service) NAV(ctx context.Context, product ID, d calendar.Date) (NAV, error) {
	if product == NilID {
		return NAV{}, invalid("product_id", "is required")
	}
	if !d.Valid() {
		return NAV{}, invalid("date", "is required")
	}
	return s.store.NAV(ctx, product, d)
}

// NAVHistory lists a product's NAVs from..to inclusive, oldest first (at
// most 366 days).
func (s *Service) NAVHistory(ctx context.Context, product ID, from, to calendar.Date) ([]NAV, error) {
	switch {
	case product == NilID:
		return nil, invalid("product_id", "is required")
	case !from.Valid():
		return nil, invalid("from", "is required")
	case !to.Valid() || to.Before(from):
		return nil, invalid("to", "must be on or after from")
	case to.DaysSince(from) > 366:
		return nil, invalid("to", "at most 366 days after from")
	}
	return s.store.NAVs(ctx, product, from, to)
}

// LatestNAV returns the product's latest NAV on or before d.
func (s *Service) LatestNAV(ctx context.Context, product ID, d calendar.Date) (NAV, error) {
	if product == NilID {
		return NAV{}, invalid("product_id", "is required")
	}
	return s.store.LatestNAV(ctx, product, d)
}

// Assess scores the customer's answers to the questionnaire and records
// the assessment, valid for the questionnaire's months from today.
func (s *Service) Assess(ctx context.Context, customer ID, answers map[string]string) (Assessment, error) {
	if customer == NilID {
		return Assessment{}, invalid("customer_id", "is required")
	}
	score, level, err := s.quiz.Score(answers)
	if err != nil {
		return Assessment{}, err
	}
	if err := s.checkCustomer(ctx, customer, false); err != nil {
		return Assessment{}, err
	}
	prof := false
	if old, err := s.store.Assessment(ctx, customer); err == nil {
		prof = old.Professional
	} else if !errors.Is(err, ErrNotFound) {
		return Assessment{}, err
	}
	today, err := s.businessDate(ctx)
	if err != nil {
		return Assessment{}, err
	}
	a := Assessment{ID: NewID(), CustomerID: customer, QuestionnaireID: s.quiz.ID, Answers: answers, Score: score, Level: level,
		Professional: prof, AssessedOn: today, Expires: today.AddMonths(s.quiz.ValidityMonths), CreatedAt: s.clock.Now()}
	e, err := s.newEvent(EventAssessed, a.CreatedAt, today, Assessed{CustomerID: customer, Level: level, Expires: a.Expires}, customer)
	if err != nil {
		return Assessment{}, err
	}
	return a, s.store.SaveAssessment(ctx, a, e)
}

// Certify marks (or unmarks) the customer as a professional investor on
// their current assessment: the desk's decision after checking the
// evidence. It needs an assessment.
func (s *Service) Certify(ctx context.Context, customer ID, professional bool) (Assessment, error) {
	a, err := s.Assessment(ctx, customer)
	if err != nil {
		return Assessment{}, err
	}
	today, err := s.businessDate(ctx)
	if err != nil {
		return Assessment{}, err
	}
	a.ID, a.Professional, a.CreatedAt = NewID(), professional, s.clock.Now()
	e, err := s.newEvent(EventAssessed, a.CreatedAt, today, Assessed{CustomerID: customer, Level: a.Level, Expires: a.Expires}, customer)
	if err != nil {
		return Assessment{}, err
	}
	return a, s.store.SaveAssessment(ctx, a, e)
}

// Assessment returns the customer's latest assessment.
func (s *Service) Assessment(ctx context.Context, customer ID) (Assessment, error) {
	if customer == NilID {
		return Assessment{}, invalid("customer_id", "is required")
	}
	return s.store.Assessment(ctx, customer)
}

// Refusals lists the customer's suitability refusals.
func (s *Service) Refusals(ctx context.Context, customer ID) ([]Refusal, error) {
	if customer == NilID {
		return nil, invalid("customer_id", "is required")
	}
	return s.store.Refusals(ctx, customer)
}

// Visible reports whether the customer may see the product: a product for
// professional investors only is hidden from the others (ErrNotFound).
func (s *Service) Visible(ctx context.Context, customer ID, p Product) error {
	if !p.ProfessionalOnly {
		return nil
	}
	a, err := s.store.Assessment(ctx, customer)
	if err == nil && a.Professional {
		return nil
	}
	if err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	return fmt.Errorf("%w: product %s", ErrNotFound, p.ID)
}

func (s *Service) checkCustomer(ctx context.Context, customer ID, kyc bool) error {
	if s.customers == nil {
		return nil
	}
	ok, err := s.customers.KYCVerified(ctx, customer)
	if err != nil {
		return err
	}
	if kyc && !ok {
		return fmt.Errorf("%w: the customer's KYC is not verified", ErrUnsuitable)
	}
	return nil
}

// suitable checks the customer may buy p on today, recording a refusal
// with its reason when not.
func (s *Service) suitable(ctx context.Context, customer ID, p Product, today calendar.Date) error {
	a, err := s.store.Assessment(ctx, customer)
	var reason string
	switch {
	case errors.Is(err, ErrNotFound):
		reason = "no risk assessment"
	case err != nil:
		return err
	case !a.Current(today):
		reason = fmt.Sprintf("the risk assessment expired on %s", a.Expires)
	case p.ProfessionalOnly && !a.Professional:
		return fmt.Errorf("%w: product %s", ErrNotFound, p.ID)
	case p.Risk > a.Level:
		reason = fmt.Sprintf("product risk %s is above the customer's level %s", p.RiskName(), a.LevelName())
	default:
		return nil
	}
	r := Refusal{ID: NewID(), CustomerID: customer, ProductID: p.ID, Reason: reason, At: s.clock.Now()}
	e, err := s.newEvent(EventPurchaseRefused, r.At, today, PurchaseRefused{CustomerID: customer, ProductID: p.ID, Reason: reason}, customer, p.ID)
	if err != nil {
		return err
	}
	if err := s.store.RecordRefusal(ctx, r, e); err != nil {
		return err
	}
	return fmt.Errorf("%w: %s", ErrUnsuitable, reason)
}
