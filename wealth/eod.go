package wealth

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"strings"
	"sync"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/money"
)

// eodKeyPrefix starts the keys of orders the end of day places itself
// (maturity payouts); a customer's key may not.
const eodKeyPrefix = "eod/"

// EndOfDaySummary counts what one end-of-day run did.
type EndOfDaySummary struct {
	Date           calendar.Date `json:"date"`
	Products       int           `json:"products"`
	IncomeCredited int           `json:"income_credited"` // holdings credited with the day's income
	IncomePaid     int           `json:"income_paid"`     // holdings paid their month's income
	Confirmed      int           `json:"confirmed"`       // orders confirmed at the NAV
	Failed         int           `json:"failed"`          // orders failed (ledger refusal, raise not met)
	Paid           int           `json:"paid"`            // redemptions paid on their settlement date
	Released       int           `json:"released"`        // holds released of cancelled or failed orders
	AwaitingNAV    int           `json:"awaiting_nav"`    // orders whose trade date has no NAV yet
	Established    int           `json:"established"`     // closed-ended products established
	RaisesFailed   int           `json:"raises_failed"`   // closed-ended products whose raise failed
	MaturityOrders int           `json:"maturity_orders"` // payouts placed at maturity
	Errors         int           `json:"errors"`          // orders left for the next run by a failure
	Snapshotted    int           `json:"snapshotted"`     // holdings copied into the month-end snapshot
}

// EndOfDay runs wealth's end-of-day step for business date d, product by
// product: the day's cash-management income (credited as units or accrued
// for the month, paid on the month's last business day), closed-ended
// establishment and maturity, confirmation of the orders that trade on or
// before d at their trade date's NAV, payment of redemptions due by d, and
// release of the holds of cancelled and failed orders. It reads orders
// and holdings in pages; every step is idempotent (per holding and date,
// per order and its state, ledger entries under stable keys), so a run
// cut short is resumed by running it again.
func (s *Service) EndOfDay(ctx context.Context, d calendar.Date) (EndOfDaySummary, error) {
	sum := EndOfDaySummary{Date: d}
	if !d.Valid() {
		return sum, invalid("date", "is required")
	}
	if err := s.needLedger(); err != nil {
		return sum, err
	}
	page := Page{Limit: MaxPageLimit}
	for {
		ps, err := s.store.Products(ctx, page)
		if err != nil {
			return sum, err
		}
		for _, p := range ps {
			if err := s.productDay(ctx, p, d, &sum); err != nil {
				return sum, fmt.Errorf("wealth: end of day %s, product %s: %w", d, p.Code, err)
			}
			sum.Products++
		}
		if len(ps) < page.Limit {
			break
		}
		page.After = ps[len(ps)-1].ID
	}
	if s.lastBusinessDayOfMonth(d) {
		if err := s.snapshot(ctx, d, &sum); err != nil {
			return sum, fmt.Errorf("wealth: end of day %s, month-end snapshot: %w", d, err)
		}
	}
	return sum, nil
}

// snapshot copies every holding, as the day's steps left it, into the
// snapshot of d's month, product by product and a page at a time, then
// marks the month finished: statements of the month read it. A run cut
// short copies again (a copy replaces the one before) until the month is
// finished; after that the snapshot does not change.
func (s *Service) snapshot(ctx context.Context, d calendar.Date, sum *EndOfDaySummary) error {
	month := fmt.Sprintf("%04d-%02d", d.Year, int(d.Month))
	page := Page{Limit: MaxPageLimit}
	for {
		ps, err := s.store.Products(ctx, page)
		if err != nil {
			return err
		}
		for _, p := range ps {
			after := NilID
			for {
				pg, err := s.store.SnapshotHoldings(ctx, month, p.ID, after, s.eodPage)
				if err != nil {
					return err
				}
				sum.Snapshotted += pg.Credited
				if pg.Scanned < s.eodPage {
					break
				}
				after = pg.Last
			}
		}
		if len(ps) < page.Limit {
			break
		}
		page.After = ps[len(ps)-1].ID
	}
	return s.store.FinishSnapshot(ctx, month, d)
}

