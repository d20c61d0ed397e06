// Command ledger-postgres embeds the ledger on your own PostgreSQL: it
// applies the ledger's migrations (schema "ledger") and runs a few postings.
//
//	go run ./examples/ledger-postgres -database-url 'postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable'
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/pgledger"
	"github.com/bankkit/bankkit/money"
)

func main() {
	url := flag.String("database-url", os.Getenv("BANKKIT_DATABASE_URL"), "PostgreSQL URL (env BANKKIT_DATABASE_URL)")
	flag.Parse()
	if *url == "" {
		fmt.Fprintln(os.Stderr, "give -database-url or set BANKKIT_DATABASE_URL")
		os.Exit(2)
	}
	if err := run(context.Background(), *url, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func run(ctx context.Context, url string, out io.Writer) error {
	db, err := sqlx.ConnectContext(ctx, "postgres", url)
	if err != nil {
		return err
	}
	defer db.Close()
	if err := pgledger.Migrate(ctx, db); err != nil {
		return err
	}
	svc, err := ledger.NewService(pgledger.New(db))
	if err != nil {
		return err
	}
	if _, err := svc.SetupChart(ctx, money.CNY); err != nil {
		return err
	}
	acct, err := svc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "customer-carol", Product: ledger.ProductDemand, Currency: money.CNY})
	if err != nil {
		return err
	}
	if _, err := svc.Deposit(ctx, ledger.DepositRequest{AccountID: acct.ID, Amount: money.MustParse("88.80", "CNY"), Description: "opening deposit"}); err != nil {
		return err
	}
	if _, err := svc.Withdraw(ctx, ledger.WithdrawalRequest{AccountID: acct.ID, Amount: money.MustParse("8.80", "CNY"), Description: "ATM"}); err != nil {
		return err
	}
	a, err := svc.Account(ctx, acct.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "account %s balance %s\n", a.Number, a.Balance)
	tb, err := svc.TrialBalance(ctx, money.CNY)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "trial balance difference %s\n", tb.Difference)
	return nil
}
