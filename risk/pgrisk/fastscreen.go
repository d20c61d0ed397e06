package pgrisk

import (
	"context"
	"database/sql/driver"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/bankkit/bankkit/internal/pgtx"
	"github.com/bankkit/bankkit/risk"
)

// A screening is one transaction: count and read, decide in Go, keep the
// decision. Through database/sql that is four round trips (BEGIN, the two
// statements, COMMIT), each a wait for the database under load. The
// screening path sends the same transaction in two: "BEGIN; EXECUTE
// count_and_read(...)" and "EXECUTE insert_decisions(...); COMMIT", each
// one simple-protocol message. The statements are prepared once per
// connection under the names below (PREPARE ... AS the very statements the
// four-round-trip path runs), so nothing is planned again; the arguments
// are written as quoted literals (pq.QuoteLiteral over their array text,
// the form PostgreSQL's own input functions read).
const (
	countAndReadName     = "pgrisk_count_and_read_1"
	insertDecisionsName  = "pgrisk_insert_decisions_1"
	countAndReadTypes    = "(text[], text[], bigint[], numeric[], text[], text[], text[], bigint[], bigint[], bool[], text)"
	insertDecisionsTypes = "(uuid[], uuid[], text[], integer[], text[], text[], date[], timestamptz[], jsonb[])"
	undefinedPrepared    = "26000"
)

// genericPlans has PostgreSQL run the transaction's prepared statements
// with their generic plans. Left to choose (plan_cache_mode auto), it
// plans count_and_read afresh for each execution, its arrays being
// parameters: planning took 0.3–1 ms against 0.2 ms of execution, the
// generic plan 0.015 ms and the same execution (EXPLAIN ANALYZE of the
// benchmark's rule set, PostgreSQL's own timing). SET LOCAL: it ends with
// the transaction, the connection goes back to the pool as it was.
const genericPlans = "SET LOCAL plan_cache_mode = force_generic_plan"

// errSlowPath: the screening raised an alert, or met contention; the
// caller runs it again as an ordinary transaction.
var errSlowPath = errors.New("pgrisk: screening takes the transaction path")

// literal is v as a quoted SQL literal: v's driver value (array text for
// pq arrays) quoted with pq.QuoteLiteral.
func literal(v any) (string, error) {
	if val, ok := v.(driver.Valuer); ok {
		dv, err := val.Value()
		if err != nil {
			return "", err
		}
		v = dv
	}
	switch x := v.(type) {
	case nil:
		return "NULL", nil
	case string:
		return pq.QuoteLiteral(x), nil
	case []byte:
		return pq.QuoteLiteral(string(x)), nil
	}
	return "", fmt.Errorf("pgrisk: no literal for %T", v)
}

func execute(name string, args ...any) (string, error) {
	var b strings.Builder
	b.WriteString("EXECUTE ")
	b.WriteString(name)
	b.WriteByte('(')
	for i, a := range args {
		l, err := literal(a)
		if err != nil {
			return "", err
		}
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(l)
	}
	b.WriteByte(')')
	return b.String(), nil
}

// screenFast screens in two round trips on one connection (see above). It
// returns errSlowPath, having changed nothing, when the screening raised an
// alert or met a retryable error: the caller screens it again on the
// transaction path. A unique violation of the decisions is returned as is
// (a replay).
func (s *Store) screenFast(ctx context.Context, sc risk.Screening, records []risk.Record) (risk.Decision, error) {
	conn, err := s.db.Connx(ctx)
	if err != nil {
		return risk.Decision{}, err
	}
	open := false      // a transaction is open on conn
	reprepare := false // a statement was missing: prepare both again
	defer func() {
		if open {
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			_, err := conn.ExecContext(rctx, "ROLLBACK")
			if err == nil && reprepare {
				err = prepareFast(rctx, conn)
			}
			if err != nil {
				// Never hand a connection back inside a transaction.
				_ = conn.Raw(func(any) error { return driver.ErrBadConn })
			}
			cancel()
		}
		_ = conn.Close()
	}()
	figures, err := s.fastCountAndRead(ctx, conn, &open, records, sc.Reads)
	if err != nil {
		return risk.Decision{}, err
	}
	out, err := sc.Decide(figures)
	if err != nil {
		return risk.Decision{}, err
	}
	if len(out.Decisions) == 0 {
		return risk.Decision{}, fmt.Errorf("pgrisk: a screening decided nothing")
	}
	if out.Alert != nil || len(out.Events) > 0 {
		return risk.Decision{}, errSlowPath // rolled back by the deferred ROLLBACK
	}
	args, err := decisionArgs(out.Decisions, []string{sc.Key})
	if err != nil {
		return risk.Decision{}, err
	}
	q, err := execute(insertDecisionsName, args...)
	if err != nil {
		return risk.Decision{}, err
	}
	if _, err := conn.ExecContext(ctx, q+"; COMMIT"); err != nil {
		if pgtx.Code(err) == undefinedPrepared {
			// Deallocated by someone since fastCountAndRead ran: prepared
			// again after the rollback, and this one takes the other path.
			reprepare = true
			return risk.Decision{}, errSlowPath
		}
		if pgtx.IsRetryable(err) {
			return risk.Decision{}, errSlowPath
		}
		return risk.Decision{}, err
	}
	open = false
	return out.Decisions[0], nil
}

// fastCountAndRead sends "BEGIN; EXECUTE count_and_read(...)", preparing
// the statement on the connection first when it has not been.
func (s *Store) fastCountAndRead(ctx context.Context, conn *sqlx.Conn, open *bool, records []risk.Record, reads []risk.Read) ([]risk.Figure, error) {
	args := countAndReadArgs(records, reads, s.commitMode())
	q, err := execute(countAndReadName, args...)
	if err != nil {
		return nil, err
	}
	for attempt := 0; ; attempt++ {
		*open = true
		rows, err := conn.QueryContext(ctx, "BEGIN; "+genericPlans+"; "+q)
		if err != nil {
			if pgtx.Code(err) == undefinedPrepared && attempt == 0 {
				if _, err := conn.ExecContext(ctx, "ROLLBACK"); err != nil {
					return nil, err
				}
				*open = false
				if err := prepareFast(ctx, conn); err != nil {
					return nil, err
				}
				continue
			}
			if pgtx.IsRetryable(err) {
				return nil, errSlowPath
			}
			return nil, err
		}
		figures, err := scanFigures(rows, len(reads))
		if pgtx.IsRetryable(err) {
			return nil, errSlowPath
		}
		return figures, err
	}
}

// prepareFast prepares the screening's statements on conn.
func prepareFast(ctx context.Context, conn *sqlx.Conn) error {
	for _, p := range []struct{ name, types, sql string }{
		{countAndReadName, countAndReadTypes, countAndReadSQL},
		{insertDecisionsName, insertDecisionsTypes, insertDecisionsSQL},
	} {
		// The statement's $n are the prepared statement's parameters,
		// typed by the list; 42P05: prepared already.
		if _, err := conn.ExecContext(ctx, "PREPARE "+p.name+" "+p.types+" AS "+p.sql); err != nil && pgtx.Code(err) != "42P05" {
			return err
		}
	}
	return nil
}
