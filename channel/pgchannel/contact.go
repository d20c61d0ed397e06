package pgchannel

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/internal/pgtx"
)

var _ channel.ContactStore = (*Store)(nil)

const (
	ticketsPkey  = "tickets_pkey"
	complaintKey = "tickets_complaint_id_key"
)

const ticketColumns = `id, kind, customer_id, account_id, transfer_id, loan_id, card_id, complaint_id, subject,
	description, priority, queue, status, assignee, opened_by, opened_at, opened_on, due_on, escalation, escalated_at,
	assigned_at, closed_at, close_reason, satisfaction, version`

type ticketRow struct {
	ID           uuid.UUID      `db:"id"`
	Kind         string         `db:"kind"`
	CustomerID   string         `db:"customer_id"`
	AccountID    string         `db:"account_id"`
	TransferID   string         `db:"transfer_id"`
	LoanID       string         `db:"loan_id"`
	CardID       string         `db:"card_id"`
	ComplaintID  sql.NullString `db:"complaint_id"`
	Subject      string         `db:"subject"`
	Description  string         `db:"description"`
	Priority     int            `db:"priority"`
	Queue        string         `db:"queue"`
	Status       string         `db:"status"`
	Assignee     string         `db:"assignee"`
	OpenedBy     string         `db:"opened_by"`
	OpenedAt     time.Time      `db:"opened_at"`
	OpenedOn     calendar.Date  `db:"opened_on"`
	DueOn        calendar.Date  `db:"due_on"`
	Escalation   int            `db:"escalation"`
	EscalatedAt  sql.NullTime   `db:"escalated_at"`
	AssignedAt   sql.NullTime   `db:"assigned_at"`
	ClosedAt     sql.NullTime   `db:"closed_at"`
	CloseReason  string         `db:"close_reason"`
	Satisfaction int            `db:"satisfaction"`
	Version      int64          `db:"version"`
}

func (r ticketRow) ticket() channel.Ticket {
	return channel.Ticket{ID: r.ID, Kind: channel.TicketKind(r.Kind), CustomerID: r.CustomerID,
		Links:       channel.TicketLinks{AccountID: r.AccountID, TransferID: r.TransferID, LoanID: r.LoanID, CardID: r.CardID},
		ComplaintID: r.ComplaintID.String, Subject: r.Subject, Description: r.Description,
		Priority: channel.PriorityOfRank(r.Priority), Queue: r.Queue, Status: channel.TicketStatus(r.Status),
		Assignee: r.Assignee, OpenedBy: r.OpenedBy, OpenedAt: r.OpenedAt.UTC(), OpenedOn: r.OpenedOn, DueOn: r.DueOn,
		Escalation: r.Escalation, EscalatedAt: timeOf(r.EscalatedAt), AssignedAt: timeOf(r.AssignedAt),
		ClosedAt: timeOf(r.ClosedAt), CloseReason: channel.CloseReason(r.CloseReason), Satisfaction: r.Satisfaction,
		Version: r.Version}
}

func tickets(rows []ticketRow) []channel.Ticket {
	out := make([]channel.Ticket, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.ticket())
	}
	return out
}

func ticketNotFound(id uuid.UUID) error { return notFound("ticket", id) }

