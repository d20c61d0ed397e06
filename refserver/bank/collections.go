package bank

import (
	"context"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/money"
)

// Collections work through the desk is staff's: the caller is recorded
// as who acted, asked or approved, never a name in the request, so the
// two-person rules of credit (restructuring, write-off) hold for real
// people.

// ActionRequest is a collections action as the API takes it.
type ActionRequest struct {
	Kind    credit.ActionKind `json:"kind" doc:"sms, call, visit or letter"`
	Outcome credit.Outcome    `json:"outcome" doc:"reached, no_answer, promised, refused, disputed, bad_contact or sent"`
	Note    string            `json:"note,omitempty" doc:"at most 1,000 bytes"`
}

// RecordAction records an action taken on a loan by the caller.
func (d *LoanDesk) RecordAction(ctx context.Context, id credit.ID, r ActionRequest) (credit.Loan, error) {
	return d.credit.RecordAction(ctx, id, credit.ActionRequest{Kind: r.Kind, Outcome: r.Outcome, Note: r.Note, By: callerRef(ctx)})
}

// PromiseRequest is a promise to pay as the API takes it.
type PromiseRequest struct {
	Amount money.Money   `json:"amount"`
	Date   calendar.Date `json:"date" doc:"business date by which it is paid; today or later"`
}

// PromiseToPay records the customer's promise, taken by the caller.
func (d *LoanDesk) PromiseToPay(ctx context.Context, id credit.ID, r PromiseRequest) (credit.Loan, error) {
	return d.credit.PromiseToPay(ctx, id, credit.PromiseRequest{Amount: r.Amount, Date: r.Date, By: callerRef(ctx)})
}

// RestructureRequest proposes a restructuring as the API takes it.
type RestructureRequest struct {
	Term       int             `json:"term" doc:"periods of the new schedule, from the approval's date"`
	AnnualRate decimal.Decimal `json:"annual_rate,omitzero" doc:"the new annual rate; default the loan's"`
	Reason     string          `json:"reason"`
}

// ProposeRestructure proposes a restructuring as the caller.
func (d *LoanDesk) ProposeRestructure(ctx context.Context, id credit.ID, r RestructureRequest) (credit.Loan, error) {
	return d.credit.ProposeRestructure(ctx, id, credit.RestructureRequest{Term: r.Term, AnnualRate: r.AnnualRate, Reason: r.Reason,
		By: callerRef(ctx)})
}

// DecideRestructure records the caller's decision on the awaited step of
// the restructuring waiting on a loan, in the role named or the step's
// (as Decide does for applications).
func (d *LoanDesk) DecideRestructure(ctx context.Context, id credit.ID, r DecideRequest) (credit.Loan, error) {
	l, err := d.credit.Loan(ctx, id)
	if err != nil {
		return credit.Loan{}, err
	}
	var ap *credit.Approval
	if p := l.Collections.Proposal; p != nil {
		ap = p.Approval
	}
	role, err := actingRole(ctx, r.Role, ap)
	if err != nil {
		return credit.Loan{}, err
	}
	return d.credit.DecideRestructure(ctx, id, credit.DecisionRequest{Step: r.Step, Approver: callerRef(ctx), Role: string(role),
		Verdict: r.Verdict, Opinion: r.Opinion})
}

// ApproveRestructure approves the step awaiting decision of the
// restructuring waiting on a loan, as the caller in the step's role.
func (d *LoanDesk) ApproveRestructure(ctx context.Context, id credit.ID) (credit.Loan, error) {
	l, err := d.credit.Loan(ctx, id)
	if err != nil {
		return credit.Loan{}, err
	}
	step := 1
	if p := l.Collections.Proposal; p != nil && p.Approval != nil {
		step = p.Approval.Current
	}
	return d.DecideRestructure(ctx, id, DecideRequest{Step: step, Verdict: credit.Approve})
}

// RequestWriteOff asks for a write-off as the caller.
func (d *LoanDesk) RequestWriteOff(ctx context.Context, id credit.ID, reason string) (credit.Loan, error) {
	return d.credit.RequestWriteOff(ctx, id, reason, callerRef(ctx))
}

// ApproveWriteOff writes a loan off as its request asked, approved by
// the caller.
func (d *LoanDesk) ApproveWriteOff(ctx context.Context, id credit.ID) (credit.Loan, error) {
	return d.credit.ApproveWriteOff(ctx, id, callerRef(ctx))
}

