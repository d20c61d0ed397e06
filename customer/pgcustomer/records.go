package pgcustomer

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/customer"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/internal/pgtx"
)

// LinkAccount implements customer.Store.
func (s *Store) LinkAccount(ctx context.Context, l customer.AccountLink) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO customer.account_links (customer_id, account_id, relationship, linked_at)
		VALUES ($1, $2, $3, $4)`, l.CustomerID, l.AccountID, string(l.Relationship), l.LinkedAt)
	if pgtx.IsUniqueViolation(err, "") {
		return fmt.Errorf("%w: account %s is already linked", customer.ErrDuplicate, l.AccountID)
	}
	return notFoundIfMissingCustomer(err, l.CustomerID)
}

// UnlinkAccount implements customer.Store.
func (s *Store) UnlinkAccount(ctx context.Context, customerID customer.ID, accountID string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM customer.account_links WHERE customer_id = $1 AND account_id = $2`, customerID, accountID)
	if err != nil {
		return err
	}
	if n, err := res.RowsAffected(); err != nil {
		return err
	} else if n == 0 {
		return fmt.Errorf("%w: account %s is not linked", customer.ErrNotFound, accountID)
	}
	return nil
}

// AccountLinks implements customer.Store.
func (s *Store) AccountLinks(ctx context.Context, customerID customer.ID) ([]customer.AccountLink, error) {
	var rows []struct {
		CustomerID   customer.ID `db:"customer_id"`
		AccountID    string      `db:"account_id"`
		Relationship string      `db:"relationship"`
		LinkedAt     time.Time   `db:"linked_at"`
	}
	// COLLATE "C" orders account ids bytewise, as the in-memory store does.
	if err := s.db.SelectContext(ctx, &rows, `SELECT customer_id, account_id, relationship, linked_at
		FROM customer.account_links WHERE customer_id = $1 ORDER BY account_id COLLATE "C"`, customerID); err != nil {
		return nil, err
	}
	out := make([]customer.AccountLink, 0, len(rows))
	for _, r := range rows {
		out = append(out, customer.AccountLink{CustomerID: r.CustomerID, AccountID: r.AccountID,
			Relationship: customer.Relationship(r.Relationship), LinkedAt: r.LinkedAt.UTC()})
	}
	return out, nil
}

// AppendConsent implements customer.Store.
func (s *Store) AppendConsent(ctx context.Context, c customer.Consent, e event.Envelope) error {
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO customer.consents (id, customer_id, purpose, channel, granted, at, source, valid_until)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, c.ID, c.CustomerID, string(c.Purpose), string(c.Channel), c.Granted,
			c.At, c.Source, dateArg(c.ValidUntil)); err != nil {
			return err
		}
		return s.outbox.Append(ctx, tx, e)
	})
	return notFoundIfMissingCustomer(err, c.CustomerID)
}

// Consents implements customer.Store.
func (s *Store) Consents(ctx context.Context, customerID customer.ID) ([]customer.Consent, error) {
	var rows []struct {
		ID         customer.ID  `db:"id"`
		CustomerID customer.ID  `db:"customer_id"`
		Purpose    string       `db:"purpose"`
		Channel    string       `db:"channel"`
		Granted    bool         `db:"granted"`
		At         time.Time    `db:"at"`
		Source     string       `db:"source"`
		ValidUntil sql.NullTime `db:"valid_until"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT id, customer_id, purpose, channel, granted, at, source, valid_until
		FROM customer.consents WHERE customer_id = $1 ORDER BY id`, customerID); err != nil {
		return nil, err
	}
	out := make([]customer.Consent, 0, len(rows))
	for _, r := range rows {
		out = append(out, customer.Consent{ID: r.ID, CustomerID: r.CustomerID, Purpose: customer.Purpose(r.Purpose),
			Channel: customer.Channel(r.Channel), Granted: r.Granted, At: r.At.UTC(), Source: r.Source,
			ValidUntil: dateOf(r.ValidUntil)})
	}
	return out, nil
}

