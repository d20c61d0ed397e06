package channel

import (
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
)

// Principal is who an authenticated request acts for, as read from its
// token: the HTTP layer checks roles and ownership against it.
type Principal struct {
	IdentityID uuid.UUID
	SessionID  uuid.UUID
	Kind       Kind
	Username   string
	Roles      []Role // staff only
	CustomerID string // customers only: the only customer whose data they see
	ExpiresAt  time.Time
	// EnrolmentOnly: the session may only enrol a second factor (see
	// Session.EnrolmentOnly); every other request is to be refused with
	// ErrSecondFactorEnrolment.
	EnrolmentOnly bool
}

// HasRole reports whether the principal holds role r.
func (p Principal) HasRole(r Role) bool { return slices.Contains(p.Roles, r) }

// RequireRole returns nil when the principal holds at least one of roles,
// and an error wrapping ErrForbidden otherwise (customers hold none).
func (p Principal) RequireRole(roles ...Role) error {
	for _, r := range roles {
		if p.HasRole(r) {
			return nil
		}
	}
	return fmt.Errorf("%w: needs one of the roles %v", ErrForbidden, roles)
}

func principalOf(i Identity, s Session) Principal {
	return Principal{
		IdentityID: i.ID,
		SessionID:  s.ID,
		Kind:       i.Kind,
		Username:   i.Username,
		Roles:      slices.Clone(i.Roles),
		CustomerID: i.CustomerID,
		ExpiresAt:  s.ExpiresAt,

		EnrolmentOnly: s.EnrolmentOnly,
	}
}
