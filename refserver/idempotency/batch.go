package idempotency

import (
	"context"
	"errors"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/lib/pq"

	"github.com/bankkit/bankkit/internal/pgtx"
)

// Claims of concurrent requests share statements, as a database's group
// commit shares flushes: at most maxLeaders batches run at once, and a
// claim that arrives while they run waits and goes in the next, which
// takes everything queued. With one client nothing waits. Each batch also
// writes the responses recorded since the last one, so a money-moving
// request costs one statement of this store, not two.
const (
	maxLeaders = 2
	maxBatch   = 256
	// recordDelay is how long a recorded response waits for a batch of
	// claims to ride with before it is written alone.
	recordDelay = 2 * time.Millisecond
	// retryDelay spaces the writes of responses after a failed batch.
	retryDelay = 250 * time.Millisecond
)

// claimBatchSQL writes the batch's recorded responses ($6..$9), then
// claims its keys ($1..$4) for owner $5, and returns the keys claimed;
// the function (migrations/0003) says when a key is claimed and why it is
// a function rather than a statement.
const claimBatchSQL = `SELECT * FROM refserver.idempotency_claim($1::text[], $2::bytea[], $3::timestamptz[],
	$4::timestamptz[], $5::integer, $6::text[], $7::int[], $8::text[], $9::bytea[])`

type claimReq struct {
	key        string
	fp         Fingerprint
	now        time.Time
	leaseUntil time.Time
}

// waiter is a queued claim. turn receives false when the waiter is to lead
// the next batch, true once its result is in.
type waiter struct {
	req     claimReq
	done    bool // its batch has run
	claimed bool
	err     error
	turn    chan bool
}

// pendingRecord is a response waiting to be written.
type pendingRecord struct {
	key          string
	fp           Fingerprint
	resp         Response
	status       int
	header, body []byte
}

type batcher struct {
	p *Postgres

	mu      sync.Mutex
	queue   []*waiter
	leaders int
	claimed map[string]Fingerprint    // this process's claims in flight
	records map[string]*pendingRecord // recorded, not yet committed: replayed from here
	unsent  []*pendingRecord          // of those, the ones no batch has taken
	kick    chan struct{}
	stop    chan struct{}
	done    chan struct{}
}

func newBatcher(p *Postgres) *batcher {
	b := &batcher{p: p, claimed: map[string]Fingerprint{}, records: map[string]*pendingRecord{},
		kick: make(chan struct{}, 1), stop: make(chan struct{}), done: make(chan struct{})}
	go b.writeRecords()
	return b
}

// pending is the response recorded for key in this process and not yet
// written, if any.
func (b *batcher) pending(key string, fp Fingerprint) (*Response, bool) {
	b.mu.Lock()
	defer b.mu.Unlock()
	r, ok := b.records[key]
	if !ok || r.fp != fp {
		return nil, false // a mismatch is the database's to tell
	}
	resp := r.resp
	return &resp, true
}

// record queues a response for key, to be written with the next batch.
func (b *batcher) record(key string, resp Response, header, body []byte) {
	b.mu.Lock()
	fp, ok := b.claimed[key]
	if !ok { // not claimed here (taken over?): the conditional UPDATE decides
		b.mu.Unlock()
		return
	}
	delete(b.claimed, key)
	r := &pendingRecord{key: key, fp: fp, resp: resp, status: resp.Status, header: header, body: body}
	b.records[key] = r
	b.unsent = append(b.unsent, r)
	b.mu.Unlock()
	select {
	case b.kick <- struct{}{}:
	default:
	}
}

// forget drops this process's note of a claim on key.
func (b *batcher) forget(key string) {
	b.mu.Lock()
	delete(b.claimed, key)
	b.mu.Unlock()
}

// claim queues req and returns whether it was claimed.
func (b *batcher) claim(ctx context.Context, req claimReq) (bool, error) {
	w := &waiter{req: req, turn: make(chan bool, 1)}
	b.mu.Lock()
	lead := b.leaders < maxLeaders
	if lead {
		b.leaders++
	} else {
		b.queue = append(b.queue, w)
	}
	b.mu.Unlock()
	for {
		if lead {
			b.lead(ctx, w)
			if w.done {
				return w.claimed, w.err
			}
		}
		// Queued, or put off by its own batch: wait to lead or be answered.
		if lead = !<-w.turn; !lead {
			return w.claimed, w.err
		}
	}
}

