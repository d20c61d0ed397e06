// Package pgwealth is a wealth.Store on PostgreSQL (sqlx + lib/pq), in its
// own schema "wealth". Writes run in transactions retried on
// serialization failures and deadlocks; an order and its customer's
// holding are locked together (order first, then holding); the daily
// income is credited a page of holdings per statement; events go to the
// shared outbox (internal/pgoutbox) in the transaction of their change.
package pgwealth

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/internal/pgmigrate"
	"github.com/bankkit/bankkit/internal/pgoutbox"
	"github.com/bankkit/bankkit/internal/pgtx"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/wealth"
)

// Schema is the PostgreSQL schema that holds the wealth tables.
const Schema = "wealth"

//go:embed migrations/*.sql
var migrations embed.FS

// Migrate creates or upgrades the wealth schema. It is safe to call on
// every start and from several processes at once.
func Migrate(ctx context.Context, db *sqlx.DB) error {
	return pgmigrate.Apply(ctx, db, Schema, migrations, "migrations", pgoutbox.Migrations)
}

// Store is a wealth.Store on PostgreSQL, safe for concurrent use.
type Store struct {
	db     *sqlx.DB
	outbox *pgoutbox.Outbox
}

var _ wealth.Store = (*Store)(nil)

// New returns a Store on db, whose schema Migrate must have prepared.
func New(db *sqlx.DB) *Store {
	return &Store{db: db, outbox: pgoutbox.New(db, Schema, wealth.EventSource, nil)}
}

// Events implements wealth.Store.
func (s *Store) Events() event.Log { return s.outbox }

func (s *Store) tx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	return pgtx.Run(ctx, s.db, nil, fn)
}

func notFound(err error, what string) error {
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("%w: %s", wealth.ErrNotFound, what)
	}
	return err
}

func decode[T any](body []byte, err error, what string) (T, error) {
	var v T
	if err != nil {
		return v, notFound(err, what)
	}
	return v, json.Unmarshal(body, &v)
}

func selectBodies[T any](ctx context.Context, q sqlx.QueryerContext, query string, args ...any) ([]T, error) {
	var bodies [][]byte
	if err := sqlx.SelectContext(ctx, q, &bodies, query, args...); err != nil {
		return nil, err
	}
	out := make([]T, len(bodies))
	for i, b := range bodies {
		if err := json.Unmarshal(b, &out[i]); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// CreateProduct implements wealth.Store.
func (s *Store) CreateProduct(ctx context.Context, p wealth.Product, events ...event.Envelope) error {
	body, err := json.Marshal(p)
	if err != nil {
		return err
	}
	err = s.tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO wealth.products (id, code, currency, body, created_at) VALUES ($1, $2, $3, $4, $5)`,
			p.ID, p.Code, p.Currency, body, p.CreatedAt); err != nil {
			return err
		}
		return s.outbox.Append(ctx, tx, events...)
	})
	if pgtx.IsUniqueViolation(err, "") {
		return fmt.Errorf("%w: product %s (%s)", wealth.ErrDuplicate, p.Code, p.ID)
	}
	return err
}

// Product implements wealth.Store.
func (s *Store) Product(ctx context.Context, id wealth.ID) (wealth.Product, error) {
	var body []byte
	err := s.db.GetContext(ctx, &body, `SELECT body FROM wealth.products WHERE id = $1`, id)
	return decode[wealth.Product](body, err, "product "+id.String())
}

// ProductByCode implements wealth.Store.
func (s *Store) ProductByCode(ctx context.Context, code string) (wealth.Product, error) {
	var body []byte
	err := s.db.GetContext(ctx, &body, `SELECT body FROM wealth.products WHERE code = $1`, code)
	return decode[wealth.Product](body, err, "product "+code)
}

// Products implements wealth.Store.
func (s *Store) Products(ctx context.Context, page wealth.Page) ([]wealth.Product, error) {
	return selectBodies[wealth.Product](ctx, s.db, `SELECT body FROM wealth.products WHERE id > $1 ORDER BY id LIMIT $2`, page.After, page.Limit)
}

// UpdateProduct implements wealth.Store.
func (s *Store) UpdateProduct(ctx context.Context, id wealth.ID, fn func(wealth.Product) (wealth.Product, []event.Envelope, error)) (wealth.Product, error) {
	var out wealth.Product
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		var body []byte
		err := tx.GetContext(ctx, &body, `SELECT body FROM wealth.products WHERE id = $1 FOR UPDATE`, id)
		p, err := decode[wealth.Product](body, err, "product "+id.String())
		if err != nil {
			return err
		}
		n, evs, err := fn(p)
		if err != nil {
			return err
		}
		n.ID, n.Code, n.Version = p.ID, p.Code, p.Version+1
		if body, err = json.Marshal(n); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE wealth.products SET body = $2 WHERE id = $1`, id, body); err != nil {
			return err
		}
		out = n
		return s.outbox.Append(ctx, tx, evs...)
	})
	return out, err
}

