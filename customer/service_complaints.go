package customer

import (
	"context"
	"fmt"

	"github.com/bankkit/bankkit/calendar"
)

// OpenComplaint opens a complaint due the SLA's number of business days
// from today.
func (s *Service) OpenComplaint(ctx context.Context, customerID ID, n NewComplaint) (Complaint, error) {
	if err := checkID("customer_id", customerID); err != nil {
		return Complaint{}, err
	}
	if err := n.validate(); err != nil {
		return Complaint{}, err
	}
	due, err := s.dueDate()
	if err != nil {
		return Complaint{}, err
	}
	id := NewID()
	c := Complaint{ID: id, CustomerID: customerID, Category: n.Category, Description: n.Description,
		Channel: n.Channel, Status: ComplaintOpen, OpenedAt: s.now(),
		DueOn: due, Version: 1}
	if err := s.store.CreateComplaint(ctx, c); err != nil {
		return Complaint{}, err
	}
	return c, nil
}

// Complaint returns one complaint.
func (s *Service) Complaint(ctx context.Context, id ID) (Complaint, error) {
	if err := checkID("id", id); err != nil {
		return Complaint{}, err
	}
	return s.store.Complaint(ctx, id)
}

// Complaints lists the customer's complaints.
func (s *Service) Complaints(ctx context.Context, customerID ID) ([]Complaint, error) {
	if err := checkID("customer_id", customerID); err != nil {
		return nil, err
	}
	return s.store.Complaints(ctx, customerID)
}

// AssignComplaint gives the complaint to a member of staff and starts work
// on it (open -> in_progress); reassigning one in progress keeps it there.
func (s *Service) AssignComplaint(ctx context.Context, id ID, staffID string) (Complaint, error) {
	if err := validateLine("assignee", staffID, maxShortRunes, true); err != nil {
		return Complaint{}, err
	}
	return s.updateComplaint(ctx, id, func(c Complaint) (Complaint, error) {
		if c.Status == ComplaintOpen {
			c.Status = ComplaintInProgress
		} else if c.Status != ComplaintInProgress {
			return c, fmt.Errorf("%w: cannot assign a %s complaint", ErrInvalidTransition, c.Status)
		}
		c.Assignee = staffID
		return c, nil
	})
}

// ResolveComplaint records the resolution of an open or in-progress
// complaint.
func (s *Service) ResolveComplaint(ctx context.Context, id ID, note string) (Complaint, error) {
	if err := validateMultiline("resolution", note, true); err != nil {
		return Complaint{}, err
	}
	return s.updateComplaint(ctx, id, func(c Complaint) (Complaint, error) {
		if err := complaintStep(c.Status, ComplaintResolved); err != nil {
			return c, err
		}
		c.Status, c.Resolution, c.ResolvedAt = ComplaintResolved, note, s.now()
		return c, nil
	})
}

// CloseComplaint closes a resolved complaint with the customer's
// satisfaction score, 1 (worst) to 5, or 0 when they gave none.
func (s *Service) CloseComplaint(ctx context.Context, id ID, satisfaction int) (Complaint, error) {
	if satisfaction < 0 || satisfaction > 5 {
		return Complaint{}, invalid("satisfaction", "must be 1-5, or 0 for none")
	}
	return s.updateComplaint(ctx, id, func(c Complaint) (Complaint, error) {
		if err := complaintStep(c.Status, ComplaintClosed); err != nil {
			return c, err
		}
		c.Status, c.Satisfaction, c.ClosedAt = ComplaintClosed, satisfaction, s.now()
		return c, nil
	})
}

// ReopenComplaint sends a resolved or closed complaint back to open with a
// fresh SLA due date; the assignee stays.
func (s *Service) ReopenComplaint(ctx context.Context, id ID) (Complaint, error) {
	return s.updateComplaint(ctx, id, func(c Complaint) (Complaint, error) {
		if err := complaintStep(c.Status, ComplaintOpen); err != nil {
			return c, err
		}
		due, err := s.dueDate()
		if err != nil {
			return c, err
		}
		c.Status, c.DueOn = ComplaintOpen, due
		c.Reopened++
		return c, nil
	})
}

// OverdueComplaints lists open and in-progress complaints past their due
// date.
func (s *Service) OverdueComplaints(ctx context.Context, p Page) ([]Complaint, error) {
	p, err := p.normalize()
	if err != nil {
		return nil, err
	}
	return s.store.OverdueComplaints(ctx, s.today(), p)
}

func (s *Service) updateComplaint(ctx context.Context, id ID, fn func(Complaint) (Complaint, error)) (Complaint, error) {
	if err := checkID("id", id); err != nil {
		return Complaint{}, err
	}
	return s.store.UpdateComplaint(ctx, id, fn)
}

// dueDate is the SLA's number of business days after today.
func (s *Service) dueDate() (calendar.Date, error) {
	due, err := s.days.AddBusinessDays(s.today(), s.sla)
	if err != nil {
		return calendar.Date{}, fmt.Errorf("customer: complaint due date: %w", err)
	}
	return due, nil
}
