package pgrisk

import (
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/internal/pgtx"
	"github.com/bankkit/bankkit/risk"
)

// The statements of a batch, each one round trip whatever the batch's
// size.
const (
	// Each part an index lookup per element (an OR, or a plain join,
	// would let the planner scan the tables whole).
	batchReplaysSQL = `SELECT d.transaction_id, d.key, d.body FROM unnest($1::uuid[]) AS q(id)
		JOIN LATERAL (SELECT * FROM risk.decisions WHERE transaction_id = q.id AND mode <> 'shadow') d ON true
		UNION ALL
		SELECT d.transaction_id, d.key, d.body FROM unnest($2::text[]) AS q(key)
		JOIN LATERAL (SELECT * FROM risk.decisions WHERE key = q.key AND key <> '' AND mode <> 'shadow') d ON true`
	batchBucketsSQL = `SELECT q.spec, q.key, b.bucket, b.count, b.sum
		FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[]) AS q(spec, key, lo, hi)
		JOIN LATERAL (SELECT bucket, count, sum FROM risk.agg_buckets
			WHERE spec = q.spec AND key = q.key AND bucket BETWEEN q.lo AND q.hi) b ON true`
	batchCounterpartiesSQL = `SELECT q.spec, q.key, c.bucket, c.counterparty
		FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[]) AS q(spec, key, lo, hi)
		JOIN LATERAL (SELECT bucket, counterparty FROM risk.agg_counterparties
			WHERE spec = q.spec AND key = q.key AND bucket BETWEEN q.lo AND q.hi) c ON true`
	// batchWriteSQL writes what a batch added to the aggregate state (the
	// buckets in a fixed order, so two writers never deadlock), its new
	// counterparties and the cursor's move: one round trip.
	batchWriteSQL = `WITH b AS (
			INSERT INTO risk.agg_buckets AS b (spec, key, bucket, count, sum)
			SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::bigint[], $5::numeric[])
			ON CONFLICT (spec, key, bucket) DO UPDATE SET count = b.count + excluded.count, sum = b.sum + excluded.sum
		), c AS (
			INSERT INTO risk.agg_counterparties (spec, key, bucket, counterparty)
			SELECT * FROM unnest($6::text[], $7::text[], $8::bigint[], $9::text[]) ON CONFLICT DO NOTHING
		)
		INSERT INTO risk.cursors AS cur (name, position) SELECT $10::text, $11::bigint WHERE $10::text <> ''
		ON CONFLICT (name) DO UPDATE SET position = GREATEST(cur.position, excluded.position)`
	// commitModeSQL sets synchronous_commit (WithRelaxedCommit) and the
	// generic plans (genericPlans) for the transaction.
	commitModeSQL = `SELECT set_config('synchronous_commit', $1, true), set_config('plan_cache_mode', 'force_generic_plan', true)`
)

type stateKey struct{ spec, key string }

type bucketKey struct {
	stateKey
	bucket int64
}

type overlayBucket struct {
	count int64
	sum   decimal.Decimal
	cps   map[string]struct{}
}

// overlay is the aggregate state a batch reads: the buckets its windows
// reach as the batch's transaction found them, with the batch's own
// records added as it goes.
type overlay map[bucketKey]*overlayBucket

func (o overlay) at(k bucketKey) *overlayBucket {
	b := o[k]
	if b == nil {
		b = &overlayBucket{sum: decimal.Zero}
		o[k] = b
	}
	return b
}

// ScreenBatch implements risk.Store: in one transaction, the decisions
// kept before for the batch's transactions (one statement), the buckets
// the batch's windows reach (one or two), then every screening decided in
// Go in order over that state with the ones before it added while the
// connection writes what the batch adds — the counts, the counterparties
// and the cursor's move, one statement, known before anything is decided
// since a screening counts whatever its outcome — and then the decisions
// (one statement), alerts and events (a few per alert). A concurrent
// screening of one of the batch's transactions that commits first makes
// the batch start again (and replay it).
func (s *Store) ScreenBatch(ctx context.Context, b risk.Batch) ([]risk.Verdict, error) {
	if len(b.Screenings) == 0 && b.Cursor == "" {
		return []risk.Verdict{}, nil
	}
	if err := s.stmts.Warm(ctx, batchReplaysSQL, batchBucketsSQL, batchCounterpartiesSQL, batchWriteSQL,
		insertDecisionsSQL, commitModeSQL); err != nil {
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		out, err := s.screenBatch(ctx, b)
		if attempt < 3 && (pgtx.IsUniqueViolation(err, "decisions_one_live") || pgtx.IsUniqueViolation(err, "decisions_one_key")) {
			continue
		}
		return out, err
	}
}

