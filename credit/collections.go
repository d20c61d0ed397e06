package credit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/text"
)

// ActionKind is a collections action.
type ActionKind string

// The collections actions.
const (
	ActionSMS    ActionKind = "sms"
	ActionCall   ActionKind = "call"
	ActionVisit  ActionKind = "visit"
	ActionLetter ActionKind = "letter"
)

// Valid reports whether k is one of the actions.
func (k ActionKind) Valid() bool {
	return k == ActionSMS || k == ActionCall || k == ActionVisit || k == ActionLetter
}

// Outcome is what a collections action came to.
type Outcome string

// The outcomes.
const (
	OutcomeReached    Outcome = "reached"     // spoke to the customer
	OutcomeNoAnswer   Outcome = "no_answer"   // nobody answered or was in
	OutcomePromised   Outcome = "promised"    // the customer promised to pay (record the promise)
	OutcomeRefused    Outcome = "refused"     // the customer refused to pay
	OutcomeDisputed   Outcome = "disputed"    // the customer disputes the debt
	OutcomeBadContact Outcome = "bad_contact" // wrong number or address
	OutcomeSent       Outcome = "sent"        // a message or letter went out
)

// Valid reports whether o is one of the outcomes.
func (o Outcome) Valid() bool {
	switch o {
	case OutcomeReached, OutcomeNoAnswer, OutcomePromised, OutcomeRefused, OutcomeDisputed, OutcomeBadContact, OutcomeSent:
		return true
	}
	return false
}

// StrategyStep says which action the strategy calls for from From days
// past due on.
type StrategyStep struct {
	From   int        `json:"from"`
	Action ActionKind `json:"action"`
}

// CollectionStrategy is which action when, as data: the step with the
// highest From at or below a loan's days past due applies.
type CollectionStrategy []StrategyStep

// DefaultCollectionStrategy is the project's default: an SMS from the
// first day past due, a call from the 8th, a letter from the 31st and a
// visit from the 61st.
var DefaultCollectionStrategy = CollectionStrategy{{1, ActionSMS}, {8, ActionCall}, {31, ActionLetter}, {61, ActionVisit}}

// Validate checks the steps: valid actions, From rising from at least 1.
func (cs CollectionStrategy) Validate() error {
	if len(cs) == 0 {
		return invalid("collection_strategy", "must have a step")
	}
	for i, st := range cs {
		f := fmt.Sprintf("collection_strategy[%d]", i)
		if !st.Action.Valid() {
			return invalid(f+".action", "must be sms, call, visit or letter")
		}
		if st.From < 1 || i > 0 && st.From <= cs[i-1].From {
			return invalid(f+".from", "must be at least 1 and above the step before")
		}
	}
	return nil
}

// For is the action for days past due; empty before the first step.
func (cs CollectionStrategy) For(dpd int) ActionKind {
	var a ActionKind
	for _, st := range cs {
		if dpd >= st.From {
			a = st.Action
		}
	}
	return a
}

// WithCollectionStrategy sets the collections strategy (default
// DefaultCollectionStrategy).
func WithCollectionStrategy(cs CollectionStrategy) Option {
	return func(s *Service) error {
		if err := cs.Validate(); err != nil {
			return err
		}
		s.strategy = slices.Clone(cs)
		return nil
	}
}

// Collections is the collections work on a loan as its record keeps
// it: the last action and the latest promise, with how many of each
// there are. The actions and the earlier promises are kept beside the
// loan by the Store (CollectionActions, Promises read them a page at a
// time), so a loan's record stays small however long collections last.
type Collections struct {
	LastAction *CollectionAction `json:"last_action,omitempty"`
	Actions    int               `json:"action_count,omitempty"`
	// Promise is the latest promise to pay (open, kept or broken);
	// Promises counts them all.
	Promise  *Promise `json:"promise,omitempty"`
	Promises int      `json:"promise_count,omitempty"`
	// Proposal is a restructuring waiting for approval, in its chain;
	// Restructured counts the restructurings done, Proposals the
	// proposals made; Decided keeps every proposal no longer waiting
	// (approved, rejected, returned or replaced), oldest first, with its
	// chain's decisions and opinions.
	Proposal     *RestructureProposal  `json:"proposal,omitempty"`
	Restructured int                   `json:"restructured,omitempty"`
	Proposals    int                   `json:"proposal_count,omitempty"`
	Decided      []RestructureProposal `json:"restructurings,omitempty"`
	// WriteOffRequest is a write-off asked for and waiting for
	// ApproveWriteOff.
	WriteOffRequest *WriteOffAsked `json:"write_off_request,omitempty"`
}

// IsZero reports whether nothing was done.
func (c Collections) IsZero() bool {
	return c.Actions == 0 && c.Promises == 0 && c.Proposal == nil && c.Restructured == 0 && c.Proposals == 0 &&
		len(c.Decided) == 0 && c.WriteOffRequest == nil
}

