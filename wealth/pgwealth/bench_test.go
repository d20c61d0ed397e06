package pgwealth_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/wealth"
	"github.com/bankkit/bankkit/wealth/pgwealth"
	"github.com/bankkit/bankkit/wealth/wealthtest"
)

// benchN reads a size from the environment (the figures in
// docs/performance.md set them), or def.
func benchN(name string, def int) int {
	if n, err := strconv.Atoi(os.Getenv(name)); err == nil && n > 0 {
		return n
	}
	return def
}

// copyRows loads rows into table with COPY, in one transaction.
func copyRows(b *testing.B, db *sqlx.DB, table string, cols []string, rows func(yield func(...any) error) error) {
	tx, err := db.Begin()
	require.NoError(b, err)
	stmt, err := tx.Prepare("COPY " + pgwealth.Schema + "." + table + " (" + strings.Join(cols, ", ") + ") FROM STDIN")
	require.NoError(b, err)
	require.NoError(b, rows(func(v ...any) error { _, err := stmt.Exec(v...); return err }))
	_, err = stmt.Exec()
	require.NoError(b, err)
	require.NoError(b, stmt.Close())
	require.NoError(b, tx.Commit())
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}

func heapMB() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapInuse) / (1 << 20)
}

// BenchmarkConfirmSubscriptions confirms N pending subscriptions of one
// product and trade date by the end of day (default 2,000; the figure in
// docs/performance.md is for BANKKIT_WEALTH_BENCH_ORDERS=100000). The
// orders and their holdings are loaded with COPY, their holds placed on
// the fake ledger; the timed part is the end of day: per order the
// ledger's capture and fee, and pages of 500 recorded in one transaction
// each.
func BenchmarkConfirmSubscriptions(b *testing.B) {
	n := benchN("BANKKIT_WEALTH_BENCH_ORDERS", 2000)
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		db := newDB(b)
		ledger := wealthtest.NewLedger()
		clock := calendar.NewManualClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
		svc, err := wealth.NewService(pgwealth.New(db), wealth.WithClock(clock), wealth.WithLedger(ledger))
		require.NoError(b, err)
		zero := 0
		p, err := svc.CreateProduct(ctx, wealth.ProductSpec{Code: "BENCH", Name: "Bench", Issuer: "I", Currency: "CNY", Type: wealth.OpenEnded,
			Risk: 1, MinFirst: money.MustParse("1000.00", "CNY"), MinAdditional: money.MustParse("100.00", "CNY"), Step: money.MustParse("0.01", "CNY"),
			SubscriptionFee: decimal.RequireFromString("0.015"), SettlementDays: 1, CoolingOffHours: &zero})
		require.NoError(b, err)
		trade := calendar.MustParseDate("2026-03-02")
		amount := money.MustParse("10000.00", "CNY")
		copyOrders := func(yield func(...any) error) error {
			for i := 0; i < n; i++ {
				c := wealth.NewID()
				acct := ledger.Open(c, amount)
				hold, err := ledger.PlaceHold(ctx, wealth.HoldRequest{Account: acct, Amount: amount, Key: "h" + strconv.Itoa(i)})
				if err != nil {
					return err
				}
				h := wealth.NewHolding(c, p.ID, "CNY")
				h.Version = 1
				hb, _ := json.Marshal(h)
				o := orderFor(c, p.ID, acct, hold, amount, trade, i)
				ob, _ := json.Marshal(o)
				if err := yield(o.ID, c, p.ID, o.Key, string(o.Kind), string(o.Status), trade, false, true, string(ob), h.ID, string(hb)); err != nil {
					return err
				}
			}
			return nil
		}
		// One COPY per table: buffer the rows first.
		var orders, holdings [][]any
		require.NoError(b, copyOrders(func(v ...any) error {
			orders = append(orders, v[:10])
			holdings = append(holdings, []any{v[10], v[1], v[2], 0, 0, 0, 0, 1, v[11]})
			return nil
		}))
		copyRows(b, db, "holdings", []string{"id", "customer_id", "product_id", "units", "cost", "income", "accrued", "version", "body"},
			func(yield func(...any) error) error {
				for _, r := range holdings {
					if err := yield(r...); err != nil {
						return err
					}
				}
				return nil
			})
		copyRows(b, db, "orders", []string{"id", "customer_id", "product_id", "key", "kind", "status", "trade", "hold_released", "has_hold", "body"},
			func(yield func(...any) error) error {
				for _, r := range orders {
					if err := yield(r...); err != nil {
						return err
					}
				}
				return nil
			})
		orders, holdings = nil, nil
		_, err = svc.PublishNAV(ctx, wealth.NAVRequest{ProductID: p.ID, Date: trade, Value: decimal.RequireFromString("1.0250"), PublishedBy: "bench"})
		require.NoError(b, err)
		before := heapMB()
		b.StartTimer()
		start := time.Now()
		sum, err := svc.EndOfDay(ctx, trade)
		elapsed := time.Since(start)
		b.StopTimer()
		require.NoError(b, err)
		require.Equal(b, n, sum.Confirmed)
		b.ReportMetric(elapsed.Seconds(), "s/run")
		b.ReportMetric(float64(n)/elapsed.Seconds(), "orders/s")
		fmt.Printf("confirmed %d in %.1f s (%.0f orders/s), fake ledger; load average %s\n", n, elapsed.Seconds(), float64(n)/elapsed.Seconds(), loadAverage())
		b.ReportMetric(heapMB()-before, "heap-growth-MB")
		r, err := svc.Reconcile(ctx)
		require.NoError(b, err)
		require.True(b, r.Agrees)
		b.StartTimer()
	}
}