// AddInteraction implements customer.Store.
func (s *Store) AddInteraction(ctx context.Context, i customer.Interaction) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO customer.interactions (id, customer_id, channel, topic, summary, staff_id, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`, i.ID, i.CustomerID, string(i.Channel), i.Topic, i.Summary, i.StaffID, i.At)
	return notFoundIfMissingCustomer(err, i.CustomerID)
}

// Interactions implements customer.Store.
func (s *Store) Interactions(ctx context.Context, customerID customer.ID, p customer.Page) ([]customer.Interaction, error) {
	var rows []struct {
		ID         customer.ID `db:"id"`
		CustomerID customer.ID `db:"customer_id"`
		Channel    string      `db:"channel"`
		Topic      string      `db:"topic"`
		Summary    string      `db:"summary"`
		StaffID    string      `db:"staff_id"`
		At         time.Time   `db:"at"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT id, customer_id, channel, topic, summary, staff_id, at
		FROM customer.interactions WHERE customer_id = $1 AND id > $2 ORDER BY id LIMIT $3`, customerID, p.After, p.Limit); err != nil {
		return nil, err
	}
	out := make([]customer.Interaction, 0, len(rows))
	for _, r := range rows {
		out = append(out, customer.Interaction{ID: r.ID, CustomerID: r.CustomerID, Channel: customer.Channel(r.Channel),
			Topic: r.Topic, Summary: r.Summary, StaffID: r.StaffID, At: r.At.UTC()})
	}
	return out, nil
}

type complaintRow struct {
	ID           customer.ID  `db:"id"`
	CustomerID   customer.ID  `db:"customer_id"`
	Category     string       `db:"category"`
	Description  string       `db:"description"`
	Channel      string       `db:"channel"`
	Status       string       `db:"status"`
	Assignee     string       `db:"assignee"`
	OpenedAt     time.Time    `db:"opened_at"`
	DueOn        sql.NullTime `db:"due_on"`
	Resolution   string       `db:"resolution"`
	ResolvedAt   sql.NullTime `db:"resolved_at"`
	Satisfaction int          `db:"satisfaction"`
	ClosedAt     sql.NullTime `db:"closed_at"`
	Reopened     int          `db:"reopened"`
	Version      int64        `db:"version"`
}

const complaintColumns = `id, customer_id, category, description, channel, status, assignee, opened_at, due_on,
	resolution, resolved_at, satisfaction, closed_at, reopened, version`

func (r complaintRow) complaint() customer.Complaint {
	return customer.Complaint{ID: r.ID, CustomerID: r.CustomerID, Category: customer.ComplaintCategory(r.Category),
		Description: r.Description, Channel: customer.Channel(r.Channel), Status: customer.ComplaintStatus(r.Status),
		Assignee: r.Assignee, OpenedAt: r.OpenedAt.UTC(), DueOn: dateOf(r.DueOn), Resolution: r.Resolution,
		ResolvedAt: timeOf(r.ResolvedAt), Satisfaction: r.Satisfaction, ClosedAt: timeOf(r.ClosedAt),
		Reopened: r.Reopened, Version: r.Version}
}

func complaints(rows []complaintRow) []customer.Complaint {
	out := make([]customer.Complaint, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.complaint())
	}
	return out
}

// CreateComplaint implements customer.Store.
func (s *Store) CreateComplaint(ctx context.Context, c customer.Complaint) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO customer.complaints (`+complaintColumns+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, 1)`,
		c.ID, c.CustomerID, string(c.Category), c.Description, string(c.Channel), string(c.Status), c.Assignee,
		c.OpenedAt, dateArg(c.DueOn), c.Resolution, timeArg(c.ResolvedAt), c.Satisfaction, timeArg(c.ClosedAt), c.Reopened)
	if pgtx.IsUniqueViolation(err, "") {
		return fmt.Errorf("%w: complaint id %s exists", customer.ErrDuplicate, c.ID)
	}
	return notFoundIfMissingCustomer(err, c.CustomerID)
}

// Complaint implements customer.Store.
func (s *Store) Complaint(ctx context.Context, id customer.ID) (customer.Complaint, error) {
	var row complaintRow
	if err := s.db.GetContext(ctx, &row, `SELECT `+complaintColumns+` FROM customer.complaints WHERE id = $1`, id); err != nil {
		return customer.Complaint{}, notFound(err, "complaint", id)
	}
	return row.complaint(), nil
}

// UpdateComplaint implements customer.Store.
func (s *Store) UpdateComplaint(ctx context.Context, id customer.ID, fn func(customer.Complaint) (customer.Complaint, error)) (customer.Complaint, error) {
	var out customer.Complaint
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		var row complaintRow
		if err := tx.GetContext(ctx, &row, `SELECT `+complaintColumns+` FROM customer.complaints WHERE id = $1 FOR UPDATE`, id); err != nil {
			return notFound(err, "complaint", id)
		}
		old := row.complaint()
		next, err := fn(old)
		if err != nil {
			return err
		}
		next.ID, next.CustomerID, next.OpenedAt, next.Version = old.ID, old.CustomerID, old.OpenedAt, old.Version+1
		if _, err := tx.ExecContext(ctx, `UPDATE customer.complaints SET category = $2, description = $3, channel = $4,
			status = $5, assignee = $6, due_on = $7, resolution = $8, resolved_at = $9, satisfaction = $10,
			closed_at = $11, reopened = $12, version = $13 WHERE id = $1`,
			next.ID, string(next.Category), next.Description, string(next.Channel), string(next.Status), next.Assignee,
			dateArg(next.DueOn), next.Resolution, timeArg(next.ResolvedAt), next.Satisfaction, timeArg(next.ClosedAt),
			next.Reopened, next.Version); err != nil {
			return err
		}
		out = next
		return nil
	})
	if err != nil {
		return customer.Complaint{}, err
	}
	return out, nil
}

// Complaints implements customer.Store.
func (s *Store) Complaints(ctx context.Context, customerID customer.ID) ([]customer.Complaint, error) {
	var rows []complaintRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+complaintColumns+` FROM customer.complaints
		WHERE customer_id = $1 ORDER BY id`, customerID); err != nil {
		return nil, err
	}
	return complaints(rows), nil
}

// OverdueComplaints implements customer.Store.
func (s *Store) OverdueComplaints(ctx context.Context, asOf calendar.Date, p customer.Page) ([]customer.Complaint, error) {
	var rows []complaintRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+complaintColumns+` FROM customer.complaints
		WHERE status IN ('open', 'in_progress') AND due_on < $1 AND id > $2 ORDER BY id LIMIT $3`,
		asOf.String(), p.After, p.Limit); err != nil {
		return nil, err
	}
	return complaints(rows), nil
}