// CollectionEntries is what a collections step adds to a loan's
// history beside its record: an action taken, or the promise the record
// held before a new one (settled, it leaves the record).
type CollectionEntries struct {
	Action  *CollectionAction
	Promise *Promise
}

// CollectionAction is an action taken and its outcome.
type CollectionAction struct {
	Number  int           `json:"number"`
	Kind    ActionKind    `json:"kind"`
	Outcome Outcome       `json:"outcome"`
	Note    string        `json:"note,omitempty"`
	By      string        `json:"by"`
	On      calendar.Date `json:"on"`
	At      time.Time     `json:"at"`
}

// ActionRequest records an action.
type ActionRequest struct {
	Kind    ActionKind `json:"kind"`
	Outcome Outcome    `json:"outcome"`
	Note    string     `json:"note"`
	By      string     `json:"by"`
}

// PromiseStatus is where a promise to pay is.
type PromiseStatus string

// The promise statuses.
const (
	PromiseOpen   PromiseStatus = "open"
	PromiseKept   PromiseStatus = "kept"
	PromiseBroken PromiseStatus = "broken"
)

// Promise is a promise to pay Amount by Date. It is kept once that much
// has been received on the loan since it was made; the end of day after
// Date finds it broken otherwise.
type Promise struct {
	Number int           `json:"number"`
	Amount money.Money   `json:"amount"`
	Date   calendar.Date `json:"date"`
	By     string        `json:"by"`
	MadeOn calendar.Date `json:"made_on"`
	// Before is what the loan had received when the promise was made.
	Before   money.Money   `json:"before"`
	Status   PromiseStatus `json:"status"`
	Paid     money.Money   `json:"paid"` // received since, as last checked
	SettleOn calendar.Date `json:"settled_on,omitzero"`
}

// PromiseRequest records a promise to pay.
type PromiseRequest struct {
	Amount money.Money   `json:"amount"`
	Date   calendar.Date `json:"date"`
	By     string        `json:"by"`
}

// maxNote bounds an action's note.
const maxNote = 1000

func collectable(l Loan) error {
	if l.Status != LoanActive {
		return fmt.Errorf("%w: loan %s is %s; collections work on active loans", ErrInvalidTransition, l.ID, l.Status)
	}
	return nil
}

// RecordAction records a collections action and its outcome.
func (s *Service) RecordAction(ctx context.Context, id ID, r ActionRequest) (Loan, error) {
	if id == NilID {
		return Loan{}, invalid("id", "is required")
	}
	if !r.Kind.Valid() {
		return Loan{}, invalid("kind", "must be sms, call, visit or letter")
	}
	if !r.Outcome.Valid() {
		return Loan{}, invalid("outcome", "must be reached, no_answer, promised, refused, disputed, bad_contact or sent")
	}
	if len(r.Note) > maxNote {
		return Loan{}, invalid("note", "must be at most %d bytes", maxNote)
	}
	if err := text.Multiline(ErrInvalidInput, "note", r.Note); err != nil {
		return Loan{}, err
	}
	if err := checkStaff("by", r.By); err != nil {
		return Loan{}, err
	}
	today, err := s.today(ctx)
	if err != nil {
		return Loan{}, err
	}
	now := s.now()
	return s.store.UpdateCollections(ctx, id, func(l Loan) (Loan, CollectionEntries, []event.Envelope, error) {
		if err := collectable(l); err != nil {
			return Loan{}, CollectionEntries{}, nil, err
		}
		a := CollectionAction{Number: l.Collections.Actions + 1, Kind: r.Kind, Outcome: r.Outcome, Note: r.Note, By: r.By, On: today, At: now}
		l.Collections.LastAction, l.Collections.Actions = &a, a.Number
		l.UpdatedAt = now
		ev, err := s.newEvent(EventCollectionAction, now, CollectionRecorded{LoanID: l.ID, CustomerID: l.CustomerID, Action: r.Kind,
			Outcome: r.Outcome}, l.ID, l.CustomerID)
		return l, CollectionEntries{Action: &a}, []event.Envelope{ev}, err
	})
}

