package channel

import (
	"context"
	"time"

	"github.com/google/uuid"
)

// Store is what the Service needs from a backend: identities with their
// credentials, the failed-login count, and sessions. Validation and the
// rules live in the Service and in this package (Identity.Validate,
// LockoutPolicy.Attempt); a Store applies them atomically.
//
// Every method is safe for concurrent use. Errors other than the sentinels
// named below (a lost connection, a cancelled ctx) are returned as they
// are. Times are stored to the microsecond; the Service passes them
// already truncated, in UTC.
//
// The package channel/channeltest holds the contract suite every Store must
// pass.
type Store interface {
	// CreateIdentity stores a new identity (valid: i.Validate() == nil)
	// with its credential.
	// Errors: ErrDuplicate if the ID or the username is taken, or a login
	// exists for the same CustomerID.
	CreateIdentity(ctx context.Context, i Identity, c Credential) error

	// Identity returns the identity with that id.
	// Errors: ErrNotFound.
	Identity(ctx context.Context, id uuid.UUID) (Identity, error)

	// IdentityByUsername returns the identity with that (normalised)
	// username. Errors: ErrNotFound.
	IdentityByUsername(ctx context.Context, username string) (Identity, error)

	// IdentityByCustomer returns the login of that customer.
	// Errors: ErrNotFound.
	IdentityByCustomer(ctx context.Context, customerID string) (Identity, error)

	// ListIdentities returns up to limit identities with ID greater than
	// after (uuid.Nil: from the start), in ascending ID order.
	ListIdentities(ctx context.Context, after uuid.UUID, limit int) ([]Identity, error)

	// UpdateIdentity reads the identity, calls fn and stores the Status
	// and Roles of the identity fn returns, atomically: no other update of
	// the identity interleaves. If fn fails, nothing changes and its error
	// is returned as is. Errors: ErrNotFound.
	UpdateIdentity(ctx context.Context, id uuid.UUID, fn func(Identity) (Identity, error)) (Identity, error)

	// Credential returns the identity's current credential.
	// Errors: ErrNotFound.
	Credential(ctx context.Context, id uuid.UUID) (Credential, error)

	// ReplaceCredential sets the identity's credential to next if it still
	// is prev (same String()), so that a rehash at login cannot undo a
	// password change made meanwhile.
	// Errors: ErrNotFound; ErrConflict if the credential is no longer prev.
	ReplaceCredential(ctx context.Context, id uuid.UUID, prev, next Credential) error

	// RecordAttempt applies policy.Attempt to the identity at now and
	// stores the result, atomically: concurrent attempts are all counted,
	// and no more than policy.MaxFailures are admitted before the lock.
	// It returns the identity after the attempt and whether it was
	// admitted. Errors: ErrNotFound.
	RecordAttempt(ctx context.Context, id uuid.UUID, now time.Time, policy LockoutPolicy) (Identity, bool, error)

	// ResetFailures sets the failed-login count to zero and clears any
	// lock. Errors: ErrNotFound.
	ResetFailures(ctx context.Context, id uuid.UUID) (Identity, error)

	// CreateSession stores a new session (RevokedAt zero).
	// Errors: ErrNotFound if the identity does not exist; ErrDuplicate if
	// the ID or the TokenHash is taken.
	CreateSession(ctx context.Context, s Session) error

	// Session returns the session with that id. Errors: ErrNotFound.
	Session(ctx context.Context, id uuid.UUID) (Session, error)

	// SessionByTokenHash returns the session with that token hash.
	// Errors: ErrNotFound.
	SessionByTokenHash(ctx context.Context, h TokenHash) (Session, error)

	// ListSessions returns the identity's sessions still stored, revoked
	// and expired ones included, in ascending ID order. An unknown
	// identity has none.
	ListSessions(ctx context.Context, identityID uuid.UUID) ([]Session, error)

	// RevokeSession sets the session's RevokedAt to at, unless it is
	// revoked already (the first revocation time stays), and returns it.
	// Errors: ErrNotFound.
	RevokeSession(ctx context.Context, id uuid.UUID, at time.Time) (Session, error)

	// RevokeSessions revokes, as RevokeSession does, every session of the
	// identity that is active at at, and returns how many it revoked.
	RevokeSessions(ctx context.Context, identityID uuid.UUID, at time.Time) (int, error)

	// DeleteExpiredSessions deletes every session whose ExpiresAt is not
	// after before, revoked or not, and returns how many it deleted.
	DeleteExpiredSessions(ctx context.Context, before time.Time) (int, error)
}
