package channel

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/google/uuid"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/text"
)

// The contact centre: tickets for what customers ask, request and complain
// about by phone, chat or mail, worked by agents from queues by skill,
// due on the business calendar and escalated when the due date nears.
// The customer subsystem keeps complaints; a complaint ticket opens one
// there (or links an existing one) through the ComplaintDesk port rather
// than keeping a second record of it.

// Sentinels of the contact centre.
var (
	// ErrNoTicketWaiting: no open ticket in the agent's queues.
	ErrNoTicketWaiting = fault.New(fault.NotFound, "no-ticket-waiting", "channel: no ticket waiting")
	// ErrTicketClosed: the ticket is closed; nothing more happens to it.
	ErrTicketClosed = fault.New(fault.Conflict, "ticket-closed", "channel: ticket closed")
	// ErrCallerNotVerified: the caller has not passed verification on
	// this ticket, so account details are not shown.
	ErrCallerNotVerified = fault.New(fault.Forbidden, "caller-not-verified", "channel: caller not verified")
	// ErrAgentUnavailable: the agent is unknown, unavailable or lacks the
	// ticket's skill.
	ErrAgentUnavailable = fault.New(fault.Unprocessable, "agent-unavailable", "channel: agent unavailable")
)

// TicketKind is what a ticket is about.
type TicketKind string

// The kinds.
const (
	TicketInquiry   TicketKind = "inquiry"   // a question
	TicketRequest   TicketKind = "request"   // something to do (a card reissue, a statement)
	TicketComplaint TicketKind = "complaint" // a complaint: linked to the customer subsystem's
)

// Validate checks the kind.
func (k TicketKind) Validate() error {
	switch k {
	case TicketInquiry, TicketRequest, TicketComplaint:
		return nil
	}
	return invalid("kind", "must be inquiry, request or complaint")
}

// Priority orders the work: urgent first.
type Priority string

// The priorities, lowest first.
const (
	PriorityLow    Priority = "low"
	PriorityNormal Priority = "normal"
	PriorityHigh   Priority = "high"
	PriorityUrgent Priority = "urgent"
)

var priorities = []Priority{PriorityLow, PriorityNormal, PriorityHigh, PriorityUrgent}

// Rank is the priority's place: 1 (low) to 4 (urgent), 0 if unknown.
func (p Priority) Rank() int { return slices.Index(priorities, p) + 1 }

// PriorityOfRank is the priority of rank r (1 to 4).
func PriorityOfRank(r int) Priority {
	if r < 1 || r > len(priorities) {
		return ""
	}
	return priorities[r-1]
}

// Validate checks the priority.
func (p Priority) Validate() error {
	if p.Rank() == 0 {
		return invalid("priority", "must be low, normal, high or urgent")
	}
	return nil
}

// TicketStatus is where a ticket stands.
type TicketStatus string

// The statuses: open (in its queue, nobody's), assigned (an agent's),
// closed.
const (
	TicketOpen     TicketStatus = "open"
	TicketAssigned TicketStatus = "assigned"
	TicketClosed   TicketStatus = "closed"
)

// CloseReason says why a ticket was closed.
type CloseReason string

// The reasons.
const (
	CloseResolved   CloseReason = "resolved"
	CloseNoResponse CloseReason = "no_response" // the customer did not come back
	CloseDuplicate  CloseReason = "duplicate"
	CloseWithdrawn  CloseReason = "withdrawn" // the customer no longer needs it
	CloseReferred   CloseReason = "referred"  // handed to a branch or another department
)

// Validate checks the reason.
func (r CloseReason) Validate() error {
	switch r {
	case CloseResolved, CloseNoResponse, CloseDuplicate, CloseWithdrawn, CloseReferred:
		return nil
	}
	return invalid("reason", "must be resolved, no_response, duplicate, withdrawn or referred")
}

// TicketLinks are the customer's objects a ticket is about, as the ids
// of their subsystems (opaque here); all optional.
type TicketLinks struct {
	AccountID  string
	TransferID string
	LoanID     string
	CardID     string
}

