package clearing_test

import (
	"bytes"
	"context"
	"fmt"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/clearing"
	"github.com/bankkit/bankkit/ledger/iso20022"
	"github.com/bankkit/bankkit/ledger/memledger"
	"github.com/bankkit/bankkit/money"
)

// printNetwork stands in for the connection to the clearing house: it
// prints what it is asked to send.
type printNetwork struct{}

func (printNetwork) Send(_ context.Context, m clearing.OutboundMessage) error {
	fmt.Println("sent", m.Kind)
	return nil
}

// newExampleClearing is a ledger and a clearing Service on one in-memory
// store, with a fixed clock and the CNY chart.
func newExampleClearing() (*ledger.Service, *clearing.Service) {
	store := memledger.New()
	clock := calendar.NewManualClock(time.Date(2026, time.March, 2, 9, 0, 0, 0, time.UTC))
	svc, err := ledger.NewService(store, ledger.WithClock(clock))
	if err != nil {
		panic(err)
	}
	if _, err := svc.SetupChart(context.Background(), money.CNY); err != nil {
		panic(err)
	}
	clr, err := clearing.NewService(svc, store, store, printNetwork{},
		clearing.WithBankIdentity("BKKTCNSHXXX", "BKKT0001"), clearing.WithClock(clock))
	if err != nil {
		panic(err)
	}
	return svc, clr
}

func balance(svc *ledger.Service, id ledger.ID) string {
	a, err := svc.Account(context.Background(), id)
	if err != nil {
		panic(err)
	}
	return a.Balance.String()
}

// An outbound transfer to another bank: the customer is debited at once,
// the transfer goes out in a batch (a pacs.008) and settles when the
// clearing house confirms.
func ExampleService_TransferOut() {
	ctx := context.Background()
	svc, clr := newExampleClearing()
	alice, _ := svc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "cust-alice", Product: ledger.ProductDemand, Currency: money.CNY})
	if _, err := svc.Deposit(ctx, ledger.DepositRequest{AccountID: alice.ID, Amount: money.MustParse("1000.00", "CNY")}); err != nil {
		panic(err)
	}
	suspense, _ := svc.ChartAccount(ctx, money.CNY, ledger.CodeClearingSuspense)
	settlement, _ := svc.ChartAccount(ctx, money.CNY, ledger.CodeSettlement)

	t, err := clr.TransferOut(ctx, clearing.TransferOutRequest{
		FromAccountID:  alice.ID,
		To:             clearing.ExternalAccount{BankCode: "0102", AccountNumber: "6222000011112222", Name: "Li Wei"},
		Amount:         money.MustParse("300.00", "CNY"),
		Description:    "rent March",
		IdempotencyKey: "app/transfer/77",
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(t.Status, "alice", balance(svc, alice.ID), "suspense", balance(svc, suspense.ID))

	batch, err := clr.CutBatch(ctx, money.CNY)
	if err != nil {
		panic(err)
	}
	fmt.Println("batch of", len(batch.TransferIDs), "total", batch.Total)
	m, _ := iso20022.ParseCreditTransfer(bytes.NewReader(batch.Message))
	tx := m.Transactions[0]
	fmt.Println("pacs.008:", tx.Amount, "to", tx.Creditor.Name, tx.CreditorAccount.Number(), "at", tx.CreditorAgent.MemberID)

	if _, err := clr.Settle(ctx, batch.ID); err != nil {
		panic(err)
	}
	t, _ = clr.Transfer(ctx, t.ID)
	fmt.Println(t.Status, "suspense", balance(svc, suspense.ID), "settlement", balance(svc, settlement.ID))
	// Output:
	// pending_clearing alice 700.00 CNY suspense -300.00 CNY
	// sent pacs.008
	// batch of 1 total 300.00 CNY
	// pacs.008: 300.00 CNY to Li Wei 6222000011112222 at 0102
	// settled suspense 0.00 CNY settlement -300.00 CNY
}

// Inbound credits from the clearing house: the known account is credited,
// the unknown one goes back in a pacs.004 with reason AC01.
func ExampleService_Receive() {
	ctx := context.Background()
	svc, clr := newExampleClearing()
	bob, _ := svc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "cust-bob", Product: ledger.ProductDemand, Currency: money.CNY})

	credit := func(ref, account, amount string) iso20022.CreditTransfer {
		return iso20022.CreditTransfer{
			EndToEndID: ref, TransactionID: ref, Amount: money.MustParse(amount, "CNY"),
			ChargeBearer: iso20022.ChargesSLEV, Debtor: iso20022.Party{Name: "Zhang San"},
			DebtorAgent: iso20022.Agent{MemberID: "0102"}, CreditorAgent: iso20022.Agent{BIC: "BKKTCNSHXXX"},
			Creditor: iso20022.Party{Name: "Bob"}, CreditorAccount: iso20022.Account{Other: account},
		}
	}
	var msg bytes.Buffer
	err := iso20022.WriteCreditTransfer(&msg, iso20022.CreditTransferBatch{
		Header: iso20022.GroupHeader{
			MessageID: "CH-20260302-0001", CreatedAt: time.Date(2026, time.March, 2, 8, 0, 0, 0, time.UTC),
			NumberOfTransactions: 2, TotalAmount: money.MustParse("550.00", "CNY"),
			SettlementDate: calendar.MustParseDate("2026-03-02"), SettlementMethod: iso20022.SettlementClearing,
		},
		Transactions: []iso20022.CreditTransfer{
			credit("INV-1", bob.Number, "500.00"),
			credit("INV-2", "6200000000000000", "50.00"),
		},
	})
	if err != nil {
		panic(err)
	}
	r, err := clr.Receive(ctx, msg.Bytes())
	if err != nil {
		panic(err)
	}
	for _, it := range r.Credited {
		fmt.Println("credited", it.EndToEndID, it.Amount)
	}
	for _, it := range r.Returned {
		fmt.Println("returned", it.EndToEndID, it.Amount, it.Reason)
	}
	fmt.Println("bob", balance(svc, bob.ID))
	again, _ := clr.Receive(ctx, msg.Bytes())
	fmt.Println("second upload replayed:", again.Replayed, "bob", balance(svc, bob.ID))
	// Output:
	// sent pacs.004
	// credited INV-1 500.00 CNY
	// returned INV-2 50.00 CNY AC01
	// bob 500.00 CNY
	// second upload replayed: true bob 500.00 CNY
}

