package bank

import (
	"context"
	"fmt"
	"slices"

	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/money"
)

// LoanDesk is the reference bank's lending counter over the credit
// subsystem: customers apply, read, accept and repay only what is theirs
// (anyone else's application, contract or loan is ErrNotFound), staff act
// on any, and the caller — never the request — says who made an
// application and who decides a step, so the maker-checker rule of credit
// holds for real people. Money-moving calls derive credit's keys from the
// request's Idempotency-Key.
type LoanDesk struct {
	credit *credit.Service
}

// NewLoanDesk returns the desk over svc.
func NewLoanDesk(svc *credit.Service) *LoanDesk { return &LoanDesk{credit: svc} }

// Credit is the credit service the desk works on.
func (d *LoanDesk) Credit() *credit.Service { return d.credit }

// callerRef is how credit records the caller: a customer's own id, or the
// staff identity's id.
func callerRef(ctx context.Context) string {
	p := CallerOf(ctx)
	if p.Kind == channel.KindCustomer {
		return p.CustomerID
	}
	if p.IdentityID == credit.NilID {
		return "bank" // the bank itself: seeding the demo
	}
	return p.IdentityID.String()
}

// mine answers ErrNotFound for an object of another customer's.
func mine[T any](ctx context.Context, v T, owner credit.ID, err error) (T, error) {
	var zero T
	if err != nil {
		return zero, err
	}
	if !owns(ctx, owner.String()) {
		return zero, fmt.Errorf("%w: no such object", ErrNotFound)
	}
	return v, nil
}

// ApplyRequest is a loan application as the API takes it.
type ApplyRequest struct {
	CustomerID    credit.ID      `json:"customer_id,omitzero" doc:"staff: the applicant; a customer applies for themselves (their own id or none)"`
	ProductID     credit.ID      `json:"product_id"`
	Amount        money.Money    `json:"amount"`
	Term          int            `json:"term" doc:"periods of the product's frequency"`
	Purpose       credit.Purpose `json:"purpose" doc:"consumption, car, home_improvement, education, business or other"`
	MonthlyIncome money.Money    `json:"monthly_income"`
	MonthlyDebt   *money.Money   `json:"monthly_debt,omitempty" doc:"monthly payments of other debts; default zero"`
	Collateral    []string       `json:"collateral,omitempty" doc:"references to collateral records"`
	Guarantors    []credit.ID    `json:"guarantors,omitempty" doc:"customer ids of guarantors"`
	Documents     []string       `json:"documents,omitempty" doc:"references to stored documents"`
}

// Apply submits an application: a customer's for themselves, staff's for
// the customer named. The caller is its maker.
func (d *LoanDesk) Apply(ctx context.Context, r ApplyRequest) (credit.Application, error) {
	if isCustomer(ctx) {
		own, err := credit.ParseID(CallerOf(ctx).CustomerID)
		if err != nil {
			return credit.Application{}, fmt.Errorf("%w: no such customer", ErrNotFound)
		}
		if r.CustomerID != credit.NilID && r.CustomerID != own {
			return credit.Application{}, fmt.Errorf("%w: no such customer", ErrNotFound)
		}
		r.CustomerID = own
	}
	debt := money.Zero(r.Amount.Currency)
	if r.MonthlyDebt != nil {
		debt = *r.MonthlyDebt
	}
	return d.credit.Submit(ctx, credit.NewApplication{CustomerID: r.CustomerID, ProductID: r.ProductID, Amount: r.Amount, Term: r.Term,
		Purpose: r.Purpose, MonthlyIncome: r.MonthlyIncome, MonthlyDebt: debt, Collateral: r.Collateral, Guarantors: r.Guarantors,
		Documents: r.Documents, Maker: callerRef(ctx)})
}

// Application reads an application the caller reaches.
func (d *LoanDesk) Application(ctx context.Context, id credit.ID) (credit.Application, error) {
	a, err := d.credit.Application(ctx, id)
	return mine(ctx, a, a.CustomerID, err)
}