// PromiseToPay records the customer's promise to pay an amount by a date
// (today or later). A loan has one open promise at a time.
func (s *Service) PromiseToPay(ctx context.Context, id ID, r PromiseRequest) (Loan, error) {
	if id == NilID {
		return Loan{}, invalid("id", "is required")
	}
	if err := checkStaff("by", r.By); err != nil {
		return Loan{}, err
	}
	today, err := s.today(ctx)
	if err != nil {
		return Loan{}, err
	}
	now := s.now()
	if r.Date.IsZero() || !r.Date.Valid() || r.Date.Before(today) {
		return Loan{}, invalid("date", "must be a date from %s on", today)
	}
	return s.store.UpdateCollections(ctx, id, func(l Loan) (Loan, CollectionEntries, []event.Envelope, error) {
		if err := collectable(l); err != nil {
			return Loan{}, CollectionEntries{}, nil, err
		}
		c := l.Currency()
		if r.Amount.Currency != c {
			return Loan{}, CollectionEntries{}, nil, invalid("amount.currency", "must be the loan's currency %s", c)
		}
		if !r.Amount.Amount.IsPositive() || !r.Amount.Amount.Equal(r.Amount.Amount.Round(c.MinorUnits())) {
			return Loan{}, CollectionEntries{}, nil, invalid("amount", "must be positive, in minor units of %s", c)
		}
		prev := l.Collections.Promise
		if prev != nil && prev.Status == PromiseOpen {
			return Loan{}, CollectionEntries{}, nil, fmt.Errorf("%w: promise %d of loan %s is open until %s", ErrInvalidTransition, prev.Number, l.ID, prev.Date)
		}
		p := Promise{Number: l.Collections.Promises + 1, Amount: r.Amount, Date: r.Date, By: r.By, MadeOn: today,
			Before: m(c, l.Received.Amount), Status: PromiseOpen, Paid: money.Zero(c)}
		l.Collections.Promise, l.Collections.Promises = &p, p.Number
		l.UpdatedAt = now
		ev, err := s.newEvent(EventPromiseMade, now, promiseChanged(l, p), l.ID, l.CustomerID)
		return l, CollectionEntries{Promise: prev}, []event.Envelope{ev}, err
	})
}

func promiseChanged(l Loan, p Promise) PromiseChanged {
	return PromiseChanged{LoanID: l.ID, CustomerID: l.CustomerID, Promise: p.Number, Amount: p.Amount, Date: p.Date, Paid: p.Paid,
		Status: p.Status}
}

// promisesDue checks the loan's open promises at the end of date: kept
// when what was received since covers the amount, broken once the date
// has passed without it.
func (s *Service) promisesDue(l *Loan, date calendar.Date, now time.Time) ([]event.Envelope, error) {
	if l.Collections.Promise == nil || l.Collections.Promise.Status != PromiseOpen {
		return nil, nil
	}
	p := *l.Collections.Promise // a copy: the caller's loan may share the pointer
	p.Paid = m(p.Amount.Currency, l.Received.Amount.Sub(p.Before.Amount))
	typ := ""
	switch {
	case !p.Paid.Amount.LessThan(p.Amount.Amount):
		p.Status, p.SettleOn, typ = PromiseKept, date, EventPromiseKept
	case date.After(p.Date):
		p.Status, p.SettleOn, typ = PromiseBroken, date, EventPromiseBroken
	}
	l.Collections.Promise = &p
	if typ == "" {
		return nil, nil
	}
	ev, err := s.newEvent(typ, now, promiseChanged(*l, p), l.ID, l.CustomerID)
	if err != nil {
		return nil, err
	}
	return []event.Envelope{ev}, nil
}

// QueueItem is a loan in the collections queue with what the strategy
// says to do next.
type QueueItem struct {
	LoanID         ID                `json:"loan_id"`
	CustomerID     ID                `json:"customer_id"`
	Bucket         string            `json:"bucket"`
	DaysPastDue    int               `json:"days_past_due"`
	Classification Classification    `json:"classification"`
	Overdue        money.Money       `json:"overdue"` // principal, interest and charges fallen due and unpaid
	Outstanding    money.Money       `json:"outstanding"`
	NextAction     ActionKind        `json:"next_action"`
	LastAction     *CollectionAction `json:"last_action,omitempty"`
	OpenPromise    *Promise          `json:"open_promise,omitempty"`
}

// CollectionsQueue lists the overdue active loans, in one bucket (empty:
// all), in id order a page at a time, with the strategy's next action.
func (s *Service) CollectionsQueue(ctx context.Context, bucket string, page Page) ([]QueueItem, error) {
	page, err := page.normalize()
	if err != nil {
		return nil, err
	}
	if bucket != "" && !slices.ContainsFunc(s.buckets, func(b DelinquencyBucket) bool { return b.Name == bucket }) {
		return nil, invalid("bucket", "must be one of the delinquency buckets")
	}
	loans, err := s.store.Loans(ctx, LoanFilter{Status: LoanActive, Bucket: bucket, Overdue: true}, page)
	if err != nil {
		return nil, err
	}
	out := make([]QueueItem, 0, len(loans))
	for _, l := range loans {
		c := l.Currency()
		owed := decimal.Zero
		for _, ln := range l.owed(l.Standing.AsOf) {
			owed = owed.Add(ln.principal).Add(ln.interest).Add(ln.penalty).Add(ln.fee)
		}
		it := QueueItem{LoanID: l.ID, CustomerID: l.CustomerID, Bucket: l.Standing.Bucket, DaysPastDue: l.Standing.DaysPastDue,
			Classification: l.Standing.Classification, Overdue: m(c, owed), Outstanding: l.Outstanding,
			NextAction: s.strategy.For(l.Standing.DaysPastDue)}
		it.LastAction = l.Collections.LastAction
		if p := l.Collections.Promise; p != nil && p.Status == PromiseOpen {
			it.OpenPromise = p
		}
		out = append(out, it)
	}
	return out, nil
}

