package wealth

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/money"
)

// SubscribeRequest subscribes an amount to a product.
type SubscribeRequest struct {
	CustomerID ID
	ProductID  ID
	Account    ID // the customer's demand account, held now and debited at confirmation
	Amount     money.Money
	Key        string // the customer's idempotency key, 1-200 printable ASCII
}

// RedeemRequest redeems units of a product.
type RedeemRequest struct {
	CustomerID ID
	ProductID  ID
	Account    ID // the customer's demand account the proceeds go to
	Units      decimal.Decimal
	// Fast asks for T+0 redemption of a cash-management product, up to
	// its daily limit.
	Fast bool
	Key  string
}

// Placed is the outcome of an order request: the order, and whether an
// earlier request with the same key placed it (a replay).
type Placed struct {
	Order    Order
	Replayed bool
}

func checkKey(key string) error {
	if len(key) < 1 || len(key) > 200 {
		return invalid("key", "must be 1-200 characters")
	}
	for i := 0; i < len(key); i++ {
		if key[i] < 0x21 || key[i] > 0x7e {
			return invalid("key", "must be printable ASCII")
		}
	}
	if strings.HasPrefix(key, eodKeyPrefix) {
		return invalid("key", "may not start with %s (the end of day's keys)", eodKeyPrefix)
	}
	return nil
}

// orderKey is the ledger key of a customer's order key: hashed, so any
// caller's key fits the ledger's bound.
func orderKey(customer ID, key string) string {
	h := sha256.Sum256([]byte(customer.String() + "\x00" + key))
	return "wealth/order/" + hex.EncodeToString(h[:16])
}

// replay returns the customer's order with key if there is one: the same
// request replays it, another is ErrKeyReused.
func (s *Service) replay(ctx context.Context, customer ID, key string, same func(Order) bool) (Placed, bool, error) {
	o, err := s.store.OrderByKey(ctx, customer, key)
	switch {
	case errors.Is(err, ErrNotFound):
		return Placed{}, false, nil
	case err != nil:
		return Placed{}, false, err
	case !same(o):
		return Placed{}, false, fmt.Errorf("%w: key %q", ErrKeyReused, key)
	}
	return Placed{Order: o, Replayed: true}, true, nil
}

// tradeDate is the trading day an order placed at t trades, and the
// cut-off instant of that day: the first trading day, from the bank's
// business date on, whose cut-off comes after t + cooling-off. An order
// placed on the business day before its cut-off trades that day; after
// the cut-off (or while the business date is still a day the wall clock
// has left) it trades the next business day of the bank's calendar.
func (s *Service) tradeDate(ctx context.Context, p Product, t time.Time) (calendar.Date, time.Time, error) {
	d, err := s.businessDate(ctx)
	if err != nil {
		return calendar.Date{}, time.Time{}, err
	}
	ready := t.Add(max(p.CoolingOff, 0))
	if !s.cal.IsBusinessDay(d) {
		if d, err = s.cal.NextBusinessDay(d); err != nil {
			return calendar.Date{}, time.Time{}, err
		}
	}
	for !s.cutOff(p, d).After(ready) {
		if d, err = s.cal.NextBusinessDay(d); err != nil {
			return calendar.Date{}, time.Time{}, err
		}
	}
	return d, s.cutOff(p, d), nil
}

func (s *Service) cutOff(p Product, d calendar.Date) time.Time {
	return d.In(s.loc).Add(time.Duration(p.CutOff) * time.Minute)
}

func (s *Service) needLedger() error {
	if s.ledger == nil {
		return fmt.Errorf("wealth: no ledger port configured (WithLedger)")
	}
	return nil
}

