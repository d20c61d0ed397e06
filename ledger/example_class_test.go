package ledger_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
)

// A class I account and a class II account bound to it: the class II
// account sends at most 10,000.00 a day to anyone else, and any amount to
// its bound account; a refusal says how much remains.
func Example_accountClasses() {
	ctx := context.Background()
	svc := newExampleService()
	cny := func(v string) money.Money { return money.MustParse(v, "CNY") }

	one, _ := svc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "cust-alice", Product: ledger.ProductDemand,
		Currency: money.CNY, Class: ledger.ClassI})
	two, _ := svc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "cust-alice", Product: ledger.ProductDemand,
		Currency: money.CNY, Class: ledger.ClassII, BoundAccountIDs: []ledger.ID{one.ID}})
	bob, _ := svc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "cust-bob", Product: ledger.ProductDemand, Currency: money.CNY})
	fmt.Println("class II limits:", two.Limits.DailyOutflow, "a day,", two.Limits.AnnualOutflow, "a year")

	if _, err := svc.Deposit(ctx, ledger.DepositRequest{AccountID: two.ID, Amount: cny("30000.00")}); err != nil {
		panic(err)
	}
	if _, err := svc.Transfer(ctx, ledger.TransferRequest{FromAccountID: two.ID, ToAccountID: bob.ID, Amount: cny("8000.00")}); err != nil {
		panic(err)
	}
	_, err := svc.Transfer(ctx, ledger.TransferRequest{FromAccountID: two.ID, ToAccountID: bob.ID, Amount: cny("2500.00")})
	var limit *ledger.ClassLimitError
	if errors.As(err, &limit) {
		fmt.Println("refused:", limit.Limit, "remaining", limit.Remaining)
	}
	_, err = svc.Transfer(ctx, ledger.TransferRequest{FromAccountID: two.ID, ToAccountID: one.ID, Amount: cny("15000.00")})
	fmt.Println("to the bound class I account:", err)

	_, err = svc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "cust-alice", Product: ledger.ProductDemand,
		Currency: money.CNY, Class: ledger.ClassI})
	fmt.Println("a second class I:", errors.Is(err, ledger.ErrClassOneHeld))
	// Output:
	// class II limits: 10000 a day, 200000 a year
	// refused: daily_outflow remaining 2000.00 CNY
	// to the bound class I account: <nil>
	// a second class I: true
}
