package wealthport_test

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
	"github.com/shopspring/decimal"
	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/internal/pgtest"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/pgledger"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/refserver/wealthport"
	"github.com/bankkit/bankkit/wealth"
	"github.com/bankkit/bankkit/wealth/pgwealth"
)

// confirmBed is N pending subscriptions of 10,000.00 to one product and
// trade date, on PostgreSQL on both sides: each customer's demand account
// holds 10,000.00, all of it held by the order (placed through the
// ledger's API); the orders and empty holdings are loaded with COPY.
type confirmBed struct {
	ctx    context.Context
	db     *sqlx.DB
	url    string
	lsvc   *ledger.Service
	port   *wealthport.Ledger
	svc    *wealth.Service
	store  *pgwealth.Store
	p      wealth.Product
	trade  calendar.Date
	accts  []ledger.ID
	orders int
}

func newConfirmBed(tb testing.TB, n int) *confirmBed {
	ctx := context.Background()
	db, url := pgtest.NewWithURL(tb)
	require.NoError(tb, pgledger.Migrate(ctx, db))
	require.NoError(tb, pgwealth.Migrate(ctx, db))
	clock := calendar.NewManualClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))
	lsvc, err := ledger.NewService(pgledger.New(db), ledger.WithClock(clock))
	require.NoError(tb, err)
	_, err = lsvc.SetupChart(ctx, money.CNY)
	require.NoError(tb, err)
	port := wealthport.New(lsvc)
	store := pgwealth.New(db)
	svc, err := wealth.NewService(store, wealth.WithClock(clock), wealth.WithLedger(port))
	require.NoError(tb, err)
	zero := 0
	p, err := svc.CreateProduct(ctx, wealth.ProductSpec{Code: "BULK", Name: "Bulk", Issuer: "I", Currency: "CNY", Type: wealth.OpenEnded,
		Risk: 1, MinFirst: cny("1000.00"), MinAdditional: cny("100.00"), Step: cny("0.01"),
		SubscriptionFee: decimal.RequireFromString("0.015"), SettlementDays: 1, CoolingOffHours: &zero})
	require.NoError(tb, err)
	b := &confirmBed{ctx: ctx, db: db, url: url, lsvc: lsvc, port: port, svc: svc, store: store, p: p,
		trade: calendar.MustParseDate("2026-03-02"), accts: make([]ledger.ID, n), orders: n}

	rows := seedHolds(tb, ctx, db, lsvc, n, cny("10000.00"))
	placed := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	z := money.Zero("CNY")
	copyRows(tb, db, "holdings", []string{"id", "customer_id", "product_id", "units", "cost", "income", "accrued", "version", "body"}, n, func(i int) []any {
		h := wealth.NewHolding(rows[i].cust, p.ID, "CNY")
		h.Version = 1
		body, _ := json.Marshal(h)
		return []any{h.ID, h.CustomerID, p.ID, 0, 0, 0, 0, 1, string(body)}
	})
	copyRows(tb, db, "orders", []string{"id", "customer_id", "product_id", "key", "kind", "status", "trade", "hold_released", "has_hold", "body"}, n, func(i int) []any {
		o := wealth.Order{ID: wealth.NewID(), CustomerID: rows[i].cust, ProductID: p.ID, Kind: wealth.Subscription, Status: wealth.OrderPending,
			Account: rows[i].acct, Amount: cny("10000.00"), Units: decimal.Zero, Key: "k" + strconv.Itoa(i), HoldID: rows[i].hold, PlacedAt: placed,
			Trade: b.trade, CancelBy: placed, NAV: decimal.Zero, Net: z, Fee: z, Refund: z, Gross: z, Proceeds: z, Cost: z, UpdatedAt: placed, Version: 1}
		body, _ := json.Marshal(o)
		return []any{o.ID, o.CustomerID, p.ID, o.Key, string(o.Kind), string(o.Status), b.trade, false, true, string(body)}
	})
	_, err = db.Exec(`ANALYZE wealth.orders; ANALYZE wealth.holdings`)
	require.NoError(tb, err)
	for i := range rows {
		b.accts[i] = rows[i].acct
	}
	_, err = svc.PublishNAV(ctx, wealth.NAVRequest{ProductID: p.ID, Date: b.trade, Value: decimal.RequireFromString("1.0250"), PublishedBy: "bench"})
	require.NoError(tb, err)
	return b
}

