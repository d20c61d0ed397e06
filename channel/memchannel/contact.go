package memchannel

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/channel"
)

// desk holds channel.ContactStore's records under their own lock.
type desk struct {
	mu            sync.Mutex
	tickets       map[uuid.UUID]channel.Ticket
	byComplaint   map[string]uuid.UUID
	notes         map[uuid.UUID][]channel.Note
	verifications map[uuid.UUID][]channel.Verification
	agents        map[string]channel.Agent
}

var _ channel.ContactStore = (*Store)(nil)

func (s *Store) contact() *desk {
	s.deskOnce.Do(func() {
		s.desk = &desk{tickets: map[uuid.UUID]channel.Ticket{}, byComplaint: map[string]uuid.UUID{},
			notes: map[uuid.UUID][]channel.Note{}, verifications: map[uuid.UUID][]channel.Verification{},
			agents: map[string]channel.Agent{}}
	})
	return s.desk
}

func ticketNotFound(id uuid.UUID) error { return fmt.Errorf("%w: ticket %s", channel.ErrNotFound, id) }

// CreateTicket implements channel.ContactStore.
func (s *Store) CreateTicket(ctx context.Context, t channel.Ticket) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	d := s.contact()
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.tickets[t.ID]; ok {
		return fmt.Errorf("%w: ticket %s exists", channel.ErrDuplicate, t.ID)
	}
	if t.ComplaintID != "" {
		if _, ok := d.byComplaint[t.ComplaintID]; ok {
			return fmt.Errorf("%w: complaint %s has a ticket", channel.ErrDuplicate, t.ComplaintID)
		}
		d.byComplaint[t.ComplaintID] = t.ID
	}
	d.tickets[t.ID] = t
	return nil
}

// Ticket implements channel.ContactStore.
func (s *Store) Ticket(ctx context.Context, id uuid.UUID) (channel.Ticket, error) {
	if err := ctx.Err(); err != nil {
		return channel.Ticket{}, err
	}
	d := s.contact()
	d.mu.Lock()
	defer d.mu.Unlock()
	t, ok := d.tickets[id]
	if !ok {
		return channel.Ticket{}, ticketNotFound(id)
	}
	return t, nil
}

// TicketByComplaint implements channel.ContactStore.
func (s *Store) TicketByComplaint(ctx context.Context, complaintID string) (channel.Ticket, error) {
	if err := ctx.Err(); err != nil {
		return channel.Ticket{}, err
	}
	d := s.contact()
	d.mu.Lock()
	defer d.mu.Unlock()
	id, ok := d.byComplaint[complaintID]
	if !ok {
		return channel.Ticket{}, fmt.Errorf("%w: no ticket of complaint %s", channel.ErrNotFound, complaintID)
	}
	return d.tickets[id], nil
}

// Tickets implements channel.ContactStore.
func (s *Store) Tickets(ctx context.Context, f channel.TicketFilter) ([]channel.Ticket, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d := s.contact()
	d.mu.Lock()
	defer d.mu.Unlock()
	out := []channel.Ticket{}
	for _, t := range d.tickets {
		if (f.CustomerID == "" || t.CustomerID == f.CustomerID) && (f.Queue == "" || t.Queue == f.Queue) &&
			(f.Status == "" || t.Status == f.Status) && (f.Assignee == "" || t.Assignee == f.Assignee) &&
			bytes.Compare(t.ID[:], f.After[:]) > 0 {
			out = append(out, t)
		}
	}
	slices.SortFunc(out, func(a, b channel.Ticket) int { return bytes.Compare(a.ID[:], b.ID[:]) })
	if len(out) > f.Limit {
		out = out[:max(f.Limit, 0)]
	}
	return out, nil
}

// UpdateTicket implements channel.ContactStore.
func (s *Store) UpdateTicket(ctx context.Context, id uuid.UUID, fn func(channel.Ticket) (channel.Ticket, error)) (channel.Ticket, error) {
	if err := ctx.Err(); err != nil {
		return channel.Ticket{}, err
	}
	d := s.contact()
	d.mu.Lock()
	defer d.mu.Unlock()
	old, ok := d.tickets[id]
	if !ok {
		return channel.Ticket{}, ticketNotFound(id)
	}
	t, err := fn(old)
	if err != nil {
		return channel.Ticket{}, err
	}
	t.ID, t.ComplaintID, t.Version = old.ID, old.ComplaintID, old.Version+1
	d.tickets[id] = t
	return t, nil
}

