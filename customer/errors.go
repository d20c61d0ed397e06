package customer

import (
	"fmt"

	"github.com/bankkit/bankkit/fault"
)

// Sentinel errors, matched with errors.Is.
var (
	// ErrInvalidInput: a field failed validation. The error is a
	// *fault.FieldError naming the field.
	ErrInvalidInput = fault.New(fault.Invalid, "invalid-input", "customer: invalid input")
	// ErrNotFound: no customer (or document, complaint, link) has that id.
	ErrNotFound = fault.New(fault.NotFound, "not-found", "customer: not found")
	// ErrDuplicate: another customer already holds that national id, or the
	// account is already linked.
	ErrDuplicate = fault.New(fault.Conflict, "duplicate", "customer: duplicate")
	// ErrVersionConflict: the update was based on a stale version; re-read
	// and try again.
	ErrVersionConflict = fault.New(fault.PreconditionFailed, "precondition-failed", "customer: version conflict")
	// ErrInvalidTransition: the state machine (KYC, lifecycle, complaint)
	// does not allow that step from the current state.
	ErrInvalidTransition = fault.New(fault.Conflict, "invalid-state-transition", "customer: invalid state transition")
	// ErrForbidden: the authorisation hook refused a full-PII read.
	ErrForbidden = fault.New(fault.Forbidden, "forbidden", "customer: forbidden")
	// ErrUnknownKey: the keyring holds no key with that id (it was retired,
	// or never configured).
	ErrUnknownKey = fault.New(fault.Internal, "unknown-key", "customer: unknown encryption key")
	// ErrKeyMismatch: a key of the keyring is not the one the stored data
	// was sealed (or indexed) under: the same id holds different bytes.
	ErrKeyMismatch = fault.New(fault.Internal, "key-mismatch", "customer: key does not match the stored data")
	// ErrKeyInUse: the key cannot be retired while it still encrypts rows,
	// or is the primary key.
	ErrKeyInUse = fault.New(fault.Conflict, "key-in-use", "customer: key still in use")
	// ErrCorrupt: a ciphertext failed authentication: it was altered, or
	// moved to another row or field.
	ErrCorrupt = fault.New(fault.Internal, "corrupt-ciphertext", "customer: corrupt ciphertext")
	// ErrTampered: the access log's hash chain is broken.
	ErrTampered = fault.New(fault.Internal, "access-log-tampered", "customer: access log tampered")
)

func invalid(field, format string, args ...any) error {
	return fault.Field(ErrInvalidInput, field, fmt.Sprintf(format, args...))
}

// prefixed re-roots a nested validation error under parent, so an address
// error reads "address.city" and a document error "document.number".
func prefixed(parent string, err error) error { return fault.Within(parent, err) }