func (s *Service) productDay(ctx context.Context, p Product, d calendar.Date, sum *EndOfDaySummary) error {
	if p.Type == CashManagement {
		if err := s.income(ctx, p, d, sum); err != nil {
			return err
		}
		var err error
		if p, err = s.store.Product(ctx, p.ID); err != nil {
			return err
		}
	}
	if p.Type == ClosedEnded {
		var err error
		if p, err = s.closedEnded(ctx, p, d, sum); err != nil {
			return err
		}
	}
	if err := s.confirmDue(ctx, p, d, sum); err != nil {
		return err
	}
	if err := s.settleDue(ctx, p, d, sum); err != nil {
		return err
	}
	return s.releaseDue(ctx, p, sum)
}

// income credits the day's income of a cash-management product whose NAV
// for d is published, posts the day's total to the ledger, and on the
// month's last business day pays monthly income.
func (s *Service) income(ctx context.Context, p Product, d calendar.Date, sum *EndOfDaySummary) error {
	if p.IncomeThrough.Before(d) {
		nav, err := s.store.NAV(ctx, p.ID, d)
		if errors.Is(err, ErrNotFound) {
			return nil // no income published for d
		}
		if err != nil {
			return err
		}
		run := IncomeRun{ProductID: p.ID, Date: d, IncomePer10K: nav.IncomePer10K, Mode: p.IncomeMode, Currency: p.Currency}
		after := NilID
		for {
			pg, err := s.store.CreditIncome(ctx, run, after, s.eodPage)
			if err != nil {
				return err
			}
			sum.IncomeCredited += pg.Credited
			if pg.Scanned < s.eodPage {
				break
			}
			after = pg.Last
		}
		total, err := s.store.IncomeOf(ctx, p.ID, d)
		if err != nil {
			return err
		}
		if total.IsPositive() {
			ch := ChartsOf(p.Code)
			to := ch.Custody
			if p.IncomeMode == IncomeMonthly {
				to = ch.Settlement
			}
			if err := s.ledger.Post(ctx, LedgerEntry{Key: fmt.Sprintf("wealth/income/%s/%s", p.ID, d), Description: "Income of " + p.Code + " for " + d.String(),
				Legs: []Leg{{Chart: ch.Result, Side: Debit, Amount: total}, {Chart: to, Side: Credit, Amount: total}}}); err != nil {
				return err
			}
		}
		_, err = s.store.UpdateProduct(ctx, p.ID, func(p Product) (Product, []event.Envelope, error) {
			if !p.IncomeThrough.Before(d) {
				return p, nil, errUnchanged
			}
			p.IncomeThrough = d
			e, err := s.newEvent(EventIncomeCredited, s.clock.Now(), d, IncomeCredited{ProductID: p.ID, Date: d, IncomePer10K: nav.IncomePer10K, Total: total}, p.ID)
			return p, []event.Envelope{e}, err
		})
		if err != nil && !errors.Is(err, errUnchanged) {
			return err
		}
	}
	if p.IncomeMode != IncomeMonthly || !s.lastBusinessDayOfMonth(d) {
		return nil
	}
	return s.eachHolding(ctx, p.ID, func(h Holding) error {
		if !h.Accrued.IsPositive() || h.Account == NilID {
			return nil
		}
		amount := h.Accrued
		month := fmt.Sprintf("%04d-%02d", d.Year, int(d.Month))
		err := s.ledger.Post(ctx, LedgerEntry{Key: fmt.Sprintf("wealth/income-pay/%s/%s", h.ID, d), Description: "Income of " + p.Code + " for " + month,
			Legs: []Leg{{Chart: ChartsOf(p.Code).Settlement, Side: Debit, Amount: amount}, {Account: h.Account, Side: Credit, Amount: amount}}})
		if errors.Is(err, ErrRefused) {
			sum.Errors++ // the account is closed or frozen: paid on a later run
			return nil
		}
		if err != nil {
			return err
		}
		_, err = s.store.UpdateHolding(ctx, h.ID, func(h Holding) (Holding, []event.Envelope, error) {
			if !h.Accrued.Equal(amount) {
				return h, nil, errUnchanged
			}
			h.Accrued = money.Zero(h.Currency)
			e, err := s.newEvent(EventIncomePaid, s.clock.Now(), d, IncomePaid{HoldingID: h.ID, CustomerID: h.CustomerID, ProductID: h.ProductID, Amount: amount, Month: month}, h.ID, h.CustomerID)
			return h, []event.Envelope{e}, err
		})
		if err != nil && !errors.Is(err, errUnchanged) {
			return err
		}
		sum.IncomePaid++
		return nil
	})
}

