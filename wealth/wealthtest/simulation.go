package wealthtest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/wealth"
)

// testSimulation runs a quarter of business days (2026-03-02 to
// 2026-05-29) with random subscriptions, redemptions, fast redemptions,
// cancellations, NAVs and incomes, and checks every day that the wealth
// books reconcile to the ledger, that no money is made or lost (the
// customers' balances and the bank's accounts add up to what the
// customers started with plus what the products paid out), and that each
// customer's positions add up to their holdings; every Friday that the
// month's statement shows the holdings, and from the 10th of a month that
// the last month's statement shows the units at its last business day.
func testSimulation(t *testing.T, e *Env) {
	rng := rand.New(rand.NewPCG(17, 2026))
	oe := e.OpenEnded("SIMOE", func(s *wealth.ProductSpec) { s.MinHoldingUnits = Dec("0") })
	cm := e.CashManagement("SIMCM", wealth.IncomeReinvest)
	cmm := e.CashManagement("SIMCMM", wealth.IncomeMonthly)
	products := []wealth.Product{oe, cm, cmm}
	var custs []cust
	for range 4 {
		c, a := e.Customer("1000000.00", 5)
		custs = append(custs, cust{c, a})
	}
	start := CNY("4000000.00")
	nav := Dec("1.0000")
	seq := 0
	day := Date("2026-03-02")
	end := Date("2026-05-29")
	days := 0
	// monthEnd keeps each customer's units of the open-ended and the
	// monthly-income products at a month's last business day, to compare
	// with that month's statement made later.
	monthEnd := map[string]map[wealth.ID]string{}
	for !day.After(end) {
		if !e.Cal.IsBusinessDay(day) {
			day = day.AddDays(1)
			continue
		}
		days++
		e.At(day.String(), 10, 0)
		var pending []wealth.Order
		for _, c := range custs {
			for _, p := range products {
				seq++
				key := fmt.Sprint("k", seq)
				switch rng.IntN(6) {
				case 0, 1:
					amount := decimal.NewFromInt(int64(10 + rng.IntN(200))).Mul(Dec("100"))
					pl, err := e.Svc.Subscribe(e.Ctx, wealth.SubscribeRequest{CustomerID: c.id, ProductID: p.ID, Account: c.acct,
						Amount: money.Money{Amount: amount, Currency: "CNY"}, Key: key})
					if err != nil {
						require.ErrorIs(t, err, wealth.ErrRefused, "only the balance may run out")
						continue
					}
					pending = append(pending, pl.Order)
				case 2:
					h, err := e.Store.Holding(e.Ctx, c.id, p.ID)
					if err != nil {
						continue
					}
					free := h.Units.Sub(h.Reserved)
					units := free.Mul(decimal.NewFromFloat(rng.Float64())).RoundDown(2)
					if !units.IsPositive() {
						continue
					}
					fast := p.Type == wealth.CashManagement && rng.IntN(2) == 0
					_, err = e.Svc.Redeem(e.Ctx, wealth.RedeemRequest{CustomerID: c.id, ProductID: p.ID, Account: c.acct, Units: units, Key: key, Fast: fast})
					if err != nil && !errors.Is(err, wealth.ErrLimitExceeded) {
						require.NoError(t, err)
					}
				}
			}
		}
		// Some subscriptions are cancelled before the cut-off.
		e.At(day.String(), 14, 0)
		for _, o := range pending {
			if rng.IntN(8) == 0 {
				_, err := e.Svc.Cancel(e.Ctx, o.CustomerID, o.ID)
				require.NoError(t, err)
			}
		}
		// The issuers publish; the bank closes the day.
		e.At(day.String(), 18, 0)
		nav = nav.Mul(decimal.NewFromFloat(0.99 + rng.Float64()*0.021)).RoundBank(4)
		e.NAV(oe, day.String(), nav.String())
		e.Income(cm, day.String(), decimal.NewFromFloat(0.3+rng.Float64()*0.5).RoundBank(4).String())
		e.Income(cmm, day.String(), decimal.NewFromFloat(0.3+rng.Float64()*0.5).RoundBank(4).String())
		e.EOD(day.String())
		e.Reconciles()
		checkConservation(t, e, custs, products, start)
		for _, c := range custs {
			checkPositions(t, e.Ctx, e, c.id, day)
			if day.Weekday() == time.Friday {
				checkStatement(t, e, c.id, day)
			}
		}
		month := fmt.Sprintf("%04d-%02d", day.Year, int(day.Month))
		if next, _ := e.Cal.NextBusinessDay(day); next.Month != day.Month {
			monthEnd[month] = map[wealth.ID]string{}
			for _, c := range custs {
				for _, p := range []wealth.Product{oe, cmm} {
					if h, err := e.Store.Holding(e.Ctx, c.id, p.ID); err == nil {
						monthEnd[month][c.id] += p.Code + "=" + h.Units.String() + ";"
					}
				}
			}
		}
		if prev := day.AddDays(-10); prev.Month != day.Month && day.Day >= 10 {
			m := fmt.Sprintf("%04d-%02d", prev.Year, int(prev.Month))
			for _, c := range custs {
				st, err := e.Svc.Statement(e.Ctx, c.id, m)
				require.NoError(t, err)
				got := ""
				for _, p := range []wealth.Product{oe, cmm} {
					for _, pos := range st.Positions {
						if pos.ProductID == p.ID {
							got += p.Code + "=" + pos.Units.String() + ";"
						}
					}
				}
				require.Equal(t, strip(monthEnd[m][c.id]), got, "the %s statement made on %s shows the month-end units", m, day)
			}
		}
		day = day.AddDays(1)
	}
	require.Equal(t, 64, days, "22 in March, 21 in April (less the holiday), 21 in May")
}

