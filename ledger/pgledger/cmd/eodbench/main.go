// Command eodbench times pgledger's end of day on many demand accounts: an
// ordinary accrual day, then a month-end day that also posts every
// account's interest as its own entry.
//
//	go run ./ledger/pgledger/cmd/eodbench -accounts 1000000
//
// It works in its own scratch database (-scratch-db, default
// bankkit_eodbench), which it drops and creates at start. The accounts are
// seeded with set-based SQL straight into the ledger's tables (accounts,
// balance rows, accrual states), which is not measured; the two runs go
// through endofday.Service and the store like any other. After each run it
// prints where the time went, per store method.
//
// Measured on 27 November 2026 on the shared development machine (2 vCPU
// AMD EPYC, PostgreSQL 15.20 on the same host, load average 4 to 7 from
// other work), 1,000,000 accounts, pages of 5000:
//
//	accrual day (30 March):    32.1 s  (31,200 accounts/s)
//	  closing balances 12.5 s, reading states 10.6 s, saving states 14.3 s
//	month-end day (31 March): 2 m 37.8 s (one interest entry per account)
//	  posting entries 96.8 s, closing balances 20.9 s, states 28.7 s
//
// The accrual day meets its 60-second target; the posting day is bound by
// the ledger's posting path (about 10,000 entries a second here).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"
	"github.com/shopspring/decimal"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/internal/pgscratch"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/endofday"
	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/bankkit/bankkit/ledger/pgledger"
	"github.com/bankkit/bankkit/money"
)

func main() {
	dbURL := flag.String("database-url", os.Getenv("BANKKIT_DATABASE_URL"), "PostgreSQL server to create the scratch database on")
	scratch := flag.String("scratch-db", "bankkit_eodbench", "scratch database, dropped and created at start")
	accounts := flag.Int("accounts", 1_000_000, "demand accounts earning interest")
	page := flag.Int("page", 5000, "accounts per end-of-day page")
	flag.Parse()
	if err := run(context.Background(), *dbURL, *scratch, *accounts, *page); err != nil {
		fmt.Fprintln(os.Stderr, "eodbench:", err)
		os.Exit(1)
	}
}

// The accrual day is 30 March 2026; 31 March ends the month.
var (
	accrualDay = calendar.MustDate(2026, time.March, 30)
	monthEnd   = calendar.MustDate(2026, time.March, 31)
)

func run(ctx context.Context, adminURL, scratch string, n, page int) error {
	if adminURL == "" {
		return fmt.Errorf("-database-url (or BANKKIT_DATABASE_URL) is required")
	}
	if n < 1 {
		return fmt.Errorf("-accounts %d: want at least 1", n)
	}
	url, err := pgscratch.Fresh(ctx, adminURL, scratch)
	if err != nil {
		return err
	}
	db, err := sqlx.ConnectContext(ctx, "postgres", url)
	if err != nil {
		return err
	}
	defer db.Close()
	db.SetMaxOpenConns(8)
	db.SetMaxIdleConns(8)
	if err := pgledger.Migrate(ctx, db); err != nil {
		return err
	}
	store := newTimedStore(pgledger.New(db))
	clock := calendar.NewManualClock(time.Date(2026, time.March, 30, 18, 0, 0, 0, time.UTC))
	svc, err := ledger.NewService(store, ledger.WithClock(clock))
	if err != nil {
		return err
	}
	if _, err := svc.SetupChart(ctx, money.CNY); err != nil {
		return err
	}
	eod, err := endofday.NewService(svc, store, endofday.WithPageSize(page), endofday.WithProgress(progress(n)),
		endofday.WithClock(clock))
	if err != nil {
		return err
	}
	err = eod.SetInterestProduct(ctx, "savings", interest.Product{
		Currency: money.CNY, DayCount: money.Act365Fixed, Basis: interest.EndOfDayBalance,
		Credit:      interest.RateSchedule{{Effective: calendar.MustDate(2026, time.January, 1), Rate: interest.Flat(decimal.RequireFromString("0.015"))}},
		Compounding: interest.Monthly, Posting: interest.Monthly,
		WithholdingTax: decimal.RequireFromString("0.2"),
	})
	if err != nil {
		return err
	}

	start := time.Now()
	if err := seed(ctx, db, n); err != nil {
		return fmt.Errorf("seeding: %w", err)
	}
	fmt.Printf("seeded %d accounts in %s\n", n, time.Since(start).Round(time.Millisecond))

	for _, day := range []calendar.Date{accrualDay, monthEnd} {
		clock.Set(time.Date(day.Year, day.Month, day.Day, 18, 0, 0, 0, time.UTC))
		start := time.Now()
		sum, err := eod.Run(ctx, day)
		if err != nil {
			return err
		}
		took := time.Since(start)
		fmt.Printf("%s: %d accounts accrued, %d postings, interest %s, tax %s, %d failures: %s (%.0f accounts/s)\n",
			day, sum.AccountsAccrued, sum.Postings, sum.InterestPosted[money.CNY], sum.TaxWithheld[money.CNY],
			len(sum.Failures), took.Round(time.Millisecond), float64(sum.AccountsAccrued)/took.Seconds())
		store.report()
	}
	return check(ctx, svc, n)
}

// check compares what the runs did with what n accounts of 10,000.00 at
// 1.5% earn in two days: 0.410958904... a day each, 0.82 posted gross.
func check(ctx context.Context, svc *ledger.Service, n int) error {
	payable, err := svc.ChartAccount(ctx, money.CNY, ledger.CodeInterestPayable)
	if err != nil {
		return err
	}
	expense, err := svc.ChartAccount(ctx, money.CNY, ledger.CodeInterestExpense)
	if err != nil {
		return err
	}
	wantExpense := decimal.RequireFromString("10000").Mul(decimal.RequireFromString("0.015")).
		DivRound(decimal.NewFromInt(365), 20).Mul(decimal.NewFromInt(int64(2 * n))).RoundBank(2)
	fmt.Printf("interest expense %s (want %s), interest payable %s (the accounts' carried remainders)\n",
		expense.Balance, wantExpense, payable.Balance)
	return nil
}

func progress(total int) func(endofday.Progress) {
	step := max(total/5, 1)
	next := step
	return func(p endofday.Progress) {
		if p.Step != endofday.StepAccrual {
			if p.Done == 0 {
				fmt.Printf("  %s %s\n", time.Now().Format("15:04:05.000"), p.Step)
			}
			return
		}
		if p.Done >= next || p.Done == 0 {
			fmt.Printf("  %s accrual %d\n", time.Now().Format("15:04:05.000"), p.Done)
			if p.Done >= next {
				next += step
			}
		}
	}
}
