package refserver

import (
	"context"
	"net/http"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/refserver/bank"
)

func (s *Server) complaintRoutes() []route {
	return tagged("complaints", []route{
		{method: "POST", pattern: "/v1/customers/{id}/complaints", summary: "Open a complaint (SLA due date on the business calendar)",
			access: customerWriters.andCustomers(), idempotency: idemOptional, status: http.StatusCreated, handler: handle(s.openComplaint)},
		{method: "GET", pattern: "/v1/customers/{id}/complaints", summary: "The customer's complaints",
			access: customerReaders.andCustomers(), handler: handle(s.listComplaints)},
		{method: "POST", pattern: "/v1/complaints/{id}/assign", summary: "Assign a complaint (open → in_progress)",
			access: customerWriters, idempotency: idemOptional, handler: handle(s.complaintStep(bank.AssignComplaint))},
		{method: "POST", pattern: "/v1/complaints/{id}/resolve", summary: "Resolve a complaint with a note (→ resolved)",
			access: customerWriters, idempotency: idemOptional, handler: handle(s.resolveComplaint)},
		{method: "POST", pattern: "/v1/complaints/{id}/close", summary: "Close a resolved complaint, optionally with a 1–5 satisfaction score",
			access: customerWriters.andCustomers(), idempotency: idemOptional, handler: handle(s.complaintStep(bank.CloseComplaint))},
		{method: "POST", pattern: "/v1/complaints/{id}/reopen", summary: "Reopen a resolved or closed complaint",
			access: customerWriters.andCustomers(), idempotency: idemOptional, handler: handle(s.complaintStep(bank.ReopenComplaint))},
	})
}

type (
	complaintRequest struct {
		CustomerID  customer.ID                `path:"id" json:"-"`
		Category    customer.ComplaintCategory `json:"category"`
		Description string                     `json:"description"`
		Channel     customer.Channel           `json:"channel"`
	}
	complaintStepRequest struct {
		ID customer.ID `path:"id" json:"-"`
		bank.ComplaintAction
	}
	// resolveRequest is the body of the one step that needs a field: the
	// resolution the customer is told. It takes the other steps' fields
	// too, unused, as every step always has.
	resolveRequest struct {
		ID           customer.ID `path:"id" json:"-"`
		Note         string      `json:"note" doc:"the resolution the customer is told"`
		Assignee     string      `json:"assignee,omitempty" doc:"not used by this step"`
		Satisfaction int         `json:"satisfaction,omitempty" doc:"not used by this step"`
	}
	complaintView struct {
		ID           string                     `json:"id"`
		CustomerID   string                     `json:"customer_id"`
		Category     customer.ComplaintCategory `json:"category"`
		Description  string                     `json:"description"`
		Channel      customer.Channel           `json:"channel"`
		Status       customer.ComplaintStatus   `json:"status"`
		Assignee     string                     `json:"assignee,omitempty"`
		OpenedAt     time.Time                  `json:"opened_at"`
		DueOn        calendar.Date              `json:"due_on"`
		Resolution   string                     `json:"resolution,omitempty"`
		Satisfaction int                        `json:"satisfaction,omitempty"`
	}
)

func complaintOf(c customer.Complaint) complaintView {
	return complaintView{ID: c.ID.String(), CustomerID: c.CustomerID.String(), Category: c.Category,
		Description: c.Description, Channel: c.Channel, Status: c.Status, Assignee: c.Assignee,
		OpenedAt: c.OpenedAt.UTC(), DueOn: c.DueOn, Resolution: c.Resolution, Satisfaction: c.Satisfaction}
}

func (s *Server) openComplaint(ctx context.Context, req complaintRequest) (complaintView, error) {
	c, err := s.bank.OpenComplaint(ctx, req.CustomerID, customer.NewComplaint{Category: req.Category, Description: req.Description, Channel: req.Channel})
	if err != nil {
		return complaintView{}, err
	}
	return complaintOf(c), nil
}

func (s *Server) listComplaints(ctx context.Context, req customerPath) (list[complaintView], error) {
	cs, err := s.bank.Complaints(ctx, req.ID)
	if err != nil {
		return list[complaintView]{}, err
	}
	out := list[complaintView]{Items: make([]complaintView, 0, len(cs))}
	for _, c := range cs {
		out.Items = append(out.Items, complaintOf(c))
	}
	return out, nil
}

// complaintStep is the handler of one step of the complaint lifecycle.
func (s *Server) complaintStep(step bank.ComplaintStep) func(context.Context, complaintStepRequest) (complaintView, error) {
	return func(ctx context.Context, req complaintStepRequest) (complaintView, error) {
		c, err := s.bank.AdvanceComplaint(ctx, req.ID, step, req.ComplaintAction)
		if err != nil {
			return complaintView{}, err
		}
		return complaintOf(c), nil
	}
}

func (s *Server) resolveComplaint(ctx context.Context, req resolveRequest) (complaintView, error) {
	c, err := s.complaintStep(bank.ResolveComplaint)(ctx, complaintStepRequest{ID: req.ID, ComplaintAction: bank.ComplaintAction{Note: req.Note}})
	// The customer package calls the note the complaint's resolution.
	return c, asAPIField(err, "resolution", "note")
}
