package refserver

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/bankkit/bankkit/internal/pgtest"
	"github.com/bankkit/bankkit/ledger"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/risk/risktest"
)

// BenchmarkScreenedTransferPostgres posts b.N single transfers through
// the ledger, half unscreened (the server without risk) and half screened
// by pgrisk against the published 20-rule, 5-aggregate benchmark set, in
// alternating rounds in the same run on the same database: it reports
// both rates and their ratio (the target is at least 0.70).
//
//	BANKKIT_TEST_DATABASE_URL=... go test ./refserver -run XXX -bench ScreenedTransfer -benchtime 2000x
func BenchmarkScreenedTransferPostgres(b *testing.B) {
	b.Run("durable", func(b *testing.B) { benchScreenedTransfer(b, false) })
	b.Run("relaxed", func(b *testing.B) { benchScreenedTransfer(b, true) })
}

func benchScreenedTransfer(b *testing.B, relaxed bool) {
	_, url := pgtest.NewWithURL(b)
	srv, err := New(context.Background(), Config{Addr: "127.0.0.1:0", AdminToken: testAdminToken, PIIKeyring: testKeyring,
		DatabaseURL: url, ClearingDir: b.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), passwordParams: &testPasswordParams})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()
	if relaxed {
		if err := srv.relaxRiskCommits(); err != nil {
			b.Fatal(err)
		}
	}
	const accounts, workers = 200, 8
	ids := make([]ledger.ID, accounts)
	for i := range ids {
		a, err := srv.ledger.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: fmt.Sprintf("c%d", i), Product: ledger.ProductDemand, Currency: money.CNY})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := srv.ledger.Deposit(ctx, ledger.DepositRequest{AccountID: a.ID, Amount: money.MustParse("1000000.00", "CNY")}); err != nil {
			b.Fatal(err)
		}
		ids[i] = a.ID
	}
	// run posts n transfers from workers goroutines and returns the time
	// it took.
	run := func(n, offset int) time.Duration {
		var wg sync.WaitGroup
		t0 := time.Now()
		for w := range workers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < n; i += workers {
					from, to := ids[(i+offset)%accounts], ids[(i*7+offset+1)%accounts]
					if from == to {
						to = ids[(i*7+offset+2)%accounts]
					}
					if _, err := srv.ledger.Transfer(ctx, ledger.TransferRequest{FromAccountID: from, ToAccountID: to, Amount: money.MustParse("1.00", "CNY")}); err != nil {
						b.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		return time.Since(t0)
	}
	v, err := srv.riskState.svc.CreateDraft(ctx, risktest.BenchDraft(), "bench")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := srv.riskState.svc.Publish(ctx, v.ID, "bench"); err != nil {
		b.Fatal(err)
	}
	svc := srv.riskState.svc
	// Unscreened and screened rounds alternate, so a change of the
	// machine's load during the run falls on both alike. Unscreened is
	// the server without risk (its screener then passes everything).
	const rounds = 4
	per := max(b.N/(2*rounds), workers)
	var plain, screened time.Duration
	b.ResetTimer()
	for r := range rounds {
		srv.riskState.svc = nil
		plain += run(per, 2*r)
		srv.riskState.svc = svc
		screened += run(per, 2*r+1)
	}
	b.StopTimer()
	n := float64(per * rounds)
	b.ReportMetric(n/plain.Seconds(), "unscreened_tps")
	b.ReportMetric(n/screened.Seconds(), "screened_tps")
	b.ReportMetric(plain.Seconds()/screened.Seconds(), "ratio")
}

// BenchmarkRiskObserverPostgres posts b.N single transfers through the
// ledger (unscreened, 8 goroutines), then lets the risk observer evaluate
// their events against the 20-rule, 5-aggregate benchmark set in pages of
// event.PageSize: it reports the posting rate, the evaluation rate, and
// their ratio (above 1: the observer keeps up with the ledger).
//
//	BANKKIT_TEST_DATABASE_URL=... go test ./refserver -run XXX -bench RiskObserver -benchtime 5000x
func BenchmarkRiskObserverPostgres(b *testing.B) {
	_, url := pgtest.NewWithURL(b)
	srv, err := New(context.Background(), Config{Addr: "127.0.0.1:0", AdminToken: testAdminToken, PIIKeyring: testKeyring,
		DatabaseURL: url, ClearingDir: b.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), passwordParams: &testPasswordParams})
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	ctx := context.Background()
	if err := srv.relaxRiskCommits(); err != nil {
		b.Fatal(err)
	}
	const accounts, workers = 200, 8
	ids := make([]ledger.ID, accounts)
	for i := range ids {
		a, err := srv.ledger.OpenAccount(ctx, ledger.OpenAccountRequest{OwnerID: fmt.Sprintf("c%d", i), Product: ledger.ProductDemand, Currency: money.CNY})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := srv.ledger.Deposit(ctx, ledger.DepositRequest{AccountID: a.ID, Amount: money.MustParse("1000000.00", "CNY")}); err != nil {
			b.Fatal(err)
		}
		ids[i] = a.ID
	}
	svc := srv.riskState.svc
	// The set-up's own events pass unevaluated (no rule set yet).
	if _, _, err := srv.deliverToRisk(ctx); err != nil {
		b.Fatal(err)
	}
	srv.riskState.svc = nil // post unscreened
	b.ResetTimer()
	var wg sync.WaitGroup
	t0 := time.Now()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < b.N; i += workers {
				from, to := ids[i%accounts], ids[(i*7+1)%accounts]
				if from == to {
					to = ids[(i*7+2)%accounts]
				}
				if _, err := srv.ledger.Transfer(ctx, ledger.TransferRequest{FromAccountID: from, ToAccountID: to, Amount: money.MustParse("1.00", "CNY")}); err != nil {
					b.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	posting := float64(b.N) / time.Since(t0).Seconds()
	srv.riskState.svc = svc
	v, err := svc.CreateDraft(ctx, risktest.BenchDraft(), "bench")
	if err != nil {
		b.Fatal(err)
	}
	if _, err := svc.Publish(ctx, v.ID, "bench"); err != nil {
		b.Fatal(err)
	}
	t0 = time.Now()
	n, _, err := srv.deliverToRisk(ctx)
	if err != nil {
		b.Fatal(err)
	}
	observing := float64(n) / time.Since(t0).Seconds()
	b.StopTimer()
	if n != b.N {
		b.Fatalf("observed %d of %d transfers", n, b.N)
	}
	b.ReportMetric(posting, "posted/s")
	b.ReportMetric(observing, "observed/s")
	b.ReportMetric(observing/posting, "ratio")
}
