package refserver

import (
	"context"
	"time"
)

// replyRetention is how long remembered replies are kept: docs/api.md
// promises at least 48 hours. Older ones are deleted, so the data in
// them is not kept longer than a retry needs it.
const replyRetention = 48 * time.Hour

// replyPurgeInterval is how often a serving process deletes them. Every
// process does; the deletes are idempotent.
const replyPurgeInterval = 10 * time.Minute

// startPurging deletes remembered replies older than replyRetention now
// and every interval, until the returned stop is called; stop waits for a
// purge under way, so the storage can close after it.
func (s *Server) startPurging(ctx context.Context, interval time.Duration) (stop func()) {
	ctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		tick := time.NewTicker(interval)
		defer tick.Stop()
		for {
			n, err := s.idem.Purge(ctx, s.clock.Now().Add(-replyRetention))
			switch {
			case err != nil && ctx.Err() == nil:
				s.log.WarnContext(ctx, "purging remembered replies", "error", err)
			case n > 0:
				s.log.InfoContext(ctx, "purged remembered replies", "count", n, "retention", replyRetention.String())
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	return func() {
		cancel()
		<-done
	}
}
