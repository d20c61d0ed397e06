package pgledger

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/ledger"
)

// The class rules in the posting path (ledger.ApplyClass). An account's
// class and limits are fixed when it opens, so a Store remembers them per
// account (classCache) rather than reading them with every posting, with
// its bound accounts, which a rebinding changes and a batch that counts
// outflows therefore reads again under its locks (readBindings); what their outflow limits have counted lives in
// ledger.class_usage and is read and written in the posting transaction,
// after the account's balance row is locked. Entries of a batch that
// touches an account with outflow limits therefore take the locking path,
// never postIfUnchanged, which writes without a transaction of its own.

// classInfo is what the posting path needs of an account's class.
type classInfo struct {
	class         ledger.Class
	limits        ledger.ClassLimits
	bound         []ledger.ID
	boundExternal []ledger.ExternalAccount
}

// classCache maps account IDs to their classInfo (a zero classInfo for an
// account without a class), for the accounts a Store has posted to or
// created lately. It holds at most maxCachedClasses accounts: past that it
// starts empty again (a miss costs one read for the batch that meets it),
// so a process that posts to millions of accounts keeps a few tens of
// megabytes of them, not all. A batch works on its own copy of what it
// needs (batch.classInfo), so emptying the cache never changes a batch in
// flight.
type classCache struct {
	m sync.Map
	n atomic.Int64 // entries stored since the cache was last emptied
}

// maxCachedClasses bounds classCache: about 350 bytes each.
const maxCachedClasses = 200_000

func (c *classCache) get(id ledger.ID) (classInfo, bool) {
	v, ok := c.m.Load(id)
	if !ok {
		return classInfo{}, false
	}
	return v.(classInfo), true
}

func (c *classCache) put(a ledger.Account) {
	c.store(a.ID, classInfo{class: a.Class, limits: a.Limits, bound: a.Bound, boundExternal: a.BoundExternal})
}

func (c *classCache) store(id ledger.ID, info classInfo) {
	if _, had := c.m.Swap(id, info); !had && c.n.Add(1) > maxCachedClasses {
		c.m.Clear()
		c.n.Store(0)
	}
}

