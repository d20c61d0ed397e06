// Package memchannel is an in-memory channel.Store: the fake for tests and
// the default backend of the reference server. It behaves like the
// PostgreSQL store (same errors, same ordering, same atomicity) and is safe
// for concurrent use; channel/channeltest proves both.
package memchannel

import (
	"bytes"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/google/uuid"

	"github.com/bankkit/bankkit/channel"
)

// Store keeps everything in maps under one lock.
type Store struct {
	mu          sync.Mutex
	identities  map[uuid.UUID]channel.Identity
	credentials map[uuid.UUID]channel.Credential
	byUsername  map[string]uuid.UUID
	byCustomer  map[string]uuid.UUID
	sessions    map[uuid.UUID]channel.Session
	byTokenHash map[channel.TokenHash]uuid.UUID

	onlineOnce sync.Once
	online     *online
	outboxOnce sync.Once
	outbox     *outbox
	atmOnce    sync.Once
	atms       *atmRecords
	deskOnce   sync.Once
	desk       *desk
}

var _ channel.Store = (*Store)(nil)

// New returns an empty Store.
func New() *Store {
	return &Store{
		identities:  map[uuid.UUID]channel.Identity{},
		credentials: map[uuid.UUID]channel.Credential{},
		byUsername:  map[string]uuid.UUID{},
		byCustomer:  map[string]uuid.UUID{},
		sessions:    map[uuid.UUID]channel.Session{},
		byTokenHash: map[channel.TokenHash]uuid.UUID{},
	}
}

// The store hands out copies, so that a caller changing a returned slice
// cannot change what is stored.
func cloneIdentity(i channel.Identity) channel.Identity {
	i.Roles = slices.Clone(i.Roles)
	return i
}

func cloneCredential(c channel.Credential) channel.Credential {
	c.Salt = bytes.Clone(c.Salt)
	c.Hash = bytes.Clone(c.Hash)
	return c
}

func notFound(what string, key any) error {
	return fmt.Errorf("%w: %s %v", channel.ErrNotFound, what, key)
}

// CreateIdentity implements channel.Store.
func (s *Store) CreateIdentity(ctx context.Context, i channel.Identity, c channel.Credential) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if err := i.Validate(); err != nil {
		return err
	}
	if err := c.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.identities[i.ID]; ok {
		return fmt.Errorf("%w: identity %s exists", channel.ErrDuplicate, i.ID)
	}
	if _, ok := s.byUsername[i.Username]; ok {
		return fmt.Errorf("%w: username %q is taken", channel.ErrDuplicate, i.Username)
	}
	if i.CustomerID != "" {
		if _, ok := s.byCustomer[i.CustomerID]; ok {
			return fmt.Errorf("%w: customer %q has a login", channel.ErrDuplicate, i.CustomerID)
		}
		s.byCustomer[i.CustomerID] = i.ID
	}
	s.identities[i.ID] = cloneIdentity(i)
	s.credentials[i.ID] = cloneCredential(c)
	s.byUsername[i.Username] = i.ID
	return nil
}