// Subscribe places a subscription: the amount is held on the customer's
// demand account now and taken at the trade date's NAV when the end of day
// confirms it. The customer's assessment must be current and at or above
// the product's risk level; a refusal is recorded with its reason. The
// amount must reach the first (or additional) minimum and lie on the step
// above it. Replaying the key returns the first order.
func (s *Service) Subscribe(ctx context.Context, r SubscribeRequest) (Placed, error) {
	switch {
	case r.CustomerID == NilID:
		return Placed{}, invalid("customer_id", "is required")
	case r.ProductID == NilID:
		return Placed{}, invalid("product_id", "is required")
	case r.Account == NilID:
		return Placed{}, invalid("account_id", "is required")
	}
	if err := checkKey(r.Key); err != nil {
		return Placed{}, err
	}
	if err := s.needLedger(); err != nil {
		return Placed{}, err
	}
	same := func(o Order) bool {
		return o.Kind == Subscription && o.ProductID == r.ProductID && o.Account == r.Account && o.Amount.Equal(r.Amount)
	}
	if pl, ok, err := s.replay(ctx, r.CustomerID, r.Key, same); ok || err != nil {
		return pl, err
	}
	p, err := s.store.Product(ctx, r.ProductID)
	if err != nil {
		return Placed{}, err
	}
	if err := s.Visible(ctx, r.CustomerID, p); err != nil {
		return Placed{}, err
	}
	if err := checkAmount("amount", r.Amount, p.Currency); err != nil {
		return Placed{}, err
	}
	now := s.clock.Now()
	today, err := s.businessDate(ctx)
	if err != nil {
		return Placed{}, err
	}
	var trade calendar.Date
	var cancelBy time.Time
	switch {
	case p.Type == ClosedEnded:
		if p.Phase != PhaseRaising || p.Status == Paused || p.Status == Closed || today.Before(p.WindowOpen) || today.After(p.WindowClose) {
			return Placed{}, fmt.Errorf("%w: %s subscribes %s to %s", ErrNotOnSale, p.Code, p.WindowOpen, p.WindowClose)
		}
		trade, cancelBy = p.Establishment, s.cutOff(p, p.WindowClose)
		if c := now.Add(max(p.CoolingOff, 0)); c.After(cancelBy) {
			cancelBy = c
		}
	case p.Status != Open:
		return Placed{}, fmt.Errorf("%w: %s is %s", ErrNotOnSale, p.Code, p.Status)
	default:
		if trade, cancelBy, err = s.tradeDate(ctx, p, now); err != nil {
			return Placed{}, err
		}
	}
	first := true
	if h, err := s.store.Holding(ctx, r.CustomerID, p.ID); err == nil {
		first = !h.Units.IsPositive()
	} else if !errors.Is(err, ErrNotFound) {
		return Placed{}, err
	}
	min := p.MinAdditional
	if first {
		min = p.MinFirst
	}
	if r.Amount.Amount.LessThan(min.Amount) {
		return Placed{}, invalid("amount", "must be at least %s", min)
	}
	if !r.Amount.Amount.Sub(min.Amount).Mod(p.Step.Amount).IsZero() {
		return Placed{}, invalid("amount", "must be %s plus a multiple of %s", min, p.Step)
	}
	if err := s.checkCustomer(ctx, r.CustomerID, true); err != nil {
		return Placed{}, err
	}
	if err := s.suitable(ctx, r.CustomerID, p, today); err != nil {
		return Placed{}, err
	}
	if err := s.ledger.CheckDemandAccount(ctx, r.Account, r.CustomerID, p.Currency); err != nil {
		return Placed{}, within("account_id", err)
	}
	hold, err := s.ledger.PlaceHold(ctx, HoldRequest{Account: r.Account, Amount: r.Amount, Key: orderKey(r.CustomerID, r.Key) + "/hold",
		Description: "Subscription to " + p.Code})
	if err != nil {
		return Placed{}, err
	}
	o := newOrder(p.Currency)
	o.ID, o.CustomerID, o.ProductID, o.Kind, o.Status, o.Account = NewID(), r.CustomerID, p.ID, Subscription, OrderPending, r.Account
	o.Amount, o.Key, o.HoldID, o.PlacedAt, o.Trade, o.CancelBy, o.UpdatedAt, o.Version = r.Amount, r.Key, hold, now, trade, cancelBy, now, 1
	evs, err := s.orderEvent(EventOrderPlaced, o, today)
	if err != nil {
		return Placed{}, err
	}
	created, err := s.store.CreateOrder(ctx, o, func(h Holding) (Holding, []event.Envelope, error) { return h, evs, nil })
	if errors.Is(err, ErrDuplicate) { // the same key raced in
		if pl, ok, err := s.replay(ctx, r.CustomerID, r.Key, same); ok || err != nil {
			return pl, err
		}
	}
	if err != nil {
		// Nothing recorded the hold; give it back. A retry under the same
		// key places it again.
		_ = s.ledger.ReleaseHold(ctx, hold)
		return Placed{}, err
	}
	return Placed{Order: created}, nil
}

