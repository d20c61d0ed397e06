package wealthtest

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/wealth"
)

func testCashManagement(t *testing.T, e *Env) {
	p := e.CashManagement("CM", wealth.IncomeReinvest)
	c, acct := e.Customer("100000.00", 1)
	e.Subscribe(c, acct, p, "50000.00", "s")
	e.Income(p, "2026-03-02", "0.5")
	s := e.EOD("2026-03-02")
	require.Zero(t, s.IncomeCredited, "nothing held before the confirmation")
	h := e.Holding(c, p)
	e.Units("50000", h.Units)

	// 03-03: 50000 × 0.6123 / 10000 = 3.0615 -> 3.06 (down), reinvested.
	e.Income(p, "2026-03-03", "0.6123")
	e.At("2026-03-03", 18, 0)
	s = e.EOD("2026-03-03")
	require.Equal(t, 1, s.IncomeCredited)
	h = e.Holding(c, p)
	e.Units("50003.06", h.Units)
	e.Money("50003.06", h.Cost)
	e.Money("3.06", h.Income)
	e.Reconciles()
	// Run again: credited once.
	e.EOD("2026-03-03")
	e.Units("50003.06", e.Holding(c, p).Units)
	// 03-04: 50003.06 × 0.00006 = 3.0001836 -> 3.00.
	e.Income(p, "2026-03-04", "0.6")
	e.EOD("2026-03-04")
	e.Units("50006.06", e.Holding(c, p).Units)

	// Fast redemption: paid at once, up to 10,000.00 a day.
	e.At("2026-03-05", 10, 0)
	o := e.Redeem(c, acct, p, "6000", "f1", true)
	require.Equal(t, wealth.OrderPaid, o.Status)
	e.Money("56000.00", e.Ledger.Account(acct).Balance, "50000.00 + 6000.00")
	_, err := e.Svc.Redeem(e.Ctx, wealth.RedeemRequest{CustomerID: c, ProductID: p.ID, Account: acct, Units: Dec("4000.01"), Key: "f2", Fast: true})
	require.ErrorIs(t, err, wealth.ErrLimitExceeded)
	e.Redeem(c, acct, p, "4000", "f3", true)
	e.Reconciles()
	// A normal redemption trades at the end of day, T+1.
	n := e.Redeem(c, acct, p, "1000", "n1", false)
	// 03-05 income on 40006.06 units (the reserved 1000 still earn):
	// × 0.00005 = 2.000303 -> 2.00.
	e.Income(p, "2026-03-05", "0.5")
	e.At("2026-03-05", 18, 0)
	e.EOD("2026-03-05")
	n = e.Order(n.ID)
	require.Equal(t, wealth.OrderConfirmed, n.Status)
	e.Money("1000.00", n.Proceeds)
	require.Equal(t, Date("2026-03-06"), n.Settlement)
	e.Units("39008.06", e.Holding(c, p).Units)
	e.Reconciles()
	// The next day the limit is fresh.
	e.At("2026-03-06", 10, 0)
	e.Redeem(c, acct, p, "10000", "f4", true)
	e.EOD("2026-03-06")
	e.Money("71000.00", e.Ledger.Account(acct).Balance, "50000 + 6000 + 4000 + 1000 + 10000")
	e.Units("29008.06", e.Holding(c, p).Units)
	e.Reconciles()

	// A fast redemption the ledger refuses (a closed account) fails and
	// gives back its units and limit.
	c2, acct2 := e.Customer("5000.00", 1)
	e.Subscribe(c2, acct2, p, "5000.00", "s")
	e.Income(p, "2026-03-09", "0.5")
	e.At("2026-03-09", 10, 0)
	e.EOD("2026-03-06")
	e.Ledger.Close(acct2)
	_, err = e.Svc.Redeem(e.Ctx, wealth.RedeemRequest{CustomerID: c2, ProductID: p.ID, Account: acct2, Units: Dec("100"), Key: "f", Fast: true})
	require.ErrorIs(t, err, wealth.ErrRefused)
}

func testMonthlyIncome(t *testing.T, e *Env) {
	p := e.CashManagement("CMM", wealth.IncomeMonthly)
	c, acct := e.Customer("100000.00", 1)
	e.Subscribe(c, acct, p, "100000.00", "s")
	e.Income(p, "2026-03-02", "0.5")
	e.EOD("2026-03-02")
	// 100000 × 0.5 / 10000 = 5.00 a day, accrued.
	for _, d := range []string{"2026-03-03", "2026-03-04", "2026-03-31"} {
		e.Income(p, d, "0.5")
	}
	e.EOD("2026-03-03")
	e.EOD("2026-03-04")
	h := e.Holding(c, p)
	e.Money("10.00", h.Accrued)
	e.Units("100000", h.Units)
	e.Money("10.00", e.Ledger.Chart("CNY", wealth.ChartsOf("CMM").Settlement))
	e.Reconciles()
	// 03-31 is March's last business day: the month's 15.00 is paid.
	s := e.EOD("2026-03-31")
	require.Equal(t, 1, s.IncomePaid)
	e.Money("15.00", e.Ledger.Account(acct).Balance)
	h = e.Holding(c, p)
	e.Money("0.00", h.Accrued)
	e.Money("15.00", h.Income)
	e.Money("0.00", e.Ledger.Chart("CNY", wealth.ChartsOf("CMM").Settlement))
	e.Reconciles()
	s = e.EOD("2026-03-31")
	require.Zero(t, s.IncomePaid)
	e.Money("15.00", e.Ledger.Account(acct).Balance, "paid once")
}