// nextOrder is TakeNext's order: most urgent, earliest due, oldest.
func nextOrder(a, b channel.Ticket) int {
	if c := cmp.Compare(b.Priority.Rank(), a.Priority.Rank()); c != 0 {
		return c
	}
	if c := a.DueOn.Compare(b.DueOn); c != 0 {
		return c
	}
	return bytes.Compare(a.ID[:], b.ID[:])
}

// TakeNext implements channel.ContactStore.
func (s *Store) TakeNext(ctx context.Context, agent string, queues []string, at time.Time) (channel.Ticket, error) {
	if err := ctx.Err(); err != nil {
		return channel.Ticket{}, err
	}
	d := s.contact()
	d.mu.Lock()
	defer d.mu.Unlock()
	var best *channel.Ticket
	for _, t := range d.tickets {
		if t.Status != channel.TicketOpen || !slices.Contains(queues, t.Queue) {
			continue
		}
		if best == nil || nextOrder(t, *best) < 0 {
			best = &t
		}
	}
	if best == nil {
		return channel.Ticket{}, channel.ErrNoTicketWaiting
	}
	t := *best
	t.Status, t.Assignee, t.AssignedAt, t.Version = channel.TicketAssigned, agent, at, t.Version+1
	d.tickets[t.ID] = t
	return t, nil
}

// Escalate implements channel.ContactStore.
func (s *Store) Escalate(ctx context.Context, level int, dueBy calendar.Date, minimum channel.Priority, at time.Time) ([]channel.Ticket, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d := s.contact()
	d.mu.Lock()
	defer d.mu.Unlock()
	out := []channel.Ticket{}
	for id, t := range d.tickets {
		if t.Status == channel.TicketClosed || t.Escalation >= level || t.DueOn.After(dueBy) {
			continue
		}
		t.Escalation, t.EscalatedAt, t.Version = level, at, t.Version+1
		if t.Priority.Rank() < minimum.Rank() {
			t.Priority = minimum
		}
		d.tickets[id] = t
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b channel.Ticket) int { return bytes.Compare(a.ID[:], b.ID[:]) })
	return out, nil
}

// AddNote implements channel.ContactStore.
func (s *Store) AddNote(ctx context.Context, n channel.Note) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	d := s.contact()
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.tickets[n.TicketID]; !ok {
		return ticketNotFound(n.TicketID)
	}
	d.notes[n.TicketID] = append(d.notes[n.TicketID], n)
	return nil
}

// Notes implements channel.ContactStore.
func (s *Store) Notes(ctx context.Context, ticketID uuid.UUID) ([]channel.Note, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d := s.contact()
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]channel.Note{}, d.notes[ticketID]...), nil
}

// AddVerification implements channel.ContactStore.
func (s *Store) AddVerification(ctx context.Context, v channel.Verification) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	d := s.contact()
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.tickets[v.TicketID]; !ok {
		return ticketNotFound(v.TicketID)
	}
	v.Steps = slices.Clone(v.Steps)
	d.verifications[v.TicketID] = append(d.verifications[v.TicketID], v)
	return nil
}

// Verifications implements channel.ContactStore.
func (s *Store) Verifications(ctx context.Context, ticketID uuid.UUID) ([]channel.Verification, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d := s.contact()
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]channel.Verification, 0, len(d.verifications[ticketID]))
	for _, v := range d.verifications[ticketID] {
		v.Steps = slices.Clone(v.Steps)
		out = append(out, v)
	}
	return out, nil
}

// PutAgent implements channel.ContactStore.
func (s *Store) PutAgent(ctx context.Context, a channel.Agent) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	d := s.contact()
	d.mu.Lock()
	defer d.mu.Unlock()
	a.Skills = slices.Clone(a.Skills)
	d.agents[a.ID] = a
	return nil
}

// Agent implements channel.ContactStore.
func (s *Store) Agent(ctx context.Context, id string) (channel.Agent, error) {
	if err := ctx.Err(); err != nil {
		return channel.Agent{}, err
	}
	d := s.contact()
	d.mu.Lock()
	defer d.mu.Unlock()
	a, ok := d.agents[id]
	if !ok {
		return channel.Agent{}, fmt.Errorf("%w: agent %s", channel.ErrNotFound, id)
	}
	a.Skills = slices.Clone(a.Skills)
	return a, nil
}

// Agents implements channel.ContactStore.
func (s *Store) Agents(ctx context.Context) ([]channel.Agent, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	d := s.contact()
	d.mu.Lock()
	defer d.mu.Unlock()
	out := make([]channel.Agent, 0, len(d.agents))
	for _, a := range d.agents {
		a.Skills = slices.Clone(a.Skills)
		out = append(out, a)
	}
	slices.SortFunc(out, func(a, b channel.Agent) int { return cmp.Compare(a.ID, b.ID) })
	return out, nil
}
