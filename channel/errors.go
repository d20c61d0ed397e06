package channel

import (
	"errors"
	"fmt"
)

// Sentinel errors, matched with errors.Is. Every error the Service and the
// stores return wraps one of them, or is a failure of the backend itself (a
// lost connection, a cancelled ctx).
var (
	// ErrInvalidInput: a request field is missing or malformed. The error
	// is a *ValidationError naming the field.
	ErrInvalidInput = errors.New("channel: invalid input")
	// ErrNotFound: no identity or session with that id, username or
	// customer id.
	ErrNotFound = errors.New("channel: not found")
	// ErrDuplicate: the username is taken, the customer already has a
	// login, or a session with that token exists.
	ErrDuplicate = errors.New("channel: duplicate")
	// ErrConflict: the record changed between reading and writing it (a
	// password changed while another change of it was in flight).
	ErrConflict = errors.New("channel: changed concurrently")
	// ErrInvalidCredentials: the login failed. It is the same error for an
	// unknown username, a wrong password, a disabled identity and a locked
	// one, so that the answer never tells whether a username exists.
	ErrInvalidCredentials = errors.New("channel: invalid username or password")
	// ErrUnauthenticated: the token is malformed, unknown, expired or
	// revoked, or its identity is disabled.
	ErrUnauthenticated = errors.New("channel: unauthenticated")
	// ErrForbidden: the principal lacks the role the operation needs.
	ErrForbidden = errors.New("channel: forbidden")
)

// ValidationError says which request field is at fault and why. It wraps
// ErrInvalidInput.
type ValidationError struct {
	Field  string
	Reason string
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("channel: invalid %s: %s", e.Field, e.Reason)
}

// Unwrap returns ErrInvalidInput.
func (e *ValidationError) Unwrap() error { return ErrInvalidInput }

func invalid(field, reason string) error {
	return &ValidationError{Field: field, Reason: reason}
}
