package channel

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
)

// Revoke ends the session of a token (logging out). Revoking a token
// twice, or an expired one, is not an error.
// Errors: ErrUnauthenticated (malformed or unknown token).
func (s *Service) Revoke(ctx context.Context, token string) error {
	if token == "" || len(token) > MaxTokenLength {
		return fmt.Errorf("%w: malformed token", ErrUnauthenticated)
	}
	sess, err := s.store.SessionByTokenHash(ctx, HashToken(token))
	if errors.Is(err, ErrNotFound) {
		return fmt.Errorf("%w: unknown token", ErrUnauthenticated)
	}
	if err != nil {
		return err
	}
	_, err = s.store.RevokeSession(ctx, sess.ID, s.now())
	return err
}

// RevokeSession ends a session by its id (signing out a device from a list
// of sessions). The caller checks that the session is the principal's own.
// Errors: ErrInvalidInput, ErrNotFound.
func (s *Service) RevokeSession(ctx context.Context, id uuid.UUID) (Session, error) {
	if err := validateID("session_id", id); err != nil {
		return Session{}, err
	}
	return s.store.RevokeSession(ctx, id, s.now())
}

// RevokeAll ends every active session of an identity and returns how many
// it ended. Errors: ErrInvalidInput, ErrNotFound.
func (s *Service) RevokeAll(ctx context.Context, identityID uuid.UUID) (int, error) {
	if err := validateID("identity_id", identityID); err != nil {
		return 0, err
	}
	if _, err := s.store.Identity(ctx, identityID); err != nil {
		return 0, err
	}
	return s.store.RevokeSessions(ctx, identityID, s.now())
}

// Session returns a session by id. Errors: ErrInvalidInput, ErrNotFound.
func (s *Service) Session(ctx context.Context, id uuid.UUID) (Session, error) {
	if err := validateID("session_id", id); err != nil {
		return Session{}, err
	}
	return s.store.Session(ctx, id)
}

// ActiveSessions returns the identity's sessions that are neither revoked
// nor expired, oldest first. Errors: ErrInvalidInput, ErrNotFound.
func (s *Service) ActiveSessions(ctx context.Context, identityID uuid.UUID) ([]Session, error) {
	if err := validateID("identity_id", identityID); err != nil {
		return nil, err
	}
	if _, err := s.store.Identity(ctx, identityID); err != nil {
		return nil, err
	}
	all, err := s.store.ListSessions(ctx, identityID)
	if err != nil {
		return nil, err
	}
	now := s.now()
	return slices.DeleteFunc(all, func(x Session) bool { return !x.Active(now) }), nil
}

// DeleteExpiredSessions removes the sessions that expired by now, revoked
// or not, and returns how many; run it periodically to keep the table
// small. Expired sessions authenticate nothing either way.
func (s *Service) DeleteExpiredSessions(ctx context.Context) (int, error) {
	return s.store.DeleteExpiredSessions(ctx, s.now())
}

// EnsureBootstrapAdmin makes sure a staff identity named username with the
// admin role exists, and that token (chosen by the operator, e.g. from
// BANKKIT_ADMIN_TOKEN, or made by GenerateToken) authenticates it for ttl
// from the first call. The token is stored hashed like every other. The
// identity gets a random password nobody knows; it logs in by the token.
//
// The bootstrap admin holds one credential at a time: every other session
// of the identity is revoked, so a token printed by an earlier start stops
// working when the next start registers its own. Calling it again with the
// same token (a restart) keeps that token's session, and its expiry.
//
// Errors: ErrInvalidInput (username, token, ttl); ErrConflict when the
// username belongs to an identity that is not an active admin; ErrDuplicate
// when the token is known but belongs to another identity, or was revoked
// or has expired: choose a new one (the admin's other sessions are revoked
// all the same).
func (s *Service) EnsureBootstrapAdmin(ctx context.Context, username, token string, ttl time.Duration) (Grant, error) {
	u, err := NormalizeUsername(username)
	if err != nil {
		return Grant{}, err
	}
	if err := validateExternalToken(token); err != nil {
		return Grant{}, err
	}
	if ttl <= 0 {
		return Grant{}, invalid("ttl", "must be positive")
	}
	admin, err := s.ensureAdmin(ctx, u)
	if err != nil {
		return Grant{}, err
	}
	h := HashToken(token)
	for range 2 {
		sess, err := s.store.SessionByTokenHash(ctx, h)
		if err == nil {
			if sess.IdentityID != admin.ID || !sess.Active(s.now()) {
				if err := s.revokeOthers(ctx, admin.ID, uuid.Nil); err != nil {
					return Grant{}, err
				}
				return Grant{}, fmt.Errorf("%w: token is already used, revoked or expired", ErrDuplicate)
			}
			if err := s.revokeOthers(ctx, admin.ID, sess.ID); err != nil {
				return Grant{}, err
			}
			return Grant{Token: token, SessionID: sess.ID, ExpiresAt: sess.ExpiresAt, Principal: principalOf(admin, sess)}, nil
		}
		if !errors.Is(err, ErrNotFound) {
			return Grant{}, err
		}
		if err := s.revokeOthers(ctx, admin.ID, uuid.Nil); err != nil {
			return Grant{}, err
		}
		id, err := newID()
		if err != nil {
			return Grant{}, err
		}
		now := s.now()
		sess = Session{ID: id, IdentityID: admin.ID, TokenHash: h, CreatedAt: now, ExpiresAt: now.Add(ttl)}
		err = s.store.CreateSession(ctx, sess)
		if err == nil {
			return Grant{Token: token, SessionID: sess.ID, ExpiresAt: sess.ExpiresAt, Principal: principalOf(admin, sess)}, nil
		}
		if !errors.Is(err, ErrDuplicate) {
			return Grant{}, err
		}
		// Another process registered the same token at the same moment:
		// read what it stored.
	}
	return Grant{}, fmt.Errorf("%w: token registered concurrently", ErrConflict)
}

// revokeOthers revokes every active session of the identity but keep's.
func (s *Service) revokeOthers(ctx context.Context, identityID, keep uuid.UUID) error {
	if keep == uuid.Nil {
		_, err := s.store.RevokeSessions(ctx, identityID, s.now())
		return err
	}
	all, err := s.store.ListSessions(ctx, identityID)
	if err != nil {
		return err
	}
	now := s.now()
	for _, x := range all {
		if x.ID != keep && x.Active(now) {
			if _, err := s.store.RevokeSession(ctx, x.ID, now); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *Service) ensureAdmin(ctx context.Context, username string) (Identity, error) {
	for range 2 {
		i, err := s.store.IdentityByUsername(ctx, username)
		if err == nil {
			if i.Kind != KindStaff || !i.HasRole(RoleAdmin) || i.Status != StatusActive {
				return Identity{}, fmt.Errorf("%w: %q is not an active admin", ErrConflict, username)
			}
			return i, nil
		}
		if !errors.Is(err, ErrNotFound) {
			return Identity{}, err
		}
		password, err := GenerateToken()
		if err != nil {
			return Identity{}, err
		}
		i, err = s.CreateStaff(ctx, NewStaff{Username: username, Password: password, Roles: []Role{RoleAdmin}})
		if err == nil {
			return i, nil
		}
		if !errors.Is(err, ErrDuplicate) {
			return Identity{}, err
		}
	}
	return Identity{}, fmt.Errorf("%w: %q created concurrently", ErrConflict, username)
}
