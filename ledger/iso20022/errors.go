package iso20022

import (
	"fmt"

	"github.com/bankkit/bankkit/fault"
)

// Sentinel errors, matched with errors.Is. Every error the parsers and
// writers return wraps one of them.
var (
	// ErrInvalidMessage: the document is not well-formed XML (or CSV), is
	// larger than MaxMessageSize, lacks a required element, or holds a value
	// the standard or bankkit does not accept. The error text names the
	// element path (or CSV line and column) at fault. A writer returns it for
	// a message that fails Validate, and writes nothing.
	ErrInvalidMessage = fault.New(fault.Invalid, "invalid-message", "iso20022: invalid message")
	// ErrUnsupportedMessage: the document is a well-formed ISO 20022 message
	// of another type or of a version this package does not read.
	ErrUnsupportedMessage = fault.New(fault.Invalid, "invalid-message", "iso20022: unsupported message")
)

// invalid returns an ErrInvalidMessage naming the element path at fault.
// Arguments formatted with %w stay matchable with errors.Is.
func invalid(path, format string, args ...any) error {
	return fmt.Errorf("%w: %s: %w", ErrInvalidMessage, path, fmt.Errorf(format, args...))
}
