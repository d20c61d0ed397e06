// Package fault is the error vocabulary every bankkit package shares.
//
// Each package declares its sentinel errors with New, giving each a Kind —
// what a caller can do about it — and a stable Code:
//
//	var ErrInsufficientFunds = fault.New(fault.Unprocessable, "insufficient-funds", "ledger: insufficient funds")
//
// Callers match sentinels with errors.Is as usual. A transport (the
// reference server's HTTP layer, a gRPC gateway) maps kinds to its own
// statuses and codes to its own error types, so a new package adds no rows
// to any table there. Bad input is a *FieldError naming the field at fault,
// the same type in every package.
//
// Like money and calendar, fault is a shared kernel: every subsystem may
// import it, and it imports nothing of bankkit.
package fault

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
)

// Kind says what kind of failure an error is, and so what its caller can
// do about it.
type Kind uint8

// The kinds. Internal is the kind of every error that reports none: a
// failure of the system, not of the request.
const (
	Internal           Kind = iota // the system failed; the request may be fine
	Invalid                        // the input is malformed: fix the request
	Unauthenticated                // no valid credentials
	Forbidden                      // the caller may not do this
	NotFound                       // the object does not exist (or is not the caller's)
	Conflict                       // the object's state does not allow this now
	PreconditionFailed             // the object changed since the caller read it
	Unprocessable                  // a business rule refuses the request
	TooManyRequests                // the caller must slow down
	Unavailable                    // a dependency is down: retry later
)

var kindNames = [...]string{
	Internal:           "internal",
	Invalid:            "invalid",
	Unauthenticated:    "unauthenticated",
	Forbidden:          "forbidden",
	NotFound:           "not_found",
	Conflict:           "conflict",
	PreconditionFailed: "precondition_failed",
	Unprocessable:      "unprocessable",
	TooManyRequests:    "too_many_requests",
	Unavailable:        "unavailable",
}

// String returns the kind's name, e.g. "not_found".
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Error is a sentinel error with a kind and a code. Its identity is its
// address: wrap it with %w and match it with errors.Is.
type Error struct {
	kind Kind
	code string
	msg  string
}

// New returns a sentinel: an *Error, typed error like errors.New's. code is a stable, lower-case, hyphenated
// identifier ("insufficient-funds") that clients may switch on; sentinels
// of several packages that mean the same to a client share one ("not-found").
// msg is the error text, by convention prefixed with the package name
// ("ledger: insufficient funds"). New panics on a malformed code: sentinels
// are package variables, so a bad one stops the program at start, not a
// request.
func New(kind Kind, code, msg string) error {
	if !validCode(code) {
		panic(fmt.Sprintf("fault: invalid code %q", code))
	}
	e := &Error{kind: kind, code: code, msg: msg}
	registry.Lock()
	registry.all = append(registry.all, e)
	registry.Unlock()
	return e
}

func validCode(c string) bool {
	if c == "" || c[0] == '-' || c[len(c)-1] == '-' {
		return false
	}
	for _, r := range c {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '-' {
			return false
		}
	}
	return true
}

func (e *Error) Error() string { return e.msg }

// Kind returns the sentinel's kind.
func (e *Error) Kind() Kind { return e.kind }

// Code returns the sentinel's stable code.
func (e *Error) Code() string { return e.code }

// prefix is the package prefix of the message ("ledger: "), or "".
func (e *Error) prefix() string {
	if i := strings.Index(e.msg, ": "); i > 0 && !strings.ContainsAny(e.msg[:i], " ") {
		return e.msg[:i+2]
	}
	return ""
}

// As returns the first sentinel in err's tree (see errors.As), and whether
// there is one.
func As(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// KindOf returns the kind of the first sentinel in err's tree, or Internal
// when there is none (a lost connection, a bug).
func KindOf(err error) Kind {
	if e, ok := As(err); ok {
		return e.kind
	}
	return Internal
}

// FieldError says which input field is at fault and why. Every package
// reports bad input with it, so a transport finds the field one way.
type FieldError struct {
	// Field is the path of the field as the JSON API spells it:
	// "amount", "national_id.number", "postings[1].account_id".
	Field string
	// Reason says what is wrong with it: "must be positive".
	Reason string
	// Err is what the error is besides: the package's invalid-input
	// sentinel, or errors.Join of it with a more specific one.
	Err error
}

// Field returns a *FieldError for field that is also err (usually the
// package's ErrInvalidInput).
func Field(err error, field, reason string) *FieldError {
	return &FieldError{Field: field, Reason: reason, Err: err}
}

// Error reads "<package>: invalid <field>: <reason>".
func (e *FieldError) Error() string {
	p := ""
	if s, ok := As(e.Err); ok {
		p = s.prefix()
	}
	return p + "invalid " + e.Field + ": " + e.Reason
}

// Unwrap returns Err.
func (e *FieldError) Unwrap() error { return e.Err }

// Within re-roots a field error under parent, so a nested object's error
// names its full path ("address" + "city" reads "address.city"; an index
// "[2]" joins without a dot). Other errors are returned as they are.
func Within(parent string, err error) error {
	var fe *FieldError
	if !errors.As(err, &fe) {
		return err
	}
	sep := "."
	if strings.HasPrefix(fe.Field, "[") {
		sep = ""
	}
	return &FieldError{Field: parent + sep + fe.Field, Reason: fe.Reason, Err: fe.Err}
}

var registry struct {
	sync.Mutex
	all []*Error
}

// Registered returns every sentinel made with New so far (every sentinel of
// the packages the program imports, once their variables are initialised),
// ordered by code then message. A transport lists its error types from it,
// so they are derived from the sentinels and never written twice.
func Registered() []*Error {
	registry.Lock()
	out := slices.Clone(registry.all)
	registry.Unlock()
	slices.SortFunc(out, func(a, b *Error) int {
		if c := strings.Compare(a.code, b.code); c != 0 {
			return c
		}
		return strings.Compare(a.msg, b.msg)
	})
	return out
}
