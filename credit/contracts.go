package credit

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/money"
)

// IssueContract issues the next contract version of an approved
// application: the terms of its offer from the value date r.Start (zero:
// the business date), the full schedule, APR and total cost of credit,
// rendered as HTML and PDF and hashed. An earlier version, not yet
// accepted, is superseded. Refused: an application that is not approved
// (ErrInvalidTransition), one whose contract is accepted
// (ErrInvalidTransition), a floating-rate product without benchmark
// (the field "benchmark"; IssueFloating takes it).
func (s *Service) IssueContract(ctx context.Context, applicationID ID, r IssueRequest) (Contract, error) {
	return s.issue(ctx, applicationID, r, decimal.Zero, false)
}

// IssueFloating issues the contract of a floating-rate loan: the
// contract rate is benchmark (the LPR on the day) plus the offer's
// spread, capped at the product's maximum.
func (s *Service) IssueFloating(ctx context.Context, applicationID ID, r IssueRequest, benchmark decimal.Decimal) (Contract, error) {
	if err := checkRate("benchmark", benchmark, false); err != nil {
		return Contract{}, err
	}
	return s.issue(ctx, applicationID, r, benchmark, true)
}

func (s *Service) issue(ctx context.Context, applicationID ID, r IssueRequest, benchmark decimal.Decimal, floating bool) (Contract, error) {
	if applicationID == NilID {
		return Contract{}, invalid("application_id", "is required")
	}
	for _, d := range []struct {
		name string
		v    calendar.Date
	}{{"start", r.Start}, {"first_due", r.FirstDue}} {
		if !d.v.IsZero() && !d.v.Valid() {
			return Contract{}, invalid(d.name, "must be a date")
		}
	}
	a, err := s.Application(ctx, applicationID)
	if err != nil {
		return Contract{}, err
	}
	if a.Status != StatusApproved || a.Offer == nil {
		return Contract{}, fmt.Errorf("%w: application %s is %s, not approved", ErrInvalidTransition, a.ID, a.Status)
	}
	p, err := s.product(ctx, a.ProductID)
	if err != nil {
		return Contract{}, err
	}
	rate := a.Offer.Rate
	switch {
	case p.RateType == Floating && !floating:
		return Contract{}, invalid("benchmark", "is required: the product's rate floats over the benchmark")
	case p.RateType == Fixed && floating:
		return Contract{}, invalid("benchmark", "must not be given: the product's rate is fixed")
	case floating:
		rate = decimal.Min(benchmark.Add(rate), p.MaxRate)
	}
	today, err := s.today(ctx)
	if err != nil {
		return Contract{}, err
	}
	start := r.Start
	if start.IsZero() {
		start = today
	}
	if start.Before(today) {
		return Contract{}, invalid("start", "must not be before the business date %s", today)
	}
	terms, err := p.TermsFor(a.Offer.Amount, a.Term, rate, start, r.FirstDue)
	if err != nil {
		return Contract{}, err
	}
	sched, err := NewSchedule(terms, s.cal)
	if err != nil {
		return Contract{}, err
	}
	rates, err := sched.Rates()
	if err != nil {
		return Contract{}, err
	}
	earlier, err := s.store.Contracts(ctx, a.ID)
	if err != nil {
		return Contract{}, err
	}
	for _, c := range earlier {
		if c.Status == ContractAccepted {
			return Contract{}, fmt.Errorf("%w: contract version %d of application %s is accepted", ErrInvalidTransition, c.Version, a.ID)
		}
	}
	now := s.now()
	c := Contract{ID: NewID(), ApplicationID: a.ID, CustomerID: a.CustomerID, ProductID: p.ID, Version: len(earlier) + 1,
		Status: ContractIssued, ProductCode: p.Code, ProductName: p.Name, Amount: a.Offer.Amount,
		OriginationFee: p.Origination.On(a.Offer.Amount), FeeFinanced: p.Origination.Financed,
		PenaltyRate: percent(p.PenaltyRate(rate)), PrepaymentFee: p.PrepaymentFee, PrepaymentMode: p.PrepaymentMode,
		Schedule: sched, Rates: rates, IssuedOn: today, IssuedAt: now}
	docs, err := c.Render()
	if err != nil {
		return Contract{}, err
	}
	ev, err := s.newEvent(EventContractIssued, now, contractChanged(c), c.ID, c.ApplicationID, c.CustomerID)
	if err != nil {
		return Contract{}, err
	}
	if err := s.store.CreateContract(ctx, c, docs, ev); err != nil {
		return Contract{}, err
	}
	return c, nil
}

func contractChanged(c Contract) ContractChanged {
	return ContractChanged{ContractID: c.ID, ApplicationID: c.ApplicationID, CustomerID: c.CustomerID, Version: c.Version,
		Status: c.Status, PDFSHA256: c.PDFSHA256, LoanID: c.LoanID}
}

// Contract returns the contract version with id; ErrNotFound.
func (s *Service) Contract(ctx context.Context, id ID) (Contract, error) {
	if id == NilID {
		return Contract{}, invalid("id", "is required")
	}
	return s.store.Contract(ctx, id)
}

