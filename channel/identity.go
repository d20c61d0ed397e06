package channel

import (
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
)

// Kind tells staff from customers.
type Kind string

// The kinds of identity.
const (
	KindStaff    Kind = "staff"
	KindCustomer Kind = "customer"
)

// Valid reports whether k is a known kind.
func (k Kind) Valid() bool { return k == KindStaff || k == KindCustomer }

// Status says whether an identity may log in.
type Status string

// The statuses of an identity.
const (
	StatusActive   Status = "active"
	StatusDisabled Status = "disabled"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool { return s == StatusActive || s == StatusDisabled }

// MaxCustomerIDLength bounds the opaque customer id a customer login
// points at.
const MaxCustomerIDLength = 128

// Identity is someone who can log in: a member of staff with roles, or a
// customer using online or mobile banking. Its password lives apart, in a
// Credential, so that reading an identity never carries the hash along.
type Identity struct {
	ID       uuid.UUID
	Kind     Kind
	Username string // normalised (NormalizeUsername); unique across all identities
	// Roles are the staff roles, sorted and without duplicates; empty for
	// customers.
	Roles []Role
	// CustomerID is the customer this login belongs to (customers only).
	// It is opaque here: channel does not depend on the customer package.
	CustomerID string
	Status     Status
	CreatedAt  time.Time
	// FailedLogins counts login attempts since the last successful one or
	// the last lock's end. It is visible to staff, never to the person
	// logging in.
	FailedLogins int
	// LockedUntil, when after now, refuses every login, even one with the
	// right password. Zero means not locked.
	LockedUntil time.Time
}

// Locked reports whether logins are refused at now because of failures.
func (i Identity) Locked(now time.Time) bool { return now.Before(i.LockedUntil) }

// HasRole reports whether the identity holds role r.
func (i Identity) HasRole(r Role) bool { return slices.Contains(i.Roles, r) }

// Validate checks that the identity is complete and consistent with its
// kind, the condition a Store may assume of what it is given.
func (i Identity) Validate() error {
	if i.ID == uuid.Nil {
		return invalid("id", "must be set")
	}
	if !i.Kind.Valid() {
		return invalid("kind", fmt.Sprintf("%q is not staff or customer", i.Kind))
	}
	if u, err := NormalizeUsername(i.Username); err != nil {
		return err
	} else if u != i.Username {
		return invalid("username", "must be normalised")
	}
	if !i.Status.Valid() {
		return invalid("status", fmt.Sprintf("%q is not active or disabled", i.Status))
	}
	if i.CreatedAt.IsZero() {
		return invalid("created_at", "must be set")
	}
	if i.FailedLogins < 0 {
		return invalid("failed_logins", "must not be negative")
	}
	switch i.Kind {
	case KindStaff:
		roles, err := normalizeRoles(i.Roles)
		if err != nil {
			return err
		}
		if !slices.Equal(roles, i.Roles) {
			return invalid("roles", "must be sorted without duplicates")
		}
		if i.CustomerID != "" {
			return invalid("customer_id", "staff identities have no customer id")
		}
	case KindCustomer:
		if len(i.Roles) != 0 {
			return invalid("roles", "customer identities have no roles")
		}
		if err := validateCustomerID(i.CustomerID); err != nil {
			return err
		}
	}
	return nil
}

// validateCustomerID accepts 1 to MaxCustomerIDLength printable ASCII
// characters other than space: any id the customer subsystem issues.
func validateCustomerID(id string) error {
	if id == "" || len(id) > MaxCustomerIDLength {
		return invalid("customer_id", fmt.Sprintf("must be 1 to %d characters", MaxCustomerIDLength))
	}
	for i := 0; i < len(id); i++ {
		if id[i] <= ' ' || id[i] > '~' {
			return invalid("customer_id", fmt.Sprintf("byte %d is not printable ASCII", i))
		}
	}
	return nil
}
