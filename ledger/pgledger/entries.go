package pgledger

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/fault"
	"github.com/bankkit/bankkit/internal/pgtx"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
)

// entryRow is an entries row with the ID of its reversal, if any.
type entryRow struct {
	ID             ledger.ID      `db:"id"`
	Kind           string         `db:"kind"`
	IdempotencyKey sql.NullString `db:"idempotency_key"`
	ValueDate      string         `db:"value_date"`
	BookedAt       time.Time      `db:"booked_at"`
	Description    string         `db:"description"`
	Metadata       []byte         `db:"metadata"`
	Reverses       *ledger.ID     `db:"reverses"`
	HoldID         *ledger.ID     `db:"hold_id"`
	ReversedBy     *ledger.ID     `db:"reversed_by"`
	RefClient      sql.NullString `db:"ref_client"`
	ExternalRef    sql.NullString `db:"external_ref"`
}

// postingRow is one postings row.
type postingRow struct {
	EntryID   ledger.ID       `db:"entry_id"`
	AccountID ledger.ID       `db:"account_id"`
	Side      string          `db:"side"`
	Amount    decimal.Decimal `db:"amount"`
	Currency  string          `db:"currency"`
}

// loadEntries reads entries by ID with their postings and reversals, in
// the order of ids; a missing ID is left out.
func loadEntries(ctx context.Context, q sqlx.QueryerContext, ids []ledger.ID) ([]ledger.Entry, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	texts := make([]string, len(ids))
	for i, id := range ids {
		texts[i] = id.String()
	}
	var rows []entryRow
	if err := sqlx.SelectContext(ctx, q, &rows, `SELECT e.id, e.kind, e.idempotency_key,
		to_char(e.value_date, 'YYYY-MM-DD') AS value_date, e.booked_at, e.description, e.metadata,
		e.reverses, e.hold_id, r.id AS reversed_by, x.ref_client, x.external_ref
		FROM ledger.entries e LEFT JOIN ledger.entries r ON r.reverses = e.id
		LEFT JOIN ledger.entry_refs x ON x.entry_id = e.id
		WHERE e.id = ANY($1::uuid[])`, pq.StringArray(texts)); err != nil {
		return nil, err
	}
	var postings []postingRow
	if err := sqlx.SelectContext(ctx, q, &postings, `SELECT entry_id, account_id, side, amount, currency
		FROM ledger.postings WHERE entry_id = ANY($1::uuid[]) ORDER BY entry_id, idx`, pq.StringArray(texts)); err != nil {
		return nil, err
	}
	byID := make(map[ledger.ID]*ledger.Entry, len(rows))
	for _, r := range rows {
		e, err := r.entry()
		if err != nil {
			return nil, err
		}
		byID[e.ID] = &e
	}
	for _, p := range postings {
		if e := byID[p.EntryID]; e != nil {
			e.Postings = append(e.Postings, ledger.Posting{
				AccountID: p.AccountID,
				Side:      ledger.Side(p.Side),
				Amount:    money.Money{Amount: p.Amount, Currency: money.Currency(p.Currency)},
			})
		}
	}
	out := make([]ledger.Entry, 0, len(ids))
	for _, id := range ids {
		if e := byID[id]; e != nil {
			out = append(out, *e)
		}
	}
	return out, nil
}

func (r entryRow) entry() (ledger.Entry, error) {
	vd, err := parseDate(r.ValueDate)
	if err != nil {
		return ledger.Entry{}, fmt.Errorf("pgledger: entry %s: %w", r.ID, err)
	}
	e := ledger.Entry{
		ID:             r.ID,
		Kind:           ledger.EntryKind(r.Kind),
		IdempotencyKey: r.IdempotencyKey.String,
		ValueDate:      vd,
		BookedAt:       r.BookedAt.UTC(),
		Description:    r.Description,
	}
	if len(r.Metadata) > 0 {
		if err := json.Unmarshal(r.Metadata, &e.Metadata); err != nil {
			return ledger.Entry{}, fmt.Errorf("pgledger: entry %s metadata: %w", r.ID, err)
		}
	}
	if r.Reverses != nil {
		e.Reverses = *r.Reverses
	}
	if r.HoldID != nil {
		e.HoldID = *r.HoldID
	}
	if r.ReversedBy != nil {
		e.ReversedBy = *r.ReversedBy
	}
	if r.ExternalRef.Valid {
		e.ExternalRef = ledger.ExternalRef{Client: r.RefClient.String, Ref: r.ExternalRef.String}
	}
	return e, nil
}

