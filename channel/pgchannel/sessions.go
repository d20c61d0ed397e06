package pgchannel

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/internal/pgtx"
)

const sessionColumns = `id, identity_id, token_hash, created_at, expires_at, revoked_at, enrolment_only`

type sessionRow struct {
	ID         uuid.UUID    `db:"id"`
	IdentityID uuid.UUID    `db:"identity_id"`
	TokenHash  []byte       `db:"token_hash"`
	CreatedAt  time.Time    `db:"created_at"`
	ExpiresAt  time.Time    `db:"expires_at"`
	RevokedAt  sql.NullTime `db:"revoked_at"`
	// EnrolmentOnly is channel.Session.EnrolmentOnly (migration 0401).
	EnrolmentOnly bool `db:"enrolment_only"`
}

func (r sessionRow) session() (channel.Session, error) {
	s := channel.Session{ID: r.ID, IdentityID: r.IdentityID, CreatedAt: r.CreatedAt.UTC(), ExpiresAt: r.ExpiresAt.UTC(),
		EnrolmentOnly: r.EnrolmentOnly}
	if len(r.TokenHash) != len(s.TokenHash) {
		return channel.Session{}, fmt.Errorf("pgchannel: session %s: token hash of %d bytes", r.ID, len(r.TokenHash))
	}
	copy(s.TokenHash[:], r.TokenHash)
	if r.RevokedAt.Valid {
		s.RevokedAt = r.RevokedAt.Time.UTC()
	}
	return s, nil
}

// CreateSession implements channel.Store.
func (s *Store) CreateSession(ctx context.Context, sess channel.Session) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO channel.sessions (id, identity_id, token_hash, created_at, expires_at, enrolment_only)
		VALUES ($1, $2, $3, $4, $5, $6)`, sess.ID, sess.IdentityID, sess.TokenHash[:], sess.CreatedAt, sess.ExpiresAt, sess.EnrolmentOnly)
	switch {
	case pgtx.Code(err) == foreignKeyViolated:
		return notFound("identity", sess.IdentityID)
	case pgtx.IsUniqueViolation(err, sessionsPkey):
		return fmt.Errorf("%w: session %s exists", channel.ErrDuplicate, sess.ID)
	case pgtx.IsUniqueViolation(err, tokenHashKey):
		return fmt.Errorf("%w: token exists", channel.ErrDuplicate)
	}
	return err
}

func (s *Store) sessionWhere(ctx context.Context, query string, what string, key any, args ...any) (channel.Session, error) {
	var r sessionRow
	err := s.stmts.GetContext(ctx, &r, query, args...)
	if errors.Is(err, sql.ErrNoRows) {
		return channel.Session{}, notFound(what, key)
	}
	if err != nil {
		return channel.Session{}, err
	}
	return r.session()
}

// Session implements channel.Store.
func (s *Store) Session(ctx context.Context, id uuid.UUID) (channel.Session, error) {
	return s.sessionWhere(ctx, `SELECT `+sessionColumns+` FROM channel.sessions WHERE id = $1`, "session", id, id)
}

// SessionByTokenHash implements channel.Store.
func (s *Store) SessionByTokenHash(ctx context.Context, h channel.TokenHash) (channel.Session, error) {
	return s.sessionWhere(ctx, `SELECT `+sessionColumns+` FROM channel.sessions WHERE token_hash = $1`,
		"session with token hash", h, h[:])
}

// ListSessions implements channel.Store.
func (s *Store) ListSessions(ctx context.Context, identityID uuid.UUID) ([]channel.Session, error) {
	var rows []sessionRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+sessionColumns+` FROM channel.sessions
		WHERE identity_id = $1 ORDER BY id`, identityID); err != nil {
		return nil, err
	}
	var out []channel.Session
	for _, r := range rows {
		sess, err := r.session()
		if err != nil {
			return nil, err
		}
		out = append(out, sess)
	}
	return out, nil
}

// RevokeSession implements channel.Store.
func (s *Store) RevokeSession(ctx context.Context, id uuid.UUID, at time.Time) (channel.Session, error) {
	return s.sessionWhere(ctx, `UPDATE channel.sessions SET revoked_at = COALESCE(revoked_at, $2)
		WHERE id = $1 RETURNING `+sessionColumns, "session", id, id, at)
}

// RevokeSessions implements channel.Store.
func (s *Store) RevokeSessions(ctx context.Context, identityID uuid.UUID, at time.Time) (int, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE channel.sessions SET revoked_at = $2
		WHERE identity_id = $1 AND revoked_at IS NULL AND expires_at > $2`, identityID, at)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// DeleteExpiredSessions implements channel.Store.
func (s *Store) DeleteExpiredSessions(ctx context.Context, before time.Time) (int, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM channel.sessions WHERE expires_at <= $1`, before)
	if err != nil {
		return 0, err
	}
	n, err := res.RowsAffected()
	return int(n), err
}
