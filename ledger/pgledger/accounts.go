package pgledger

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/internal/pgtx"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
)

// accountColumns selects an account with its balance and held amount
// summed over its balance rows; queries using it group by a.id.
const accountColumns = `a.id, a.number, COALESCE(a.code, '') AS code, COALESCE(a.owner_id, '') AS owner_id,
	a.product, a.currency, a.normal_side, a.status, a.policy_kind, a.policy_limit,
	to_char(a.opened_on, 'YYYY-MM-DD') AS opened_on, a.created_at, ` + classColumns + `,
	COALESCE(a.ref_client, '') AS ref_client, COALESCE(a.external_ref, '') AS external_ref,
	COALESCE(sum(b.balance), 0) AS balance, COALESCE(sum(b.held), 0) AS held`

const accountFrom = ` FROM ledger.accounts a LEFT JOIN ledger.balances b ON b.account_id = a.id `

// accountRow is the scan target of accountColumns.
type accountRow struct {
	ID          ledger.ID       `db:"id"`
	Number      string          `db:"number"`
	Code        string          `db:"code"`
	OwnerID     string          `db:"owner_id"`
	Product     string          `db:"product"`
	Currency    string          `db:"currency"`
	NormalSide  string          `db:"normal_side"`
	Status      string          `db:"status"`
	PolicyKind  string          `db:"policy_kind"`
	PolicyLimit decimal.Decimal `db:"policy_limit"`
	OpenedOn    string          `db:"opened_on"`
	CreatedAt   time.Time       `db:"created_at"`
	Balance     decimal.Decimal `db:"balance"`
	Held        decimal.Decimal `db:"held"`

	Class         string          `db:"class"`
	DailyOutflow  decimal.Decimal `db:"daily_outflow"`
	AnnualOutflow decimal.Decimal `db:"annual_outflow"`
	MaxBalance    decimal.Decimal `db:"max_balance"`
	Bound         pq.StringArray  `db:"bound"`
	BoundExternal string          `db:"bound_external"`
	RefClient     string          `db:"ref_client"`
	ExternalRef   string          `db:"external_ref"`
}

func (r accountRow) account() (ledger.Account, error) {
	opened, err := parseDate(r.OpenedOn)
	if err != nil {
		return ledger.Account{}, fmt.Errorf("pgledger: account %s: %w", r.ID, err)
	}
	c := money.Currency(r.Currency)
	class, err := r.classInfo()
	if err != nil {
		return ledger.Account{}, err
	}
	return ledger.Account{
		ID:            r.ID,
		Number:        r.Number,
		Code:          r.Code,
		OwnerID:       r.OwnerID,
		Product:       ledger.Product(r.Product),
		Currency:      c,
		NormalSide:    ledger.Side(r.NormalSide),
		Status:        ledger.Status(r.Status),
		Policy:        ledger.BalancePolicy{Kind: ledger.PolicyKind(r.PolicyKind), Limit: r.PolicyLimit},
		OpenedOn:      opened,
		CreatedAt:     r.CreatedAt.UTC(),
		Balance:       money.Money{Amount: r.Balance, Currency: c},
		Held:          money.Money{Amount: r.Held, Currency: c},
		Class:         class.class,
		Limits:        class.limits,
		Bound:         class.bound,
		BoundExternal: class.boundExternal,
		ExternalRef:   ledger.ExternalRef{Client: r.RefClient, Ref: r.ExternalRef},
	}, nil
}