// RestructureRequest proposes a new schedule for a loan in difficulty:
// the term (periods from today) and, optionally, a new annual rate.
type RestructureRequest struct {
	Term       int             `json:"term"`
	AnnualRate decimal.Decimal `json:"annual_rate"` // zero: the loan's
	Reason     string          `json:"reason"`
	By         string          `json:"by"`
}

// RestructureProposal is a restructuring proposed: waiting for approval
// in its chain, or decided.
type RestructureProposal struct {
	RestructureRequest
	Number     int           `json:"number"` // the loan's n-th proposal, from 1
	ProposedOn calendar.Date `json:"proposed_on"`
	// Schedule is the new schedule as it would be on ProposedOn; the one
	// made on approval starts on the approval's date.
	Schedule Schedule          `json:"schedule"`
	Status   RestructureStatus `json:"status"`
	// Approval is its chain: the product's for the new principal, fixed
	// when it was proposed, with every decision and opinion.
	Approval  *Approval     `json:"approval,omitempty"`
	DecidedOn calendar.Date `json:"decided_on,omitzero"`
}

// RestructureStatus is where a restructuring proposal stands.
type RestructureStatus string

// The statuses of a restructuring proposal.
const (
	RestructurePending  RestructureStatus = "pending"  // in its approval chain
	RestructureApproved RestructureStatus = "approved" // done: the new schedule applies
	RestructureRejected RestructureStatus = "rejected"
	RestructureReturned RestructureStatus = "returned" // sent back; a new proposal may follow
	RestructureReplaced RestructureStatus = "replaced" // a new proposal took its place
)

// restructured works out a restructuring of l on date: the arrears
// (interest fallen due and unpaid, interest accrued since, penalty and
// fees) capitalised on top of the outstanding principal, and a new
// schedule of them from date.
func (s *Service) restructured(l Loan, r RestructureRequest, date calendar.Date) (Schedule, decimal.Decimal, decimal.Decimal, decimal.Decimal, error) {
	interest, charges := decimal.Zero, decimal.Zero
	due := map[int]bool{}
	for _, ln := range l.owed(date) {
		interest = interest.Add(ln.interest)
		charges = charges.Add(ln.penalty).Add(ln.fee)
		due[ln.i] = true
	}
	// Interest accrued and not yet due: as recognised, or on non-accrual
	// (nothing recognised) as it would have accrued by the last end of day.
	suspended := s.nonAccrual.Applies(l)
	ins, dc, minor := l.Schedule.Instalments(), l.Schedule.Terms().DayCount, l.Currency().MinorUnits()
	for i, p := range l.Paid {
		if due[i] || !ins[i].DueDate.After(date) {
			continue
		}
		d := p.Recognised.Amount.Sub(p.Interest.Amount)
		if suspended && !l.Standing.AsOf.IsZero() {
			d = accrued(ins[i], dc, l.Standing.AsOf, minor).Sub(decimal.Max(p.Recognised.Amount, p.Interest.Amount))
		}
		if d.IsPositive() {
			interest = interest.Add(d)
		}
	}
	t := l.Schedule.Terms()
	t.Principal = m(t.Principal.Currency, l.Outstanding.Amount.Add(interest).Add(charges))
	t.Disbursed = money.Money{}
	t.Term, t.Start, t.FirstDue, t.GracePrincipal, t.GraceInterest = r.Term, date, calendar.Date{}, 0, 0
	if !r.AnnualRate.IsZero() {
		t.AnnualRate = r.AnnualRate
	}
	sch, err := NewSchedule(t, s.cal)
	if err != nil {
		return Schedule{}, decimal.Zero, decimal.Zero, decimal.Zero, within("restructure", err)
	}
	return sch, interest, charges, l.receivable(), nil
}

func (r RestructureRequest) validate() error {
	if r.Term < 1 || r.Term > MaxProductTerm {
		return invalid("term", "must be 1-%d", MaxProductTerm)
	}
	if r.AnnualRate.IsNegative() || r.AnnualRate.GreaterThan(decimal.NewFromInt(1)) {
		return invalid("annual_rate", "must be 0 (the loan's) to 1")
	}
	if strings.TrimSpace(r.Reason) == "" || len(r.Reason) > maxReason {
		return invalid("reason", "must be 1-%d bytes", maxReason)
	}
	if err := text.Multiline(ErrInvalidInput, "reason", r.Reason); err != nil {
		return err
	}
	return checkStaff("by", r.By)
}

