package pgcredit_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/credit/credittest"
	"github.com/bankkit/bankkit/credit/pgcredit"
	"github.com/bankkit/bankkit/internal/pgtest"
	"github.com/bankkit/bankkit/money"
)

// BenchmarkRepayment takes repayments on PostgreSQL from 8 clients, each
// on a loan of its own: the replay check, the operation recorded as
// pending, the entry posted (the fake ledger: credit's side only), the
// loan, the repayment row and its event written. Reports p50 and p99.
func BenchmarkRepayment(b *testing.B) {
	ctx := context.Background()
	db := pgtest.New(b)
	if err := pgcredit.Migrate(ctx, db); err != nil {
		b.Fatal(err)
	}
	svc, newLoan := loanBench(b, pgcredit.New(db))
	var mu sync.Mutex
	var lat []time.Duration
	var n atomic.Int64
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		id := newLoan()
		var mine []time.Duration
		for pb.Next() {
			start := time.Now()
			_, _, err := svc.Repay(ctx, id, credit.RepaymentRequest{Amount: money.MustParse("1.00", "CNY"), Source: credit.FromAccount,
				Channel: credit.ChannelMobile, By: "c", Key: fmt.Sprint(n.Add(1))})
			if err != nil {
				b.Error(err)
				return
			}
			mine = append(mine, time.Since(start))
		}
		mu.Lock()
		lat = append(lat, mine...)
		mu.Unlock()
	})
	b.StopTimer()
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	q := func(f float64) float64 { return float64(lat[int(f*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(q(0.5), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
}

// loanBench is a Service over store with fake ports, and a maker of
// disbursed loans (20,000.00 over 12 months) with a well-funded account.
func loanBench(b testing.TB, store credit.Store) (*credit.Service, func() credit.ID) {
	ctx := context.Background()
	customers, bureau, ledger := &credittest.Customers{}, &credittest.Bureau{}, &credittest.Ledger{}
	svc, err := credit.NewService(store, credit.WithCustomers(customers), credit.WithBureau(bureau),
		credit.WithLedger(ledger), credit.WithClock(calendar.NewManualClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))))
	if err != nil {
		b.Fatal(err)
	}
	p, err := svc.CreateProduct(ctx, credittest.Product("BENCH"))
	if err != nil {
		b.Fatal(err)
	}
	return svc, func() credit.ID {
		c := credit.NewID()
		customers.Set(c, credit.CustomerFacts{KYCVerified: true, DateOfBirth: calendar.MustParseDate("1986-05-20")})
		bureau.Set(c, credit.BureauReport{Score: 720, RevolvingUtilisation: decimal.RequireFromString("0.1")})
		a, err := svc.Submit(ctx, credit.NewApplication{CustomerID: c, ProductID: p.ID, Amount: money.MustParse("20000.00", "CNY"),
			Term: 12, Purpose: credit.PurposeCar, MonthlyIncome: money.MustParse("20000.00", "CNY"),
			MonthlyDebt: money.MustParse("0", "CNY"), Maker: "bench"})
		if err == nil {
			a, err = svc.Score(ctx, a.ID)
		}
		if err == nil {
			_, err = svc.Decide(ctx, a.ID, credit.DecisionRequest{Step: 1, Approver: "officer", Role: "loan_officer", Verdict: credit.Approve})
		}
		var cs []credit.Contract
		if err == nil {
			cs, err = svc.Contracts(ctx, a.ID)
		}
		var l credit.Loan
		if err == nil {
			_, l, err = svc.AcceptContract(ctx, cs[0].ID, credit.AcceptRequest{Version: 1, Channel: credit.ChannelMobile, By: "c",
				DisbursementAccount: ledger.OpenDemand(c, money.MustParse("100000000.00", "CNY"))})
		}
		if err == nil {
			_, err = svc.Disburse(ctx, l.ID, money.Money{})
		}
		if err != nil {
			b.Fatal(err)
		}
		return l.ID
	}
}
