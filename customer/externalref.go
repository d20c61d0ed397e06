package customer

import (
	"context"
	"fmt"

	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/text"
)

// ExternalRef is a client's own reference for a customer it creates:
// unique per client, so an integrator finds the customer by its own
// reference and never depends on the customer id. Client names who chose
// it (the reference server uses the creating principal). Both are set or
// neither. It is fixed when the customer is created.
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

// Validate checks r: one line of text each, within the bounds, both set or
// neither. Errors name the field external_ref.
func (r ExternalRef) Validate() error {
	if r.IsZero() {
		return nil
	}
	switch {
	case r.Ref == "":
		return invalid("external_ref", "is empty")
	case r.Client == "":
		return invalid("external_ref", "has no client")
	case len(r.Ref) > MaxExternalRef:
		return invalid("external_ref", "is longer than %d bytes", MaxExternalRef)
	case len(r.Client) > MaxExternalRefClient:
		return invalid("external_ref.client", "is longer than %d bytes", MaxExternalRefClient)
	}
	if err := text.Line(ErrInvalidInput, "external_ref", r.Ref); err != nil {
		return err
	}
	return text.Line(ErrInvalidInput, "external_ref.client", r.Client)
}

// ErrExternalRefTaken: the client used the external reference for another
// customer already. The error is an *ExternalRefError naming that one.
var ErrExternalRefTaken = fault.New(fault.Conflict, "external-ref-taken", "customer: external reference taken")

// ExternalRefError refuses a second customer with a client's reference:
// Existing is the customer that has it.
type ExternalRefError struct {
	Ref      ExternalRef
	Existing ID
}

func (e *ExternalRefError) Error() string {
	return fmt.Sprintf("%s: customer %s has the external reference %q", ErrExternalRefTaken, e.Existing, e.Ref.Ref)
}

// Unwrap makes errors.Is(err, ErrExternalRefTaken) hold.
func (e *ExternalRefError) Unwrap() error { return ErrExternalRefTaken }

// RefTaken returns the refusal of a customer with r, which existing has:
// what a Store returns.
func RefTaken(r ExternalRef, existing ID) error {
	return &ExternalRefError{Ref: r, Existing: existing}
}

// ByExternalRef returns the masked view of the customer created with the
// reference. Errors: ErrNotFound, ErrInvalidInput.
func (s *Service) ByExternalRef(ctx context.Context, r ExternalRef) (Masked, error) {
	if r.IsZero() {
		return Masked{}, invalid("external_ref", "is required")
	}
	if err := r.Validate(); err != nil {
		return Masked{}, err
	}
	rec, err := s.store.CustomerByExternalRef(ctx, r)
	if err != nil {
		return Masked{}, err
	}
	return s.masked(rec)
}
