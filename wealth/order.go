package wealth

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
)

// OrderKind is a subscription or a redemption.
type OrderKind string

// The order kinds.
const (
	Subscription OrderKind = "subscription"
	Redemption   OrderKind = "redemption"
)

// OrderStatus is where an order stands.
//
//	subscription: pending -> confirmed | cancelled | failed
//	redemption:   pending -> confirmed -> paid | failed
type OrderStatus string

// The order statuses.
const (
	OrderPending   OrderStatus = "pending"   // placed, waiting for its trade date's NAV
	OrderConfirmed OrderStatus = "confirmed" // traded at the NAV; a redemption awaits its settlement date
	OrderPaid      OrderStatus = "paid"      // a redemption's proceeds are on the demand account
	OrderCancelled OrderStatus = "cancelled" // cancelled by the customer; the hold released
	OrderFailed    OrderStatus = "failed"    // refused by the ledger, or a closed-ended raise that failed
)

// Order is a subscription (by amount) or a redemption (by units).
type Order struct {
	ID         ID          `json:"id"`
	CustomerID ID          `json:"customer_id"`
	ProductID  ID          `json:"product_id"`
	Kind       OrderKind   `json:"kind"`
	Status     OrderStatus `json:"status"`
	// Account is the customer's demand account: held and debited for a
	// subscription, credited with a redemption's proceeds.
	Account ID          `json:"account_id"`
	Amount  money.Money `json:"amount"` // subscription: the amount held
	// Units: a redemption's units; a confirmed subscription's units.
	Units decimal.Decimal `json:"units"`
	Fast  bool            `json:"fast"` // a T+0 redemption of a cash-management product
	// Key is the customer's idempotency key (unique per customer).
	Key      string        `json:"key"`
	HoldID   ID            `json:"hold_id,omitzero"`
	PlacedAt time.Time     `json:"placed_at"`
	Trade    calendar.Date `json:"trade_date"`
	// CancelBy is the last instant the customer may cancel: the cut-off
	// of the trade date (which is after any cooling-off period).
	CancelBy time.Time `json:"cancel_by"`

	// Set at confirmation.
	NAV        decimal.Decimal `json:"nav"`
	Net        money.Money     `json:"net"`      // subscription: amount less fee
	Fee        money.Money     `json:"fee"`      // subscription or redemption fee
	Refund     money.Money     `json:"refund"`   // subscription: what the units did not take
	Gross      money.Money     `json:"gross"`    // redemption: units × NAV
	Proceeds   money.Money     `json:"proceeds"` // redemption: gross less fee
	Cost       money.Money     `json:"cost"`     // the cost of the units bought or sold
	Settlement calendar.Date   `json:"settlement_date,omitzero"`
	Reason     string          `json:"reason,omitempty"` // why it failed

	HoldReleased bool      `json:"hold_released,omitempty"`
	UpdatedAt    time.Time `json:"updated_at"`
	Version      int       `json:"version"`
}

// newOrder returns an order with every amount zero in c.
func newOrder(c money.Currency) Order {
	z := money.Zero(c)
	return Order{Amount: z, Net: z, Fee: z, Refund: z, Gross: z, Proceeds: z, Cost: z, Units: decimal.Zero, NAV: decimal.Zero}
}

// Lot is units bought on one date, for first-in first-out redemption and
// the holding-period fee.
type Lot struct {
	Date  calendar.Date   `json:"date"`
	Units decimal.Decimal `json:"units"`
	Cost  money.Money     `json:"cost"`
}

// Holding is a customer's position in a product.
type Holding struct {
	ID         ID             `json:"id"`
	CustomerID ID             `json:"customer_id"`
	ProductID  ID             `json:"product_id"`
	Currency   money.Currency `json:"currency"`
	// Units held, of which Reserved are in pending redemptions.
	Units    decimal.Decimal `json:"units"`
	Reserved decimal.Decimal `json:"reserved"`
	Cost     money.Money     `json:"cost"`     // of the units held
	Realised money.Money     `json:"realised"` // proceeds less cost of the units sold
	Income   money.Money     `json:"income"`   // cash-management income credited, in total
	Accrued  money.Money     `json:"accrued"`  // monthly-paid income not yet paid
	// IncomeThrough is the last date daily income was credited.
	IncomeThrough calendar.Date `json:"income_through,omitzero"`
	// Account is the demand account payouts go to (the last subscription's).
	Account ID    `json:"account_id"`
	Lots    []Lot `json:"lots"` // oldest first; none for cash management
	// FastOn and FastUsed count the day's fast redemptions.
	FastOn   calendar.Date `json:"fast_on,omitzero"`
	FastUsed money.Money   `json:"fast_used"`
	Version  int           `json:"version"`
}