// PublishNAV implements wealth.Store.
func (s *Store) PublishNAV(ctx context.Context, n wealth.NAV, events ...event.Envelope) error {
	body, err := json.Marshal(n)
	if err != nil {
		return err
	}
	err = s.tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO wealth.navs (product_id, date, body) VALUES ($1, $2, $3)`, n.ProductID, n.Date, body); err != nil {
			return err
		}
		return s.outbox.Append(ctx, tx, events...)
	})
	if pgtx.IsUniqueViolation(err, "") {
		return fmt.Errorf("%w: a NAV of product %s for %s is published", wealth.ErrDuplicate, n.ProductID, n.Date)
	}
	if pgtx.Code(err) == "23503" {
		return fmt.Errorf("%w: product %s", wealth.ErrNotFound, n.ProductID)
	}
	return err
}

// PublishNAVs implements wealth.Store: one INSERT of the NAVs and their
// events in one transaction; the primary key refuses a date published
// already.
func (s *Store) PublishNAVs(ctx context.Context, navs []wealth.NAV, events []event.Envelope) error {
	if len(navs) == 0 {
		return nil
	}
	ids, dates, bodies := make(pq.StringArray, len(navs)), make(pq.StringArray, len(navs)), make(pq.StringArray, len(navs))
	for i, n := range navs {
		body, err := json.Marshal(n)
		if err != nil {
			return err
		}
		ids[i], dates[i], bodies[i] = n.ProductID.String(), n.Date.String(), string(body)
	}
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO wealth.navs (product_id, date, body)
			SELECT v.p::uuid, v.d::date, v.b::jsonb FROM unnest($1::text[], $2::text[], $3::text[]) AS v(p, d, b)`, ids, dates, bodies); err != nil {
			return err
		}
		return s.outbox.Append(ctx, tx, events...)
	})
	if pgtx.IsUniqueViolation(err, "") {
		return fmt.Errorf("%w: a NAV of one of the products for one of the dates is published", wealth.ErrDuplicate)
	}
	if pgtx.Code(err) == "23503" {
		return fmt.Errorf("%w: one of the products", wealth.ErrNotFound)
	}
	return err
}

// NAV implements wealth.Store.
func (s *Store) NAV(ctx context.Context, product wealth.ID, d calendar.Date) (wealth.NAV, error) {
	var body []byte
	err := s.db.GetContext(ctx, &body, `SELECT body FROM wealth.navs WHERE product_id = $1 AND date = $2`, product, d)
	return decode[wealth.NAV](body, err, fmt.Sprintf("NAV of product %s for %s", product, d))
}

// NAVs implements wealth.Store.
func (s *Store) NAVs(ctx context.Context, product wealth.ID, from, to calendar.Date) ([]wealth.NAV, error) {
	return selectBodies[wealth.NAV](ctx, s.db, `SELECT body FROM wealth.navs WHERE product_id = $1 AND date BETWEEN $2 AND $3 ORDER BY date`,
		product, from, to)
}

// LatestNAV implements wealth.Store.
func (s *Store) LatestNAV(ctx context.Context, product wealth.ID, d calendar.Date) (wealth.NAV, error) {
	var body []byte
	err := s.db.GetContext(ctx, &body, `SELECT body FROM wealth.navs WHERE product_id = $1 AND date <= $2 ORDER BY date DESC LIMIT 1`, product, d)
	return decode[wealth.NAV](body, err, fmt.Sprintf("no NAV of product %s on or before %s", product, d))
}