func (s *Store) screenBatch(ctx context.Context, b risk.Batch) ([]risk.Verdict, error) {
	var out []risk.Verdict
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		out = make([]risk.Verdict, len(b.Screenings))
		if err := s.execIn(ctx, tx, commitModeSQL, s.commitMode()); err != nil {
			return err
		}
		byTx, byKey, err := s.batchReplays(ctx, tx, b.Screenings)
		if err != nil {
			return err
		}
		// What each screening adds is known before any is decided (a
		// screening counts whatever its outcome), so which screenings
		// are new, and the whole batch's additions, come first: the
		// additions are written while Go decides.
		fresh := make([]bool, len(b.Screenings))
		dupOf := make([]int, len(b.Screenings))
		seenTx, seenKey := map[string]int{}, map[string]int{}
		added := overlay{}
		for i, sc := range b.Screenings {
			dupOf[i] = -1
			id := sc.Transaction.ID.String()
			if _, ok := byTx[id]; ok {
				continue
			}
			if _, ok := byKey[sc.Key]; ok && sc.Key != "" {
				continue
			}
			if j, ok := seenTx[id]; ok {
				dupOf[i] = j
				continue
			}
			if j, ok := seenKey[sc.Key]; ok && sc.Key != "" {
				dupOf[i] = j
				continue
			}
			fresh[i], seenTx[id] = true, i
			if sc.Key != "" {
				seenKey[sc.Key] = i
			}
			for _, r := range sc.Records {
				addRecord(added, r)
			}
		}
		state, err := s.batchState(ctx, tx, b.Screenings)
		if err != nil {
			return err
		}
		// The connection writes the additions and moves the cursor while
		// this goroutine decides: nothing else uses the transaction
		// until it is done.
		wrote := make(chan error, 1)
		go func() { wrote <- s.batchAdd(ctx, tx, added, b.Cursor, b.Position) }()
		var decisions []risk.Decision
		var keys []string
		var events []event.Envelope
		type alert struct {
			a       risk.Alert
			newCase risk.Case
		}
		var alerts []alert
		var decideErr error
		for i, sc := range b.Screenings {
			if !fresh[i] {
				if dupOf[i] < 0 {
					d, ok := byTx[sc.Transaction.ID.String()]
					if !ok {
						d = byKey[sc.Key]
					}
					out[i] = risk.Verdict{Decision: d, Replayed: true}
				}
				continue
			}
			for _, r := range sc.Records {
				addRecord(state, r)
			}
			figures := make([]risk.Figure, len(sc.Reads))
			for j, rd := range sc.Reads {
				figures[j] = state.figure(rd)
			}
			dec, err := sc.Decide(figures)
			if err == nil && len(dec.Decisions) == 0 {
				err = fmt.Errorf("pgrisk: a screening decided nothing")
			}
			if err != nil {
				decideErr = err
				break
			}
			if dec.Alert != nil {
				alerts = append(alerts, alert{*dec.Alert, dec.NewCase})
				dec.Decisions[0].AlertID = dec.Alert.ID
			}
			for j, d := range dec.Decisions {
				decisions = append(decisions, d)
				if j == 0 {
					keys = append(keys, sc.Key)
				} else {
					keys = append(keys, "")
				}
			}
			events = append(events, dec.Events...)
			out[i] = risk.Verdict{Decision: dec.Decisions[0]}
		}
		if err := <-wrote; err != nil {
			return err
		}
		if decideErr != nil {
			return decideErr
		}
		for i, j := range dupOf {
			if j >= 0 {
				out[i] = risk.Verdict{Decision: out[j].Decision, Replayed: true}
			}
		}
		for _, a := range alerts {
			if _, err := raise(ctx, tx, a.a, a.newCase); err != nil {
				return err
			}
		}
		if len(decisions) > 0 {
			if err := s.insertDecisions(ctx, tx, decisions, keys); err != nil {
				return err
			}
		}
		return s.outbox.Append(ctx, tx, events...)
	})
	return out, err
}

