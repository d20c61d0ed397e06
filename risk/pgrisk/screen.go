package pgrisk

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/bankkit/bankkit/internal/pgtx"
	"github.com/bankkit/bankkit/risk"
)

// countAndReadSQL adds a screening's records to the aggregate state and
// reads its windows, in one statement (one round trip, prepared once per
// connection). The reads see the buckets this statement upserted as the
// upsert left them (RETURNING: the newest version, after any concurrent
// screening of the same bucket committed, so concurrent screenings of one
// account see distinct counts) and the other buckets of the window as the
// statement's snapshot has them. The last parameter sets
// synchronous_commit for the transaction (WithRelaxedCommit).
const countAndReadSQL = `WITH r AS (
		SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::numeric[], $5::text[]) AS r(spec, key, bucket, amount, cp)
	), up AS (
		INSERT INTO risk.agg_buckets AS b (spec, key, bucket, count, sum)
		SELECT spec, key, bucket, 1, amount FROM r
		ON CONFLICT (spec, key, bucket) DO UPDATE SET count = b.count + 1, sum = b.sum + excluded.sum
		RETURNING b.spec, b.key, b.bucket, b.count, b.sum
	), cps AS (
		INSERT INTO risk.agg_counterparties (spec, key, bucket, counterparty)
		SELECT spec, key, bucket, cp FROM r WHERE cp <> ''
		ON CONFLICT DO NOTHING
	), cfg AS (
		SELECT set_config('synchronous_commit', $11, true) AS v
	)
	SELECT q.i, COALESCE(old.c, 0) + COALESCE(new.c, 0), COALESCE(old.s, 0) + COALESCE(new.s, 0), COALESCE(d.n, 0)
	FROM cfg LEFT JOIN unnest($6::text[], $7::text[], $8::bigint[], $9::bigint[], $10::bool[])
		WITH ORDINALITY AS q(spec, key, lo, hi, dist, i) ON true
	LEFT JOIN LATERAL (SELECT sum(ab.count) AS c, sum(ab.sum) AS s FROM risk.agg_buckets ab
		WHERE ab.spec = q.spec AND ab.key = q.key AND ab.bucket BETWEEN q.lo AND q.hi
		AND NOT EXISTS (SELECT 1 FROM up WHERE up.spec = ab.spec AND up.key = ab.key AND up.bucket = ab.bucket)) old ON true
	LEFT JOIN LATERAL (SELECT sum(up.count) AS c, sum(up.sum) AS s FROM up
		WHERE up.spec = q.spec AND up.key = q.key AND up.bucket BETWEEN q.lo AND q.hi) new ON true
	LEFT JOIN LATERAL (SELECT count(DISTINCT x.cp) AS n FROM (
			SELECT counterparty AS cp FROM risk.agg_counterparties
			WHERE q.dist AND spec = q.spec AND key = q.key AND bucket BETWEEN q.lo AND q.hi
			UNION ALL
			SELECT r.cp FROM r WHERE q.dist AND r.cp <> '' AND r.spec = q.spec AND r.key = q.key AND r.bucket BETWEEN q.lo AND q.hi
		) x) d ON true`

// insertDecisionsSQL keeps a screening's decisions (the live one and the
// shadow's), one statement whatever their number.
const insertDecisionsSQL = `INSERT INTO risk.decisions (id, transaction_id, key, version, mode, outcome, business_date, decided_at, body)
	SELECT * FROM unnest($1::uuid[], $2::uuid[], $3::text[], $4::integer[], $5::text[], $6::text[], $7::date[], $8::timestamptz[], $9::jsonb[])`

// sortRecords orders records so that two screenings upsert shared rows in
// the same order and never deadlock.
func sortRecords(records []risk.Record) []risk.Record {
	records = slices.Clone(records)
	slices.SortFunc(records, func(a, b risk.Record) int {
		if c := strings.Compare(a.Spec, b.Spec); c != 0 {
			return c
		}
		if c := strings.Compare(a.Key, b.Key); c != 0 {
			return c
		}
		return int(a.Bucket - b.Bucket)
	})
	return records
}

// Screen implements risk.Store: one transaction that counts and reads
// (one statement), then keeps the decisions (one more) — sent as two
// messages, BEGIN with the first and COMMIT with the second
// (screenFast) — or, when the screening raises an alert (the alert, its
// case and the events are kept too) or meets contention, as an ordinary
// transaction (screenTx).
func (s *Store) Screen(ctx context.Context, sc risk.Screening) (risk.Decision, bool, error) {
	records := sortRecords(sc.Records)
	if err := s.stmts.Warm(ctx, countAndReadSQL, insertDecisionsSQL); err != nil {
		return risk.Decision{}, false, err
	}
	live, err := s.screenFast(ctx, sc, records)
	if err == nil {
		return live, false, nil
	}
	if errors.Is(err, errSlowPath) {
		live, err = s.screenTx(ctx, sc, records)
	}
	if pgtx.IsUniqueViolation(err, "decisions_one_live") || pgtx.IsUniqueViolation(err, "decisions_one_key") {
		// Screened before (or by a concurrent screening that won): that
		// decision.
		d, ok, err := liveDecision(ctx, s.db, sc.Transaction.ID, sc.Key)
		if err != nil || !ok {
			return risk.Decision{}, false, fmt.Errorf("pgrisk: screening raced and the winner is gone: %v", err)
		}
		return d, true, nil
	}
	if err != nil {
		return risk.Decision{}, false, err
	}
	return live, false, nil
}

