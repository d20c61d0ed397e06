package channel

import (
	"context"
	"errors"
	"fmt"

	"github.com/bankkit/bankkit/fault"
	"github.com/google/uuid"
)

// NewStaff is the request to create a member of staff.
type NewStaff struct {
	Username string
	Password string
	Roles    []Role
}

// NewCustomerLogin is the request to set up a customer's own online-banking
// login.
type NewCustomerLogin struct {
	CustomerID string
	Username   string
	Password   string
}

// MaxListLimit bounds one page of ListIdentities.
const MaxListLimit = 500

// CreateStaff creates an active staff identity. Errors: ErrInvalidInput
// (username, password, roles), ErrDuplicate when the username is taken.
func (s *Service) CreateStaff(ctx context.Context, r NewStaff) (Identity, error) {
	roles, err := normalizeRoles(r.Roles)
	if err != nil {
		return Identity{}, err
	}
	return s.create(ctx, Identity{Kind: KindStaff, Username: r.Username, Roles: roles}, r.Password)
}

// CreateCustomerLogin creates the online-banking login of a customer; each
// customer has at most one. Errors: ErrInvalidInput (customer_id, username,
// password), ErrDuplicate when the username is taken or the customer has a
// login already.
func (s *Service) CreateCustomerLogin(ctx context.Context, r NewCustomerLogin) (Identity, error) {
	if err := validateCustomerID(r.CustomerID); err != nil {
		return Identity{}, err
	}
	return s.create(ctx, Identity{Kind: KindCustomer, Username: r.Username, CustomerID: r.CustomerID}, r.Password)
}

func (s *Service) create(ctx context.Context, i Identity, password string) (Identity, error) {
	username, err := NormalizeUsername(i.Username)
	if err != nil {
		return Identity{}, err
	}
	if err := ValidatePassword(password); err != nil {
		return Identity{}, err
	}
	if i.ID, err = newID(); err != nil {
		return Identity{}, err
	}
	i.Username, i.Status, i.CreatedAt = username, StatusActive, s.now()
	if err := i.Validate(); err != nil {
		return Identity{}, err
	}
	cred, err := HashPassword(password, s.params)
	if err != nil {
		return Identity{}, err
	}
	if err := s.store.CreateIdentity(ctx, i, cred); err != nil {
		return Identity{}, err
	}
	return i, nil
}

// Identity returns the identity with that id. Errors: ErrNotFound.
func (s *Service) Identity(ctx context.Context, id uuid.UUID) (Identity, error) {
	if err := validateID("id", id); err != nil {
		return Identity{}, err
	}
	return s.store.Identity(ctx, id)
}

// IdentityByUsername returns the identity with that username, in any case
// and with surrounding space. Errors: ErrInvalidInput, ErrNotFound.
func (s *Service) IdentityByUsername(ctx context.Context, username string) (Identity, error) {
	u, err := NormalizeUsername(username)
	if err != nil {
		return Identity{}, err
	}
	return s.store.IdentityByUsername(ctx, u)
}

// IdentityByCustomer returns the login of a customer. Errors:
// ErrInvalidInput, ErrNotFound.
func (s *Service) IdentityByCustomer(ctx context.Context, customerID string) (Identity, error) {
	if err := validateCustomerID(customerID); err != nil {
		return Identity{}, err
	}
	return s.store.IdentityByCustomer(ctx, customerID)
}

// ListIdentities returns up to limit (1 to MaxListLimit) identities after
// the id after (uuid.Nil for the first page), oldest first.
func (s *Service) ListIdentities(ctx context.Context, after uuid.UUID, limit int) ([]Identity, error) {
	if limit < 1 || limit > MaxListLimit {
		return nil, invalid("limit", fmt.Sprintf("must be 1 to %d", MaxListLimit))
	}
	return s.store.ListIdentities(ctx, after, limit)
}

// Disable stops the identity from logging in and ends its sessions.
// Errors: ErrNotFound.
func (s *Service) Disable(ctx context.Context, id uuid.UUID) (Identity, error) {
	i, err := s.setStatus(ctx, id, StatusDisabled)
	if err != nil {
		return Identity{}, err
	}
	if _, err := s.store.RevokeSessions(ctx, id, s.now()); err != nil {
		return Identity{}, err
	}
	return i, nil
}

