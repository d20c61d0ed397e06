package clearingtest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/bankkit/bankkit/calendar"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/ledger/clearing"
	"github.com/bankkit/bankkit/ledger/iso20022"
	"github.com/bankkit/bankkit/money"
	"github.com/shopspring/decimal"
)

// NewBenchStores is NewStores for benchmarks.
type NewBenchStores func(b *testing.B) (ledger.Store, clearing.Store, clearing.ReconStore)

type discardNetwork struct{}

func (discardNetwork) Send(context.Context, clearing.OutboundMessage) error { return nil }

func newBenchClearing(b *testing.B, newStores NewBenchStores) (*ledger.Service, *clearing.Service) {
	b.Helper()
	store, cstore, recon := newStores(b)
	clock := calendar.NewManualClock(start)
	svc, err := ledger.NewService(store, ledger.WithClock(clock))
	if err != nil {
		b.Fatal(err)
	}
	if _, err := svc.SetupChart(context.Background(), money.CNY); err != nil {
		b.Fatal(err)
	}
	clr, err := clearing.NewService(svc, cstore, recon, discardNetwork{},
		clearing.WithBankIdentity(testBIC, testMemberID), clearing.WithClock(clock))
	if err != nil {
		b.Fatal(err)
	}
	return svc, clr
}

// RunBenchmarks runs the clearing benchmarks on a backend:
//
//	TransferOut        one outbound transfer: checks, posting, record
//	ImportStatement    a dry-run reconciliation of a 1000-line statement
//	                   against 1000 postings over five days, half paired by
//	                   reference and half by amount; reports lines/s
func RunBenchmarks(b *testing.B, newStores NewBenchStores) {
	b.Run("TransferOut", func(b *testing.B) {
		svc, clr := newBenchClearing(b, newStores)
		ctx := context.Background()
		a, err := svc.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: "o", Product: ledger.ProductDemand, Currency: money.CNY})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := svc.Deposit(ctx, ledger.DepositRequest{AccountID: a.ID, Amount: cny("100000000.00")}); err != nil {
			b.Fatal(err)
		}
		req := clearing.TransferOutRequest{FromAccountID: a.ID, Amount: cny("1.00"),
			To: clearing.ExternalAccount{BankCode: "0102", AccountNumber: "6222000011112222", Name: "Li Wei"}}
		for b.Loop() {
			if _, err := clr.TransferOut(ctx, req); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ImportStatement", func(b *testing.B) {
		const lines = 1000
		svc, clr := newBenchClearing(b, newStores)
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
		began := time.Now()
		for b.Loop() {
			r, err := clr.ImportStatement(ctx, clearing.StatementImport{AccountID: nostro.ID, StatementID: "bench", Entries: entries, DryRun: true})
			if err != nil || len(r.Matches) != lines {
				b.Fatalf("%v: %d matches", err, len(r.Matches))
			}
		}
		b.ReportMetric(float64(lines*b.N)/time.Since(began).Seconds(), "lines/s")
	})
}