// addRecord counts one record in o.
func addRecord(o overlay, r risk.Record) {
	ob := o.at(bucketKey{stateKey{r.Spec, r.Key}, r.Bucket})
	ob.count++
	ob.sum = ob.sum.Add(r.Amount)
	if r.Distinct {
		if ob.cps == nil {
			ob.cps = map[string]struct{}{}
		}
		ob.cps[r.Counterparty] = struct{}{}
	}
}

// figure reads one window of o.
func (o overlay) figure(rd risk.Read) risk.Figure {
	f := risk.Figure{Sum: decimal.Zero}
	var cps map[string]struct{}
	if rd.Measure == risk.Distinct {
		cps = map[string]struct{}{}
	}
	for bk := rd.From; bk <= rd.To; bk++ {
		ob := o[bucketKey{stateKey{rd.Spec, rd.Key}, bk}]
		if ob == nil {
			continue
		}
		f.Count += ob.count
		f.Sum = f.Sum.Add(ob.sum)
		if cps != nil {
			for cp := range ob.cps {
				cps[cp] = struct{}{}
			}
		}
	}
	f.Distinct = int64(len(cps))
	return f
}

func (s *Store) execIn(ctx context.Context, tx *sqlx.Tx, query string, args ...any) error {
	stmt, err := s.stmts.In(ctx, tx, query)
	if err != nil {
		return err
	}
	_, err = stmt.ExecContext(ctx, args...)
	return err
}

// batchReplays returns the live decisions kept before of the batch's
// transactions, by transaction id and by key.
func (s *Store) batchReplays(ctx context.Context, tx *sqlx.Tx, scs []risk.Screening) (map[string]risk.Decision, map[string]risk.Decision, error) {
	ids, keys := make([]string, 0, len(scs)), []string{}
	for _, sc := range scs {
		ids = append(ids, sc.Transaction.ID.String())
		if sc.Key != "" {
			keys = append(keys, sc.Key)
		}
	}
	byTx, byKey := map[string]risk.Decision{}, map[string]risk.Decision{}
	stmt, err := s.stmts.In(ctx, tx, batchReplaysSQL)
	if err != nil {
		return nil, nil, err
	}
	rows, err := stmt.QueryContext(ctx, pq.Array(ids), pq.Array(keys))
	if err != nil {
		return nil, nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id, key string
		var body []byte
		if err := rows.Scan(&id, &key, &body); err != nil {
			return nil, nil, err
		}
		var d risk.Decision
		if err := json.Unmarshal(body, &d); err != nil {
			return nil, nil, err
		}
		byTx[id] = d
		if key != "" {
			byKey[key] = d
		}
	}
	return byTx, byKey, rows.Err()
}

