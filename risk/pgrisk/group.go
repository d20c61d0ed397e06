package pgrisk

import (
	"context"
	"errors"
	"sync"

	"github.com/bankkit/bankkit/internal/pgtx"
	"github.com/bankkit/bankkit/risk"
)

// Screenings that arrive together are kept together. One screening is a
// transaction of its own with its own commit; under load the commits —
// one disk flush each, and the round trips — are most of its cost, while
// the ledger commits the postings that wait together in one. So, like the
// ledger, a Store lets one screening at a time lead: it takes the
// screenings waiting (up to maxGroup) and keeps them in one transaction,
// decided in the order they arrived, each seeing the ones before it, as a
// batch of observed transactions is (screenBatch, writing before deciding
// so that other processes' screenings of the same accounts still see
// distinct counts). A screening that waits alone takes the two-message
// path (screenOne). If a group fails as a whole, each of its screenings is
// tried alone, so one bad screening refuses nothing but itself.

// maxGroup is the most screenings one transaction keeps.
const maxGroup = 64

type screenWaiter struct {
	ctx context.Context
	sc  risk.Screening
	out chan screenResult // a lead signal, then (or only) the result
}

type screenResult struct {
	lead     bool // the waiter is to lead the next group
	d        risk.Decision
	replayed bool
	err      error
}

type screenQueue struct {
	mu      sync.Mutex
	queue   []*screenWaiter
	leading bool
}

// screenGrouped queues a screening and waits for its group's result,
// leading a group when its turn comes.
func (s *Store) screenGrouped(ctx context.Context, sc risk.Screening) (risk.Decision, bool, error) {
	q := &s.group
	w := &screenWaiter{ctx: ctx, sc: sc, out: make(chan screenResult, 1)}
	q.mu.Lock()
	q.queue = append(q.queue, w)
	lead := !q.leading
	q.leading = true
	q.mu.Unlock()
	for {
		if lead {
			s.leadGroup()
		}
		r := <-w.out
		if r.lead {
			lead = true
			continue
		}
		return r.d, r.replayed, r.err
	}
}

// leadGroup screens the waiting screenings (the leader's among them) and
// hands the lead to the next waiter, if any.
func (s *Store) leadGroup() {
	q := &s.group
	q.mu.Lock()
	n := min(len(q.queue), maxGroup)
	group := make([]*screenWaiter, n)
	copy(group, q.queue)
	q.queue = append(q.queue[:0], q.queue[n:]...)
	q.mu.Unlock()

	s.runGroup(group)

	q.mu.Lock()
	if len(q.queue) > 0 {
		q.queue[0].out <- screenResult{lead: true}
	} else {
		q.leading = false
	}
	q.mu.Unlock()
}

func (s *Store) runGroup(group []*screenWaiter) {
	live := group[:0:0]
	for _, w := range group {
		if err := w.ctx.Err(); err != nil {
			w.out <- screenResult{err: err}
			continue
		}
		live = append(live, w)
	}
	if len(live) == 0 {
		return
	}
	// The group's work is everyone's: it is not cancelled with the
	// leader's request.
	ctx := context.WithoutCancel(live[0].ctx)
	if len(live) > 1 {
		b := risk.Batch{Screenings: make([]risk.Screening, len(live))}
		for i, w := range live {
			b.Screenings[i] = w.sc
		}
		vs, err := s.screenGroupTx(ctx, b)
		if err == nil {
			for i, w := range live {
				w.out <- screenResult{d: vs[i].Decision, replayed: vs[i].Replayed}
			}
			return
		}
	}
	for _, w := range live {
		d, replayed, err := s.screenOne(w.ctx, w.sc)
		w.out <- screenResult{d: d, replayed: replayed, err: err}
	}
}

// screenGroupTx keeps a group in one transaction, again (replaying) when a
// concurrent screening of one of its transactions committed first.
func (s *Store) screenGroupTx(ctx context.Context, b risk.Batch) ([]risk.Verdict, error) {
	if err := s.stmts.Warm(ctx, batchReplaysSQL, batchBucketsSQL, batchCounterpartiesSQL, batchWriteSQL,
		insertDecisionsSQL, commitModeSQL); err != nil {
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		out, err := s.screenBatch(ctx, b, true)
		if attempt < 3 && (pgtx.IsUniqueViolation(err, "decisions_one_live") || pgtx.IsUniqueViolation(err, "decisions_one_key")) {
			continue
		}
		if err != nil {
			return nil, errors.Join(errGroupFailed, err)
		}
		return out, nil
	}
}

var errGroupFailed = errors.New("pgrisk: a group of screenings failed")
