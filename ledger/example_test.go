package ledger_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/event"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/memledger"
	"github.com/bankkit/bankkit/money"
)

// newExampleService is a ledger on the in-memory store with a fixed clock
// and the CNY chart of internal accounts.
func newExampleService() *ledger.Service {
	clock := calendar.NewManualClock(time.Date(2026, time.March, 2, 9, 0, 0, 0, time.UTC))
	svc, err := ledger.NewService(memledger.New(), ledger.WithClock(clock))
	if err != nil {
		panic(err)
	}
	if _, err := svc.SetupChart(context.Background(), money.CNY); err != nil {
		panic(err)
	}
	return svc
}

// Open two accounts, pay cash into one, transfer part of it and print a
// statement with running balances.
func Example() {
	ctx := context.Background()
	svc := newExampleService()

	alice, _ := svc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "cust-alice", Product: ledger.ProductDemand, Currency: money.CNY})
	bob, _ := svc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "cust-bob", Product: ledger.ProductDemand, Currency: money.CNY})

	_, err := svc.Deposit(ctx, ledger.DepositRequest{AccountID: alice.ID, Amount: money.MustParse("500.00", "CNY"),
		Description: "cash at branch", IdempotencyKey: "teller-7/0001"})
	if err != nil {
		panic(err)
	}
	_, err = svc.Transfer(ctx, ledger.TransferRequest{FromAccountID: alice.ID, ToAccountID: bob.ID,
		Amount: money.MustParse("120.50", "CNY"), Description: "dinner", IdempotencyKey: "app/42"})
	if err != nil {
		panic(err)
	}
	_, err = svc.Withdraw(ctx, ledger.WithdrawalRequest{AccountID: alice.ID, Amount: money.MustParse("400.00", "CNY")})
	fmt.Println("withdraw 400.00 refused:", errors.Is(err, ledger.ErrInsufficientFunds))

	today, _ := svc.BusinessDate(ctx)
	st, _ := svc.Statement(ctx, alice.ID, today, today)
	fmt.Println("opening", st.Opening)
	for _, l := range st.Lines {
		fmt.Printf("%s %-10s %8s  balance %s\n", l.ValueDate, l.Kind, l.Amount.ValueString(), l.BalanceAfter.ValueString())
	}
	b, _ := svc.Account(ctx, bob.ID)
	fmt.Println("bob", b.Balance)
	tb, _ := svc.TrialBalance(ctx, money.CNY)
	fmt.Println("trial balance: debits", tb.Debits, "credits", tb.Credits)
	// Output:
	// withdraw 400.00 refused: true
	// opening 0.00 CNY
	// 2026-03-02 deposit      500.00  balance 500.00
	// 2026-03-02 transfer    -120.50  balance 379.50
	// bob 120.50 CNY
	// trial balance: debits 500.00 CNY credits 500.00 CNY
}

// A card payment: the hold reserves the amount at authorisation, the
// capture settles what the merchant finally charges and releases the rest.
func ExampleService_CaptureHold() {
	ctx := context.Background()
	svc := newExampleService()
	card, _ := svc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "cust-alice", Product: ledger.ProductDemand, Currency: money.CNY})
	hotel, _ := svc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "merchant-hotel", Product: ledger.ProductDemand, Currency: money.CNY})
	_, _ = svc.Deposit(ctx, ledger.DepositRequest{AccountID: card.ID, Amount: money.MustParse("1000.00", "CNY")})

	h, _ := svc.PlaceHold(ctx, ledger.HoldRequest{AccountID: card.ID, Amount: money.MustParse("800.00", "CNY"), Description: "hotel deposit"})
	a, _ := svc.Account(ctx, card.ID)
	fmt.Println("after hold: balance", a.Balance, "available", a.Available())

	_, err := svc.CaptureHold(ctx, ledger.CaptureRequest{HoldID: h.Hold.ID, ToAccountID: hotel.ID, Amount: money.MustParse("650.00", "CNY")})
	if err != nil {
		panic(err)
	}
	a, _ = svc.Account(ctx, card.ID)
	fmt.Println("after capture: balance", a.Balance, "available", a.Available())
	done, _ := svc.Hold(ctx, h.Hold.ID)
	fmt.Println("hold", done.Status, "captured", done.Captured)
	// Output:
	// after hold: balance 1000.00 CNY available 200.00 CNY
	// after capture: balance 350.00 CNY available 350.00 CNY
	// hold captured captured 650.00 CNY
}

