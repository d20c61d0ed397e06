package refserver

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/refserver/idempotency"
)

// route is one endpoint. The route table is the single source of truth for
// what the server serves, who may call it (access), whether it takes an
// Idempotency-Key, and what the OpenAPI document says about it.
type route struct {
	method, pattern string
	tag, summary    string
	access          access
	idempotency     idemMode
	query           []queryParam
	request         any // zero value of the JSON body type; nil for none
	response        any // zero value of the JSON response type
	status          int // status on success
	handle          func(rc *reqCtx) (any, error)
}

// access says who may call a route. Staff need one of roles; customers
// may call it only if customer is set, and then only on their own objects
// (the handler checks ownership and answers 404 for anyone else's).
type access struct {
	public   bool
	roles    []channel.Role
	customer bool
}

type idemMode int

const (
	idemNone     idemMode = iota
	idemOptional          // honoured when sent
	idemRequired          // money-moving: refused without one
)

type queryParam struct{ name, doc string }

func (rt route) path() string { return rt.pattern }

func (rt route) muxPattern() string { return rt.method + " " + rt.pattern }

func (rt route) operationID() string {
	var b strings.Builder
	b.WriteString(strings.ToLower(rt.method))
	for _, part := range strings.Split(strings.Trim(rt.pattern, "/"), "/") {
		part = strings.Trim(part, "{}")
		for _, w := range strings.FieldsFunc(part, func(r rune) bool { return r == '-' || r == '_' }) {
			b.WriteString(strings.ToUpper(w[:1]) + w[1:])
		}
	}
	return b.String()
}

// allows reports whether p's kind and roles admit it to the route (before
// any ownership check).
func (a access) allows(p channel.Principal) bool {
	if a.public {
		return true
	}
	switch p.Kind {
	case channel.KindCustomer:
		return a.customer
	case channel.KindStaff:
		for _, r := range a.roles {
			if p.HasRole(r) {
				return true
			}
		}
	}
	return false
}

// reqCtx is what a handler gets: the request, its body, and who is calling.
type reqCtx struct {
	r      *http.Request
	w      http.ResponseWriter
	caller channel.Principal
	body   []byte
	// idemKey is the caller-scoped Idempotency-Key, passed down to the
	// subsystems so a re-run after a crash posts nothing twice.
	idemKey string
	status  int // overrides the route's success status when set
}

func (rc *reqCtx) ctx() context.Context { return rc.r.Context() }

// decode reads the JSON body into v (strict; see strictUnmarshal).
func (rc *reqCtx) decode(v any) error {
	if err := strictUnmarshal(rc.body, v); err != nil {
		return &decodeError{p: jsonProblem(err, rc.body, v)}
	}
	return nil
}

// decodeError carries a ready problem out of a handler.
type decodeError struct{ p Problem }

func (e *decodeError) Error() string { return e.p.Detail }

// isCustomer reports whether the caller is a customer (and so limited to
// their own objects).
func (rc *reqCtx) isCustomer() bool { return rc.caller.Kind == channel.KindCustomer }

// serve turns a route into an http.Handler: authentication, access check,
// body reading, idempotency, the handler, and the JSON or problem answer.
func (s *Server) serve(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc := &reqCtx{r: r, w: w}
		if !rt.access.public {
			p, prob := s.authenticate(r)
			if prob != nil {
				writeProblem(w, r, *prob)
				return
			}
			if !rt.access.allows(p) {
				writeProblem(w, r, probForbidden.problem("this operation is not open to your role"))
				return
			}
			rc.caller = p
		}
		if r.Method == http.MethodPost || r.Method == http.MethodPatch || r.Method == http.MethodPut {
			body, prob := readBody(w, r, rt.request != nil)
			if prob != nil {
				writeProblem(w, r, *prob)
				return
			}
			rc.body = body
		}
		if rt.idempotency != idemNone && r.Method == http.MethodPost {
			s.idempotent(rt, rc)
			return
		}
		status, body, header := s.run(rt, rc)
		writeResponse(w, status, header, body)
	})
}

