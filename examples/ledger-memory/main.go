// Command ledger-memory embeds the ledger in a program of its own, on the
// in-memory store: open two accounts, pay cash in, transfer, print the
// statement and the trial balance.
//
//	go run ./examples/ledger-memory
package main

import (
	"context"
	"fmt"
	"io"
	"os"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/memledger"
	"github.com/bankkit/bankkit/money"
)

func main() {
	if err := run(context.Background(), memledger.New(), os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

// run is the whole example; the PostgreSQL example runs the same steps on
// another store.
func run(ctx context.Context, store ledger.Store, out io.Writer) error {
	svc, err := ledger.NewService(store)
	if err != nil {
		return err
	}
	if _, err := svc.SetupChart(ctx, money.CNY); err != nil {
		return err
	}
	alice, err := svc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "customer-alice", Product: ledger.ProductDemand, Currency: money.CNY})
	if err != nil {
		return err
	}
	bob, err := svc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "customer-bob", Product: ledger.ProductDemand, Currency: money.CNY})
	if err != nil {
		return err
	}
	if _, err := svc.Deposit(ctx, ledger.DepositRequest{AccountID: alice.ID, Amount: money.MustParse("1000.00", "CNY"),
		Description: "cash at the branch", IdempotencyKey: "example/deposit"}); err != nil {
		return err
	}
	// The same key again is a replay: nothing is posted twice.
	if r, err := svc.Deposit(ctx, ledger.DepositRequest{AccountID: alice.ID, Amount: money.MustParse("1000.00", "CNY"),
		Description: "cash at the branch", IdempotencyKey: "example/deposit"}); err != nil || !r.Replayed {
		return fmt.Errorf("the retried deposit was not a replay: %v", err)
	}
	if _, err := svc.Transfer(ctx, ledger.TransferRequest{FromAccountID: alice.ID, ToAccountID: bob.ID,
		Amount: money.MustParse("250.50", "CNY"), Description: "rent", IdempotencyKey: "example/rent"}); err != nil {
		return err
	}

	today, err := svc.BusinessDate(ctx)
	if err != nil {
		return err
	}
	st, err := svc.Statement(ctx, alice.ID, today, today)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "statement of %s\n", alice.Number)
	for _, l := range st.Lines {
		fmt.Fprintf(out, "  %-10s %10s  balance %10s  %s\n", l.Kind, l.Amount.ValueString(), l.BalanceAfter.ValueString(), l.Description)
	}
	b, err := svc.Account(ctx, bob.ID)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "bob's balance: %s\n", b.Balance)
	tb, err := svc.TrialBalance(ctx, money.CNY)
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "trial balance: debits %s, credits %s, difference %s\n", tb.Debits, tb.Credits, tb.Difference)
	return nil
}
