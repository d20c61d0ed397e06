package credit

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/text"
)

// WriteOffAsked is a write-off asked for by one member of staff,
// waiting for another's approval.
type WriteOffAsked struct {
	Reason string        `json:"reason"`
	By     string        `json:"by"`
	On     calendar.Date `json:"on"`
	At     time.Time     `json:"at"`
}

// RequestWriteOff asks for an active loan to be written off; it waits
// for ApproveWriteOff by someone else (the two people WriteOff takes at
// once, one after the other). A new request replaces one waiting.
func (s *Service) RequestWriteOff(ctx context.Context, id ID, reason, by string) (Loan, error) {
	if id == NilID {
		return Loan{}, invalid("id", "is required")
	}
	if strings.TrimSpace(reason) == "" || len(reason) > maxReason {
		return Loan{}, invalid("reason", "must be 1-%d bytes", maxReason)
	}
	if err := text.Multiline(ErrInvalidInput, "reason", reason); err != nil {
		return Loan{}, err
	}
	if err := checkStaff("by", by); err != nil {
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
		l.Collections.WriteOffRequest = &WriteOffAsked{Reason: reason, By: by, On: today, At: now}
		l.UpdatedAt = now
		return l, nil, nil, nil
	})
}

// ApproveWriteOff writes the loan off as its waiting request asked
// (WriteOff); the approver may not be the one who asked
// (ErrMakerChecker).
func (s *Service) ApproveWriteOff(ctx context.Context, id ID, approver string) (Loan, error) {
	if id == NilID {
		return Loan{}, invalid("id", "is required")
	}
	if err := checkStaff("approver", approver); err != nil {
		return Loan{}, err
	}
	if err := s.needLedger(); err != nil {
		return Loan{}, err
	}
	return s.reserve(ctx, id, func(l *Loan, today calendar.Date) (*Operation, error) {
		w := l.Collections.WriteOffRequest
		if w == nil {
			if err := collectable(*l); err != nil {
				return nil, err
			}
			return nil, fmt.Errorf("%w: loan %s has no write-off waiting", ErrInvalidTransition, l.ID)
		}
		if w.By == approver {
			return nil, fmt.Errorf("%w: %s asked for the write-off", ErrMakerChecker, approver)
		}
		return writeOffOp(l, today, WriteOffRequest{Reason: w.Reason, By: w.By, ApprovedBy: approver})
	})
}