// Recover takes money on a written-off loan: from an account or, at a
// teller, in cash. Keyed by the request's Idempotency-Key.
func (d *LoanDesk) Recover(ctx context.Context, id credit.ID, r RepayRequest) (credit.Repayment, credit.Loan, error) {
	if _, err := d.Loan(ctx, id); err != nil {
		return credit.Repayment{}, credit.Loan{}, err
	}
	src, err := d.source(ctx, r.Source)
	if err != nil {
		return credit.Repayment{}, credit.Loan{}, err
	}
	key, err := requestKey(ctx, "credit-recovery")
	if err != nil {
		return credit.Repayment{}, credit.Loan{}, err
	}
	return d.credit.Recover(ctx, id, credit.RepaymentRequest{Amount: r.Amount, Source: src, Account: r.AccountID,
		Channel: channelOf(ctx), By: callerRef(ctx), Key: key})
}

// ClassificationRequest is a manual classification as the API takes it;
// who asks is the caller.
type ClassificationRequest struct {
	To     credit.Classification `json:"to" doc:"normal, special_mention, substandard, doubtful or loss"`
	Reason string                `json:"reason" doc:"why; at most 1,000 bytes"`
}

// Classification is a loan's five-category classification: where it
// stands, the floor manual changes and restructurings set, an upgrade
// waiting for approval, and every change of category, oldest first.
type Classification struct {
	LoanID         credit.ID               `json:"loan_id"`
	Classification credit.Classification   `json:"classification"`
	Floor          credit.Classification   `json:"floor,omitempty" doc:"the category the loan may not be better than until an approved upgrade"`
	DaysPastDue    int                     `json:"days_past_due"`
	AsOf           calendar.Date           `json:"as_of,omitzero" doc:"the business date the end of day last brought the loan to"`
	Upgrade        *credit.UpgradeRequest  `json:"upgrade,omitempty" doc:"an upgrade asked for, waiting for another member of staff's approval"`
	History        []credit.StandingChange `json:"history" doc:"changes of category, oldest first: by the end of day from days past due, or by hand with reason, by and approved_by"`
}

// ClassificationOf is the loan's classification and its history (the
// caller's own loan, for a customer).
func (d *LoanDesk) ClassificationOf(ctx context.Context, id credit.ID) (Classification, error) {
	l, err := d.Loan(ctx, id)
	if err != nil {
		return Classification{}, err
	}
	return classificationOf(l), nil
}

func classificationOf(l credit.Loan) Classification {
	st := l.Standing
	c := Classification{LoanID: l.ID, Classification: credit.Worse(st.Classification, ""), Floor: st.Floor, DaysPastDue: st.DaysPastDue,
		AsOf: st.AsOf, Upgrade: st.Upgrade, History: []credit.StandingChange{}}
	for _, h := range st.History {
		if h.What == "classification" {
			c.History = append(c.History, h)
		}
	}
	return c
}

// Downgrade classifies a loan worse at once, as the caller.
func (d *LoanDesk) Downgrade(ctx context.Context, id credit.ID, r ClassificationRequest) (Classification, error) {
	l, err := d.credit.Downgrade(ctx, id, credit.ClassificationChange{To: r.To, Reason: r.Reason, By: callerRef(ctx)})
	if err != nil {
		return Classification{}, err
	}
	return classificationOf(l), nil
}

// RequestUpgrade asks, as the caller, for a loan to be classified better;
// it waits for another member of staff's approval.
func (d *LoanDesk) RequestUpgrade(ctx context.Context, id credit.ID, r ClassificationRequest) (Classification, error) {
	l, err := d.credit.RequestUpgrade(ctx, id, credit.ClassificationChange{To: r.To, Reason: r.Reason, By: callerRef(ctx)})
	if err != nil {
		return Classification{}, err
	}
	return classificationOf(l), nil
}

// ApproveUpgrade approves the upgrade waiting on a loan as the caller,
// who may not be the one who asked.
func (d *LoanDesk) ApproveUpgrade(ctx context.Context, id credit.ID) (Classification, error) {
	l, err := d.credit.ApproveUpgrade(ctx, id, callerRef(ctx))
	if err != nil {
		return Classification{}, err
	}
	return classificationOf(l), nil
}
