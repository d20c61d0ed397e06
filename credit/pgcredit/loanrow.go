package pgcredit

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/money"
)

// A loan is its record (body, JSON) and, beside it, what the quiet end of
// day changes without touching the record (migration 0009): as_of, the
// version, updated_at and what is recognised of the instalment accruing
// (recognised, the instalment being accrual's, the loan's AccrualCursor),
// and on a loan's first end of day its bucket and classification.
// Every write of the record writes them too, equal to the record's; the
// quiet end of day writes only them. So a loan read is its record with
// them laid over: the version, the later of the two as-of dates and
// update times, the cursor instalment's recognised interest, and the
// bucket and classification when the record has none yet.

// loanCols are the columns a loan is read from.
const loanCols = `body, version, updated_at, as_of, accrual, recognised, bucket, classification`

type loanRow struct {
	Body       []byte              `db:"body"`
	Version    int64               `db:"version"`
	UpdatedAt  time.Time           `db:"updated_at"`
	AsOf       calendar.Date       `db:"as_of"`
	Accrual    []byte              `db:"accrual"`
	Recognised decimal.NullDecimal `db:"recognised"`
	Bucket     string              `db:"bucket"`
	Class      string              `db:"classification"`
}

func (r loanRow) loan() (credit.Loan, error) {
	var l credit.Loan
	if err := json.Unmarshal(r.Body, &l); err != nil {
		return l, err
	}
	l.Version = r.Version
	if r.AsOf.After(l.Standing.AsOf) {
		l.Standing.AsOf = r.AsOf
	}
	if r.Bucket != "" && l.Standing.Bucket == "" { // the quiet path's first end of day of the loan
		l.Standing.Bucket, l.Standing.Classification = r.Bucket, credit.Classification(r.Class)
	}
	if r.UpdatedAt.Sub(l.UpdatedAt) >= time.Microsecond { // written since the record (which keeps nanoseconds)
		l.UpdatedAt = r.UpdatedAt.UTC()
	}
	if r.Accrual != nil && r.Recognised.Valid {
		var c credit.AccrualCursor
		if err := json.Unmarshal(r.Accrual, &c); err != nil {
			return l, err
		}
		if c.Instalment < 0 || c.Instalment >= len(l.Paid) {
			return l, fmt.Errorf("pgcredit: loan %s: accrual cursor at instalment %d of %d", l.ID, c.Instalment, len(l.Paid))
		}
		if p := &l.Paid[c.Instalment]; !p.Recognised.Amount.Equal(r.Recognised.Decimal) {
			p.Recognised = money.Money{Amount: r.Recognised.Decimal, Currency: l.Currency()}
		}
	}
	return l, nil
}

// getLoan reads the one loan query selects (loanCols).
func getLoan(ctx context.Context, q sqlx.QueryerContext, query string, id credit.ID) (credit.Loan, error) {
	var r loanRow
	err := sqlx.GetContext(ctx, q, &r, query, id)
	if errors.Is(err, sql.ErrNoRows) {
		return credit.Loan{}, fmt.Errorf("%w: loan %s", credit.ErrNotFound, id)
	}
	if err != nil {
		return credit.Loan{}, err
	}
	return r.loan()
}

// selectLoans reads the loans query selects (loanCols).
func selectLoans(ctx context.Context, q sqlx.QueryerContext, query string, args ...any) ([]credit.Loan, error) {
	var rows []loanRow
	if err := sqlx.SelectContext(ctx, q, &rows, query, args...); err != nil {
		return nil, err
	}
	out := make([]credit.Loan, len(rows))
	for i, r := range rows {
		var err error
		if out[i], err = r.loan(); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// accrualCols are the accrual and recognised columns of l: its cursor
// and what is recognised of the cursor's instalment, both NULL when it
// has none.
func accrualCols(l credit.Loan) (any, any, error) {
	c := l.AccrualCursor()
	if c == nil {
		return nil, nil, nil
	}
	b, err := json.Marshal(c)
	if err != nil {
		return nil, nil, err
	}
	return string(b), l.Paid[c.Instalment].Recognised.Amount, nil
}