// Applications lists applications; a customer's list is their own.
func (d *LoanDesk) Applications(ctx context.Context, f credit.ApplicationFilter, p credit.Page) ([]credit.Application, error) {
	if isCustomer(ctx) {
		own, err := credit.ParseID(CallerOf(ctx).CustomerID)
		if err != nil || f.CustomerID != credit.NilID && f.CustomerID != own {
			return nil, nil
		}
		f.CustomerID = own
	}
	return d.credit.Applications(ctx, f, p)
}

// Withdraw withdraws an open application the caller reaches.
func (d *LoanDesk) Withdraw(ctx context.Context, id credit.ID, reason string) (credit.Application, error) {
	if _, err := d.Application(ctx, id); err != nil {
		return credit.Application{}, err
	}
	return d.credit.Withdraw(ctx, id, callerRef(ctx), reason)
}

// Resubmit sends a returned application through its chain again.
func (d *LoanDesk) Resubmit(ctx context.Context, id credit.ID, documents []string) (credit.Application, error) {
	if _, err := d.Application(ctx, id); err != nil {
		return credit.Application{}, err
	}
	return d.credit.Resubmit(ctx, id, callerRef(ctx), documents)
}

// actingRole is the role the caller decides a step of chain ap in: the
// one named, which the caller must hold, else the awaited step's when
// the caller holds it, else the caller's first (credit refuses a role
// that is not the step's).
func actingRole(ctx context.Context, named channel.Role, ap *credit.Approval) (channel.Role, error) {
	p := CallerOf(ctx)
	if named != "" {
		if !p.HasRole(named) {
			return "", fault.Field(ErrForbidden, "role", "you do not hold the role "+string(named))
		}
		return named, nil
	}
	if ap != nil && ap.Current >= 1 && ap.Current <= len(ap.Steps) && p.HasRole(channel.Role(ap.Steps[ap.Current-1].Role)) {
		return channel.Role(ap.Steps[ap.Current-1].Role), nil
	}
	if len(p.Roles) > 0 {
		return p.Roles[0], nil
	}
	return "", nil
}

// DecideRequest is an approver's decision as the API takes it; the
// approver is the caller.
type DecideRequest struct {
	Step    int            `json:"step" doc:"the step awaiting decision, as the approver saw it"`
	Verdict credit.Verdict `json:"verdict" doc:"approve, reject or return"`
	Opinion string         `json:"opinion,omitempty" doc:"required to reject or return"`
	Role    channel.Role   `json:"role,omitempty" doc:"the role the approver acts in; default the step's, when the caller holds it"`
}

// Decide records the caller's decision on a step. The role is one the
// caller holds: the one named, else the step's when the caller holds it
// (credit refuses a role that is not the step's).
func (d *LoanDesk) Decide(ctx context.Context, id credit.ID, r DecideRequest) (credit.Application, error) {
	var approval *credit.Approval
	if r.Role == "" {
		a, err := d.credit.Application(ctx, id)
		if err != nil {
			return credit.Application{}, err
		}
		approval = a.Approval
	}
	role, err := actingRole(ctx, r.Role, approval)
	if err != nil {
		return credit.Application{}, err
	}
	return d.credit.Decide(ctx, id, credit.DecisionRequest{Step: r.Step, Approver: callerRef(ctx), Role: string(role),
		Verdict: r.Verdict, Opinion: r.Opinion})
}