// SaveAssessment implements wealth.Store.
func (s *Store) SaveAssessment(ctx context.Context, a wealth.Assessment, events ...event.Envelope) error {
	body, err := json.Marshal(a)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO wealth.assessments (id, customer_id, body) VALUES ($1, $2, $3)`, a.ID, a.CustomerID, body); err != nil {
			return err
		}
		return s.outbox.Append(ctx, tx, events...)
	})
}

// Assessment implements wealth.Store.
func (s *Store) Assessment(ctx context.Context, customer wealth.ID) (wealth.Assessment, error) {
	var body []byte
	err := s.db.GetContext(ctx, &body, `SELECT body FROM wealth.assessments WHERE customer_id = $1 ORDER BY id DESC LIMIT 1`, customer)
	return decode[wealth.Assessment](body, err, "no assessment of customer "+customer.String())
}

// RecordRefusal implements wealth.Store.
func (s *Store) RecordRefusal(ctx context.Context, r wealth.Refusal, events ...event.Envelope) error {
	body, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return s.tx(ctx, func(tx *sqlx.Tx) error {
		if _, err := tx.ExecContext(ctx, `INSERT INTO wealth.refusals (id, customer_id, body) VALUES ($1, $2, $3)`, r.ID, r.CustomerID, body); err != nil {
			return err
		}
		return s.outbox.Append(ctx, tx, events...)
	})
}

// Refusals implements wealth.Store.
func (s *Store) Refusals(ctx context.Context, customer wealth.ID) ([]wealth.Refusal, error) {
	return selectBodies[wealth.Refusal](ctx, s.db, `SELECT body FROM wealth.refusals WHERE customer_id = $1 ORDER BY id`, customer)
}

// holdingRow is a holding as stored: the body, and the columns that win
// over it.
type holdingRow struct {
	Body          []byte          `db:"body"`
	Units         decimal.Decimal `db:"units"`
	Cost          decimal.Decimal `db:"cost"`
	Income        decimal.Decimal `db:"income"`
	Accrued       decimal.Decimal `db:"accrued"`
	IncomeThrough calendar.Date   `db:"income_through"`
	Version       int             `db:"version"`
}

const holdingCols = `body, units, cost, income, accrued, income_through, version`

func (r holdingRow) holding() (wealth.Holding, error) {
	var h wealth.Holding
	if err := json.Unmarshal(r.Body, &h); err != nil {
		return h, err
	}
	c := h.Currency
	h.Units, h.Version, h.IncomeThrough = r.Units, r.Version, r.IncomeThrough
	h.Cost, h.Income, h.Accrued = money.Money{Amount: r.Cost, Currency: c}, money.Money{Amount: r.Income, Currency: c}, money.Money{Amount: r.Accrued, Currency: c}
	return h, nil
}

func nullDate(d calendar.Date) any {
	if d.IsZero() {
		return nil
	}
	return d
}

func (s *Store) writeHolding(ctx context.Context, tx *sqlx.Tx, h wealth.Holding, insert bool) error {
	body, err := json.Marshal(h)
	if err != nil {
		return err
	}
	if insert {
		_, err = tx.ExecContext(ctx, `INSERT INTO wealth.holdings (id, customer_id, product_id, units, cost, income, accrued, income_through, version, body)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, h.ID, h.CustomerID, h.ProductID, h.Units, h.Cost.Amount, h.Income.Amount,
			h.Accrued.Amount, nullDate(h.IncomeThrough), h.Version, body)
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE wealth.holdings SET units = $2, cost = $3, income = $4, accrued = $5, income_through = $6,
		version = $7, body = $8 WHERE id = $1`, h.ID, h.Units, h.Cost.Amount, h.Income.Amount, h.Accrued.Amount, nullDate(h.IncomeThrough), h.Version, body)
	return err
}

// lockHolding locks the customer's holding of the product, or returns a
// new one (not stored) when there is none.
func (s *Store) lockHolding(ctx context.Context, tx *sqlx.Tx, customer, product wealth.ID) (wealth.Holding, bool, error) {
	var r holdingRow
	err := tx.GetContext(ctx, &r, `SELECT `+holdingCols+` FROM wealth.holdings WHERE customer_id = $1 AND product_id = $2 FOR UPDATE`, customer, product)
	if errors.Is(err, sql.ErrNoRows) {
		var cur string
		if err := tx.GetContext(ctx, &cur, `SELECT currency FROM wealth.products WHERE id = $1`, product); err != nil {
			return wealth.Holding{}, false, notFound(err, "product "+product.String())
		}
		return wealth.NewHolding(customer, product, money.Currency(cur)), false, nil
	}
	if err != nil {
		return wealth.Holding{}, false, err
	}
	h, err := r.holding()
	return h, true, err
}

func (s *Store) putHolding(ctx context.Context, tx *sqlx.Tx, n, old wealth.Holding, existed bool) error {
	if existed {
		n.ID, n.CustomerID, n.ProductID, n.Version = old.ID, old.CustomerID, old.ProductID, old.Version+1
		return s.writeHolding(ctx, tx, n, false)
	}
	n.Version = 1
	return s.writeHolding(ctx, tx, n, true)
}

func (s *Store) writeOrder(ctx context.Context, tx *sqlx.Tx, o wealth.Order, insert bool) error {
	body, err := json.Marshal(o)
	if err != nil {
		return err
	}
	if insert {
		_, err = tx.ExecContext(ctx, `INSERT INTO wealth.orders (id, customer_id, product_id, key, kind, status, trade, settlement, has_hold, hold_released, body)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)`, o.ID, o.CustomerID, o.ProductID, o.Key, o.Kind, o.Status, o.Trade,
			nullDate(o.Settlement), o.HoldID != wealth.NilID, o.HoldReleased, body)
		return err
	}
	_, err = tx.ExecContext(ctx, `UPDATE wealth.orders SET status = $2, trade = $3, settlement = $4, has_hold = $5, hold_released = $6, body = $7
		WHERE id = $1`, o.ID, o.Status, o.Trade, nullDate(o.Settlement), o.HoldID != wealth.NilID, o.HoldReleased, body)
	return err
}

// CreateOrder implements wealth.Store.
func (s *Store) CreateOrder(ctx context.Context, o wealth.Order, fn func(wealth.Holding) (wealth.Holding, []event.Envelope, error)) (wealth.Order, error) {
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		// Make the holding exist first, so that concurrent orders of the
		// customer queue on its row.
		h, existed, err := s.lockHolding(ctx, tx, o.CustomerID, o.ProductID)
		if err != nil {
			return err
		}
		if !existed {
			if _, err := tx.ExecContext(ctx, `INSERT INTO wealth.holdings (id, customer_id, product_id, units, cost, income, accrued, version, body)
				VALUES ($1, $2, $3, 0, 0, 0, 0, 0, $4) ON CONFLICT (customer_id, product_id) DO NOTHING`, h.ID, h.CustomerID, h.ProductID, mustJSON(h)); err != nil {
				return err
			}
			if h, existed, err = s.lockHolding(ctx, tx, o.CustomerID, o.ProductID); err != nil {
				return err
			}
		}
		n, evs, err := fn(h)
		if err != nil {
			return err
		}
		if err := s.writeOrder(ctx, tx, o, true); err != nil {
			return err
		}
		if err := s.putHolding(ctx, tx, n, h, existed); err != nil {
			return err
		}
		return s.outbox.Append(ctx, tx, evs...)
	})
	if pgtx.IsUniqueViolation(err, "") {
		return wealth.Order{}, fmt.Errorf("%w: order key %q", wealth.ErrDuplicate, o.Key)
	}
	if err != nil {
		return wealth.Order{}, err
	}
	return o, nil
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // every wealth record marshals
	}
	return b
}

// Order implements wealth.Store.
func (s *Store) Order(ctx context.Context, id wealth.ID) (wealth.Order, error) {
	var body []byte
	err := s.db.GetContext(ctx, &body, `SELECT body FROM wealth.orders WHERE id = $1`, id)
	return decode[wealth.Order](body, err, "order "+id.String())
}

// OrderByKey implements wealth.Store.
func (s *Store) OrderByKey(ctx context.Context, customer wealth.ID, key string) (wealth.Order, error) {
	var body []byte
	err := s.db.GetContext(ctx, &body, `SELECT body FROM wealth.orders WHERE customer_id = $1 AND key = $2`, customer, key)
	return decode[wealth.Order](body, err, fmt.Sprintf("order key %q", key))
}

// Orders implements wealth.Store.
func (s *Store) Orders(ctx context.Context, f wealth.OrderFilter, page wealth.Page) ([]wealth.Order, error) {
	where := []string{"id > $1"}
	args := []any{page.After}
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.CustomerID != wealth.NilID {
		add("customer_id = $%d", f.CustomerID)
	}
	if f.ProductID != wealth.NilID {
		add("product_id = $%d", f.ProductID)
	}
	if f.Kind != "" {
		add("kind = $%d", string(f.Kind))
	}
	if f.Status != "" {
		add("status = $%d", string(f.Status))
	}
	if !f.TradeBy.IsZero() {
		add("trade <= $%d", f.TradeBy)
	}
	if !f.SettleBy.IsZero() {
		add("settlement <= $%d", f.SettleBy)
	}
	if f.Unreleased {
		where = append(where, "has_hold AND NOT hold_released")
	}
	args = append(args, page.Limit)
	q := fmt.Sprintf(`SELECT body FROM wealth.orders WHERE %s ORDER BY id LIMIT $%d`, strings.Join(where, " AND "), len(args))
	return selectBodies[wealth.Order](ctx, s.db, q, args...)
}

// UpdateOrder implements wealth.Store.
func (s *Store) UpdateOrder(ctx context.Context, id wealth.ID, fn func(wealth.Order, wealth.Holding) (wealth.Order, wealth.Holding, []event.Envelope, error)) (wealth.Order, error) {
	var out wealth.Order
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		var body []byte
		err := tx.GetContext(ctx, &body, `SELECT body FROM wealth.orders WHERE id = $1 FOR UPDATE`, id)
		o, err := decode[wealth.Order](body, err, "order "+id.String())
		if err != nil {
			return err
		}
		h, existed, err := s.lockHolding(ctx, tx, o.CustomerID, o.ProductID)
		if err != nil {
			return err
		}
		no, nh, evs, err := fn(o, h)
		if err != nil {
			return err
		}
		no.ID, no.CustomerID, no.ProductID, no.Key, no.Version = o.ID, o.CustomerID, o.ProductID, o.Key, o.Version+1
		if err := s.writeOrder(ctx, tx, no, false); err != nil {
			return err
		}
		if err := s.putHolding(ctx, tx, nh, h, existed); err != nil {
			return err
		}
		out = no
		return s.outbox.Append(ctx, tx, evs...)
	})
	return out, err
}

// UpdateOrders implements wealth.Store: one transaction locks the orders
// (in id order) and their holdings, applies fn in turn, and writes every
// order and holding back with one statement each.
func (s *Store) UpdateOrders(ctx context.Context, ids []wealth.ID, fn func(wealth.Order, wealth.Holding) (wealth.Order, wealth.Holding, []event.Envelope, error)) error {
	if len(ids) == 0 {
		return nil
	}
	keys := make(pq.StringArray, len(ids))
	for i, id := range ids {
		keys[i] = id.String()
	}
	return s.tx(ctx, func(tx *sqlx.Tx) error {
		var bodies [][]byte
		if err := tx.SelectContext(ctx, &bodies, `SELECT body FROM wealth.orders WHERE id = ANY($1::uuid[]) ORDER BY id FOR UPDATE`, keys); err != nil {
			return err
		}
		orders := make([]wealth.Order, len(bodies))
		for i, b := range bodies {
			if err := json.Unmarshal(b, &orders[i]); err != nil {
				return err
			}
		}
		if want := len(uniqueIDs(ids)); len(orders) != want {
			return fmt.Errorf("%w: %d of %d orders", wealth.ErrNotFound, want-len(orders), want)
		}
		// Lock the holdings in id order.
		custs, prods := make(pq.StringArray, len(orders)), make(pq.StringArray, len(orders))
		for i, o := range orders {
			custs[i], prods[i] = o.CustomerID.String(), o.ProductID.String()
		}
		var rows []struct {
			holdingRow
			CustomerID wealth.ID `db:"customer_id"`
			ProductID  wealth.ID `db:"product_id"`
		}
		if err := tx.SelectContext(ctx, &rows, `SELECT h.body, h.units, h.cost, h.income, h.accrued, h.income_through, h.version,
				h.customer_id, h.product_id
			FROM (SELECT DISTINCT * FROM unnest($1::uuid[], $2::uuid[]) AS k(c, p)) k
			JOIN wealth.holdings h ON h.customer_id = k.c AND h.product_id = k.p
			ORDER BY h.id FOR UPDATE OF h`, custs, prods); err != nil {
			return err
		}
		type held struct {
			h       wealth.Holding
			version int
		}
		holdings := map[[2]wealth.ID]*held{}
		for _, r := range rows {
			h, err := r.holding()
			if err != nil {
				return err
			}
			holdings[[2]wealth.ID{r.CustomerID, r.ProductID}] = &held{h: h, version: h.Version}
		}
		var events []event.Envelope
		oIDs, oStatus, oSettle, oReleased, oBody := pq.StringArray{}, pq.StringArray{}, pq.StringArray{}, pq.BoolArray{}, pq.StringArray{}
		for _, o := range orders {
			hd := holdings[[2]wealth.ID{o.CustomerID, o.ProductID}]
			if hd == nil {
				return fmt.Errorf("%w: holding of order %s", wealth.ErrNotFound, o.ID)
			}
			no, nh, evs, err := fn(o, hd.h)
			if err != nil {
				return err
			}
			no.ID, no.CustomerID, no.ProductID, no.Key, no.Version = o.ID, o.CustomerID, o.ProductID, o.Key, o.Version+1
			nh.ID, nh.CustomerID, nh.ProductID = hd.h.ID, hd.h.CustomerID, hd.h.ProductID
			hd.h = nh
			events = append(events, evs...)
			settle := ""
			if !no.Settlement.IsZero() {
				settle = no.Settlement.String()
			}
			oIDs, oStatus, oSettle, oReleased = append(oIDs, no.ID.String()), append(oStatus, string(no.Status)), append(oSettle, settle), append(oReleased, no.HoldReleased)
			oBody = append(oBody, string(mustJSON(no)))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE wealth.orders o SET status = v.status, settlement = NULLIF(v.settlement, '')::date,
			hold_released = v.released, body = v.body::jsonb
			FROM unnest($1::uuid[], $2::text[], $3::text[], $4::boolean[], $5::text[]) AS v(id, status, settlement, released, body)
			WHERE o.id = v.id`, oIDs, oStatus, oSettle, oReleased, oBody); err != nil {
			return err
		}
		hIDs, hUnits, hCost, hIncome, hAccrued, hThrough, hVersion, hBody := pq.StringArray{}, pq.StringArray{}, pq.StringArray{}, pq.StringArray{}, pq.StringArray{}, pq.StringArray{}, pq.Int64Array{}, pq.StringArray{}
		for _, hd := range holdings {
			h := hd.h
			h.Version = hd.version + 1
			through := ""
			if !h.IncomeThrough.IsZero() {
				through = h.IncomeThrough.String()
			}
			hIDs, hUnits, hCost = append(hIDs, h.ID.String()), append(hUnits, h.Units.String()), append(hCost, h.Cost.Amount.String())
			hIncome, hAccrued, hThrough = append(hIncome, h.Income.Amount.String()), append(hAccrued, h.Accrued.Amount.String()), append(hThrough, through)
			hVersion, hBody = append(hVersion, int64(h.Version)), append(hBody, string(mustJSON(h)))
		}
		if _, err := tx.ExecContext(ctx, `UPDATE wealth.holdings h SET units = v.units::numeric, cost = v.cost::numeric,
			income = v.income::numeric, accrued = v.accrued::numeric, income_through = NULLIF(v.through, '')::date, version = v.version, body = v.body::jsonb
			FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::bigint[], $8::text[])
				AS v(id, units, cost, income, accrued, through, version, body)
			WHERE h.id = v.id`, hIDs, hUnits, hCost, hIncome, hAccrued, hThrough, hVersion, hBody); err != nil {
			return err
		}
		return s.outbox.Append(ctx, tx, events...)
	})
}