func within(field string, err error) error {
	if errors.Is(err, ErrRefused) {
		return fmt.Errorf("%w (%s)", err, field)
	}
	return err
}

// Cancel cancels a pending subscription in full before its cancel-by
// instant (the trade date's cut-off, after any cooling-off) and releases
// its hold. Cancelling a cancelled order returns it.
func (s *Service) Cancel(ctx context.Context, customer, orderID ID) (Order, error) {
	if orderID == NilID {
		return Order{}, invalid("order_id", "is required")
	}
	if err := s.needLedger(); err != nil {
		return Order{}, err
	}
	today, err := s.businessDate(ctx)
	if err != nil {
		return Order{}, err
	}
	now := s.clock.Now()
	o, err := s.store.UpdateOrder(ctx, orderID, func(o Order, h Holding) (Order, Holding, []event.Envelope, error) {
		switch {
		case customer != NilID && o.CustomerID != customer:
			return o, h, nil, fmt.Errorf("%w: order %s", ErrNotFound, orderID)
		case o.Status == OrderCancelled:
			return o, h, nil, errUnchanged
		case o.Kind != Subscription:
			return o, h, nil, fmt.Errorf("%w: only a subscription is cancelled", ErrInvalidTransition)
		case o.Status != OrderPending:
			return o, h, nil, fmt.Errorf("%w: the order is %s", ErrInvalidTransition, o.Status)
		case !now.Before(o.CancelBy):
			return o, h, nil, fmt.Errorf("%w: the order could be cancelled until %s", ErrInvalidTransition, o.CancelBy.Format(time.RFC3339))
		}
		o.Status, o.UpdatedAt = OrderCancelled, now
		evs, err := s.orderEvent(EventOrderCancelled, o, today)
		return o, h, evs, err
	})
	if errors.Is(err, errUnchanged) {
		o, err = s.store.Order(ctx, orderID)
	}
	if err != nil {
		return Order{}, err
	}
	return s.release(ctx, o)
}

// errUnchanged leaves a record as it is, from inside an update.
var errUnchanged = errors.New("wealth: unchanged")

// release releases a cancelled or failed order's hold and marks it so.
func (s *Service) release(ctx context.Context, o Order) (Order, error) {
	if o.HoldReleased || o.HoldID == NilID {
		return o, nil
	}
	if err := s.ledger.ReleaseHold(ctx, o.HoldID); err != nil && !errors.Is(err, ErrRefused) {
		return o, err
	}
	return s.store.UpdateOrder(ctx, o.ID, func(o Order, h Holding) (Order, Holding, []event.Envelope, error) {
		o.HoldReleased = true
		return o, h, nil, nil
	})
}

