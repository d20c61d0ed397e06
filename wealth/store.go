package wealth

import (
	"context"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/money"
)

// Store is what the wealth Service needs from storage. Implementations:
// memwealth (in memory) and pgwealth (PostgreSQL); wealthtest.Run proves
// one. Every write appends its events to the Store's outbox in the same
// operation, so an event exists exactly when its change does.
type Store interface {
	// CreateProduct stores a new product. ErrDuplicate when its id or code
	// is taken.
	CreateProduct(ctx context.Context, p Product, events ...event.Envelope) error
	// Product returns the product with id; ErrNotFound.
	Product(ctx context.Context, id ID) (Product, error)
	// ProductByCode returns the product with code; ErrNotFound.
	ProductByCode(ctx context.Context, code string) (Product, error)
	// Products lists products in id order after page.After.
	Products(ctx context.Context, page Page) ([]Product, error)
	// UpdateProduct applies fn to the product atomically; the store raises
	// Version by one. An error of fn changes nothing. ErrNotFound.
	UpdateProduct(ctx context.Context, id ID, fn func(Product) (Product, []event.Envelope, error)) (Product, error)

	// PublishNAV stores a NAV. ErrDuplicate when the product has one for
	// the date.
	PublishNAV(ctx context.Context, n NAV, events ...event.Envelope) error
	// PublishNAVs stores NAVs (events[i] is navs[i]'s event) in one
	// operation, all or none: ErrDuplicate when a product has a NAV for
	// one of the dates (or the slice names a product and date twice),
	// ErrNotFound when a product does not exist.
	PublishNAVs(ctx context.Context, navs []NAV, events []event.Envelope) error
	// NAV returns the product's NAV for the date; ErrNotFound.
	NAV(ctx context.Context, productID ID, d calendar.Date) (NAV, error)
	// NAVs lists the product's NAVs dated from..to inclusive, oldest first.
	NAVs(ctx context.Context, productID ID, from, to calendar.Date) ([]NAV, error)
	// LatestNAV returns the product's NAV with the latest date on or
	// before d; ErrNotFound when there is none.
	LatestNAV(ctx context.Context, productID ID, d calendar.Date) (NAV, error)

	// SaveAssessment stores an assessment; it becomes the customer's
	// current one.
	SaveAssessment(ctx context.Context, a Assessment, events ...event.Envelope) error
	// Assessment returns the customer's latest assessment; ErrNotFound.
	Assessment(ctx context.Context, customerID ID) (Assessment, error)
	// RecordRefusal stores a suitability refusal.
	RecordRefusal(ctx context.Context, r Refusal, events ...event.Envelope) error
	// Refusals lists the customer's refusals, oldest first.
	Refusals(ctx context.Context, customerID ID) ([]Refusal, error)

	// CreateOrder stores a new order and, in the same operation, applies fn
	// to the customer's holding of the product (a NewHolding when there is
	// none, stored with the order). An error of fn changes nothing. ErrDuplicate when the
	// customer has an order with o.Key.
	CreateOrder(ctx context.Context, o Order, fn func(Holding) (Holding, []event.Envelope, error)) (Order, error)
	// Order returns the order with id; ErrNotFound.
	Order(ctx context.Context, id ID) (Order, error)
	// OrderByKey returns the customer's order with the key; ErrNotFound.
	OrderByKey(ctx context.Context, customerID ID, key string) (Order, error)
	// Orders lists orders matching f in id order after page.After.
	Orders(ctx context.Context, f OrderFilter, page Page) ([]Order, error)
	// UpdateOrder applies fn to the order and its customer's holding of
	// the product atomically; the store raises both Versions by one. An
	// error of fn changes nothing. ErrNotFound.
	UpdateOrder(ctx context.Context, id ID, fn func(Order, Holding) (Order, Holding, []event.Envelope, error)) (Order, error)

	// UpdateOrders applies fn to each of the orders, in id order, with its
	// customer's holding of the product as the orders before it in the
	// batch left it, all in one operation: the end of day confirms a page of
	// orders at once. An error of fn changes nothing. ErrNotFound when an
	// order does not exist.
	UpdateOrders(ctx context.Context, ids []ID, fn func(Order, Holding) (Order, Holding, []event.Envelope, error)) error

	// Holding returns the customer's holding of the product; ErrNotFound.
	Holding(ctx context.Context, customerID, productID ID) (Holding, error)
	// Holdings lists holdings matching f in id order after page.After.
	Holdings(ctx context.Context, f HoldingFilter, page Page) ([]Holding, error)
	// UpdateHolding applies fn to the holding atomically; ErrNotFound.
	UpdateHolding(ctx context.Context, id ID, fn func(Holding) (Holding, []event.Envelope, error)) (Holding, error)
	// Totals adds up the product's holdings: units, cost and accrued
	// income.
	Totals(ctx context.Context, productID ID) (Totals, error)

	// CreditIncome credits one day's income to up to limit holdings of the
	// product, in id order after after, each whose IncomeThrough is before
	// the date (a holding is credited once per date), and adds what it
	// credited to the product's income of the day, in one operation.
	CreditIncome(ctx context.Context, r IncomeRun, after ID, limit int) (IncomePage, error)
	// IncomeOf returns the income credited for the product and date.
	IncomeOf(ctx context.Context, productID ID, d calendar.Date) (money.Money, error)

	// SnapshotHoldings copies up to limit of the product's holdings, in id
	// order after after, as they stand into month's snapshot ("2026-03"),
	// replacing a copy taken before, in one operation; Credited counts the
	// holdings copied. A month whose snapshot is finished is left as it is
	// (Scanned 0).
	SnapshotHoldings(ctx context.Context, month string, productID ID, after ID, limit int) (IncomePage, error)
	// FinishSnapshot marks month's snapshot complete, taken at the end of
	// day of d; finishing it again changes nothing.
	FinishSnapshot(ctx context.Context, month string, d calendar.Date) error
	// Snapshot returns the customer's holdings in month's snapshot, in id
	// order, and whether that snapshot is finished.
	Snapshot(ctx context.Context, customerID ID, month string) ([]Holding, bool, error)

	// Events is the outbox of wealth's events.
	Events() event.Log
}

// Totals are a product's holdings added up.
type Totals struct {
	Units   decimal.Decimal `json:"units"`
	Cost    money.Money     `json:"cost"`
	Accrued money.Money     `json:"accrued"`
	// Holdings counts the holdings with units.
	Holdings int `json:"holdings"`
}