// CreateTicket implements channel.ContactStore.
func (s *Store) CreateTicket(ctx context.Context, t channel.Ticket) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO channel.tickets (`+ticketColumns+`) VALUES
		($1, $2, $3, $4, $5, $6, $7, NULLIF($8, ''), $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25)`,
		t.ID, string(t.Kind), t.CustomerID, t.Links.AccountID, t.Links.TransferID, t.Links.LoanID, t.Links.CardID,
		t.ComplaintID, t.Subject, t.Description, t.Priority.Rank(), t.Queue, string(t.Status), t.Assignee, t.OpenedBy,
		t.OpenedAt, t.OpenedOn, t.DueOn, t.Escalation, nullTime(t.EscalatedAt), nullTime(t.AssignedAt),
		nullTime(t.ClosedAt), string(t.CloseReason), t.Satisfaction, t.Version)
	switch {
	case pgtx.IsUniqueViolation(err, ticketsPkey):
		return fmt.Errorf("%w: ticket %s exists", channel.ErrDuplicate, t.ID)
	case pgtx.IsUniqueViolation(err, complaintKey):
		return fmt.Errorf("%w: complaint %s has a ticket", channel.ErrDuplicate, t.ComplaintID)
	}
	return err
}

func (s *Store) ticketWhere(ctx context.Context, q sqlx.QueryerContext, where string, args ...any) (channel.Ticket, error) {
	var r ticketRow
	if err := sqlx.GetContext(ctx, q, &r, `SELECT `+ticketColumns+` FROM channel.tickets WHERE `+where, args...); err != nil {
		return channel.Ticket{}, err
	}
	return r.ticket(), nil
}

// Ticket implements channel.ContactStore.
func (s *Store) Ticket(ctx context.Context, id uuid.UUID) (channel.Ticket, error) {
	t, err := s.ticketWhere(ctx, s.db, `id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return channel.Ticket{}, ticketNotFound(id)
	}
	return t, err
}

// TicketByComplaint implements channel.ContactStore.
func (s *Store) TicketByComplaint(ctx context.Context, complaintID string) (channel.Ticket, error) {
	t, err := s.ticketWhere(ctx, s.db, `complaint_id = $1`, complaintID)
	if errors.Is(err, sql.ErrNoRows) {
		return channel.Ticket{}, fmt.Errorf("%w: no ticket of complaint %s", channel.ErrNotFound, complaintID)
	}
	return t, err
}

// Tickets implements channel.ContactStore.
func (s *Store) Tickets(ctx context.Context, f channel.TicketFilter) ([]channel.Ticket, error) {
	var rows []ticketRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+ticketColumns+` FROM channel.tickets
		WHERE ($1 = '' OR customer_id = $1) AND ($2 = '' OR queue = $2) AND ($3 = '' OR status = $3)
		AND ($4 = '' OR assignee = $4) AND id > $5 ORDER BY id LIMIT $6`,
		f.CustomerID, f.Queue, string(f.Status), f.Assignee, f.After, max(f.Limit, 0)); err != nil {
		return nil, fmt.Errorf("pgchannel: tickets: %w", err)
	}
	return tickets(rows), nil
}

const updateTicketSQL = `UPDATE channel.tickets SET kind = $2, customer_id = $3, account_id = $4, transfer_id = $5,
	loan_id = $6, card_id = $7, subject = $8, description = $9, priority = $10, queue = $11, status = $12,
	assignee = $13, opened_by = $14, opened_at = $15, opened_on = $16, due_on = $17, escalation = $18,
	escalated_at = $19, assigned_at = $20, closed_at = $21, close_reason = $22, satisfaction = $23, version = $24
	WHERE id = $1`

// UpdateTicket implements channel.ContactStore: the row is locked for the
// read-modify-write.
func (s *Store) UpdateTicket(ctx context.Context, id uuid.UUID, fn func(channel.Ticket) (channel.Ticket, error)) (channel.Ticket, error) {
	var out channel.Ticket
	err := pgtx.Run(ctx, s.db, nil, func(tx *sqlx.Tx) error {
		old, err := s.ticketWhere(ctx, tx, `id = $1 FOR UPDATE`, id)
		if errors.Is(err, sql.ErrNoRows) {
			return ticketNotFound(id)
		}
		if err != nil {
			return err
		}
		t, err := fn(old)
		if err != nil {
			return err
		}
		t.ID, t.ComplaintID, t.Version = old.ID, old.ComplaintID, old.Version+1
		if _, err := tx.ExecContext(ctx, updateTicketSQL, t.ID, string(t.Kind), t.CustomerID, t.Links.AccountID,
			t.Links.TransferID, t.Links.LoanID, t.Links.CardID, t.Subject, t.Description, t.Priority.Rank(), t.Queue,
			string(t.Status), t.Assignee, t.OpenedBy, t.OpenedAt, t.OpenedOn, t.DueOn, t.Escalation,
			nullTime(t.EscalatedAt), nullTime(t.AssignedAt), nullTime(t.ClosedAt), string(t.CloseReason),
			t.Satisfaction, t.Version); err != nil {
			return err
		}
		out = t
		return nil
	})
	if err != nil {
		return channel.Ticket{}, err
	}
	return out, nil
}

