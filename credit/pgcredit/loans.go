package pgcredit

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"

	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/internal/pgtx"
)

// CreateContract implements credit.Store. The application's earlier
// versions are locked in id order, so an acceptance and a re-issue of the
// same application queue and the second sees the first's outcome.
func (s *Store) CreateContract(ctx context.Context, c credit.Contract, docs credit.Documents, events ...event.Envelope) error {
	body, err := json.Marshal(c)
	if err != nil {
		return err
	}
	err = s.tx(ctx, func(tx *sqlx.Tx) error {
		var earlier []struct {
			ID      credit.ID `db:"id"`
			Version int       `db:"version"`
			Status  string    `db:"status"`
		}
		if err := tx.SelectContext(ctx, &earlier, `SELECT id, version, status FROM credit.contracts
			WHERE application_id = $1 ORDER BY id FOR UPDATE`, c.ApplicationID); err != nil {
			return err
		}
		for _, e := range earlier {
			if e.Status == string(credit.ContractAccepted) {
				return fmt.Errorf("%w: contract version %d of application %s is accepted", credit.ErrInvalidTransition, e.Version, c.ApplicationID)
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE credit.contracts SET status = 'superseded',
			body = jsonb_set(body, '{status}', '"superseded"') WHERE application_id = $1 AND status = 'issued'`, c.ApplicationID); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO credit.contracts (id, application_id, customer_id, version, status, body,
			html, pdf, html_sha256, pdf_sha256, issued_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`,
			c.ID, c.ApplicationID, c.CustomerID, c.Version, c.Status, body, docs.HTML, docs.PDF, c.HTMLSHA256, c.PDFSHA256,
			c.IssuedAt); err != nil {
			return err
		}
		return s.outbox.Append(ctx, tx, events...)
	})
	switch {
	case pgtx.IsUniqueViolation(err, ""):
		return fmt.Errorf("%w: contract version %d of application %s", credit.ErrDuplicate, c.Version, c.ApplicationID)
	case pgtx.Code(err) == "23503":
		return fmt.Errorf("%w: application %s", credit.ErrNotFound, c.ApplicationID)
	}
	return err
}

func decode[T any](body []byte, err error, what string) (T, error) {
	var v T
	if errors.Is(err, sql.ErrNoRows) {
		return v, fmt.Errorf("%w: %s", credit.ErrNotFound, what)
	}
	if err != nil {
		return v, err
	}
	return v, json.Unmarshal(body, &v)
}

// Contract implements credit.Store.
func (s *Store) Contract(ctx context.Context, id credit.ID) (credit.Contract, error) {
	var body []byte
	err := s.db.GetContext(ctx, &body, `SELECT body FROM credit.contracts WHERE id = $1`, id)
	return decode[credit.Contract](body, err, "contract "+id.String())
}

// Contracts implements credit.Store.
func (s *Store) Contracts(ctx context.Context, applicationID credit.ID) ([]credit.Contract, error) {
	return selectBodies[credit.Contract](ctx, s.db, `SELECT body FROM credit.contracts WHERE application_id = $1 ORDER BY version`,
		applicationID)
}

// ContractDocument implements credit.Store.
func (s *Store) ContractDocument(ctx context.Context, id credit.ID, f credit.DocumentFormat) ([]byte, error) {
	col := "html"
	if f == credit.FormatPDF {
		col = "pdf"
	}
	var doc []byte
	err := s.db.GetContext(ctx, &doc, `SELECT `+col+` FROM credit.contracts WHERE id = $1`, id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("%w: contract %s", credit.ErrNotFound, id)
	}
	return doc, err
}

func (s *Store) writeLoan(ctx context.Context, tx *sqlx.Tx, l credit.Loan, insert bool) ([]byte, error) {
	body, err := json.Marshal(l)
	if err != nil {
		return nil, err
	}
	var account any
	if l.Account != credit.NilID {
		account = l.Account
	}
	accrual, recognised, err := accrualCols(l)
	if err != nil {
		return nil, err
	}
	st := l.Standing
	class := credit.Worse(st.Classification, "")
	if insert {
		_, err = tx.ExecContext(ctx, `INSERT INTO credit.loans (id, contract_id, customer_id, product_id, status, currency,
			principal, disbursed, outstanding, advance, account, version, body, created_at, updated_at,
			bucket, days_past_due, classification, grade, pd, booked_on, closed_on, written_off_on, as_of, accrual, recognised)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23,
				$24, $25, $26)`,
			l.ID, l.ContractID, l.CustomerID, l.ProductID, l.Status, l.Currency(), l.Schedule.Terms().Principal.Amount,
			l.Disbursed.Amount, l.Outstanding.Amount, l.Advance.Amount, account, l.Version, body, l.CreatedAt, l.UpdatedAt,
			st.Bucket, st.DaysPastDue, class, l.Grade, l.PD, nullDate(l.BookedOn()), nullDate(l.ClosedOn), writtenOffOn(l),
			nullDate(st.AsOf), accrual, recognised)
	} else {
		_, err = tx.ExecContext(ctx, `UPDATE credit.loans SET status = $2, disbursed = $3, outstanding = $4, advance = $5,
			account = $6, version = $7, body = $8, updated_at = $9, bucket = $10, days_past_due = $11, classification = $12,
			booked_on = $13, closed_on = $14, written_off_on = $15, principal = $16, as_of = $17, accrual = $18,
			recognised = $19 WHERE id = $1`,
			l.ID, l.Status, l.Disbursed.Amount, l.Outstanding.Amount, l.Advance.Amount, account, l.Version, body, l.UpdatedAt,
			st.Bucket, st.DaysPastDue, class, nullDate(l.BookedOn()), nullDate(l.ClosedOn), writtenOffOn(l),
			l.Schedule.Terms().Principal.Amount, nullDate(st.AsOf), accrual, recognised)
	}
	return body, err
}

// AcceptContract implements credit.Store.
func (s *Store) AcceptContract(ctx context.Context, id credit.ID, fn func(credit.Contract) (credit.Contract, credit.Loan, []event.Envelope, error)) (credit.Contract, credit.Loan, error) {
	var c credit.Contract
	var l credit.Loan
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		var body []byte
		err := tx.GetContext(ctx, &body, `SELECT body FROM credit.contracts WHERE id = $1 FOR UPDATE`, id)
		old, err := decode[credit.Contract](body, err, "contract "+id.String())
		if err != nil {
			return err
		}
		next, loan, events, err := fn(old)
		if err != nil {
			return err
		}
		next.ID, next.ApplicationID, next.Version = old.ID, old.ApplicationID, old.Version
		cb, err := json.Marshal(next)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE credit.contracts SET status = $2, body = $3 WHERE id = $1`,
			id, next.Status, cb); err != nil {
			return err
		}
		lb, err := s.writeLoan(ctx, tx, loan, true)
		if err != nil {
			return err
		}
		if err := s.outbox.Append(ctx, tx, events...); err != nil {
			return err
		}
		if c, err = decode[credit.Contract](cb, nil, ""); err != nil {
			return err
		}
		l, err = decode[credit.Loan](lb, nil, "")
		return err
	})
	if pgtx.IsUniqueViolation(err, "") {
		return credit.Contract{}, credit.Loan{}, fmt.Errorf("%w: contract %s has a loan", credit.ErrDuplicate, id)
	}
	if err != nil {
		return credit.Contract{}, credit.Loan{}, err
	}
	return c, l, nil
}

// Loan implements credit.Store.
func (s *Store) Loan(ctx context.Context, id credit.ID) (credit.Loan, error) {
	return getLoan(ctx, s.db, `SELECT `+loanCols+` FROM credit.loans WHERE id = $1`, id)
}

// Loans implements credit.Store.
func (s *Store) Loans(ctx context.Context, f credit.LoanFilter, page credit.Page) ([]credit.Loan, error) {
	where := []string{"id > $1"}
	args := []any{page.After}
	if f.CustomerID != credit.NilID {
		args = append(args, f.CustomerID)
		where = append(where, fmt.Sprintf("customer_id = $%d", len(args)))
	}
	if f.Status != "" {
		args = append(args, f.Status)
		where = append(where, fmt.Sprintf("status = $%d", len(args)))
	}
	if f.Bucket != "" {
		args = append(args, f.Bucket)
		where = append(where, fmt.Sprintf("bucket = $%d", len(args)))
	}
	if f.Overdue {
		where = append(where, "days_past_due > 0")
	}
	args = append(args, page.Limit)
	q := fmt.Sprintf(`SELECT `+loanCols+` FROM credit.loans WHERE %s ORDER BY id LIMIT $%d`, strings.Join(where, " AND "), len(args))
	return selectLoans(ctx, s.db, q, args...)
}

// UpdateLoan implements credit.Store.
func (s *Store) UpdateLoan(ctx context.Context, id credit.ID, fn func(credit.Loan) (credit.Loan, *credit.Repayment, []event.Envelope, error)) (credit.Loan, error) {
	var out credit.Loan
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		old, err := getLoan(ctx, tx, `SELECT `+loanCols+` FROM credit.loans WHERE id = $1 FOR UPDATE`, id)
		if err != nil {
			return err
		}
		next, rep, events, err := fn(old)
		if err != nil {
			return err
		}
		next.ID, next.ContractID, next.CustomerID, next.Version = id, old.ContractID, old.CustomerID, old.Version+1
		nb, err := s.writeLoan(ctx, tx, next, false)
		if err != nil {
			return err
		}
		for i := len(old.Standing.History); i < len(next.Standing.History); i++ {
			h := next.Standing.History[i]
			if _, err := tx.ExecContext(ctx, `INSERT INTO credit.standing_history (loan_id, seq, on_date, what, from_value, to_value)
				VALUES ($1, $2, $3, $4, $5, $6)`, id, i, h.On, h.What, h.From, h.To); err != nil {
				return err
			}
		}
		if rep != nil {
			rep.LoanID = id
			rb, err := json.Marshal(rep)
			if err != nil {
				return err
			}
			if _, err := tx.ExecContext(ctx, `INSERT INTO credit.repayments (id, loan_id, key, kind, amount, received_on, body)
				VALUES ($1, $2, $3, $4, $5, $6, $7)`, rep.ID, id, rep.Key, rep.Kind, rep.Amount.Amount, rep.ReceivedOn, rb); err != nil {
				if pgtx.IsUniqueViolation(err, "") {
					return fmt.Errorf("%w: repayment key %q of loan %s", credit.ErrDuplicate, rep.Key, id)
				}
				return err
			}
		}
		if err := s.outbox.Append(ctx, tx, events...); err != nil {
			return err
		}
		out, err = decode[credit.Loan](nb, nil, "")
		return err
	})
	if err != nil {
		return credit.Loan{}, err
	}
	return out, nil
}

// Repayments implements credit.Store.
func (s *Store) Repayments(ctx context.Context, loanID credit.ID, page credit.Page) ([]credit.Repayment, error) {
	return selectBodies[credit.Repayment](ctx, s.db, `SELECT body FROM credit.repayments WHERE loan_id = $1 AND id > $2
		ORDER BY id LIMIT $3`, loanID, page.After, page.Limit)
}

// RepaymentByKey implements credit.Store.
func (s *Store) RepaymentByKey(ctx context.Context, loanID credit.ID, key string) (credit.Repayment, error) {
	var body []byte
	err := s.db.GetContext(ctx, &body, `SELECT body FROM credit.repayments WHERE loan_id = $1 AND key = $2`, loanID, key)
	return decode[credit.Repayment](body, err, fmt.Sprintf("repayment %q of loan %s", key, loanID))
}

func nullDate(d calendar.Date) any {
	if d.IsZero() {
		return nil
	}
	return d
}

func writtenOffOn(l credit.Loan) any {
	if l.WriteOff == nil {
		return nil
	}
	return l.WriteOff.On
}

// Exposure implements credit.Store: grouped and summed in SQL.
func (s *Store) Exposure(ctx context.Context, q credit.ExposureQuery) ([]credit.ExposureRow, error) {
	cols := map[credit.Dimension]string{credit.ByClassification: "classification", credit.ByProduct: "product_id::text",
		credit.ByGrade: "grade", credit.ByCustomer: "customer_id::text"}
	sel := map[credit.Dimension]string{}
	group := []string{"currency"}
	for _, d := range q.By {
		c, ok := cols[d]
		if !ok {
			return nil, fmt.Errorf("%w: dimension %q", credit.ErrInvalidInput, d)
		}
		if _, dup := sel[d]; !dup {
			sel[d] = c
			group = append(group, c)
		}
	}
	pick := func(d credit.Dimension) string {
		if c, ok := sel[d]; ok {
			return c
		}
		return "''"
	}
	query := fmt.Sprintf(`SELECT currency, %s AS classification, %s AS product_id, %s AS grade, %s AS customer_id,
		count(*) AS loans, sum(outstanding) AS outstanding, sum(pd * outstanding) AS pd_weighted
		FROM credit.loans WHERE status IN ('active', 'disbursing') GROUP BY %s
		ORDER BY sum(outstanding) DESC, %s`, pick(credit.ByClassification), pick(credit.ByProduct), pick(credit.ByGrade),
		pick(credit.ByCustomer), strings.Join(group, ", "), strings.Join(group, ", "))
	var args []any
	if q.Top > 0 {
		query += " LIMIT $1"
		args = append(args, q.Top)
	}
	var rows []struct {
		Currency       string          `db:"currency"`
		Classification string          `db:"classification"`
		ProductID      string          `db:"product_id"`
		Grade          string          `db:"grade"`
		CustomerID     string          `db:"customer_id"`
		Loans          int             `db:"loans"`
		Outstanding    decimal.Decimal `db:"outstanding"`
		PDWeighted     decimal.Decimal `db:"pd_weighted"`
	}
	if err := s.db.SelectContext(ctx, &rows, query, args...); err != nil {
		return nil, err
	}
	out := make([]credit.ExposureRow, 0, len(rows))
	for _, r := range rows {
		e := credit.ExposureRow{Currency: money.Currency(r.Currency), Classification: credit.Classification(r.Classification),
			Grade: r.Grade, Loans: r.Loans, Outstanding: r.Outstanding, PDWeighted: r.PDWeighted}
		var err error
		if r.ProductID != "" {
			if e.ProductID, err = credit.ParseID(r.ProductID); err != nil {
				return nil, err
			}
		}
		if r.CustomerID != "" {
			if e.CustomerID, err = credit.ParseID(r.CustomerID); err != nil {
				return nil, err
			}
		}
		out = append(out, e)
	}
	credit.SortExposure(out)
	return out, nil
}

// Migration implements credit.Store: each loan's state on both dates is
// worked out and counted in SQL.
func (s *Store) Migration(ctx context.Context, from, to calendar.Date) ([]credit.MigrationCell, error) {
	var cells []credit.MigrationCell
	err := s.db.SelectContext(ctx, &cells, `WITH s AS (
		SELECT
			CASE WHEN l.written_off_on <= $1 THEN 'written_off' WHEN l.status = 'closed' AND l.closed_on <= $1 THEN 'closed'
				ELSE COALESCE((SELECT h.to_value FROM credit.standing_history h WHERE h.loan_id = l.id
					AND h.what = 'classification' AND h.on_date <= $1 ORDER BY h.seq DESC LIMIT 1), 'normal') END AS a,
			CASE WHEN l.written_off_on <= $2 THEN 'written_off' WHEN l.status = 'closed' AND l.closed_on <= $2 THEN 'closed'
				ELSE COALESCE((SELECT h.to_value FROM credit.standing_history h WHERE h.loan_id = l.id
					AND h.what = 'classification' AND h.on_date <= $2 ORDER BY h.seq DESC LIMIT 1), 'normal') END AS b
		FROM credit.loans l WHERE l.booked_on <= $1)
		SELECT a AS "from", b AS "to", count(*) AS loans FROM s GROUP BY a, b`, from, to)
	if err != nil {
		return nil, err
	}
	credit.SortMigration(cells)
	return cells, nil
}