func uniqueIDs(ids []wealth.ID) map[wealth.ID]bool {
	m := make(map[wealth.ID]bool, len(ids))
	for _, id := range ids {
		m[id] = true
	}
	return m
}

// Holding implements wealth.Store.
func (s *Store) Holding(ctx context.Context, customer, product wealth.ID) (wealth.Holding, error) {
	var r holdingRow
	err := s.db.GetContext(ctx, &r, `SELECT `+holdingCols+` FROM wealth.holdings WHERE customer_id = $1 AND product_id = $2`, customer, product)
	if err != nil {
		return wealth.Holding{}, notFound(err, fmt.Sprintf("holding of customer %s in product %s", customer, product))
	}
	return r.holding()
}

// Holdings implements wealth.Store.
func (s *Store) Holdings(ctx context.Context, f wealth.HoldingFilter, page wealth.Page) ([]wealth.Holding, error) {
	where := []string{"id > $1"}
	args := []any{page.After}
	if f.CustomerID != wealth.NilID {
		args = append(args, f.CustomerID)
		where = append(where, fmt.Sprintf("customer_id = $%d", len(args)))
	}
	if f.ProductID != wealth.NilID {
		args = append(args, f.ProductID)
		where = append(where, fmt.Sprintf("product_id = $%d", len(args)))
	}
	args = append(args, page.Limit)
	var rows []holdingRow
	q := fmt.Sprintf(`SELECT %s FROM wealth.holdings WHERE %s ORDER BY id LIMIT $%d`, holdingCols, strings.Join(where, " AND "), len(args))
	if err := s.db.SelectContext(ctx, &rows, q, args...); err != nil {
		return nil, err
	}
	out := make([]wealth.Holding, len(rows))
	for i, r := range rows {
		h, err := r.holding()
		if err != nil {
			return nil, err
		}
		out[i] = h
	}
	return out, nil
}

