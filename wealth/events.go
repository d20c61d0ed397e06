package wealth

import (
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/money"
)

// EventSource is the Source of the wealth subsystem's events.
const EventSource = "wealth"

// The event types wealth publishes, and the version of every payload.
// Subjects hold the order's (or product's) id and the customer's.
const (
	EventProductCreated  = "wealth.product_created"  // payload ProductChanged
	EventProductChanged  = "wealth.product_changed"  // payload ProductChanged (status or phase)
	EventNAVPublished    = "wealth.nav_published"    // payload NAVPublished
	EventAssessed        = "wealth.assessed"         // payload Assessed
	EventPurchaseRefused = "wealth.purchase_refused" // payload PurchaseRefused
	EventOrderPlaced     = "wealth.order_placed"     // payload OrderChanged
	EventOrderCancelled  = "wealth.order_cancelled"  // payload OrderChanged
	EventOrderConfirmed  = "wealth.order_confirmed"  // payload OrderChanged (a subscription confirmed, a redemption traded)
	EventOrderFailed     = "wealth.order_failed"     // payload OrderChanged
	EventRedemptionPaid  = "wealth.redemption_paid"  // payload OrderChanged
	EventIncomeCredited  = "wealth.income_credited"  // payload IncomeCredited, one per product and date
	EventIncomePaid      = "wealth.income_paid"      // payload IncomePaid, one per holding and month

	EventVersion = 1
)

// ProductChanged is the payload of a product's creation or change.
type ProductChanged struct {
	ProductID ID          `json:"product_id"`
	Code      string      `json:"code"`
	Status    SalesStatus `json:"status"`
	Phase     Phase       `json:"phase"`
}

// NAVPublished is the payload of EventNAVPublished.
type NAVPublished struct {
	ProductID    ID              `json:"product_id"`
	Date         calendar.Date   `json:"date"`
	NAV          decimal.Decimal `json:"nav"`
	IncomePer10K decimal.Decimal `json:"income_per_10k"`
	Yield7D      decimal.Decimal `json:"yield_7d"`
}

// Assessed is the payload of EventAssessed: the level, not the answers.
type Assessed struct {
	CustomerID ID            `json:"customer_id"`
	Level      int           `json:"level"`
	Expires    calendar.Date `json:"expires"`
}

// PurchaseRefused is the payload of EventPurchaseRefused.
type PurchaseRefused struct {
	CustomerID ID     `json:"customer_id"`
	ProductID  ID     `json:"product_id"`
	Reason     string `json:"reason"`
}

// OrderChanged is the payload of an order's events.
type OrderChanged struct {
	OrderID    ID              `json:"order_id"`
	CustomerID ID              `json:"customer_id"`
	ProductID  ID              `json:"product_id"`
	Kind       OrderKind       `json:"kind"`
	Status     OrderStatus     `json:"status"`
	Amount     money.Money     `json:"amount,omitzero"`
	Units      decimal.Decimal `json:"units"`
	Proceeds   money.Money     `json:"proceeds,omitzero"`
	Trade      calendar.Date   `json:"trade_date"`
}

// IncomeCredited is the payload of EventIncomeCredited.
type IncomeCredited struct {
	ProductID    ID              `json:"product_id"`
	Date         calendar.Date   `json:"date"`
	IncomePer10K decimal.Decimal `json:"income_per_10k"`
	Total        money.Money     `json:"total"`
}

// IncomePaid is the payload of EventIncomePaid.
type IncomePaid struct {
	HoldingID  ID          `json:"holding_id"`
	CustomerID ID          `json:"customer_id"`
	ProductID  ID          `json:"product_id"`
	Amount     money.Money `json:"amount"`
	Month      string      `json:"month"`
}

// newEvent builds one of wealth's events; bd is the bank's business date
// when it happened (the end of day's date during end of day).
func (s *Service) newEvent(typ string, at time.Time, bd calendar.Date, payload any, subjects ...ID) (event.Envelope, error) {
	e, err := event.New(typ, EventVersion, at, payload, subjects...)
	if err != nil {
		return event.Envelope{}, err
	}
	e.BusinessDate = bd
	return e, nil
}

func (s *Service) orderEvent(typ string, o Order, bd calendar.Date) ([]event.Envelope, error) {
	e, err := s.newEvent(typ, s.clock.Now(), bd, OrderChanged{OrderID: o.ID, CustomerID: o.CustomerID, ProductID: o.ProductID,
		Kind: o.Kind, Status: o.Status, Amount: o.Amount, Units: o.Units, Proceeds: o.Proceeds, Trade: o.Trade},
		o.ID, o.CustomerID)
	if err != nil {
		return nil, err
	}
	return []event.Envelope{e}, nil
}

// Events is wealth's event feed: subscribe to it, run its delivery, prune
// what every subscriber has had. Delivery is at least once, in order.
func (s *Service) Events() *event.Feed { return s.events }
