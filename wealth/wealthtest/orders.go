package wealthtest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/wealth"
)

func testWorkedExample(t *testing.T, e *Env) {
	p := e.OpenEnded("WX")
	c, acct := e.Customer("20000.00", 3)
	o := e.Subscribe(c, acct, p, "10000.00", "sub-1")
	require.Equal(t, wealth.OrderPending, o.Status)
	require.Equal(t, Date("2026-03-02"), o.Trade, "placed at 10:00, before the 15:00 cut-off")
	e.Money("10000.00", e.Ledger.Account(acct).Held, "held at order time")
	e.Money("20000.00", e.Ledger.Account(acct).Balance)

	// Without the day's NAV the order waits.
	s := e.EOD("2026-03-02")
	require.Equal(t, 1, s.AwaitingNAV)
	require.Equal(t, wealth.OrderPending, e.Order(o.ID).Status)

	// 10,000.00 at 1.5% and NAV 1.0250: net = 10000/1.015 = 9852.2167..
	// -> 9,852.22; fee = 147.78; units = 9852.22/1.0250 = 9611.9219..
	// rounded down to 9,611.92; 9611.92 × 1.0250 = 9852.218, refund 0.00.
	e.NAV(p, "2026-03-02", "1.0250")
	s = e.EOD("2026-03-02")
	require.Equal(t, 1, s.Confirmed)
	o = e.Order(o.ID)
	require.Equal(t, wealth.OrderConfirmed, o.Status)
	e.Money("9852.22", o.Net)
	e.Money("147.78", o.Fee)
	e.Units("9611.92", o.Units)
	e.Money("0.00", o.Refund)
	e.Money("9852.22", o.Cost)
	acc := e.Ledger.Account(acct)
	e.Money("10000.00", acc.Balance)
	e.Money("0.00", acc.Held)
	ch := wealth.ChartsOf("WX")
	e.Money("9852.22", e.Ledger.Chart("CNY", ch.Custody))
	e.Money("147.78", e.Ledger.Chart("CNY", wealth.ChartFeesIncome))
	h := e.Holding(c, p)
	e.Units("9611.92", h.Units)
	e.Money("9852.22", h.Cost)
	require.Len(t, h.Lots, 1)

	// Valued at a later NAV: 9611.92 × 1.0300 = 9900.2776 -> 9,900.28;
	// unrealised 9900.28 − 9852.22 = 48.06.
	e.NAV(p, "2026-03-03", "1.0300")
	pos, err := e.Svc.Positions(e.Ctx, c, Date("2026-03-03"))
	require.NoError(t, err)
	require.Len(t, pos, 1)
	e.Money("9900.28", pos[0].MarketValue)
	e.Money("48.06", pos[0].Unrealised)
	e.Reconciles()

	// A remainder the units cannot take is refunded: 1,000.00 at no fee
	// and NAV 3.0000 buys 333.33 units (999.99); 0.01 stays with the
	// customer.
	q := e.OpenEnded("WX3", func(s *wealth.ProductSpec) { s.SubscriptionFee = Dec("0") })
	o2 := e.Subscribe(c, acct, q, "1000.00", "sub-2")
	e.NAV(q, "2026-03-02", "3.0000")
	e.EOD("2026-03-02")
	o2 = e.Order(o2.ID)
	e.Units("333.33", o2.Units)
	e.Money("0.01", o2.Refund)
	e.Money("999.99", o2.Cost)
	e.Money("9000.01", e.Ledger.Account(acct).Balance)
	e.Reconciles()

	split, err := wealth.Split(CNY("10000.00"), Dec("0.015"), Dec("1.0250"), 2)
	require.NoError(t, err)
	e.Money("9852.22", split.Net)
	e.Units("9611.92", split.Units)
	_, err = wealth.Split(CNY("10000.00"), Dec("0.015"), Dec("0"), 2)
	requireField(t, err, "nav")
}

