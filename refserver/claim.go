package refserver

import (
	"context"
	"fmt"
	"time"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/refserver/idempotency"
)

// A route whose one effect is a ledger posting (claimWhilePosting) claims
// its Idempotency-Key while the handler runs, rather than before: the
// handler's reads (the account profiles, the ledger's business date) go
// on meanwhile, and the ledger waits for the claim right before it posts
// (ledger.WithBeforePost). So the claim's round trip is no longer one more
// step in front of the posting's. Nothing is weakened: no posting, and no
// other write, happens before the key is this request's; when it is not
// (in flight elsewhere, used for another request, answered before, or
// the store failed), the handler's work is thrown away unposted and the
// request is answered exactly as if the claim had come first. A handler
// path that writes anything other than through the ledger's posting calls
// must call awaitClaim first (the transfer to another bank does, and so
// does holding a request for a checker, in beforeRun).

// overlappedClaim is a claim running beside its handler.
type overlappedClaim struct {
	key  string
	done chan struct{}
	prev *idempotency.Response
	err  error
}

// startClaim starts claiming key for the request.
func (s *Server) startClaim(ctx context.Context, key string, fp idempotency.Fingerprint, now time.Time, lease time.Duration) *overlappedClaim {
	c := &overlappedClaim{key: key, done: make(chan struct{})}
	go func() {
		defer close(c.done)
		defer func() {
			if p := recover(); p != nil {
				c.prev, c.err = nil, fmt.Errorf("idempotency store panicked: %v", p)
			}
		}()
		c.prev, c.err = s.idem.Begin(ctx, key, fp, now, lease)
	}()
	return c
}

// result waits for the claim: what idempotency.Store.Begin returned.
func (c *overlappedClaim) result() (*idempotency.Response, error) {
	<-c.done
	return c.prev, c.err
}

// wait is nil once the key is this request's; any other outcome refuses
// the posting (the request is then answered by the claim's outcome, not by
// this error).
func (c *overlappedClaim) wait(ctx context.Context) error {
	select {
	case <-c.done:
	case <-ctx.Done():
		return ctx.Err()
	}
	if c.err != nil || c.prev != nil {
		return idempotency.ErrInFlight
	}
	return nil
}

type claimKey struct{}

// withOverlappedClaim makes ctx carry c to the ledger and to awaitClaim.
func withOverlappedClaim(ctx context.Context, c *overlappedClaim) context.Context {
	return ledger.WithBeforePost(context.WithValue(ctx, claimKey{}, c), c.wait)
}

// awaitClaim returns nil once the request's Idempotency-Key is its own: at
// once when the claim came before the handler, as on most routes.
func awaitClaim(ctx context.Context) error {
	c, _ := ctx.Value(claimKey{}).(*overlappedClaim)
	if c == nil {
		return nil
	}
	return c.wait(ctx)
}

// runOverlapped runs the handler beside the claim c and returns its
// answer once both are done. When the claim ends first and is not the
// request's, it returns at once with ran false: the request is answered
// by the claim, and the handler, its context cancelled, is left to stop on
// its own (it can post nothing; its reads may be waiting on a lock, which
// must not hold up a 409). A handler that panics has its key freed, if the
// claim took it, and the panic goes on in the caller's goroutine.
func (s *Server) runOverlapped(ctx context.Context, c *overlappedClaim, run func(context.Context) answer) (answer, bool) {
	hctx, cancel := context.WithCancel(ctx)
	type outcome struct {
		a        answer
		panicked bool
		p        any
	}
	out := make(chan outcome, 1)
	go func() {
		o := outcome{panicked: true}
		defer func() {
			if o.panicked {
				o.p = recover()
			}
			out <- o
		}()
		o.a = run(withOverlappedClaim(hctx, c))
		o.panicked = false
	}()
	var o outcome
	select {
	case o = <-out:
	case <-c.done:
		if c.err != nil || c.prev != nil {
			cancel()
			return answer{}, false
		}
		o = <-out
	}
	cancel()
	if o.panicked {
		if prev, err := c.result(); err == nil && prev == nil {
			if err := s.idem.Abandon(context.WithoutCancel(ctx), c.key); err != nil {
				s.log.ErrorContext(ctx, "idempotency abandon", "error", err)
			}
		}
		panic(o.p)
	}
	return o.a, true
}