// ProposeRestructure proposes a restructuring of an active loan: a new
// schedule over r.Term periods from the approval's date, of the
// outstanding principal with the arrears capitalised. It goes through
// the product's approval chain for the new principal like an
// application (DecideRestructure), r.By being its maker; a new proposal
// replaces one waiting (kept in Collections.Decided as replaced).
func (s *Service) ProposeRestructure(ctx context.Context, id ID, r RestructureRequest) (Loan, error) {
	if id == NilID {
		return Loan{}, invalid("id", "is required")
	}
	if err := r.validate(); err != nil {
		return Loan{}, err
	}
	cur, err := s.store.Loan(ctx, id)
	if err != nil {
		return Loan{}, err
	}
	p, err := s.product(ctx, cur.ProductID)
	if err != nil {
		return Loan{}, err
	}
	today, err := s.today(ctx)
	if err != nil {
		return Loan{}, err
	}
	now := s.now()
	return s.store.UpdateLoan(ctx, id, func(l Loan) (Loan, *Repayment, []event.Envelope, error) {
		if err := collectable(l); err != nil {
			return Loan{}, nil, nil, err
		}
		if l.Pending != nil {
			return Loan{}, nil, nil, fmt.Errorf("%w: loan %s has an operation in progress; try again", ErrInvalidTransition, l.ID)
		}
		sch, _, _, _, err := s.restructured(l, r, today)
		if err != nil {
			return Loan{}, nil, nil, err
		}
		steps := p.Approval.For(sch.Terms().Principal.Amount)
		if len(steps) == 0 {
			return Loan{}, nil, nil, fmt.Errorf("%w: product %s has no approval chain for %s", ErrInvalidInput, p.Code, sch.Terms().Principal)
		}
		if old := l.Collections.Proposal; old != nil {
			old := *old
			old.Status, old.DecidedOn = RestructureReplaced, today
			l.Collections.Decided = append(slices.Clone(l.Collections.Decided), old)
		}
		l.Collections.Proposals++
		prop := &RestructureProposal{RestructureRequest: r, Number: l.Collections.Proposals, ProposedOn: today, Schedule: sch,
			Status: RestructurePending}
		var holder Application
		if err := startChain(&holder, steps, today, s.dueDate); err != nil {
			return Loan{}, nil, nil, err
		}
		prop.Approval = holder.Approval // its maker is the proposer, r.By
		l.Collections.Proposal = prop
		l.UpdatedAt = now
		ev, err := s.newEvent(EventRestructureProposed, now, LoanRestructured{LoanID: l.ID, CustomerID: l.CustomerID, On: today,
			Outstanding: sch.Terms().Principal, Term: sch.Len(), Proposal: prop.Number}, l.ID, l.CustomerID)
		return l, nil, []event.Envelope{ev}, err
	})
}

// RestructureKey is the ledger key of a loan's n-th restructuring.
func RestructureKey(loanID ID, n int) string {
	return fmt.Sprintf("loan/%s/restructure/%d", loanID, n)
}

// DecideRestructure decides the awaited step of the restructuring
// waiting on the loan, as the loan's product's chain asks — the rules of
// an application's (Decide): the step awaiting decision
// (ErrOutOfOrder), its role (ErrForbidden), never its proposer nor one
// person for two steps (ErrMakerChecker), the final approval within the
// role's authority for the new principal (ErrAuthority). A reject or a
// return ends the proposal (an opinion is required); each decision is
// kept with the proposal. Only the final approval restructures: the
// arrears on the day are capitalised through the ledger (debit the loan
// account; credit interest receivable, interest income, fees
// receivable and fee income) and the new schedule replaces the old. The
// classification does not improve on restructuring alone: the loan's
// present category becomes its floor, lowered only by an approved
// upgrade.
func (s *Service) DecideRestructure(ctx context.Context, id ID, d DecisionRequest) (Loan, error) {
	if id == NilID {
		return Loan{}, invalid("id", "is required")
	}
	if err := d.Validate(); err != nil {
		return Loan{}, err
	}
	if err := s.needLedger(); err != nil {
		return Loan{}, err
	}
	for range reserveAttempts {
		today, err := s.today(ctx)
		if err != nil {
			return Loan{}, err
		}
		now := s.now()
		// A decision that does not end the chain in an approval changes
		// the proposal only; the final approval is a ledger operation.
		l, err := s.store.UpdateLoan(ctx, id, func(l Loan) (Loan, *Repayment, []event.Envelope, error) {
			prop, ap, out, err := s.restructureStep(l, d, now, today)
			if err != nil {
				return Loan{}, nil, nil, err
			}
			if out == chainApproved {
				return Loan{}, nil, nil, errFinal
			}
			if l.Pending != nil {
				return Loan{}, nil, nil, fmt.Errorf("%w: loan %s has an operation in progress; try again", ErrInvalidTransition, l.ID)
			}
			p := *prop
			p.Approval = &ap
			switch out {
			case chainRejected:
				p.Status = RestructureRejected
			case chainReturned:
				p.Status = RestructureReturned
			}
			if out == chainPending {
				l.Collections.Proposal = &p
			} else {
				p.DecidedOn = today
				l.Collections.Proposal = nil
				l.Collections.Decided = append(slices.Clone(l.Collections.Decided), p)
			}
			l.UpdatedAt = now
			ev, err := s.newEvent(EventRestructureDecided, now, RestructureDecided{LoanID: l.ID, CustomerID: l.CustomerID,
				Proposal: p.Number, Step: d.Step, Verdict: d.Verdict, Status: p.Status}, l.ID, l.CustomerID)
			return l, nil, []event.Envelope{ev}, err
		})
		if !errors.Is(err, errFinal) {
			return l, err
		}
		l, err = s.reserve(ctx, id, func(l *Loan, today calendar.Date) (*Operation, error) {
			prop, ap, out, err := s.restructureStep(*l, d, now, today)
			if err != nil {
				return nil, err
			}
			if out != chainApproved {
				return nil, errNotFinal
			}
			return s.restructureOp(l, prop, ap.Decisions[len(ap.Decisions)-1], today)
		})
		if !errors.Is(err, errNotFinal) {
			return l, err
		}
	}
	return Loan{}, fmt.Errorf("%w: loan %s is busy with other operations; try again", ErrInvalidTransition, id)
}