func testCutOffAndCancel(t *testing.T, e *Env) {
	p := e.OpenEnded("CUT")
	c, acct := e.Customer("50000.00", 3)

	// After the cut-off an order trades the next trading day; on a Friday
	// evening, on Monday.
	e.At("2026-03-02", 15, 0)
	late := e.Subscribe(c, acct, p, "1000.00", "late")
	require.Equal(t, Date("2026-03-03"), late.Trade)
	e.At("2026-03-06", 16, 0)
	fri := e.Subscribe(c, acct, p, "1000.00", "fri")
	require.Equal(t, Date("2026-03-09"), fri.Trade)
	// The day before a holiday (Mon 04-06) trades on Tuesday.
	e.At("2026-04-03", 15, 30)
	hol := e.Subscribe(c, acct, p, "1000.00", "hol")
	require.Equal(t, Date("2026-04-07"), hol.Trade)

	// Cancel before the cut-off releases the hold; after it, refused.
	e.At("2026-03-06", 16, 30)
	cancelled, err := e.Svc.Cancel(e.Ctx, c, fri.ID)
	require.NoError(t, err)
	require.Equal(t, wealth.OrderCancelled, cancelled.Status)
	require.True(t, cancelled.HoldReleased)
	require.False(t, e.Ledger.HoldActive(fri.HoldID))
	again, err := e.Svc.Cancel(e.Ctx, c, fri.ID)
	require.NoError(t, err, "cancelling twice returns the order")
	require.Equal(t, wealth.OrderCancelled, again.Status)
	_, err = e.Svc.Cancel(e.Ctx, c, late.ID)
	require.ErrorIs(t, err, wealth.ErrInvalidTransition, "past 03-03 15:00")
	_, err = e.Svc.Cancel(e.Ctx, wealth.NewID(), hol.ID)
	require.ErrorIs(t, err, wealth.ErrNotFound, "another customer's order")

	// Cooling-off: 24 hours by default; the order trades at the first
	// cut-off after it, and may be cancelled until then.
	cool, err := e.Svc.CreateProduct(e.Ctx, wealth.ProductSpec{Code: "COOL", Name: "Cooling", Issuer: "I", Currency: "CNY",
		Type: wealth.OpenEnded, Risk: 2, MinFirst: CNY("1000.00"), MinAdditional: CNY("100.00"), Step: CNY("0.01"), SettlementDays: 1})
	require.NoError(t, err)
	e.At("2026-03-02", 10, 0)
	o := e.Subscribe(c, acct, cool, "1000.00", "cool")
	require.Equal(t, Date("2026-03-03"), o.Trade, "10:00 Monday + 24 h = 10:00 Tuesday, before its cut-off")
	e.At("2026-03-03", 9, 0)
	_, err = e.Svc.Cancel(e.Ctx, c, o.ID)
	require.NoError(t, err, "within the cooling-off period")
	e.Money("2000.00", e.Ledger.Account(acct).Held, "late and hol are still held")
}

func testSubscriptionBadInput(t *testing.T, e *Env) {
	p := e.OpenEnded("BADS")
	c, acct := e.Customer("5000.00", 3)
	for _, tc := range []struct {
		amount, key string
		acct        wealth.ID
		field       string
	}{
		{"999.00", "k", acct, "amount"},  // below the first minimum
		{"1050.00", "k", acct, "amount"}, // off the step
		{"1000.00", "", acct, "key"},
		{"1000.00", "eod/x", acct, "key"},
		{"1000.00", "k", wealth.NilID, "account_id"},
	} {
		_, err := e.Svc.Subscribe(e.Ctx, wealth.SubscribeRequest{CustomerID: c, ProductID: p.ID, Account: tc.acct, Amount: CNY(tc.amount), Key: tc.key})
		requireField(t, err, tc.field)
	}
	_, err := e.Svc.Subscribe(e.Ctx, wealth.SubscribeRequest{CustomerID: c, ProductID: p.ID, Account: acct, Amount: Amount("1000.00", "USD"), Key: "k"})
	requireField(t, err, "amount")
	// More than the balance: the ledger refuses the hold; nothing stored.
	_, err = e.Svc.Subscribe(e.Ctx, wealth.SubscribeRequest{CustomerID: c, ProductID: p.ID, Account: acct, Amount: CNY("6000.00"), Key: "big"})
	require.ErrorIs(t, err, wealth.ErrRefused)
	_, err = e.Store.OrderByKey(e.Ctx, c, "big")
	require.ErrorIs(t, err, wealth.ErrNotFound)
	// Someone else's account.
	_, other := e.Customer("5000.00", 0)
	_, err = e.Svc.Subscribe(e.Ctx, wealth.SubscribeRequest{CustomerID: c, ProductID: p.ID, Account: other, Amount: CNY("1000.00"), Key: "o"})
	require.ErrorIs(t, err, wealth.ErrRefused)
	// After a first purchase the additional minimum applies.
	e.Subscribe(c, acct, p, "1000.00", "first")
	e.NAV(p, "2026-03-02", "1.0000")
	e.EOD("2026-03-02")
	// Two orders of one holding confirmed in one page: both lots land.
	e.At("2026-03-03", 10, 0)
	e.Subscribe(c, acct, p, "100.00", "second")
	e.Subscribe(c, acct, p, "200.00", "third")
	e.NAV(p, "2026-03-03", "1.0000")
	e.EOD("2026-03-03")
	h := e.Holding(c, p)
	require.Len(t, h.Lots, 3)
	// 1000/1.015 = 985.22, 100/1.015 = 98.52, 200/1.015 = 197.04.
	e.Units("1280.78", h.Units)
	e.Reconciles()
}

