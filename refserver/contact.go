package refserver

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/google/uuid"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/refserver/bank"
)

// The contact centre: tickets worked by agents, under /v1/contact/...
// Agents (role agent) open tickets, take the next one from their queues,
// write notes, record how they verified the caller and close tickets; the
// customer's data they see is masked (a reveal needs a reason and is
// logged by the customer subsystem), and the customer's accounts are shown
// on a ticket only after a passed verification. Supervisors (admin,
// support) set agents' skills, assign tickets by hand and run the
// escalation step, which the server also runs every minute.

var (
	// contactAgents work tickets.
	contactAgents = staff(channel.RoleAdmin, channel.RoleSupport, channel.RoleAgent)
	// contactSupervisors manage agents and assignments.
	contactSupervisors = staff(channel.RoleAdmin, channel.RoleSupport)
)

// ledgerDays is the channel's BusinessDays: the ledger's business date on
// the bank's weekday calendar.
type ledgerDays struct {
	l   *ledger.Service
	cal *calendar.BusinessCalendar
}

func (d ledgerDays) BusinessDate(ctx context.Context) (calendar.Date, error) {
	return d.l.BusinessDate(ctx)
}

func (d ledgerDays) AddBusinessDays(from calendar.Date, n int) (calendar.Date, error) {
	return d.cal.AddBusinessDays(from, n)
}

// complaintDesk adapts the customer subsystem's complaints to the
// channel's port: a complaint ticket's complaint is the customer
// subsystem's own, taken by phone.
type complaintDesk struct{ c *customer.Service }

func (d complaintDesk) OpenComplaint(ctx context.Context, customerID, category, description string) (channel.ComplaintRef, error) {
	id, err := customer.ParseID(customerID)
	if err != nil {
		return channel.ComplaintRef{}, fault.Field(channel.ErrNotFound, "customer_id", "no such customer")
	}
	c, err := d.c.OpenComplaint(ctx, id, customer.NewComplaint{Category: customer.ComplaintCategory(category),
		Description: description, Channel: customer.ChannelPhone})
	if err != nil {
		return channel.ComplaintRef{}, asAPIField(err, "category", "complaint_category")
	}
	return channel.ComplaintRef{ID: c.ID.String(), CustomerID: c.CustomerID.String(), DueOn: c.DueOn}, nil
}

func (d complaintDesk) Complaint(ctx context.Context, complaintID string) (channel.ComplaintRef, error) {
	id, err := customer.ParseID(complaintID)
	if err != nil {
		return channel.ComplaintRef{}, fault.Field(channel.ErrNotFound, "complaint_id", "no such complaint")
	}
	c, err := d.c.Complaint(ctx, id)
	if errors.Is(err, customer.ErrNotFound) {
		return channel.ComplaintRef{}, fmt.Errorf("%w: complaint %s", channel.ErrNotFound, complaintID)
	}
	if err != nil {
		return channel.ComplaintRef{}, err
	}
	return channel.ComplaintRef{ID: c.ID.String(), CustomerID: c.CustomerID.String(), DueOn: c.DueOn}, nil
}

// contactServices builds the contact centre over the channel store.
func (s *Server) contactServices(st stores) error {
	store, ok := st.channel.(channel.ContactStore)
	if !ok {
		return errors.New("refserver: the channel store keeps no contact-centre records")
	}
	weekdays, err := calendar.NewBusinessCalendar()
	if err != nil {
		return err
	}
	s.contact, err = channel.NewContact(store, ledgerDays{s.ledger, weekdays}, channel.WithContactClock(s.clock),
		channel.WithComplaintDesk(complaintDesk{s.customer}))
	if err != nil {
		return fmt.Errorf("refserver: contact centre: %w", err)
	}
	return nil
}

