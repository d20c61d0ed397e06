package pgcredit_test

import (
	"context"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/credit"
	"github.com/bankkit/bankkit/credit/pgcredit"
	"github.com/bankkit/bankkit/internal/pgtest"
	"github.com/bankkit/bankkit/money"
)

// benchLedger is a ledger port that takes every entry and holds plenty
// in every account: the benchmark measures credit's side of the end of
// day (the reads, the loans' transactions, the outbox), not the ledger's.
type benchLedger struct{ posted atomic.Int64 }

func (l *benchLedger) OpenLoanAccount(context.Context, credit.LoanAccountRequest) (credit.ID, error) {
	return credit.NewID(), nil
}
func (l *benchLedger) CheckDemandAccount(context.Context, credit.ID, credit.ID, money.Currency) error {
	return nil
}
func (l *benchLedger) Post(_ context.Context, e credit.LedgerEntry) (credit.EntryRef, error) {
	l.posted.Add(1)
	return credit.EntryRef(e.Key), nil
}
func (l *benchLedger) Balance(context.Context, credit.ID) (money.Money, error) {
	return money.MustParse("100000000.00", "CNY"), nil
}

// BenchmarkEndOfDay runs the credit end of day over a book of active
// loans on PostgreSQL (BANKKIT_CREDIT_EOD_LOANS, default 2,000): one loan
// (20,000.00 over 12 months from 2 March 2026) is made through the
// Service and copied in SQL with new ids (the copies share its contract,
// so the bench database drops the one-loan-per-contract constraint).
// "Regular" is 3 March: each loan's interest accrued and standing
// recorded (two write transactions, the ledger entry to the port);
// "DueDate" is 2 April, when every loan's first instalment is debited
// too. Reports loans/s and the largest heap seen, sampled every 100 ms:
// the book is read a page at a time, never whole.
func BenchmarkEndOfDay(b *testing.B) {
	n := 2000
	if v := os.Getenv("BANKKIT_CREDIT_EOD_LOANS"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	workers := 4
	if v := os.Getenv("BANKKIT_CREDIT_EOD_WORKERS"); v != "" {
		var err error
		if workers, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	ctx := context.Background()
	db := pgtest.New(b)
	if err := pgcredit.Migrate(ctx, db); err != nil {
		b.Fatal(err)
	}
	store := pgcredit.New(db)
	_, newLoan := loanBench(b, store)
	id := newLoan()
	if _, err := db.ExecContext(ctx, `ALTER TABLE credit.loans DROP CONSTRAINT loans_contract_key`); err != nil {
		b.Fatal(err)
	}
	for done := 1; done < n; {
		batch := min(50_000, n-done)
		if _, err := db.ExecContext(ctx, `INSERT INTO credit.loans (id, contract_id, customer_id, product_id, status, currency,
			principal, disbursed, outstanding, advance, account, version, body, created_at, updated_at, bucket, days_past_due,
			classification, grade, pd, booked_on, closed_on, written_off_on, as_of, accrual, recognised)
			SELECT x.id, l.contract_id, x.customer_id, l.product_id, l.status, l.currency, l.principal, l.disbursed,
				l.outstanding, l.advance, l.account, l.version,
				jsonb_set(jsonb_set(l.body, '{id}', to_jsonb(x.id::text)), '{customer_id}', to_jsonb(x.customer_id::text)),
				l.created_at, l.updated_at, l.bucket, l.days_past_due, l.classification, l.grade, l.pd, l.booked_on, l.closed_on,
				l.written_off_on, l.as_of, l.accrual, l.recognised
			FROM credit.loans l, (SELECT gen_random_uuid() AS id, gen_random_uuid() AS customer_id FROM generate_series(1, $2)) x
			WHERE l.id = $1`, id, batch); err != nil {
			b.Fatal(err)
		}
		done += batch
	}
	if _, err := db.ExecContext(ctx, `ANALYZE credit.loans`); err != nil {
		b.Fatal(err)
	}
	clock := calendar.NewManualClock(time.Date(2026, 4, 2, 20, 0, 0, 0, time.UTC))
	led := &benchLedger{}
	svc, err := credit.NewService(store, credit.WithClock(clock), credit.WithLedger(led), credit.WithEndOfDayWorkers(workers))
	if err != nil {
		b.Fatal(err)
	}
	for _, day := range []struct{ name, date string }{{"Regular", "2026-03-03"}, {"DueDate", "2026-04-02"}} {
		b.Run(day.name, func(b *testing.B) {
			for range b.N {
				var peak atomic.Uint64
				stop := make(chan struct{})
				var wg sync.WaitGroup
				wg.Add(1)
				go func() {
					defer wg.Done()
					t := time.NewTicker(100 * time.Millisecond)
					defer t.Stop()
					for {
						var ms runtime.MemStats
						runtime.ReadMemStats(&ms)
						if ms.HeapInuse > peak.Load() {
							peak.Store(ms.HeapInuse)
						}
						select {
						case <-stop:
							return
						case <-t.C:
						}
					}
				}()
				start := time.Now()
				r, err := svc.RunEndOfDay(ctx, calendar.MustParseDate(day.date))
				elapsed := time.Since(start)
				close(stop)
				wg.Wait()
				if err != nil {
					b.Fatal(err)
				}
				if r.Processed != n {
					b.Fatalf("processed %d of %d loans", r.Processed, n)
				}
				b.ReportMetric(float64(n)/elapsed.Seconds(), "loans/s")
				b.ReportMetric(float64(peak.Load())/(1<<20), "peak-heap-MB")
				b.ReportMetric(float64(r.Debits), "debits")
			}
		})
	}
}