// errFinal and errNotFinal send DecideRestructure from one path to the
// other when the chain moved between its read and its write.
var (
	errFinal    = errors.New("credit: the decision is the final approval")
	errNotFinal = errors.New("credit: the decision is not the final approval")
)

// restructureStep applies decision d to the proposal waiting on l.
func (s *Service) restructureStep(l Loan, d DecisionRequest, now time.Time, today calendar.Date) (*RestructureProposal, Approval, chainOutcome, error) {
	if err := collectable(l); err != nil {
		return nil, Approval{}, 0, err
	}
	prop := l.Collections.Proposal
	if prop == nil || prop.Approval == nil {
		return nil, Approval{}, 0, fmt.Errorf("%w: loan %s has no restructuring waiting", ErrInvalidTransition, l.ID)
	}
	// The authority is for what the restructuring would capitalise now.
	sch, _, _, _, err := s.restructured(l, prop.RestructureRequest, today)
	if err != nil {
		return nil, Approval{}, 0, err
	}
	ap, out, err := decideStep(*prop.Approval, "the restructuring", prop.By, d, sch.Terms().Principal, now, today, s.dueDate, s.authority)
	return prop, ap, out, err
}

// restructureOp is the restructuring of l on today as prop proposes,
// finally approved by decision.
func (s *Service) restructureOp(l *Loan, prop *RestructureProposal, decision Decision, today calendar.Date) (*Operation, error) {
	sch, interest, charges, receivable, err := s.restructured(*l, prop.RestructureRequest, today)
	if err != nil {
		return nil, err
	}
	c := l.Currency()
	n := l.Collections.Restructured + 1 // the proposal, the count and the floor change as it is applied
	after := l.state()
	after.Schedule = &sch
	after.Outstanding = sch.Terms().Principal
	after.Paid = make([]InstalmentPaid, sch.Len())
	for i := range after.Paid {
		after.Paid[i] = InstalmentPaid{Principal: money.Zero(c), Interest: money.Zero(c)}
	}
	capitalised, booked := interest.Add(charges), l.chargesReceivable()
	entry := LedgerEntry{Key: RestructureKey(l.ID, n), Description: fmt.Sprintf("Loan %s restructuring %d", l.ID, n),
		Metadata: map[string]string{"loan_id": l.ID.String(), "kind": string(OpRestructure)},
		Legs: legs(Leg{Account: l.Account, Side: Debit, Amount: m(c, capitalised)},
			Leg{Chart: ChartInterestReceivable, Side: Credit, Amount: m(c, receivable)},
			signed(ChartInterestIncome, Credit, m(c, interest.Sub(receivable))),
			Leg{Chart: ChartFeesReceivable, Side: Credit, Amount: m(c, booked)},
			signed(ChartFeesIncome, Credit, m(c, charges.Sub(booked))))}
	if s.nonAccrual.Applies(*l) {
		// On non-accrual nothing unpaid is income: whatever is still
		// recognised or booked is reversed, and all that is capitalised
		// waits on interest suspense until principal is repaid.
		entry.Legs = legs(Leg{Account: l.Account, Side: Debit, Amount: m(c, capitalised)},
			Leg{Chart: ChartInterestReceivable, Side: Credit, Amount: m(c, receivable)},
			Leg{Chart: ChartInterestIncome, Side: Debit, Amount: m(c, receivable)},
			Leg{Chart: ChartFeesReceivable, Side: Credit, Amount: m(c, booked)},
			Leg{Chart: ChartFeesIncome, Side: Debit, Amount: m(c, booked)},
			Leg{Chart: ChartInterestSuspense, Side: Credit, Amount: m(c, capitalised)})
		sp := Suspense{Interest: m(c, interest), Charges: m(c, charges)}
		if old := l.Suspense; old != nil {
			sp.Interest, sp.Charges = add(sp.Interest, old.Interest), add(sp.Charges, old.Charges)
		}
		if sp.total().IsPositive() {
			after.Suspense = &sp
		}
		entry.Metadata["suspended"] = m(c, capitalised).ValueString()
	}
	return &Operation{Kind: OpRestructure, After: after, On: today, Decision: &decision, Entry: entry}, nil
}