func testIdempotent(t *testing.T, e *Env) {
	p := e.OpenEnded("IDEM")
	c, acct := e.Customer("50000.00", 3)
	first, err := e.Svc.Subscribe(e.Ctx, wealth.SubscribeRequest{CustomerID: c, ProductID: p.ID, Account: acct, Amount: CNY("1000.00"), Key: "same"})
	require.NoError(t, err)
	require.False(t, first.Replayed)
	again, err := e.Svc.Subscribe(e.Ctx, wealth.SubscribeRequest{CustomerID: c, ProductID: p.ID, Account: acct, Amount: CNY("1000.00"), Key: "same"})
	require.NoError(t, err)
	require.True(t, again.Replayed)
	require.Equal(t, first.Order.ID, again.Order.ID)
	_, err = e.Svc.Subscribe(e.Ctx, wealth.SubscribeRequest{CustomerID: c, ProductID: p.ID, Account: acct, Amount: CNY("2000.00"), Key: "same"})
	require.ErrorIs(t, err, wealth.ErrKeyReused)
	e.Money("1000.00", e.Ledger.Account(acct).Held, "held once")

	// The same key from many goroutines: one order, one hold.
	var wg sync.WaitGroup
	ids := make([]wealth.ID, 8)
	for i := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			pl, err := e.Svc.Subscribe(e.Ctx, wealth.SubscribeRequest{CustomerID: c, ProductID: p.ID, Account: acct, Amount: CNY("3000.00"), Key: "race"})
			if err == nil {
				ids[i] = pl.Order.ID
			}
		}()
	}
	wg.Wait()
	for _, id := range ids {
		require.Equal(t, ids[0], id)
	}
	e.Money("4000.00", e.Ledger.Account(acct).Held)
}

