package pgledger

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/internal/pgtx"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/endofday"
	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/bankkit/bankkit/money"
)

// interestRow is a row of ledger.interest_accounts.
type interestRow struct {
	AccountID   ledger.ID       `db:"account_id"`
	Currency    string          `db:"currency"`
	Product     string          `db:"product"`
	From        calendar.Date   `db:"accrue_from"`
	PeriodStart calendar.Date   `db:"period_start"`
	LastAccrued calendar.Date   `db:"last_accrued"`
	Credit      decimal.Decimal `db:"credit"`
	Compounded  decimal.Decimal `db:"compounded"`
	Debit       decimal.Decimal `db:"debit"`
	BalanceSum  decimal.Decimal `db:"balance_sum"`
	Days        int             `db:"days"`
	CreditCarry decimal.Decimal `db:"credit_carry"`
	DebitCarry  decimal.Decimal `db:"debit_carry"`
	TaxCarry    decimal.Decimal `db:"tax_carry"`
}

const interestColumns = `account_id, currency, product, accrue_from, period_start, last_accrued, credit, compounded,
	debit, balance_sum, days, credit_carry, debit_carry, tax_carry`

func (r interestRow) account() endofday.InterestAccount {
	return endofday.InterestAccount{
		AccountID: r.AccountID, Currency: money.Currency(r.Currency), ProductCode: r.Product, From: r.From,
		Accrual: interest.Accrual{
			PeriodStart: r.PeriodStart, LastAccrued: r.LastAccrued,
			Credit: r.Credit, Compounded: r.Compounded, Debit: r.Debit,
			BalanceSum: r.BalanceSum, Days: r.Days,
			CreditCarry: r.CreditCarry, DebitCarry: r.DebitCarry, TaxCarry: r.TaxCarry,
		},
	}
}

// CreateInterestAccount implements endofday.Store.
func (s *Store) CreateInterestAccount(ctx context.Context, a endofday.InterestAccount) (endofday.InterestAccount, bool, error) {
	var rows []interestRow
	err := s.db.SelectContext(ctx, &rows, `WITH inserted AS (
			INSERT INTO ledger.interest_accounts (account_id, currency, product, accrue_from) VALUES ($1, $2, $3, $4)
			ON CONFLICT (account_id) DO NOTHING RETURNING `+interestColumns+`)
		SELECT `+interestColumns+` FROM inserted`,
		a.AccountID, string(a.Currency), a.ProductCode, a.From)
	if err != nil {
		return endofday.InterestAccount{}, false, err
	}
	if len(rows) == 1 {
		return rows[0].account(), true, nil
	}
	old, err := s.InterestAccount(ctx, a.AccountID)
	if err != nil {
		return endofday.InterestAccount{}, false, err
	}
	if old.ProductCode != a.ProductCode {
		return endofday.InterestAccount{}, false, fmt.Errorf("%w: account %s earns interest under %s", ledger.ErrDuplicate, a.AccountID, old.ProductCode)
	}
	return old, false, nil
}

// InterestAccount implements endofday.Store.
func (s *Store) InterestAccount(ctx context.Context, id ledger.ID) (endofday.InterestAccount, error) {
	var r interestRow
	err := s.db.GetContext(ctx, &r, `SELECT `+interestColumns+` FROM ledger.interest_accounts WHERE account_id = $1`, id)
	if err != nil {
		return endofday.InterestAccount{}, noRows(err, fmt.Errorf("%w: no interest product on account %s", ledger.ErrNotFound, id))
	}
	return r.account(), nil
}

// InterestAccounts implements endofday.Store: one keyset page by the
// primary key.
func (s *Store) InterestAccounts(ctx context.Context, after ledger.ID, limit int) ([]endofday.InterestAccount, error) {
	var rows []interestRow
	err := s.db.SelectContext(ctx, &rows, `SELECT `+interestColumns+` FROM ledger.interest_accounts
		WHERE account_id > $1 ORDER BY account_id LIMIT $2`, after, max(limit, 0))
	if err != nil {
		return nil, err
	}
	out := make([]endofday.InterestAccount, len(rows))
	for i, r := range rows {
		out[i] = r.account()
	}
	return out, nil
}

