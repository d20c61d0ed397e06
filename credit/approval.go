package credit

import (
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/text"
)

// StepRule is one step of an approval chain: who decides it (a staff role
// as the bank names it), how many different people of that role must
// approve (a committee of three: 3), and how many business days it may
// take.
type StepRule struct {
	Role      string `json:"role"`
	Approvers int    `json:"approvers"` // 0 means 1
	DueDays   int    `json:"due_days"`  // business days; 0 means DefaultStepDays
}

// DefaultStepDays is how many business days a step may take when its rule
// does not say.
const DefaultStepDays = 2

func (r StepRule) approvers() int { return max(r.Approvers, 1) }

func (r StepRule) dueDays() int {
	if r.DueDays == 0 {
		return DefaultStepDays
	}
	return r.DueDays
}

// Band is the chain of steps for amounts up to UpTo (zero: any amount; the
// last band).
type Band struct {
	UpTo  decimal.Decimal `json:"up_to"`
	Steps []StepRule      `json:"steps"`
}

// ApprovalPolicy is a product's approval chains by amount band, the bands
// in rising order.
type ApprovalPolicy struct {
	Bands []Band `json:"bands"`
}

// DefaultApprovalPolicy is the reference bank's: up to 50,000 one loan
// officer; up to 500,000 a loan officer, then a branch manager; above
// that a credit committee of three.
func DefaultApprovalPolicy() ApprovalPolicy {
	return ApprovalPolicy{Bands: []Band{
		{UpTo: decimal.NewFromInt(50_000), Steps: []StepRule{{Role: "loan_officer"}}},
		{UpTo: decimal.NewFromInt(500_000), Steps: []StepRule{{Role: "loan_officer"}, {Role: "branch_manager"}}},
		{Steps: []StepRule{{Role: "credit_committee", Approvers: 3, DueDays: 5}}},
	}}
}

// Limits of a policy.
const (
	maxBands        = 10
	maxSteps        = 5
	maxApprovers    = 9
	maxStepDays     = 30
	maxRoleLen      = 60
	maxOpinionBytes = 2000
)

func (p ApprovalPolicy) validate(c money.Currency) error {
	if len(p.Bands) == 0 || len(p.Bands) > maxBands {
		return invalid("bands", "must have 1-%d bands", maxBands)
	}
	for i, b := range p.Bands {
		f := fmt.Sprintf("bands[%d]", i)
		last := i == len(p.Bands)-1
		if last != b.UpTo.IsZero() {
			return invalid(f+".up_to", "every band but the last has an upper amount; the last has none")
		}
		if !last {
			if err := checkAmount(f+".up_to", b.UpTo, c); err != nil {
				return err
			}
			if i > 0 && !b.UpTo.GreaterThan(p.Bands[i-1].UpTo) {
				return invalid(f+".up_to", "must rise")
			}
		}
		if len(b.Steps) == 0 || len(b.Steps) > maxSteps {
			return invalid(f+".steps", "must have 1-%d steps", maxSteps)
		}
		for j, s := range b.Steps {
			sf := fmt.Sprintf("%s.steps[%d]", f, j)
			if err := checkRole(sf+".role", s.Role); err != nil {
				return err
			}
			if s.Approvers < 0 || s.Approvers > maxApprovers {
				return invalid(sf+".approvers", "must be 0 (one) to %d", maxApprovers)
			}
			if s.DueDays < 0 || s.DueDays > maxStepDays {
				return invalid(sf+".due_days", "must be 0 (%d) to %d business days", DefaultStepDays, maxStepDays)
			}
		}
	}
	return nil
}

func checkRole(field, role string) error {
	if strings.TrimSpace(role) == "" || strings.TrimSpace(role) != role || len(role) > maxRoleLen {
		return invalid(field, "must be 1-%d characters without surrounding spaces", maxRoleLen)
	}
	return text.Line(ErrInvalidInput, field, role)
}

// For returns the chain for an amount: the first band it is within.
func (p ApprovalPolicy) For(amount decimal.Decimal) []StepRule {
	for _, b := range p.Bands {
		if b.UpTo.IsZero() || amount.LessThanOrEqual(b.UpTo) {
			return append([]StepRule(nil), b.Steps...)
		}
	}
	return nil
}

