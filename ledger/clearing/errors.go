package clearing

import (
	"fmt"

	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/ledger"
)

// ErrState: the transfer or batch is not in a state that allows
// the operation (a return of a transfer never sent, a second settlement).
var ErrState = fault.New(fault.Conflict, "invalid-state-transition", "ledger: clearing state does not allow this")

// invalid is bad input in field: ledger.ErrInvalidInput, as the ledger's
// own validation errors.
func invalid(field, reason string) error {
	return fault.Field(ledger.ErrInvalidInput, field, reason)
}

// badMessage is a file from the field that is not a message we take. The
// parser's error comes first, so its sentinel (iso20022.ErrInvalidMessage,
// ErrUnsupportedMessage) is the error's kind and code; it is also
// ErrInvalidInput.
func badMessage(err error) error {
	return fmt.Errorf("%w (%w)", err, ledger.ErrInvalidInput)
}
