package memledger_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/iso20022"
	"github.com/bankkit/bankkit/money"
	"github.com/shopspring/decimal"
)

// BenchmarkImportStatement reconciles a statement of 1000 lines with 1000
// postings on one nostro account over five days: half pair by reference,
// half by amount only. It reports lines reconciled per second.
func BenchmarkImportStatement(b *testing.B) {
	const lines = 1000
	_, svc, clr, _ := newFuzzClearing(b)
	ctx := context.Background()
	nostro, _ := svc.ChartAccount(ctx, money.CNY, ledger.CodeSettlement)
	equity, _ := svc.ChartAccount(ctx, money.CNY, ledger.CodeEquity)
	today, _ := svc.BusinessDate(ctx)
	entries := make([]iso20022.Entry, lines)
	for i := range lines {
		amount := money.Money{Amount: decimal.New(int64(1000+i), -2), Currency: money.CNY}
		vd := today.AddDays(-(i % 5))
		ref := fmt.Sprintf("REF-%d", i)
		meta := map[string]string{}
		if i%2 == 0 {
			meta["end_to_end_id"] = ref
		}
		_, err := svc.PostEntry(ctx, ledger.JournalRequest{Postings: []ledger.Posting{
			{AccountID: nostro.ID, Side: ledger.Debit, Amount: amount},
			{AccountID: equity.ID, Side: ledger.Credit, Amount: amount},
		}, ValueDate: vd, Metadata: meta})
		if err != nil {
			b.Fatal(err)
		}
		entries[i] = iso20022.Entry{Amount: amount, Direction: iso20022.Credit, Status: iso20022.StatusBooked, ValueDate: vd,
			Details: []iso20022.TransactionDetails{{EndToEndID: ref}}}
	}
	b.ResetTimer()
	for b.Loop() {
		r, err := clr.ImportStatement(ctx, ledger.StatementImport{AccountID: nostro.ID, StatementID: "bench", Entries: entries, DryRun: true})
		if err != nil || len(r.Matches) != lines {
			b.Fatalf("%v: %d matches", err, len(r.Matches))
		}
	}
	b.ReportMetric(float64(lines*b.N)/b.Elapsed().Seconds(), "lines/s")
}

// BenchmarkTransferOut measures one outbound transfer: checks, the posting
// and the transfer record.
func BenchmarkTransferOut(b *testing.B) {
	_, svc, clr, _ := newFuzzClearing(b)
	ctx := context.Background()
	a, _ := svc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "o", Product: ledger.ProductDemand, Currency: money.CNY})
	if _, err := svc.Deposit(ctx, ledger.DepositRequest{AccountID: a.ID, Amount: money.MustParse("100000000.00", "CNY")}); err != nil {
		b.Fatal(err)
	}
	req := ledger.TransferOutRequest{FromAccountID: a.ID, Amount: money.MustParse("1.00", "CNY"),
		To: ledger.ExternalAccount{BankCode: "0102", AccountNumber: "6222000011112222", Name: "Li Wei"}}
	for b.Loop() {
		if _, err := clr.TransferOut(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}