func testRedemption(t *testing.T, e *Env) {
	p := e.OpenEnded("RED")
	c, acct := e.Customer("20000.00", 3)
	// Lot 1: 10,000.00 on 03-02 at 1.0000: net 9852.22 = 9852.22 units.
	e.Subscribe(c, acct, p, "10000.00", "s1")
	e.NAV(p, "2026-03-02", "1.0000")
	e.EOD("2026-03-02")
	// Lot 2: 5,000.00 on 03-16 at 1.1000: net 5000/1.015 = 4926.108.. ->
	// 4926.11; units 4926.11/1.1 = 4478.2818.. -> 4478.28.
	e.At("2026-03-16", 10, 0)
	e.Subscribe(c, acct, p, "5000.00", "s2")
	e.NAV(p, "2026-03-16", "1.1000")
	e.EOD("2026-03-16")
	h := e.Holding(c, p)
	e.Units("14330.50", h.Units)
	e.Money("14778.33", h.Cost)

	// Redeem 10,000 units on Friday 03-20 at 1.2000, first in first out:
	// all of lot 1 (18 days: 0.5%) and 147.78 units of lot 2 (4 days:
	// 1.5%). Gross 12,000.00; fee 9852.22×1.2×0.005 + 147.78×1.2×0.015 =
	// 59.11332 + 2.66004 = 61.77336 -> 61.77; proceeds 11,938.23. Cost:
	// 9852.22 + 4926.11×147.78/4478.28 (= 162.558..) 162.56 = 10,014.78.
	e.At("2026-03-20", 10, 0)
	o := e.Redeem(c, acct, p, "10000", "r1", false)
	require.Equal(t, Date("2026-03-20"), o.Trade)
	h = e.Holding(c, p)
	e.Units("10000", h.Reserved)
	e.NAV(p, "2026-03-20", "1.2000")
	e.EOD("2026-03-20")
	o = e.Order(o.ID)
	require.Equal(t, wealth.OrderConfirmed, o.Status)
	e.Money("12000.00", o.Gross)
	e.Money("61.77", o.Fee)
	e.Money("11938.23", o.Proceeds)
	e.Money("10014.78", o.Cost)
	require.Equal(t, Date("2026-03-24"), o.Settlement, "T+2 over the weekend")
	h = e.Holding(c, p)
	e.Units("4330.50", h.Units)
	e.Units("0", h.Reserved)
	e.Money("4763.55", h.Cost)
	e.Money("1923.45", h.Realised, "11938.23 − 10014.78")
	require.Len(t, h.Lots, 1)
	e.Units("4330.50", h.Lots[0].Units)
	ch := wealth.ChartsOf("RED")
	e.Money("11938.23", e.Ledger.Chart("CNY", ch.Settlement))
	e.Money("1985.22", e.Ledger.Chart("CNY", ch.Result), "gross 12000.00 − cost 10014.78")
	e.Money("283.44", e.Ledger.Chart("CNY", wealth.ChartFeesIncome), "147.78 + 73.89 + 61.77")
	e.Reconciles()

	e.EOD("2026-03-23")
	require.Equal(t, wealth.OrderConfirmed, e.Order(o.ID).Status)
	s := e.EOD("2026-03-24")
	require.Equal(t, 1, s.Paid)
	require.Equal(t, wealth.OrderPaid, e.Order(o.ID).Status)
	e.Money("16938.23", e.Ledger.Account(acct).Balance, "5000.00 + 11938.23")
	e.Money("0.00", e.Ledger.Chart("CNY", ch.Settlement))
	e.Reconciles()
	again := e.EOD("2026-03-24")
	require.Zero(t, again.Paid, "paid once")
	e.Money("16938.23", e.Ledger.Account(acct).Balance)
}

func testRedemptionBadInput(t *testing.T, e *Env) {
	p := e.OpenEnded("REDB", func(s *wealth.ProductSpec) { s.Step = CNY("1.00") })
	c, acct := e.Customer("20000.00", 3)
	e.Subscribe(c, acct, p, "1015.00", "s") // net 1000.00 -> 1000 units at 1.0000
	e.NAV(p, "2026-03-02", "1.0000")
	e.EOD("2026-03-02")
	e.At("2026-03-03", 10, 0)
	for _, tc := range []struct {
		units, field string
	}{{"0", "units"}, {"-5", "units"}, {"1.001", "units"}, {"950", "units"}} { // 950 leaves 50 < 100
		_, err := e.Svc.Redeem(e.Ctx, wealth.RedeemRequest{CustomerID: c, ProductID: p.ID, Account: acct, Units: Dec(tc.units), Key: "r" + tc.units})
		requireField(t, err, tc.field)
	}
	_, err := e.Svc.Redeem(e.Ctx, wealth.RedeemRequest{CustomerID: c, ProductID: p.ID, Account: acct, Units: Dec("1000.01"), Key: "over"})
	require.ErrorIs(t, err, wealth.ErrInsufficientUnits)
	_, err = e.Svc.Redeem(e.Ctx, wealth.RedeemRequest{CustomerID: c, ProductID: p.ID, Account: acct, Units: Dec("10"), Key: "fast", Fast: true})
	requireField(t, err, "fast")
	e.Redeem(c, acct, p, "600", "r600", false)
	_, err = e.Svc.Redeem(e.Ctx, wealth.RedeemRequest{CustomerID: c, ProductID: p.ID, Account: acct, Units: Dec("500"), Key: "r500"})
	require.ErrorIs(t, err, wealth.ErrInsufficientUnits, "600 of 1000 are reserved")
	e.Redeem(c, acct, p, "400", "r400", false)
	_, err = e.Svc.SetStatus(e.Ctx, p.ID, wealth.Paused)
	require.NoError(t, err)
	_, err = e.Svc.Redeem(e.Ctx, wealth.RedeemRequest{CustomerID: c, ProductID: p.ID, Account: acct, Units: Dec("1"), Key: "paused"})
	require.ErrorIs(t, err, wealth.ErrNotOnSale)
}