// NewHolding returns an empty holding.
func NewHolding(customer, product ID, c money.Currency) Holding {
	z := money.Zero(c)
	return Holding{ID: NewID(), CustomerID: customer, ProductID: product, Currency: c, Units: decimal.Zero,
		Reserved: decimal.Zero, Cost: z, Realised: z, Income: z, Accrued: z, FastUsed: z, Lots: []Lot{}}
}

// Valuation is a holding at a NAV.
type Valuation struct {
	Holding
	NAV         decimal.Decimal `json:"nav"`
	NAVDate     calendar.Date   `json:"nav_date,omitzero"`
	MarketValue money.Money     `json:"market_value"`
	Unrealised  money.Money     `json:"unrealised"`
}

// Value values h at nav: market value = units × NAV (half-even to the
// minor unit), unrealised gain = market value − cost.
func (h Holding) Value(nav decimal.Decimal, on calendar.Date) Valuation {
	mv := money.Money{Amount: h.Units.Mul(nav).RoundBank(h.Currency.MinorUnits()), Currency: h.Currency}
	un, _ := mv.Sub(h.Cost)
	return Valuation{Holding: h, NAV: nav, NAVDate: on, MarketValue: mv, Unrealised: un}
}

// SubscriptionSplit is how a subscription's amount divides at a NAV.
type SubscriptionSplit struct {
	Net    money.Money     // amount / (1 + fee rate), half-even to the minor unit
	Fee    money.Money     // amount − net
	Units  decimal.Decimal // net / NAV, rounded down to the unit places
	Cost   money.Money     // net − refund: what the units cost
	Refund money.Money     // net − units × NAV, rounded down to the minor unit
}

// Split divides a subscription amount at a fee rate and NAV:
//
//	net = amount / (1 + fee), fee = amount − net,
//	units = net / NAV rounded down to unitPlaces,
//	refund = net − units × NAV rounded down to the minor unit.
//
// 10,000.00 CNY at 1.5% and NAV 1.0250: net 9,852.22, fee 147.78, units
// 9,611.92 (9,611.92 × 1.0250 = 9,852.218, so the refund rounds to 0.00).
func Split(amount money.Money, feeRate, nav decimal.Decimal, unitPlaces int32) (SubscriptionSplit, error) {
	if !nav.IsPositive() {
		return SubscriptionSplit{}, invalid("nav", "must be positive")
	}
	if !amount.IsPositive() || !amount.Valid() {
		return SubscriptionSplit{}, invalid("amount", "must be a positive amount")
	}
	places := amount.Currency.MinorUnits()
	net := amount.Amount.DivRound(decimal.NewFromInt(1).Add(feeRate), places+8).RoundBank(places)
	units := net.DivRound(nav, unitPlaces+8).RoundDown(unitPlaces)
	refund := net.Sub(units.Mul(nav)).RoundDown(places)
	c := amount.Currency
	return SubscriptionSplit{
		Net:    money.Money{Amount: net, Currency: c},
		Fee:    money.Money{Amount: amount.Amount.Sub(net), Currency: c},
		Units:  units,
		Cost:   money.Money{Amount: net.Sub(refund), Currency: c},
		Refund: money.Money{Amount: refund, Currency: c},
	}, nil
}

// RedemptionSplit is how a redemption of units divides at a NAV.
type RedemptionSplit struct {
	Gross    money.Money // units × NAV, half-even to the minor unit
	Fee      money.Money // Σ per lot units × NAV × the lot's rate by holding period, half-even once
	Proceeds money.Money // gross − fee
	Cost     money.Money // cost of the lots taken, first in first out
	Lots     []Lot       // the lots left
}