// Verdict is an approver's decision on a step.
type Verdict string

// The verdicts.
const (
	Approve Verdict = "approve"
	Reject  Verdict = "reject"
	// Return sends the application back for more information; once the
	// applicant adds it (Service.Resubmit) the chain starts again.
	Return Verdict = "return"
)

// Valid reports whether v is one of the declared verdicts.
func (v Verdict) Valid() bool { return v == Approve || v == Reject || v == Return }

// Approval is where an application is in its chain, and every decision
// taken on it.
type Approval struct {
	// Round counts the passes through the chain: a return and resubmission
	// starts the next.
	Round int        `json:"round"`
	Steps []StepRule `json:"steps"` // the chain, fixed when it was scored
	// Current is the step awaiting decision, from 1 (len(Steps)+1 once the
	// chain is done); Started and Due are its business dates.
	Current   int           `json:"current"`
	Started   calendar.Date `json:"started"`
	Due       calendar.Date `json:"due"`
	Decisions []Decision    `json:"decisions"`
}

// Decision is one approver's decision, kept for ever.
type Decision struct {
	Round        int           `json:"round"`
	Step         int           `json:"step"`
	Approver     string        `json:"approver"`
	Role         string        `json:"role"`
	Verdict      Verdict       `json:"verdict"`
	Opinion      string        `json:"opinion"`
	At           time.Time     `json:"at"`
	BusinessDate calendar.Date `json:"business_date"`
}

// DecisionRequest is an approver's decision as they send it. Step is the
// step they decide, as they saw it, so a decision on a step that has moved
// on is refused rather than applied to the next one.
type DecisionRequest struct {
	Step     int     `json:"step"`
	Approver string  `json:"approver"` // staff id
	Role     string  `json:"role"`     // the role the approver acts in, vouched for by the caller
	Verdict  Verdict `json:"verdict"`
	Opinion  string  `json:"opinion"` // required to reject or return
}

// Validate checks the request's fields.
func (d DecisionRequest) Validate() error {
	if d.Step < 1 {
		return invalid("step", "must be at least 1")
	}
	if strings.TrimSpace(d.Approver) == "" || len(d.Approver) > maxRefLen {
		return invalid("approver", "must be 1-%d bytes", maxRefLen)
	}
	if err := text.Line(ErrInvalidInput, "approver", d.Approver); err != nil {
		return err
	}
	if err := checkRole("role", d.Role); err != nil {
		return err
	}
	if !d.Verdict.Valid() {
		return invalid("verdict", "must be approve, reject or return")
	}
	if len(d.Opinion) > maxOpinionBytes {
		return invalid("opinion", "must be at most %d bytes", maxOpinionBytes)
	}
	if d.Verdict != Approve && strings.TrimSpace(d.Opinion) == "" {
		return invalid("opinion", "is required to %s", d.Verdict)
	}
	return text.Multiline(ErrInvalidInput, "opinion", d.Opinion)
}

// Authority is the most a role may give final approval to, per currency:
// the last approval of a chain must come from a role whose limit covers
// the amount. A role without a limit has no limit.
type Authority map[string][]money.Money

// covers reports whether role may finally approve amount.
func (a Authority) covers(role string, amount money.Money) bool {
	limits, ok := a[role]
	if !ok {
		return true
	}
	for _, l := range limits {
		if l.Currency == amount.Currency {
			return !amount.Amount.GreaterThan(l.Amount)
		}
	}
	return false // limited, but not in this currency
}

// decide applies a decision to a (a copy), returning the new application
// or why it is refused. today and due compute the next step's dates.
func decide(a Application, d DecisionRequest, at time.Time, today calendar.Date, due func(calendar.Date, int) (calendar.Date, error), auth Authority) (Application, error) {
	if a.Status != StatusScored || a.Approval == nil {
		return a, fmt.Errorf("%w: application %s is %s, not awaiting approval", ErrInvalidTransition, a.ID, a.Status)
	}
	ap, out, err := decideStep(*a.Approval, "the application", a.Maker, d, a.Offer.Amount, at, today, due, auth)
	if err != nil {
		return a, err
	}
	switch out {
	case chainRejected:
		a.Status = StatusRejected
	case chainReturned:
		a.Status = StatusReturned
	case chainApproved:
		a.Status = StatusApproved
	}
	a.Approval = &ap
	a.UpdatedAt = at
	return a, nil
}