func (s *Server) contactRoutes() []route {
	return tagged("contact", []route{
		{method: "POST", pattern: "/v1/contact/tickets", summary: "Open a ticket (inquiry, request or complaint) for a customer; a complaint ticket opens the customer's complaint or links one",
			access: contactAgents, idempotency: idemOptional, status: http.StatusCreated, handler: handle(s.openTicket)},
		{method: "GET", pattern: "/v1/contact/tickets", summary: "Tickets by id, filtered by customer, queue, status or assignee",
			access: contactAgents, handler: handle(s.listTickets)},
		{method: "GET", pattern: "/v1/contact/tickets/{id}", summary: "One ticket",
			access: contactAgents, handler: handle(s.getTicket)},
		{method: "POST", pattern: "/v1/contact/tickets/{id}/assign", summary: "Assign a ticket to an agent with its skill, or (no agent_id) to the least busy available one",
			access: contactSupervisors, idempotency: idemOptional, handler: handle(s.assignTicket)},
		{method: "POST", pattern: "/v1/contact/next-ticket", summary: "The calling agent takes the next open ticket of their queues (most urgent, then earliest due); 404 when none waits",
			access: staff(channel.RoleAgent), idempotency: idemOptional, handler: handle(s.takeNextTicket)},
		{method: "POST", pattern: "/v1/contact/tickets/{id}/notes", summary: "Add a note to a ticket",
			access: contactAgents, idempotency: idemOptional, status: http.StatusCreated, handler: handle(s.addTicketNote)},
		{method: "GET", pattern: "/v1/contact/tickets/{id}/notes", summary: "A ticket's notes, oldest first",
			access: contactAgents, handler: handle(s.ticketNotes)},
		{method: "POST", pattern: "/v1/contact/tickets/{id}/verification", summary: "Record how the caller was verified (factors asked, each passed or not); passed when enough factors passed and none failed",
			access: contactAgents, idempotency: idemOptional, status: http.StatusCreated, handler: handle(s.verifyCaller)},
		{method: "GET", pattern: "/v1/contact/tickets/{id}/customer", summary: "The ticket's customer, masked; reveal=<fields>&reason=<why> shows fields in full, logged",
			access: contactAgents, handler: handle(s.ticketCustomer)},
		{method: "GET", pattern: "/v1/contact/tickets/{id}/accounts", summary: "The ticket's customer's accounts: only after the caller passed verification on the ticket",
			access: contactAgents, handler: handle(s.ticketAccounts)},
		{method: "POST", pattern: "/v1/contact/tickets/{id}/close", summary: "Close a ticket with a reason and the customer's 1–5 satisfaction",
			access: contactAgents, idempotency: idemOptional, handler: handle(s.closeTicket)},
		{method: "PUT", pattern: "/v1/contact/agents/{id}", summary: "Set a staff member's agent record: skills (queues) and availability",
			access: contactSupervisors, handler: handle(s.putAgent)},
		{method: "GET", pattern: "/v1/contact/agents", summary: "The agents with their skills and availability",
			access: contactAgents, handler: handle(s.listAgents)},
		{method: "POST", pattern: "/v1/contact/escalations/run", summary: "Escalate tickets whose due date nears (level 1) or passed (level 2); the server also does this every minute",
			access: contactSupervisors, idempotency: idemOptional, handler: handle(s.runEscalations)},
	})
}

