package credit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/text"
)

// Service is the credit subsystem's API: products, schedules,
// applications, eligibility, scoring and pricing. It is safe for
// concurrent use.
type Service struct {
	store          Store
	clock          calendar.Clock
	dates          BusinessDates
	loc            *time.Location
	cal            *calendar.BusinessCalendar
	authority      Authority
	customers      Customers
	bureau         Bureau
	behaviour      Behaviour
	ledger         Ledger
	card           *Scorecard
	pricing        Pricing
	buckets        DelinquencyBuckets
	eodPage        int
	eodWorkers     int
	eodPerLoan     bool
	eodNoQuiet     bool
	eodPagesAtOnce int
	nonAccrual     NonAccrual
	strategy       CollectionStrategy
	remind         Reminders
	risk           RiskSettings
	events         *event.Feed
	days           *calendar.BusinessCalendar // cal, or weekends only: counts step due dates
	// products caches products by id: a stored product never changes (the
	// Store has no update), so a read saves a round trip to the store on
	// every submission and score. A product update, when there is one,
	// must become a new product or clear this.
	products sync.Map
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

// WithBusinessDate sets the bank's business-date source (in the
// reference server, the ledger's business date, which the bank's end of
// day moves on). Credit's "today" comes from it: the dates of schedules,
// due dates, eligibility ages, approval steps, decisions, repayments,
// classification and the end of day. Actions stay stamped with the
// clock's time. Without it the business date is the clock's date in the
// Service's location, right only for a bank whose day turns at midnight.
func WithBusinessDate(b BusinessDates) Option {
	return func(s *Service) error {
		if b == nil {
			return invalid("business_date", "must not be nil")
		}
		s.dates = b
		return nil
	}
}

// WithLocation sets the time zone the business date is read in (default
// UTC).
func WithLocation(loc *time.Location) Option {
	return func(s *Service) error {
		if loc == nil {
			return invalid("location", "must not be nil")
		}
		s.loc = loc
		return nil
	}
}

// WithCalendar sets the business calendar due dates are moved onto
// (default: none, dates stay as they fall).
func WithCalendar(c *calendar.BusinessCalendar) Option {
	return func(s *Service) error { s.cal = c; return nil }
}

// WithAuthority sets the staff authority limits by role (default: none).
func WithAuthority(a Authority) Option {
	return func(s *Service) error {
		for role, limits := range a {
			if err := checkRole("authority", role); err != nil {
				return err
			}
			for _, l := range limits {
				if !l.Currency.Valid() || l.Amount.IsNegative() {
					return invalid("authority."+role, "must be non-negative amounts in ISO 4217 currencies")
				}
			}
		}
		s.authority = a
		return nil
	}
}

// WithCustomers sets the port to customers' KYC facts; Submit needs it.
func WithCustomers(c Customers) Option {
	return func(s *Service) error { s.customers = c; return nil }
}

// WithBureau sets the credit bureau; Score needs it.
func WithBureau(b Bureau) Option {
	return func(s *Service) error { s.bureau = b; return nil }
}

// WithBehaviour sets the source of behavioural features; without one,
// they are scored as missing.
func WithBehaviour(b Behaviour) Option {
	return func(s *Service) error { s.behaviour = b; return nil }
}

// WithLedger sets the port to the bank's ledger; accepting a contract,
// disbursing and repaying need it.
func WithLedger(l Ledger) Option {
	return func(s *Service) error { s.ledger = l; return nil }
}

// WithScorecard sets the scorecard (default DefaultScorecard).
func WithScorecard(sc *Scorecard) Option {
	return func(s *Service) error {
		if sc == nil {
			return invalid("scorecard", "must not be nil")
		}
		if err := sc.Validate(); err != nil {
			return within("scorecard", err)
		}
		s.card = sc
		return nil
	}
}

// WithPricing sets the risk-based pricing (default DefaultPricing); it must
// cover every grade of the scorecard.
func WithPricing(p Pricing) Option {
	return func(s *Service) error { s.pricing = p; return nil }
}

// NewService returns a Service over store.
func NewService(store Store, opts ...Option) (*Service, error) {
	if store == nil {
		return nil, invalid("store", "must not be nil")
	}
	s := &Service{store: store, clock: calendar.SystemClock{}, loc: time.UTC,
		card: DefaultScorecard(), pricing: DefaultPricing(), buckets: DefaultDelinquencyBuckets, eodPage: DefaultEndOfDayPage, eodWorkers: 4,
		strategy: DefaultCollectionStrategy, remind: DefaultReminders, risk: DefaultRiskSettings(), nonAccrual: DefaultNonAccrual, events: event.NewFeed(store.Events())}
	for _, o := range opts {
		if err := o(s); err != nil {
			return nil, err
		}
	}
	if err := s.pricing.Validate(s.card); err != nil {
		return nil, err
	}
	if s.cal == nil {
		s.days, _ = calendar.NewBusinessCalendar() // Saturday and Sunday off: cannot fail
	} else {
		s.days = s.cal
	}
	return s, nil
}

// dueDate is n business days after d on the Service's calendar.
func (s *Service) dueDate(d calendar.Date, n int) (calendar.Date, error) {
	return s.days.AddBusinessDays(d, n)
}

// now is the wall-clock time actions are stamped with.
func (s *Service) now() time.Time { return s.clock.Now().UTC().Truncate(time.Microsecond) }

// today is the bank's business date (see WithBusinessDate): what
// schedules, due dates, eligibility, approval steps and the end of day
// are dated by. A failure of the port is ErrUnavailable.
func (s *Service) today(ctx context.Context) (calendar.Date, error) {
	if s.dates == nil {
		return calendar.DateOf(s.clock.Now().In(s.loc)), nil
	}
	d, err := s.dates.BusinessDate(ctx)
	if err != nil {
		return calendar.Date{}, port("business date", err)
	}
	if d.IsZero() || !d.Valid() {
		return calendar.Date{}, fmt.Errorf("%w: business date: the port answered no valid date", ErrUnavailable)
	}
	return d, nil
}

// BusinessDate is the business date the Service works on: its
// BusinessDates port's, or the clock's date without one.
func (s *Service) BusinessDate(ctx context.Context) (calendar.Date, error) { return s.today(ctx) }

// Calendar is the business calendar the Service moves due dates onto
// (nil: none).
func (s *Service) Calendar() *calendar.BusinessCalendar { return s.cal }

// CreateProduct validates p and stores it with a new id. An empty
// allocation order becomes PenaltyFirst, a zero penalty multiplier the
// default 1.5, an empty approval policy DefaultApprovalPolicy, so the
// stored product says what applies.
func (s *Service) CreateProduct(ctx context.Context, p Product) (Product, error) {
	if len(p.Allocation) == 0 {
		p.Allocation = slices.Clone(PenaltyFirst)
	}
	if p.PenaltyMultiplier.IsZero() {
		p.PenaltyMultiplier = DefaultPenaltyMultiplier
	}
	if len(p.Approval.Bands) == 0 {
		p.Approval = DefaultApprovalPolicy()
	}
	if err := p.Validate(); err != nil {
		return Product{}, err
	}
	p.ID, p.CreatedAt = NewID(), s.now()
	ev, err := s.newEvent(EventProductCreated, p.CreatedAt, ProductCreated{ProductID: p.ID, Code: p.Code}, p.ID)
	if err != nil {
		return Product{}, err
	}
	if err := s.store.CreateProduct(ctx, p, ev); err != nil {
		return Product{}, err
	}
	return p, nil
}

// Product returns the product with id; ErrNotFound.
func (s *Service) Product(ctx context.Context, id ID) (Product, error) {
	if id == NilID {
		return Product{}, invalid("product_id", "is required")
	}
	return s.product(ctx, id)
}

func (s *Service) product(ctx context.Context, id ID) (Product, error) {
	if p, ok := s.products.Load(id); ok {
		return p.(Product), nil
	}
	p, err := s.store.Product(ctx, id)
	if err != nil {
		return Product{}, err
	}
	s.products.Store(id, p)
	return p, nil
}

// ProductByCode returns the product with code; ErrNotFound.
func (s *Service) ProductByCode(ctx context.Context, code string) (Product, error) {
	if strings.TrimSpace(code) == "" || len(code) > maxCodeLen {
		return Product{}, invalid("code", "must be 1-%d characters", maxCodeLen)
	}
	if err := text.Line(ErrInvalidInput, "code", code); err != nil {
		return Product{}, err
	}
	return s.store.ProductByCode(ctx, code)
}

// Products lists products in creation order.
func (s *Service) Products(ctx context.Context, page Page) ([]Product, error) {
	page, err := page.normalize()
	if err != nil {
		return nil, err
	}
	return s.store.Products(ctx, page)
}

// Quote returns the schedule and rates of a loan of the product: the
// amount and term checked against its limits, the rate against its cap,
// the origination fee financed or deducted as the product says.
func (s *Service) Quote(ctx context.Context, productID ID, amount money.Money, term int, rate decimal.Decimal, start calendar.Date) (Schedule, Rates, error) {
	p, err := s.Product(ctx, productID)
	if err != nil {
		return Schedule{}, Rates{}, err
	}
	terms, err := p.TermsFor(amount, term, rate, start, calendar.Date{})
	if err != nil {
		return Schedule{}, Rates{}, err
	}
	sched, err := NewSchedule(terms, s.cal)
	if err != nil {
		return Schedule{}, Rates{}, err
	}
	r, err := sched.Rates()
	return sched, r, err
}

// port wraps a port's failure: its not-found stays a not-found, anything
// else means the dependency is unavailable.
func port(what string, err error) error {
	if errors.Is(err, ErrNotFound) {
		return err
	}
	return fmt.Errorf("%w: %s: %w", ErrUnavailable, what, err)
}

// Submit checks an application's eligibility and stores it as submitted.
// A refusal is a *Refusal naming the rule (errors.Is ErrIneligible), an
// amount or term outside the product a field error, a second open
// application for the customer and product ErrOpenApplication; a refused
// application is not stored.
func (s *Service) Submit(ctx context.Context, n NewApplication) (Application, error) {
	if err := n.Validate(); err != nil {
		return Application{}, err
	}
	if s.customers == nil {
		return Application{}, fmt.Errorf("%w: no customers port is configured", ErrUnavailable)
	}
	p, err := s.product(ctx, n.ProductID)
	if err != nil {
		return Application{}, err
	}
	facts, err := s.customers.Facts(ctx, n.CustomerID)
	if err != nil {
		return Application{}, port("customers", err)
	}
	today, err := s.today(ctx)
	if err != nil {
		return Application{}, err
	}
	dti, err := Eligibility(p, n, facts, today)
	if err != nil {
		return Application{}, err
	}
	now := s.now()
	n.Collateral, n.Guarantors, n.Documents = slices.Clone(n.Collateral), slices.Clone(n.Guarantors), slices.Clone(n.Documents)
	a := Application{ID: NewID(), NewApplication: n, Status: StatusSubmitted, AppliedOn: today, DebtToIncome: dti,
		Version: 1, CreatedAt: now, UpdatedAt: now}
	ev, err := s.newEvent(EventApplicationSubmitted, now, ApplicationChanged{ApplicationID: a.ID, CustomerID: a.CustomerID,
		ProductID: a.ProductID, Status: a.Status}, a.ID, a.CustomerID)
	if err != nil {
		return Application{}, err
	}
	if err := s.store.CreateApplication(ctx, a, ev); err != nil {
		return Application{}, err
	}
	return a, nil
}

// Score scores a submitted application with the scorecard, from the
// application, the bureau's report and the customer's behavioural
// features, prices it by grade, and stores the result with it: status
// scored with an offer, or declined (below the cut-off, or a grade the
// pricing declines). ErrInvalidTransition unless it is submitted.
func (s *Service) Score(ctx context.Context, id ID) (Application, error) {
	a, err := s.Application(ctx, id)
	if err != nil {
		return Application{}, err
	}
	if a.Status != StatusSubmitted {
		return Application{}, fmt.Errorf("%w: application %s is %s", ErrInvalidTransition, id, a.Status)
	}
	if s.bureau == nil {
		return Application{}, fmt.Errorf("%w: no bureau is configured", ErrUnavailable)
	}
	p, err := s.product(ctx, a.ProductID)
	if err != nil {
		return Application{}, err
	}
	report, err := s.bureau.Report(ctx, a.CustomerID)
	if err != nil {
		return Application{}, port("bureau", err)
	}
	in := applicationInputs(a)
	if report.Hit {
		addBureauInputs(in, report)
	}
	today, err := s.today(ctx)
	if err != nil {
		return Application{}, err
	}
	if s.behaviour != nil {
		f, err := s.behaviour.Features(ctx, a.CustomerID, today)
		if err != nil {
			return Application{}, port("behaviour", err)
		}
		addBehaviourInputs(in, f)
	}
	result := s.card.score(in)
	status, offer := StatusDeclined, (*Offer)(nil)
	if !result.Declined {
		o, ok, err := s.pricing.offer(p, result.Grade, a.Amount)
		if err != nil {
			return Application{}, err
		}
		if ok {
			status, offer = StatusScored, &o
		}
	}
	now := s.now()
	read := a // as read: the swap below writes over its version
	if offer != nil {
		steps := p.Approval.For(offer.Amount.Amount)
		if err := startChain(&a, steps, today, s.dueDate); err != nil {
			return Application{}, err
		}
	}
	ev, err := s.newEvent(EventApplicationScored, now, ApplicationScored{ApplicationID: a.ID, CustomerID: a.CustomerID,
		Status: status, Score: result.Score, Grade: result.Grade}, a.ID, a.CustomerID)
	if err != nil {
		return Application{}, err
	}
	scored := func(old Application) Application {
		old.Status, old.Score, old.Offer, old.Approval, old.UpdatedAt = status, &result, offer, a.Approval, now
		return old
	}
	if sw, ok := s.store.(ApplicationSwapper); ok {
		// Unchanged since it was read (the usual case): written over that
		// version without reading it again.
		out, err := sw.SwapApplication(ctx, id, read.Version, scored(read), ev)
		if !errors.Is(err, ErrApplicationChanged) {
			return out, err
		}
	}
	return s.store.UpdateApplication(ctx, id, func(old Application) (Application, []event.Envelope, error) {
		if old.Status != StatusSubmitted {
			return Application{}, nil, fmt.Errorf("%w: application %s is %s", ErrInvalidTransition, id, old.Status)
		}
		return scored(old), []event.Envelope{ev}, nil
	})
}

func applicationInputs(a Application) map[string]value {
	num := func(d decimal.Decimal) value { return value{num: d} }
	secured := "no"
	if len(a.Collateral) > 0 || len(a.Guarantors) > 0 {
		secured = "yes"
	}
	yearly := a.MonthlyIncome.Amount.Mul(decimal.NewFromInt(12))
	return map[string]value{
		"application.monthly_income": num(a.MonthlyIncome.Amount),
		"application.debt_to_income": num(a.DebtToIncome),
		"application.loan_to_income": num(a.Amount.Amount.DivRound(yearly, 4)),
		"application.term":           num(decimal.NewFromInt(int64(a.Term))),
		"application.purpose":        {cat: string(a.Purpose)},
		"application.secured":        {cat: secured},
	}
}

func addBureauInputs(in map[string]value, r BureauReport) {
	n := func(i int) value { return value{num: decimal.NewFromInt(int64(i))} }
	if r.Score > 0 {
		in["bureau.score"] = n(r.Score)
	}
	in["bureau.enquiries_6m"] = n(r.Enquiries6M)
	in["bureau.delinquencies_24m"] = n(r.Delinquencies24M)
	in["bureau.open_accounts"] = n(r.OpenAccounts)
	in["bureau.revolving_utilisation"] = value{num: r.RevolvingUtilisation}
}

func addBehaviourInputs(in map[string]value, f Features) {
	n := func(i int) value { return value{num: decimal.NewFromInt(int64(i))} }
	in["behaviour.average_balance"] = value{num: f.AverageBalance}
	in["behaviour.salary_regularity"] = value{num: f.SalaryRegularity}
	in["behaviour.overdrawn_days"] = n(f.OverdrawnDays)
	in["behaviour.months_as_customer"] = n(f.MonthsAsCustomer)
}

// Withdraw closes an open application at the request of by (the customer
// or staff), with a reason. ErrInvalidTransition unless it is open.
func (s *Service) Withdraw(ctx context.Context, id ID, by, reason string) (Application, error) {
	if id == NilID {
		return Application{}, invalid("id", "is required")
	}
	if strings.TrimSpace(by) == "" || len(by) > maxRefLen {
		return Application{}, invalid("by", "must be 1-%d bytes", maxRefLen)
	}
	if err := text.Line(ErrInvalidInput, "by", by); err != nil {
		return Application{}, err
	}
	if len(reason) > 1000 {
		return Application{}, invalid("reason", "must be at most 1000 bytes")
	}
	if err := text.Multiline(ErrInvalidInput, "reason", reason); err != nil {
		return Application{}, err
	}
	now := s.now()
	return s.store.UpdateApplication(ctx, id, func(old Application) (Application, []event.Envelope, error) {
		if !old.Status.Open() {
			return Application{}, nil, fmt.Errorf("%w: application %s is %s", ErrInvalidTransition, id, old.Status)
		}
		old.Status, old.ClosedBy, old.ClosedReason, old.UpdatedAt = StatusWithdrawn, by, reason, now
		ev, err := s.newEvent(EventApplicationWithdrawn, now, ApplicationChanged{ApplicationID: old.ID, CustomerID: old.CustomerID,
			ProductID: old.ProductID, Status: old.Status}, old.ID, old.CustomerID)
		return old, []event.Envelope{ev}, err
	})
}

// Application returns the application with id; ErrNotFound.
func (s *Service) Application(ctx context.Context, id ID) (Application, error) {
	if id == NilID {
		return Application{}, invalid("id", "is required")
	}
	return s.store.Application(ctx, id)
}

// Applications lists applications matching f in creation order.
func (s *Service) Applications(ctx context.Context, f ApplicationFilter, page Page) ([]Application, error) {
	page, err := page.normalize()
	if err != nil {
		return nil, err
	}
	if f.Status != "" && !slices.Contains(statuses, f.Status) {
		return nil, invalid("status", "must be one of %v", statuses)
	}
	if !f.StepDueBefore.IsZero() && !f.StepDueBefore.Valid() {
		return nil, invalid("step_due_before", "must be a date")
	}
	return s.store.Applications(ctx, f, page)
}

// Decide records an approver's decision on the step of the application's
// chain that awaits it: approve (the step is done once its number of
// approvers have approved; the chain once its last step is), reject, or
// return for more information. Refused, changing nothing: a decision on
// another step (ErrOutOfOrder), by another role (ErrForbidden), by the
// application's maker or by someone who decided an earlier step of this
// round (ErrMakerChecker), a final approval beyond the role's authority
// (ErrAuthority), an application not awaiting approval
// (ErrInvalidTransition).
func (s *Service) Decide(ctx context.Context, id ID, d DecisionRequest) (Application, error) {
	if id == NilID {
		return Application{}, invalid("id", "is required")
	}
	if err := d.Validate(); err != nil {
		return Application{}, err
	}
	today, err := s.today(ctx)
	if err != nil {
		return Application{}, err
	}
	now := s.now()
	a, err := s.store.UpdateApplication(ctx, id, func(old Application) (Application, []event.Envelope, error) {
		next, err := decide(old, d, now, today, s.dueDate, s.authority)
		if err != nil {
			return Application{}, nil, err
		}
		ev, err := s.newEvent(EventApplicationDecided, now, ApplicationDecided{ApplicationID: next.ID, CustomerID: next.CustomerID,
			Round: next.Approval.Round, Step: d.Step, Verdict: d.Verdict, Status: next.Status}, next.ID, next.CustomerID)
		return next, []event.Envelope{ev}, err
	})
	if err != nil || a.Status != StatusApproved {
		return a, err
	}
	// The final approval issues the first contract version of a
	// fixed-rate loan, from the business date. A floating one needs the
	// benchmark of the day (IssueFloating). Should issuing fail, the
	// approval stands and IssueContract issues it.
	if p, err := s.product(ctx, a.ProductID); err != nil || p.RateType != Fixed {
		return a, nil
	}
	if _, err := s.IssueContract(ctx, a.ID, IssueRequest{}); err != nil {
		return a, fmt.Errorf("credit: application %s is approved, but its contract was not issued: %w", a.ID, err)
	}
	return a, nil
}

// Resubmit sends a returned application through its chain again, from
// the first step, with the documents added (the more information asked
// for) and a note; the score and offer stand. by is who resubmits.
func (s *Service) Resubmit(ctx context.Context, id ID, by string, documents []string) (Application, error) {
	if id == NilID {
		return Application{}, invalid("id", "is required")
	}
	if strings.TrimSpace(by) == "" || len(by) > maxRefLen {
		return Application{}, invalid("by", "must be 1-%d bytes", maxRefLen)
	}
	if err := text.Line(ErrInvalidInput, "by", by); err != nil {
		return Application{}, err
	}
	if err := checkRefs("documents", documents); err != nil {
		return Application{}, err
	}
	today, err := s.today(ctx)
	if err != nil {
		return Application{}, err
	}
	now := s.now()
	return s.store.UpdateApplication(ctx, id, func(old Application) (Application, []event.Envelope, error) {
		if old.Status != StatusReturned {
			return Application{}, nil, fmt.Errorf("%w: application %s is %s, not returned", ErrInvalidTransition, id, old.Status)
		}
		if len(old.Documents)+len(documents) > maxReferences {
			return Application{}, nil, invalid("documents", "the application may hold at most %d documents", maxReferences)
		}
		old.Documents = append(slices.Clone(old.Documents), documents...)
		if err := startChain(&old, old.Approval.Steps, today, s.dueDate); err != nil {
			return Application{}, nil, err
		}
		old.Status, old.UpdatedAt = StatusScored, now
		ev, err := s.newEvent(EventApplicationResubmitted, now, ApplicationChanged{ApplicationID: old.ID, CustomerID: old.CustomerID,
			ProductID: old.ProductID, Status: old.Status}, old.ID, old.CustomerID)
		return old, []event.Envelope{ev}, err
	})
}

// LateSteps lists the applications whose awaited approval step was due
// before the business date asOf (zero: today), in creation order.
func (s *Service) LateSteps(ctx context.Context, asOf calendar.Date, page Page) ([]Application, error) {
	if asOf.IsZero() {
		var err error
		if asOf, err = s.today(ctx); err != nil {
			return nil, err
		}
	}
	return s.Applications(ctx, ApplicationFilter{Status: StatusScored, StepDueBefore: asOf}, page)
}