func (s *Service) lastBusinessDayOfMonth(d calendar.Date) bool {
	next, err := s.cal.NextBusinessDay(d)
	return err == nil && next.Month != d.Month
}

func (s *Service) eachHolding(ctx context.Context, product ID, fn func(Holding) error) error {
	page := Page{Limit: s.eodPage}
	for {
		hs, err := s.store.Holdings(ctx, HoldingFilter{ProductID: product}, page)
		if err != nil {
			return err
		}
		for _, h := range hs {
			if err := fn(h); err != nil {
				return err
			}
		}
		if len(hs) < page.Limit {
			return nil
		}
		page.After = hs[len(hs)-1].ID
	}
}

func (s *Service) eachOrder(ctx context.Context, f OrderFilter, fn func(Order) error) error {
	page := Page{Limit: s.eodPage}
	for {
		os, err := s.store.Orders(ctx, f, page)
		if err != nil {
			return err
		}
		for _, o := range os {
			if err := fn(o); err != nil {
				return err
			}
		}
		if len(os) < page.Limit {
			return nil
		}
		page.After = os[len(os)-1].ID
	}
}

// closedEnded decides establishment on or after the establishment date
// (the raise counts the pending and confirmed subscriptions) and places
// the payouts at maturity.
func (s *Service) closedEnded(ctx context.Context, p Product, d calendar.Date, sum *EndOfDaySummary) (Product, error) {
	if p.Phase == PhaseRaising && !d.Before(p.Establishment) {
		raised := money.Zero(p.Currency)
		err := s.eachOrder(ctx, OrderFilter{ProductID: p.ID, Kind: Subscription}, func(o Order) error {
			if o.Status == OrderPending || o.Status == OrderConfirmed {
				raised, _ = raised.Add(o.Amount)
			}
			return nil
		})
		if err != nil {
			return p, err
		}
		to := PhaseEstablished
		if !p.MinRaise.IsZero() && raised.Amount.LessThan(p.MinRaise.Amount) {
			to = PhaseFailed
		}
		if p, err = s.setPhase(ctx, p.ID, to, d); err != nil {
			return p, err
		}
		if to == PhaseEstablished {
			sum.Established++
		} else {
			sum.RaisesFailed++
		}
	}
	if p.Phase == PhaseFailed {
		err := s.eachOrder(ctx, OrderFilter{ProductID: p.ID, Kind: Subscription, Status: OrderPending}, func(o Order) error {
			failed, err := s.failSubscription(ctx, o, "the minimum raise was not met", d)
			if err != nil {
				return err
			}
			if _, err := s.release(ctx, failed); err != nil {
				return err
			}
			sum.Failed++
			return nil
		})
		return p, err
	}
	if p.Phase != PhaseEstablished || d.Before(p.Maturity) {
		return p, nil
	}
	if _, err := s.store.NAV(ctx, p.ID, p.Maturity); errors.Is(err, ErrNotFound) {
		return p, nil // paid out once the final NAV is published
	} else if err != nil {
		return p, err
	}
	err := s.eachHolding(ctx, p.ID, func(h Holding) error {
		free := h.Units.Sub(h.Reserved)
		if !free.IsPositive() {
			return nil
		}
		now := s.clock.Now()
		o := newOrder(p.Currency)
		o.ID, o.CustomerID, o.ProductID, o.Kind, o.Status, o.Account = NewID(), h.CustomerID, p.ID, Redemption, OrderPending, h.Account
		o.Units, o.Key, o.PlacedAt, o.Trade, o.CancelBy, o.UpdatedAt, o.Version = free, eodKeyPrefix+"maturity", now, p.Maturity, now, now, 1
		evs, err := s.orderEvent(EventOrderPlaced, o, d)
		if err != nil {
			return err
		}
		_, err = s.store.CreateOrder(ctx, o, func(h Holding) (Holding, []event.Envelope, error) {
			h.Reserved = h.Reserved.Add(o.Units)
			return h, evs, nil
		})
		if errors.Is(err, ErrDuplicate) {
			return nil
		}
		if err == nil {
			sum.MaturityOrders++
		}
		return err
	})
	if err != nil {
		return p, err
	}
	return s.setPhase(ctx, p.ID, PhaseMatured, d)
}