// UpdateHolding implements wealth.Store.
func (s *Store) UpdateHolding(ctx context.Context, id wealth.ID, fn func(wealth.Holding) (wealth.Holding, []event.Envelope, error)) (wealth.Holding, error) {
	var out wealth.Holding
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		var r holdingRow
		if err := tx.GetContext(ctx, &r, `SELECT `+holdingCols+` FROM wealth.holdings WHERE id = $1 FOR UPDATE`, id); err != nil {
			return notFound(err, "holding "+id.String())
		}
		h, err := r.holding()
		if err != nil {
			return err
		}
		n, evs, err := fn(h)
		if err != nil {
			return err
		}
		if err := s.putHolding(ctx, tx, n, h, true); err != nil {
			return err
		}
		out = n
		out.ID, out.CustomerID, out.ProductID, out.Version = h.ID, h.CustomerID, h.ProductID, h.Version+1
		return s.outbox.Append(ctx, tx, evs...)
	})
	return out, err
}

// SnapshotHoldings implements wealth.Store: one statement copies a page
// of the product's holdings, columns and body, into the month's snapshot.
func (s *Store) SnapshotHoldings(ctx context.Context, month string, product, after wealth.ID, limit int) (wealth.IncomePage, error) {
	pg := wealth.IncomePage{Last: after}
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		var done bool
		if err := tx.GetContext(ctx, &done, `SELECT EXISTS (SELECT 1 FROM wealth.snapshot_months WHERE month = $1)`, month); err != nil {
			return err
		}
		if done {
			return nil
		}
		var res struct {
			Scanned int        `db:"scanned"`
			Last    *wealth.ID `db:"last"`
		}
		err := tx.GetContext(ctx, &res, `
			WITH page AS (
				SELECT id, customer_id, product_id, units, cost, income, accrued, income_through, version, body
				FROM wealth.holdings WHERE product_id = $2 AND id > $3 ORDER BY id LIMIT $4
			), copied AS (
				INSERT INTO wealth.snapshots (month, holding_id, customer_id, product_id, units, cost, income, accrued, income_through, version, body)
				SELECT $1, id, customer_id, product_id, units, cost, income, accrued, income_through, version, body FROM page
				ON CONFLICT (month, holding_id) DO UPDATE SET units = EXCLUDED.units, cost = EXCLUDED.cost, income = EXCLUDED.income,
					accrued = EXCLUDED.accrued, income_through = EXCLUDED.income_through, version = EXCLUDED.version, body = EXCLUDED.body
				RETURNING 1
			)
			SELECT (SELECT count(*) FROM copied) AS scanned, (SELECT id FROM page ORDER BY id DESC LIMIT 1) AS last`,
			month, product, after, limit)
		if err != nil {
			return err
		}
		pg = wealth.IncomePage{Scanned: res.Scanned, Credited: res.Scanned, Last: after}
		if res.Last != nil {
			pg.Last = *res.Last
		}
		return nil
	})
	return pg, err
}