// Inbox lists the applications awaiting a step of one of roles (every
// role the caller holds when none is given) that the caller may decide:
// not made by them, no step of this round decided by them. It reads the
// applications in the chain a page at a time from after, and answers at
// most limit with the cursor to go on from ("" at the end).
func (d *LoanDesk) Inbox(ctx context.Context, roles []channel.Role, after credit.ID, limit int) ([]credit.Application, credit.ID, error) {
	p := CallerOf(ctx)
	if len(roles) == 0 {
		roles = p.Roles
	}
	me := callerRef(ctx)
	var out []credit.Application
	for {
		page, err := d.credit.Applications(ctx, credit.ApplicationFilter{Status: credit.StatusScored}, credit.Page{After: after, Limit: credit.MaxPageLimit})
		if err != nil {
			return nil, credit.NilID, err
		}
		for i, a := range page {
			after = a.ID
			if awaits(a, roles, me) {
				out = append(out, a)
				if len(out) == limit {
					if i == len(page)-1 && len(page) < credit.MaxPageLimit {
						return out, credit.NilID, nil
					}
					return out, a.ID, nil
				}
			}
		}
		if len(page) < credit.MaxPageLimit {
			return out, credit.NilID, nil
		}
	}
}

// awaits reports whether a awaits a step of one of roles that me may
// decide.
func awaits(a credit.Application, roles []channel.Role, me string) bool {
	ap := a.Approval
	if ap == nil || ap.Current < 1 || ap.Current > len(ap.Steps) || a.Maker == me {
		return false
	}
	if !slices.Contains(roles, channel.Role(ap.Steps[ap.Current-1].Role)) {
		return false
	}
	for _, dec := range ap.Decisions {
		if dec.Round == ap.Round && dec.Approver == me {
			return false
		}
	}
	return true
}

// Contracts lists an application's contract versions.
func (d *LoanDesk) Contracts(ctx context.Context, applicationID credit.ID) ([]credit.Contract, error) {
	if _, err := d.Application(ctx, applicationID); err != nil {
		return nil, err
	}
	return d.credit.Contracts(ctx, applicationID)
}

// Contract reads a contract version the caller reaches.
func (d *LoanDesk) Contract(ctx context.Context, id credit.ID) (credit.Contract, error) {
	c, err := d.credit.Contract(ctx, id)
	return mine(ctx, c, c.CustomerID, err)
}

// ContractDocument reads a contract version's document, byte for byte.
func (d *LoanDesk) ContractDocument(ctx context.Context, id credit.ID, f credit.DocumentFormat) ([]byte, error) {
	if _, err := d.Contract(ctx, id); err != nil {
		return nil, err
	}
	return d.credit.ContractDocument(ctx, id, f)
}

// AcceptRequest is a customer's acceptance as the API takes it.
type AcceptRequest struct {
	Version             int            `json:"version" doc:"the version the customer read"`
	SHA256              string         `json:"sha256,omitempty" doc:"the digest of the HTML or PDF the customer read"`
	DisbursementAccount credit.ID      `json:"disbursement_account" doc:"the customer's active demand account in the loan's currency"`
	Channel             credit.Channel `json:"channel,omitempty" doc:"online (default) or mobile"`
}

// Accept records the customer's acceptance of their own contract and
// makes the loan. Only the customer accepts: staff are refused.
func (d *LoanDesk) Accept(ctx context.Context, id credit.ID, r AcceptRequest) (credit.Contract, credit.Loan, error) {
	if !isCustomer(ctx) {
		return credit.Contract{}, credit.Loan{}, fmt.Errorf("%w: the customer accepts their contract themselves", ErrForbidden)
	}
	if _, err := d.Contract(ctx, id); err != nil {
		return credit.Contract{}, credit.Loan{}, err
	}
	ch := r.Channel
	if ch == "" {
		ch = credit.ChannelOnline
	}
	if ch != credit.ChannelOnline && ch != credit.ChannelMobile {
		return credit.Contract{}, credit.Loan{}, invalid("channel", "must be online or mobile")
	}
	return d.credit.AcceptContract(ctx, id, credit.AcceptRequest{Version: r.Version, SHA256: r.SHA256, Channel: ch,
		By: callerRef(ctx), DisbursementAccount: r.DisbursementAccount})
}

// Loans lists loans; a customer's list is their own.
func (d *LoanDesk) Loans(ctx context.Context, f credit.LoanFilter, p credit.Page) ([]credit.Loan, error) {
	if isCustomer(ctx) {
		own, err := credit.ParseID(CallerOf(ctx).CustomerID)
		if err != nil || f.CustomerID != credit.NilID && f.CustomerID != own {
			return nil, nil
		}
		f.CustomerID = own
	}
	return d.credit.Loans(ctx, f, p)
}

