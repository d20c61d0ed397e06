package customer

import (
	"errors"
	"fmt"
)

// Sentinel errors, matched with errors.Is.
var (
	// ErrInvalidInput: a field failed validation. The error is a
	// *ValidationError naming the field.
	ErrInvalidInput = errors.New("customer: invalid input")
	// ErrNotFound: no customer (or document, complaint, link) has that id.
	ErrNotFound = errors.New("customer: not found")
	// ErrDuplicate: another customer already holds that national id, or the
	// account is already linked.
	ErrDuplicate = errors.New("customer: duplicate")
	// ErrVersionConflict: the update was based on a stale version; re-read
	// and try again.
	ErrVersionConflict = errors.New("customer: version conflict")
	// ErrInvalidTransition: the state machine (KYC, lifecycle, complaint)
	// does not allow that step from the current state.
	ErrInvalidTransition = errors.New("customer: invalid state transition")
	// ErrForbidden: the authorisation hook refused a full-PII read.
	ErrForbidden = errors.New("customer: forbidden")
	// ErrUnknownKey: the keyring holds no key with that id (it was retired,
	// or never configured).
	ErrUnknownKey = errors.New("customer: unknown encryption key")
	// ErrKeyInUse: the key cannot be retired while it still encrypts rows,
	// or is the primary key.
	ErrKeyInUse = errors.New("customer: key still in use")
	// ErrCorrupt: a ciphertext failed authentication: it was altered, or
	// moved to another row or field.
	ErrCorrupt = errors.New("customer: corrupt ciphertext")
	// ErrTampered: the access log's hash chain is broken.
	ErrTampered = errors.New("customer: access log tampered")
)

// ValidationError names the field that failed validation and why. It wraps
// ErrInvalidInput, so errors.Is(err, ErrInvalidInput) holds; errors.As gives
// the HTTP layer the field name.
type ValidationError struct {
	Field  string // the field at fault, as in the JSON API: "national_id.number", "phones[1]"
	Reason string // what is wrong with it
}

func (e *ValidationError) Error() string {
	return fmt.Sprintf("customer: invalid %s: %s", e.Field, e.Reason)
}

// Unwrap makes errors.Is(err, ErrInvalidInput) true.
func (e *ValidationError) Unwrap() error { return ErrInvalidInput }

func invalid(field, format string, args ...any) error {
	return &ValidationError{Field: field, Reason: fmt.Sprintf(format, args...)}
}

// prefixed re-roots a nested validation error under parent, so an address
// error reads "address.city" and a document error "document.number".
func prefixed(parent string, err error) error {
	var ve *ValidationError
	if errors.As(err, &ve) {
		return &ValidationError{Field: parent + "." + ve.Field, Reason: ve.Reason}
	}
	return err
}
