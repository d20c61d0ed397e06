package channel

import (
	"context"
	"time"
)

// ScheduleConfig is how often a Notifier's scheduler delivers and how
// much at a time.
type ScheduleConfig struct {
	// Every is the pause after a round that found less than a full batch
	// due.
	Every time.Duration
	// Batch is the most messages one Deliver claims (1 to 10000).
	Batch int
}

// Schedule delivers what is due until ctx ends: rounds of Deliver one
// after another while full batches are due, then a pause of Every. Quiet
// hours and retries need nothing more: a message held for the morning or
// waiting out its backoff is simply not due until then. Several
// schedulers (in several processes) may run at once; each message is
// claimed by one. Before each pause, report (if not nil) gets the rounds'
// totals and the error that ended them, if any; an error does not stop
// the scheduler. Schedule returns ctx's error.
func (n *Notifier) Schedule(ctx context.Context, cfg ScheduleConfig, report func(DeliveryReport, error)) error {
	if cfg.Every <= 0 {
		return invalid("every", "must be positive")
	}
	if cfg.Batch < 1 || cfg.Batch > 10000 {
		return invalid("batch", "must be 1 to 10000")
	}
	t := time.NewTicker(cfg.Every)
	defer t.Stop()
	for {
		var total DeliveryReport
		var err error
		for ctx.Err() == nil {
			var rep DeliveryReport
			rep, err = n.Deliver(ctx, cfg.Batch)
			total.Claimed, total.Sent = total.Claimed+rep.Claimed, total.Sent+rep.Sent
			total.Retried, total.Failed = total.Retried+rep.Retried, total.Failed+rep.Failed
			if err != nil || rep.Claimed < cfg.Batch {
				break
			}
		}
		if report != nil && ctx.Err() == nil && (err != nil || total.Claimed > 0) {
			report(total, err)
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
	}
}
