package credit

import (
	"context"
	"fmt"
	"strings"

	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/text"
)

// The classification's manual side: staff may downgrade a loan with a
// reason at once; an upgrade needs a second member of staff to approve
// it (maker-checker). The end of day classifies from days past due but
// never better than the loan's Floor, which a downgrade or a
// restructuring raises and only an approved upgrade lowers.

// maxReason bounds a reason's length in bytes.
const maxReason = 1000

var classRank = map[Classification]int{ClassNormal: 0, ClassSpecialMention: 1, ClassSubstandard: 2, ClassDoubtful: 3, ClassLoss: 4}

// Valid reports whether c is one of the five categories.
func (c Classification) Valid() bool { _, ok := classRank[c]; return ok }

// Worse is the worse of two classifications; an empty one counts as
// normal.
func Worse(a, b Classification) Classification {
	if classRank[b] > classRank[a] {
		return b
	}
	if a == "" {
		return ClassNormal
	}
	return a
}

// UpgradeRequest is an upgrade awaiting approval.
type UpgradeRequest struct {
	To     Classification `json:"to"`
	Reason string         `json:"reason"`
	By     string         `json:"by"`
}

// ClassificationChange asks for a manual classification: the category,
// why, and the member of staff asking.
type ClassificationChange struct {
	To     Classification `json:"to"`
	Reason string         `json:"reason"`
	By     string         `json:"by"`
}

// Validate checks the change's fields.
func (c ClassificationChange) Validate() error {
	if !c.To.Valid() {
		return invalid("to", "must be normal, special_mention, substandard, doubtful or loss")
	}
	if strings.TrimSpace(c.Reason) == "" || len(c.Reason) > maxReason {
		return invalid("reason", "must be 1-%d bytes", maxReason)
	}
	if err := text.Multiline(ErrInvalidInput, "reason", c.Reason); err != nil {
		return err
	}
	return checkStaff("by", c.By)
}

func checkStaff(field, by string) error {
	if strings.TrimSpace(by) == "" || len(by) > maxRefLen {
		return invalid(field, "must be 1-%d bytes", maxRefLen)
	}
	return text.Line(ErrInvalidInput, field, by)
}

func classifiable(l Loan) error {
	if l.Status != LoanActive {
		return fmt.Errorf("%w: loan %s is %s; only an active loan is classified", ErrInvalidTransition, l.ID, l.Status)
	}
	return nil
}

// Downgrade classifies the loan worse at once, with the reason kept in
// its history: the category becomes its floor, so the end of day keeps
// it there however days past due fall, until an approved upgrade. A
// category not worse than the present one is refused (field "to").
func (s *Service) Downgrade(ctx context.Context, id ID, c ClassificationChange) (Loan, error) {
	if id == NilID {
		return Loan{}, invalid("id", "is required")
	}
	if err := c.Validate(); err != nil {
		return Loan{}, err
	}
	today, err := s.today(ctx)
	if err != nil {
		return Loan{}, err
	}
	now := s.now()
	return s.store.UpdateLoan(ctx, id, func(l Loan) (Loan, *Repayment, []event.Envelope, error) {
		if err := classifiable(l); err != nil {
			return Loan{}, nil, nil, err
		}
		from := Worse(l.Standing.Classification, "")
		if classRank[c.To] <= classRank[from] {
			return Loan{}, nil, nil, invalid("to", "must be worse than the loan's %s", from)
		}
		st := l.Standing
		st.History = append(append([]StandingChange(nil), st.History...), StandingChange{On: today, What: "classification",
			From: string(from), To: string(c.To), DaysPastDue: st.DaysPastDue, Reason: c.Reason, By: c.By})
		st.Classification, st.Floor, st.Upgrade = c.To, c.To, nil
		l.Standing, l.UpdatedAt = st, now
		ev, err := s.newEvent(EventLoanClassified, now, StandingChanged{LoanID: l.ID, CustomerID: l.CustomerID, On: today,
			From: string(from), To: string(c.To), DaysPastDue: st.DaysPastDue}, l.ID, l.CustomerID)
		return l, nil, []event.Envelope{ev}, err
	})
}