// TakeNext implements channel.ContactStore: one statement, the first open
// ticket of the queues locked with SKIP LOCKED (another taker's row is
// passed over, not waited for) and assigned.
func (s *Store) TakeNext(ctx context.Context, agent string, queues []string, at time.Time) (channel.Ticket, error) {
	var r ticketRow
	// The scalar subquery is evaluated once (a join with a LIMIT subquery
	// may be rescanned per row and assign several tickets).
	err := s.db.GetContext(ctx, &r, `UPDATE channel.tickets SET status = 'assigned', assignee = $2, assigned_at = $3,
		version = version + 1
		WHERE id = (SELECT id FROM channel.tickets WHERE status = 'open' AND queue = ANY($1)
			ORDER BY priority DESC, due_on, id LIMIT 1 FOR UPDATE SKIP LOCKED) AND status = 'open'
		RETURNING `+ticketColumns, pq.StringArray(queues), agent, at)
	if errors.Is(err, sql.ErrNoRows) {
		return channel.Ticket{}, channel.ErrNoTicketWaiting
	}
	if err != nil {
		return channel.Ticket{}, err
	}
	return r.ticket(), nil
}

// Escalate implements channel.ContactStore.
func (s *Store) Escalate(ctx context.Context, level int, dueBy calendar.Date, minimum channel.Priority, at time.Time) ([]channel.Ticket, error) {
	var rows []ticketRow
	if err := s.db.SelectContext(ctx, &rows, `UPDATE channel.tickets SET escalation = $1, escalated_at = $4,
		priority = GREATEST(priority, $3), version = version + 1
		WHERE status <> 'closed' AND escalation < $1 AND due_on <= $2
		RETURNING `+ticketColumns, level, dueBy, minimum.Rank(), at); err != nil {
		return nil, fmt.Errorf("pgchannel: escalate: %w", err)
	}
	out := tickets(rows)
	sortTickets(out)
	return out, nil
}