// Entry implements ledger.Store.
func (s *Store) Entry(ctx context.Context, id ledger.ID) (ledger.Entry, error) {
	es, err := loadEntries(ctx, s.db, []ledger.ID{id})
	if err != nil {
		return ledger.Entry{}, err
	}
	if len(es) == 0 {
		return ledger.Entry{}, notFound("entry", id)
	}
	return es[0], nil
}

// normalChange is the SQL for a posting's effect on its account's balance
// in normal-side terms; it needs postings p joined with accounts a.
const normalChange = `CASE WHEN p.side = a.normal_side THEN p.amount ELSE -p.amount END`

// BalanceAsOf implements ledger.Store. It sums postings, so it works for a
// past date and for every kind of account alike.
func (s *Store) BalanceAsOf(ctx context.Context, accountID ledger.ID, date calendar.Date) (money.Money, error) {
	var r struct {
		Currency string          `db:"currency"`
		Sum      decimal.Decimal `db:"sum"`
	}
	err := s.db.GetContext(ctx, &r, `SELECT a.currency,
		COALESCE((SELECT sum(`+normalChange+`) FROM ledger.postings p
			WHERE p.account_id = a.id AND p.value_date <= $2::date), 0) AS sum
		FROM ledger.accounts a WHERE a.id = $1`, accountID, sqlDate(date))
	if err != nil {
		return money.Money{}, noRows(err, notFound("account", accountID))
	}
	return moneyOf(r.Sum, r.Currency), nil
}

// lineRow is one statement line as StatementLines and History select it.
type lineRow struct {
	EntryID     ledger.ID       `db:"entry_id"`
	Kind        string          `db:"kind"`
	Change      decimal.Decimal `db:"change"`
	Description string          `db:"description"`
	ValueDate   string          `db:"value_date"`
	BookedAt    time.Time       `db:"booked_at"`
}

// line is r as a statement line in the account's currency, BalanceAfter
// left unset.
func (r lineRow) line(currency string) (ledger.StatementLine, error) {
	vd, err := parseDate(r.ValueDate)
	if err != nil {
		return ledger.StatementLine{}, err
	}
	return ledger.StatementLine{
		EntryID:     r.EntryID,
		Kind:        ledger.EntryKind(r.Kind),
		Amount:      moneyOf(r.Change, currency),
		Description: r.Description,
		ValueDate:   vd,
		BookedAt:    r.BookedAt.UTC(),
	}, nil
}

// StatementLines implements ledger.Store in a read-only repeatable-read
// transaction, so the opening balance and the lines see the same entries.
func (s *Store) StatementLines(ctx context.Context, accountID ledger.ID, from, to calendar.Date) (money.Money, []ledger.StatementLine, error) {
	var opening money.Money
	var lines []ledger.StatementLine
	err := pgtx.Run(ctx, s.db, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}, func(tx *sqlx.Tx) error {
		lines = nil
		var acct struct {
			Currency string          `db:"currency"`
			Opening  decimal.Decimal `db:"opening"`
		}
		if err := tx.GetContext(ctx, &acct, `SELECT a.currency,
			COALESCE((SELECT sum(`+normalChange+`) FROM ledger.postings p
				WHERE p.account_id = a.id AND p.value_date < $2::date), 0) AS opening
			FROM ledger.accounts a WHERE a.id = $1`, accountID, sqlDate(from)); err != nil {
			return noRows(err, notFound("account", accountID))
		}
		opening = moneyOf(acct.Opening, acct.Currency)
		var rows []lineRow
		if err := tx.SelectContext(ctx, &rows, `SELECT e.id AS entry_id, e.kind, sum(`+normalChange+`) AS change,
			e.description, to_char(e.value_date, 'YYYY-MM-DD') AS value_date, e.booked_at
			FROM ledger.postings p
			JOIN ledger.accounts a ON a.id = p.account_id
			JOIN ledger.entries e ON e.id = p.entry_id
			WHERE p.account_id = $1 AND p.value_date BETWEEN $2::date AND $3::date
			GROUP BY e.id
			ORDER BY e.value_date, e.id`, accountID, sqlDate(from), sqlDate(to)); err != nil {
			return err
		}
		for _, r := range rows {
			l, err := r.line(acct.Currency)
			if err != nil {
				return err
			}
			lines = append(lines, l)
		}
		return nil
	})
	return opening, lines, err
}