// chainOutcome is where a decision leaves a chain.
type chainOutcome int

const (
	chainPending  chainOutcome = iota // more decisions to come
	chainApproved                     // the last step approved
	chainRejected
	chainReturned
)

// decideStep applies decision d to chain ap (a copy) of something maker
// asked for (what names it in errors), for amount: the rules every chain
// keeps, for applications and restructurings alike. The decision must be
// on the step awaiting one, in its role; the maker never decides, nor
// does one person decide two steps (or vote twice in a committee) in a
// round; the final approval needs a role whose authority covers amount.
func decideStep(ap Approval, what, maker string, d DecisionRequest, amount money.Money, at time.Time, today calendar.Date,
	due func(calendar.Date, int) (calendar.Date, error), auth Authority) (Approval, chainOutcome, error) {
	ap.Decisions = append([]Decision(nil), ap.Decisions...)
	if ap.Current < 1 || ap.Current > len(ap.Steps) {
		return ap, 0, fmt.Errorf("%w: %s is not awaiting approval", ErrInvalidTransition, what)
	}
	if d.Step != ap.Current {
		return ap, 0, fmt.Errorf("%w: step %d is awaiting decision, not %d", ErrOutOfOrder, ap.Current, d.Step)
	}
	rule := ap.Steps[ap.Current-1]
	if d.Role != rule.Role {
		return ap, 0, fmt.Errorf("%w: step %d is for %s, not %s", ErrForbidden, ap.Current, rule.Role, d.Role)
	}
	if d.Approver == maker {
		return ap, 0, fmt.Errorf("%w: %s made %s", ErrMakerChecker, d.Approver, what)
	}
	approvals := 0
	for _, prev := range ap.Decisions {
		if prev.Round != ap.Round {
			continue
		}
		if prev.Approver == d.Approver {
			return ap, 0, fmt.Errorf("%w: %s already decided step %d", ErrMakerChecker, d.Approver, prev.Step)
		}
		if prev.Step == ap.Current && prev.Verdict == Approve {
			approvals++
		}
	}
	final := d.Verdict == Approve && approvals+1 == rule.approvers() && ap.Current == len(ap.Steps)
	if final && !auth.covers(d.Role, amount) {
		return ap, 0, fmt.Errorf("%w: the %s role may not approve %s", ErrAuthority, d.Role, amount)
	}
	ap.Decisions = append(ap.Decisions, Decision{Round: ap.Round, Step: ap.Current, Approver: d.Approver, Role: d.Role,
		Verdict: d.Verdict, Opinion: d.Opinion, At: at, BusinessDate: today})
	switch {
	case d.Verdict == Reject:
		return ap, chainRejected, nil
	case d.Verdict == Return:
		return ap, chainReturned, nil
	case final:
		ap.Current++
		return ap, chainApproved, nil
	case approvals+1 == rule.approvers():
		ap.Current++
		next, err := due(today, ap.Steps[ap.Current-1].dueDays())
		if err != nil {
			return ap, 0, err
		}
		ap.Started, ap.Due = today, next
	}
	return ap, chainPending, nil
}

// startChain starts (or restarts, for the next round) the chain of a.
func startChain(a *Application, steps []StepRule, today calendar.Date, due func(calendar.Date, int) (calendar.Date, error)) error {
	ap := Approval{Round: 1, Steps: steps, Current: 1}
	if a.Approval != nil {
		ap = *a.Approval
		ap.Round++
		ap.Current = 1
		ap.Decisions = append([]Decision(nil), ap.Decisions...)
	}
	d, err := due(today, steps[0].dueDays())
	if err != nil {
		return err
	}
	ap.Started, ap.Due = today, d
	a.Approval = &ap
	return nil
}
