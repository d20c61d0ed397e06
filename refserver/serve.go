package refserver

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/refserver/bank"
	"github.com/bankkit/bankkit/refserver/idempotency"
)

// serve turns a route into an http.Handler: authentication, the access
// check, the body, idempotency, the handler, and the JSON or problem
// answer.
func (s *Server) serve(rt route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := withClientAddr(r.Context(), clientAddr(r))
		if !rt.access.public {
			p, err := s.authenticate(r)
			if err != nil {
				s.fail(w, r, err)
				return
			}
			if p.Kind == channel.KindStaff {
				var recorded func()
				ctx, w, recorded = s.audit(ctx, w, r, rt, p)
				defer recorded()
			}
			if p.EnrolmentOnly && !rt.enrolment {
				s.fail(w, r, fmt.Errorf("%w: your role logs in with a second factor; enrol one (POST /v1/staff/me/second-factor/totp, then .../confirm) and log in again with a code",
					channel.ErrSecondFactorEnrolment))
				return
			}
			if err := s.authorize(ctx, rt, p); err != nil {
				s.fail(w, r, err)
				return
			}
			ctx = bank.WithCaller(ctx, p)
		}
		var body []byte
		if r.Method == http.MethodPost || r.Method == http.MethodPatch || r.Method == http.MethodPut {
			var err error
			if body, err = readBody(w, r, rt.handler.in.json); err != nil {
				s.fail(w, r, err)
				return
			}
		}
		if rt.idempotency != idemNone && r.Method == http.MethodPost {
			s.idempotent(ctx, w, r, rt, body)
			return
		}
		writeResponse(w, s.run(ctx, r, rt, body))
	})
}

// answer is a response ready to write.
type answer struct {
	status      int
	contentType string
	body        []byte
}

// replay is a response that may be an earlier request's result: a posting
// the ledger had already made under the request's key answers 200, not the
// route's 201.
type replay interface{ replayed() bool }

// run calls the handler and renders its result or error.
func (s *Server) run(ctx context.Context, r *http.Request, rt route, body []byte) answer {
	if a, stop := s.beforeRun(ctx, r, rt, body); stop {
		return a // refused by a segregation-of-duties rule, or held for a checker
	}
	v, err := rt.handler.call(ctx, r, body)
	if err != nil {
		return s.problemAnswer(r, err)
	}
	status := rt.successStatus()
	if rp, ok := v.(replay); ok && rp.replayed() {
		status = http.StatusOK
	}
	if status == http.StatusNoContent {
		return answer{status: status}
	}
	if d, ok := v.(rawDocument); ok { // a contract's HTML or PDF, as itself
		return answer{status, d.mediaType(), d.document()}
	}
	b, err := json.Marshal(v)
	if err != nil {
		return s.problemAnswer(r, fmt.Errorf("encode response: %w", err))
	}
	return answer{status, "application/json", append(b, '\n')}
}

// retryAfter is what a 503 asks a client to wait, in seconds: a dropped
// database connection is replaced on the next request, and a database
// restarting takes a few seconds.
const retryAfter = "1"

func writeResponse(w http.ResponseWriter, a answer) {
	if a.status == http.StatusServiceUnavailable {
		w.Header().Set("Retry-After", retryAfter)
	}
	if a.contentType != "" {
		w.Header().Set("Content-Type", a.contentType)
	}
	w.WriteHeader(a.status)
	_, _ = w.Write(a.body)
}

// defaultIdempotencyLease is how long a claim on a key blocks other
// requests with it before a retry may take over.
const defaultIdempotencyLease = 30 * time.Second