// Redeem works out the redemption of units from lots (oldest first) at
// nav on trade. Partial lots give up cost in proportion, half-even; the
// lot keeps the rest so no cent is lost. A product with no lots (cash
// management, NAV 1) gives up cost in proportion to the holding.
func Redeem(p Product, h Holding, units, nav decimal.Decimal, trade calendar.Date, fees bool) (RedemptionSplit, error) {
	c := h.Currency
	places := c.MinorUnits()
	if units.GreaterThan(h.Units) {
		return RedemptionSplit{}, ErrInsufficientUnits
	}
	gross := units.Mul(nav).RoundBank(places)
	out := RedemptionSplit{Gross: money.Money{Amount: gross, Currency: c}}
	feeExact := decimal.Zero
	cost := decimal.Zero
	left := units
	var lots []Lot
	if len(h.Lots) == 0 {
		if h.Units.IsPositive() {
			cost = h.Cost.Amount.Mul(units).DivRound(h.Units, places+8).RoundBank(places)
		}
		if fees {
			feeExact = units.Mul(nav).Mul(p.RedemptionRate(0))
		}
	}
	for _, l := range h.Lots {
		if !left.IsPositive() {
			lots = append(lots, l)
			continue
		}
		take := decimal.Min(left, l.Units)
		if fees {
			feeExact = feeExact.Add(take.Mul(nav).Mul(p.RedemptionRate(trade.DaysSince(l.Date))))
		}
		if take.Equal(l.Units) {
			cost = cost.Add(l.Cost.Amount)
		} else {
			part := l.Cost.Amount.Mul(take).DivRound(l.Units, places+8).RoundBank(places)
			cost = cost.Add(part)
			l.Units = l.Units.Sub(take)
			l.Cost = money.Money{Amount: l.Cost.Amount.Sub(part), Currency: c}
			lots = append(lots, l)
		}
		left = left.Sub(take)
	}
	if lots == nil {
		lots = []Lot{}
	}
	fee := feeExact.RoundBank(places)
	out.Fee = money.Money{Amount: fee, Currency: c}
	out.Proceeds = money.Money{Amount: gross.Sub(fee), Currency: c}
	out.Cost = money.Money{Amount: cost, Currency: c}
	out.Lots = lots
	return out, nil
}

// OrderFilter selects orders; zero fields select all.
type OrderFilter struct {
	CustomerID ID
	ProductID  ID
	Kind       OrderKind
	Status     OrderStatus
	// TradeBy selects orders with a trade date on or before it;
	// SettleBy orders with a settlement date on or before it.
	TradeBy  calendar.Date
	SettleBy calendar.Date
	// Unreleased selects orders whose hold is still to be released.
	Unreleased bool
}

// Match reports whether o passes the filter.
func (f OrderFilter) Match(o Order) bool {
	return (f.CustomerID == NilID || o.CustomerID == f.CustomerID) &&
		(f.ProductID == NilID || o.ProductID == f.ProductID) &&
		(f.Kind == "" || o.Kind == f.Kind) &&
		(f.Status == "" || o.Status == f.Status) &&
		(f.TradeBy.IsZero() || !o.Trade.After(f.TradeBy)) &&
		(f.SettleBy.IsZero() || (!o.Settlement.IsZero() && !o.Settlement.After(f.SettleBy))) &&
		(!f.Unreleased || (!o.HoldReleased && o.HoldID != NilID))
}

// HoldingFilter selects holdings; zero fields select all.
type HoldingFilter struct {
	CustomerID ID
	ProductID  ID
}

// Match reports whether h passes the filter.
func (f HoldingFilter) Match(h Holding) bool {
	return (f.CustomerID == NilID || h.CustomerID == f.CustomerID) && (f.ProductID == NilID || h.ProductID == f.ProductID)
}

// IncomePage is what one CreditIncome call did.
type IncomePage struct {
	Scanned  int // holdings of the product looked at
	Credited int // holdings credited
	Last     ID  // the last holding looked at
}

// IncomeRun asks the store to credit one day's cash-management income.
type IncomeRun struct {
	ProductID    ID
	Date         calendar.Date
	IncomePer10K decimal.Decimal
	Mode         IncomeMode
	Currency     money.Currency
}

// Income is one holding's income for a day: units × income per 10,000 /
// 10,000, rounded down to the minor unit (never more than was earned;
// the fraction stays with the product).
func (r IncomeRun) Income(units decimal.Decimal) decimal.Decimal {
	return units.Mul(r.IncomePer10K).Div(decimal.NewFromInt(10000)).RoundDown(r.Currency.MinorUnits())
}
