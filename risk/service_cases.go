package risk

import (
	"context"
	"fmt"
	"time"

	"github.com/bankkit/bankkit/event"
)

// Alert returns an alert.
func (s *Service) Alert(ctx context.Context, id ID) (Alert, error) { return s.store.Alert(ctx, id) }

// Alerts lists alerts.
func (s *Service) Alerts(ctx context.Context, f AlertFilter) ([]Alert, error) {
	f.Limit = clampLimit(f.Limit)
	return s.store.Alerts(ctx, f)
}

// Case returns a case.
func (s *Service) Case(ctx context.Context, id ID) (Case, error) { return s.store.Case(ctx, id) }

// Cases lists cases: the investigators' inbox.
func (s *Service) Cases(ctx context.Context, f CaseFilter) ([]Case, error) {
	switch f.Status {
	case "", CaseOpen, CaseInvestigating, CaseEscalated, CaseClosed:
	default:
		return nil, invalid("status", "must be open, investigating, escalated or closed")
	}
	f.Limit = clampLimit(f.Limit)
	return s.store.Cases(ctx, f)
}

// CaseUpdate is one change to a case; the fields set are applied in this
// order: assignment, comment, attachment, status (with the outcome when it
// closes).
type CaseUpdate struct {
	Assignee   *string        `json:"assignee,omitempty"`
	Comment    string         `json:"comment,omitempty"`
	Attachment *AttachmentRef `json:"attachment,omitempty"`
	Status     CaseStatus     `json:"status,omitempty"`
	Outcome    CaseOutcome    `json:"outcome,omitempty"`
}

func (u CaseUpdate) validate() error {
	if u.Assignee != nil {
		if err := shortText("assignee", *u.Assignee, maxShortText); err != nil {
			return err
		}
	}
	if len(u.Comment) > 4000 {
		return invalid("comment", "is longer than 4000 bytes")
	}
	if err := textMultiline("comment", u.Comment); err != nil {
		return err
	}
	if a := u.Attachment; a != nil {
		if a.Ref == "" {
			return invalid("attachment.ref", "is required")
		}
		if err := shortText("attachment.ref", a.Ref, 500); err != nil {
			return err
		}
		if err := shortText("attachment.name", a.Name, 200); err != nil {
			return err
		}
	}
	switch u.Status {
	case "", CaseOpen, CaseInvestigating, CaseEscalated, CaseClosed:
	default:
		return invalid("status", "must be investigating, escalated or closed")
	}
	switch u.Outcome {
	case "":
		if u.Status == CaseClosed {
			return invalid("outcome", "is required to close a case: confirmed, false_positive or valuable")
		}
	case Confirmed, FalsePositive, Valuable:
		if u.Status != CaseClosed {
			return invalid("outcome", "is given only when closing (status closed)")
		}
	default:
		return invalid("outcome", "must be confirmed, false_positive or valuable")
	}
	if u.Assignee == nil && u.Comment == "" && u.Attachment == nil && u.Status == "" {
		return invalid("status", "the update changes nothing")
	}
	return nil
}

// UpdateCase assigns, comments, attaches, moves or closes a case, as one
// atomic change by one person. A closed case takes no more changes
// (ErrInvalidTransition).
func (s *Service) UpdateCase(ctx context.Context, id ID, u CaseUpdate, by string) (Case, error) {
	if err := u.validate(); err != nil {
		return Case{}, err
	}
	if by == "" {
		return Case{}, invalid("by", "is required")
	}
	now := s.now()
	return s.store.UpdateCase(ctx, id, func(c Case) (Case, []event.Envelope, error) {
		if c.Status == CaseClosed {
			return Case{}, nil, fmt.Errorf("%w: case %s is closed", ErrInvalidTransition, c.ID)
		}
		if u.Assignee != nil {
			c.Assignee = *u.Assignee
		}
		if u.Comment != "" {
			c.Comments = append(c.Comments, Comment{By: by, Text: u.Comment, At: now})
		}
		if u.Attachment != nil {
			c.Attachments = append(c.Attachments, Attachment{Ref: u.Attachment.Ref, Name: u.Attachment.Name, By: by, At: now})
		}
		if u.Status != "" && u.Status != c.Status {
			if !canMove(c.Status, u.Status) {
				return Case{}, nil, fmt.Errorf("%w: case %s cannot move from %s to %s", ErrInvalidTransition, c.ID, c.Status, u.Status)
			}
			c.Status = u.Status
			if u.Status == CaseClosed {
				c.Outcome, c.ClosedAt, c.ClosedBy = u.Outcome, now, by
			}
		}
		c.UpdatedAt = now
		ev, err := newEvent(EventCaseChanged, now, CaseChanged{CaseID: c.ID, Status: c.Status, Outcome: c.Outcome, Assignee: c.Assignee}, c.ID)
		return c, []event.Envelope{ev}, err
	})
}

// CaseStats summarises the inbox: cases by status and the mean time to
// close of the cases closed in the list read.
type CaseStats struct {
	ByStatus         map[CaseStatus]int `json:"by_status"`
	Closed           int                `json:"closed"`
	MeanTimeToClose  time.Duration      `json:"-"`
	MeanCloseSeconds int64              `json:"mean_time_to_close_seconds"`
}

// Stats reads up to 10,000 cases and summarises them.
func (s *Service) Stats(ctx context.Context) (CaseStats, error) {
	st := CaseStats{ByStatus: map[CaseStatus]int{}}
	var total time.Duration
	f := CaseFilter{Limit: 500}
	for n := 0; n < 20; n++ {
		page, err := s.store.Cases(ctx, f)
		if err != nil {
			return CaseStats{}, err
		}
		for _, c := range page {
			st.ByStatus[c.Status]++
			if c.Status == CaseClosed {
				st.Closed++
				total += c.TimeToClose()
			}
		}
		if len(page) < f.Limit {
			break
		}
		f.After = page[len(page)-1].ID
	}
	if st.Closed > 0 {
		st.MeanTimeToClose = total / time.Duration(st.Closed)
		st.MeanCloseSeconds = int64(st.MeanTimeToClose / time.Second)
	}
	return st, nil
}