// ClosingBalances implements endofday.Store in one statement: each
// account's running balance (the sum of its balance rows) less what
// entries value-dated after day added, which reads only the few postings
// after day through the (account_id, value_date) index instead of the
// account's whole history.
func (s *Store) ClosingBalances(ctx context.Context, day calendar.Date, ids []ledger.ID) ([]decimal.Decimal, error) {
	texts := make([]string, len(ids))
	for i, id := range ids {
		texts[i] = id.String()
	}
	var rows []struct {
		ID      ledger.ID       `db:"id"`
		Balance decimal.Decimal `db:"balance"`
	}
	err := pgtx.Run(ctx, s.db, &sql.TxOptions{ReadOnly: true}, func(tx *sqlx.Tx) error {
		rows = rows[:0]
		// The planner prices the per-account probes of postings from its
		// statistics, which are stale right after a posting day has added
		// a million postings; priced high, the query is JIT-compiled,
		// which costs five times the query itself. This statement is
		// PostgreSQL's own (other PostgreSQL-compatible databases may need
		// it left out).
		if _, err := tx.ExecContext(ctx, `SET LOCAL jit = off`); err != nil {
			return err
		}
		return tx.SelectContext(ctx, &rows, `SELECT a.id,
			(SELECT COALESCE(sum(b.balance), 0) FROM ledger.balances b WHERE b.account_id = a.id)
			- COALESCE((SELECT sum(`+normalChange+`) FROM ledger.postings p
				WHERE p.account_id = a.id AND p.value_date > $2::date), 0) AS balance
		FROM unnest($1::uuid[]) WITH ORDINALITY AS q(id, n)
		JOIN ledger.accounts a ON a.id = q.id
		ORDER BY q.n`, pq.StringArray(texts), day)
	})
	if err != nil {
		return nil, err
	}
	if len(rows) != len(ids) {
		found := make(map[ledger.ID]bool, len(rows))
		for _, r := range rows {
			found[r.ID] = true
		}
		for _, id := range ids {
			if !found[id] {
				return nil, notFound("account", id)
			}
		}
	}
	out := make([]decimal.Decimal, len(rows))
	for i, r := range rows {
		out[i] = r.Balance
	}
	return out, nil
}

// SaveAccrualPage implements endofday.Store: in one transaction, one
// statement locks the page's rows in key order and updates them from
// unnest arrays where last_accrued is still what the caller read, and a
// second saves the run.
func (s *Store) SaveAccrualPage(ctx context.Context, run endofday.Run, updates []endofday.AccrualUpdate) error {
	record, err := runRecord(run)
	if err != nil {
		return err
	}
	n := len(updates)
	ids, before, start, last := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	credit, compounded, debit, sum := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
	days := make([]int64, n)
	creditCarry, debitCarry, taxCarry := make([]string, n), make([]string, n), make([]string, n)
	for i, u := range updates {
		a := u.Accrual
		ids[i], before[i] = u.AccountID.String(), dateText(u.Before)
		start[i], last[i] = dateText(a.PeriodStart), dateText(a.LastAccrued)
		credit[i], compounded[i], debit[i], sum[i] = a.Credit.String(), a.Compounded.String(), a.Debit.String(), a.BalanceSum.String()
		days[i] = int64(a.Days)
		creditCarry[i], debitCarry[i], taxCarry[i] = a.CreditCarry.String(), a.DebitCarry.String(), a.TaxCarry.String()
	}
	return pgtx.Run(ctx, s.db, nil, func(tx *sqlx.Tx) error {
		// A page lost to a crash after this commit is redone by the
		// resumed run, which replays its postings by key and recomputes
		// the same states, so the commit need not wait for the WAL flush.
		if _, err := tx.ExecContext(ctx, `SET LOCAL synchronous_commit = off`); err != nil {
			return err
		}
		if n > 0 {
			res, err := tx.ExecContext(ctx, `WITH locked AS (
					SELECT account_id FROM ledger.interest_accounts
					WHERE account_id = ANY($1::uuid[]) ORDER BY account_id FOR UPDATE)
				UPDATE ledger.interest_accounts ia SET
					period_start = NULLIF(u.period_start, '')::date, last_accrued = NULLIF(u.last_accrued, '')::date,
					credit = u.credit, compounded = u.compounded, debit = u.debit, balance_sum = u.balance_sum,
					days = u.days, credit_carry = u.credit_carry, debit_carry = u.debit_carry, tax_carry = u.tax_carry
				FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::numeric[], $6::numeric[], $7::numeric[],
					$8::numeric[], $9::int[], $10::numeric[], $11::numeric[], $12::numeric[])
					AS u(account_id, before, period_start, last_accrued, credit, compounded, debit, balance_sum, days,
						credit_carry, debit_carry, tax_carry)
				WHERE ia.account_id = u.account_id AND ia.account_id IN (SELECT account_id FROM locked)
					AND ia.last_accrued IS NOT DISTINCT FROM NULLIF(u.before, '')::date`,
				pq.StringArray(ids), pq.StringArray(before), pq.StringArray(start), pq.StringArray(last),
				pq.StringArray(credit), pq.StringArray(compounded), pq.StringArray(debit), pq.StringArray(sum),
				pq.Int64Array(days), pq.StringArray(creditCarry), pq.StringArray(debitCarry), pq.StringArray(taxCarry))
			if err != nil {
				return err
			}
			if changed, err := res.RowsAffected(); err != nil {
				return err
			} else if changed != int64(n) {
				return fmt.Errorf("%w: %d of %d accounts were accrued by someone else", endofday.ErrAccrualConflict, int64(n)-changed, n)
			}
		}
		return saveRun(ctx, tx, run, record)
	})
}

// dateText is a date as text for a text[] array, empty for the zero date.
func dateText(d calendar.Date) string {
	if d.IsZero() {
		return ""
	}
	return d.String()
}
