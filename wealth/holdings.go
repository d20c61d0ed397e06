package wealth

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
)

// Position is a holding valued at the product's latest NAV on or before
// a date.
type Position struct {
	Valuation
	ProductCode string `json:"product_code"`
	ProductName string `json:"product_name"`
}

// Positions values the customer's holdings (with units, or with income or
// proceeds still owed) at each product's latest NAV on or before d; a
// product without a NAV yet is valued at cost.
func (s *Service) Positions(ctx context.Context, customer ID, d calendar.Date) ([]Position, error) {
	if customer == NilID {
		return nil, invalid("customer_id", "is required")
	}
	if !d.Valid() {
		return nil, invalid("date", "is required")
	}
	var out []Position
	page := Page{Limit: MaxPageLimit}
	for {
		hs, err := s.store.Holdings(ctx, HoldingFilter{CustomerID: customer}, page)
		if err != nil {
			return nil, err
		}
		for _, h := range hs {
			p, err := s.store.Product(ctx, h.ProductID)
			if err != nil {
				return nil, err
			}
			pos, err := s.position(ctx, p, h, d)
			if err != nil {
				return nil, err
			}
			out = append(out, pos)
		}
		if len(hs) < page.Limit {
			break
		}
		page.After = hs[len(hs)-1].ID
	}
	return out, nil
}

func (s *Service) position(ctx context.Context, p Product, h Holding, d calendar.Date) (Position, error) {
	n, err := s.store.LatestNAV(ctx, p.ID, d)
	var v Valuation
	switch {
	case errors.Is(err, ErrNotFound):
		v = h.Value(decimal.Zero, calendar.Date{})
		v.MarketValue, v.Unrealised = h.Cost, money.Zero(h.Currency)
	case err != nil:
		return Position{}, err
	default:
		v = h.Value(n.Value, n.Date)
	}
	return Position{Valuation: v, ProductCode: p.Code, ProductName: p.Name}, nil
}

// Position values one holding of the customer.
func (s *Service) Position(ctx context.Context, customer, product ID, d calendar.Date) (Position, error) {
	if customer == NilID || product == NilID {
		return Position{}, invalid("product_id", "customer and product are required")
	}
	p, err := s.store.Product(ctx, product)
	if err != nil {
		return Position{}, err
	}
	h, err := s.store.Holding(ctx, customer, product)
	if err != nil {
		return Position{}, err
	}
	return s.position(ctx, p, h, d)
}

// ProductReconciliation compares one product's records with its ledger
// accounts.
type ProductReconciliation struct {
	ProductID ID              `json:"product_id"`
	Code      string          `json:"code"`
	Currency  money.Currency  `json:"currency"`
	Units     decimal.Decimal `json:"units"`
	// HoldingsCost is the holdings' cost; Custody the custody account.
	HoldingsCost money.Money `json:"holdings_cost"`
	Custody      money.Money `json:"custody"`
	// Owed is the confirmed, unpaid redemptions' proceeds plus accrued
	// income; Settlement the settlement account.
	Owed       money.Money `json:"owed"`
	Settlement money.Money `json:"settlement"`
	Agrees     bool        `json:"agrees"`
}

// Reconciliation is the bank's wealth books against the ledger.
type Reconciliation struct {
	Products []ProductReconciliation `json:"products"`
	// Totals per currency of the holdings' cost, owed, custody and
	// settlement.
	Totals []ProductReconciliation `json:"totals"`
	Agrees bool                    `json:"agrees"`
}

// Reconcile checks, product by product and in total per currency, that
// the holdings' cost equals the product's custody account and that what
// is owed to investors (confirmed redemptions not yet paid, income
// accrued) equals its settlement account. Run it after the end of day;
// an order being confirmed while it runs may show a passing difference.
func (s *Service) Reconcile(ctx context.Context) (Reconciliation, error) {
	if err := s.needLedger(); err != nil {
		return Reconciliation{}, err
	}
	out := Reconciliation{Products: []ProductReconciliation{}, Totals: []ProductReconciliation{}, Agrees: true}
	totals := map[money.Currency]*ProductReconciliation{}
	page := Page{Limit: MaxPageLimit}
	for {
		ps, err := s.store.Products(ctx, page)
		if err != nil {
			return out, err
		}
		for _, p := range ps {
			r, err := s.reconcile(ctx, p)
			if err != nil {
				return out, err
			}
			out.Products = append(out.Products, r)
			out.Agrees = out.Agrees && r.Agrees
			t := totals[p.Currency]
			if t == nil {
				z := money.Zero(p.Currency)
				t = &ProductReconciliation{Code: "TOTAL", Currency: p.Currency, Units: decimal.Zero, HoldingsCost: z, Custody: z, Owed: z, Settlement: z, Agrees: true}
				totals[p.Currency] = t
			}
			t.Units = t.Units.Add(r.Units)
			t.HoldingsCost, _ = t.HoldingsCost.Add(r.HoldingsCost)
			t.Custody, _ = t.Custody.Add(r.Custody)
			t.Owed, _ = t.Owed.Add(r.Owed)
			t.Settlement, _ = t.Settlement.Add(r.Settlement)
			t.Agrees = t.HoldingsCost.Equal(t.Custody) && t.Owed.Equal(t.Settlement)
		}
		if len(ps) < page.Limit {
			break
		}
		page.After = ps[len(ps)-1].ID
	}
	for _, t := range totals {
		out.Totals = append(out.Totals, *t)
		out.Agrees = out.Agrees && t.Agrees
	}
	sort.Slice(out.Totals, func(i, j int) bool { return out.Totals[i].Currency < out.Totals[j].Currency })
	return out, nil
}

func (s *Service) reconcile(ctx context.Context, p Product) (ProductReconciliation, error) {
	t, err := s.store.Totals(ctx, p.ID)
	if err != nil {
		return ProductReconciliation{}, err
	}
	owed := t.Accrued
	err = s.eachOrder(ctx, OrderFilter{ProductID: p.ID, Kind: Redemption, Status: OrderConfirmed}, func(o Order) error {
		owed, err = owed.Add(o.Proceeds)
		return err
	})
	if err != nil {
		return ProductReconciliation{}, err
	}
	ch := ChartsOf(p.Code)
	custody, err := s.ledger.ChartBalance(ctx, p.Currency, ch.Custody)
	if err != nil {
		return ProductReconciliation{}, fmt.Errorf("custody of %s: %w", p.Code, err)
	}
	settlement, err := s.ledger.ChartBalance(ctx, p.Currency, ch.Settlement)
	if err != nil {
		return ProductReconciliation{}, fmt.Errorf("settlement of %s: %w", p.Code, err)
	}
	return ProductReconciliation{ProductID: p.ID, Code: p.Code, Currency: p.Currency, Units: t.Units, HoldingsCost: t.Cost, Custody: custody,
		Owed: owed, Settlement: settlement, Agrees: t.Cost.Equal(custody) && owed.Equal(settlement)}, nil
}
