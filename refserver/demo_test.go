package refserver

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bankkit/bankkit/internal/pgtest"
)

func TestDemoSeedsALivingBankOnce(t *testing.T) {
	for _, storage := range storages {
		t.Run(storage, func(t *testing.T) {
			t.Parallel()
			cfg := Config{Addr: "127.0.0.1:0", AdminToken: testAdminToken, PIIKeyring: testKeyring, Demo: true,
				Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), passwordParams: &testPasswordParams}
			if storage == "postgres" {
				_, cfg.DatabaseURL = pgtest.NewWithURL(t)
				cfg.ClearingDir = t.TempDir()
			}
			srv, err := New(context.Background(), cfg)
			require.NoError(t, err)
			b := &testBank{t: t, srv: srv, h: srv.Handler()}

			login := b.must(200, b.do("POST", "/v1/auth/token", "", map[string]any{"username": "wangfang", "password": DemoPassword}))
			tok, me := login.str("token"), login.str("subject", "id")
			accts := b.must(200, b.do("GET", "/v1/customers/"+me+"/accounts", tok, nil)).body["items"].([]any)
			require.Len(t, accts, 6, "her current and savings accounts, and for each of her two demo loans a demand account and the loan's account")
			current := accts[0].(map[string]any)["id"].(string)
			// Her current account is her class I, her savings account a class
			// II bound to it.
			require.Equal(t, "I", accts[0].(map[string]any)["class"])
			savings := accts[1].(map[string]any)
			require.Equal(t, "II", savings["class"])
			require.Equal(t, []any{current}, savings["bound_account_ids"])
			require.Equal(t, "10000.00", savings["limits"].(map[string]any)["daily_outflow"].(map[string]any)["value"])
			lines := b.must(200, b.do("GET", "/v1/accounts/"+current+"/transactions?limit=500", tok, nil)).body["items"].([]any)
			dates := map[string]bool{}
			for _, l := range lines {
				dates[l.(map[string]any)["value_date"].(string)] = true
			}
			require.GreaterOrEqual(t, len(lines), 16, "four weeks of salaries, savings, cash and dinners")
			require.GreaterOrEqual(t, len(dates), 8, "activity spread over many days")

			// The demo book: a loan in every state credit reaches today.
			book := b.must(200, b.do("GET", "/v1/credit/reports/portfolio", testAdminToken, nil)).body
			buckets := book["by_bucket"].(map[string]any)
			for _, bucket := range []string{"current", "1-30", "31-60", "61-90", "90+"} {
				require.Contains(t, buckets, bucket, "an active demo loan in bucket %s", bucket)
			}
			require.Contains(t, book["by_status"], "closed")
			require.Contains(t, book["by_status"], "written_off", "a loan written off, with a recovery")
			officer := b.staff("loan_officer")
			queue := b.must(200, b.do("GET", "/v1/credit/collections?bucket=61-90", officer, nil)).body["items"].([]any)
			require.Len(t, queue, 1, "the loan 61-90 days past due")
			chased := queue[0].(map[string]any)
			require.Equal(t, "letter", chased["last_action"].(map[string]any)["kind"], "chased: an SMS, a call, a letter")
			require.Equal(t, "visit", chased["next_action"], "the strategy's next step from day 61")
			acts := b.must(200, b.do("GET", "/v1/credit/loans/"+chased["loan_id"].(string)+"/collection-actions", officer, nil)).body["items"].([]any)
			require.Len(t, acts, 3)
			off := b.must(200, b.do("GET", "/v1/credit/loans?status=written_off", officer, nil)).body["items"].([]any)
			require.Len(t, off, 1)
			w := off[0].(map[string]any)["write_off"].(map[string]any)
			require.Equal(t, "500.00", w["recovered"].(map[string]any)["value"])
			require.Equal(t, "15000.00", w["principal"].(map[string]any)["value"], "nothing of it was ever paid")
			require.Contains(t, book["by_classification"], "substandard", "the loan over 90 days past due")
			mine := b.must(200, b.do("GET", "/v1/credit/loans", tok, nil)).body["items"].([]any)
			require.Len(t, mine, 2, "wangfang's current loan and her closed one")

			if storage != "postgres" {
				srv.Close()
				return
			}
			// Starting again on the same database with -demo adds nothing.
			srv.Close()
			again, err := New(context.Background(), cfg)
			require.NoError(t, err)
			defer again.Close()
			b2 := &testBank{t: t, srv: again, h: again.Handler()}
			tok = b2.must(200, b2.do("POST", "/v1/auth/token", "", map[string]any{"username": "wangfang", "password": DemoPassword})).str("token")
			relines := b2.must(200, b2.do("GET", "/v1/accounts/"+current+"/transactions?limit=500", tok, nil)).body["items"].([]any)
			require.Len(t, relines, len(lines))
			require.Len(t, b2.must(200, b2.do("GET", "/v1/credit/loans", tok, nil)).body["items"], 2, "no demo loan twice")
		})
	}
}