type (
	ticketCreateRequest struct {
		Kind              channel.TicketKind `json:"kind" doc:"inquiry, request or complaint"`
		CustomerID        customer.ID        `json:"customer_id"`
		AccountID         string             `json:"account_id,omitempty" doc:"one of the customer's accounts"`
		TransferID        string             `json:"transfer_id,omitempty"`
		LoanID            string             `json:"loan_id,omitempty"`
		CardID            string             `json:"card_id,omitempty"`
		Subject           string             `json:"subject"`
		Description       string             `json:"description,omitempty" doc:"required for a new complaint"`
		Priority          channel.Priority   `json:"priority,omitempty" doc:"low, normal (default), high or urgent"`
		Queue             string             `json:"queue,omitempty" doc:"the skill needed; default general, complaints for complaints"`
		ComplaintID       string             `json:"complaint_id,omitempty" doc:"complaint tickets: link this existing complaint of the customer"`
		ComplaintCategory string             `json:"complaint_category,omitempty" doc:"complaint tickets without complaint_id: fees, service, product, fraud, privacy or other"`
	}
	ticketQuery struct {
		CustomerID string               `query:"customer_id"`
		Queue      string               `query:"queue"`
		Status     channel.TicketStatus `query:"status" doc:"open, assigned or closed"`
		Assignee   string               `query:"assignee" doc:"an agent's staff id"`
		page
	}
	ticketPath struct {
		ID uuid.UUID `path:"id"`
	}
	assignRequest struct {
		ID      uuid.UUID `path:"id" json:"-"`
		AgentID string    `json:"agent_id,omitempty" doc:"an agent's staff id; empty: the least busy available agent with the skill"`
	}
	nextTicketRequest struct {
		Queue string `json:"queue,omitempty" doc:"one of the agent's skills; default: all of them"`
	}
	noteRequest struct {
		ID   uuid.UUID `path:"id" json:"-"`
		Text string    `json:"text"`
	}
	verificationStepBody struct {
		Factor channel.Factor `json:"factor" doc:"date_of_birth, national_id_last4, account_last4, security_question, recent_transaction, one_time_code or callback_number"`
		Passed bool           `json:"passed"`
	}
	verificationRequest struct {
		ID    uuid.UUID              `path:"id" json:"-"`
		Steps []verificationStepBody `json:"steps"`
	}
	ticketCustomerRequest struct {
		ID     uuid.UUID    `path:"id"`
		Reveal revealFields `query:"reveal" doc:"comma-separated: national_id, phones, email, address, date_of_birth, or all"`
		Reason string       `query:"reason" doc:"why the full data is needed (required with reveal)"`
	}
	closeTicketRequest struct {
		ID           uuid.UUID           `path:"id" json:"-"`
		Reason       channel.CloseReason `json:"reason" doc:"resolved, no_response, duplicate, withdrawn or referred"`
		Satisfaction int                 `json:"satisfaction,omitempty" doc:"1–5 as the customer rated it; 0 or absent: not given"`
	}
	agentRequest struct {
		ID        uuid.UUID `path:"id" json:"-" doc:"the staff member's identity id"`
		Name      string    `json:"name,omitempty"`
		Skills    []string  `json:"skills" doc:"queues, e.g. general, cards, loans, complaints"`
		Available bool      `json:"available,omitempty" doc:"takes work now; default false"`
	}

	ticketView struct {
		ID           string               `json:"id"`
		Kind         channel.TicketKind   `json:"kind"`
		CustomerID   string               `json:"customer_id"`
		AccountID    string               `json:"account_id,omitempty"`
		TransferID   string               `json:"transfer_id,omitempty"`
		LoanID       string               `json:"loan_id,omitempty"`
		CardID       string               `json:"card_id,omitempty"`
		ComplaintID  string               `json:"complaint_id,omitempty" doc:"the customer subsystem's complaint (GET /v1/customers/{id}/complaints)"`
		Subject      string               `json:"subject"`
		Description  string               `json:"description,omitempty"`
		Priority     channel.Priority     `json:"priority"`
		Queue        string               `json:"queue"`
		Status       channel.TicketStatus `json:"status" doc:"open, assigned or closed"`
		Assignee     string               `json:"assignee,omitempty"`
		OpenedBy     string               `json:"opened_by"`
		OpenedAt     time.Time            `json:"opened_at"`
		OpenedOn     calendar.Date        `json:"opened_on" doc:"business date"`
		DueOn        calendar.Date        `json:"due_on" doc:"business date the SLA asks it closed by"`
		Escalation   int                  `json:"escalation" doc:"0; 1 due soon; 2 overdue"`
		EscalatedAt  *time.Time           `json:"escalated_at,omitempty"`
		AssignedAt   *time.Time           `json:"assigned_at,omitempty"`
		ClosedAt     *time.Time           `json:"closed_at,omitempty"`
		CloseReason  channel.CloseReason  `json:"close_reason,omitempty"`
		Satisfaction int                  `json:"satisfaction,omitempty"`
		Version      int64                `json:"version"`
	}
	noteView struct {
		ID     string    `json:"id"`
		Author string    `json:"author"`
		Text   string    `json:"text"`
		At     time.Time `json:"at"`
	}
	callerCheckView struct {
		ID     string                 `json:"id"`
		Agent  string                 `json:"agent"`
		Steps  []verificationStepBody `json:"steps"`
		Passed bool                   `json:"passed"`
		At     time.Time              `json:"at"`
	}
	agentView struct {
		ID        string    `json:"id"`
		Name      string    `json:"name,omitempty"`
		Skills    []string  `json:"skills"`
		Available bool      `json:"available"`
		UpdatedAt time.Time `json:"updated_at"`
	}
	escalationView struct {
		DueSoon []string `json:"due_soon" doc:"ids of the tickets raised to level 1"`
		Overdue []string `json:"overdue" doc:"ids of the tickets raised to level 2"`
	}
)