// Redeem places a redemption of units. The units are reserved from the
// holding at once (first in, first out at the trade); a partial
// redemption may not leave fewer than the product's minimum holding. A
// fast redemption of a cash-management product pays at once at NAV 1, up
// to the product's daily limit per customer; otherwise the end of day of
// the trade date prices it and pays it on the settlement date.
func (s *Service) Redeem(ctx context.Context, r RedeemRequest) (Placed, error) {
	switch {
	case r.CustomerID == NilID:
		return Placed{}, invalid("customer_id", "is required")
	case r.ProductID == NilID:
		return Placed{}, invalid("product_id", "is required")
	case r.Account == NilID:
		return Placed{}, invalid("account_id", "is required")
	case !r.Units.IsPositive():
		return Placed{}, invalid("units", "must be positive")
	}
	if err := checkKey(r.Key); err != nil {
		return Placed{}, err
	}
	if err := s.needLedger(); err != nil {
		return Placed{}, err
	}
	same := func(o Order) bool {
		return o.Kind == Redemption && o.ProductID == r.ProductID && o.Account == r.Account && o.Units.Equal(r.Units) && o.Fast == r.Fast
	}
	if pl, ok, err := s.replay(ctx, r.CustomerID, r.Key, same); ok || err != nil {
		return pl, err
	}
	p, err := s.store.Product(ctx, r.ProductID)
	if err != nil {
		return Placed{}, err
	}
	if r.Units.Exponent() < -p.UnitPlaces {
		return Placed{}, invalid("units", "at most %d decimal places", p.UnitPlaces)
	}
	if p.Type == ClosedEnded {
		return Placed{}, fmt.Errorf("%w: a closed-ended product pays out at maturity", ErrNotOnSale)
	}
	if p.Status != Open {
		return Placed{}, fmt.Errorf("%w: %s is %s", ErrNotOnSale, p.Code, p.Status)
	}
	if r.Fast && (p.Type != CashManagement || !p.FastLimit.IsPositive()) {
		return Placed{}, invalid("fast", "the product has no fast redemption")
	}
	if err := s.ledger.CheckDemandAccount(ctx, r.Account, r.CustomerID, p.Currency); err != nil {
		return Placed{}, within("account_id", err)
	}
	now := s.clock.Now()
	today, err := s.businessDate(ctx)
	if err != nil {
		return Placed{}, err
	}
	noCooling := p
	noCooling.CoolingOff = 0
	trade, cancelBy, err := s.tradeDate(ctx, noCooling, now)
	if err != nil {
		return Placed{}, err
	}
	amount := money.Money{Amount: r.Units.RoundBank(p.Currency.MinorUnits()), Currency: p.Currency}
	if r.Fast {
		trade, cancelBy = today, now
	}
	o := newOrder(p.Currency)
	o.ID, o.CustomerID, o.ProductID, o.Kind, o.Status, o.Account = NewID(), r.CustomerID, p.ID, Redemption, OrderPending, r.Account
	o.Units, o.Fast, o.Key, o.PlacedAt, o.Trade, o.CancelBy, o.UpdatedAt, o.Version = r.Units, r.Fast, r.Key, now, trade, cancelBy, now, 1
	evs, err := s.orderEvent(EventOrderPlaced, o, today)
	if err != nil {
		return Placed{}, err
	}
	created, err := s.store.CreateOrder(ctx, o, func(h Holding) (Holding, []event.Envelope, error) {
		free := h.Units.Sub(h.Reserved)
		if r.Units.GreaterThan(free) {
			return h, nil, fmt.Errorf("%w: %s units asked, %s free", ErrInsufficientUnits, r.Units, free)
		}
		if rest := free.Sub(r.Units); rest.IsPositive() && rest.LessThan(p.MinHoldingUnits) {
			return h, nil, invalid("units", "would leave %s units, below the minimum holding of %s; redeem all %s", rest, p.MinHoldingUnits, free)
		}
		if r.Fast {
			if h.FastOn != today {
				h.FastOn, h.FastUsed = today, money.Zero(p.Currency)
			}
			used, _ := h.FastUsed.Add(amount)
			if used.Amount.GreaterThan(p.FastLimit.Amount) {
				return h, nil, fmt.Errorf("%w: %s used of %s today", ErrLimitExceeded, h.FastUsed, p.FastLimit)
			}
			h.FastUsed = used
		}
		h.Reserved = h.Reserved.Add(r.Units)
		return h, evs, nil
	})
	if errors.Is(err, ErrDuplicate) {
		if pl, ok, err := s.replay(ctx, r.CustomerID, r.Key, same); ok || err != nil {
			return pl, err
		}
	}
	if err != nil {
		return Placed{}, err
	}
	if r.Fast {
		paid, err := s.payFast(ctx, p, created, today)
		if err != nil {
			return Placed{Order: created}, err
		}
		created = paid
	}
	return Placed{Order: created}, nil
}

