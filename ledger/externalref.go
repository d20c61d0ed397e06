package ledger

import (
	"context"
	"fmt"

	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/text"
)

// ExternalRef is a client's own reference for an object it creates (an
// account, a hold, an entry): unique per client and kind of object, so an
// integrator finds the object by its own reference and never depends on
// the ledger's ids. Client names who chose the reference (the reference
// server uses the creating principal); it is what makes two clients'
// "order-1" two references. Both are set or neither.
type ExternalRef struct {
	Client string `json:"client"`
	Ref    string `json:"ref"`
}

// Bounds of an external reference, in bytes.
const (
	MaxExternalRef       = 128
	MaxExternalRefClient = 200
)

// IsZero reports whether r is no reference.
func (r ExternalRef) IsZero() bool { return r.Client == "" && r.Ref == "" }

// Validate checks r as field (the JSON field that carries it): one line
// of text each, within the bounds, both set or neither.
func (r ExternalRef) Validate(field string) error {
	if r.IsZero() {
		return nil
	}
	switch {
	case r.Ref == "":
		return invalid(field, "is empty")
	case r.Client == "":
		return invalid(field, "has no client")
	case len(r.Ref) > MaxExternalRef:
		return invalid(field, fmt.Sprintf("is longer than %d bytes", MaxExternalRef))
	case len(r.Client) > MaxExternalRefClient:
		return invalid(field+".client", fmt.Sprintf("is longer than %d bytes", MaxExternalRefClient))
	}
	if err := text.Line(ErrInvalidInput, field, r.Ref); err != nil {
		return err
	}
	return text.Line(ErrInvalidInput, field+".client", r.Client)
}

// fingerprint adds r to f when it is set, so the requests from before
// external references keep their fingerprints.
func (r ExternalRef) fingerprint(f *fingerprinter) *fingerprinter {
	if r.IsZero() {
		return f
	}
	return f.str("external_ref").str(r.Client).str(r.Ref)
}

// ErrExternalRefTaken: the client used the external reference for another
// object of the kind already. The error is an *ExternalRefError naming it.
var ErrExternalRefTaken = fault.New(fault.Conflict, "external-ref-taken", "ledger: external reference taken")

// ExternalRefError refuses a second object of a kind with a client's
// reference: Existing is the object that has it.
type ExternalRefError struct {
	Kind     string // "account", "hold", "entry"
	Ref      ExternalRef
	Existing ID
}

func (e *ExternalRefError) Error() string {
	return fmt.Sprintf("%s: %s %s has the external reference %q", ErrExternalRefTaken, e.Kind, e.Existing, e.Ref.Ref)
}

// Unwrap makes errors.Is(err, ErrExternalRefTaken) hold.
func (e *ExternalRefError) Unwrap() error { return ErrExternalRefTaken }

// RefTaken returns the refusal of an object of kind with r, which existing
// has: what a Store returns.
func RefTaken(kind string, r ExternalRef, existing ID) error {
	return &ExternalRefError{Kind: kind, Ref: r, Existing: existing}
}

// AccountByRef returns the account the client opened with the reference.
// Errors: ErrNotFound, ErrInvalidInput.
func (s *Service) AccountByRef(ctx context.Context, r ExternalRef) (Account, error) {
	if r.IsZero() {
		return Account{}, invalid("external_ref", "is required")
	}
	if err := r.Validate("external_ref"); err != nil {
		return Account{}, err
	}
	return s.store.AccountByRef(ctx, r)
}

// HoldByRef returns the hold the client placed with the reference.
// Errors: ErrNotFound, ErrInvalidInput.
func (s *Service) HoldByRef(ctx context.Context, r ExternalRef) (Hold, error) {
	if r.IsZero() {
		return Hold{}, invalid("external_ref", "is required")
	}
	if err := r.Validate("external_ref"); err != nil {
		return Hold{}, err
	}
	return s.store.HoldByRef(ctx, r)
}

// EntryByRef returns the entry the client posted with the reference
// (DepositRequest.ExternalRef and the like), with ReversedBy filled in.
// Errors: ErrNotFound, ErrInvalidInput.
func (s *Service) EntryByRef(ctx context.Context, r ExternalRef) (Entry, error) {
	if r.IsZero() {
		return Entry{}, invalid("external_ref", "is required")
	}
	if err := r.Validate("external_ref"); err != nil {
		return Entry{}, err
	}
	return s.store.EntryByRef(ctx, r)
}