func orderFor(c, product, acct, hold wealth.ID, amount money.Money, trade calendar.Date, i int) wealth.Order {
	z := money.Zero("CNY")
	placed := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	return wealth.Order{ID: wealth.NewID(), CustomerID: c, ProductID: product, Kind: wealth.Subscription, Status: wealth.OrderPending,
		Account: acct, Amount: amount, Units: decimal.Zero, Key: "k" + strconv.Itoa(i), HoldID: hold, PlacedAt: placed, Trade: trade,
		CancelBy: placed.Add(6 * time.Hour), NAV: decimal.Zero, Net: z, Fee: z, Refund: z, Gross: z, Proceeds: z, Cost: z, UpdatedAt: placed, Version: 1}
}

// BenchmarkDailyIncome credits one day's income to N cash-management
// holdings (default 10,000; the figure in docs/performance.md is for
// BANKKIT_WEALTH_BENCH_HOLDINGS=1000000), loaded with COPY, in pages of
// 5,000 holdings per statement, and posts the day's total.
func BenchmarkDailyIncome(b *testing.B) {
	n := benchN("BANKKIT_WEALTH_BENCH_HOLDINGS", 10000)
	ctx := context.Background()
	for b.Loop() {
		b.StopTimer()
		db := newDB(b)
		ledger := wealthtest.NewLedger()
		clock := calendar.NewManualClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
		svc, err := wealth.NewService(pgwealth.New(db), wealth.WithClock(clock), wealth.WithLedger(ledger), wealth.WithEndOfDayPage(5000))
		require.NoError(b, err)
		p, err := svc.CreateProduct(ctx, wealth.ProductSpec{Code: "CASH", Name: "Cash", Issuer: "I", Currency: "CNY", Type: wealth.CashManagement,
			Risk: 1, MinFirst: money.MustParse("1.00", "CNY"), MinAdditional: money.MustParse("1.00", "CNY"), Step: money.MustParse("0.01", "CNY"),
			SettlementDays: 1, IncomeMode: wealth.IncomeReinvest})
		require.NoError(b, err)
		loaded := decimal.Zero
		copyRows(b, db, "holdings", []string{"id", "customer_id", "product_id", "units", "cost", "income", "accrued", "version", "body"},
			func(yield func(...any) error) error {
				for i := 0; i < n; i++ {
					h := wealth.NewHolding(wealth.NewID(), p.ID, "CNY")
					units := decimal.NewFromInt(int64(1000 + i%50000))
					h.Units, h.Cost, h.Version = units, money.Money{Amount: units, Currency: "CNY"}, 1
					loaded = loaded.Add(units)
					hb, _ := json.Marshal(h)
					if err := yield(h.ID, h.CustomerID, p.ID, units.String(), units.String(), 0, 0, 1, string(hb)); err != nil {
						return err
					}
				}
				return nil
			})
		_, err = db.Exec(`ANALYZE wealth.holdings`)
		require.NoError(b, err)
		d := calendar.MustParseDate("2026-03-02")
		_, err = svc.PublishNAV(ctx, wealth.NAVRequest{ProductID: p.ID, Date: d, IncomePer10K: decimal.RequireFromString("0.4567"), PublishedBy: "bench"})
		require.NoError(b, err)
		before := heapMB()
		b.StartTimer()
		start := time.Now()
		sum, err := svc.EndOfDay(ctx, d)
		elapsed := time.Since(start)
		b.StopTimer()
		require.NoError(b, err)
		require.Equal(b, n, sum.IncomeCredited)
		b.ReportMetric(elapsed.Seconds(), "s/run")
		b.ReportMetric(float64(n)/elapsed.Seconds(), "holdings/s")
		fmt.Printf("income of %d holdings in %.1f s (%.0f holdings/s); load average %s\n", n, elapsed.Seconds(), float64(n)/elapsed.Seconds(), loadAverage())
		b.ReportMetric(heapMB()-before, "heap-growth-MB")
		// The holdings were loaded without their subscriptions, so custody
		// holds the day's income alone: the holdings' cost less what was
		// loaded.
		r, err := svc.Reconcile(ctx)
		require.NoError(b, err)
		require.True(b, r.Products[0].HoldingsCost.Amount.Sub(loaded).Equal(r.Products[0].Custody.Amount), "%+v", r.Products)
		b.StartTimer()
	}
}
