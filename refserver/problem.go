package refserver

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/internal/pgtx"
)

// problemBase prefixes every problem type URI. The URIs are stable
// identifiers that clients switch on; docs/api.md lists them.
const problemBase = "https://bankkit.dev/problems/"

// Problem is an RFC 9457 problem details body.
type Problem struct {
	Type      string       `json:"type"`
	Title     string       `json:"title"`
	Status    int          `json:"status"`
	Detail    string       `json:"detail,omitempty"`
	Errors    []FieldError `json:"errors,omitempty"`
	RequestID string       `json:"request_id,omitempty"`
}

// FieldError names one input field at fault.
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// problemOf is the answer to err, and whether err is the request's fault
// rather than the server's. Every error goes this one way: its first
// sentinel's code is the problem type and its kind the status, a
// *fault.FieldError (by its own sentinel) also names the field, and an
// error with no sentinel, or an internal one, is a bare 500 — unless it is
// a lost or refused database connection, which is of the unavailable kind
// (503, retry) and still the server's to log.
func problemOf(err error) (Problem, bool) {
	var fe *fault.FieldError
	field := errors.As(err, &fe)
	cause := err
	if field {
		cause = fe
	}
	s, ok := fault.As(cause)
	if !ok || s.Kind() == fault.Internal {
		if pgtx.IsConnectionFailure(err) {
			p := problemType(errUnavailable)
			p.Detail = "the database is unavailable; retry the request (with the same Idempotency-Key)"
			return p, false
		}
		return problemType(errInternal), false
	}
	p := problemType(s)
	p.Detail = err.Error()
	if field {
		p.Errors = []FieldError{{Field: fe.Field, Message: fe.Reason}}
	}
	return p, true
}

// problemType is the problem a sentinel stands for, without detail.
func problemType(err error) Problem {
	s, _ := fault.As(err)
	return Problem{Type: problemBase + s.Code(), Title: titleOf(s.Code()), Status: statusOf(s)}
}

// titleOf derives a problem type's title from its code:
// "insufficient-funds" reads "Insufficient funds".
func titleOf(code string) string {
	return strings.ToUpper(code[:1]) + strings.ReplaceAll(code[1:], "-", " ")
}

// problemFor is problemOf for a request, logging in full what is the
// server's fault (the client gets no detail of it).
func (s *Server) problemFor(r *http.Request, err error) Problem {
	p, ok := problemOf(err)
	if !ok {
		s.log.ErrorContext(r.Context(), "request failed", "error", err, "route", r.Pattern)
	}
	p.RequestID = RequestID(r.Context())
	return p
}

// fail answers a request with the problem for err.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	writeResponse(w, s.problemAnswer(r, err))
}

// problemAnswer is the problem for err, ready to write.
func (s *Server) problemAnswer(r *http.Request, err error) answer {
	p := s.problemFor(r, err)
	b, _ := json.Marshal(p)
	return answer{p.Status, "application/problem+json", append(b, '\n')}
}