type seeded struct{ cust, acct, hold wealth.ID }

// apiSeedMax is the most accounts seedHolds opens through the ledger's
// API; above it, it clones them in SQL.
const apiSeedMax = 2000

// seedHolds gives n customers a demand account holding amount, all of
// it held. Up to apiSeedMax it goes through the ledger's API (open,
// deposit, hold; four at a time). Above it — the benchmark's 100,000 would
// take the API half an hour on a loaded machine — it does that once and
// clones the account's rows (account, balance, hold) in SQL, the clones'
// money moved onto vault cash's balance so that the trial balance stays
// zero: a seed, not a history (no entry explains the clones' balances).
func seedHolds(tb testing.TB, ctx context.Context, db *sqlx.DB, lsvc *ledger.Service, n int, amount money.Money) []seeded {
	rows := make([]seeded, n)
	one := func(i int) (seeded, ledger.ID, error) {
		c := wealth.NewID()
		a, err := lsvc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: c.String(), Product: ledger.ProductDemand, Currency: amount.Currency})
		if err != nil {
			return seeded{}, ledger.NilID, err
		}
		d, err := lsvc.Deposit(ctx, ledger.DepositRequest{AccountID: a.ID, Amount: amount})
		if err != nil {
			return seeded{}, ledger.NilID, err
		}
		h, err := lsvc.PlaceHold(ctx, ledger.HoldRequest{AccountID: a.ID, Amount: amount, IdempotencyKey: "seed/" + strconv.Itoa(i)})
		return seeded{c, a.ID, h.Hold.ID}, d.Entry.ID, err
	}
	if n <= apiSeedMax {
		var wg sync.WaitGroup
		errs := make(chan error, 4)
		for w := range 4 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < n; i += 4 {
					r, _, err := one(i)
					if err != nil {
						errs <- err
						return
					}
					rows[i] = r
				}
			}()
		}
		wg.Wait()
		close(errs)
		require.NoError(tb, <-errs)
		return rows
	}
	first, deposit, err := one(0)
	require.NoError(tb, err)
	rows[0] = first
	accts, owners, holds := make(pq.StringArray, n-1), make(pq.StringArray, n-1), make(pq.StringArray, n-1)
	for i := 1; i < n; i++ {
		rows[i] = seeded{wealth.NewID(), wealth.NewID(), wealth.NewID()}
		accts[i-1], owners[i-1], holds[i-1] = rows[i].acct.String(), rows[i].cust.String(), rows[i].hold.String()
	}
	tx, err := db.BeginTxx(ctx, nil)
	require.NoError(tb, err)
	defer func() { _ = tx.Rollback() }()
	// Every column copied from the template row, but the ids, the owner,
	// the number and the keys.
	_, err = tx.ExecContext(ctx, `INSERT INTO ledger.accounts
		SELECT (jsonb_populate_record(NULL::ledger.accounts, to_jsonb(a) || jsonb_build_object('id', v.id, 'owner_id', v.owner,
			'number', a.number || '-' || v.n, 'idempotency_key', NULL, 'fingerprint', NULL))).*
		FROM ledger.accounts a, unnest($2::uuid[], $3::text[]) WITH ORDINALITY AS v(id, owner, n) WHERE a.id = $1`, first.acct, accts, owners)
	require.NoError(tb, err)
	_, err = tx.ExecContext(ctx, `INSERT INTO ledger.balances
		SELECT (jsonb_populate_record(NULL::ledger.balances, to_jsonb(b) || jsonb_build_object('account_id', v.id))).*
		FROM ledger.balances b, unnest($2::uuid[]) AS v(id) WHERE b.account_id = $1`, first.acct, accts)
	require.NoError(tb, err)
	_, err = tx.ExecContext(ctx, `INSERT INTO ledger.holds
		SELECT (jsonb_populate_record(NULL::ledger.holds, to_jsonb(h) || jsonb_build_object('id', v.hold, 'account_id', v.acct,
			'idempotency_key', NULL, 'fingerprint', NULL))).*
		FROM ledger.holds h, unnest($2::uuid[], $3::uuid[]) AS v(acct, hold) WHERE h.id = $1`, first.hold, accts, holds)
	require.NoError(tb, err)
	// Vault cash, debited by the template's deposit, is debited by every
	// clone's too.
	res, err := tx.ExecContext(ctx, `UPDATE ledger.balances b SET balance = b.balance + $2::numeric
		WHERE (b.account_id, b.shard) = (SELECT p.account_id, min(bb.shard) FROM ledger.postings p JOIN ledger.balances bb ON bb.account_id = p.account_id
			WHERE p.entry_id = $1 AND p.account_id <> $3 GROUP BY p.account_id)`,
		deposit, amount.Amount.Mul(decimal.NewFromInt(int64(n-1))).String(), first.acct)
	require.NoError(tb, err)
	moved, err := res.RowsAffected()
	require.NoError(tb, err)
	require.EqualValues(tb, 1, moved, "vault cash's balance row")
	require.NoError(tb, tx.Commit())
	_, err = db.ExecContext(ctx, `ANALYZE ledger.accounts; ANALYZE ledger.balances; ANALYZE ledger.holds`)
	require.NoError(tb, err)
	return rows
}