// FinishSnapshot implements wealth.Store.
func (s *Store) FinishSnapshot(ctx context.Context, month string, d calendar.Date) error {
	_, err := s.db.ExecContext(ctx, `INSERT INTO wealth.snapshot_months (month, taken_on) VALUES ($1, $2) ON CONFLICT (month) DO NOTHING`, month, d)
	return err
}

// Snapshot implements wealth.Store.
func (s *Store) Snapshot(ctx context.Context, customer wealth.ID, month string) ([]wealth.Holding, bool, error) {
	var done bool
	if err := s.db.GetContext(ctx, &done, `SELECT EXISTS (SELECT 1 FROM wealth.snapshot_months WHERE month = $1)`, month); err != nil {
		return nil, false, err
	}
	var rows []holdingRow
	if err := s.db.SelectContext(ctx, &rows, `SELECT `+holdingCols+` FROM wealth.snapshots WHERE customer_id = $1 AND month = $2 ORDER BY holding_id`,
		customer, month); err != nil {
		return nil, false, err
	}
	out := make([]wealth.Holding, len(rows))
	for i, r := range rows {
		h, err := r.holding()
		if err != nil {
			return nil, false, err
		}
		out[i] = h
	}
	return out, done, nil
}

// Totals implements wealth.Store.
func (s *Store) Totals(ctx context.Context, product wealth.ID) (wealth.Totals, error) {
	var cur string
	if err := s.db.GetContext(ctx, &cur, `SELECT currency FROM wealth.products WHERE id = $1`, product); err != nil {
		return wealth.Totals{}, notFound(err, "product "+product.String())
	}
	var r struct {
		Units    decimal.Decimal `db:"units"`
		Cost     decimal.Decimal `db:"cost"`
		Accrued  decimal.Decimal `db:"accrued"`
		Holdings int             `db:"holdings"`
	}
	err := s.db.GetContext(ctx, &r, `SELECT COALESCE(sum(units), 0) AS units, COALESCE(sum(cost), 0) AS cost,
		COALESCE(sum(accrued), 0) AS accrued, count(*) FILTER (WHERE units > 0) AS holdings FROM wealth.holdings WHERE product_id = $1`, product)
	if err != nil {
		return wealth.Totals{}, err
	}
	c := money.Currency(cur)
	return wealth.Totals{Units: r.Units, Cost: money.Money{Amount: r.Cost, Currency: c}, Accrued: money.Money{Amount: r.Accrued, Currency: c}, Holdings: r.Holdings}, nil
}