// lead runs one batch with w (nil: records only) and what is queued, then
// hands the lead to the next waiter or gives it up.
func (b *batcher) lead(ctx context.Context, w *waiter) {
	b.mu.Lock()
	var batch, later []*waiter
	seen := map[string]bool{}
	recs := slices.Clone(b.unsent[:min(len(b.unsent), maxBatch)])
	b.unsent = b.unsent[len(recs):]
	for _, r := range recs {
		seen[r.key] = true
	}
	all := b.queue
	if w != nil {
		all = append([]*waiter{w}, all...)
	}
	for _, q := range all {
		// A key twice in one INSERT ... ON CONFLICT, or claimed in the
		// statement that records it, is an error: it waits a batch.
		if seen[q.req.key] || len(batch) == maxBatch {
			later = append(later, q)
			continue
		}
		seen[q.req.key] = true
		batch = append(batch, q)
	}
	b.queue = later
	b.mu.Unlock()

	// Two batches at once must not take the same keys' index entries in
	// opposite orders: each goes in key order, and a deadlock that still
	// happens (the records' updates) aborts the statement whole, so it is
	// run again.
	slices.SortFunc(batch, func(x, y *waiter) int { return strings.Compare(x.req.key, y.req.key) })
	slices.SortFunc(recs, func(x, y *pendingRecord) int { return strings.Compare(x.key, y.key) })
	var claimed map[string]bool
	var err error
	for attempt := 1; ; attempt++ {
		claimed, err = b.run(context.WithoutCancel(ctx), batch, recs)
		if err == nil || !pgtx.IsRetryable(err) || attempt == 5 {
			break
		}
	}

	b.mu.Lock()
	for _, r := range recs {
		if err != nil {
			b.unsent = append(b.unsent, r)
		} else if b.records[r.key] == r {
			delete(b.records, r.key)
		}
	}
	for _, q := range batch {
		q.done, q.err = true, err
		q.claimed = claimed[q.req.key]
		if q.claimed {
			b.claimed[q.req.key] = q.req.fp
		}
	}
	var next *waiter
	if len(b.queue) > 0 {
		next, b.queue = b.queue[0], b.queue[1:]
	} else {
		b.leaders--
	}
	b.mu.Unlock()
	for _, q := range batch {
		if q != w {
			q.turn <- true
		}
	}
	if next != nil {
		next.turn <- false
	}
	if err != nil && len(recs) > 0 {
		select {
		case b.kick <- struct{}{}:
		default:
		}
	}
}

// run is one batch's statement.
func (b *batcher) run(ctx context.Context, batch []*waiter, recs []*pendingRecord) (map[string]bool, error) {
	if len(batch) == 0 && len(recs) == 0 {
		return nil, nil
	}
	keys := make([]string, len(batch))
	fps := make([][]byte, len(batch))
	nows := make([]string, len(batch))
	leases := make([]string, len(batch))
	for i, q := range batch {
		keys[i], fps[i] = q.req.key, q.req.fp[:]
		nows[i], leases[i] = q.req.now.Format(time.RFC3339Nano), q.req.leaseUntil.Format(time.RFC3339Nano)
	}
	rkeys := make([]string, len(recs))
	statuses := make([]int64, len(recs))
	headers := make([]string, len(recs))
	bodies := make([][]byte, len(recs))
	for i, r := range recs {
		rkeys[i], statuses[i], headers[i], bodies[i] = r.key, int64(r.status), string(r.header), r.body
	}
	stmt, err := b.p.stmts.Stmt(ctx, claimBatchSQL)
	if err != nil {
		return nil, err
	}
	rows, err := stmt.QueryContext(ctx, pq.StringArray(keys), pq.ByteaArray(fps), pq.StringArray(nows),
		pq.StringArray(leases), b.p.owner.id, pq.StringArray(rkeys), pq.Int64Array(statuses), pq.StringArray(headers), pq.ByteaArray(bodies))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	claimed := map[string]bool{}
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		claimed[k] = true
	}
	return claimed, rows.Err()
}

// writeRecords writes recorded responses that no batch of claims took
// within recordDelay.
func (b *batcher) writeRecords() {
	defer close(b.done)
	for {
		select {
		case <-b.stop:
			return
		case <-b.kick:
		}
		time.Sleep(recordDelay)
		b.mu.Lock()
		if len(b.unsent) == 0 || b.leaders >= maxLeaders {
			// A running batch will take them, or has: its leader kicks
			// again if it failed.
			b.mu.Unlock()
			continue
		}
		b.leaders++
		b.mu.Unlock()
		b.lead(context.Background(), nil)
		b.mu.Lock()
		failed := len(b.unsent) > 0
		b.mu.Unlock()
		if failed {
			select {
			case <-b.stop:
				return
			case <-time.After(retryDelay):
			}
		}
	}
}

// close writes what is recorded and stops the writer.
func (b *batcher) close() error {
	close(b.stop)
	<-b.done
	for range 3 {
		b.mu.Lock()
		n := len(b.unsent)
		if n == 0 {
			b.mu.Unlock()
			return nil
		}
		b.leaders++
		b.mu.Unlock()
		b.lead(context.Background(), nil)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.unsent) > 0 {
		return errors.New("idempotency: " + strconv.Itoa(len(b.unsent)) + " recorded responses could not be written")
	}
	return nil
}