// copyRows loads n rows into the wealth table with COPY, in one
// transaction.
func copyRows(tb testing.TB, db *sqlx.DB, table string, cols []string, n int, row func(int) []any) {
	tx, err := db.Begin()
	require.NoError(tb, err)
	stmt, err := tx.Prepare("COPY " + pgwealth.Schema + "." + table + " (" + strings.Join(cols, ", ") + ") FROM STDIN")
	require.NoError(tb, err)
	for i := range n {
		_, err := stmt.Exec(row(i)...)
		require.NoError(tb, err)
	}
	_, err = stmt.Exec()
	require.NoError(tb, err)
	require.NoError(tb, stmt.Close())
	require.NoError(tb, tx.Commit())
}

// check proves the books after the confirmation: 10,000.00 at 1.5% and
// NAV 1.0250 is 9,852.22 net, 147.78 fee and 9,611.92 units with no
// refund, so every account is empty, custody holds N × 9,852.22, fees
// income N × 147.78, every holding 9,611.92 units, one confirmation
// event per order; the trial balance is zero and wealth reconciles.
func (b *confirmBed) check(tb testing.TB) {
	ctx := b.ctx
	var nonEmpty int
	require.NoError(tb, b.db.Get(&nonEmpty, `SELECT count(*) FROM wealth.holdings WHERE product_id = $1 AND units <> 9611.92`, b.p.ID))
	require.Zero(tb, nonEmpty, "every holding has its units")
	for _, i := range []int{0, len(b.accts) / 2, len(b.accts) - 1} {
		a, err := b.lsvc.Account(ctx, b.accts[i])
		require.NoError(tb, err)
		require.Equal(tb, "0.00", a.Balance.ValueString())
		require.Equal(tb, "0.00", a.Available().ValueString())
	}
	n := decimal.NewFromInt(int64(b.orders))
	custody, err := b.port.ChartBalance(ctx, "CNY", wealth.ChartsOf(b.p.Code).Custody)
	require.NoError(tb, err)
	require.True(tb, custody.Amount.Equal(n.Mul(decimal.RequireFromString("9852.22"))), "custody %s", custody)
	fees, err := b.lsvc.ChartAccount(ctx, "CNY", ledger.CodeFeesIncome)
	require.NoError(tb, err)
	require.True(tb, fees.Balance.Amount.Equal(n.Mul(decimal.RequireFromString("147.78"))), "fees %s", fees.Balance)
	var confirmed, events int
	require.NoError(tb, b.db.Get(&confirmed, `SELECT count(*) FROM wealth.orders WHERE status = 'confirmed'`))
	require.Equal(tb, b.orders, confirmed)
	require.NoError(tb, b.db.Get(&events, `SELECT count(*) FROM wealth.event_outbox WHERE type = $1`, wealth.EventOrderConfirmed))
	require.Equal(tb, b.orders, events)
	tbal, err := b.lsvc.TrialBalance(ctx, "CNY")
	require.NoError(tb, err)
	require.True(tb, tbal.Difference.IsZero())
	r, err := b.svc.Reconcile(ctx)
	require.NoError(tb, err)
	require.True(tb, r.Agrees, "%+v", r)
}

