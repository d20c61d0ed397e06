package pgcredit

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/internal/pgtx"
	"github.com/bankkit/bankkit/money"
)

// EndOfDayLoans implements credit.Store: the as_of column (migration
// 0008, kept from the record) leaves the loans already brought to the
// date in the database.
func (s *Store) EndOfDayLoans(ctx context.Context, date calendar.Date, after credit.ID, limit int) ([]credit.Loan, error) {
	return selectLoans(ctx, s.db, `SELECT `+loanCols+` FROM credit.loans
		WHERE status = 'active' AND id > $1 AND (as_of IS NULL OR as_of < $2) ORDER BY id LIMIT $3`, after, date, limit)
}

// ApplyEndOfDay implements credit.Store: the loans in one UPDATE from
// arrays (each at the version it was read), their history rows in one
// INSERT, the postings in another, in one transaction with the events.
func (s *Store) ApplyEndOfDay(ctx context.Context, b credit.EndOfDayBatch) error {
	// The loans go as one JSON array of rows, their records inside as
	// they are: no array quoting on the way, one parse in the database.
	n := len(b.Loans)
	rows := make([]byte, 0, n*8192)
	rows = append(rows, '[')
	var hLoan, hWhat, hFrom, hTo, hOn []string
	var hSeq []int64
	seen := make(map[credit.ID]bool, n)
	for i, x := range b.Loans {
		l := x.Loan
		if seen[l.ID] {
			return fmt.Errorf("%w: loan %s twice in a batch", credit.ErrInvalidInput, l.ID)
		}
		seen[l.ID] = true
		read := l.Version
		l.Version++
		body := []byte("null") // the record kept: what changed is in the columns
		if !x.QuietChange {
			var err error
			if body, err = json.Marshal(l); err != nil {
				return err
			}
		}
		st := l.Standing
		if i > 0 {
			rows = append(rows, ',')
		}
		bucket, err := json.Marshal(st.Bucket)
		if err != nil {
			return err
		}
		accrual, recognised := []byte("null"), "null"
		if c := l.AccrualCursor(); c != nil {
			if accrual, err = json.Marshal(c); err != nil {
				return err
			}
			recognised = `"` + l.Paid[c.Instalment].Recognised.Amount.String() + `"`
		}
		asOf := "null"
		if !st.AsOf.IsZero() {
			asOf = `"` + st.AsOf.String() + `"`
		}
		rows = fmt.Appendf(rows, `{"id":"%s","version":%d,"updated_at":"%s","bucket":%s,"dpd":%d,"class":"%s","as_of":%s,`+
			`"recognised":%s,"accrual":%s,"body":`,
			l.ID, read, l.UpdatedAt.Format(time.RFC3339Nano), bucket, st.DaysPastDue, credit.Worse(st.Classification, ""),
			asOf, recognised, accrual)
		rows = append(append(rows, body...), '}')
		for j := max(x.History, 0); j < len(st.History); j++ {
			h := st.History[j]
			hLoan, hSeq, hOn = append(hLoan, l.ID.String()), append(hSeq, int64(j)), append(hOn, h.On.String())
			hWhat, hFrom, hTo = append(hWhat, h.What), append(hFrom, h.From), append(hTo, h.To)
		}
	}
	rows = append(rows, ']')
	var events []event.Envelope
	for _, x := range b.Loans {
		events = append(events, x.Events...)
	}
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		if n > 0 {
			res, err := tx.ExecContext(ctx, `UPDATE credit.loans l SET version = u.version + 1, body = COALESCE(u.body, l.body),
				updated_at = u.updated_at, bucket = u.bucket, days_past_due = u.dpd, classification = u.class,
				as_of = u.as_of, accrual = u.accrual, recognised = u.recognised
				FROM jsonb_to_recordset($1::jsonb)
					AS u(id uuid, version bigint, body jsonb, updated_at timestamptz, bucket text, dpd integer, class text,
						as_of date, accrual jsonb, recognised numeric)
				WHERE l.id = u.id AND l.version = u.version`, string(rows))
			if err != nil {
				return err
			}
			if got, err := res.RowsAffected(); err != nil {
				return err
			} else if got != int64(n) {
				return fmt.Errorf("%w: %d of %d loans of the page", credit.ErrConcurrentUpdate, int64(n)-got, n)
			}
		}
		if len(hLoan) > 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO credit.standing_history (loan_id, seq, on_date, what, from_value, to_value)
				SELECT * FROM unnest($1::uuid[], $2::integer[], $3::date[], $4::text[], $5::text[], $6::text[])`,
				pq.Array(hLoan), pq.Array(hSeq), pq.Array(hOn), pq.Array(hWhat), pq.Array(hFrom), pq.Array(hTo)); err != nil {
				return err
			}
		}
		if len(events) > 0 {
			if err := s.outbox.Append(ctx, tx, events...); err != nil { // one statement for the page
				return err
			}
		}
		if err := insertPostings(ctx, tx, b.Date, b.Postings); err != nil {
			return err
		}
		return markPosted(ctx, tx, b.Posted)
	})
	return err
}

// QuietLoans implements credit.QuietEndOfDayStore: the few columns of
// the loans, never their records.
func (s *Store) QuietLoans(ctx context.Context, q credit.QuietQuery) ([]credit.QuietLoan, error) {
	var rows []struct {
		ID         credit.ID       `db:"id"`
		Version    int64           `db:"version"`
		Currency   string          `db:"currency"`
		Accrual    []byte          `db:"accrual"`
		Recognised decimal.Decimal `db:"recognised"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT id, version, currency, accrual, recognised FROM credit.loans
		WHERE status = 'active' AND id > $1 AND accrual IS NOT NULL AND recognised IS NOT NULL AND days_past_due = 0
			AND (as_of < $2 AND bucket = $3 AND classification = 'normal' OR as_of IS NULL AND bucket = '')
			AND credit.iso_date(accrual->>'next_due') > $4
		ORDER BY id LIMIT $5`, q.After, q.Date, q.Bucket, q.DueAfter, q.Limit); err != nil {
		return nil, err
	}
	out := make([]credit.QuietLoan, len(rows))
	for i, r := range rows {
		out[i] = credit.QuietLoan{ID: r.ID, Version: r.Version, Currency: money.Currency(r.Currency), Recognised: r.Recognised}
		if err := json.Unmarshal(r.Accrual, &out[i].Cursor); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// ApplyQuiet implements credit.QuietEndOfDayStore: the loans in one
// UPDATE from arrays (as_of, version, updated_at and recognised, and the
// bucket and classification of a loan's first end of day; at the
// version each was read and not yet as of the date), the postings in one
// INSERT, in one transaction.
func (s *Store) ApplyQuiet(ctx context.Context, b credit.QuietBatch) error {
	n := len(b.Loans)
	ids, versions, recognised := make([]string, n), make([]int64, n), make([]string, n)
	seen := make(map[credit.ID]bool, n)
	for i, x := range b.Loans {
		if seen[x.ID] {
			return fmt.Errorf("%w: loan %s twice in a batch", credit.ErrInvalidInput, x.ID)
		}
		seen[x.ID] = true
		ids[i], versions[i], recognised[i] = x.ID.String(), x.Version, x.Recognised.String()
	}
	return s.tx(ctx, func(tx *sqlx.Tx) error {
		if n > 0 {
			res, err := tx.ExecContext(ctx, `UPDATE credit.loans l SET version = l.version + 1, updated_at = $2, as_of = $3,
				recognised = u.recognised,
				bucket = CASE WHEN l.bucket = '' THEN $6 ELSE l.bucket END,
				classification = CASE WHEN l.bucket = '' THEN 'normal' ELSE l.classification END
				FROM unnest($1::uuid[], $4::bigint[], $5::numeric[]) AS u(id, version, recognised)
				WHERE l.id = u.id AND l.version = u.version AND (l.as_of IS NULL OR l.as_of < $3) AND l.accrual IS NOT NULL`,
				pq.Array(ids), b.UpdatedAt, b.Date, pq.Array(versions), pq.Array(recognised), b.Bucket)
			if err != nil {
				return err
			}
			if got, err := res.RowsAffected(); err != nil {
				return err
			} else if got != int64(n) {
				return fmt.Errorf("%w: %d of %d loans of the page", credit.ErrConcurrentUpdate, int64(n)-got, n)
			}
		}
		if err := insertPostings(ctx, tx, b.Date, b.Postings); err != nil {
			return err
		}
		return markPosted(ctx, tx, b.Posted)
	})
}

func insertPostings(ctx context.Context, tx *sqlx.Tx, date calendar.Date, postings []credit.LedgerEntry) error {
	if len(postings) == 0 {
		return nil
	}
	var keys, entries []string
	for _, e := range postings {
		body, err := json.Marshal(e)
		if err != nil {
			return err
		}
		keys, entries = append(keys, e.Key), append(entries, string(body))
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO credit.eod_postings (key, on_date, entry)
		SELECT k, $3, e FROM unnest($1::text[], $2::jsonb[]) AS p(k, e)`, pq.Array(keys), pq.Array(entries), date); err != nil {
		if pgtx.IsUniqueViolation(err, "") {
			return fmt.Errorf("%w: end-of-day posting among %q", credit.ErrDuplicate, keys)
		}
		return err
	}
	return nil
}

func markPosted(ctx context.Context, tx sqlx.ExecerContext, keys []string) error {
	if len(keys) == 0 {
		return nil
	}
	_, err := tx.ExecContext(ctx, `UPDATE credit.eod_postings SET posted = true WHERE key = ANY($1) AND NOT posted`,
		pq.Array(keys))
	return err
}

// EndOfDayPostings implements credit.Store.
func (s *Store) EndOfDayPostings(ctx context.Context) ([]credit.LedgerEntry, error) {
	return selectBodies[credit.LedgerEntry](ctx, s.db, `SELECT entry FROM credit.eod_postings WHERE NOT posted ORDER BY key`)
}

// MarkEndOfDayPosted implements credit.Store.
func (s *Store) MarkEndOfDayPosted(ctx context.Context, keys []string) error {
	return markPosted(ctx, s.db, keys)
}