func timePtr(t time.Time) *time.Time {
	if t.IsZero() {
		return nil
	}
	t = t.UTC()
	return &t
}

func ticketOf(t channel.Ticket) ticketView {
	return ticketView{ID: t.ID.String(), Kind: t.Kind, CustomerID: t.CustomerID, AccountID: t.Links.AccountID,
		TransferID: t.Links.TransferID, LoanID: t.Links.LoanID, CardID: t.Links.CardID, ComplaintID: t.ComplaintID,
		Subject: t.Subject, Description: t.Description, Priority: t.Priority, Queue: t.Queue, Status: t.Status,
		Assignee: t.Assignee, OpenedBy: t.OpenedBy, OpenedAt: t.OpenedAt.UTC(), OpenedOn: t.OpenedOn, DueOn: t.DueOn,
		Escalation: t.Escalation, EscalatedAt: timePtr(t.EscalatedAt), AssignedAt: timePtr(t.AssignedAt),
		ClosedAt: timePtr(t.ClosedAt), CloseReason: t.CloseReason, Satisfaction: t.Satisfaction, Version: t.Version}
}

func agentOf(a channel.Agent) agentView {
	return agentView{ID: a.ID, Name: a.Name, Skills: nonNil(a.Skills), Available: a.Available, UpdatedAt: a.UpdatedAt.UTC()}
}

// isSupervisor: the caller may work any ticket, not only their own.
func isSupervisor(p channel.Principal) bool { return contactSupervisors.allows(p) }

// workedTicket is the ticket if the caller may work it: a supervisor any,
// an agent the ones assigned to them (another's is not found).
func (s *Server) workedTicket(ctx context.Context, id uuid.UUID) (channel.Ticket, error) {
	t, err := s.contact.Ticket(ctx, id)
	if err != nil {
		return channel.Ticket{}, err
	}
	p := bank.CallerOf(ctx)
	if !isSupervisor(p) && t.Assignee != p.IdentityID.String() {
		return channel.Ticket{}, fmt.Errorf("%w: ticket %s is not assigned to you", bank.ErrNotFound, id)
	}
	return t, nil
}

func (s *Server) openTicket(ctx context.Context, req ticketCreateRequest) (ticketView, error) {
	if _, err := s.customer.Get(ctx, req.CustomerID); err != nil {
		if errors.Is(err, customer.ErrNotFound) {
			return ticketView{}, fault.Field(bank.ErrNotFound, "customer_id", "no such customer")
		}
		return ticketView{}, asAPIField(err, "id", "customer_id")
	}
	if req.AccountID != "" {
		owner, err := (ledgerOwners{s.ledger}).AccountOwner(ctx, req.AccountID)
		if err != nil {
			return ticketView{}, err
		}
		if owner != req.CustomerID.String() {
			return ticketView{}, fault.Field(channel.ErrNotFound, "account_id", "no such account of this customer")
		}
	}
	t, err := s.contact.Open(ctx, channel.NewTicket{Kind: req.Kind, CustomerID: req.CustomerID.String(),
		Links:   channel.TicketLinks{AccountID: req.AccountID, TransferID: req.TransferID, LoanID: req.LoanID, CardID: req.CardID},
		Subject: req.Subject, Description: req.Description, Priority: req.Priority, Queue: req.Queue,
		ComplaintID: req.ComplaintID, ComplaintCategory: req.ComplaintCategory, OpenedBy: bank.CallerOf(ctx).IdentityID.String()})
	if err != nil {
		return ticketView{}, err
	}
	return ticketOf(t), nil
}

