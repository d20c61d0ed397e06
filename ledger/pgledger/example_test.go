package pgledger_test

import (
	"context"
	"fmt"
	"log"

	"github.com/jmoiron/sqlx"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/pgledger"
	"github.com/bankkit/bankkit/money"
)

// Wiring a ledger Service to PostgreSQL: migrate once at start, then use
// the Service exactly as with the in-memory store. (Not run by go test: it
// needs a server. The contract suite runs the same calls against one.)
func Example() {
	ctx := context.Background()
	db, err := sqlx.Connect("postgres", "postgres://postgres@127.0.0.1:5432/bank?sslmode=disable")
	if err != nil {
		log.Fatal(err)
	}
	if err := pgledger.Migrate(ctx, db); err != nil {
		log.Fatal(err)
	}
	svc, err := ledger.NewService(pgledger.New(db))
	if err != nil {
		log.Fatal(err)
	}
	if _, err := svc.SetupChart(ctx, money.CNY); err != nil {
		log.Fatal(err)
	}
	acct, err := svc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "cust-1", Product: ledger.ProductDemand, Currency: money.CNY})
	if err != nil {
		log.Fatal(err)
	}
	if _, err := svc.Deposit(ctx, ledger.DepositRequest{AccountID: acct.ID, Amount: money.MustParse("100.00", "CNY"),
		IdempotencyKey: "teller-42/0001"}); err != nil {
		log.Fatal(err)
	}
	acct, err = svc.Account(ctx, acct.ID)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(acct.Balance)
}