// Loan reads a loan the caller reaches.
func (d *LoanDesk) Loan(ctx context.Context, id credit.ID) (credit.Loan, error) {
	l, err := d.credit.Loan(ctx, id)
	return mine(ctx, l, l.CustomerID, err)
}

// Repayments lists a loan's repayments.
func (d *LoanDesk) Repayments(ctx context.Context, id credit.ID, p credit.Page) ([]credit.Repayment, error) {
	if _, err := d.Loan(ctx, id); err != nil {
		return nil, err
	}
	return d.credit.Repayments(ctx, id, p)
}

// RepayRequest is a repayment as the API takes it.
type RepayRequest struct {
	Amount    money.Money   `json:"amount"`
	Source    credit.Source `json:"source,omitempty" doc:"account (default) or cash (a teller)"`
	AccountID credit.ID     `json:"account_id,omitzero" doc:"the demand account to debit; default the loan's"`
}

// channelOf is where the caller acts: a customer online, staff at the
// branch.
func channelOf(ctx context.Context) credit.Channel {
	if isCustomer(ctx) {
		return credit.ChannelOnline
	}
	return credit.ChannelBranch
}

// requestKey is credit's key for a money-moving call, derived from the
// request's Idempotency-Key.
func requestKey(ctx context.Context, purpose string) (string, error) {
	k := keyFor(ctx, purpose)
	if k == "" {
		return "", invalid("Idempotency-Key", "is required to move money")
	}
	return k, nil
}

// Repay takes a repayment on a loan the caller reaches: a customer from
// their own account, a teller from an account or in cash.
func (d *LoanDesk) Repay(ctx context.Context, id credit.ID, r RepayRequest) (credit.Repayment, credit.Loan, error) {
	if _, err := d.Loan(ctx, id); err != nil {
		return credit.Repayment{}, credit.Loan{}, err
	}
	src, err := d.source(ctx, r.Source)
	if err != nil {
		return credit.Repayment{}, credit.Loan{}, err
	}
	key, err := requestKey(ctx, "credit-repayment")
	if err != nil {
		return credit.Repayment{}, credit.Loan{}, err
	}
	return d.credit.Repay(ctx, id, credit.RepaymentRequest{Amount: r.Amount, Source: src, Account: r.AccountID,
		Channel: channelOf(ctx), By: callerRef(ctx), Key: key})
}

func (d *LoanDesk) source(ctx context.Context, s credit.Source) (credit.Source, error) {
	switch {
	case s == "":
		return credit.FromAccount, nil
	case s == credit.FromCash && isCustomer(ctx):
		return "", invalid("source", "cash is paid in at a teller")
	case s != credit.FromAccount && s != credit.FromCash:
		return "", invalid("source", "must be account or cash")
	}
	return s, nil
}

// PrepayRequest is an early repayment (or its quote) as the API takes it.
type PrepayRequest struct {
	Full      bool                  `json:"full,omitempty" doc:"repay the loan in full (amount: none, or the quote's payable)"`
	Amount    *money.Money          `json:"amount,omitempty" doc:"a partial prepayment's principal; a full one's payable, to check"`
	Mode      credit.PrepaymentMode `json:"mode,omitempty" doc:"reduce_term or reduce_instalment; default the product's"`
	Source    credit.Source         `json:"source,omitempty" doc:"account (default) or cash (a teller)"`
	AccountID credit.ID             `json:"account_id,omitzero" doc:"the demand account to debit; default the loan's"`
}

func (r PrepayRequest) amount(l credit.Loan) money.Money {
	if r.Amount == nil {
		return money.Zero(l.Currency())
	}
	return *r.Amount
}

