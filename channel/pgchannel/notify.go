package pgchannel

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"
	"github.com/lib/pq"

	"github.com/bankkit/bankkit/channel"
)

var _ channel.NotificationStore = (*Store)(nil)

const messageColumns = `id, customer_id, medium, category, marketing, dedup_key, subject, body, status, attempts,
	next_attempt_at, created_at, sent_at, last_error`

type messageRow struct {
	ID            uuid.UUID    `db:"id"`
	CustomerID    string       `db:"customer_id"`
	Medium        string       `db:"medium"`
	Category      string       `db:"category"`
	Marketing     bool         `db:"marketing"`
	DedupKey      string       `db:"dedup_key"`
	Subject       string       `db:"subject"`
	Body          string       `db:"body"`
	Status        string       `db:"status"`
	Attempts      int          `db:"attempts"`
	NextAttemptAt time.Time    `db:"next_attempt_at"`
	CreatedAt     time.Time    `db:"created_at"`
	SentAt        sql.NullTime `db:"sent_at"`
	LastError     string       `db:"last_error"`
}

func (r messageRow) message() channel.Message {
	return channel.Message{ID: r.ID, CustomerID: r.CustomerID, Medium: channel.Medium(r.Medium), Category: r.Category,
		Marketing: r.Marketing, DedupKey: r.DedupKey, Subject: r.Subject, Body: r.Body, Status: channel.MessageStatus(r.Status),
		Attempts: r.Attempts, NextAttemptAt: r.NextAttemptAt.UTC(), CreatedAt: r.CreatedAt.UTC(), SentAt: timeOf(r.SentAt),
		LastError: r.LastError}
}

func messages(rows []messageRow) []channel.Message {
	out := make([]channel.Message, 0, len(rows))
	for _, r := range rows {
		out = append(out, r.message())
	}
	return out
}

// Preferences implements channel.NotificationStore.
func (s *Store) Preferences(ctx context.Context, customerIDs []string) (map[string]channel.Preferences, error) {
	var rows []struct {
		CustomerID string         `db:"customer_id"`
		Media      pq.StringArray `db:"media"`
		QuietFrom  int            `db:"quiet_from"`
		QuietTo    int            `db:"quiet_to"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT customer_id, media, quiet_from, quiet_to
		FROM channel.notification_preferences WHERE customer_id = ANY($1)`, pq.StringArray(customerIDs)); err != nil {
		return nil, err
	}
	out := make(map[string]channel.Preferences, len(rows))
	for _, r := range rows {
		p := channel.Preferences{CustomerID: r.CustomerID, QuietFrom: r.QuietFrom, QuietTo: r.QuietTo, Media: []channel.Medium{}}
		for _, m := range r.Media {
			p.Media = append(p.Media, channel.Medium(m))
		}
		out[r.CustomerID] = p
	}
	return out, nil
}