func toAccounts(rows []accountRow) ([]ledger.Account, error) {
	out := make([]ledger.Account, 0, len(rows))
	for _, r := range rows {
		a, err := r.account()
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// floorOf is the lowest balance - held the policy allows, NULL (nil) for
// an unchecked account.
func floorOf(p ledger.BalancePolicy) any {
	switch p.Kind {
	case ledger.PolicyUnchecked:
		return nil
	case ledger.PolicyOverdraft:
		return p.Limit.Neg()
	}
	return decimal.Zero
}

// shardsOf is how many balance rows an account gets.
func shardsOf(p ledger.BalancePolicy) int {
	if p.Checked() {
		return 1
	}
	return Shards
}

// CreateAccount implements ledger.Store.
func (s *Store) CreateAccount(ctx context.Context, a ledger.Account, key string, fp ledger.Fingerprint) (ledger.Account, bool, error) {
	if key != "" {
		prior, replayed, err := s.accountByKey(ctx, key, fp)
		if err != nil || replayed {
			return prior, replayed, err
		}
	}
	if err := a.Validate(); err != nil {
		return ledger.Account{}, false, err
	}
	if a.Policy.Kind == "" {
		a.Policy.Kind = ledger.PolicyNonNegative
	}
	if err := s.refFree(ctx, "account", a.ExternalRef); err != nil {
		return ledger.Account{}, false, err
	}
	if a.CreatedAt.IsZero() {
		a.CreatedAt = time.Now() // a caller of the Store that set none
	}
	a.CreatedAt = stored(a.CreatedAt)
	opened, err := ledger.AccountOpenedEvent(a)
	if err != nil {
		return ledger.Account{}, false, err
	}
	err = pgtx.Run(ctx, s.db, nil, func(tx *sqlx.Tx) error {
		if err := s.outbox.Append(ctx, tx, opened); err != nil {
			return err
		}
		_, err := tx.ExecContext(ctx, `INSERT INTO ledger.accounts (id, number, code, owner_id, product, currency,
			normal_side, status, policy_kind, policy_limit, opened_on, created_at, idempotency_key, fingerprint,
			class, daily_outflow, annual_outflow, max_balance, bound, ref_client, external_ref)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11::date, $12, $13, $14, $15, $16, $17, $18, $19::uuid[], $20, $21)`,
			a.ID, a.Number, nullString(a.Code), nullString(a.OwnerID), a.Product, a.Currency,
			a.NormalSide, a.Status, a.Policy.Kind, a.Policy.Limit, sqlDate(a.OpenedOn), a.CreatedAt,
			nullString(key), fingerprintArg(key, fp),
			nullString(string(a.Class)), a.Limits.DailyOutflow, a.Limits.AnnualOutflow, a.Limits.MaxBalance, idArray(a.Bound),
			nullString(a.ExternalRef.Client), nullString(a.ExternalRef.Ref))
		if err != nil {
			return err
		}
		_, err = tx.ExecContext(ctx, `INSERT INTO ledger.balances (account_id, shard, status, floor)
			SELECT $1, g, $2, $3 FROM generate_series(0, $4 - 1) AS g`,
			a.ID, a.Status, floorOf(a.Policy), shardsOf(a.Policy))
		return err
	})
	switch {
	case err == nil:
		a.Balance, a.Held = money.Zero(a.Currency), money.Zero(a.Currency)
		s.classes.put(a)
		return a, false, nil
	case pgtx.IsUniqueViolation(err, "accounts_external_ref"):
		// A concurrent opening with the reference won.
		if err := s.refFree(ctx, "account", a.ExternalRef); err != nil {
			return ledger.Account{}, false, err
		}
	case pgtx.IsUniqueViolation(err, "accounts_class_one"):
		return ledger.Account{}, false, fmt.Errorf("%w: %s holds a class I account in %s", ledger.ErrClassOneHeld, a.OwnerID, a.Currency)
	case pgtx.IsUniqueViolation(err, "accounts_idempotency_key"):
		// A concurrent request with the same key won: answer as its replay.
		return s.accountByKey(ctx, key, fp)
	case pgtx.IsUniqueViolation(err, "accounts_pkey"):
		return ledger.Account{}, false, fmt.Errorf("%w: account id %s", ledger.ErrDuplicate, a.ID)
	case pgtx.IsUniqueViolation(err, "accounts_number_key"):
		return ledger.Account{}, false, fmt.Errorf("%w: account number %s", ledger.ErrDuplicate, a.Number)
	case pgtx.IsUniqueViolation(err, "accounts_chart_key"):
		return ledger.Account{}, false, fmt.Errorf("%w: chart account %s in %s", ledger.ErrDuplicate, a.Code, a.Currency)
	}
	return ledger.Account{}, false, err
}

// fingerprintArg is the stored fingerprint: NULL when there is no key.
func fingerprintArg(key string, fp ledger.Fingerprint) any {
	if key == "" {
		return nil
	}
	return fp[:]
}

// accountByKey returns the account created with key: replayed when fp
// matches, ErrIdempotencyConflict when not, nothing when the key is unused.
func (s *Store) accountByKey(ctx context.Context, key string, fp ledger.Fingerprint) (ledger.Account, bool, error) {
	var hit struct {
		ID          ledger.ID `db:"id"`
		Fingerprint []byte    `db:"fingerprint"`
	}
	err := s.db.GetContext(ctx, &hit, `SELECT id, fingerprint FROM ledger.accounts WHERE idempotency_key = $1`, key)
	if err != nil {
		return ledger.Account{}, false, noRows(err, nil)
	}
	if string(hit.Fingerprint) != string(fp[:]) {
		return ledger.Account{}, false, fmt.Errorf("%w: account key %q", ledger.ErrIdempotencyConflict, key)
	}
	a, err := s.Account(ctx, hit.ID)
	return a, err == nil, err
}

// UpdateAccount implements ledger.Store. It locks every balance row of the
// account, in shard order, so no posting or hold interleaves, and writes
// the new status to the account and to each of those rows.
func (s *Store) UpdateAccount(ctx context.Context, id ledger.ID, fn func(ledger.Account) (ledger.Account, error)) (ledger.Account, error) {
	var updated ledger.Account
	err := pgtx.Run(ctx, s.db, nil, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx,
			`SELECT 1 FROM ledger.balances WHERE account_id = $1 ORDER BY shard FOR UPDATE`, id); err != nil {
			return err
		}
		current, err := accountIn(ctx, tx, id)
		if err != nil {
			return err
		}
		next, err := fn(current)
		if err != nil {
			return err
		}
		if !next.Status.Valid() {
			return fault.Field(ledger.ErrInvalidInput, "status", fmt.Sprintf("unknown status %q", next.Status))
		}
		if next.Status != current.Status {
			changed := current
			changed.Status = next.Status
			ev, err := ledger.AccountStatusChangedEvent(changed, current.Status, time.Now())
			if err != nil {
				return err
			}
			if err := s.outbox.Append(ctx, tx, ev); err != nil {
				return err
			}
		}
		if _, err := tx.ExecContext(ctx, `UPDATE ledger.accounts SET status = $2 WHERE id = $1`, id, next.Status); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE ledger.balances SET status = $2 WHERE account_id = $1`, id, next.Status); err != nil {
			return err
		}
		current.Status = next.Status
		updated = current
		return nil
	})
	return updated, err
}

// accountIn reads one account inside tx.
func accountIn(ctx context.Context, q sqlx.QueryerContext, id ledger.ID) (ledger.Account, error) {
	var r accountRow
	err := sqlx.GetContext(ctx, q, &r, accountByIDSQL, id)
	if err != nil {
		return ledger.Account{}, noRows(err, notFound("account", id))
	}
	return r.account()
}

const accountByIDSQL = `SELECT ` + accountColumns + accountFrom + `WHERE a.id = $1 GROUP BY a.id`

// Account implements ledger.Store. It is prepared: every request of the
// reference server reads an account or two.
func (s *Store) Account(ctx context.Context, id ledger.ID) (ledger.Account, error) {
	var r accountRow
	if err := s.stmts.GetContext(ctx, &r, accountByIDSQL, id); err != nil {
		return ledger.Account{}, noRows(err, notFound("account", id))
	}
	return r.account()
}

// AccountByNumber implements ledger.Store.
func (s *Store) AccountByNumber(ctx context.Context, number string) (ledger.Account, error) {
	var r accountRow
	err := s.db.GetContext(ctx, &r, `SELECT `+accountColumns+accountFrom+`WHERE a.number = $1 GROUP BY a.id`, number)
	if err != nil {
		return ledger.Account{}, noRows(err, fmt.Errorf("%w: account number %s", ledger.ErrNotFound, number))
	}
	return r.account()
}

// ListAccounts implements ledger.Store.
func (s *Store) ListAccounts(ctx context.Context, f ledger.AccountFilter) ([]ledger.Account, error) {
	if f.Limit < 1 {
		return nil, fault.Field(ledger.ErrInvalidInput, "limit", "must be positive")
	}
	where := []string{"a.id > $1"}
	args := []any{f.After}
	add := func(column, value string) {
		if value != "" {
			args = append(args, value)
			where = append(where, fmt.Sprintf("a.%s = $%d", column, len(args)))
		}
	}
	add("owner_id", f.OwnerID)
	add("status", string(f.Status))
	add("product", string(f.Product))
	add("currency", string(f.Currency))
	add("code", f.Code)
	args = append(args, f.Limit)
	q := fmt.Sprintf(`SELECT %s%sWHERE %s GROUP BY a.id ORDER BY a.id LIMIT $%d`,
		accountColumns, accountFrom, strings.Join(where, " AND "), len(args))
	var rows []accountRow
	if err := s.db.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, err
	}
	return toAccounts(rows)
}

// AccountBalances implements ledger.Store. One statement reads every
// balance row, so the figures come from one snapshot: an entry's postings
// are either all counted or none.
func (s *Store) AccountBalances(ctx context.Context, c money.Currency) ([]ledger.Account, error) {
	var rows []accountRow
	err := s.db.SelectContext(ctx, &rows,
		`SELECT `+accountColumns+accountFrom+`WHERE a.currency = $1 GROUP BY a.id ORDER BY a.id`, string(c))
	if err != nil {
		return nil, err
	}
	return toAccounts(rows)
}
