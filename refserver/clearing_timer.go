package refserver

import (
	"context"
	"errors"
	"time"

	"github.com/google/uuid"

	"github.com/bankkit/bankkit/refserver/closing"
)

// sendDueLease is how long one tick of the SendDue timer holds the run
// lease at most; a process that dies holding it delays the others (and end
// of day) by no more than this.
const sendDueLease = 2 * time.Minute

// startSendingDue sends the inter-bank transfers that are due
// (clearing.Service.SendDue) at every tick until ctx ends or the returned
// stop is called; stop waits for a send under way. Each send takes the
// run lease end of day takes (closing.Store), so of several server
// processes on one database only one sends at a time, and none sends while
// end of day runs: a tick that finds the lease held sends nothing, and the
// next tick tries again. When handled is not nil, each tick's count of
// batches sent goes to it once the tick is done (tests wait on it).
func (s *Server) startSendingDue(ctx context.Context, ticks <-chan time.Time, handled chan<- int) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	owner := "send-due/" + uuid.NewString()
	go func() {
		defer close(done)
		for {
			select {
			case <-ctx.Done():
				return
			case <-ticks:
				n := s.sendDueOnce(ctx, owner)
				if handled != nil {
					select {
					case handled <- n:
					case <-ctx.Done():
						return
					}
				}
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}

// sendDueOnce is one tick: under the run lease, SendDue. It reports what
// it did in the log and the returned count of batches sent.
func (s *Server) sendDueOnce(ctx context.Context, owner string) int {
	now := s.clock.Now().UTC().Truncate(time.Microsecond)
	err := s.runLease.Acquire(ctx, owner, now, now.Add(sendDueLease))
	if errors.Is(err, closing.ErrBusy) {
		s.log.DebugContext(ctx, "send-due: the run lease is held (end of day or another process); skipped")
		return 0
	}
	if err != nil {
		if ctx.Err() == nil {
			s.log.WarnContext(ctx, "send-due: taking the run lease", "error", err)
		}
		return 0
	}
	defer func() {
		if err := s.runLease.Release(context.WithoutCancel(ctx), owner); err != nil {
			s.log.WarnContext(ctx, "send-due: releasing the run lease", "error", err)
		}
	}()
	sent, err := s.clearing.SendDue(ctx)
	if len(sent) > 0 {
		s.log.InfoContext(ctx, "send-due: sent", "batches", len(sent))
	}
	if err != nil && ctx.Err() == nil {
		s.log.WarnContext(ctx, "send-due", "error", err, "sent", len(sent))
	}
	return len(sent)
}
