package channeltest

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/fault"
)

// Days is a fake channel.BusinessDays: weekends off, the business date
// set by the test.
type Days struct {
	mu    sync.Mutex
	today calendar.Date
	cal   *calendar.BusinessCalendar
}

// NewDays starts on today.
func NewDays(today calendar.Date) *Days {
	cal, err := calendar.NewBusinessCalendar()
	if err != nil {
		panic(err) // the default calendar has no options to get wrong
	}
	return &Days{today: today, cal: cal}
}

// Set moves the business date.
func (d *Days) Set(today calendar.Date) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.today = today
}

// BusinessDate implements channel.BusinessDays.
func (d *Days) BusinessDate(context.Context) (calendar.Date, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.today, nil
}

// AddBusinessDays implements channel.BusinessDays.
func (d *Days) AddBusinessDays(from calendar.Date, n int) (calendar.Date, error) {
	return d.cal.AddBusinessDays(from, n)
}

// ComplaintDesk is a fake channel.ComplaintDesk counting the complaints
// it opened.
type ComplaintDesk struct {
	mu         sync.Mutex
	complaints map[string]channel.ComplaintRef
	Days       *Days
	SLA        int
}

// NewComplaintDesk returns an empty desk whose complaints are due sla
// business days after days' date.
func NewComplaintDesk(days *Days, sla int) *ComplaintDesk {
	return &ComplaintDesk{complaints: map[string]channel.ComplaintRef{}, Days: days, SLA: sla}
}

// OpenComplaint implements channel.ComplaintDesk.
func (d *ComplaintDesk) OpenComplaint(ctx context.Context, customerID, category, description string) (channel.ComplaintRef, error) {
	if category != "fees" && category != "service" && category != "other" {
		return channel.ComplaintRef{}, fault.Field(channel.ErrInvalidInput, "category", "unknown")
	}
	today, _ := d.Days.BusinessDate(ctx)
	due, err := d.Days.AddBusinessDays(today, d.SLA)
	if err != nil {
		return channel.ComplaintRef{}, err
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	ref := channel.ComplaintRef{ID: uuid.NewString(), CustomerID: customerID, DueOn: due}
	d.complaints[ref.ID] = ref
	return ref, nil
}

// Complaint implements channel.ComplaintDesk.
func (d *ComplaintDesk) Complaint(_ context.Context, id string) (channel.ComplaintRef, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	ref, ok := d.complaints[id]
	if !ok {
		return channel.ComplaintRef{}, fault.Field(channel.ErrNotFound, "id", "no such complaint")
	}
	return ref, nil
}

// Count is how many complaints the desk holds.
func (d *ComplaintDesk) Count() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return len(d.complaints)
}

// Monday is the contact suite's first business date (2026-03-02).
var Monday = calendar.MustDate(2026, 3, 2)

type contactEnv struct {
	t     *testing.T
	ctx   context.Context
	store channel.ContactStore
	days  *Days
	desk  *ComplaintDesk
	clock *calendar.ManualClock
	svc   *channel.Contact
}

func newContactEnv(t *testing.T, newStore func(*testing.T) channel.ContactStore) *contactEnv {
	t.Helper()
	e := &contactEnv{t: t, ctx: context.Background(), store: newStore(t), days: NewDays(Monday), clock: calendar.NewManualClock(Start)}
	e.desk = NewComplaintDesk(e.days, 15)
	var err error
	e.svc, err = channel.NewContact(e.store, e.days, channel.WithContactClock(e.clock), channel.WithComplaintDesk(e.desk))
	require.NoError(t, err)
	return e
}

func (e *contactEnv) open(customerID string, p channel.Priority, queue string) channel.Ticket {
	e.t.Helper()
	tk, err := e.svc.Open(e.ctx, channel.NewTicket{Kind: channel.TicketInquiry, CustomerID: customerID, Subject: "card declined",
		Description: "abroad", Priority: p, Queue: queue, OpenedBy: "staff-1"})
	require.NoError(e.t, err)
	return tk
}