func testConcurrent(t *testing.T, e *Env) {
	p := e.OpenEnded("CONC", func(s *wealth.ProductSpec) { s.SubscriptionFee = Dec("0"); s.MinHoldingUnits = Dec("0") })
	c, acct := e.Customer("100000.00", 3)
	e.Subscribe(c, acct, p, "1000.00", "s")
	e.NAV(p, "2026-03-02", "1.0000")
	e.EOD("2026-03-02")
	e.At("2026-03-03", 10, 0)
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, short := 0, 0
	for i := 0; i < 20; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.Svc.Redeem(e.Ctx, wealth.RedeemRequest{CustomerID: c, ProductID: p.ID, Account: acct, Units: Dec("100"), Key: fmt.Sprint("r", i)})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, wealth.ErrInsufficientUnits):
				short++
			default:
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	require.Equal(t, 10, ok, "1000 units redeem 10 times 100")
	require.Equal(t, 10, short)
	e.Units("1000", e.Holding(c, p).Reserved)
	e.NAV(p, "2026-03-03", "1.0000")
	e.EOD("2026-03-03")
	e.Units("0", e.Holding(c, p).Units)
	e.Reconciles()
}

func testEndOfDayResume(t *testing.T, e *Env) {
	// The ledger fails in the middle of the run. The suite's pages hold
	// three orders: a page's captures go to the ledger in one batch, then
	// their fees in another. After 1 call the first page's batch of
	// captures stops at its second; after 4 its batch of fees at the
	// second; after 8 the second page's captures are done and its fees
	// stop at the second. The run stops with an error before the page is
	// recorded; run again, it confirms the rest, capturing and charging
	// nothing twice.
	for i, after := range []int{1, 4, 8} {
		day := []string{"2026-03-02", "2026-03-03", "2026-03-04"}[i]
		e.At(day, 10, 0)
		p := e.OpenEnded(fmt.Sprint("RES", after), func(s *wealth.ProductSpec) { s.Step = CNY("1.00") })
		var accts []wealth.ID
		for i := 0; i < 7; i++ {
			c, acct := e.Customer("10000.00", 3)
			e.Subscribe(c, acct, p, "1015.00", fmt.Sprint("s", i))
			accts = append(accts, acct)
		}
		e.NAV(p, day, "1.0000")
		fees := e.Ledger.Chart("CNY", wealth.ChartFeesIncome)
		e.Ledger.FailAfter(after, errors.New("ledger down"))
		first, err := e.Svc.EndOfDay(e.Ctx, Date(day))
		require.Error(t, err)
		require.Equal(t, []int{0, 0, 3}[i], first.Confirmed, "pages recorded before the failure")
		s := e.EOD(day)
		require.Equal(t, 7-first.Confirmed, s.Confirmed, "the rest confirmed on the second run (fail after %d): %+v", after, s)
		s = e.EOD(day)
		require.Zero(t, s.Confirmed)
		for _, a := range accts {
			e.Money("8985.00", e.Ledger.Account(a).Balance, "taken once")
		}
		charged, _ := e.Ledger.Chart("CNY", wealth.ChartFeesIncome).Sub(fees)
		e.Money("105.00", charged, "7 × 15.00")
		e.Reconciles()
	}
}

// businessDate is a settable business-date source.
type businessDate struct {
	mu sync.Mutex
	d  calendar.Date
}

func (b *businessDate) set(d string) { b.mu.Lock(); b.d = Date(d); b.mu.Unlock() }

func (b *businessDate) BusinessDate(context.Context) (calendar.Date, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.d, nil
}