func (l TicketLinks) validate() error {
	for _, f := range []struct{ field, v string }{{"account_id", l.AccountID}, {"transfer_id", l.TransferID},
		{"loan_id", l.LoanID}, {"card_id", l.CardID}} {
		if len(f.v) > 64 {
			return invalid(f.field, "must be at most 64 bytes")
		}
		if err := text.Line(ErrInvalidInput, f.field, f.v); err != nil {
			return err
		}
	}
	return nil
}

// Ticket is one matter in the contact centre.
type Ticket struct {
	ID         uuid.UUID
	Kind       TicketKind
	CustomerID string
	Links      TicketLinks
	// ComplaintID is the customer subsystem's complaint of a complaint
	// ticket (unique: one ticket per complaint).
	ComplaintID string
	Subject     string
	Description string
	Priority    Priority
	// Queue is the skill an agent needs to work the ticket.
	Queue    string
	Status   TicketStatus
	Assignee string // the agent's staff identity id; "" while open
	// OpenedBy is the staff identity that opened it.
	OpenedBy string
	OpenedAt time.Time
	// OpenedOn is the business date it was opened, DueOn the business date
	// it should be closed by.
	OpenedOn calendar.Date
	DueOn    calendar.Date
	// Escalation is 0, 1 (due soon: see ContactConfig.EscalateWithin) or 2
	// (overdue); each level raises the priority.
	Escalation   int
	EscalatedAt  time.Time
	AssignedAt   time.Time
	ClosedAt     time.Time
	CloseReason  CloseReason
	Satisfaction int // 1–5, 0: not given
	Version      int64
}

// Note is an agent's note on a ticket.
type Note struct {
	ID       uuid.UUID
	TicketID uuid.UUID
	Author   string
	Text     string
	At       time.Time
}

// Factor is a way an agent checks that the caller is the customer.
type Factor string

// The factors.
const (
	FactorDateOfBirth       Factor = "date_of_birth"
	FactorNationalIDLast4   Factor = "national_id_last4"
	FactorAccountLast4      Factor = "account_last4"
	FactorSecurityQuestion  Factor = "security_question"
	FactorRecentTransaction Factor = "recent_transaction"
	FactorOneTimeCode       Factor = "one_time_code" // a code sent to the customer's phone
	FactorCallbackNumber    Factor = "callback_number"
)

var factors = []Factor{FactorDateOfBirth, FactorNationalIDLast4, FactorAccountLast4, FactorSecurityQuestion,
	FactorRecentTransaction, FactorOneTimeCode, FactorCallbackNumber}

// Factors lists the known factors.
func Factors() []Factor { return slices.Clone(factors) }

// VerificationStep is one factor asked and whether the caller's answer
// matched.
type VerificationStep struct {
	Factor Factor
	Passed bool
}

// Verification is one record of checking a caller on a ticket.
type Verification struct {
	ID         uuid.UUID
	TicketID   uuid.UUID
	CustomerID string
	Agent      string
	Steps      []VerificationStep
	Passed     bool
	At         time.Time
}

// Agent is a member of staff working tickets: the queues they have the
// skill for and whether they take work now.
type Agent struct {
	ID        string // the staff identity id
	Name      string
	Skills    []string
	Available bool
	UpdatedAt time.Time
}

// TicketFilter selects tickets; zero fields match all.
type TicketFilter struct {
	CustomerID string
	Queue      string
	Status     TicketStatus
	Assignee   string
	// After is the id of the last ticket of the previous page.
	After uuid.UUID
	Limit int
}