func (e *contactEnv) agent(id string, skills ...string) {
	e.t.Helper()
	_, err := e.svc.SetAgent(e.ctx, channel.Agent{ID: id, Name: "Agent " + id, Skills: skills, Available: true})
	require.NoError(e.t, err)
}

func requireField(t *testing.T, err error, sentinel error, field string) {
	t.Helper()
	require.ErrorIs(t, err, sentinel)
	var fe *fault.FieldError
	require.ErrorAs(t, err, &fe)
	require.Equal(t, field, fe.Field)
}

type contactTest struct {
	name string
	run  func(t *testing.T, e *contactEnv)
}

// RunContact runs the contact centre's contract suite; newStore must
// return a fresh, empty store for each call.
func RunContact(t *testing.T, newStore func(t *testing.T) channel.ContactStore) {
	t.Helper()
	for _, tc := range contactTests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tc.run(t, newContactEnv(t, newStore))
		})
	}
}

var contactTests = []contactTest{
	{"OpenComputesDueDateOnBusinessDays", func(t *testing.T, e *contactEnv) {
		e.days.Set(calendar.MustDate(2026, 3, 6)) // a Friday
		tk := e.open("c-1", channel.PriorityNormal, "")
		require.Equal(t, calendar.MustDate(2026, 3, 13), tk.DueOn, "five business days after a Friday")
		require.Equal(t, calendar.MustDate(2026, 3, 6), tk.OpenedOn)
		require.Equal(t, "general", tk.Queue)
		require.Equal(t, channel.TicketOpen, tk.Status)
		urgent := e.open("c-1", channel.PriorityUrgent, "cards")
		require.Equal(t, calendar.MustDate(2026, 3, 9), urgent.DueOn, "one business day after Friday is Monday")
		got, err := e.svc.Ticket(e.ctx, tk.ID)
		require.NoError(t, err)
		require.Equal(t, tk, got)
	}},
	{"OpenRefusesBadInputNamingTheField", func(t *testing.T, e *contactEnv) {
		good := channel.NewTicket{Kind: channel.TicketRequest, CustomerID: "c-1", Subject: "statement", OpenedBy: "s-1"}
		for _, tc := range []struct {
			field string
			edit  func(*channel.NewTicket)
		}{
			{"kind", func(n *channel.NewTicket) { n.Kind = "praise" }},
			{"customer_id", func(n *channel.NewTicket) { n.CustomerID = "" }},
			{"priority", func(n *channel.NewTicket) { n.Priority = "asap" }},
			{"queue", func(n *channel.NewTicket) { n.Queue = "Cards!" }},
			{"subject", func(n *channel.NewTicket) { n.Subject = " " }},
			{"subject", func(n *channel.NewTicket) { n.Subject = "a\x00b" }},
			{"account_id", func(n *channel.NewTicket) { n.Links.AccountID = string(make([]byte, 65)) }},
			{"complaint_id", func(n *channel.NewTicket) { n.ComplaintID = "x" }},
			{"complaint_category", func(n *channel.NewTicket) { n.Kind = channel.TicketComplaint }},
			{"opened_by", func(n *channel.NewTicket) { n.OpenedBy = "" }},
		} {
			n := good
			tc.edit(&n)
			_, err := e.svc.Open(e.ctx, n)
			requireField(t, err, channel.ErrInvalidInput, tc.field)
		}
		ts, err := e.svc.Tickets(e.ctx, channel.TicketFilter{Limit: 10})
		require.NoError(t, err)
		require.Empty(t, ts, "nothing half-stored")
		require.Zero(t, e.desk.Count(), "no complaint opened")
	}},
	{"ComplaintTicketOpensOrLinksOneComplaint", func(t *testing.T, e *contactEnv) {
		tk, err := e.svc.Open(e.ctx, channel.NewTicket{Kind: channel.TicketComplaint, CustomerID: "c-1", Subject: "fee charged twice",
			Description: "the annual fee was charged twice", ComplaintCategory: "fees", OpenedBy: "s-1", Priority: channel.PriorityLow})
		require.NoError(t, err)
		require.NotEmpty(t, tk.ComplaintID)
		require.Equal(t, 1, e.desk.Count())
		require.Equal(t, "complaints", tk.Queue)
		require.Equal(t, calendar.MustDate(2026, 3, 16), tk.DueOn, "ten business days for low priority: sooner than the complaint's 15")
		byComplaint, err := e.store.TicketByComplaint(e.ctx, tk.ComplaintID)
		require.NoError(t, err)
		require.Equal(t, tk.ID, byComplaint.ID)

		// An existing complaint is linked, not duplicated; a second ticket
		// for it is refused.
		ref, err := e.desk.OpenComplaint(e.ctx, "c-2", "service", "rude")
		require.NoError(t, err)
		linked, err := e.svc.Open(e.ctx, channel.NewTicket{Kind: channel.TicketComplaint, CustomerID: "c-2", Subject: "follow-up",
			ComplaintID: ref.ID, OpenedBy: "s-1"})
		require.NoError(t, err)
		require.Equal(t, ref.ID, linked.ComplaintID)
		require.Equal(t, 2, e.desk.Count())
		_, err = e.svc.Open(e.ctx, channel.NewTicket{Kind: channel.TicketComplaint, CustomerID: "c-2", Subject: "again",
			ComplaintID: ref.ID, OpenedBy: "s-1"})
		requireField(t, err, channel.ErrDuplicate, "complaint_id")
		// Another customer's complaint is not found.
		_, err = e.svc.Open(e.ctx, channel.NewTicket{Kind: channel.TicketComplaint, CustomerID: "c-3", Subject: "x",
			ComplaintID: ref.ID, OpenedBy: "s-1"})
		requireField(t, err, channel.ErrNotFound, "complaint_id")
		_, err = e.svc.Open(e.ctx, channel.NewTicket{Kind: channel.TicketComplaint, CustomerID: "c-3", Subject: "x",
			ComplaintID: uuid.NewString(), OpenedBy: "s-1"})
		requireField(t, err, channel.ErrNotFound, "complaint_id")
		// The store refuses a second ticket of one complaint by itself too.
		dup := linked
		dup.ID = uuid.Must(uuid.NewV7())
		require.ErrorIs(t, e.store.CreateTicket(e.ctx, dup), channel.ErrDuplicate)
		require.Equal(t, 2, e.desk.Count())
	}},
	{"AssignNeedsAnAvailableAgentWithTheSkill", func(t *testing.T, e *contactEnv) {
		tk := e.open("c-1", channel.PriorityNormal, "cards")
		e.agent("a-1", "loans")
		_, err := e.svc.Assign(e.ctx, tk.ID, "a-1")
		requireField(t, err, channel.ErrAgentUnavailable, "agent_id")
		_, err = e.svc.Assign(e.ctx, tk.ID, "nobody")
		requireField(t, err, channel.ErrAgentUnavailable, "agent_id")
		e.agent("a-2", "cards", "loans")
		got, err := e.svc.Assign(e.ctx, tk.ID, "a-2")
		require.NoError(t, err)
		require.Equal(t, channel.TicketAssigned, got.Status)
		require.Equal(t, "a-2", got.Assignee)
		require.Equal(t, Start, got.AssignedAt)
		require.Equal(t, tk.Version+1, got.Version)
		_, err = e.svc.SetAgent(e.ctx, channel.Agent{ID: "a-3", Skills: []string{"cards"}, Available: false})
		require.NoError(t, err)
		_, err = e.svc.Assign(e.ctx, tk.ID, "a-3")
		require.ErrorIs(t, err, channel.ErrAgentUnavailable)
		_, err = e.svc.Assign(e.ctx, uuid.Must(uuid.NewV7()), "a-2")
		require.ErrorIs(t, err, channel.ErrNotFound)
		_, err = e.svc.Close(e.ctx, tk.ID, channel.CloseResolved, 5)
		require.NoError(t, err)
		_, err = e.svc.Assign(e.ctx, tk.ID, "a-2")
		require.ErrorIs(t, err, channel.ErrTicketClosed)
	}},
	{"TakeNextTakesTheMostUrgentThenEarliestDue", func(t *testing.T, e *contactEnv) {
		e.agent("a-1", "cards", "general")
		low := e.open("c-1", channel.PriorityLow, "cards")
		normal := e.open("c-1", channel.PriorityNormal, "general")
		urgent := e.open("c-2", channel.PriorityUrgent, "cards")
		other := e.open("c-3", channel.PriorityUrgent, "loans")
		var order []uuid.UUID
		for range 3 {
			tk, err := e.svc.TakeNext(e.ctx, "a-1", "")
			require.NoError(t, err)
			require.Equal(t, "a-1", tk.Assignee)
			require.Equal(t, channel.TicketAssigned, tk.Status)
			order = append(order, tk.ID)
		}
		require.Equal(t, []uuid.UUID{urgent.ID, normal.ID, low.ID}, order)
		_, err := e.svc.TakeNext(e.ctx, "a-1", "")
		require.ErrorIs(t, err, channel.ErrNoTicketWaiting, "the loans ticket is not theirs")
		_, err = e.svc.TakeNext(e.ctx, "a-1", "loans")
		requireField(t, err, channel.ErrAgentUnavailable, "queue")
		got, err := e.svc.Ticket(e.ctx, other.ID)
		require.NoError(t, err)
		require.Equal(t, channel.TicketOpen, got.Status)
	}},
	{"ConcurrentTakersNeverShareATicket", func(t *testing.T, e *contactEnv) {
		const tickets, agents = 30, 8
		for i := range tickets {
			e.open(fmt.Sprintf("c-%d", i), channel.PriorityNormal, "general")
		}
		for i := range agents {
			e.agent(fmt.Sprintf("a-%d", i), "general")
		}
		var mu sync.Mutex
		taken := map[uuid.UUID]string{}
		errs := parallel(agents, func(i int) error {
			for {
				tk, err := e.svc.TakeNext(e.ctx, fmt.Sprintf("a-%d", i), "")
				if err != nil {
					return err
				}
				mu.Lock()
				if prev, ok := taken[tk.ID]; ok {
					mu.Unlock()
					return fmt.Errorf("ticket %s taken by %s and a-%d", tk.ID, prev, i)
				}
				taken[tk.ID] = tk.Assignee
				mu.Unlock()
			}
		})
		for _, err := range errs {
			require.ErrorIs(t, err, channel.ErrNoTicketWaiting)
		}
		require.Len(t, taken, tickets)
		ts, err := e.svc.Tickets(e.ctx, channel.TicketFilter{Status: channel.TicketAssigned, Limit: 500})
		require.NoError(t, err)
		require.Len(t, ts, tickets)
		for _, tk := range ts {
			require.Equal(t, taken[tk.ID], tk.Assignee, "the store agrees with what each taker was told")
		}
	}},
	{"AssignNextAgentPicksTheLeastLoaded", func(t *testing.T, e *contactEnv) {
		e.agent("a-1", "general")
		e.agent("a-2", "general")
		_, err := e.svc.SetAgent(e.ctx, channel.Agent{ID: "a-0", Skills: []string{"general"}})
		require.NoError(t, err) // unavailable: never picked
		first := e.open("c-1", channel.PriorityNormal, "general")
		_, err = e.svc.Assign(e.ctx, first.ID, "a-1")
		require.NoError(t, err)
		tk := e.open("c-2", channel.PriorityNormal, "general")
		got, err := e.svc.AssignNextAgent(e.ctx, tk.ID)
		require.NoError(t, err)
		require.Equal(t, "a-2", got.Assignee)
		_, err = e.svc.AssignNextAgent(e.ctx, tk.ID)
		require.ErrorIs(t, err, channel.ErrConflict, "no longer open")
		loans := e.open("c-3", channel.PriorityNormal, "loans")
		_, err = e.svc.AssignNextAgent(e.ctx, loans.ID)
		require.ErrorIs(t, err, channel.ErrAgentUnavailable)
	}},
	{"EscalationRaisesOnceAsTheDueDateNears", func(t *testing.T, e *contactEnv) {
		normal := e.open("c-1", channel.PriorityNormal, "") // due Monday 9 March
		low := e.open("c-2", channel.PriorityLow, "")       // due Monday 16 March
		urgent := e.open("c-3", channel.PriorityUrgent, "") // due Tuesday 3 March
		closed := e.open("c-4", channel.PriorityUrgent, "")
		_, err := e.svc.Close(e.ctx, closed.ID, channel.CloseWithdrawn, 0)
		require.NoError(t, err)

		rep, err := e.svc.Escalate(e.ctx)
		require.NoError(t, err)
		require.Empty(t, rep.Overdue)
		require.Len(t, rep.DueSoon, 1, "due tomorrow: escalated")
		require.Equal(t, urgent.ID, rep.DueSoon[0].ID)
		require.Equal(t, 1, rep.DueSoon[0].Escalation)
		require.Equal(t, channel.PriorityUrgent, rep.DueSoon[0].Priority, "never lowered")

		e.clock.Advance(24 * 3600e9)
		e.days.Set(calendar.MustDate(2026, 3, 6)) // Friday: normal is due Monday, the next business day
		rep, err = e.svc.Escalate(e.ctx)
		require.NoError(t, err)
		require.Len(t, rep.Overdue, 1)
		require.Equal(t, urgent.ID, rep.Overdue[0].ID)
		require.Equal(t, 2, rep.Overdue[0].Escalation)
		require.Len(t, rep.DueSoon, 1)
		require.Equal(t, normal.ID, rep.DueSoon[0].ID)
		require.Equal(t, channel.PriorityHigh, rep.DueSoon[0].Priority, "normal raised to high")
		require.Equal(t, e.clock.Now().UTC(), rep.DueSoon[0].EscalatedAt)

		again, err := e.svc.Escalate(e.ctx)
		require.NoError(t, err)
		require.Empty(t, again.DueSoon, "escalated once")
		require.Empty(t, again.Overdue)
		got, err := e.svc.Ticket(e.ctx, low.ID)
		require.NoError(t, err)
		require.Zero(t, got.Escalation)
		got, err = e.svc.Ticket(e.ctx, closed.ID)
		require.NoError(t, err)
		require.Zero(t, got.Escalation, "closed tickets are left alone")

		e.days.Set(calendar.MustDate(2026, 3, 17)) // past every due date
		rep, err = e.svc.Escalate(e.ctx)
		require.NoError(t, err)
		require.Len(t, rep.Overdue, 2, "normal and low, straight to level 2")
		for _, tk := range rep.Overdue {
			require.Equal(t, channel.PriorityUrgent, tk.Priority)
		}
		require.Empty(t, rep.DueSoon)
	}},
	{"NotesAreKeptInOrder", func(t *testing.T, e *contactEnv) {
		tk := e.open("c-1", channel.PriorityNormal, "")
		_, err := e.svc.AddNote(e.ctx, tk.ID, "a-1", "called back, no answer")
		require.NoError(t, err)
		e.clock.Advance(60e9)
		_, err = e.svc.AddNote(e.ctx, tk.ID, "a-2", "customer confirmed\nthe card is blocked")
		require.NoError(t, err)
		ns, err := e.svc.Notes(e.ctx, tk.ID)
		require.NoError(t, err)
		require.Len(t, ns, 2)
		require.Equal(t, "a-1", ns[0].Author)
		require.Equal(t, "customer confirmed\nthe card is blocked", ns[1].Text)
		require.Equal(t, Start.Add(60e9), ns[1].At)
		_, err = e.svc.AddNote(e.ctx, tk.ID, "a-1", " ")
		requireField(t, err, channel.ErrInvalidInput, "text")
		_, err = e.svc.AddNote(e.ctx, uuid.Must(uuid.NewV7()), "a-1", "lost")
		require.ErrorIs(t, err, channel.ErrNotFound)
		_, err = e.svc.Notes(e.ctx, uuid.Must(uuid.NewV7()))
		require.ErrorIs(t, err, channel.ErrNotFound)
	}},
	{"AccountDetailsNeedAPassedVerification", func(t *testing.T, e *contactEnv) {
		tk := e.open("c-1", channel.PriorityNormal, "")
		_, err := e.svc.RequireVerified(e.ctx, tk.ID)
		require.ErrorIs(t, err, channel.ErrCallerNotVerified)

		one, err := e.svc.Verify(e.ctx, tk.ID, "a-1", []channel.VerificationStep{{Factor: channel.FactorDateOfBirth, Passed: true}})
		require.NoError(t, err)
		require.False(t, one.Passed, "one factor is not enough")
		_, err = e.svc.RequireVerified(e.ctx, tk.ID)
		require.ErrorIs(t, err, channel.ErrCallerNotVerified)

		two, err := e.svc.Verify(e.ctx, tk.ID, "a-1", []channel.VerificationStep{
			{Factor: channel.FactorDateOfBirth, Passed: true}, {Factor: channel.FactorAccountLast4, Passed: true}})
		require.NoError(t, err)
		require.True(t, two.Passed)
		require.Equal(t, "c-1", two.CustomerID)
		_, err = e.svc.RequireVerified(e.ctx, tk.ID)
		require.NoError(t, err)

		failed, err := e.svc.Verify(e.ctx, tk.ID, "a-1", []channel.VerificationStep{
			{Factor: channel.FactorDateOfBirth, Passed: true}, {Factor: channel.FactorAccountLast4, Passed: true},
			{Factor: channel.FactorSecurityQuestion, Passed: false}})
		require.NoError(t, err)
		require.False(t, failed.Passed, "a failed factor fails the check")
		_, err = e.svc.RequireVerified(e.ctx, tk.ID)
		require.ErrorIs(t, err, channel.ErrCallerNotVerified, "the latest check counts")

		vs, err := e.svc.Verifications(e.ctx, tk.ID)
		require.NoError(t, err)
		require.Len(t, vs, 3)
		require.Equal(t, failed.Steps, vs[2].Steps)

		_, err = e.svc.Verify(e.ctx, tk.ID, "a-1", []channel.VerificationStep{{Factor: "shoe_size", Passed: true}})
		requireField(t, err, channel.ErrInvalidInput, "steps[0].factor")
		_, err = e.svc.Verify(e.ctx, tk.ID, "a-1", []channel.VerificationStep{
			{Factor: channel.FactorDateOfBirth, Passed: true}, {Factor: channel.FactorDateOfBirth, Passed: true}})
		requireField(t, err, channel.ErrInvalidInput, "steps[1].factor")
		_, err = e.svc.Verify(e.ctx, tk.ID, "a-1", nil)
		requireField(t, err, channel.ErrInvalidInput, "steps")
		vs, err = e.svc.Verifications(e.ctx, tk.ID)
		require.NoError(t, err)
		require.Len(t, vs, 3, "refused steps record nothing")

		_, err = e.svc.Close(e.ctx, tk.ID, channel.CloseResolved, 0)
		require.NoError(t, err)
		_, err = e.svc.RequireVerified(e.ctx, tk.ID)
		require.ErrorIs(t, err, channel.ErrTicketClosed)
		_, err = e.svc.Verify(e.ctx, uuid.Must(uuid.NewV7()), "a-1", two.Steps)
		require.ErrorIs(t, err, channel.ErrNotFound)
	}},
	{"CloseTakesAReasonAndSatisfaction", func(t *testing.T, e *contactEnv) {
		tk := e.open("c-1", channel.PriorityNormal, "")
		_, err := e.svc.Close(e.ctx, tk.ID, "bored", 3)
		requireField(t, err, channel.ErrInvalidInput, "reason")
		_, err = e.svc.Close(e.ctx, tk.ID, channel.CloseResolved, 6)
		requireField(t, err, channel.ErrInvalidInput, "satisfaction")
		e.clock.Advance(3600e9)
		got, err := e.svc.Close(e.ctx, tk.ID, channel.CloseResolved, 4)
		require.NoError(t, err)
		require.Equal(t, channel.TicketClosed, got.Status)
		require.Equal(t, channel.CloseResolved, got.CloseReason)
		require.Equal(t, 4, got.Satisfaction)
		require.Equal(t, Start.Add(3600e9), got.ClosedAt)
		_, err = e.svc.Close(e.ctx, tk.ID, channel.CloseDuplicate, 1)
		require.ErrorIs(t, err, channel.ErrTicketClosed)
		stored, err := e.svc.Ticket(e.ctx, tk.ID)
		require.NoError(t, err)
		require.Equal(t, got, stored, "the refused second close changed nothing")
	}},
	{"TicketsFilterAndPage", func(t *testing.T, e *contactEnv) {
		var ids []uuid.UUID
		for i := range 5 {
			ids = append(ids, e.open(fmt.Sprintf("c-%d", i%2), channel.PriorityNormal, "").ID)
		}
		page, err := e.svc.Tickets(e.ctx, channel.TicketFilter{Limit: 2})
		require.NoError(t, err)
		require.Equal(t, ids[:2], []uuid.UUID{page[0].ID, page[1].ID})
		page, err = e.svc.Tickets(e.ctx, channel.TicketFilter{Limit: 10, After: ids[1]})
		require.NoError(t, err)
		require.Len(t, page, 3)
		mine, err := e.svc.Tickets(e.ctx, channel.TicketFilter{CustomerID: "c-1", Limit: 10})
		require.NoError(t, err)
		require.Len(t, mine, 2)
		_, err = e.svc.Tickets(e.ctx, channel.TicketFilter{Status: "lost", Limit: 10})
		requireField(t, err, channel.ErrInvalidInput, "status")
		_, err = e.svc.Tickets(e.ctx, channel.TicketFilter{})
		requireField(t, err, channel.ErrInvalidInput, "limit")
	}},
	{"AgentsAreReplacedWhole", func(t *testing.T, e *contactEnv) {
		a, err := e.svc.SetAgent(e.ctx, channel.Agent{ID: "a-2", Name: "Wang Fang", Skills: []string{"loans", "cards", "loans"}, Available: true})
		require.NoError(t, err)
		require.Equal(t, []string{"cards", "loans"}, a.Skills)
		e.agent("a-1", "general")
		_, err = e.svc.SetAgent(e.ctx, channel.Agent{ID: "a-2", Name: "Wang Fang", Skills: []string{"general"}})
		require.NoError(t, err)
		got, err := e.svc.Agent(e.ctx, "a-2")
		require.NoError(t, err)
		require.Equal(t, []string{"general"}, got.Skills)
		require.False(t, got.Available)
		all, err := e.svc.Agents(e.ctx)
		require.NoError(t, err)
		require.Equal(t, "a-1", all[0].ID)
		require.Len(t, all, 2)
		_, err = e.svc.SetAgent(e.ctx, channel.Agent{ID: "a-3", Skills: []string{"Bad Queue"}})
		requireField(t, err, channel.ErrInvalidInput, "skills[0]")
		_, err = e.svc.Agent(e.ctx, "a-3")
		require.ErrorIs(t, err, channel.ErrNotFound)
	}},
}
