package endofday_test

import (
	"context"
	"fmt"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/endofday"
	"github.com/bankkit/bankkit/ledger/interest"
	"github.com/bankkit/bankkit/ledger/memledger"
	"github.com/bankkit/bankkit/money"
	"github.com/shopspring/decimal"
)

// A savings product paying 3.65% a year, accrued every day and posted at
// the end of each month; end of day runs on each business day of March
// 2026, and on the 31st the month's interest is paid in one entry.
func ExampleService_Run() {
	ctx := context.Background()
	clock := calendar.NewManualClock(time.Date(2026, time.March, 2, 9, 0, 0, 0, time.UTC))
	store := memledger.New()
	svc, err := ledger.NewService(store, ledger.WithClock(clock))
	if err != nil {
		panic(err)
	}
	if _, err := svc.SetupChart(ctx, money.CNY); err != nil {
		panic(err)
	}
	weekdays, err := calendar.NewBusinessCalendar() // Saturday and Sunday off
	if err != nil {
		panic(err)
	}
	eod, err := endofday.NewService(svc, store, endofday.WithBusinessCalendar(weekdays), endofday.WithClock(clock))
	if err != nil {
		panic(err)
	}

	err = eod.SetInterestProduct(ctx, "savings", interest.Product{
		Currency: money.CNY, DayCount: money.Act365Fixed, Basis: interest.EndOfDayBalance,
		Credit: interest.RateSchedule{{
			Effective: calendar.MustDate(2026, time.January, 1),
			Rate:      interest.Flat(decimal.RequireFromString("0.0365")),
		}},
		Compounding: interest.Monthly, Posting: interest.Monthly,
	})
	if err != nil {
		panic(err)
	}
	alice, _ := svc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "cust-alice", Product: ledger.ProductDemand, Currency: money.CNY})
	if _, err := svc.Deposit(ctx, ledger.DepositRequest{AccountID: alice.ID, Amount: money.MustParse("1000.00", "CNY")}); err != nil {
		panic(err)
	}
	if _, err := eod.AssignInterestProduct(ctx, alice.ID, "savings"); err != nil {
		panic(err)
	}

	for {
		today, _ := svc.BusinessDate(ctx)
		if today.Month != time.March {
			break
		}
		sum, err := eod.Run(ctx, today)
		if err != nil {
			panic(err)
		}
		if sum.Postings > 0 {
			fmt.Printf("%s: interest posted %s\n", sum.Date, sum.InterestPosted[money.CNY])
		}
	}
	a, _ := svc.Account(ctx, alice.ID)
	fmt.Println("balance:", a.Balance)
	// Output:
	// 2026-03-31: interest posted 3.00 CNY
	// balance: 1003.00 CNY
}

// A 12-month time deposit funded from a demand account at the product's
// rate of the day; the instruction says what happens at maturity.
func ExampleService_OpenTimeDeposit() {
	ctx := context.Background()
	clock := calendar.NewManualClock(time.Date(2026, time.March, 2, 9, 0, 0, 0, time.UTC))
	store := memledger.New()
	svc, err := ledger.NewService(store, ledger.WithClock(clock))
	if err != nil {
		panic(err)
	}
	if _, err := svc.SetupChart(ctx, money.CNY); err != nil {
		panic(err)
	}
	eod, err := endofday.NewService(svc, store, endofday.WithClock(clock))
	if err != nil {
		panic(err)
	}
	err = eod.SetInterestProduct(ctx, "term-12m", interest.Product{
		Currency: money.CNY, DayCount: money.Act365Fixed, Basis: interest.EndOfDayBalance,
		Credit: interest.RateSchedule{{
			Effective: calendar.MustDate(2026, time.January, 1),
			Rate:      interest.Flat(decimal.RequireFromString("0.0175")),
		}},
		Compounding: interest.AtMaturity, Posting: interest.AtMaturity,
	})
	if err != nil {
		panic(err)
	}
	demand, _ := svc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "cust-alice", Product: ledger.ProductDemand, Currency: money.CNY})
	if _, err := svc.Deposit(ctx, ledger.DepositRequest{AccountID: demand.ID, Amount: money.MustParse("20000.00", "CNY")}); err != nil {
		panic(err)
	}
	r, err := eod.OpenTimeDeposit(ctx, endofday.OpenTimeDepositRequest{
		DemandAccountID: demand.ID, Principal: money.MustParse("10000.00", "CNY"), TermMonths: 12,
		ProductCode: "term-12m", Instruction: interest.PayOut, IdempotencyKey: "alice-td-1",
	})
	if err != nil {
		panic(err)
	}
	interestDue, _ := r.Deposit.Terms.Interest()
	d, _ := svc.Account(ctx, demand.ID)
	fmt.Println("status:", r.Deposit.Status)
	fmt.Println("rate:", r.Deposit.Terms.Rate, "maturity:", r.Deposit.Terms.Maturity())
	fmt.Println("interest at maturity:", interestDue)
	fmt.Println("demand balance:", d.Balance)
	// Output:
	// status: open
	// rate: 0.0175 maturity: 2027-03-02
	// interest at maturity: 175.00 CNY
	// demand balance: 10000.00 CNY
}
