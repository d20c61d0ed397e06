package pgcustomer

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/customer"
)

// payload is the JSON form of an event's details in the outbox.
type payload struct {
	KYC     *customer.KYCChange `json:"kyc,omitempty"`
	Consent *consentPayload     `json:"consent,omitempty"`
}

type consentPayload struct {
	Purpose    customer.Purpose `json:"purpose"`
	Channel    customer.Channel `json:"channel"`
	Granted    bool             `json:"granted"`
	ValidUntil string           `json:"valid_until,omitempty"`
}

// appendEvents writes events to the outbox inside tx, each taking the next
// seq from the locked head row.
func appendEvents(ctx context.Context, tx *sqlx.Tx, events ...customer.Event) error {
	for _, e := range events {
		var p payload
		p.KYC = e.KYC
		if c := e.Consent; c != nil {
			p.Consent = &consentPayload{Purpose: c.Purpose, Channel: c.Channel, Granted: c.Granted}
			if !c.ValidUntil.IsZero() {
				p.Consent.ValidUntil = c.ValidUntil.String()
			}
		}
		body, err := json.Marshal(p)
		if err != nil {
			return err
		}
		seq, err := nextSeq(ctx, tx, "outbox")
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO customer.outbox (seq, kind, customer_id, at, payload)
			VALUES ($1, $2, $3, $4, $5)`, seq, string(e.Kind), e.CustomerID, e.At, body); err != nil {
			return err
		}
	}
	return nil
}

type eventRow struct {
	Seq        int64       `db:"seq"`
	Kind       string      `db:"kind"`
	CustomerID customer.ID `db:"customer_id"`
	At         time.Time   `db:"at"`
	Payload    []byte      `db:"payload"`
}

// Events implements customer.Store.
func (s *Store) Events(ctx context.Context, after int64, limit int) ([]customer.Event, error) {
	var rows []eventRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT seq, kind, customer_id, at, payload FROM customer.outbox
		WHERE seq > $1 ORDER BY seq LIMIT $2`, after, limit); err != nil {
		return nil, err
	}
	out := make([]customer.Event, 0, len(rows))
	for _, r := range rows {
		var p payload
		if err := json.Unmarshal(r.Payload, &p); err != nil {
			return nil, fmt.Errorf("pgcustomer: event %d: %w", r.Seq, err)
		}
		e := customer.Event{Seq: r.Seq, Kind: customer.EventKind(r.Kind), CustomerID: r.CustomerID, At: r.At.UTC(), KYC: p.KYC}
		if c := p.Consent; c != nil {
			e.Consent = &customer.ConsentChange{Purpose: c.Purpose, Channel: c.Channel, Granted: c.Granted}
			if c.ValidUntil != "" {
				d, err := calendar.ParseDate(c.ValidUntil)
				if err != nil {
					return nil, fmt.Errorf("pgcustomer: event %d: %w", r.Seq, err)
				}
				e.Consent.ValidUntil = d
			}
		}
		out = append(out, e)
	}
	return out, nil
}

// Cursor implements customer.Store.
func (s *Store) Cursor(ctx context.Context, subscriber string) (int64, error) {
	var seq int64
	err := s.db.GetContext(ctx, &seq, `SELECT COALESCE((SELECT seq FROM customer.cursors WHERE subscriber = $1), 0)`, subscriber)
	return seq, err
}

// SetCursor implements customer.Store.
func (s *Store) SetCursor(ctx context.Context, subscriber string, seq int64) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO customer.cursors (subscriber, seq) VALUES ($1, $2)
		ON CONFLICT (subscriber) DO UPDATE SET seq = GREATEST(customer.cursors.seq, EXCLUDED.seq)`, subscriber, seq)
	return err
}