func (s *Service) setPhase(ctx context.Context, id ID, to Phase, d calendar.Date) (Product, error) {
	p, err := s.store.UpdateProduct(ctx, id, func(p Product) (Product, []event.Envelope, error) {
		if p.Phase == to {
			return p, nil, errUnchanged
		}
		p.Phase = to
		if to == PhaseEstablished && p.Status == PreSale {
			p.Status = Closed // subscriptions end with the window
		}
		e, err := s.newEvent(EventProductChanged, s.clock.Now(), d, ProductChanged{ProductID: p.ID, Code: p.Code, Status: p.Status, Phase: p.Phase}, p.ID)
		return p, []event.Envelope{e}, err
	})
	if errors.Is(err, errUnchanged) {
		return s.store.Product(ctx, id)
	}
	return p, err
}

// confirmDue confirms the product's pending orders that trade on or
// before d and whose trade date has a NAV, a page at a time: the page's
// subscriptions captured in one ledger call and their fees posted in
// another, then the page's confirmations recorded in one store operation.
// The recording runs beside the next page's ledger calls (one page in
// flight at most, so memory stays bounded); a page's ledger steps always
// come before its recording, and a redemption or fast redemption waits
// until the pages before it are recorded.
func (s *Service) confirmDue(ctx context.Context, p Product, d calendar.Date, sum *EndOfDaySummary) (err error) {
	if p.Type == ClosedEnded && p.Phase == PhaseRaising {
		return nil
	}
	rec := newRecorder(ctx, s, p, d)
	defer func() {
		n, werr := rec.close()
		sum.Confirmed += n
		if err == nil {
			err = werr
		}
	}()
	navs := map[calendar.Date]decimal.Decimal{}
	page := Page{Limit: s.eodPage}
	for {
		os, err := s.store.Orders(ctx, OrderFilter{ProductID: p.ID, Status: OrderPending, TradeBy: d}, page)
		if err != nil {
			return err
		}
		var subs []Order
		for _, o := range os {
			if o.Fast {
				if err := rec.wait(); err != nil {
					return err
				}
				if _, err := s.payFast(ctx, p, o, o.Trade); err != nil {
					sum.Errors++
				} else {
					sum.Confirmed++
				}
				continue
			}
			nav, ok := navs[o.Trade]
			if !ok {
				n, err := s.store.NAV(ctx, p.ID, o.Trade)
				if errors.Is(err, ErrNotFound) {
					sum.AwaitingNAV++
					continue
				}
				if err != nil {
					return err
				}
				nav, navs[o.Trade] = n.Value, n.Value
			}
			if o.Kind == Redemption {
				if err := rec.wait(); err != nil {
					return err
				}
				if err := s.confirmRedemption(ctx, p, o, nav, d); err != nil {
					return err
				}
				sum.Confirmed++
				continue
			}
			subs = append(subs, o)
		}
		posted, err := s.postSubscriptions(ctx, p, subs, navs, d, sum)
		if err != nil {
			return err
		}
		if len(posted) > 0 {
			if err := rec.record(posted, maps.Clone(navs)); err != nil {
				return err
			}
		}
		if len(os) < page.Limit {
			return nil
		}
		page.After = os[len(os)-1].ID
	}
}

// recorder records pages of posted subscriptions as confirmed, one page
// at a time, in a goroutine of its own.
type recorder struct {
	ctx       context.Context
	s         *Service
	p         Product
	d         calendar.Date // the end of day's
	jobs      chan recordJob
	done      chan struct{} // closed when the goroutine ends
	idle      chan struct{} // one token: taken while a page is in flight
	mu        sync.Mutex
	err       error
	confirmed int
	closed    bool
}

