// Package idempotency remembers the responses of HTTP requests sent with an
// Idempotency-Key header, so that a client retrying after a timeout gets the
// first response instead of a second effect.
//
// A key moves through two states. Begin claims it for one request (in
// flight); Complete records the response. While a claim is in flight, other
// requests with the key are refused (ErrInFlight) as long as the server
// process that holds it lives: the PostgreSQL store ties each claim to its
// process (see Postgres), so a retry after that process died takes the key
// over at once, and a lease, when it runs out, frees a claim whose holder
// cannot be told alive or dead. That is safe because the subsystems beneath are idempotent themselves: the
// server passes a key derived from the client's key down to them, so a
// request re-run after a lost claim returns the first posting rather than
// making a second one. This package only makes the HTTP answer repeatable.
//
// A remembered answer can hold personal data (a customer's record, a
// refusal naming a birth date), so the server wraps its store in Sealed:
// bodies are kept encrypted under the PII keyring, and records are purged
// once their retention has passed.
package idempotency

import (
	"context"
	"net/http"
	"time"

	"github.com/bankkit/bankkit/fault"
)

// Errors returned by Store.Begin.
var (
	// ErrInFlight: another request holds the key, its server process
	// lives and its lease has not run out.
	ErrInFlight = fault.New(fault.Conflict, "idempotency-key-in-flight", "idempotency: a request with this key is in flight")
	// ErrMismatch: the key was used for a different request.
	ErrMismatch = fault.New(fault.Unprocessable, "idempotency-key-reused", "idempotency: key reused with a different request")
)

// Fingerprint identifies a request: a hash of what makes it the same request
// (method, path, body).
type Fingerprint [32]byte

// Response is a remembered HTTP response.
type Response struct {
	Status int         `json:"status"`
	Header http.Header `json:"header"`
	Body   []byte      `json:"body"`
}

// Store keeps idempotency records. Keys are already scoped to the caller by
// the server, so two clients cannot collide on one key.
type Store interface {
	// Begin claims key for a request with fingerprint fp at time now, for
	// lease. It returns (nil, nil) when the caller now holds the claim,
	// (response, nil) when the key completed earlier with the same
	// fingerprint, ErrMismatch when the key belongs to another
	// fingerprint, and ErrInFlight when another claim holds it. A claim
	// whose lease ended, or (in a store that knows them) whose server
	// process has died, is taken over.
	Begin(ctx context.Context, key string, fp Fingerprint, now time.Time, lease time.Duration) (*Response, error)
	// Complete records the response of the claim on key, durably.
	Complete(ctx context.Context, key string, resp Response, now time.Time) error
	// CompleteIdempotent is Complete for a response whose effect is itself
	// idempotent under the key (the server passed the key down, so a
	// re-run returns the same result). A store may then record it without
	// waiting for durability: losing it in a crash costs a re-run, not a
	// second effect.
	CompleteIdempotent(ctx context.Context, key string, resp Response, now time.Time) error
	// Abandon drops an in-flight claim so the key can be used again (the
	// request failed in a way that must not be replayed, such as a 5xx).
	Abandon(ctx context.Context, key string) error
	// Purge deletes records created before t and returns how many.
	Purge(ctx context.Context, before time.Time) (int, error)
}