// idempotent runs rt under the Idempotency-Key rules of the API contract:
// required on money-moving POSTs; a replay of the same key and body returns
// the first response with Idempotent-Replayed: true; the same key with a
// different body is 422; while the first is in flight, 409.
func (s *Server) idempotent(ctx context.Context, w http.ResponseWriter, r *http.Request, rt route, body []byte) {
	key := r.Header.Get("Idempotency-Key")
	if key == "" {
		if rt.idempotency == idemRequired {
			s.fail(w, r, fmt.Errorf("%w: send an Idempotency-Key header (1–255 printable ASCII characters) so that a retry cannot move money twice", errIdempotencyKeyRequired))
			return
		}
		writeResponse(w, s.run(ctx, r, rt, body))
		return
	}
	if !validIdempotencyKey(key) {
		s.fail(w, r, fault.Field(errInvalidInput, "Idempotency-Key", "must be 1–255 printable ASCII characters"))
		return
	}
	// The key is scoped to the caller, and the bank derives each step's
	// key from it, so a re-run after a crash posts nothing twice.
	scoped := bank.CallerOf(ctx).IdentityID.String() + ":" + key
	ctx = bank.WithRequestKey(ctx, scoped)
	fp := idempotency.Fingerprint(sha256.Sum256(bytes.Join([][]byte{[]byte(r.Method), []byte(r.URL.Path), body}, []byte{0})))
	now := s.clock.Now()
	lease := s.cfg.IdempotencyLease
	if lease == 0 {
		lease = defaultIdempotencyLease
	}
	var (
		prev *idempotency.Response
		err  error
		a    answer
		ran  bool
	)
	if rt.claimWhilePosting { // see claim.go
		c := s.startClaim(ctx, scoped, fp, now, lease)
		a, ran = s.runOverlapped(ctx, c, func(ctx context.Context) answer { return s.run(ctx, r, rt, body) })
		prev, err = c.result()
	} else {
		prev, err = s.idem.Begin(ctx, scoped, fp, now, lease)
	}
	switch {
	case errors.Is(err, idempotency.ErrInFlight):
		s.fail(w, r, fmt.Errorf("%w: retry after the first request has finished", err))
		return
	case errors.Is(err, idempotency.ErrMismatch):
		s.fail(w, r, fmt.Errorf("%w: use a new Idempotency-Key for a different request", err))
		return
	case err != nil:
		s.log.ErrorContext(ctx, "idempotency store", "error", err)
		s.fail(w, r, fmt.Errorf("%w: the idempotency store is unavailable; retry with the same key", errUnavailable))
		return
	case prev != nil:
		s.metrics.idempotentReplay.Inc()
		w.Header().Set("Idempotent-Replayed", "true")
		writeResponse(w, answer{prev.Status, prev.Header.Get("Content-Type"), prev.Body})
		return
	}
	// A handler that panics leaves no answer to remember: free the key, so
	// the client's retry runs instead of meeting 409 until the lease ends.
	answered := false
	defer func() {
		if !answered {
			if err := s.idem.Abandon(context.WithoutCancel(ctx), scoped); err != nil {
				s.log.ErrorContext(ctx, "idempotency abandon", "error", err)
			}
		}
	}()
	if !ran {
		a = s.run(ctx, r, rt, body)
	}
	answered = true
	// A server-side failure is not an answer worth repeating: free the key
	// so the client's retry runs again (the subsystems' own idempotency
	// keeps that retry from moving money twice).
	if a.status >= 500 {
		if err := s.idem.Abandon(context.WithoutCancel(ctx), scoped); err != nil {
			s.log.ErrorContext(ctx, "idempotency abandon", "error", err)
		}
	} else {
		resp := idempotency.Response{Status: a.status, Header: http.Header{"Content-Type": {a.contentType}}, Body: a.body}
		complete := s.idem.Complete
		// A money-moving success was posted under the ledger key derived
		// from this one, so re-running it returns the same posting.
		// A request held for a checker (202) posted nothing: its answer is
		// recorded durably, or a retry would hold it twice.
		if rt.idempotency == idemRequired && a.status < 300 && a.status != http.StatusAccepted {
			complete = s.idem.CompleteIdempotent
		}
		if err := complete(context.WithoutCancel(ctx), scoped, resp, now); err != nil {
			s.log.ErrorContext(ctx, "idempotency complete", "error", err)
		}
	}
	writeResponse(w, a)
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