// Contracts lists an application's contract versions, oldest first.
func (s *Service) Contracts(ctx context.Context, applicationID ID) ([]Contract, error) {
	if applicationID == NilID {
		return nil, invalid("application_id", "is required")
	}
	return s.store.Contracts(ctx, applicationID)
}

// ContractDocument returns a contract version's HTML or PDF, byte for
// byte as issued: its SHA-256 is the contract's HTMLSHA256 or PDFSHA256.
func (s *Service) ContractDocument(ctx context.Context, id ID, f DocumentFormat) ([]byte, error) {
	if id == NilID {
		return nil, invalid("id", "is required")
	}
	if f != FormatHTML && f != FormatPDF {
		return nil, invalid("format", "must be html or pdf")
	}
	return s.store.ContractDocument(ctx, id, f)
}

// AcceptContract records the customer's acceptance of a contract version
// and makes its loan, awaiting disbursement into r.DisbursementAccount
// (which the ledger must know as the customer's active demand account in
// the loan's currency). Refused, changing nothing: a superseded version,
// or a version other than the one the id names (ErrSuperseded or
// ErrInvalidInput naming "version"), a digest that is not this version's
// ("sha256"), a contract already accepted (ErrInvalidTransition).
func (s *Service) AcceptContract(ctx context.Context, id ID, r AcceptRequest) (Contract, Loan, error) {
	if id == NilID {
		return Contract{}, Loan{}, invalid("id", "is required")
	}
	if err := r.Validate(); err != nil {
		return Contract{}, Loan{}, err
	}
	if s.ledger == nil {
		return Contract{}, Loan{}, fmt.Errorf("%w: no ledger is configured", ErrUnavailable)
	}
	c, err := s.store.Contract(ctx, id)
	if err != nil {
		return Contract{}, Loan{}, err
	}
	if err := checkAcceptance(c, r); err != nil {
		return Contract{}, Loan{}, err
	}
	if err := s.ledger.CheckDemandAccount(ctx, r.DisbursementAccount, c.CustomerID, c.Amount.Currency); err != nil {
		if errors.Is(err, ErrRefused) {
			return Contract{}, Loan{}, fault.Field(ErrInvalidInput, "disbursement_account", err.Error())
		}
		return Contract{}, Loan{}, port("ledger", err)
	}
	p, err := s.product(ctx, c.ProductID)
	if err != nil {
		return Contract{}, Loan{}, err
	}
	app, err := s.store.Application(ctx, c.ApplicationID)
	if err != nil {
		return Contract{}, Loan{}, err
	}
	grade, pd := "", decimal.Zero
	if app.Score != nil {
		grade, pd = app.Score.Grade, app.Score.PD
	}
	today, err := s.today(ctx)
	if err != nil {
		return Contract{}, Loan{}, err
	}
	now := s.now()
	return s.store.AcceptContract(ctx, id, func(old Contract) (Contract, Loan, []event.Envelope, error) {
		if err := checkAcceptance(old, r); err != nil {
			return Contract{}, Loan{}, nil, err
		}
		cur := old.Schedule.Terms().Principal.Currency
		zero := money.Zero(cur)
		l := Loan{ID: NewID(), ContractID: old.ID, ContractVersion: old.Version, ApplicationID: old.ApplicationID,
			CustomerID: old.CustomerID, ProductID: old.ProductID, Status: LoanAccepted, Schedule: old.Schedule,
			Allocation: slices.Clone(p.Allocation), OriginationFee: old.OriginationFee, PrepaymentFee: old.PrepaymentFee,
			PrepaymentMode: old.PrepaymentMode, DemandAccount: r.DisbursementAccount, Disbursed: zero, Outstanding: zero,
			Advance: zero, Paid: make([]InstalmentPaid, old.Schedule.Len()), Version: 1, CreatedAt: now, UpdatedAt: now,
			Grade: grade, PD: pd}
		for i := range l.Paid {
			l.Paid[i] = InstalmentPaid{Principal: zero, Interest: zero}
		}
		old.Status, old.LoanID = ContractAccepted, l.ID
		old.Acceptance = &Acceptance{At: now, BusinessDate: today, Channel: r.Channel, By: r.By, DisbursementAccount: r.DisbursementAccount}
		ev, err := s.newEvent(EventContractAccepted, now, contractChanged(old), old.ID, l.ID, old.CustomerID)
		return old, l, []event.Envelope{ev}, err
	})
}

func checkAcceptance(c Contract, r AcceptRequest) error {
	switch {
	case c.Status == ContractSuperseded:
		return fault.Field(ErrSuperseded, "version", fmt.Sprintf("version %d is superseded by a later version", c.Version))
	case c.Status == ContractAccepted:
		return fmt.Errorf("%w: contract %s is accepted already", ErrInvalidTransition, c.ID)
	case r.Version != c.Version:
		return invalid("version", "must be %d, the version of contract %s", c.Version, c.ID)
	case r.SHA256 != "" && r.SHA256 != c.HTMLSHA256 && r.SHA256 != c.PDFSHA256:
		return invalid("sha256", "is not the digest of this version's HTML or PDF")
	}
	return nil
}