// testTradeDateFromBusinessDate: with the bank's business date as the
// source, an order trades on the business date when placed before its
// cut-off, else on the next business day of the bank's calendar, whatever
// the wall clock's date.
func testTradeDateFromBusinessDate(t *testing.T, e *Env) {
	bd := &businessDate{}
	svc, err := wealth.NewService(e.Store, wealth.WithClock(e.Clock), wealth.WithLocation(Bank), wealth.WithCalendar(e.Cal),
		wealth.WithLedger(e.Ledger), wealth.WithCustomers(e.Customers), wealth.WithBusinessDate(bd))
	require.NoError(t, err)
	p := e.OpenEnded("BDATE")
	c, acct := e.Customer("100000.00", 3)
	n := 0
	trade := func(svc *wealth.Service) calendar.Date {
		n++
		pl, err := svc.Subscribe(e.Ctx, wealth.SubscribeRequest{CustomerID: c, ProductID: p.ID, Account: acct, Amount: CNY("1000.00"), Key: fmt.Sprint("bd", n)})
		require.NoError(t, err)
		return pl.Order.Trade
	}
	// Saturday 01:00 by the wall clock, the bank still on Friday (its end
	// of day has not run): after Friday's cut-off, so Monday.
	bd.set("2026-03-06")
	e.At("2026-03-07", 1, 0)
	require.Equal(t, Date("2026-03-09"), trade(svc))
	// Friday 10:00 on the bank's Friday: before the cut-off, Friday.
	e.At("2026-03-06", 10, 0)
	require.Equal(t, Date("2026-03-06"), trade(svc))
	require.Equal(t, Date("2026-03-06"), trade(e.Svc), "the wall clock agrees")
	// The bank has moved on to Monday while the wall clock says Friday
	// 10:00: the order trades on Monday, not on the wall clock's Friday.
	bd.set("2026-03-09")
	require.Equal(t, Date("2026-03-09"), trade(svc))
	// After the cut-off of the business date the next business day of
	// the bank's calendar: Friday 2026-04-03 at 15:30, Monday 04-06 is a
	// holiday, so Tuesday.
	bd.set("2026-04-03")
	e.At("2026-04-03", 15, 30)
	require.Equal(t, Date("2026-04-07"), trade(svc))
	// A business date on a day the calendar closes (a holiday) trades on
	// the next business day.
	bd.set("2026-04-06")
	e.At("2026-04-06", 9, 0)
	require.Equal(t, Date("2026-04-07"), trade(svc))
}

// testEventsCarryBusinessDate: events carry the bank's business date, not
// the wall clock's: an order placed in the small hours before the bank's
// end of day is Friday's, its confirmation in the end of day of Monday run
// on Tuesday's wall clock is Monday's.
func testEventsCarryBusinessDate(t *testing.T, e *Env) {
	bd := &businessDate{}
	svc, err := wealth.NewService(e.Store, wealth.WithClock(e.Clock), wealth.WithLocation(Bank), wealth.WithCalendar(e.Cal),
		wealth.WithLedger(e.Ledger), wealth.WithCustomers(e.Customers), wealth.WithBusinessDate(bd))
	require.NoError(t, err)
	p := e.OpenEnded("EVBD")
	c, acct := e.Customer("100000.00", 3)
	after, err := e.Store.Events().Read(e.Ctx, 0, 1000)
	require.NoError(t, err)
	from := after[len(after)-1].Sequence
	bd.set("2026-03-06")
	e.At("2026-03-07", 1, 0)
	pl, err := svc.Subscribe(e.Ctx, wealth.SubscribeRequest{CustomerID: c, ProductID: p.ID, Account: acct, Amount: CNY("1000.00"), Key: "evbd"})
	require.NoError(t, err)
	require.Equal(t, Date("2026-03-09"), pl.Order.Trade)
	bd.set("2026-03-09")
	e.At("2026-03-10", 2, 0)
	_, err = svc.PublishNAV(e.Ctx, wealth.NAVRequest{ProductID: p.ID, Date: Date("2026-03-09"), Value: Dec("1.0000"), PublishedBy: "issuer"})
	require.NoError(t, err)
	_, err = svc.EndOfDay(e.Ctx, Date("2026-03-09"))
	require.NoError(t, err)
	evs, err := e.Store.Events().Read(e.Ctx, from, 100)
	require.NoError(t, err)
	got := map[string]calendar.Date{}
	for _, ev := range evs {
		got[ev.Type] = ev.BusinessDate
	}
	require.Equal(t, map[string]calendar.Date{wealth.EventOrderPlaced: Date("2026-03-06"),
		wealth.EventNAVPublished: Date("2026-03-09"), wealth.EventOrderConfirmed: Date("2026-03-09")}, got)
}