// CreditIncome implements wealth.Store: one statement locks a page of the
// product's holdings, credits each its income (units × income per 10,000
// / 10,000, truncated to the minor unit as wealth.IncomeRun.Income does),
// and the day's total grows by the sum, in one transaction.
func (s *Store) CreditIncome(ctx context.Context, r wealth.IncomeRun, after wealth.ID, limit int) (wealth.IncomePage, error) {
	pg := wealth.IncomePage{Last: after}
	err := s.tx(ctx, func(tx *sqlx.Tx) error {
		var res struct {
			Scanned  int             `db:"scanned"`
			Credited int             `db:"credited"`
			Total    decimal.Decimal `db:"total"`
			Last     *wealth.ID      `db:"last"`
		}
		err := tx.GetContext(ctx, &res, `
			WITH page AS (
				SELECT id, units, trunc(units * $4 / 10000, $5) AS inc, income_through
				FROM wealth.holdings WHERE product_id = $1 AND id > $2 ORDER BY id LIMIT $3 FOR UPDATE
			), upd AS (
				UPDATE wealth.holdings h SET
					units   = CASE WHEN $6 THEN h.units + page.inc ELSE h.units END,
					cost    = CASE WHEN $6 THEN h.cost + page.inc ELSE h.cost END,
					accrued = CASE WHEN $6 THEN h.accrued ELSE h.accrued + page.inc END,
					income  = h.income + page.inc,
					income_through = $7,
					version = h.version + 1
				FROM page
				WHERE h.id = page.id AND page.units > 0 AND (page.income_through IS NULL OR page.income_through < $7)
				RETURNING page.inc
			)
			SELECT (SELECT count(*) FROM page) AS scanned,
				(SELECT count(*) FROM upd WHERE inc > 0) AS credited,
				(SELECT COALESCE(sum(inc), 0) FROM upd) AS total,
				(SELECT id FROM page ORDER BY id DESC LIMIT 1) AS last`,
			r.ProductID, after, limit, r.IncomePer10K, r.Currency.MinorUnits(), r.Mode == wealth.IncomeReinvest, r.Date)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO wealth.income_days (product_id, date, total) VALUES ($1, $2, $3)
			ON CONFLICT (product_id, date) DO UPDATE SET total = wealth.income_days.total + EXCLUDED.total`, r.ProductID, r.Date, res.Total); err != nil {
			return err
		}
		pg = wealth.IncomePage{Scanned: res.Scanned, Credited: res.Credited, Last: after}
		if res.Last != nil {
			pg.Last = *res.Last
		}
		return nil
	})
	return pg, err
}

// IncomeOf implements wealth.Store.
func (s *Store) IncomeOf(ctx context.Context, product wealth.ID, d calendar.Date) (money.Money, error) {
	var cur string
	if err := s.db.GetContext(ctx, &cur, `SELECT currency FROM wealth.products WHERE id = $1`, product); err != nil {
		return money.Money{}, notFound(err, "product "+product.String())
	}
	var total decimal.Decimal
	err := s.db.GetContext(ctx, &total, `SELECT COALESCE((SELECT total FROM wealth.income_days WHERE product_id = $1 AND date = $2), 0)`, product, d)
	return money.Money{Amount: total, Currency: money.Currency(cur)}, err
}
