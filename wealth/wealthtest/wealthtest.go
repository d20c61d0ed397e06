// Package wealthtest is the contract suite every wealth.Store must pass,
// and fakes of wealth's ports (Ledger, Customers) for tests. A backend's
// tests call Run with a constructor that returns a fresh, empty store; the
// suite drives it through wealth.Service, so it checks what users see:
// the figures, errors, atomicity, concurrency, idempotency and events.
//
//	func TestContract(t *testing.T) {
//		wealthtest.Run(t, func(t *testing.T) wealth.Store { return memwealth.New() })
//	}
package wealthtest

import (
	"context"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/wealth"
)

// Run runs the contract suite. newStore must return a fresh, empty store
// on every call.
func Run(t *testing.T, newStore func(t *testing.T) wealth.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, e *Env)
	}{
		{"ProductsCreateListAndRefuse", testProducts},
		{"NAVPublicationAndHistory", testNAV},
		{"NAVFileAllOrNothing", testNAVFile},
		{"CashManagementYield", testYield},
		{"SuitabilityRefusesAndRecords", testSuitability},
		{"SubscriptionWorkedExample", testWorkedExample},
		{"CutOffCoolingOffAndCancel", testCutOffAndCancel},
		{"TradeDateFromTheBusinessDate", testTradeDateFromBusinessDate},
		{"EventsCarryTheBusinessDate", testEventsCarryBusinessDate},
		{"SubscriptionBadInput", testSubscriptionBadInput},
		{"IdempotentOrders", testIdempotent},
		{"RedemptionFIFOFeesAndSettlement", testRedemption},
		{"RedemptionBadInput", testRedemptionBadInput},
		{"CashManagementIncomeAndFastRedemption", testCashManagement},
		{"MonthlyIncomePaid", testMonthlyIncome},
		{"ClosedEndedEstablishedAndMatured", testClosedEnded},
		{"ClosedEndedRaiseFails", testClosedEndedFails},
		{"EndOfDayResumesAfterAFailure", testEndOfDayResume},
		{"ConcurrentOrdersNeverOversell", testConcurrent},
		{"QuarterSimulationReconciles", testSimulation},
		{"Events", testEvents},
		{"MonthlyStatement", testStatement},
		{"MonthEndSnapshotStatement", testStatementSnapshot},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			tt.fn(t, NewEnv(t, newStore(t)))
		})
	}
}

// Bank is the bank's time zone in the suite (UTC+8).
var Bank = time.FixedZone("CST", 8*3600)

// Env is a Service over a store with fake ports, a manual clock at Monday
// 2026-03-02 10:00 bank time and a calendar of weekends and 2026-04-06 (a
// holiday).
type Env struct {
	T         *testing.T
	Ctx       context.Context
	Store     wealth.Store
	Svc       *wealth.Service
	Ledger    *Ledger
	Customers *Customers
	Clock     *calendar.ManualClock
	Cal       *calendar.BusinessCalendar
}

// NewEnv returns an Env over store.
func NewEnv(t *testing.T, store wealth.Store, opts ...wealth.Option) *Env {
	cal, err := calendar.NewBusinessCalendar(calendar.WithHolidays(calendar.MustDate(2026, 4, 6)))
	require.NoError(t, err)
	e := &Env{T: t, Ctx: context.Background(), Store: store, Ledger: NewLedger(), Customers: &Customers{}, Cal: cal,
		Clock: calendar.NewManualClock(time.Date(2026, 3, 2, 10, 0, 0, 0, Bank))}
	e.Svc, err = wealth.NewService(store, append([]wealth.Option{wealth.WithClock(e.Clock), wealth.WithLocation(Bank),
		wealth.WithCalendar(cal), wealth.WithLedger(e.Ledger), wealth.WithCustomers(e.Customers), wealth.WithEndOfDayPage(3)}, opts...)...)
	require.NoError(t, err)
	return e
}