func (s *Server) listTickets(ctx context.Context, req ticketQuery) (list[ticketView], error) {
	ts, err := s.contact.Tickets(ctx, channel.TicketFilter{CustomerID: req.CustomerID, Queue: req.Queue, Status: req.Status,
		Assignee: req.Assignee, After: req.After.id(), Limit: req.Limit.n()})
	if err != nil {
		return list[ticketView]{}, err
	}
	out := list[ticketView]{Items: make([]ticketView, 0, len(ts))}
	for _, t := range ts {
		out.Items = append(out.Items, ticketOf(t))
	}
	if len(ts) == req.Limit.n() {
		out.Next = ts[len(ts)-1].ID.String()
	}
	return out, nil
}

func (s *Server) getTicket(ctx context.Context, req ticketPath) (ticketView, error) {
	t, err := s.contact.Ticket(ctx, req.ID)
	if err != nil {
		return ticketView{}, err
	}
	return ticketOf(t), nil
}

func (s *Server) assignTicket(ctx context.Context, req assignRequest) (ticketView, error) {
	var t channel.Ticket
	var err error
	if req.AgentID == "" {
		t, err = s.contact.AssignNextAgent(ctx, req.ID)
	} else {
		t, err = s.contact.Assign(ctx, req.ID, req.AgentID)
	}
	if err != nil {
		return ticketView{}, err
	}
	return ticketOf(t), nil
}

func (s *Server) takeNextTicket(ctx context.Context, req nextTicketRequest) (ticketView, error) {
	t, err := s.contact.TakeNext(ctx, bank.CallerOf(ctx).IdentityID.String(), req.Queue)
	if err != nil {
		return ticketView{}, err
	}
	return ticketOf(t), nil
}

func (s *Server) addTicketNote(ctx context.Context, req noteRequest) (noteView, error) {
	if _, err := s.workedTicket(ctx, req.ID); err != nil {
		return noteView{}, err
	}
	n, err := s.contact.AddNote(ctx, req.ID, bank.CallerOf(ctx).IdentityID.String(), req.Text)
	if err != nil {
		return noteView{}, err
	}
	return noteView{ID: n.ID.String(), Author: n.Author, Text: n.Text, At: n.At.UTC()}, nil
}

func (s *Server) ticketNotes(ctx context.Context, req ticketPath) (list[noteView], error) {
	if _, err := s.workedTicket(ctx, req.ID); err != nil {
		return list[noteView]{}, err
	}
	ns, err := s.contact.Notes(ctx, req.ID)
	if err != nil {
		return list[noteView]{}, err
	}
	out := list[noteView]{Items: make([]noteView, 0, len(ns))}
	for _, n := range ns {
		out.Items = append(out.Items, noteView{ID: n.ID.String(), Author: n.Author, Text: n.Text, At: n.At.UTC()})
	}
	return out, nil
}

func (s *Server) verifyCaller(ctx context.Context, req verificationRequest) (callerCheckView, error) {
	if _, err := s.workedTicket(ctx, req.ID); err != nil {
		return callerCheckView{}, err
	}
	steps := make([]channel.VerificationStep, 0, len(req.Steps))
	for _, st := range req.Steps {
		steps = append(steps, channel.VerificationStep{Factor: st.Factor, Passed: st.Passed})
	}
	v, err := s.contact.Verify(ctx, req.ID, bank.CallerOf(ctx).IdentityID.String(), steps)
	if err != nil {
		return callerCheckView{}, err
	}
	return callerCheckView{ID: v.ID.String(), Agent: v.Agent, Steps: slices.Clone(req.Steps), Passed: v.Passed, At: v.At.UTC()}, nil
}