// AddNote implements channel.ContactStore.
func (s *Store) AddNote(ctx context.Context, n channel.Note) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO channel.ticket_notes (id, ticket_id, author, body, at)
		VALUES ($1, $2, $3, $4, $5)`, n.ID, n.TicketID, n.Author, n.Text, n.At)
	if pgtx.Code(err) == foreignKeyViolated {
		return ticketNotFound(n.TicketID)
	}
	return err
}

// Notes implements channel.ContactStore.
func (s *Store) Notes(ctx context.Context, ticketID uuid.UUID) ([]channel.Note, error) {
	var rows []struct {
		ID       uuid.UUID `db:"id"`
		TicketID uuid.UUID `db:"ticket_id"`
		Author   string    `db:"author"`
		Body     string    `db:"body"`
		At       time.Time `db:"at"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT id, ticket_id, author, body, at FROM channel.ticket_notes
		WHERE ticket_id = $1 ORDER BY id`, ticketID); err != nil {
		return nil, err
	}
	out := make([]channel.Note, 0, len(rows))
	for _, r := range rows {
		out = append(out, channel.Note{ID: r.ID, TicketID: r.TicketID, Author: r.Author, Text: r.Body, At: r.At.UTC()})
	}
	return out, nil
}

// AddVerification implements channel.ContactStore.
func (s *Store) AddVerification(ctx context.Context, v channel.Verification) error {
	fs, ps := make(pq.StringArray, len(v.Steps)), make(pq.BoolArray, len(v.Steps))
	for i, st := range v.Steps {
		fs[i], ps[i] = string(st.Factor), st.Passed
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO channel.ticket_verifications
		(id, ticket_id, customer_id, agent, factors, passes, passed, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
		v.ID, v.TicketID, v.CustomerID, v.Agent, fs, ps, v.Passed, v.At)
	if pgtx.Code(err) == foreignKeyViolated {
		return ticketNotFound(v.TicketID)
	}
	return err
}

// Verifications implements channel.ContactStore.
func (s *Store) Verifications(ctx context.Context, ticketID uuid.UUID) ([]channel.Verification, error) {
	var rows []struct {
		ID         uuid.UUID      `db:"id"`
		TicketID   uuid.UUID      `db:"ticket_id"`
		CustomerID string         `db:"customer_id"`
		Agent      string         `db:"agent"`
		Factors    pq.StringArray `db:"factors"`
		Passes     pq.BoolArray   `db:"passes"`
		Passed     bool           `db:"passed"`
		At         time.Time      `db:"at"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT id, ticket_id, customer_id, agent, factors, passes, passed, at
		FROM channel.ticket_verifications WHERE ticket_id = $1 ORDER BY id`, ticketID); err != nil {
		return nil, err
	}
	out := make([]channel.Verification, 0, len(rows))
	for _, r := range rows {
		v := channel.Verification{ID: r.ID, TicketID: r.TicketID, CustomerID: r.CustomerID, Agent: r.Agent,
			Passed: r.Passed, At: r.At.UTC(), Steps: make([]channel.VerificationStep, 0, len(r.Factors))}
		for i, f := range r.Factors {
			v.Steps = append(v.Steps, channel.VerificationStep{Factor: channel.Factor(f), Passed: i < len(r.Passes) && r.Passes[i]})
		}
		out = append(out, v)
	}
	return out, nil
}

type agentRow struct {
	ID        string         `db:"id"`
	Name      string         `db:"name"`
	Skills    pq.StringArray `db:"skills"`
	Available bool           `db:"available"`
	UpdatedAt time.Time      `db:"updated_at"`
}

func (r agentRow) agent() channel.Agent {
	return channel.Agent{ID: r.ID, Name: r.Name, Skills: append([]string{}, r.Skills...), Available: r.Available,
		UpdatedAt: r.UpdatedAt.UTC()}
}

// PutAgent implements channel.ContactStore.
func (s *Store) PutAgent(ctx context.Context, a channel.Agent) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO channel.agents (id, name, skills, available, updated_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, skills = EXCLUDED.skills,
		available = EXCLUDED.available, updated_at = EXCLUDED.updated_at`,
		a.ID, a.Name, pq.StringArray(append([]string{}, a.Skills...)), a.Available, a.UpdatedAt)
	return err
}

// Agent implements channel.ContactStore.
func (s *Store) Agent(ctx context.Context, id string) (channel.Agent, error) {
	var r agentRow
	err := s.db.GetContext(ctx, &r, `SELECT id, name, skills, available, updated_at FROM channel.agents WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return channel.Agent{}, notFound("agent", id)
	}
	if err != nil {
		return channel.Agent{}, err
	}
	return r.agent(), nil
}

// Agents implements channel.ContactStore.
func (s *Store) Agents(ctx context.Context) ([]channel.Agent, error) {
	var rows []agentRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT id, name, skills, available, updated_at FROM channel.agents
		ORDER BY id COLLATE "C"`); err != nil {
		return nil, err
	}
	out := make([]channel.Agent, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.agent())
	}
	return out, nil
}

func sortTickets(ts []channel.Ticket) {
	slices.SortFunc(ts, func(a, b channel.Ticket) int { return bytes.Compare(a.ID[:], b.ID[:]) })
}