// ContactStore keeps the contact centre's records. memchannel and
// pgchannel implement it; the contract suite is channeltest.RunContact.
type ContactStore interface {
	// CreateTicket stores a new ticket. Errors: ErrDuplicate (the id, or
	// a complaint another ticket has).
	CreateTicket(ctx context.Context, t Ticket) error
	// Ticket returns one. Errors: ErrNotFound.
	Ticket(ctx context.Context, id uuid.UUID) (Ticket, error)
	// TicketByComplaint returns the ticket of a complaint. Errors:
	// ErrNotFound.
	TicketByComplaint(ctx context.Context, complaintID string) (Ticket, error)
	// Tickets lists the tickets matching f by id.
	Tickets(ctx context.Context, f TicketFilter) ([]Ticket, error)
	// UpdateTicket applies fn to the ticket atomically (fn may run more
	// than once) and stores its result with the version raised. Errors:
	// ErrNotFound, and fn's.
	UpdateTicket(ctx context.Context, id uuid.UUID, fn func(Ticket) (Ticket, error)) (Ticket, error)
	// TakeNext assigns to agent the first open ticket of queues (highest
	// priority, then earliest due, then oldest) at at, atomically:
	// concurrent takers never get one ticket. Errors: ErrNoTicketWaiting.
	TakeNext(ctx context.Context, agent string, queues []string, at time.Time) (Ticket, error)
	// Escalate raises to level every ticket not closed, below level and
	// due on or before dueBy, setting its priority to at least minimum,
	// and returns them.
	Escalate(ctx context.Context, level int, dueBy calendar.Date, minimum Priority, at time.Time) ([]Ticket, error)
	// AddNote stores a note. Errors: ErrNotFound (no such ticket).
	AddNote(ctx context.Context, n Note) error
	// Notes returns a ticket's notes, oldest first.
	Notes(ctx context.Context, ticketID uuid.UUID) ([]Note, error)
	// AddVerification stores a verification. Errors: ErrNotFound.
	AddVerification(ctx context.Context, v Verification) error
	// Verifications returns a ticket's verifications, oldest first.
	Verifications(ctx context.Context, ticketID uuid.UUID) ([]Verification, error)
	// PutAgent creates or replaces an agent.
	PutAgent(ctx context.Context, a Agent) error
	// Agent returns one. Errors: ErrNotFound.
	Agent(ctx context.Context, id string) (Agent, error)
	// Agents lists the agents by id.
	Agents(ctx context.Context) ([]Agent, error)
}

// ComplaintRef is the customer subsystem's complaint as the contact
// centre sees it.
type ComplaintRef struct {
	ID         string
	CustomerID string
	DueOn      calendar.Date
}

// ComplaintDesk is the port to the customer subsystem's complaints.
type ComplaintDesk interface {
	// OpenComplaint opens a complaint for the customer.
	OpenComplaint(ctx context.Context, customerID, category, description string) (ComplaintRef, error)
	// Complaint returns an existing one (ErrNotFound if none).
	Complaint(ctx context.Context, id string) (ComplaintRef, error)
}

// BusinessDays is the bank's business calendar and date: what due dates
// are counted on.
type BusinessDays interface {
	// BusinessDate is today's business date.
	BusinessDate(ctx context.Context) (calendar.Date, error)
	AddBusinessDays(d calendar.Date, n int) (calendar.Date, error)
}

// ContactConfig is the contact centre's policy.
type ContactConfig struct {
	// SLA is the number of business days a ticket of each priority may
	// stay open.
	SLA map[Priority]int
	// EscalateWithin: a ticket due within this many business days is
	// escalated to level 1 (at least high); an overdue one to level 2
	// (urgent).
	EscalateWithin int
	// VerifyFactors is how many different factors a caller must pass (and
	// none fail) before account details are shown.
	VerifyFactors int
	// DefaultQueue of inquiries and requests; complaints go to
	// ComplaintQueue.
	DefaultQueue   string
	ComplaintQueue string
}

// DefaultContactConfig: urgent 1, high 2, normal 5, low 10 business days;
// escalated a business day before due; two factors to verify a caller.
func DefaultContactConfig() ContactConfig {
	return ContactConfig{SLA: map[Priority]int{PriorityUrgent: 1, PriorityHigh: 2, PriorityNormal: 5, PriorityLow: 10},
		EscalateWithin: 1, VerifyFactors: 2, DefaultQueue: "general", ComplaintQueue: "complaints"}
}