// A mistaken transfer is corrected by its reversal: a new entry with the
// opposite postings, linked to the original. An entry is reversed once.
func ExampleService_Reverse() {
	ctx := context.Background()
	svc := newExampleService()
	alice, _ := svc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "cust-alice", Product: ledger.ProductDemand, Currency: money.CNY})
	bob, _ := svc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "cust-bob", Product: ledger.ProductDemand, Currency: money.CNY})
	_, _ = svc.Deposit(ctx, ledger.DepositRequest{AccountID: alice.ID, Amount: money.MustParse("100.00", "CNY")})
	wrong, _ := svc.Transfer(ctx, ledger.TransferRequest{FromAccountID: alice.ID, ToAccountID: bob.ID, Amount: money.MustParse("90.00", "CNY")})

	rev, err := svc.Reverse(ctx, ledger.ReversalRequest{EntryID: wrong.Entry.ID, Description: "sent to the wrong payee"})
	if err != nil {
		panic(err)
	}
	for _, p := range rev.Entry.Postings {
		owner := "alice"
		if p.AccountID == bob.ID {
			owner = "bob"
		}
		fmt.Println(p.Side, owner, p.Amount)
	}
	original, _ := svc.Entry(ctx, wrong.Entry.ID)
	fmt.Println("linked:", original.ReversedBy == rev.Entry.ID)
	_, err = svc.Reverse(ctx, ledger.ReversalRequest{EntryID: wrong.Entry.ID})
	fmt.Println("again:", errors.Is(err, ledger.ErrAlreadyReversed))
	a, _ := svc.Account(ctx, alice.ID)
	fmt.Println("alice", a.Balance)
	// Output:
	// credit alice 90.00 CNY
	// debit bob 90.00 CNY
	// linked: true
	// again: true
	// alice 100.00 CNY
}

// Subscribers receive an event for every posted entry, at least once, in
// posting order; the store remembers how far each one got. The payload is
// the entry's EntryPosted, without its description or metadata. Accounts
// and holds have events of their own (ledger.account_opened, ...), in
// the same order as the changes.
func ExampleService_Events() {
	ctx := context.Background()
	svc := newExampleService()
	alice, _ := svc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "cust-alice", Product: ledger.ProductDemand, Currency: money.CNY})
	_ = svc.Events().Subscribe(ctx, "risk", func(_ context.Context, e event.Envelope) error {
		if e.Type == ledger.EventAccountOpened {
			var a ledger.AccountEvent
			if err := json.Unmarshal(e.Payload, &a); err != nil {
				return err
			}
			if a.OwnerID != "" { // not the bank's own accounts
				fmt.Println(e.Sequence, e.Type, a.Product, a.Currency, a.AccountID == alice.ID)
			}
			return nil
		}
		var p ledger.EntryPosted
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return err
		}
		fmt.Println(e.Sequence, e.Type, p.Kind, p.Postings[0].Amount, e.ID == p.EntryID)
		return nil
	})
	_, _ = svc.Deposit(ctx, ledger.DepositRequest{AccountID: alice.ID, Amount: money.MustParse("10.00", "CNY")})
	_, _ = svc.Withdraw(ctx, ledger.WithdrawalRequest{AccountID: alice.ID, Amount: money.MustParse("4.00", "CNY")})
	n, err := svc.Events().Deliver(ctx)
	fmt.Println("delivered", n, err)
	// Output:
	// 11 ledger.account_opened demand CNY true
	// 12 ledger.entry_posted deposit 10.00 CNY true
	// 13 ledger.entry_posted withdrawal 4.00 CNY true
	// delivered 13 <nil>
}

// Account numbers carry a Luhn check digit, so a mistyped digit is caught
// before any look-up.
func ExampleValidateAccountNumber() {
	fmt.Println(ledger.ValidateAccountNumber("6200000000000013"))
	fmt.Println(ledger.ValidateAccountNumber("6200000000000014"))
	// Output:
	// <nil>
	// ledger: invalid number: check digit does not match
}

// Read an account's history newest first, a page at a time, as an app's
// transaction list does: each page starts after the last line of the one
// before, and every line carries the balance after it.
func ExampleService_History() {
	ctx := context.Background()
	svc := newExampleService()
	acct, _ := svc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "cust-alice", Product: ledger.ProductDemand, Currency: money.CNY})
	for _, amount := range []string{"100.00", "20.00", "3.00", "0.40", "0.05"} {
		if _, err := svc.Deposit(ctx, ledger.DepositRequest{AccountID: acct.ID, Amount: money.MustParse(amount, "CNY")}); err != nil {
			panic(err)
		}
	}
	today, _ := svc.BusinessDate(ctx)
	q := ledger.HistoryQuery{AccountID: acct.ID, From: today.AddDays(-90), To: today, Limit: 2}
	for page := 1; ; page++ {
		lines, err := svc.History(ctx, q)
		if err != nil {
			panic(err)
		}
		if len(lines) == 0 {
			break
		}
		for _, l := range lines {
			fmt.Printf("page %d: %6s  balance %s\n", page, l.Amount.ValueString(), l.BalanceAfter.ValueString())
		}
		q.Before = lines[len(lines)-1].EntryID
	}
	// Output:
	// page 1:   0.05  balance 123.45
	// page 1:   0.40  balance 123.40
	// page 2:   3.00  balance 123.00
	// page 2:  20.00  balance 120.00
	// page 3: 100.00  balance 100.00
}
