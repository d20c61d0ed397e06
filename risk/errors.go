package risk

import (
	"errors"
	"fmt"

	"github.com/bankkit/bankkit/fault"
)

// Sentinel errors, matched with errors.Is. Every error the Service and the
// stores return wraps one of them.
var (
	// ErrInvalidInput: a field failed validation. The error is a
	// *fault.FieldError naming the field.
	ErrInvalidInput = fault.New(fault.Invalid, "invalid-input", "risk: invalid input")
	// ErrRuleRefused: a rule or aggregate does not compile, names an
	// unknown field or aggregate, or exceeds its budget. The error is a
	// *RuleError naming the rule and the position in its expression.
	ErrRuleRefused = fault.New(fault.Invalid, "rule-refused", "risk: rule refused")
	// ErrNotFound: no rule-set version, decision, alert, case, report or
	// indicator with that id.
	ErrNotFound = fault.New(fault.NotFound, "not-found", "risk: not found")
	// ErrDuplicate: an object with that id or name exists already.
	ErrDuplicate = fault.New(fault.Conflict, "duplicate", "risk: duplicate")
	// ErrInvalidTransition: the object's state does not allow the step
	// (editing a published version, closing a closed case).
	ErrInvalidTransition = fault.New(fault.Conflict, "invalid-state-transition", "risk: invalid state transition")
	// ErrNoRuleSet: no version is published, so nothing can be screened.
	ErrNoRuleSet = fault.New(fault.Unavailable, "no-rule-set", "risk: no rule set is published")
	// ErrUnavailable: a port (a figure source, the filer) failed; nothing
	// was changed, try again later.
	ErrUnavailable = fault.New(fault.Unavailable, "unavailable", "risk: a dependency is unavailable")
)

func invalid(field, format string, args ...any) error {
	return fault.Field(ErrInvalidInput, field, fmt.Sprintf(format, args...))
}

// RuleError says which rule (or aggregate filter) is refused, where in its
// expression and why. It is also a *fault.FieldError on the rule's field
// ("rules[2].expr"), so transports report it like any bad input.
type RuleError struct {
	// Field is the path of the expression: "rules[2].expr",
	// "aggregates[0].where".
	Field string
	// Rule is the rule's or aggregate's name.
	Rule string
	// Line and Column locate the error in the expression, from 1; zero
	// when the error has no position (a budget exceeded at run).
	Line, Column int
	// Message says what is wrong.
	Message string
}

func (e *RuleError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("risk: rule %s (%s) refused at line %d, column %d: %s", e.Rule, e.Field, e.Line, e.Column, e.Message)
	}
	return fmt.Sprintf("risk: rule %s (%s) refused: %s", e.Rule, e.Field, e.Message)
}

// Unwrap makes the error ErrRuleRefused and a *fault.FieldError on Field.
func (e *RuleError) Unwrap() []error {
	reason := e.Message
	if e.Line > 0 {
		reason = fmt.Sprintf("line %d, column %d: %s", e.Line, e.Column, e.Message)
	}
	return []error{fault.Field(errors.Join(ErrRuleRefused, ErrInvalidInput), e.Field, reason)}
}
