package pgcredit_test

import (
	"context"
	"slices"
	"sync"
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

// BenchmarkApplicationToDecision submits and scores applications from 8
// clients at once (GOMAXPROCS × parallelism goroutines): eligibility
// through the customers port, the bureau fake, behavioural features, the
// default scorecard and pricing, each application and its score stored on
// PostgreSQL with their events. Reports the p50 and p99 latency of the
// whole (submit + score). Target: p99 under 50 ms at 8 clients.
func BenchmarkApplicationToDecision(b *testing.B) {
	ctx := context.Background()
	db := pgtest.New(b)
	if err := pgcredit.Migrate(ctx, db); err != nil {
		b.Fatal(err)
	}
	customers, bureau, behaviour := &credittest.Customers{}, &credittest.Bureau{}, &credittest.Behaviour{}
	svc, err := credit.NewService(pgcredit.New(db), credit.WithCustomers(customers), credit.WithBureau(bureau),
		credit.WithBehaviour(behaviour), credit.WithClock(calendar.NewManualClock(time.Date(2026, 3, 2, 10, 0, 0, 0, time.UTC))))
	if err != nil {
		b.Fatal(err)
	}
	p, err := svc.CreateProduct(ctx, credittest.Product("BENCH"))
	if err != nil {
		b.Fatal(err)
	}
	var mu sync.Mutex
	var lat []time.Duration
	b.SetParallelism(4)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		var mine []time.Duration
		for pb.Next() {
			c := credit.NewID()
			customers.Set(c, credit.CustomerFacts{KYCVerified: true, DateOfBirth: calendar.MustParseDate("1986-05-20")})
			bureau.Set(c, credit.BureauReport{Score: 700, Enquiries6M: 2, RevolvingUtilisation: decimal.RequireFromString("0.4")})
			behaviour.Set(c, credit.Features{AverageBalance: decimal.NewFromInt(20000), SalaryRegularity: decimal.NewFromInt(1), MonthsAsCustomer: 30})
			start := time.Now()
			a, err := svc.Submit(ctx, credit.NewApplication{CustomerID: c, ProductID: p.ID, Amount: money.MustParse("80000.00", "CNY"),
				Term: 24, Purpose: credit.PurposeCar, MonthlyIncome: money.MustParse("20000.00", "CNY"),
				MonthlyDebt: money.MustParse("1000.00", "CNY"), Maker: "bench"})
			if err != nil {
				b.Error(err)
				return
			}
			if _, err := svc.Score(ctx, a.ID); err != nil {
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