// PutPreferences implements channel.NotificationStore.
func (s *Store) PutPreferences(ctx context.Context, p channel.Preferences) error {
	media := pq.StringArray{}
	for _, m := range p.Media {
		media = append(media, string(m))
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO channel.notification_preferences (customer_id, media, quiet_from, quiet_to)
		VALUES ($1, $2, $3, $4) ON CONFLICT (customer_id) DO UPDATE SET media = EXCLUDED.media,
		quiet_from = EXCLUDED.quiet_from, quiet_to = EXCLUDED.quiet_to`, p.CustomerID, media, p.QuietFrom, p.QuietTo)
	return err
}

// Enqueue implements channel.NotificationStore: one statement for the
// whole batch, duplicates of a dedup key skipped.
func (s *Store) Enqueue(ctx context.Context, ms []channel.Message) (int, error) {
	if len(ms) == 0 {
		return 0, nil
	}
	n := len(ms)
	ids := make(pq.StringArray, n)
	cust, medium, cat, dedup, subj, body, status := make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n),
		make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n), make(pq.StringArray, n)
	mkt := make(pq.BoolArray, n)
	due, created := make(pq.StringArray, n), make(pq.StringArray, n)
	for i, m := range ms {
		ids[i], cust[i], medium[i], cat[i], dedup[i] = m.ID.String(), m.CustomerID, string(m.Medium), m.Category, m.DedupKey
		subj[i], body[i], status[i], mkt[i] = m.Subject, m.Body, string(m.Status), m.Marketing
		due[i], created[i] = m.NextAttemptAt.Format(time.RFC3339Nano), m.CreatedAt.Format(time.RFC3339Nano)
	}
	res, err := s.db.ExecContext(ctx, `INSERT INTO channel.messages
		(id, customer_id, medium, category, marketing, dedup_key, subject, body, status, next_attempt_at, created_at)
		SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::boolean[], $6::text[], $7::text[],
			$8::text[], $9::text[], $10::timestamptz[], $11::timestamptz[])
		ON CONFLICT (dedup_key) DO NOTHING`, ids, cust, medium, cat, mkt, dedup, subj, body, status, due, created)
	if err != nil {
		return 0, err
	}
	added, err := res.RowsAffected()
	return int(added), err
}

// claimSQL takes the due rows no other claim holds (SKIP LOCKED: concurrent
// deliverers take different rows without waiting on each other). The ids
// are an ARRAY sublink, evaluated once: a join with the LIMIT subquery
// may be planned as a nested loop that runs it again per row.
const claimSQL = `UPDATE channel.messages m SET attempts = m.attempts + 1, next_attempt_at = $2
	FROM (SELECT set_config('synchronous_commit', $4, true)) cfg
	WHERE m.id = ANY(ARRAY(SELECT id FROM channel.messages WHERE status = 'pending' AND next_attempt_at <= $1
		ORDER BY next_attempt_at, id LIMIT $3 FOR UPDATE SKIP LOCKED))
	RETURNING m.id, m.customer_id, m.medium, m.category, m.marketing, m.dedup_key, m.subject, m.body, m.status,
		m.attempts, m.next_attempt_at, m.created_at, m.sent_at, m.last_error`

// ClaimDue implements channel.NotificationStore.
func (s *Store) ClaimDue(ctx context.Context, now, until time.Time, limit int) ([]channel.Message, error) {
	var rows []messageRow
	if err := s.db.SelectContext(ctx, &rows, claimSQL, now, until, max(limit, 0), s.commitMode()); err != nil {
		return nil, err
	}
	return messages(rows), nil
}

// MarkSent implements channel.NotificationStore.
func (s *Store) MarkSent(ctx context.Context, ids []uuid.UUID, at time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	strs := make(pq.StringArray, len(ids))
	for i, id := range ids {
		strs[i] = id.String()
	}
	_, err := s.db.ExecContext(ctx, `UPDATE channel.messages SET status = 'sent', sent_at = $2, last_error = ''
		FROM (SELECT set_config('synchronous_commit', $3, true)) cfg
		WHERE id = ANY($1::uuid[]) AND status = 'pending'`, strs, at, s.commitMode())
	return err
}

// commitMode is the synchronous_commit of the outbox's delivery steps.
func (s *Store) commitMode() string {
	if s.asyncDelivery {
		return "off"
	}
	return "on"
}

// MarkFailure implements channel.NotificationStore.
func (s *Store) MarkFailure(ctx context.Context, id uuid.UUID, lastError string, next time.Time, final bool) error {
	status := channel.MessagePending
	if final {
		status = channel.MessageFailed
	}
	res, err := s.db.ExecContext(ctx, `UPDATE channel.messages SET last_error = $2, next_attempt_at = $3,
		status = CASE WHEN status = 'pending' THEN $4 ELSE status END WHERE id = $1`, id, lastError, next, string(status))
	return oneRow(res, err)(notFound("message", id))
}

// Message implements channel.NotificationStore.
func (s *Store) Message(ctx context.Context, id uuid.UUID) (channel.Message, error) {
	var r messageRow
	err := s.db.GetContext(ctx, &r, `SELECT `+messageColumns+` FROM channel.messages WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return channel.Message{}, notFound("message", id)
	}
	if err != nil {
		return channel.Message{}, err
	}
	return r.message(), nil
}

// Messages implements channel.NotificationStore.
func (s *Store) Messages(ctx context.Context, customerID string, m channel.Medium, before uuid.UUID, limit int) ([]channel.Message, error) {
	var rows []messageRow
	q := `SELECT ` + messageColumns + ` FROM channel.messages WHERE customer_id = $1 AND ($2 = '' OR medium = $2)
		AND ($3 = '00000000-0000-0000-0000-000000000000'::uuid OR id < $3) ORDER BY id DESC LIMIT $4`
	if err := s.db.SelectContext(ctx, &rows, q, customerID, string(m), before, max(limit, 0)); err != nil {
		return nil, fmt.Errorf("pgchannel: messages: %w", err)
	}
	return messages(rows), nil
}

// MarkFailures implements channel.NotificationStore: one statement for the
// batch.
func (s *Store) MarkFailures(ctx context.Context, fs []channel.Failure) error {
	if len(fs) == 0 {
		return nil
	}
	ids, errs, next := make(pq.StringArray, len(fs)), make(pq.StringArray, len(fs)), make(pq.StringArray, len(fs))
	final := make(pq.BoolArray, len(fs))
	for i, f := range fs {
		ids[i], errs[i], next[i], final[i] = f.ID.String(), f.LastError, f.Next.Format(time.RFC3339Nano), f.Final
	}
	_, err := s.db.ExecContext(ctx, `UPDATE channel.messages m SET last_error = f.last_error, next_attempt_at = f.next,
		status = CASE WHEN m.status = 'pending' AND f.final THEN 'failed' ELSE m.status END
		FROM unnest($1::uuid[], $2::text[], $3::timestamptz[], $4::boolean[]) AS f(id, last_error, next, final),
			(SELECT set_config('synchronous_commit', $5, true)) cfg
		WHERE m.id = f.id`, ids, errs, next, final, s.commitMode())
	return err
}

// DeleteMessages implements channel.NotificationStore: in batches of
// 10,000, so a first prune of a large outbox holds no long lock. There is
// no index on created_at (it would cost every send); once a day a scan of
// the table is the price.
func (s *Store) DeleteMessages(ctx context.Context, before time.Time) (int, error) {
	total := 0
	for {
		res, err := s.db.ExecContext(ctx, `DELETE FROM channel.messages WHERE id IN (
			SELECT id FROM channel.messages WHERE status <> 'pending' AND created_at < $1 LIMIT 10000)`, before)
		if err != nil {
			return total, err
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, err
		}
		total += int(n)
		if n < 10000 {
			return total, nil
		}
	}
}
