package refserver

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bankkit/bankkit/internal/pgtest"
)

// benchClients is how many clients apply at once.
const benchClients = 8

// BenchmarkCreditApplicationToDecision measures, through the server's
// HTTP handler on PostgreSQL, a loan officer's application for a customer
// (POST /v1/credit/applications: eligibility with the customer's KYC
// facts read from the customer subsystem, its date of birth through the
// logged reveal) and its scoring (POST .../score: the fake bureau,
// behavioural features from the customer's demand account in the ledger,
// the default scorecard, pricing, the approval chain started), by 8
// clients at once; each op is the pair, and p50/p99 are of the pair.
//
//	BANKKIT_TEST_DATABASE_URL=... go test -run XXX -bench CreditApplicationToDecision -benchtime 400x ./refserver/
func BenchmarkCreditApplicationToDecision(b *testing.B) {
	_, url := pgtest.NewWithURL(b)
	cfg := Config{Addr: "127.0.0.1:0", AdminToken: testAdminToken, PIIKeyring: testKeyring, DatabaseURL: url, ClearingDir: b.TempDir(),
		Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), passwordParams: &testPasswordParams}
	srv, err := New(context.Background(), cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer srv.Close()
	h := srv.Handler()
	var seq atomic.Int64
	type reply struct {
		code int
		body map[string]any
	}
	call := func(method, path, token string, body any) reply {
		var rd io.Reader
		if body != nil {
			j, _ := json.Marshal(body)
			rd = bytes.NewReader(j)
		}
		req := httptest.NewRequest(method, path, rd)
		req.RemoteAddr = "192.0.2.9:1234"
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		if method == http.MethodPost {
			req.Header.Set("Idempotency-Key", fmt.Sprintf("bench-%d", seq.Add(1)))
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		out := reply{code: rec.Code}
		_ = json.Unmarshal(rec.Body.Bytes(), &out.body)
		return out
	}
	must := func(want int, r reply) map[string]any {
		if r.code != want {
			b.Fatalf("want %d, got %d: %v", want, r.code, r.body)
		}
		return r.body
	}
	login := func(role string) string {
		user := fmt.Sprintf("bench%s%d", role, seq.Add(1))
		must(201, call("POST", "/v1/staff", testAdminToken, map[string]any{"username": user, "password": "a bench password", "roles": []string{role}}))
		return must(200, call("POST", "/v1/auth/token", "", map[string]any{"username": user, "password": "a bench password"}))["token"].(string)
	}
	teller, officer := login("teller"), login("loan_officer")

	// Customers with a salary in a demand account, and enough products
	// that every (customer, product) pair applies once.
	customers := min(b.N, 100)
	ids := make([]string, customers)
	for i := range ids {
		c := must(201, call("POST", "/v1/customers", teller, customerBody()))
		ids[i] = c["id"].(string)
		must(200, call("POST", "/v1/customers/"+ids[i]+"/kyc", teller, map[string]any{"status": "verified", "note": "bench"}))
		a := must(201, call("POST", "/v1/accounts", teller, map[string]any{"customer_id": ids[i], "product": "demand", "currency": "CNY"}))
		must(201, call("POST", "/v1/deposits", teller, map[string]any{"account_id": a["id"], "amount": cny("60000.00"), "description": "salary"}))
	}
	products := make([]string, (b.N+customers-1)/customers)
	for i := range products {
		p := loanProduct(fmt.Sprintf("BENCH-%d", i))
		products[i] = must(201, call("POST", "/v1/credit/products", testAdminToken, p))["id"].(string)
	}

	jobs := make(chan int)
	var mu sync.Mutex
	var lat []time.Duration
	var wg sync.WaitGroup
	b.ResetTimer()
	for range benchClients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var mine []time.Duration
			for i := range jobs {
				body := application(products[i/customers], "30000.00")
				body["customer_id"] = ids[i%customers]
				start := time.Now()
				a := call("POST", "/v1/credit/applications", officer, body)
				if a.code != 201 {
					b.Errorf("apply: %d %v", a.code, a.body)
					continue
				}
				s := call("POST", "/v1/credit/applications/"+a.body["id"].(string)+"/score", officer, nil)
				if s.code != 200 || s.body["status"] != "scored" {
					b.Errorf("score: %d %v", s.code, s.body)
					continue
				}
				mine = append(mine, time.Since(start))
			}
			mu.Lock()
			lat = append(lat, mine...)
			mu.Unlock()
		}()
	}
	for i := range b.N {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	b.StopTimer()
	if len(lat) == 0 {
		return
	}
	slices.Sort(lat)
	q := func(f float64) float64 { return float64(lat[int(f*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(q(0.5), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
}