// Reconcile the nostro account with a CSV statement: the payment matches
// by its reference, the bank's charges are a break, resolved by an
// authorised adjustment.
func ExampleService_ImportCSV() {
	ctx := context.Background()
	svc, clr := newExampleClearing()
	nostro, _ := svc.ChartAccount(ctx, money.CNY, ledger.CodeSettlement)
	equity, _ := svc.ChartAccount(ctx, money.CNY, ledger.CodeEquity)
	_, err := svc.PostEntry(ctx, ledger.JournalRequest{
		Postings: []ledger.Posting{
			{AccountID: nostro.ID, Side: ledger.Debit, Amount: money.MustParse("1250.00", "CNY")},
			{AccountID: equity.ID, Side: ledger.Credit, Amount: money.MustParse("1250.00", "CNY")},
		},
		Metadata: map[string]string{"end_to_end_id": "INV-2026-114"},
	})
	if err != nil {
		panic(err)
	}
	statement := []byte(`value_date,amount,currency,direction,reference,description
2026-03-02,1250.00,CNY,C,INV-2026-114,"Invoice 114"
2026-03-02,8.00,CNY,D,,charges
`)
	r, err := clr.ImportCSV(ctx, nostro.ID, "nostro-2026-03-02", statement, false)
	if err != nil {
		panic(err)
	}
	for _, m := range r.Matches {
		fmt.Println("matched by", m.Kind, m.Amount)
	}
	for _, b := range r.UnmatchedStatement {
		fmt.Println("break on the statement", b.Amount)
		resolved, err := clr.ResolveBreak(ctx, clearing.ResolveBreakRequest{BreakID: b.ID, Approver: "ops-lead", Description: "bank charges"})
		if err != nil {
			panic(err)
		}
		fmt.Println(resolved.Status, "by", resolved.ResolvedBy)
	}
	fmt.Println("nostro", balance(svc, nostro.ID))
	// Output:
	// matched by reference 1250.00 CNY
	// break on the statement -8.00 CNY
	// resolved by ops-lead
	// nostro 1242.00 CNY
}