// loadClasses reads the class of every account of the batch the cache
// does not know yet (internal accounts known to be unchecked have none),
// in one statement; an account that does not exist stays unknown and is
// refused later as not found.
func (s *Store) loadClasses(ctx context.Context, b *batch) error {
	var missing []string
	b.classes, b.classInfo = &s.classes, map[ledger.ID]classInfo{}
	seen := map[ledger.ID]bool{}
	for _, i := range b.todo {
		for _, m := range b.moves[i] {
			if seen[m.AccountID] {
				continue
			}
			seen[m.AccountID] = true
			if info, ok := s.classes.get(m.AccountID); ok {
				b.classInfo[m.AccountID] = info
				continue
			}
			if _, ok := b.unchecked.Load(m.AccountID); ok {
				continue
			}
			missing = append(missing, m.AccountID.String())
		}
	}
	if len(missing) == 0 {
		return nil
	}
	var rows []accountRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT a.id, `+classColumns+` FROM ledger.accounts a WHERE a.id = ANY($1::uuid[])`,
		pq.StringArray(missing)); err != nil {
		return err
	}
	for _, r := range rows {
		info, err := r.classInfo()
		if err != nil {
			return err
		}
		s.classes.store(r.ID, info)
		b.classInfo[r.ID] = info
	}
	return nil
}

// classColumns selects an account's class fields into accountRow.
const classColumns = `COALESCE(a.class, '') AS class, a.daily_outflow, a.annual_outflow, a.max_balance,
	a.bound::text[] AS bound, a.bound_external::text AS bound_external`

// classInfo parses the class fields of r.
func (r accountRow) classInfo() (classInfo, error) {
	info := classInfo{class: ledger.Class(r.Class), limits: ledger.ClassLimits{
		DailyOutflow: r.DailyOutflow, AnnualOutflow: r.AnnualOutflow, MaxBalance: r.MaxBalance}}
	for _, raw := range r.Bound {
		id, err := ledger.ParseID(raw)
		if err != nil {
			return classInfo{}, fmt.Errorf("pgledger: account %s: bound account %q: %w", r.ID, raw, err)
		}
		info.bound = append(info.bound, id)
	}
	var err error
	if info.boundExternal, err = parseExternal(r.BoundExternal); err != nil {
		return classInfo{}, fmt.Errorf("pgledger: account %s: bound external accounts: %w", r.ID, err)
	}
	return info, nil
}

// classify fills in a's class fields from the batch's copy of the cache.
func (b *batch) classify(a *ledger.Account) {
	if info, ok := b.classInfo[a.ID]; ok {
		a.Class, a.Limits, a.Bound, a.BoundExternal = info.class, info.limits, info.bound, info.boundExternal
	}
}

// countsOutflows reports whether an entry of the batch touches an account
// with outflow limits: then the batch must count them in a transaction.
func (b *batch) countsOutflows() bool {
	for _, i := range b.todo {
		for _, m := range b.moves[i] {
			if info, ok := b.classInfo[m.AccountID]; ok &&
				(ledger.Account{Class: info.class, Limits: info.limits}).LimitsOutflows() {
				return true
			}
		}
	}
	return false
}

// usageKey names what an account's outflow limits counted in a period.
type usageKey struct {
	account ledger.ID
	period  string
}

// readClassUsage reads, inside tx and after the balance rows are locked,
// what the outflow limits of the batch's locked accounts have counted in
// the days and years of its entries' value dates.
func (b *batch) readClassUsage(ctx context.Context, tx *sqlx.Tx) error {
	var ids, periods []string
	for _, i := range b.todo {
		day, year := ledger.ClassPeriods(b.entries[i].ValueDate)
		for _, m := range b.moves[i] {
			r, ok := b.rows[m.AccountID]
			if !ok || !r.account.LimitsOutflows() {
				continue
			}
			if b.usage == nil { // only now: most batches touch no limited account
				b.usage, b.usageDelta = map[usageKey]decimal.Decimal{}, map[usageKey]decimal.Decimal{}
			}
			for _, p := range [...]string{day, year} {
				k := usageKey{m.AccountID, p}
				if _, ok := b.usage[k]; !ok {
					b.usage[k] = decimal.Zero
					ids, periods = append(ids, m.AccountID.String()), append(periods, p)
				}
			}
		}
	}
	if len(ids) == 0 {
		return nil
	}
	rows, err := tx.QueryContext(ctx, `SELECT u.account_id, u.period, u.used FROM ledger.class_usage u
		JOIN unnest($1::uuid[], $2::text[]) AS k(account_id, period) ON u.account_id = k.account_id AND u.period = k.period`,
		pq.StringArray(ids), pq.StringArray(periods))
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		var k usageKey
		var used decimal.Decimal
		if err := rows.Scan(&k.account, &k.period, &used); err != nil {
			return err
		}
		b.usage[k] = used
	}
	return rows.Err()
}

// applyClass runs ledger.ApplyClass on an entry Apply accepted, against
// the usage read under the batch's locks and the entries decided before
// it, and records what it counted.
func (b *batch) applyClass(e *ledger.Entry, moves []ledger.Movement, accts []ledger.Account) error {
	limited := false
	for i := range accts {
		if accts[i].Class == ledger.ClassII || accts[i].Class == ledger.ClassIII {
			limited = true
			break
		}
	}
	if !limited {
		return nil
	}
	day, year := ledger.ClassPeriods(e.ValueDate)
	usage := make([]ledger.ClassUsage, len(accts))
	for i := range accts {
		if accts[i].LimitsOutflows() {
			if b.usage == nil {
				// postIfUnchanged never reaches here: countsOutflows
				// sends such a batch to the locking path.
				return fmt.Errorf("pgledger: class usage of %s not read", accts[i].ID)
			}
			usage[i] = ledger.ClassUsage{Day: b.usage[usageKey{accts[i].ID, day}], Year: b.usage[usageKey{accts[i].ID, year}]}
		}
	}
	before := make([]ledger.ClassUsage, len(usage))
	copy(before, usage)
	if err := ledger.ApplyClass(*e, moves, accts, usage); err != nil {
		return err
	}
	for i := range accts {
		if counted := usage[i].Day.Sub(before[i].Day); !counted.IsZero() {
			dk, yk := usageKey{accts[i].ID, day}, usageKey{accts[i].ID, year}
			b.usage[dk], b.usage[yk] = usage[i].Day, usage[i].Year
			b.usageDelta[dk] = b.usageDelta[dk].Add(counted)
			b.usageDelta[yk] = b.usageDelta[yk].Add(counted)
		}
	}
	return nil
}

// writeClassUsage adds what the batch's posted entries counted to
// ledger.class_usage, in the posting transaction.
func (b *batch) writeClassUsage(ctx context.Context, tx *sqlx.Tx) error {
	if len(b.usageDelta) == 0 {
		return nil
	}
	var ids, periods, amounts []string
	for k, d := range b.usageDelta {
		ids, periods, amounts = append(ids, k.account.String()), append(periods, k.period), append(amounts, d.String())
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO ledger.class_usage (account_id, period, used)
		SELECT * FROM unnest($1::uuid[], $2::text[], $3::numeric[])
		ON CONFLICT (account_id, period) DO UPDATE SET used = ledger.class_usage.used + excluded.used`,
		pq.StringArray(ids), pq.StringArray(periods), pq.StringArray(amounts))
	return err
}
