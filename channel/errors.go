package channel

import "github.com/bankkit/bankkit/fault"

// Sentinel errors, matched with errors.Is. Every error the Service and the
// stores return wraps one of them, or is a failure of the backend itself (a
// lost connection, a cancelled ctx).
var (
	// ErrInvalidInput: a request field is missing or malformed. The error
	// is a *fault.FieldError naming the field.
	ErrInvalidInput = fault.New(fault.Invalid, "invalid-input", "channel: invalid input")
	// ErrNotFound: no identity or session with that id, username or
	// customer id.
	ErrNotFound = fault.New(fault.NotFound, "not-found", "channel: not found")
	// ErrDuplicate: the username is taken, the customer already has a
	// login, or a session with that token exists.
	ErrDuplicate = fault.New(fault.Conflict, "duplicate", "channel: duplicate")
	// ErrConflict: the record changed between reading and writing it (a
	// password changed while another change of it was in flight).
	ErrConflict = fault.New(fault.Conflict, "conflict", "channel: changed concurrently")
	// ErrInvalidCredentials: the login failed. It is the same error for an
	// unknown username, a wrong password, a disabled identity and a locked
	// one, so that the answer never tells whether a username exists.
	ErrInvalidCredentials = fault.New(fault.Unauthenticated, "invalid-credentials", "channel: invalid username or password")
	// ErrUnauthenticated: the token is malformed, unknown, expired or
	// revoked, or its identity is disabled.
	ErrUnauthenticated = fault.New(fault.Unauthenticated, "unauthenticated", "channel: unauthenticated")
	// ErrForbidden: the principal lacks the role the operation needs.
	ErrForbidden = fault.New(fault.Forbidden, "forbidden", "channel: forbidden")
)

func invalid(field, reason string) error {
	return fault.Field(ErrInvalidInput, field, reason)
}