// screenTx is a screening as one database/sql transaction: BEGIN, count
// and read, the decisions (and, when an alert is raised, the alert, its
// case and the events), COMMIT.
func (s *Store) screenTx(ctx context.Context, sc risk.Screening, records []risk.Record) (risk.Decision, error) {
	var live risk.Decision
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		// No look for an earlier decision first: the unique indexes on
		// decisions refuse a second one at the end, and the whole
		// transaction (its counts with it) rolls back; then the earlier
		// decision is read and returned. A replay is rare; a screening
		// saves a round trip.
		if _, err := tx.ExecContext(ctx, genericPlans); err != nil {
			return err
		}
		figures, err := s.countAndRead(ctx, tx, records, sc.Reads)
		if err != nil {
			return err
		}
		out, err := sc.Decide(figures)
		if err != nil {
			return err
		}
		if len(out.Decisions) == 0 {
			return fmt.Errorf("pgrisk: a screening decided nothing")
		}
		if out.Alert != nil {
			a, err := raise(ctx, tx, *out.Alert, out.NewCase)
			if err != nil {
				return err
			}
			out.Decisions[0].AlertID = a.ID
		}
		if err := s.insertDecisions(ctx, tx, out.Decisions, []string{sc.Key}); err != nil {
			return err
		}
		live = out.Decisions[0]
		return s.outbox.Append(ctx, tx, out.Events...)
	})
	return live, err
}

func (s *Store) commitMode() string {
	if s.relaxed {
		return "off"
	}
	return "on"
}

// countAndRead runs countAndReadSQL.
func (s *Store) countAndRead(ctx context.Context, tx *sqlx.Tx, records []risk.Record, reads []risk.Read) ([]risk.Figure, error) {
	stmt, err := s.stmts.In(ctx, tx, countAndReadSQL)
	if err != nil {
		return nil, err
	}
	rows, err := stmt.QueryContext(ctx, countAndReadArgs(records, reads, s.commitMode())...)
	if err != nil {
		return nil, err
	}
	return scanFigures(rows, len(reads))
}

// countAndReadArgs are countAndReadSQL's arguments.
func countAndReadArgs(records []risk.Record, reads []risk.Read, commitMode string) []any {
	specs, keys := make([]string, len(records)), make([]string, len(records))
	buckets, amounts := make([]int64, len(records)), make([]string, len(records))
	cps := make([]string, len(records))
	for i, r := range records {
		specs[i], keys[i], buckets[i], amounts[i] = r.Spec, r.Key, r.Bucket, r.Amount.String()
		if r.Distinct {
			cps[i] = r.Counterparty
		}
	}
	rspecs, rkeys := make([]string, len(reads)), make([]string, len(reads))
	los, his := make([]int64, len(reads)), make([]int64, len(reads))
	dist := make([]bool, len(reads))
	for i, r := range reads {
		rspecs[i], rkeys[i], los[i], his[i], dist[i] = r.Spec, r.Key, r.From, r.To, r.Measure == risk.Distinct
	}
	return []any{pq.Array(specs), pq.Array(keys), pq.Array(buckets), pq.Array(amounts), pq.Array(cps),
		pq.Array(rspecs), pq.Array(rkeys), pq.Array(los), pq.Array(his), pq.Array(dist), commitMode}
}

// scanFigures reads countAndReadSQL's rows (and closes them).
func scanFigures(rows *sql.Rows, n int) ([]risk.Figure, error) {
	defer rows.Close()
	figures := make([]risk.Figure, n)
	for rows.Next() {
		var i *int
		var f risk.Figure
		if err := rows.Scan(&i, &f.Count, &f.Sum, &f.Distinct); err != nil {
			return nil, err
		}
		if i != nil {
			figures[*i-1] = f
		}
	}
	return figures, rows.Err()
}

// insertDecisions runs insertDecisionsSQL; keys[i] is the idempotency key
// of ds[i] when it is a live decision (a missing key is empty).
func (s *Store) insertDecisions(ctx context.Context, tx *sqlx.Tx, ds []risk.Decision, keys []string) error {
	args, err := decisionArgs(ds, keys)
	if err != nil {
		return err
	}
	stmt, err := s.stmts.In(ctx, tx, insertDecisionsSQL)
	if err != nil {
		return err
	}
	_, err = stmt.ExecContext(ctx, args...)
	return err
}

// decisionArgs are insertDecisionsSQL's arguments.
func decisionArgs(ds []risk.Decision, keys []string) ([]any, error) {
	n := len(ds)
	ids, txs, ks := make([]string, n), make([]string, n), make([]string, n)
	versions := make([]int64, n)
	modes, outcomes, days, at := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	bodies := make([]string, n)
	for i, d := range ds {
		body, err := json.Marshal(d)
		if err != nil {
			return nil, err
		}
		ids[i], txs[i], versions[i] = d.ID.String(), d.TransactionID.String(), int64(d.Version)
		if i < len(keys) && d.Mode != risk.ModeShadow {
			ks[i] = keys[i]
		}
		modes[i], outcomes[i], days[i] = string(d.Mode), string(d.Outcome), d.Transaction.BusinessDate.String()
		at[i], bodies[i] = d.DecidedAt.UTC().Format(time.RFC3339Nano), string(body)
	}
	return []any{pq.Array(ids), pq.Array(txs), pq.Array(ks), pq.Array(versions), pq.Array(modes),
		pq.Array(outcomes), pq.Array(days), pq.Array(at), pq.Array(bodies)}, nil
}