// History implements ledger.Store in a read-only repeatable-read
// transaction: the account's total balance (its balance rows), the page
// (a backward scan of the postings_account index from the cursor), and the
// sum of the lines newer than the page, from which each line's balance
// after it follows. Only the page and the lines newer than it are read.
func (s *Store) History(ctx context.Context, q ledger.HistoryQuery) ([]ledger.StatementLine, error) {
	var out []ledger.StatementLine
	err := pgtx.Run(ctx, s.db, &sql.TxOptions{ReadOnly: true, Isolation: sql.LevelRepeatableRead}, func(tx *sqlx.Tx) error {
		out = nil
		var acct struct {
			Currency string          `db:"currency"`
			Total    decimal.Decimal `db:"total"`
		}
		if err := tx.GetContext(ctx, &acct, `SELECT a.currency,
			COALESCE((SELECT sum(b.balance) FROM ledger.balances b WHERE b.account_id = a.id), 0) AS total
			FROM ledger.accounts a WHERE a.id = $1`, q.AccountID); err != nil {
			return noRows(err, notFound("account", q.AccountID))
		}
		// The cursor is the key (value date, entry ID) to start below; the
		// first page starts below every key.
		cursorDate, cursorID := "infinity", "ffffffff-ffff-ffff-ffff-ffffffffffff"
		if q.Before != ledger.NilID {
			err := tx.GetContext(ctx, &cursorDate, `SELECT to_char(value_date, 'YYYY-MM-DD') FROM ledger.postings
				WHERE account_id = $1 AND entry_id = $2 LIMIT 1`, q.AccountID, q.Before)
			if errors.Is(err, sql.ErrNoRows) {
				return fault.Field(ledger.ErrInvalidInput, "before", "is not an entry of this account")
			}
			if err != nil {
				return err
			}
			cursorID = q.Before.String()
		}
		var rows []lineRow
		if err := tx.SelectContext(ctx, &rows, `SELECT p.entry_id, e.kind, sum(`+normalChange+`) AS change,
			e.description, to_char(p.value_date, 'YYYY-MM-DD') AS value_date, e.booked_at
			FROM ledger.postings p
			JOIN ledger.accounts a ON a.id = p.account_id
			JOIN ledger.entries e ON e.id = p.entry_id
			WHERE p.account_id = $1 AND p.value_date BETWEEN $2::date AND $3::date
				AND (p.value_date, p.entry_id) < ($4::date, $5::uuid)
			GROUP BY p.value_date, p.entry_id, e.id
			ORDER BY p.value_date DESC, p.entry_id DESC
			LIMIT $6`, q.AccountID, sqlDate(q.From), sqlDate(q.To), cursorDate, cursorID, q.Limit); err != nil {
			return err
		}
		if len(rows) == 0 {
			return nil
		}
		var newer decimal.Decimal
		if err := tx.GetContext(ctx, &newer, `SELECT COALESCE(sum(`+normalChange+`), 0)
			FROM ledger.postings p JOIN ledger.accounts a ON a.id = p.account_id
			WHERE p.account_id = $1 AND (p.value_date, p.entry_id) > ($2::date, $3::uuid)`,
			q.AccountID, rows[0].ValueDate, rows[0].EntryID); err != nil {
			return err
		}
		after := acct.Total.Sub(newer)
		for _, r := range rows {
			l, err := r.line(acct.Currency)
			if err != nil {
				return err
			}
			l.BalanceAfter = moneyOf(after, acct.Currency)
			out = append(out, l)
			after = after.Sub(r.Change)
		}
		return nil
	})
	return out, err
}

// EntryByKey implements ledger.KeyedEntries (the unique partial index on
// entries.idempotency_key finds it).
func (s *Store) EntryByKey(ctx context.Context, key string) (ledger.Entry, error) {
	var ids []ledger.ID
	if err := s.db.SelectContext(ctx, &ids, `SELECT id FROM ledger.entries WHERE idempotency_key = $1`, key); err != nil {
		return ledger.Entry{}, err
	}
	es, err := loadEntries(ctx, s.db, ids)
	if err != nil {
		return ledger.Entry{}, err
	}
	if len(es) == 0 {
		return ledger.Entry{}, fmt.Errorf("%w: no entry with idempotency key %q", ledger.ErrNotFound, key)
	}
	return es[0], nil
}