func (c ContactConfig) validate() error {
	for _, p := range priorities {
		if c.SLA[p] < 0 || c.SLA[p] > 365 {
			return invalid("sla", fmt.Sprintf("%s: 0 to 365 business days", p))
		}
	}
	if c.EscalateWithin < 0 || c.VerifyFactors < 1 || c.VerifyFactors > len(factors) {
		return invalid("contact_config", "escalate_within must be >= 0 and verify_factors 1 to 7")
	}
	if err := checkQueue("default_queue", c.DefaultQueue); err != nil {
		return err
	}
	return checkQueue("complaint_queue", c.ComplaintQueue)
}

// Contact is the contact centre's service.
type Contact struct {
	store      ContactStore
	days       BusinessDays
	complaints ComplaintDesk
	clock      calendar.Clock
	cfg        ContactConfig
}

// ContactOption configures a Contact.
type ContactOption func(*Contact) error

// WithContactClock sets the clock.
func WithContactClock(c calendar.Clock) ContactOption {
	return func(s *Contact) error {
		if c == nil {
			return invalid("clock", "must not be nil")
		}
		s.clock = c
		return nil
	}
}

// WithContactConfig sets the policy.
func WithContactConfig(c ContactConfig) ContactOption {
	return func(s *Contact) error {
		if err := c.validate(); err != nil {
			return err
		}
		s.cfg = c
		return nil
	}
}

// WithComplaintDesk sets the complaints port; without one complaint
// tickets are refused.
func WithComplaintDesk(d ComplaintDesk) ContactOption {
	return func(s *Contact) error {
		if d == nil {
			return invalid("complaints", "must not be nil")
		}
		s.complaints = d
		return nil
	}
}

// NewContact returns the contact centre over store, with due dates on
// days.
func NewContact(store ContactStore, days BusinessDays, opts ...ContactOption) (*Contact, error) {
	if store == nil {
		return nil, invalid("store", "must not be nil")
	}
	if days == nil {
		return nil, invalid("business_days", "must not be nil")
	}
	c := &Contact{store: store, days: days, clock: calendar.SystemClock{}, cfg: DefaultContactConfig()}
	for _, o := range opts {
		if err := o(c); err != nil {
			return nil, err
		}
	}
	return c, nil
}

// Config returns the policy.
func (c *Contact) Config() ContactConfig { return c.cfg }

func (c *Contact) now() time.Time { return c.clock.Now().UTC().Truncate(time.Microsecond) }

func checkQueue(field, q string) error {
	if q == "" || len(q) > 40 {
		return invalid(field, "must be 1 to 40 characters")
	}
	for _, r := range q {
		if !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return invalid(field, "lower-case letters, digits, _ and - only")
		}
	}
	return nil
}

func checkStaffID(field, id string) error {
	if id == "" || len(id) > 64 {
		return invalid(field, "must be 1 to 64 bytes")
	}
	return text.Line(ErrInvalidInput, field, id)
}

// NewTicket is what opening a ticket takes.
type NewTicket struct {
	Kind        TicketKind
	CustomerID  string
	Links       TicketLinks
	Subject     string
	Description string
	Priority    Priority // default normal
	Queue       string   // default by kind
	// ComplaintID links an existing complaint (complaint tickets only);
	// without one a complaint ticket opens a complaint of
	// ComplaintCategory.
	ComplaintID       string
	ComplaintCategory string
	// OpenedBy is the staff identity opening it.
	OpenedBy string
}