// RequestUpgrade asks for the loan to be classified better; it waits for
// ApproveUpgrade by someone else. A category not better than the present
// one is refused (field "to"); a new request replaces one waiting.
func (s *Service) RequestUpgrade(ctx context.Context, id ID, c ClassificationChange) (Loan, error) {
	if id == NilID {
		return Loan{}, invalid("id", "is required")
	}
	if err := c.Validate(); err != nil {
		return Loan{}, err
	}
	today, err := s.today(ctx)
	if err != nil {
		return Loan{}, err
	}
	now := s.now()
	return s.store.UpdateLoan(ctx, id, func(l Loan) (Loan, *Repayment, []event.Envelope, error) {
		if err := classifiable(l); err != nil {
			return Loan{}, nil, nil, err
		}
		from := Worse(l.Standing.Classification, "")
		if classRank[c.To] >= classRank[from] {
			return Loan{}, nil, nil, invalid("to", "must be better than the loan's %s", from)
		}
		l.Standing.Upgrade = &UpgradeRequest{To: c.To, Reason: c.Reason, By: c.By}
		l.UpdatedAt = now
		ev, err := s.newEvent(EventUpgradeRequested, now, StandingChanged{LoanID: l.ID, CustomerID: l.CustomerID, On: today,
			From: string(from), To: string(c.To), DaysPastDue: l.Standing.DaysPastDue}, l.ID, l.CustomerID)
		return l, nil, []event.Envelope{ev}, err
	})
}

// ApproveUpgrade approves the upgrade waiting on the loan: approver must
// not be the member of staff who asked (ErrMakerChecker). The floor
// falls to the category asked for, and the loan is classified by the
// worse of it and its days past due: an upgrade cannot make an overdue
// loan better than its days say.
func (s *Service) ApproveUpgrade(ctx context.Context, id ID, approver string) (Loan, error) {
	if id == NilID {
		return Loan{}, invalid("id", "is required")
	}
	if err := checkStaff("approver", approver); err != nil {
		return Loan{}, err
	}
	today, err := s.today(ctx)
	if err != nil {
		return Loan{}, err
	}
	now := s.now()
	return s.store.UpdateLoan(ctx, id, func(l Loan) (Loan, *Repayment, []event.Envelope, error) {
		if err := classifiable(l); err != nil {
			return Loan{}, nil, nil, err
		}
		up := l.Standing.Upgrade
		if up == nil {
			return Loan{}, nil, nil, fmt.Errorf("%w: loan %s has no upgrade waiting", ErrInvalidTransition, l.ID)
		}
		if up.By == approver {
			return Loan{}, nil, nil, fmt.Errorf("%w: %s asked for the upgrade", ErrMakerChecker, approver)
		}
		st := l.Standing
		from := Worse(st.Classification, "")
		to := Worse(up.To, ClassifyDaysPastDue(st.DaysPastDue))
		st.Floor, st.Upgrade = up.To, nil
		if up.To == ClassNormal {
			st.Floor = ""
		}
		var evs []event.Envelope
		if to != from {
			st.History = append(append([]StandingChange(nil), st.History...), StandingChange{On: today, What: "classification",
				From: string(from), To: string(to), DaysPastDue: st.DaysPastDue, Reason: up.Reason, By: up.By, ApprovedBy: approver})
			st.Classification = to
			ev, err := s.newEvent(EventLoanClassified, now, StandingChanged{LoanID: l.ID, CustomerID: l.CustomerID, On: today,
				From: string(from), To: string(to), DaysPastDue: st.DaysPastDue}, l.ID, l.CustomerID)
			if err != nil {
				return Loan{}, nil, nil, err
			}
			evs = append(evs, ev)
		}
		l.Standing, l.UpdatedAt = st, now
		return l, nil, evs, nil
	})
}