func (s *Server) ticketCustomer(ctx context.Context, req ticketCustomerRequest) (customerView, error) {
	t, err := s.workedTicket(ctx, req.ID)
	if err != nil {
		return customerView{}, err
	}
	id, err := customer.ParseID(t.CustomerID)
	if err != nil {
		return customerView{}, err
	}
	m, err := s.customer.Get(ctx, id)
	if err != nil {
		return customerView{}, err
	}
	if req.Reveal == nil {
		return maskedView(m), nil
	}
	caller := bank.CallerOf(ctx)
	reason := req.Reason
	if reason != "" {
		reason = fmt.Sprintf("contact ticket %s: %s", t.ID, req.Reason)
	}
	c, _, err := s.customer.Reveal(ctx, caller.IdentityID.String(), id, req.Reveal, reason)
	if err != nil {
		return customerView{}, err
	}
	if m.Version != c.Version {
		return customerView{}, fmt.Errorf("%w: the customer changed while it was read; retry", errConflict)
	}
	return revealedView(m, c, req.Reveal), nil
}

func (s *Server) ticketAccounts(ctx context.Context, req ticketPath) (list[accountView], error) {
	if _, err := s.workedTicket(ctx, req.ID); err != nil {
		return list[accountView]{}, err
	}
	t, err := s.contact.RequireVerified(ctx, req.ID)
	if err != nil {
		return list[accountView]{}, err
	}
	id, err := customer.ParseID(t.CustomerID)
	if err != nil {
		return list[accountView]{}, err
	}
	accts, err := s.bank.CustomerAccounts(ctx, id)
	if err != nil {
		return list[accountView]{}, err
	}
	return accountList(accts, ""), nil
}

func (s *Server) closeTicket(ctx context.Context, req closeTicketRequest) (ticketView, error) {
	if _, err := s.workedTicket(ctx, req.ID); err != nil {
		return ticketView{}, err
	}
	t, err := s.contact.Close(ctx, req.ID, req.Reason, req.Satisfaction)
	if err != nil {
		return ticketView{}, err
	}
	return ticketOf(t), nil
}

func (s *Server) putAgent(ctx context.Context, req agentRequest) (agentView, error) {
	if req.Skills == nil {
		return agentView{}, fault.Field(channel.ErrInvalidInput, "skills", "is required ([] takes the agent off every queue)")
	}
	i, err := s.channel.Identity(ctx, req.ID)
	if errors.Is(err, channel.ErrNotFound) || err == nil && i.Kind != channel.KindStaff {
		return agentView{}, fault.Field(channel.ErrNotFound, "id", "no such member of staff")
	}
	if err != nil {
		return agentView{}, err
	}
	name := req.Name
	if name == "" {
		name = i.Username
	}
	a, err := s.contact.SetAgent(ctx, channel.Agent{ID: i.ID.String(), Name: name, Skills: req.Skills, Available: req.Available})
	if err != nil {
		return agentView{}, err
	}
	return agentOf(a), nil
}

func (s *Server) listAgents(ctx context.Context, _ none) (list[agentView], error) {
	as, err := s.contact.Agents(ctx)
	if err != nil {
		return list[agentView]{}, err
	}
	out := list[agentView]{Items: make([]agentView, 0, len(as))}
	for _, a := range as {
		out.Items = append(out.Items, agentOf(a))
	}
	return out, nil
}

func (s *Server) runEscalations(ctx context.Context, _ none) (escalationView, error) {
	rep, err := s.contact.Escalate(ctx)
	v := escalationView{DueSoon: []string{}, Overdue: []string{}}
	for _, t := range rep.DueSoon {
		v.DueSoon = append(v.DueSoon, t.ID.String())
	}
	for _, t := range rep.Overdue {
		v.Overdue = append(v.Overdue, t.ID.String())
	}
	return v, err
}

// startContactScheduler runs the escalation step every interval until ctx
// ends.
func (s *Server) startContactScheduler(ctx context.Context, interval time.Duration) func() {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(interval)
		defer t.Stop()
		for {
			rep, err := s.contact.Escalate(ctx)
			switch {
			case err != nil && ctx.Err() == nil:
				s.log.Warn("contact escalation", "error", err)
			case len(rep.DueSoon)+len(rep.Overdue) > 0:
				s.log.Info("contact escalation", "due_soon", len(rep.DueSoon), "overdue", len(rep.Overdue))
			}
			select {
			case <-ctx.Done():
				return
			case <-t.C:
			}
		}
	}()
	return func() { cancel(); <-done }
}
