package oprisk

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/google/uuid"
	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/text"
)

// Policy says which requests of a permission a maker may not carry out
// alone.
type Policy struct {
	Permission string
	// AmountField, when set, holds only the requests whose JSON body has at
	// that top-level field a money object ({"value": "...", "currency":
	// "..."}) above the threshold Above gives its currency. A request with
	// no amount there, an amount that does not read, or a currency with no
	// threshold is held: a policy errs on the side of a second pair of eyes.
	AmountField string
	Above       map[money.Currency]decimal.Decimal
	// Exempt names the usernames never held (the bootstrap administrator,
	// the one identity that exists before any checker does).
	Exempt []string
}

// Holds reports whether a request of the policy's permission by maker
// with body must wait for a checker.
func (p Policy) Holds(maker string, body []byte) bool {
	if slices.Contains(p.Exempt, maker) {
		return false
	}
	if p.AmountField == "" {
		return true
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) != nil {
		return true
	}
	raw, ok := fields[p.AmountField]
	if !ok {
		return true
	}
	var amount struct {
		Value    string `json:"value"`
		Currency string `json:"currency"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if dec.Decode(&amount) != nil {
		return true
	}
	v, err := decimal.NewFromString(amount.Value)
	if err != nil {
		return true
	}
	limit, ok := p.Above[money.Currency(amount.Currency)]
	return !ok || v.GreaterThan(limit)
}

func (p Policy) validate(field string) error {
	if err := CheckPermissionName(field+".permission", p.Permission); err != nil {
		return err
	}
	for c, v := range p.Above {
		if !c.Valid() {
			return invalid(field+".above", "unknown currency %q", c)
		}
		if v.IsNegative() {
			return invalid(field+".above", "the threshold for %s must not be negative", c)
		}
	}
	return nil
}

// Actor is a member of staff as a request names them.
type Actor struct {
	ID       string   // the identity's id
	Username string   // as they log in
	Roles    []string // at the time of the request
}

func (a Actor) validate(field string) error {
	if err := text.Line(ErrInvalidInput, field+".id", a.ID); err != nil {
		return err
	}
	if a.ID == "" || len(a.ID) > maxName {
		return invalid(field+".id", "must be 1–%d characters", maxName)
	}
	if err := text.Line(ErrInvalidInput, field+".username", a.Username); err != nil {
		return err
	}
	if len(a.Username) > 200 {
		return invalid(field+".username", "at most 200 bytes")
	}
	for i, r := range a.Roles {
		if err := CheckRoleName(fmt.Sprintf("%s.roles[%d]", field, i), r); err != nil {
			return err
		}
	}
	return nil
}

// sharesRole reports whether a and b hold a role in common: their team.
func (a Actor) sharesRole(b Actor) bool {
	for _, r := range a.Roles {
		if slices.Contains(b.Roles, r) {
			return true
		}
	}
	return false
}

// Status is where a held request stands.
type Status string

// The statuses: pending until a checker decides; approved while it runs;
// done once its outcome is recorded (the outcome may be a refusal of the
// operation itself); rejected by the checker.
const (
	StatusPending  Status = "pending"
	StatusApproved Status = "approved"
	StatusDone     Status = "done"
	StatusRejected Status = "rejected"
)

// Valid reports whether s is a known status.
func (s Status) Valid() bool {
	return s == StatusPending || s == StatusApproved || s == StatusDone || s == StatusRejected
}

// Request is an operation held for a checker: enough of the original HTTP
// request to run it later (method, path with its values, the headers the
// operation reads, the body), who asked and when, who decided and when,
// and what running it answered.
type Request struct {
	ID         uuid.UUID
	Permission string
	Method     string
	Path       string            // with the query string, if any
	PathValues map[string]string // the route's path parameters
	Header     map[string]string // the headers the operation reads
	Body       []byte            // as the server keeps it (the reference server seals it)
	Maker      Actor
	MadeAt     time.Time
	RequestID  string // the maker's request id
	Status     Status
	Checker    *Actor // who approved or rejected
	CheckedAt  time.Time
	Note       string   // the checker's note
	Outcome    *Outcome // once run
}

// Outcome is what running an approved request answered.
type Outcome struct {
	Status int    // the HTTP status the operation answered
	Body   []byte // its body
	At     time.Time
}

// maxBody bounds a held body; the server's own request limit is lower.
const maxBody = 1 << 20

func (r Request) validate() error {
	if err := CheckPermissionName("permission", r.Permission); err != nil {
		return err
	}
	switch r.Method {
	case "POST", "PUT", "PATCH", "DELETE":
	default:
		return invalid("method", "only a request that changes something is held")
	}
	if err := text.Line(ErrInvalidInput, "path", r.Path); err != nil {
		return err
	}
	if len(r.Path) == 0 || len(r.Path) > 2000 || r.Path[0] != '/' {
		return invalid("path", "must be an absolute path of at most 2000 bytes")
	}
	for k, v := range r.PathValues {
		if err := text.Line(ErrInvalidInput, "path_values", k+v); err != nil {
			return err
		}
	}
	for k, v := range r.Header {
		if err := text.Line(ErrInvalidInput, "header", k+v); err != nil {
			return err
		}
	}
	if len(r.Body) > maxBody {
		return invalid("body", "at most %d bytes", maxBody)
	}
	if err := text.Line(ErrInvalidInput, "request_id", r.RequestID); err != nil {
		return err
	}
	return r.Maker.validate("maker")
}

// Filter selects held requests: by status (all when empty), after an id
// (ids are time-ordered), at most Limit.
type Filter struct {
	Status Status
	After  uuid.UUID
	Limit  int
}