// WriteOff is what a write-off took off the balance sheet, tracked
// since with what was recovered.
type WriteOff struct {
	On         calendar.Date `json:"on"`
	Principal  money.Money   `json:"principal"` // outstanding principal written off (less any advance held)
	Interest   money.Money   `json:"interest"`  // interest fallen due or accrued, unpaid
	Charges    money.Money   `json:"charges"`   // penalty interest and fees unpaid
	Recovered  money.Money   `json:"recovered"`
	Reason     string        `json:"reason"`
	By         string        `json:"by"`
	ApprovedBy string        `json:"approved_by"`
	Entry      EntryRef      `json:"entry,omitempty"`
}

// Total is what was written off: principal, interest and charges.
func (w WriteOff) Total() money.Money { return add(add(w.Principal, w.Interest), w.Charges) }

// WriteOffRequest writes a loan off: by the member of staff who asks and
// approved by another.
type WriteOffRequest struct {
	Reason     string `json:"reason"`
	By         string `json:"by"`
	ApprovedBy string `json:"approved_by"`
}

// WriteOffKey is the ledger key of a loan's write-off.
func WriteOffKey(loanID ID) string { return "loan/" + loanID.String() + "/write-off" }

// WriteOff takes an active loan off the balance sheet: the outstanding
// principal is charged to loan losses (debit loan_losses, credit the
// loan account; an advance held pays first), interest accrued and
// penalty and fees booked, unpaid, are reversed (debit interest and fee
// income, credit interest and fees receivable), and
// the loan becomes written_off with what was owed tracked off balance
// sheet (Loan.WriteOff). Recover receives money on it later.
func (s *Service) WriteOff(ctx context.Context, id ID, r WriteOffRequest) (Loan, error) {
	if id == NilID {
		return Loan{}, invalid("id", "is required")
	}
	if strings.TrimSpace(r.Reason) == "" || len(r.Reason) > maxReason {
		return Loan{}, invalid("reason", "must be 1-%d bytes", maxReason)
	}
	if err := text.Multiline(ErrInvalidInput, "reason", r.Reason); err != nil {
		return Loan{}, err
	}
	if err := checkStaff("by", r.By); err != nil {
		return Loan{}, err
	}
	if err := checkStaff("approved_by", r.ApprovedBy); err != nil {
		return Loan{}, err
	}
	if r.By == r.ApprovedBy {
		return Loan{}, fmt.Errorf("%w: %s may not approve their own write-off", ErrMakerChecker, r.By)
	}
	if err := s.needLedger(); err != nil {
		return Loan{}, err
	}
	return s.reserve(ctx, id, func(l *Loan, today calendar.Date) (*Operation, error) {
		return writeOffOp(l, today, r)
	})
}