type cust struct{ id, acct wealth.ID }

// strip drops the zero holdings a statement leaves out.
func strip(s string) string {
	out := ""
	for _, part := range strings.Split(s, ";") {
		if part != "" && !strings.HasSuffix(part, "=0") {
			out += part + ";"
		}
	}
	return out
}

// checkStatement: the statement of the month in progress shows the
// holdings as they stand, and its totals add them up.
func checkStatement(t *testing.T, e *Env, customer wealth.ID, day calendar.Date) {
	t.Helper()
	st, err := e.Svc.Statement(e.Ctx, customer, fmt.Sprintf("%04d-%02d", day.Year, int(day.Month)))
	require.NoError(t, err)
	require.Equal(t, day, st.To)
	pos, err := e.Svc.Positions(e.Ctx, customer, day)
	require.NoError(t, err)
	want := map[wealth.ID]wealth.Position{}
	for _, p := range pos {
		if p.Units.IsPositive() {
			want[p.ProductID] = p
		}
	}
	require.Len(t, st.Positions, len(want))
	mv := money.Zero("CNY")
	for _, p := range st.Positions {
		require.True(t, want[p.ProductID].Units.Equal(p.Units))
		require.True(t, want[p.ProductID].MarketValue.Equal(p.MarketValue))
		mv, _ = mv.Add(p.MarketValue)
	}
	if len(st.Positions) > 0 {
		require.True(t, st.Totals[0].MarketValue.Equal(mv))
	}
}

// checkConservation: customers' balances + custody + settlement + fees
// income − the products' result (money the products paid out) = what
// the customers started with.
func checkConservation(t *testing.T, e *Env, custs []cust, products []wealth.Product, start money.Money) {
	t.Helper()
	total := money.Zero("CNY")
	for _, c := range custs {
		total, _ = total.Add(e.Ledger.Account(c.acct).Balance)
	}
	for _, p := range products {
		ch := wealth.ChartsOf(p.Code)
		total, _ = total.Add(e.Ledger.Chart("CNY", ch.Custody))
		total, _ = total.Add(e.Ledger.Chart("CNY", ch.Settlement))
		total, _ = total.Sub(e.Ledger.Chart("CNY", ch.Result))
	}
	total, _ = total.Add(e.Ledger.Chart("CNY", wealth.ChartFeesIncome))
	require.True(t, total.Equal(start), "money conserved: %s != %s", total, start)
}

func checkPositions(t *testing.T, ctx context.Context, e *Env, customer wealth.ID, day calendar.Date) {
	t.Helper()
	pos, err := e.Svc.Positions(ctx, customer, day)
	require.NoError(t, err)
	for _, p := range pos {
		require.False(t, p.Units.IsNegative())
		require.False(t, p.Reserved.GreaterThan(p.Units))
		want := p.Units.Mul(p.NAV).RoundBank(2)
		if !p.NAV.IsZero() {
			require.True(t, want.Equal(p.MarketValue.Amount), "market value = units × NAV")
		}
	}
}
