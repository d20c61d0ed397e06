package bank

import "github.com/bankkit/bankkit/fault"

// Sentinel errors.
var (
	// ErrInvalidInput: a request field is missing or malformed (a
	// *fault.FieldError names it).
	ErrInvalidInput = fault.New(fault.Invalid, "invalid-input", "bank: invalid input")
	// ErrNotFound: the object does not exist, or is not the caller's.
	ErrNotFound = fault.New(fault.NotFound, "not-found", "bank: not found")
	// ErrForbidden: the caller may not do this to the object.
	ErrForbidden = fault.New(fault.Forbidden, "forbidden", "bank: forbidden")
	// ErrCustomerNotVerified: an account is opened only for a customer who
	// exists, is active and has passed KYC.
	ErrCustomerNotVerified = fault.New(fault.Unprocessable, "customer-not-verified", "bank: the customer must exist and be KYC-verified")
)

func invalid(field, reason string) error { return fault.Field(ErrInvalidInput, field, reason) }