func (n *NewTicket) validate(cfg ContactConfig) error {
	if err := n.Kind.Validate(); err != nil {
		return err
	}
	if err := checkStaffID("customer_id", n.CustomerID); err != nil {
		return err
	}
	if err := n.Links.validate(); err != nil {
		return err
	}
	if n.Priority == "" {
		n.Priority = PriorityNormal
	}
	if err := n.Priority.Validate(); err != nil {
		return err
	}
	if n.Queue == "" {
		n.Queue = cfg.DefaultQueue
		if n.Kind == TicketComplaint {
			n.Queue = cfg.ComplaintQueue
		}
	}
	if err := checkQueue("queue", n.Queue); err != nil {
		return err
	}
	switch {
	case strings.TrimSpace(n.Subject) == "" || len(n.Subject) > 200:
		return invalid("subject", "must be 1 to 200 bytes")
	case len(n.Description) > 4000:
		return invalid("description", "must be at most 4000 bytes")
	case n.Kind != TicketComplaint && (n.ComplaintID != "" || n.ComplaintCategory != ""):
		return invalid("complaint_id", "only a complaint ticket links a complaint")
	case n.Kind == TicketComplaint && n.ComplaintID == "" && n.ComplaintCategory == "":
		return invalid("complaint_category", "a new complaint needs its category (or give complaint_id)")
	case n.Kind == TicketComplaint && n.ComplaintID == "" && strings.TrimSpace(n.Description) == "":
		return invalid("description", "a new complaint needs its description")
	}
	if err := text.Line(ErrInvalidInput, "subject", n.Subject); err != nil {
		return err
	}
	if err := text.Multiline(ErrInvalidInput, "description", n.Description); err != nil {
		return err
	}
	return checkStaffID("opened_by", n.OpenedBy)
}

// Open opens a ticket, due the SLA of its priority in business days from
// today. A complaint ticket links the complaint named, which must be the
// customer's and have no ticket yet (ErrDuplicate), or opens one in the
// customer subsystem; it is due by the complaint's own due date if that
// is sooner.
func (c *Contact) Open(ctx context.Context, n NewTicket) (Ticket, error) {
	if err := n.validate(c.cfg); err != nil {
		return Ticket{}, err
	}
	today, err := c.days.BusinessDate(ctx)
	if err != nil {
		return Ticket{}, err
	}
	due, err := c.days.AddBusinessDays(today, c.cfg.SLA[n.Priority])
	if err != nil {
		return Ticket{}, fmt.Errorf("channel: ticket due date: %w", err)
	}
	id, err := newID()
	if err != nil {
		return Ticket{}, err
	}
	t := Ticket{ID: id, Kind: n.Kind, CustomerID: n.CustomerID, Links: n.Links, Subject: n.Subject,
		Description: n.Description, Priority: n.Priority, Queue: n.Queue, Status: TicketOpen, OpenedBy: n.OpenedBy,
		OpenedAt: c.now(), OpenedOn: today, DueOn: due, Version: 1}
	if n.Kind == TicketComplaint {
		if c.complaints == nil {
			return Ticket{}, invalid("kind", "this contact centre has no complaint desk")
		}
		var ref ComplaintRef
		if n.ComplaintID != "" {
			if ref, err = c.complaints.Complaint(ctx, n.ComplaintID); errors.Is(err, ErrNotFound) {
				return Ticket{}, fault.Field(ErrNotFound, "complaint_id", "no such complaint of this customer")
			} else if err != nil {
				return Ticket{}, err
			}
			if ref.CustomerID != n.CustomerID {
				return Ticket{}, fault.Field(ErrNotFound, "complaint_id", "no such complaint of this customer")
			}
			if _, err := c.store.TicketByComplaint(ctx, ref.ID); err == nil {
				return Ticket{}, fault.Field(ErrDuplicate, "complaint_id", "the complaint has a ticket already")
			}
		} else if ref, err = c.complaints.OpenComplaint(ctx, n.CustomerID, n.ComplaintCategory, n.Description); err != nil {
			return Ticket{}, err
		}
		t.ComplaintID = ref.ID
		if !ref.DueOn.IsZero() && ref.DueOn.Before(t.DueOn) {
			t.DueOn = ref.DueOn
		}
	}
	if err := c.store.CreateTicket(ctx, t); err != nil {
		return Ticket{}, err
	}
	return t, nil
}