type recordJob struct {
	ids  []ID
	navs map[calendar.Date]decimal.Decimal
}

func newRecorder(ctx context.Context, s *Service, p Product, d calendar.Date) *recorder {
	r := &recorder{ctx: ctx, s: s, p: p, d: d, jobs: make(chan recordJob), done: make(chan struct{}), idle: make(chan struct{}, 1)}
	r.idle <- struct{}{}
	go r.run()
	return r
}

func (r *recorder) run() {
	defer close(r.done)
	for j := range r.jobs {
		r.mu.Lock()
		failed := r.err != nil
		r.mu.Unlock()
		if !failed {
			n, err := r.s.recordConfirmed(r.ctx, r.p, j.ids, j.navs, r.d)
			r.mu.Lock()
			r.confirmed += n
			r.err = err
			r.mu.Unlock()
		}
		r.idle <- struct{}{}
	}
}

// record hands a page to the goroutine once the page before it is
// recorded; the error is that page's.
func (r *recorder) record(ids []ID, navs map[calendar.Date]decimal.Decimal) error {
	if err := r.wait(); err != nil {
		return err
	}
	<-r.idle
	r.jobs <- recordJob{ids: ids, navs: navs}
	return nil
}

// wait waits until no page is in flight, and returns the first error.
func (r *recorder) wait() error {
	select {
	case <-r.idle:
		r.idle <- struct{}{}
	case <-r.ctx.Done():
		return r.ctx.Err()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.err
}

// close waits for the last page and ends the goroutine: the orders
// confirmed, and the first error.
func (r *recorder) close() (int, error) {
	if !r.closed {
		r.closed = true
		close(r.jobs)
		<-r.done
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.confirmed, r.err
}

// recordConfirmed records the posted subscriptions confirmed at their
// trade date's NAV, with their holdings, in one store operation, and
// returns how many it confirmed.
func (s *Service) recordConfirmed(ctx context.Context, p Product, posted []ID, navs map[calendar.Date]decimal.Decimal, d calendar.Date) (int, error) {
	// A set, not a count: a store may retry the operation.
	confirmed := map[ID]bool{}
	err := s.store.UpdateOrders(ctx, posted, func(o Order, h Holding) (Order, Holding, []event.Envelope, error) {
		if o.Status != OrderPending {
			return o, h, nil, nil
		}
		sp, err := Split(o.Amount, p.SubscriptionFee, navs[o.Trade], p.UnitPlaces)
		if err != nil {
			return o, h, nil, err
		}
		o.Status, o.NAV, o.Units, o.Net, o.Fee, o.Refund, o.Cost, o.UpdatedAt = OrderConfirmed, navs[o.Trade], sp.Units, sp.Net, sp.Fee, sp.Refund, sp.Cost, s.clock.Now()
		o.HoldReleased = true // captured; the rest released with it
		h.Units = h.Units.Add(sp.Units)
		h.Cost, _ = h.Cost.Add(sp.Cost)
		h.Account = o.Account
		if p.Type != CashManagement {
			h.Lots = append(h.Lots, Lot{Date: o.Trade, Units: sp.Units, Cost: sp.Cost})
		}
		confirmed[o.ID] = true
		evs, err := s.orderEvent(EventOrderConfirmed, o, d)
		return o, h, evs, err
	})
	if err != nil {
		return 0, err
	}
	return len(confirmed), nil
}

func orderLedgerKey(o Order, step string) string { return "wealth/order/" + o.ID.String() + "/" + step }

// postSubscriptions captures the holds of a page of subscriptions (each
// less its refund) into the product's custody account in one ledger
// call, and takes their fees to fees income in another, every step under
// the order's own key, so a page posted again after a failure posts
// nothing twice whichever orders it then holds. It returns the orders
// posted; an order whose amount buys no unit, or whose capture the ledger
// refused, failed and its hold was released.
func (s *Service) postSubscriptions(ctx context.Context, p Product, os []Order, navs map[calendar.Date]decimal.Decimal, d calendar.Date, sum *EndOfDaySummary) ([]ID, error) {
	if len(os) == 0 {
		return nil, nil
	}
	ch := ChartsOf(p.Code)
	type capture struct {
		o  Order
		sp SubscriptionSplit
	}
	var caps []capture
	var reqs []CaptureRequest
	for _, o := range os {
		sp, err := Split(o.Amount, p.SubscriptionFee, navs[o.Trade], p.UnitPlaces)
		if err != nil {
			return nil, err
		}
		if !sp.Units.IsPositive() {
			if err := s.failAndRelease(ctx, o, "the amount buys no unit at the NAV", d); err != nil {
				return nil, err
			}
			sum.Failed++
			continue
		}
		take, _ := o.Amount.Sub(sp.Refund)
		caps = append(caps, capture{o, sp})
		reqs = append(reqs, CaptureRequest{Hold: o.HoldID, Account: o.Account, Amount: take, ToChart: ch.Custody, Key: orderLedgerKey(o, "capture"),
			Description: "Subscription to " + p.Code})
	}
	if len(reqs) == 0 {
		return nil, nil
	}
	refused, err := s.ledger.CaptureHolds(ctx, reqs)
	if err != nil {
		return nil, err
	}
	if len(refused) != len(reqs) {
		return nil, fmt.Errorf("wealth: the ledger answered %d of %d captures", len(refused), len(reqs))
	}
	var posted []ID
	var fees []LedgerEntry
	for i, c := range caps {
		if refused[i] != nil {
			if err := s.failAndRelease(ctx, c.o, refused[i].Error(), d); err != nil {
				return nil, err
			}
			sum.Failed++
			continue
		}
		posted = append(posted, c.o.ID)
		if c.sp.Fee.IsPositive() {
			fees = append(fees, LedgerEntry{Key: orderLedgerKey(c.o, "fee"), Description: "Subscription fee, " + p.Code,
				Legs: []Leg{{Chart: ch.Custody, Side: Debit, Amount: c.sp.Fee}, {Chart: ChartFeesIncome, Side: Credit, Amount: c.sp.Fee}}})
		}
	}
	if len(fees) > 0 {
		errs, err := s.ledger.PostBatch(ctx, fees)
		if err != nil {
			return nil, err
		}
		for i, err := range errs {
			if err != nil {
				// Custody to fees income: refused only by a misconfigured
				// ledger; the run stops and a later one posts it.
				return nil, fmt.Errorf("wealth: fee of %s: %w", fees[i].Key, err)
			}
		}
	}
	return posted, nil
}

func (s *Service) failAndRelease(ctx context.Context, o Order, reason string, d calendar.Date) error {
	failed, err := s.failSubscription(ctx, o, reason, d)
	if err != nil {
		return err
	}
	_, err = s.release(ctx, failed)
	return err
}

func (s *Service) failSubscription(ctx context.Context, o Order, reason string, d calendar.Date) (Order, error) {
	failed, err := s.store.UpdateOrder(ctx, o.ID, func(o Order, h Holding) (Order, Holding, []event.Envelope, error) {
		if o.Status != OrderPending {
			return o, h, nil, errUnchanged
		}
		o.Status, o.Reason, o.UpdatedAt = OrderFailed, reason, s.clock.Now()
		evs, err := s.orderEvent(EventOrderFailed, o, d)
		return o, h, evs, err
	})
	if errors.Is(err, errUnchanged) {
		return s.store.Order(ctx, o.ID)
	}
	return failed, err
}

// confirmRedemption prices a redemption at the NAV: the cost of the lots
// taken leaves custody, the proceeds go to settlement until the
// settlement date, the fee to fees income, and the gain (or loss) over
// cost to the product's result.
func (s *Service) confirmRedemption(ctx context.Context, p Product, o Order, nav decimal.Decimal, d calendar.Date) error {
	h, err := s.store.Holding(ctx, o.CustomerID, o.ProductID)
	if err != nil {
		return err
	}
	fees := !strings.HasPrefix(o.Key, eodKeyPrefix)
	sp, err := Redeem(p, h, o.Units, nav, o.Trade, fees)
	if err != nil {
		return err
	}
	settle, err := s.cal.AddBusinessDays(o.Trade, p.SettlementDays)
	if err != nil {
		return err
	}
	ch := ChartsOf(p.Code)
	legs := []Leg{}
	if sp.Cost.IsPositive() {
		legs = append(legs, Leg{Chart: ch.Custody, Side: Debit, Amount: sp.Cost})
	}
	gain, _ := sp.Gross.Sub(sp.Cost)
	if gain.IsPositive() {
		legs = append(legs, Leg{Chart: ch.Result, Side: Debit, Amount: gain})
	} else if gain.IsNegative() {
		legs = append(legs, Leg{Chart: ch.Result, Side: Credit, Amount: gain.Neg()})
	}
	if sp.Proceeds.IsPositive() {
		legs = append(legs, Leg{Chart: ch.Settlement, Side: Credit, Amount: sp.Proceeds})
	}
	if sp.Fee.IsPositive() {
		legs = append(legs, Leg{Chart: ChartFeesIncome, Side: Credit, Amount: sp.Fee})
	}
	if len(legs) > 1 {
		if err := s.ledger.Post(ctx, LedgerEntry{Key: orderLedgerKey(o, "redeem"), Description: "Redemption of " + p.Code, Legs: legs}); err != nil {
			return err
		}
	}
	_, err = s.store.UpdateOrder(ctx, o.ID, func(o Order, h Holding) (Order, Holding, []event.Envelope, error) {
		if o.Status != OrderPending {
			return o, h, nil, errUnchanged
		}
		sp, err := Redeem(p, h, o.Units, nav, o.Trade, fees)
		if err != nil {
			return o, h, nil, err
		}
		o.Status, o.NAV, o.Gross, o.Fee, o.Proceeds, o.Cost, o.Settlement, o.UpdatedAt = OrderConfirmed, nav, sp.Gross, sp.Fee, sp.Proceeds, sp.Cost, settle, s.clock.Now()
		h = applyRedemption(h, o, sp)
		evs, err := s.orderEvent(EventOrderConfirmed, o, d)
		return o, h, evs, err
	})
	if errors.Is(err, errUnchanged) {
		err = nil
	}
	return err
}

// settleDue pays the product's confirmed redemptions due by d.
func (s *Service) settleDue(ctx context.Context, p Product, d calendar.Date, sum *EndOfDaySummary) error {
	return s.eachOrder(ctx, OrderFilter{ProductID: p.ID, Kind: Redemption, Status: OrderConfirmed, SettleBy: d}, func(o Order) error {
		if o.Proceeds.IsPositive() {
			err := s.ledger.Post(ctx, LedgerEntry{Key: orderLedgerKey(o, "pay"), Description: "Redemption proceeds, " + p.Code,
				Legs: []Leg{{Chart: ChartsOf(p.Code).Settlement, Side: Debit, Amount: o.Proceeds}, {Account: o.Account, Side: Credit, Amount: o.Proceeds}}})
			if errors.Is(err, ErrRefused) {
				sum.Errors++ // the account cannot take it now; a later run pays
				return nil
			}
			if err != nil {
				return err
			}
		}
		_, err := s.store.UpdateOrder(ctx, o.ID, func(o Order, h Holding) (Order, Holding, []event.Envelope, error) {
			if o.Status != OrderConfirmed {
				return o, h, nil, errUnchanged
			}
			o.Status, o.UpdatedAt = OrderPaid, s.clock.Now()
			evs, err := s.orderEvent(EventRedemptionPaid, o, d)
			return o, h, evs, err
		})
		if errors.Is(err, errUnchanged) {
			return nil
		}
		if err == nil {
			sum.Paid++
		}
		return err
	})
}

// releaseDue releases the holds of the product's cancelled and failed
// orders that a cut-short run or cancel left active.
func (s *Service) releaseDue(ctx context.Context, p Product, sum *EndOfDaySummary) error {
	return s.eachOrder(ctx, OrderFilter{ProductID: p.ID, Kind: Subscription, Unreleased: true}, func(o Order) error {
		if o.Status != OrderCancelled && o.Status != OrderFailed {
			return nil
		}
		if _, err := s.release(ctx, o); err != nil {
			return err
		}
		sum.Released++
		return nil
	})
}