// QuotePrepayment says what an early repayment would cost today.
func (d *LoanDesk) QuotePrepayment(ctx context.Context, id credit.ID, r PrepayRequest) (credit.PrepaymentQuote, error) {
	l, err := d.Loan(ctx, id)
	if err != nil {
		return credit.PrepaymentQuote{}, err
	}
	if !r.Full && r.Amount == nil {
		return credit.PrepaymentQuote{}, invalid("amount", "is required for a partial prepayment")
	}
	return d.credit.QuotePrepayment(ctx, id, r.Full, r.amount(l), r.Mode)
}

// Prepay repays a loan the caller reaches early, in full or in part.
func (d *LoanDesk) Prepay(ctx context.Context, id credit.ID, r PrepayRequest) (credit.Repayment, credit.Loan, error) {
	l, err := d.Loan(ctx, id)
	if err != nil {
		return credit.Repayment{}, credit.Loan{}, err
	}
	src, err := d.source(ctx, r.Source)
	if err != nil {
		return credit.Repayment{}, credit.Loan{}, err
	}
	key, err := requestKey(ctx, "credit-prepayment")
	if err != nil {
		return credit.Repayment{}, credit.Loan{}, err
	}
	return d.credit.Prepay(ctx, id, credit.PrepaymentRequest{Full: r.Full, Amount: r.amount(l), Mode: r.Mode, Source: src,
		Account: r.AccountID, Channel: channelOf(ctx), By: callerRef(ctx), Key: key})
}

// Portfolio is the loan book as credit holds it today: loans by status,
// and the active ones by delinquency bucket and by classification, each
// with the outstanding principal per currency.
type Portfolio struct {
	ByStatus         map[string]PortfolioLine       `json:"by_status"`
	ByBucket         map[string]PortfolioLine       `json:"by_bucket" doc:"active loans; one not yet through an end of day is current"`
	ByClassification map[string]PortfolioLine       `json:"by_classification" doc:"active loans, by the five categories"`
	Outstanding      map[money.Currency]money.Money `json:"outstanding" doc:"of the active loans"`
}

// PortfolioLine counts loans and sums their outstanding principal per
// currency.
type PortfolioLine struct {
	Loans       int                            `json:"loans"`
	Outstanding map[money.Currency]money.Money `json:"outstanding"`
}

func (p *PortfolioLine) add(l credit.Loan) {
	if p.Outstanding == nil {
		p.Outstanding = map[money.Currency]money.Money{}
	}
	p.Loans++
	c := l.Currency()
	sum, ok := p.Outstanding[c]
	if !ok {
		sum = money.Zero(c)
	}
	p.Outstanding[c] = money.Money{Amount: sum.Amount.Add(l.Outstanding.Amount), Currency: c}
}

// Portfolio reads the whole book, a page at a time.
func (d *LoanDesk) Portfolio(ctx context.Context) (Portfolio, error) {
	out := Portfolio{ByStatus: map[string]PortfolioLine{}, ByBucket: map[string]PortfolioLine{},
		ByClassification: map[string]PortfolioLine{}}
	var active PortfolioLine
	add := func(m map[string]PortfolioLine, key string, l credit.Loan) {
		line := m[key]
		line.add(l)
		m[key] = line
	}
	after := credit.NilID
	for {
		loans, err := d.credit.Loans(ctx, credit.LoanFilter{}, credit.Page{After: after, Limit: credit.MaxPageLimit})
		if err != nil {
			return Portfolio{}, err
		}
		for _, l := range loans {
			after = l.ID
			add(out.ByStatus, string(l.Status), l)
			if l.Status != credit.LoanActive {
				continue
			}
			bucket, class := l.Standing.Bucket, string(l.Standing.Classification)
			if bucket == "" {
				bucket, class = "current", string(credit.ClassNormal) // not yet through an end of day
			}
			add(out.ByBucket, bucket, l)
			add(out.ByClassification, class, l)
			active.add(l)
		}
		if len(loans) < credit.MaxPageLimit {
			break
		}
	}
	out.Outstanding = active.Outstanding
	if out.Outstanding == nil {
		out.Outstanding = map[money.Currency]money.Money{}
	}
	return out, nil
}
