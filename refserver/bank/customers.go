package bank

import (
	"context"
	"fmt"

	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/customer"
)

// ownCustomer refuses a customer naming anyone but themselves.
func ownCustomer(ctx context.Context, id customer.ID) error {
	if !owns(ctx, id.String()) {
		return ErrNotFound
	}
	return nil
}

// Customer returns a customer record (masked) the caller may reach.
func (b *Bank) Customer(ctx context.Context, id customer.ID) (customer.Masked, error) {
	if err := ownCustomer(ctx, id); err != nil {
		return customer.Masked{}, err
	}
	return b.customers.Get(ctx, id)
}

// UpdateCustomer changes a customer record the caller may reach, if it is
// still at expectedVersion. Customers may change their own phone, email,
// address and occupation; name, gender, income band, risk rating and
// status are the bank's decisions (ErrForbidden).
func (b *Bank) UpdateCustomer(ctx context.Context, id customer.ID, expectedVersion int64, p customer.Patch) (customer.Masked, error) {
	if err := ownCustomer(ctx, id); err != nil {
		return customer.Masked{}, err
	}
	if f := staffOnly(p); f != "" && isCustomer(ctx) {
		return customer.Masked{}, fmt.Errorf("%w: customers cannot change %s; ask the bank", ErrForbidden, f)
	}
	return b.customers.Update(ctx, id, expectedVersion, p)
}

// staffOnly names the first field of p that only staff may change, or "".
func staffOnly(p customer.Patch) string {
	switch {
	case p.FullName != nil:
		return "full_name"
	case p.Gender != nil:
		return "gender"
	case p.IncomeBand != nil:
		return "income_band"
	case p.Risk != nil:
		return "risk_rating"
	case p.Status != nil:
		return "status"
	}
	return ""
}

// SetUpOnlineBanking gives an existing customer their own online-banking
// login.
func (b *Bank) SetUpOnlineBanking(ctx context.Context, id customer.ID, username, password string) (channel.Identity, error) {
	if _, err := b.Customer(ctx, id); err != nil {
		return channel.Identity{}, err
	}
	return b.logins.CreateCustomerLogin(ctx, channel.NewCustomerLogin{CustomerID: id.String(), Username: username, Password: password})
}

// OpenComplaint opens a complaint for a customer the caller may reach.
func (b *Bank) OpenComplaint(ctx context.Context, id customer.ID, n customer.NewComplaint) (customer.Complaint, error) {
	if err := ownCustomer(ctx, id); err != nil {
		return customer.Complaint{}, err
	}
	return b.complaints.OpenComplaint(ctx, id, n)
}

// Complaints returns the complaints of a customer the caller may reach.
func (b *Bank) Complaints(ctx context.Context, id customer.ID) ([]customer.Complaint, error) {
	if err := ownCustomer(ctx, id); err != nil {
		return nil, err
	}
	return b.complaints.Complaints(ctx, id)
}

// ComplaintStep is one step of the complaint lifecycle.
type ComplaintStep string

// The steps. Customers may close (rating the resolution) and reopen their
// own complaints; staff take the others.
const (
	AssignComplaint  ComplaintStep = "assign"  // open → in_progress
	ResolveComplaint ComplaintStep = "resolve" // → resolved, with a note
	CloseComplaint   ComplaintStep = "close"   // resolved → closed, with a 1–5 satisfaction score
	ReopenComplaint  ComplaintStep = "reopen"  // resolved or closed → open
)

// ComplaintAction is what a step takes besides the complaint.
type ComplaintAction struct {
	// Assignee of an assign step: a staff identity id; empty means the
	// caller.
	Assignee     string `json:"assignee,omitempty"`
	Note         string `json:"note,omitempty"`
	Satisfaction int    `json:"satisfaction,omitempty"`
}

// AdvanceComplaint takes a complaint the caller may reach one step.
func (b *Bank) AdvanceComplaint(ctx context.Context, id customer.ID, step ComplaintStep, a ComplaintAction) (customer.Complaint, error) {
	c, err := b.complaints.Complaint(ctx, id)
	if err != nil {
		return customer.Complaint{}, err
	}
	if !owns(ctx, c.CustomerID.String()) {
		return customer.Complaint{}, ErrNotFound
	}
	switch step {
	case AssignComplaint:
		assignee := a.Assignee
		if assignee == "" {
			assignee = CallerOf(ctx).IdentityID.String()
		}
		return b.complaints.AssignComplaint(ctx, id, assignee)
	case ResolveComplaint:
		return b.complaints.ResolveComplaint(ctx, id, a.Note)
	case CloseComplaint:
		return b.complaints.CloseComplaint(ctx, id, a.Satisfaction)
	case ReopenComplaint:
		return b.complaints.ReopenComplaint(ctx, id)
	}
	return customer.Complaint{}, invalid("step", fmt.Sprintf("unknown complaint step %q", step))
}