// CNY parses a CNY amount.
func CNY(v string) money.Money { return money.MustParse(v, "CNY") }

// Amount parses an amount in currency c.
func Amount(v, c string) money.Money { return money.MustParse(v, c) }

// Dec parses a decimal.
func Dec(v string) decimal.Decimal { return decimal.RequireFromString(v) }

// Date parses a date.
func Date(s string) calendar.Date { return calendar.MustParseDate(s) }

// At sets the clock to hh:mm bank time on date.
func (e *Env) At(date string, hh, mm int) {
	d := Date(date)
	e.Clock.Set(time.Date(d.Year, d.Month, d.Day, hh, mm, 0, 0, Bank))
}

// OpenEnded lists an open-ended product: R3, 1.5% subscription fee,
// redemption 1.5% under 7 days, 0.5% under 30, none after; T+2; no
// cooling-off; minimum 1,000.00, then 100.00, step 100.00.
func (e *Env) OpenEnded(code string, mod ...func(*wealth.ProductSpec)) wealth.Product {
	zero := 0
	spec := wealth.ProductSpec{Code: code, Name: "Steady Growth " + code, Issuer: "Bankkit Wealth Co.", Currency: "CNY",
		Type: wealth.OpenEnded, Risk: 3, MinFirst: CNY("1000.00"), MinAdditional: CNY("100.00"), Step: CNY("100.00"),
		MinHoldingUnits: Dec("100"), SubscriptionFee: Dec("0.015"),
		RedemptionFees: []wealth.FeeTier{{MinDays: 0, Rate: Dec("0.015")}, {MinDays: 7, Rate: Dec("0.005")}, {MinDays: 30, Rate: Dec("0")}},
		ManagementFee:  Dec("0.008"), CustodyFee: Dec("0.0002"), SettlementDays: 2, CoolingOffHours: &zero,
		Documents: []wealth.Document{{Kind: "prospectus", Title: "Prospectus", SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"}}}
	for _, m := range mod {
		m(&spec)
	}
	p, err := e.Svc.CreateProduct(e.Ctx, spec)
	require.NoError(e.T, err)
	return p
}

// CashManagement lists a cash-management product: R1, no fees, T+1,
// fast redemption up to 10,000.00 a day, minimum 1.00, step 0.01.
func (e *Env) CashManagement(code string, mode wealth.IncomeMode) wealth.Product {
	zero := 0
	p, err := e.Svc.CreateProduct(e.Ctx, wealth.ProductSpec{Code: code, Name: "Daily Cash " + code, Issuer: "Bankkit Wealth Co.",
		Currency: "CNY", Type: wealth.CashManagement, Risk: 1, MinFirst: CNY("1.00"), MinAdditional: CNY("1.00"), Step: CNY("0.01"),
		SettlementDays: 1, FastLimit: CNY("10000.00"), IncomeMode: mode, CoolingOffHours: &zero})
	require.NoError(e.T, err)
	return p
}

// Customer returns a new customer with a CNY demand account holding
// balance, assessed at level (professional when asked).
func (e *Env) Customer(balance string, level int) (wealth.ID, wealth.ID) {
	c := wealth.NewID()
	acct := e.Ledger.Open(c, CNY(balance))
	if level > 0 {
		_, err := e.Svc.Assess(e.Ctx, c, AnswersFor(level))
		require.NoError(e.T, err)
	}
	return c, acct
}

// AnswersFor returns answers to the default questionnaire that score
// level (1-5).
func AnswersFor(level int) map[string]string {
	// Scores: C1 2+2+2+0+0+2+0+0 = 8; C2 = 28; C3 = 44;
	// C4 = 56; C5 = 98 (bands 0, 21, 37, 54, 71).
	switch level {
	case 1:
		return map[string]string{"age": "d", "income": "a", "share": "d", "experience": "a", "knowledge": "a", "horizon": "a", "goal": "a", "loss": "a"}
	case 2:
		return map[string]string{"age": "b", "income": "b", "share": "a", "experience": "a", "knowledge": "a", "horizon": "a", "goal": "a", "loss": "a"}
	case 3:
		return map[string]string{"age": "b", "income": "b", "share": "a", "experience": "b", "knowledge": "b", "horizon": "a", "goal": "b", "loss": "a"}
	case 4:
		return map[string]string{"age": "b", "income": "b", "share": "a", "experience": "b", "knowledge": "b", "horizon": "b", "goal": "b", "loss": "b"}
	default:
		return map[string]string{"age": "b", "income": "d", "share": "a", "experience": "d", "knowledge": "c", "horizon": "c", "goal": "d", "loss": "d"}
	}
}

// NAV publishes a NAV.
func (e *Env) NAV(p wealth.Product, date, nav string) {
	_, err := e.Svc.PublishNAV(e.Ctx, wealth.NAVRequest{ProductID: p.ID, Date: Date(date), Value: Dec(nav), PublishedBy: "issuer"})
	require.NoError(e.T, err)
}

// Income publishes a cash-management product's income per 10,000 units.
func (e *Env) Income(p wealth.Product, date, per10k string) {
	_, err := e.Svc.PublishNAV(e.Ctx, wealth.NAVRequest{ProductID: p.ID, Date: Date(date), IncomePer10K: Dec(per10k), PublishedBy: "issuer"})
	require.NoError(e.T, err)
}

// EOD runs the end of day for date and requires it to succeed.
func (e *Env) EOD(date string) wealth.EndOfDaySummary {
	s, err := e.Svc.EndOfDay(e.Ctx, Date(date))
	require.NoError(e.T, err)
	return s
}

// Subscribe places a subscription and requires it to succeed.
func (e *Env) Subscribe(c, acct wealth.ID, p wealth.Product, amount, key string) wealth.Order {
	pl, err := e.Svc.Subscribe(e.Ctx, wealth.SubscribeRequest{CustomerID: c, ProductID: p.ID, Account: acct, Amount: CNY(amount), Key: key})
	require.NoError(e.T, err)
	return pl.Order
}

// Redeem places a redemption and requires it to succeed.
func (e *Env) Redeem(c, acct wealth.ID, p wealth.Product, units, key string, fast bool) wealth.Order {
	pl, err := e.Svc.Redeem(e.Ctx, wealth.RedeemRequest{CustomerID: c, ProductID: p.ID, Account: acct, Units: Dec(units), Key: key, Fast: fast})
	require.NoError(e.T, err)
	return pl.Order
}

// Reconciles requires the wealth books to agree with the ledger.
func (e *Env) Reconciles() wealth.Reconciliation {
	r, err := e.Svc.Reconcile(e.Ctx)
	require.NoError(e.T, err)
	require.True(e.T, r.Agrees, "reconciliation: %+v", r)
	return r
}

// Order reads an order.
func (e *Env) Order(id wealth.ID) wealth.Order {
	o, err := e.Svc.Order(e.Ctx, wealth.NilID, id)
	require.NoError(e.T, err)
	return o
}

// Holding reads a holding.
func (e *Env) Holding(c wealth.ID, p wealth.Product) wealth.Holding {
	h, err := e.Store.Holding(e.Ctx, c, p.ID)
	require.NoError(e.T, err)
	return h
}

// Money requires m to equal the CNY amount v.
func (e *Env) Money(v string, m money.Money, msg ...any) {
	e.T.Helper()
	require.True(e.T, CNY(v).Equal(m), append([]any{"want %s, got %s", v, m}, msg...)...)
}

// Units requires d to equal v.
func (e *Env) Units(v string, d decimal.Decimal) {
	e.T.Helper()
	require.True(e.T, Dec(v).Equal(d), "want %s units, got %s", v, d)
}