// Enable lets a disabled identity log in again. It also revokes any
// session that a login racing with Disable may have opened, so that
// enabling never revives one. Errors: ErrNotFound.
func (s *Service) Enable(ctx context.Context, id uuid.UUID) (Identity, error) {
	i, err := s.setStatus(ctx, id, StatusActive)
	if err != nil {
		return Identity{}, err
	}
	if _, err := s.store.RevokeSessions(ctx, id, s.now()); err != nil {
		return Identity{}, err
	}
	return i, nil
}

func (s *Service) setStatus(ctx context.Context, id uuid.UUID, st Status) (Identity, error) {
	if err := validateID("id", id); err != nil {
		return Identity{}, err
	}
	return s.store.UpdateIdentity(ctx, id, func(i Identity) (Identity, error) {
		i.Status = st
		return i, nil
	})
}

// SetRoles replaces a staff identity's roles; they take effect on the next
// request, as Authenticate reads them afresh. Errors: ErrInvalidInput
// (roles, or a customer identity), ErrNotFound.
func (s *Service) SetRoles(ctx context.Context, id uuid.UUID, roles []Role) (Identity, error) {
	if err := validateID("id", id); err != nil {
		return Identity{}, err
	}
	norm, err := normalizeRoles(roles)
	if err != nil {
		return Identity{}, err
	}
	return s.store.UpdateIdentity(ctx, id, func(i Identity) (Identity, error) {
		if i.Kind != KindStaff {
			return Identity{}, invalid("roles", "only staff identities have roles")
		}
		i.Roles = norm
		return i, nil
	})
}

// Unlock clears the failed-login count and any lock: a member of staff
// does this once they have verified the customer. Errors: ErrNotFound.
func (s *Service) Unlock(ctx context.Context, id uuid.UUID) (Identity, error) {
	if err := validateID("id", id); err != nil {
		return Identity{}, err
	}
	return s.store.ResetFailures(ctx, id)
}

// ChangePassword sets a new password for an identity that proves it knows
// the current one, then ends all its sessions (the caller's too), since a
// password is usually changed because it may be known to someone else.
// A wrong current password counts towards the lockout like a failed login.
// Errors: ErrInvalidInput (new_password), ErrInvalidCredentials,
// ErrNotFound, ErrConflict (changed concurrently).
func (s *Service) ChangePassword(ctx context.Context, id uuid.UUID, current, next string) error {
	if err := validateID("id", id); err != nil {
		return err
	}
	if err := ValidatePassword(next); err != nil {
		var ve *fault.FieldError
		if errors.As(err, &ve) {
			return invalid("new_password", ve.Reason)
		}
		return err
	}
	i, err := s.store.Identity(ctx, id)
	if err != nil {
		return err
	}
	cred, err := s.checkPassword(ctx, i, current)
	if err != nil {
		return err
	}
	return s.replacePassword(ctx, id, cred, next)
}

// ResetPassword sets a new password without the old one (staff, after
// verifying the person) and ends the identity's sessions. It does not
// unlock. Errors: ErrInvalidInput (password), ErrNotFound, ErrConflict.
func (s *Service) ResetPassword(ctx context.Context, id uuid.UUID, next string) error {
	if err := validateID("id", id); err != nil {
		return err
	}
	if err := ValidatePassword(next); err != nil {
		return err
	}
	cred, err := s.store.Credential(ctx, id)
	if err != nil {
		return err
	}
	return s.replacePassword(ctx, id, cred, next)
}

func (s *Service) replacePassword(ctx context.Context, id uuid.UUID, prev Credential, next string) error {
	cred, err := HashPassword(next, s.params)
	if err != nil {
		return err
	}
	if err := s.store.ReplaceCredential(ctx, id, prev, cred); err != nil {
		return err
	}
	_, err = s.store.RevokeSessions(ctx, id, s.now())
	return err
}

func validateID(field string, id uuid.UUID) error {
	if id == uuid.Nil {
		return invalid(field, "must be set")
	}
	return nil
}