// Ticket returns one ticket.
func (c *Contact) Ticket(ctx context.Context, id uuid.UUID) (Ticket, error) {
	return c.store.Ticket(ctx, id)
}

// Tickets lists tickets by id.
func (c *Contact) Tickets(ctx context.Context, f TicketFilter) ([]Ticket, error) {
	if f.Limit < 1 || f.Limit > 500 {
		return nil, invalid("limit", "must be 1 to 500")
	}
	if f.Queue != "" {
		if err := checkQueue("queue", f.Queue); err != nil {
			return nil, err
		}
	}
	switch f.Status {
	case "", TicketOpen, TicketAssigned, TicketClosed:
	default:
		return nil, invalid("status", "must be open, assigned or closed")
	}
	return c.store.Tickets(ctx, f)
}

// Assign gives the ticket to an agent who is available and has the
// ticket's skill (ErrAgentUnavailable otherwise); reassigning an assigned
// ticket is allowed, a closed one is ErrTicketClosed.
func (c *Contact) Assign(ctx context.Context, id uuid.UUID, agentID string) (Ticket, error) {
	if err := checkStaffID("agent_id", agentID); err != nil {
		return Ticket{}, err
	}
	a, err := c.store.Agent(ctx, agentID)
	if err != nil {
		return Ticket{}, fault.Field(ErrAgentUnavailable, "agent_id", "not an agent")
	}
	now := c.now()
	return c.store.UpdateTicket(ctx, id, func(t Ticket) (Ticket, error) {
		if t.Status == TicketClosed {
			return t, ErrTicketClosed
		}
		if !a.Available || !slices.Contains(a.Skills, t.Queue) {
			return t, fault.Field(ErrAgentUnavailable, "agent_id", fmt.Sprintf("not available for queue %s", t.Queue))
		}
		t.Status, t.Assignee, t.AssignedAt = TicketAssigned, agentID, now
		return t, nil
	})
}

// TakeNext gives the agent the next open ticket of their queues (or of
// the one queue named, which must be among their skills): the most
// urgent, then the earliest due, then the oldest. Two agents taking at
// once never get one ticket. Errors: ErrAgentUnavailable,
// ErrNoTicketWaiting.
func (c *Contact) TakeNext(ctx context.Context, agentID, queue string) (Ticket, error) {
	if err := checkStaffID("agent_id", agentID); err != nil {
		return Ticket{}, err
	}
	a, err := c.store.Agent(ctx, agentID)
	if err != nil || !a.Available || len(a.Skills) == 0 {
		return Ticket{}, fault.Field(ErrAgentUnavailable, "agent_id", "not an available agent with skills")
	}
	queues := a.Skills
	if queue != "" {
		if !slices.Contains(a.Skills, queue) {
			return Ticket{}, fault.Field(ErrAgentUnavailable, "queue", "not among the agent's skills")
		}
		queues = []string{queue}
	}
	return c.store.TakeNext(ctx, agentID, queues, c.now())
}

// AssignNextAgent gives an open ticket to the available agent with its
// skill who has the fewest assigned tickets (then the lowest id).
// Errors: ErrAgentUnavailable when no agent fits; ErrConflict when the
// ticket is no longer open.
func (c *Contact) AssignNextAgent(ctx context.Context, id uuid.UUID) (Ticket, error) {
	t, err := c.store.Ticket(ctx, id)
	if err != nil {
		return Ticket{}, err
	}
	agents, err := c.store.Agents(ctx)
	if err != nil {
		return Ticket{}, err
	}
	best, bestLoad := "", -1
	for _, a := range agents {
		if !a.Available || !slices.Contains(a.Skills, t.Queue) {
			continue
		}
		load, err := c.store.Tickets(ctx, TicketFilter{Assignee: a.ID, Status: TicketAssigned, Limit: 500})
		if err != nil {
			return Ticket{}, err
		}
		if best == "" || len(load) < bestLoad {
			best, bestLoad = a.ID, len(load)
		}
	}
	if best == "" {
		return Ticket{}, fmt.Errorf("%w: nobody available for queue %s", ErrAgentUnavailable, t.Queue)
	}
	now := c.now()
	return c.store.UpdateTicket(ctx, id, func(t Ticket) (Ticket, error) {
		if t.Status != TicketOpen {
			return t, fmt.Errorf("%w: ticket %s is %s", ErrConflict, id, t.Status)
		}
		t.Status, t.Assignee, t.AssignedAt = TicketAssigned, best, now
		return t, nil
	})
}

