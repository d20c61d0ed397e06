package pgcredit

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/internal/pgtx"
)

// EndOfDayLoans implements credit.Store: the as_of column (migration
// 0008, kept from the record) leaves the loans already brought to the
// date in the database.
func (s *Store) EndOfDayLoans(ctx context.Context, date calendar.Date, after credit.ID, limit int) ([]credit.Loan, error) {
	var bodies [][]byte
	if err := s.db.SelectContext(ctx, &bodies, `SELECT body FROM credit.loans
		WHERE status = 'active' AND id > $1 AND (as_of IS NULL OR as_of < $2) ORDER BY id LIMIT $3`,
		after, date, limit); err != nil {
		return nil, err
	}
	return decodeLoans(bodies)
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
		body, err := json.Marshal(l)
		if err != nil {
			return err
		}
		st := l.Standing
		if i > 0 {
			rows = append(rows, ',')
		}
		bucket, err := json.Marshal(st.Bucket)
		if err != nil {
			return err
		}
		rows = fmt.Appendf(rows, `{"id":"%s","version":%d,"updated_at":"%s","bucket":%s,"dpd":%d,"class":"%s","body":`,
			l.ID, read, l.UpdatedAt.Format(time.RFC3339Nano), bucket, st.DaysPastDue, credit.Worse(st.Classification, ""))
		rows = append(append(rows, body...), '}')
		for j := max(x.History, 0); j < len(st.History); j++ {
			h := st.History[j]
			hLoan, hSeq, hOn = append(hLoan, l.ID.String()), append(hSeq, int64(j)), append(hOn, h.On.String())
			hWhat, hFrom, hTo = append(hWhat, h.What), append(hFrom, h.From), append(hTo, h.To)
		}
	}
	rows = append(rows, ']')
	var pKeys, pEntries []string
	for _, e := range b.Postings {
		body, err := json.Marshal(e)
		if err != nil {
			return err
		}
		pKeys, pEntries = append(pKeys, e.Key), append(pEntries, string(body))
	}
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		if n > 0 {
			res, err := tx.ExecContext(ctx, `UPDATE credit.loans l SET version = u.version + 1, body = u.body,
				updated_at = u.updated_at, bucket = u.bucket, days_past_due = u.dpd, classification = u.class
				FROM jsonb_to_recordset($1::jsonb)
					AS u(id uuid, version bigint, body jsonb, updated_at timestamptz, bucket text, dpd integer, class text)
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
		for _, x := range b.Loans {
			if len(x.Events) > 0 {
				if err := s.outbox.Append(ctx, tx, x.Events...); err != nil {
					return err
				}
			}
		}
		if len(pKeys) > 0 {
			if _, err := tx.ExecContext(ctx, `INSERT INTO credit.eod_postings (key, on_date, entry)
				SELECT k, $3, e FROM unnest($1::text[], $2::jsonb[]) AS p(k, e)`,
				pq.Array(pKeys), pq.Array(pEntries), b.Date); err != nil {
				if pgtx.IsUniqueViolation(err, "") {
					return fmt.Errorf("%w: end-of-day posting among %q", credit.ErrDuplicate, pKeys)
				}
				return err
			}
		}
		return markPosted(ctx, tx, b.Posted)
	})
	return err
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

// decodeLoans decodes loans' records, several at a time for a long page.
func decodeLoans(bodies [][]byte) ([]credit.Loan, error) {
	out := make([]credit.Loan, len(bodies))
	for i, b := range bodies {
		if err := json.Unmarshal(b, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}