// Identity implements channel.Store.
func (s *Store) Identity(ctx context.Context, id uuid.UUID) (channel.Identity, error) {
	if err := ctx.Err(); err != nil {
		return channel.Identity{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.identities[id]
	if !ok {
		return channel.Identity{}, notFound("identity", id)
	}
	return cloneIdentity(i), nil
}

// IdentityByUsername implements channel.Store.
func (s *Store) IdentityByUsername(ctx context.Context, username string) (channel.Identity, error) {
	if err := ctx.Err(); err != nil {
		return channel.Identity{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.byUsername[username]
	if !ok {
		return channel.Identity{}, notFound("username", username)
	}
	return cloneIdentity(s.identities[id]), nil
}

// IdentityByCustomer implements channel.Store.
func (s *Store) IdentityByCustomer(ctx context.Context, customerID string) (channel.Identity, error) {
	if err := ctx.Err(); err != nil {
		return channel.Identity{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.byCustomer[customerID]
	if !ok {
		return channel.Identity{}, notFound("login of customer", customerID)
	}
	return cloneIdentity(s.identities[id]), nil
}

// ListIdentities implements channel.Store.
func (s *Store) ListIdentities(ctx context.Context, after uuid.UUID, limit int) ([]channel.Identity, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []channel.Identity
	for id, i := range s.identities {
		if bytes.Compare(id[:], after[:]) > 0 {
			out = append(out, cloneIdentity(i))
		}
	}
	slices.SortFunc(out, func(a, b channel.Identity) int { return bytes.Compare(a.ID[:], b.ID[:]) })
	if len(out) > limit {
		out = out[:max(limit, 0)]
	}
	return out, nil
}

// UpdateIdentity implements channel.Store.
func (s *Store) UpdateIdentity(ctx context.Context, id uuid.UUID, fn func(channel.Identity) (channel.Identity, error)) (channel.Identity, error) {
	if err := ctx.Err(); err != nil {
		return channel.Identity{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.identities[id]
	if !ok {
		return channel.Identity{}, notFound("identity", id)
	}
	changed, err := fn(cloneIdentity(old))
	if err != nil {
		return channel.Identity{}, err
	}
	next := old
	next.Status, next.Roles = changed.Status, slices.Clone(changed.Roles)
	if err := next.Validate(); err != nil {
		return channel.Identity{}, err
	}
	s.identities[id] = next
	return cloneIdentity(next), nil
}

// Credential implements channel.Store.
func (s *Store) Credential(ctx context.Context, id uuid.UUID) (channel.Credential, error) {
	if err := ctx.Err(); err != nil {
		return channel.Credential{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.credentials[id]
	if !ok {
		return channel.Credential{}, notFound("identity", id)
	}
	return cloneCredential(c), nil
}

// ReplaceCredential implements channel.Store.
func (s *Store) ReplaceCredential(ctx context.Context, id uuid.UUID, prev, next channel.Credential) error {
	if err := next.Validate(); err != nil {
		return err
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c, ok := s.credentials[id]
	if !ok {
		return notFound("identity", id)
	}
	if c.String() != prev.String() {
		return fmt.Errorf("%w: credential of %s", channel.ErrConflict, id)
	}
	s.credentials[id] = cloneCredential(next)
	return nil
}

// RecordAttempt implements channel.Store.
func (s *Store) RecordAttempt(ctx context.Context, id uuid.UUID, now time.Time, policy channel.LockoutPolicy) (channel.Identity, bool, error) {
	if err := ctx.Err(); err != nil {
		return channel.Identity{}, false, err
	}
	if err := policy.Validate(); err != nil {
		return channel.Identity{}, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.identities[id]
	if !ok {
		return channel.Identity{}, false, notFound("identity", id)
	}
	next, admitted := policy.Attempt(i, now)
	s.identities[id] = next
	return cloneIdentity(next), admitted, nil
}

// ResetFailures implements channel.Store.
func (s *Store) ResetFailures(ctx context.Context, id uuid.UUID) (channel.Identity, error) {
	if err := ctx.Err(); err != nil {
		return channel.Identity{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	i, ok := s.identities[id]
	if !ok {
		return channel.Identity{}, notFound("identity", id)
	}
	i.FailedLogins, i.LockedUntil = 0, time.Time{}
	s.identities[id] = i
	return cloneIdentity(i), nil
}

// CreateSession implements channel.Store.
func (s *Store) CreateSession(ctx context.Context, sess channel.Session) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.identities[sess.IdentityID]; !ok {
		return notFound("identity", sess.IdentityID)
	}
	if _, ok := s.sessions[sess.ID]; ok {
		return fmt.Errorf("%w: session %s exists", channel.ErrDuplicate, sess.ID)
	}
	if _, ok := s.byTokenHash[sess.TokenHash]; ok {
		return fmt.Errorf("%w: token exists", channel.ErrDuplicate)
	}
	sess.RevokedAt = time.Time{}
	s.sessions[sess.ID] = sess
	s.byTokenHash[sess.TokenHash] = sess.ID
	return nil
}

// Session implements channel.Store.
func (s *Store) Session(ctx context.Context, id uuid.UUID) (channel.Session, error) {
	if err := ctx.Err(); err != nil {
		return channel.Session{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.sessions[id]
	if !ok {
		return channel.Session{}, notFound("session", id)
	}
	return sess, nil
}

// SessionByTokenHash implements channel.Store.
func (s *Store) SessionByTokenHash(ctx context.Context, h channel.TokenHash) (channel.Session, error) {
	if err := ctx.Err(); err != nil {
		return channel.Session{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id, ok := s.byTokenHash[h]
	if !ok {
		return channel.Session{}, notFound("session with token hash", h)
	}
	return s.sessions[id], nil
}

// ListSessions implements channel.Store.
func (s *Store) ListSessions(ctx context.Context, identityID uuid.UUID) ([]channel.Session, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []channel.Session
	for _, sess := range s.sessions {
		if sess.IdentityID == identityID {
			out = append(out, sess)
		}
	}
	slices.SortFunc(out, func(a, b channel.Session) int { return bytes.Compare(a.ID[:], b.ID[:]) })
	return out, nil
}

// RevokeSession implements channel.Store.
func (s *Store) RevokeSession(ctx context.Context, id uuid.UUID, at time.Time) (channel.Session, error) {
	if err := ctx.Err(); err != nil {
		return channel.Session{}, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	sess, ok := s.sessions[id]
	if !ok {
		return channel.Session{}, notFound("session", id)
	}
	if sess.RevokedAt.IsZero() {
		sess.RevokedAt = at
		s.sessions[id] = sess
	}
	return sess, nil
}

// RevokeSessions implements channel.Store.
func (s *Store) RevokeSessions(ctx context.Context, identityID uuid.UUID, at time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for id, sess := range s.sessions {
		if sess.IdentityID == identityID && sess.Active(at) {
			sess.RevokedAt = at
			s.sessions[id] = sess
			n++
		}
	}
	return n, nil
}

// DeleteExpiredSessions implements channel.Store.
func (s *Store) DeleteExpiredSessions(ctx context.Context, before time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for id, sess := range s.sessions {
		if !sess.ExpiresAt.After(before) {
			delete(s.sessions, id)
			delete(s.byTokenHash, sess.TokenHash)
			n++
		}
	}
	return n, nil
}