// AddNote adds an agent's note to a ticket (closed ones too: a late
// call-back is worth writing down).
func (c *Contact) AddNote(ctx context.Context, ticketID uuid.UUID, author, body string) (Note, error) {
	if err := checkStaffID("author", author); err != nil {
		return Note{}, err
	}
	if strings.TrimSpace(body) == "" || len(body) > 4000 {
		return Note{}, invalid("text", "must be 1 to 4000 bytes")
	}
	if err := text.Multiline(ErrInvalidInput, "text", body); err != nil {
		return Note{}, err
	}
	id, err := newID()
	if err != nil {
		return Note{}, err
	}
	n := Note{ID: id, TicketID: ticketID, Author: author, Text: body, At: c.now()}
	if err := c.store.AddNote(ctx, n); err != nil {
		return Note{}, err
	}
	return n, nil
}

// Notes returns a ticket's notes, oldest first.
func (c *Contact) Notes(ctx context.Context, ticketID uuid.UUID) ([]Note, error) {
	if _, err := c.store.Ticket(ctx, ticketID); err != nil {
		return nil, err
	}
	return c.store.Notes(ctx, ticketID)
}

// Close closes a ticket with a reason and, if the customer gave one, a
// 1–5 satisfaction score. Closing twice is ErrTicketClosed.
func (c *Contact) Close(ctx context.Context, id uuid.UUID, reason CloseReason, satisfaction int) (Ticket, error) {
	if err := reason.Validate(); err != nil {
		return Ticket{}, err
	}
	if satisfaction < 0 || satisfaction > 5 {
		return Ticket{}, invalid("satisfaction", "must be 1 to 5 (0: not given)")
	}
	now := c.now()
	return c.store.UpdateTicket(ctx, id, func(t Ticket) (Ticket, error) {
		if t.Status == TicketClosed {
			return t, ErrTicketClosed
		}
		t.Status, t.CloseReason, t.Satisfaction, t.ClosedAt = TicketClosed, reason, satisfaction, now
		return t, nil
	})
}

// Verify records the steps an agent took to check the caller on a ticket
// and returns the record: passed when at least VerifyFactors different
// factors passed and none failed.
func (c *Contact) Verify(ctx context.Context, ticketID uuid.UUID, agent string, steps []VerificationStep) (Verification, error) {
	if err := checkStaffID("agent", agent); err != nil {
		return Verification{}, err
	}
	if len(steps) == 0 || len(steps) > len(factors) {
		return Verification{}, invalid("steps", fmt.Sprintf("must be 1 to %d steps", len(factors)))
	}
	seen := map[Factor]bool{}
	passed, failed := 0, false
	for i, s := range steps {
		if !slices.Contains(factors, s.Factor) {
			return Verification{}, invalid(fmt.Sprintf("steps[%d].factor", i), "unknown factor")
		}
		if seen[s.Factor] {
			return Verification{}, invalid(fmt.Sprintf("steps[%d].factor", i), "asked twice")
		}
		seen[s.Factor] = true
		if s.Passed {
			passed++
		} else {
			failed = true
		}
	}
	t, err := c.store.Ticket(ctx, ticketID)
	if err != nil {
		return Verification{}, err
	}
	if t.Status == TicketClosed {
		return Verification{}, ErrTicketClosed
	}
	id, err := newID()
	if err != nil {
		return Verification{}, err
	}
	v := Verification{ID: id, TicketID: ticketID, CustomerID: t.CustomerID, Agent: agent, Steps: slices.Clone(steps),
		Passed: !failed && passed >= c.cfg.VerifyFactors, At: c.now()}
	if err := c.store.AddVerification(ctx, v); err != nil {
		return Verification{}, err
	}
	return v, nil
}