// TestConfirmPagesOnPostgres is the small version of the benchmark: 1,100
// subscriptions (three pages of 500) confirmed on PostgreSQL through the
// real ledger, the books checked, and a second run that finds nothing.
func TestConfirmPagesOnPostgres(t *testing.T) {
	t.Parallel()
	b := newConfirmBed(t, 1100)
	sum, err := b.svc.EndOfDay(b.ctx, b.trade)
	require.NoError(t, err)
	require.Equal(t, 1100, sum.Confirmed)
	require.Zero(t, sum.Failed+sum.Errors)
	b.check(t)
	sum, err = b.svc.EndOfDay(b.ctx, b.trade)
	require.NoError(t, err)
	require.Zero(t, sum.Confirmed)
	b.check(t)
}

// BenchmarkConfirmOnPostgres confirms N subscriptions of one product and
// trade date (BANKKIT_WEALTH_BENCH_ORDERS, default 2,000; the target is
// 100,000 in under 60 s) on PostgreSQL with the real ledger behind the
// port, then runs pgbench's TPC-B (2 clients, 20 s, scale 2) on the same
// server as the reference, and prints both with the load average.
func BenchmarkConfirmOnPostgres(b *testing.B) {
	n := 2000
	if v, err := strconv.Atoi(os.Getenv("BANKKIT_WEALTH_BENCH_ORDERS")); err == nil && v > 0 {
		n = v
	}
	for b.Loop() {
		b.StopTimer()
		bed := newConfirmBed(b, n)
		before := heapMB()
		load0 := loadAverage()
		b.StartTimer()
		start := time.Now()
		sum, err := bed.svc.EndOfDay(bed.ctx, bed.trade)
		elapsed := time.Since(start)
		b.StopTimer()
		require.NoError(b, err)
		require.Equal(b, n, sum.Confirmed)
		growth := heapMB() - before
		bed.check(b)
		tps := pgbenchTPS(b, bed.url)
		b.ReportMetric(elapsed.Seconds(), "s/run")
		b.ReportMetric(float64(n)/elapsed.Seconds(), "orders/s")
		b.ReportMetric(growth, "heap-growth-MB")
		b.ReportMetric(tps, "pgbench-tps")
		fmt.Printf("confirmed %d in %.1f s (%.0f orders/s), heap growth %.1f MB; pgbench TPC-B %.0f tps; load average before %s, after %s\n",
			n, elapsed.Seconds(), float64(n)/elapsed.Seconds(), growth, tps, load0, loadAverage())
		b.StartTimer()
	}
}

func heapMB() float64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return float64(m.HeapInuse) / (1 << 20)
}

func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	return strings.Join(f[:min(3, len(f))], " ")
}

var tpsLine = regexp.MustCompile(`tps = ([0-9.]+)`)

// pgbenchTPS initialises pgbench's tables in the benchmark's own database
// (scale 2) and returns its TPC-B rate with 2 clients over 20 s; 0 when
// pgbench is not installed.
func pgbenchTPS(tb testing.TB, url string) float64 {
	bin, err := exec.LookPath("pgbench")
	if err != nil {
		tb.Log("pgbench not found: no reference figure")
		return 0
	}
	out, err := exec.Command(bin, "-i", "-q", "-s", "2", url).CombinedOutput()
	require.NoError(tb, err, "%s", out)
	out, err = exec.Command(bin, "-n", "-M", "prepared", "-c", "2", "-j", "2", "-T", "20", url).CombinedOutput()
	require.NoError(tb, err, "%s", out)
	m := tpsLine.FindSubmatch(out)
	require.NotNil(tb, m, "%s", out)
	tps, err := strconv.ParseFloat(string(m[1]), 64)
	require.NoError(tb, err)
	return tps
}