// run calls the handler and renders its result or error.
func (s *Server) run(rt route, rc *reqCtx) (status int, body []byte, contentType string) {
	v, err := rt.handle(rc)
	if err != nil {
		p := s.problemFor(rc.r, err)
		p.RequestID = RequestID(rc.ctx())
		b, _ := json.Marshal(p)
		return p.Status, append(b, '\n'), "application/problem+json"
	}
	status = rt.status
	if rc.status != 0 {
		status = rc.status
	}
	if status == http.StatusNoContent {
		return status, nil, ""
	}
	b, err := json.Marshal(v)
	if err != nil {
		s.log.ErrorContext(rc.ctx(), "encode response", "error", err)
		p := probInternal.problem("")
		p.RequestID = RequestID(rc.ctx())
		b, _ = json.Marshal(p)
		return p.Status, append(b, '\n'), "application/problem+json"
	}
	return status, append(b, '\n'), "application/json"
}

func writeResponse(w http.ResponseWriter, status int, contentType string, body []byte) {
	if contentType != "" {
		w.Header().Set("Content-Type", contentType)
	}
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// defaultIdempotencyLease is how long a claim on a key blocks other
// requests with it before a retry may take over.
const defaultIdempotencyLease = 30 * time.Second

// idempotencyRetention is how long a remembered response is kept.
const idempotencyRetention = 48 * time.Hour

// idempotent runs rt under the Idempotency-Key rules of the API contract:
// required on money-moving POSTs; a replay of the same key and body returns
// the first response with Idempotent-Replayed: true; the same key with a
// different body is 422; while the first is in flight, 409.
func (s *Server) idempotent(rt route, rc *reqCtx) {
	w, r := rc.w, rc.r
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		if rt.idempotency == idemRequired {
			writeProblem(w, r, probIdemRequired.problem("send an Idempotency-Key header (1–255 printable ASCII characters) so that a retry cannot move money twice"))
			return
		}
		status, body, ct := s.run(rt, rc)
		writeResponse(w, status, ct, body)
		return
	}
	if !validIdempotencyKey(key) {
		writeProblem(w, r, probInvalidInput.problem("Idempotency-Key must be 1–255 printable ASCII characters",
			FieldError{Field: "Idempotency-Key", Message: "must be 1–255 printable ASCII characters"}))
		return
	}
	scoped := rc.caller.IdentityID.String() + ":" + key
	rc.idemKey = scoped
	fp := idempotency.Fingerprint(sha256.Sum256(bytes.Join([][]byte{[]byte(r.Method), []byte(r.URL.Path), rc.body}, []byte{0})))
	now := s.clock.Now()
	lease := s.cfg.IdempotencyLease
	if lease == 0 {
		lease = defaultIdempotencyLease
	}
	prev, err := s.idem.Begin(r.Context(), scoped, fp, now, lease)
	switch {
	case errors.Is(err, idempotency.ErrInFlight):
		writeProblem(w, r, probIdemInFlight.problem("retry after the first request has finished"))
		return
	case errors.Is(err, idempotency.ErrMismatch):
		writeProblem(w, r, probIdemMismatch.problem("use a new Idempotency-Key for a different request"))
		return
	case err != nil:
		s.log.ErrorContext(r.Context(), "idempotency store", "error", err)
		writeProblem(w, r, probUnavailable.problem("the idempotency store is unavailable; retry with the same key"))
		return
	case prev != nil:
		s.metrics.idempotentReplay.Inc()
		w.Header().Set("Idempotent-Replayed", "true")
		writeResponse(w, prev.Status, prev.Header.Get("Content-Type"), prev.Body)
		return
	}
	status, body, ct := s.run(rt, rc)
	// A server-side failure is not an answer worth repeating: free the key
	// so the client's retry runs again (the subsystems' own idempotency
	// keeps that retry from moving money twice).
	if status >= 500 {
		if err := s.idem.Abandon(context.WithoutCancel(r.Context()), scoped); err != nil {
			s.log.ErrorContext(r.Context(), "idempotency abandon", "error", err)
		}
	} else {
		resp := idempotency.Response{Status: status, Header: http.Header{"Content-Type": {ct}}, Body: body}
		complete := s.idem.Complete
		// A money-moving success was posted under the ledger key derived
		// from this one, so re-running it returns the same posting.
		if rt.idempotency == idemRequired && status < 300 {
			complete = s.idem.CompleteIdempotent
		}
		if err := complete(context.WithoutCancel(r.Context()), scoped, resp, now); err != nil {
			s.log.ErrorContext(r.Context(), "idempotency complete", "error", err)
		}
	}
	writeResponse(w, status, ct, body)
}

func validIdempotencyKey(k string) bool {
	if len(k) < 1 || len(k) > 255 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x20 || k[i] > 0x7e {
			return false
		}
	}
	return true
}
