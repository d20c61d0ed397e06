package refserver

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/google/uuid"

	"github.com/bankkit/bankkit/channel"
	"github.com/bankkit/bankkit/internal/pgtest"
	"github.com/bankkit/bankkit/money"
	"github.com/bankkit/bankkit/refserver/bank"
)

// BenchmarkTransferLimits measures what online banking's rules add to a
// customer's transfer on PostgreSQL: each op is one plain transfer by the
// customer (the bank's workflow alone) and one limited transfer
// (limitedTransfer: the limit reservation with the payee cap, one
// statement, then the same workflow), interleaved so that both see the same load. It reports
// the mean of each and the ratio limited/plain.
func BenchmarkTransferLimits(b *testing.B) {
	db, url := pgtest.NewWithURL(b)
	_ = db
	cfg := Config{Addr: "127.0.0.1:0", AdminToken: testAdminToken, PIIKeyring: testKeyring, DatabaseURL: url,
		ClearingDir: b.TempDir(), Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), passwordParams: &testPasswordParams}
	srv, err := New(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	tb := &testBank{t: &testing.T{}, srv: srv, h: srv.Handler()}
	teller := testAdminToken
	alice, bob := tb.onboard(teller), tb.onboard(teller)
	a1, b1 := tb.openAccount(teller, alice), tb.openAccount(teller, bob)
	tb.must(201, tb.do("POST", "/v1/deposits", teller, map[string]any{"account_id": a1, "amount": cny("1000000.00")}))

	custCtx := bank.WithCaller(context.Background(), channel.Principal{IdentityID: uuid.Must(uuid.NewV7()),
		SessionID: uuid.Must(uuid.NewV7()), Kind: channel.KindCustomer, CustomerID: alice})
	req := bank.TransferRequest{FromAccountID: a1, ToAccountID: b1, Amount: money.MustParse("1.00", "CNY")}
	var plain, limited time.Duration
	i := 0
	for b.Loop() {
		i++
		key := fmt.Sprintf("bench-%d-%d", b.N, i)
		start := time.Now()
		if _, err := srv.bank.Transfer(bank.WithRequestKey(custCtx, key+"p"), req); err != nil {
			b.Fatal(err)
		}
		mid := time.Now()
		if _, err := srv.limitedTransfer(bank.WithRequestKey(custCtx, key+"l"), transferRequest{TransferRequest: req, Key: key + "l"}); err != nil {
			b.Fatal(err)
		}
		limited += time.Since(mid)
		plain += mid.Sub(start)
	}
	b.ReportMetric(float64(plain.Microseconds())/float64(i), "plain-µs/transfer")
	b.ReportMetric(float64(limited.Microseconds())/float64(i), "limited-µs/transfer")
	b.ReportMetric(float64(limited)/float64(plain), "ratio")
}
