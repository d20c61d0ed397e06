package channel

import (
	"time"

	"github.com/google/uuid"
)

// Session is one issued token: who it authenticates, until when. The token
// itself is never stored, only its hash.
type Session struct {
	ID         uuid.UUID
	IdentityID uuid.UUID
	TokenHash  TokenHash
	CreatedAt  time.Time
	ExpiresAt  time.Time
	// RevokedAt is when the session was ended early; zero while it is not.
	RevokedAt time.Time
	// EnrolmentOnly: the identity holds a role that requires a second
	// factor and had none confirmed at login, so the session may do
	// nothing but enrol one (the caller enforces it; see
	// WithStaffSecondFactor).
	EnrolmentOnly bool
}

// Active reports whether the session authenticates at now: not revoked and
// not yet expired.
func (s Session) Active(now time.Time) bool {
	return s.RevokedAt.IsZero() && now.Before(s.ExpiresAt)
}

// Grant is what a successful login returns: the token, shown once and
// never stored, with the session it opened and the principal it
// authenticates.
type Grant struct {
	Token     string
	SessionID uuid.UUID
	ExpiresAt time.Time
	Principal Principal
}