// writeOffOp is the write-off of l on today as r asks.
func writeOffOp(l *Loan, today calendar.Date, r WriteOffRequest) (*Operation, error) {
	{
		if err := collectable(*l); err != nil {
			return nil, err
		}
		c := l.Currency()
		interest, charges := decimal.Zero, decimal.Zero
		due := map[int]bool{}
		for _, ln := range l.owed(today) {
			interest = interest.Add(ln.interest)
			charges = charges.Add(ln.penalty).Add(ln.fee)
			due[ln.i] = true
		}
		for i, p := range l.Paid {
			if d := p.Recognised.Amount.Sub(p.Interest.Amount); !due[i] && d.IsPositive() {
				interest = interest.Add(d)
			}
		}
		receivable, booked := l.receivable(), l.chargesReceivable()
		used := decimal.Min(l.Advance.Amount, l.Outstanding.Amount)
		refund := l.Advance.Amount.Sub(used)
		loss := l.Outstanding.Amount.Sub(used)
		// What the principal holds on interest suspense was never income:
		// it comes off the suspense account, not out of losses, and is
		// tracked as interest and charges written off. The advance repays
		// principal, so it releases suspense to income first.
		relI, relC, susp := l.Suspense.release(used)
		var susI, susC decimal.Decimal
		if susp != nil {
			susI, susC = susp.Interest.Amount, susp.Charges.Amount
		}
		loss = loss.Sub(susI).Sub(susC)
		interest, charges = interest.Add(susI), charges.Add(susC)
		after := l.state()
		after.Status, after.Outstanding, after.Advance, after.Suspense = LoanWrittenOff, money.Zero(c), money.Zero(c), nil
		after.WriteOff = &WriteOff{On: today, Principal: m(c, loss), Interest: m(c, interest), Charges: m(c, charges),
			Recovered: money.Zero(c), Reason: r.Reason, By: r.By, ApprovedBy: r.ApprovedBy}
		return &Operation{Kind: OpWriteOff, After: after, On: today,
			Entry: LedgerEntry{Key: WriteOffKey(l.ID), Description: fmt.Sprintf("Loan %s written off", l.ID),
				Metadata: map[string]string{"loan_id": l.ID.String(), "kind": string(OpWriteOff)},
				Legs: legs(Leg{Chart: ChartLoanLosses, Side: Debit, Amount: m(c, loss)},
					Leg{Chart: ChartLoanAdvances, Side: Debit, Amount: l.Advance},
					Leg{Account: l.Account, Side: Credit, Amount: l.Outstanding},
					Leg{Account: l.DemandAccount, Side: Credit, Amount: m(c, refund)},
					Leg{Chart: ChartInterestIncome, Side: Debit, Amount: m(c, receivable)},
					Leg{Chart: ChartInterestReceivable, Side: Credit, Amount: m(c, receivable)},
					Leg{Chart: ChartFeesIncome, Side: Debit, Amount: m(c, booked)},
					Leg{Chart: ChartFeesReceivable, Side: Credit, Amount: m(c, booked)},
					Leg{Chart: ChartInterestSuspense, Side: Debit, Amount: m(c, susI.Add(susC))},
					Leg{Chart: ChartInterestSuspense, Side: Debit, Amount: m(c, relI.Add(relC))},
					Leg{Chart: ChartInterestIncome, Side: Credit, Amount: m(c, relI)},
					Leg{Chart: ChartFeesIncome, Side: Credit, Amount: m(c, relC)})}}, nil
	}
}

// Recover receives money on a written-off loan (from a demand account
// or cash, as a repayment): it is income of loan recoveries and counts
// against what was written off, beyond which it is refused (field
// "amount"). Keys and replays are as for Repay.
func (s *Service) Recover(ctx context.Context, id ID, r RepaymentRequest) (Repayment, Loan, error) {
	l, err := s.paymentLoan(ctx, id, r)
	if err != nil {
		return Repayment{}, Loan{}, err
	}
	c := l.Currency()
	same := func(p Repayment) bool {
		return p.Kind == OpRecovery && p.Amount.Equal(r.Amount) && p.Source == r.Source
	}
	if rep, ok, err := s.replay(ctx, l, r.Key, same); err != nil || ok {
		return rep, l, err
	}
	if l.Status != LoanWrittenOff {
		return Repayment{}, Loan{}, fmt.Errorf("%w: loan %s is %s; recoveries follow a write-off", ErrInvalidTransition, l.ID, l.Status)
	}
	src, err := s.source(ctx, l, r.Source, r.Account, r.Amount)
	if err != nil {
		return Repayment{}, Loan{}, err
	}
	l, err = s.reserve(ctx, id, func(l *Loan, today calendar.Date) (*Operation, error) {
		if l.Status != LoanWrittenOff || l.WriteOff == nil {
			return nil, fmt.Errorf("%w: loan %s is %s; recoveries follow a write-off", ErrInvalidTransition, l.ID, l.Status)
		}
		w := *l.WriteOff
		if left := sub(w.Total(), w.Recovered); r.Amount.Amount.GreaterThan(left.Amount) {
			return nil, invalid("amount", "must be at most %s, what is written off and not yet recovered", left.ValueString())
		}
		w.Recovered = add(w.Recovered, r.Amount)
		after := l.state()
		after.WriteOff = &w
		after.Received = add(m(c, l.Received.Amount), r.Amount)
		rep := &Repayment{ID: NewID(), LoanID: l.ID, Kind: OpRecovery, Key: r.Key, Amount: r.Amount, Source: r.Source,
			Account: src.Account, Channel: r.Channel, By: r.By, AdvanceUsed: money.Zero(c), Prepaid: money.Zero(c),
			Interest: money.Zero(c), Fee: money.Zero(c), AdvanceHeld: money.Zero(c), Refunded: money.Zero(c),
			ReceivedOn: today, At: s.now()}
		return &Operation{Kind: OpRecovery, After: after, Repayment: rep, On: today,
			Entry: LedgerEntry{Key: repaymentKey(*l, r.Key), Description: fmt.Sprintf("Loan %s recovery", l.ID),
				Metadata: map[string]string{"loan_id": l.ID.String(), "kind": string(OpRecovery)},
				Legs:     []Leg{src, {Chart: ChartLoanRecoveries, Side: Credit, Amount: r.Amount}}}}, nil
	})
	if err != nil {
		return Repayment{}, Loan{}, err
	}
	rep, ok, err := s.replay(ctx, l, r.Key, same)
	if err == nil && !ok {
		err = errors.New("credit: the recovery was not recorded")
	}
	return rep, l, err
}