// payFast pays a fast redemption at NAV 1 straight to the demand account.
func (s *Service) payFast(ctx context.Context, p Product, o Order, today calendar.Date) (Order, error) {
	h, err := s.store.Holding(ctx, o.CustomerID, o.ProductID)
	if err != nil {
		return o, err
	}
	sp, err := Redeem(p, h, o.Units, decimal.NewFromInt(1), today, false)
	if err != nil {
		return o, err
	}
	ch := ChartsOf(p.Code)
	err = s.ledger.Post(ctx, LedgerEntry{Key: "wealth/order/" + o.ID.String() + "/fast", Description: "Fast redemption of " + p.Code,
		Legs: []Leg{{Chart: ch.Custody, Side: Debit, Amount: sp.Cost}, {Account: o.Account, Side: Credit, Amount: sp.Proceeds}}})
	if errors.Is(err, ErrRefused) {
		return s.failRedemption(ctx, o, err.Error(), true, today)
	}
	if err != nil {
		return o, err
	}
	return s.store.UpdateOrder(ctx, o.ID, func(o Order, h Holding) (Order, Holding, []event.Envelope, error) {
		if o.Status != OrderPending {
			return o, h, nil, errUnchanged
		}
		sp, err := Redeem(p, h, o.Units, decimal.NewFromInt(1), today, false)
		if err != nil {
			return o, h, nil, err
		}
		now := s.clock.Now()
		o.Status, o.NAV, o.Gross, o.Fee, o.Proceeds, o.Cost, o.Settlement, o.UpdatedAt = OrderPaid, decimal.NewFromInt(1),
			sp.Gross, sp.Fee, sp.Proceeds, sp.Cost, today, now
		h = applyRedemption(h, o, sp)
		e1, err := s.orderEvent(EventOrderConfirmed, o, today)
		if err != nil {
			return o, h, nil, err
		}
		e2, err := s.orderEvent(EventRedemptionPaid, o, today)
		return o, h, append(e1, e2...), err
	})
}

func applyRedemption(h Holding, o Order, sp RedemptionSplit) Holding {
	h.Units = h.Units.Sub(o.Units)
	h.Reserved = h.Reserved.Sub(o.Units)
	h.Cost, _ = h.Cost.Sub(sp.Cost)
	gain, _ := sp.Proceeds.Sub(sp.Cost)
	h.Realised, _ = h.Realised.Add(gain)
	if len(h.Lots) > 0 {
		h.Lots = sp.Lots
	}
	return h
}

// failRedemption marks a pending redemption failed and frees its units
// (and, for a fast one, the day's limit).
func (s *Service) failRedemption(ctx context.Context, o Order, reason string, fast bool, today calendar.Date) (Order, error) {
	return s.store.UpdateOrder(ctx, o.ID, func(o Order, h Holding) (Order, Holding, []event.Envelope, error) {
		if o.Status != OrderPending {
			return o, h, nil, errUnchanged
		}
		o.Status, o.Reason, o.UpdatedAt = OrderFailed, reason, s.clock.Now()
		h.Reserved = h.Reserved.Sub(o.Units)
		if fast && h.FastOn == o.Trade {
			amount := money.Money{Amount: o.Units.RoundBank(h.Currency.MinorUnits()), Currency: h.Currency}
			h.FastUsed, _ = h.FastUsed.Sub(amount)
		}
		evs, err := s.orderEvent(EventOrderFailed, o, today)
		return o, h, evs, err
	})
}

// Order returns an order; with customer set, only that customer's
// (another's is ErrNotFound).
func (s *Service) Order(ctx context.Context, customer, id ID) (Order, error) {
	if id == NilID {
		return Order{}, invalid("order_id", "is required")
	}
	o, err := s.store.Order(ctx, id)
	if err == nil && customer != NilID && o.CustomerID != customer {
		return Order{}, fmt.Errorf("%w: order %s", ErrNotFound, id)
	}
	return o, err
}

// Orders lists orders matching f.
func (s *Service) Orders(ctx context.Context, f OrderFilter, page Page) ([]Order, error) {
	page, err := page.normalize()
	if err != nil {
		return nil, err
	}
	return s.store.Orders(ctx, f, page)
}