// batchState reads the buckets (and, for distinct measures, the
// counterparties) every read of the batch reaches.
func (s *Store) batchState(ctx context.Context, tx *sqlx.Tx, scs []risk.Screening) (overlay, error) {
	type span struct {
		lo, hi int64
		dist   bool
	}
	spans := map[stateKey]*span{}
	for _, sc := range scs {
		for _, rd := range sc.Reads {
			k := stateKey{rd.Spec, rd.Key}
			sp := spans[k]
			if sp == nil {
				sp = &span{lo: rd.From, hi: rd.To}
				spans[k] = sp
			}
			sp.lo, sp.hi = min(sp.lo, rd.From), max(sp.hi, rd.To)
			sp.dist = sp.dist || rd.Measure == risk.Distinct
		}
	}
	state := overlay{}
	if len(spans) == 0 {
		return state, nil
	}
	var specs, keys, dspecs, dkeys []string
	var los, his, dlos, dhis []int64
	for k, sp := range spans {
		specs, keys, los, his = append(specs, k.spec), append(keys, k.key), append(los, sp.lo), append(his, sp.hi)
		if sp.dist {
			dspecs, dkeys, dlos, dhis = append(dspecs, k.spec), append(dkeys, k.key), append(dlos, sp.lo), append(dhis, sp.hi)
		}
	}
	stmt, err := s.stmts.In(ctx, tx, batchBucketsSQL)
	if err != nil {
		return nil, err
	}
	rows, err := stmt.QueryContext(ctx, pq.Array(specs), pq.Array(keys), pq.Array(los), pq.Array(his))
	if err != nil {
		return nil, err
	}
	for rows.Next() {
		var k bucketKey
		var count int64
		var sum decimal.Decimal
		if err := rows.Scan(&k.spec, &k.key, &k.bucket, &count, &sum); err != nil {
			rows.Close()
			return nil, err
		}
		ob := state.at(k)
		ob.count, ob.sum = count, sum
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if len(dspecs) == 0 {
		return state, nil
	}
	if stmt, err = s.stmts.In(ctx, tx, batchCounterpartiesSQL); err != nil {
		return nil, err
	}
	rows, err = stmt.QueryContext(ctx, pq.Array(dspecs), pq.Array(dkeys), pq.Array(dlos), pq.Array(dhis))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var k bucketKey
		var cp string
		if err := rows.Scan(&k.spec, &k.key, &k.bucket, &cp); err != nil {
			return nil, err
		}
		ob := state.at(k)
		if ob.cps == nil {
			ob.cps = map[string]struct{}{}
		}
		ob.cps[cp] = struct{}{}
	}
	return state, rows.Err()
}

// batchAdd writes what the batch added to the aggregate state, in a fixed
// order (two writers never deadlock), and moves the cursor (when named).
func (s *Store) batchAdd(ctx context.Context, tx *sqlx.Tx, added overlay, cursor string, position int64) error {
	ks := make([]bucketKey, 0, len(added))
	for k := range added {
		ks = append(ks, k)
	}
	slices.SortFunc(ks, func(a, b bucketKey) int {
		if c := strings.Compare(a.spec, b.spec); c != 0 {
			return c
		}
		if c := strings.Compare(a.key, b.key); c != 0 {
			return c
		}
		return cmp.Compare(a.bucket, b.bucket)
	})
	n := len(ks)
	specs, keys, amounts := make([]string, 0, n), make([]string, 0, n), make([]string, 0, n)
	buckets, ns := make([]int64, 0, n), make([]int64, 0, n)
	var cspecs, ckeys, cps []string
	var cbuckets []int64
	for _, k := range ks {
		ob := added[k]
		specs, keys, buckets = append(specs, k.spec), append(keys, k.key), append(buckets, k.bucket)
		ns, amounts = append(ns, ob.count), append(amounts, ob.sum.String())
		cpl := make([]string, 0, len(ob.cps))
		for cp := range ob.cps {
			cpl = append(cpl, cp)
		}
		slices.Sort(cpl)
		for _, cp := range cpl {
			cspecs, ckeys, cbuckets, cps = append(cspecs, k.spec), append(ckeys, k.key), append(cbuckets, k.bucket), append(cps, cp)
		}
	}
	if n == 0 && cursor == "" {
		return nil
	}
	return s.execIn(ctx, tx, batchWriteSQL, pq.Array(specs), pq.Array(keys), pq.Array(buckets), pq.Array(ns), pq.Array(amounts),
		pq.Array(cspecs), pq.Array(ckeys), pq.Array(cbuckets), pq.Array(cps), cursor, position)
}

// Cursor implements risk.Store.
func (s *Store) Cursor(ctx context.Context, name string) (int64, error) {
	var pos []int64
	if err := s.db.SelectContext(ctx, &pos, `SELECT position FROM risk.cursors WHERE name = $1`, name); err != nil {
		return 0, err
	}
	if len(pos) == 0 {
		return 0, nil
	}
	return pos[0], nil
}
