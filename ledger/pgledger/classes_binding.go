package pgledger

import (
	"context"
	"encoding/json"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"

	"github.com/bankkit/bankkit/internal/pgtx"
	"github.com/bankkit/bankkit/ledger"
)

// RebindAccount implements ledger.Store. It locks the account's balance
// rows as a posting does, so a posting that counts against the account's
// outflow limits, which reads the binding after locking them
// (readBindings), sees it before or after the change in every process.
func (s *Store) RebindAccount(ctx context.Context, c ledger.BindingChange, check func(ledger.Account) error) (ledger.Account, error) {
	var updated ledger.Account
	err := pgtx.Run(ctx, s.db, nil, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx,
			`SELECT 1 FROM ledger.balances WHERE account_id = $1 ORDER BY shard FOR UPDATE`, c.AccountID); err != nil {
			return err
		}
		current, err := accountIn(ctx, tx, c.AccountID)
		if err != nil {
			return err
		}
		if err := check(current); err != nil {
			return err
		}
		updated = current
		bound, external, changed := ledger.BindingResult(current, c)
		if !changed {
			return nil
		}
		to := idTexts(bound)
		fromExt, err := externalJSON(current.BoundExternal)
		if err != nil {
			return err
		}
		toExt, err := externalJSON(external)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE ledger.accounts SET bound = $2::uuid[], bound_external = $3::jsonb WHERE id = $1`,
			c.AccountID, to, toExt); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO ledger.account_bindings (id, account_id, from_bound, to_bound, by_client, at,
				external, from_external, to_external)
			VALUES ($1, $2, $3::uuid[], $4::uuid[], $5, $6, $7, $8::jsonb, $9::jsonb)`,
			ledger.NewID(), c.AccountID, idTexts(current.Bound), to, c.By, stored(c.At), c.External, fromExt, toExt); err != nil {
			return err
		}
		updated.Bound, updated.BoundExternal = bound, external
		return nil
	})
	if err != nil {
		return ledger.Account{}, err
	}
	s.classes.put(updated)
	return updated, nil
}

// Bindings implements ledger.Store.
func (s *Store) Bindings(ctx context.Context, accountID ledger.ID) ([]ledger.BindingChange, error) {
	if _, err := s.Account(ctx, accountID); err != nil {
		return nil, err
	}
	var rows []struct {
		From     pq.StringArray `db:"from_bound"`
		To       pq.StringArray `db:"to_bound"`
		By       string         `db:"by_client"`
		At       time.Time      `db:"at"`
		External bool           `db:"external"`
		FromExt  string         `db:"from_external"`
		ToExt    string         `db:"to_external"`
	}
	if err := s.db.SelectContext(ctx, &rows, `SELECT from_bound::text[] AS from_bound, to_bound::text[] AS to_bound, by_client, at,
			external, from_external::text AS from_external, to_external::text AS to_external
		FROM ledger.account_bindings WHERE account_id = $1 ORDER BY id`, accountID); err != nil {
		return nil, err
	}
	out := make([]ledger.BindingChange, 0, len(rows))
	for _, r := range rows {
		c := ledger.BindingChange{AccountID: accountID, By: r.By, At: r.At.UTC(), External: r.External}
		var err error
		if c.FromExternal, err = parseExternal(r.FromExt); err != nil {
			return nil, err
		}
		if c.ToExternal, err = parseExternal(r.ToExt); err != nil {
			return nil, err
		}
		if c.From, err = parseIDs(r.From); err != nil {
			return nil, err
		}
		if c.To, err = parseIDs(r.To); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// readBindings reads, inside tx and after the balance rows are locked,
// the bound accounts of the batch's locked accounts with outflow limits:
// the binding may have changed since the Store cached it (RebindAccount,
// perhaps in another process), and the lock orders the change and the
// posting.
func (b *batch) readBindings(ctx context.Context, tx *sqlx.Tx) error {
	var ids pq.StringArray
	for id, r := range b.rows {
		if r.account.LimitsOutflows() {
			ids = append(ids, id.String())
		}
	}
	if len(ids) == 0 {
		return nil
	}
	var rows []struct {
		ID       ledger.ID      `db:"id"`
		Bound    pq.StringArray `db:"bound"`
		External string         `db:"bound_external"`
	}
	if err := tx.SelectContext(ctx, &rows, `SELECT id, bound::text[] AS bound, bound_external::text AS bound_external
		FROM ledger.accounts WHERE id = ANY($1::uuid[])`, ids); err != nil {
		return err
	}
	for _, r := range rows {
		bound, err := parseIDs(r.Bound)
		if err != nil {
			return err
		}
		external, err := parseExternal(r.External)
		if err != nil {
			return err
		}
		row := b.rows[r.ID]
		if !slices.Equal(row.account.Bound, bound) || !slices.Equal(row.account.BoundExternal, external) {
			row.account.Bound, row.account.BoundExternal = bound, external
			if b.classes != nil {
				b.classes.put(row.account)
				b.classInfo[r.ID] = classInfo{class: row.account.Class, limits: row.account.Limits,
					bound: row.account.Bound, boundExternal: row.account.BoundExternal}
			}
		}
	}
	return nil
}

// externalJSON is the JSON array of xs ("[]" for none).
func externalJSON(xs []ledger.ExternalAccount) (string, error) {
	if len(xs) == 0 {
		return "[]", nil
	}
	b, err := json.Marshal(xs)
	return string(b), err
}

// parseExternal reads a JSON array of external accounts; none is nil.
func parseExternal(raw string) ([]ledger.ExternalAccount, error) {
	if raw == "" || raw == "[]" {
		return nil, nil
	}
	var out []ledger.ExternalAccount
	if err := json.Unmarshal([]byte(raw), &out); err != nil {
		return nil, err
	}
	if len(out) == 0 {
		return nil, nil
	}
	return out, nil
}

func idTexts(ids []ledger.ID) pq.StringArray {
	out := make(pq.StringArray, len(ids))
	for i, id := range ids {
		out[i] = id.String()
	}
	return out
}

func parseIDs(raw []string) ([]ledger.ID, error) {
	var out []ledger.ID
	for _, s := range raw {
		id, err := ledger.ParseID(s)
		if err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, nil
}