// Verifications returns a ticket's verification records, oldest first.
func (c *Contact) Verifications(ctx context.Context, ticketID uuid.UUID) ([]Verification, error) {
	return c.store.Verifications(ctx, ticketID)
}

// RequireVerified returns the ticket if its latest verification passed
// and it is open or assigned: what showing the customer's account
// details needs. A failed verification after a passed one counts (the
// caller failed a later check). Errors: ErrCallerNotVerified,
// ErrTicketClosed.
func (c *Contact) RequireVerified(ctx context.Context, ticketID uuid.UUID) (Ticket, error) {
	t, err := c.store.Ticket(ctx, ticketID)
	if err != nil {
		return Ticket{}, err
	}
	if t.Status == TicketClosed {
		return Ticket{}, ErrTicketClosed
	}
	vs, err := c.store.Verifications(ctx, ticketID)
	if err != nil {
		return Ticket{}, err
	}
	if len(vs) == 0 || !vs[len(vs)-1].Passed {
		return Ticket{}, fmt.Errorf("%w: record a passed verification on ticket %s first", ErrCallerNotVerified, ticketID)
	}
	return t, nil
}

// SetAgent creates or replaces an agent's skills and availability.
func (c *Contact) SetAgent(ctx context.Context, a Agent) (Agent, error) {
	if err := checkStaffID("id", a.ID); err != nil {
		return Agent{}, err
	}
	if len(a.Name) > 100 {
		return Agent{}, invalid("name", "must be at most 100 bytes")
	}
	if err := text.Line(ErrInvalidInput, "name", a.Name); err != nil {
		return Agent{}, err
	}
	if len(a.Skills) > 20 {
		return Agent{}, invalid("skills", "at most 20")
	}
	for i, s := range a.Skills {
		if err := checkQueue(fmt.Sprintf("skills[%d]", i), s); err != nil {
			return Agent{}, err
		}
	}
	a.Skills = slices.Compact(slices.Sorted(slices.Values(a.Skills)))
	if a.Skills == nil {
		a.Skills = []string{}
	}
	a.UpdatedAt = c.now()
	if err := c.store.PutAgent(ctx, a); err != nil {
		return Agent{}, err
	}
	return a, nil
}

// Agent returns one agent.
func (c *Contact) Agent(ctx context.Context, id string) (Agent, error) { return c.store.Agent(ctx, id) }

// Agents lists the agents.
func (c *Contact) Agents(ctx context.Context) ([]Agent, error) { return c.store.Agents(ctx) }

// EscalationReport says what one Escalate run did.
type EscalationReport struct {
	DueSoon []Ticket // raised to level 1
	Overdue []Ticket // raised to level 2
}

// Escalate is the step the server runs periodically: tickets due within
// EscalateWithin business days go to level 1 (priority at least high),
// overdue ones to level 2 (urgent). Each ticket is escalated to a level
// once, so running it again changes nothing.
func (c *Contact) Escalate(ctx context.Context) (EscalationReport, error) {
	today, err := c.days.BusinessDate(ctx)
	if err != nil {
		return EscalationReport{}, err
	}
	soon, err := c.days.AddBusinessDays(today, c.cfg.EscalateWithin)
	if err != nil {
		return EscalationReport{}, err
	}
	now := c.now()
	var rep EscalationReport
	// Overdue first, so a ticket past due goes straight to level 2.
	if rep.Overdue, err = c.store.Escalate(ctx, 2, today.AddDays(-1), PriorityUrgent, now); err != nil {
		return rep, err
	}
	if rep.DueSoon, err = c.store.Escalate(ctx, 1, soon, PriorityHigh, now); err != nil {
		return rep, err
	}
	return rep, nil
}