func testClosedEnded(t *testing.T, e *Env) {
	p, err := e.Svc.CreateProduct(e.Ctx, closedSpec("CE1"))
	require.NoError(t, err)
	require.Equal(t, wealth.PhaseRaising, p.Phase)
	_, err = e.Svc.SetStatus(e.Ctx, p.ID, wealth.Open)
	require.NoError(t, err)
	a, acctA := e.Customer("100000.00", 2)
	b, acctB := e.Customer("100000.00", 2)
	c, acctC := e.Customer("100000.00", 2)
	e.At("2026-03-02", 10, 0)
	oa := e.Subscribe(a, acctA, p, "80000.00", "a")
	require.Equal(t, Date("2026-03-09"), oa.Trade, "trades on the establishment date")
	e.Subscribe(b, acctB, p, "30000.00", "b")
	oc := e.Subscribe(c, acctC, p, "20000.00", "c")
	// Cooling-off: C cancels the next morning (within 24 hours and the
	// window).
	e.At("2026-03-03", 9, 0)
	_, err = e.Svc.Cancel(e.Ctx, c, oc.ID)
	require.NoError(t, err)
	e.Money("0.00", e.Ledger.Account(acctC).Held)
	// After the window: no more subscriptions; no redemption before
	// maturity.
	e.At("2026-03-07", 10, 0)
	_, err = e.Svc.Subscribe(e.Ctx, wealth.SubscribeRequest{CustomerID: c, ProductID: p.ID, Account: acctC, Amount: CNY("10000.00"), Key: "late"})
	require.ErrorIs(t, err, wealth.ErrNotOnSale)
	// Establishment: 110,000.00 raised >= 100,000.00; the NAV comes later.
	s := e.EOD("2026-03-09")
	require.Equal(t, 1, s.Established)
	require.Equal(t, 2, s.AwaitingNAV)
	e.NAV(p, "2026-03-09", "1.0000")
	s = e.EOD("2026-03-09")
	require.Equal(t, 2, s.Confirmed)
	e.Units("80000", e.Holding(a, p).Units)
	e.Money("110000.00", e.Ledger.Chart("CNY", wealth.ChartsOf("CE1").Custody))
	_, err = e.Svc.Redeem(e.Ctx, wealth.RedeemRequest{CustomerID: a, ProductID: p.ID, Account: acctA, Units: Dec("100"), Key: "r"})
	require.ErrorIs(t, err, wealth.ErrNotOnSale)
	e.Reconciles()

	// Maturity 06-09 at the final NAV 1.0080: A 80,640.00, B 30,240.00,
	// no redemption fee, paid T+2 on 06-11.
	e.NAV(p, "2026-06-09", "1.0080")
	s = e.EOD("2026-06-09")
	require.Equal(t, 2, s.MaturityOrders)
	require.Equal(t, 2, s.Confirmed)
	e.Reconciles()
	e.EOD("2026-06-10")
	s = e.EOD("2026-06-11")
	require.Equal(t, 2, s.Paid)
	e.Money("100640.00", e.Ledger.Account(acctA).Balance)
	e.Money("100240.00", e.Ledger.Account(acctB).Balance)
	got, err := e.Svc.Product(e.Ctx, p.ID)
	require.NoError(t, err)
	require.Equal(t, wealth.PhaseMatured, got.Phase)
	e.Money("0.00", e.Ledger.Chart("CNY", wealth.ChartsOf("CE1").Custody))
	e.Money("880.00", e.Ledger.Chart("CNY", wealth.ChartsOf("CE1").Result), "the return paid: 640 + 240")
	e.Reconciles()
}

func closedSpec(code string) wealth.ProductSpec {
	return wealth.ProductSpec{Code: code, Name: "Fixed Term 92 Days", Issuer: "Bankkit Wealth Co.", Currency: "CNY",
		Type: wealth.ClosedEnded, Risk: 2, MinFirst: CNY("10000.00"), MinAdditional: CNY("1000.00"), Step: CNY("1000.00"),
		SettlementDays: 2, WindowOpen: Date("2026-03-02"), WindowClose: Date("2026-03-06"), Establishment: Date("2026-03-09"),
		Maturity: Date("2026-06-09"), Benchmark: Dec("0.032"), MinRaise: CNY("100000.00")}
}

func testClosedEndedFails(t *testing.T, e *Env) {
	p, err := e.Svc.CreateProduct(e.Ctx, closedSpec("CE2"))
	require.NoError(t, err)
	_, err = e.Svc.SetStatus(e.Ctx, p.ID, wealth.Open)
	require.NoError(t, err)
	a, acctA := e.Customer("100000.00", 2)
	o := e.Subscribe(a, acctA, p, "50000.00", "a")
	e.Money("50000.00", e.Ledger.Account(acctA).Held)
	s := e.EOD("2026-03-09")
	require.Equal(t, 1, s.RaisesFailed)
	require.Equal(t, 1, s.Failed)
	o = e.Order(o.ID)
	require.Equal(t, wealth.OrderFailed, o.Status)
	require.True(t, o.HoldReleased)
	e.Money("0.00", e.Ledger.Account(acctA).Held)
	e.Money("100000.00", e.Ledger.Account(acctA).Balance)
	got, err := e.Svc.Product(e.Ctx, p.ID)
	require.NoError(t, err)
	require.Equal(t, wealth.PhaseFailed, got.Phase)
	e.Reconciles()
}
