package refserver

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/bankkit/bankkit/internal/pgtest"
)

// BenchmarkAccountRead reads an account over HTTP as a teller (a staff
// request: audited, one append to the trail) and as its owner (a customer:
// not audited); the difference is about what the audit append costs a
// staff request.
func BenchmarkAccountRead(b *testing.B) {
	for _, storage := range []string{"memory", "postgres", "postgres-audit-async-commit"} {
		b.Run(storage, func(b *testing.B) {
			cfg := Config{Addr: "127.0.0.1:0", AdminToken: testAdminToken, PIIKeyring: testKeyring,
				Logger: slog.New(slog.NewTextHandler(io.Discard, nil)), passwordParams: &testPasswordParams,
				AuditAsyncCommit: storage == "postgres-audit-async-commit"}
			if storage != "memory" {
				_, cfg.DatabaseURL = pgtest.NewWithURL(b)
				cfg.ClearingDir = b.TempDir()
			}
			srv, err := New(context.Background(), cfg)
			if err != nil {
				b.Fatal(err)
			}
			b.Cleanup(func() { srv.Close() })
			h := srv.Handler()
			do := func(method, path, token string, body any, want int) map[string]any {
				j, _ := json.Marshal(body)
				req := httptest.NewRequest(method, path, bytes.NewReader(j))
				req.Header.Set("Content-Type", "application/json")
				req.Header.Set("Authorization", "Bearer "+token)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != want {
					b.Fatalf("%s %s: %d %s", method, path, rec.Code, rec.Body.String())
				}
				var out map[string]any
				_ = json.Unmarshal(rec.Body.Bytes(), &out)
				return out
			}
			do("POST", "/v1/staff", testAdminToken, map[string]any{"username": "benchteller", "password": "correct horse battery", "roles": []string{"teller"}}, 201)
			teller := do("POST", "/v1/auth/token", "", map[string]any{"username": "benchteller", "password": "correct horse battery"}, 200)["token"].(string)
			cust := do("POST", "/v1/customers", teller, customerBody(), 201)["id"].(string)
			do("POST", "/v1/customers/"+cust+"/kyc", teller, map[string]any{"status": "verified", "note": "ok"}, 200)
			acct := do("POST", "/v1/accounts", teller, map[string]any{"customer_id": cust, "product": "demand", "currency": "CNY"}, 201)["id"].(string)
			do("POST", "/v1/customers/"+cust+"/online-banking", teller, map[string]any{"username": "alicebench", "password": "alice's long password"}, 201)
			alice := do("POST", "/v1/auth/token", "", map[string]any{"username": "alicebench", "password": "alice's long password"}, 200)["token"].(string)
			for _, who := range []struct{ name, token string }{{"staff-audited", teller}, {"customer-unaudited", alice}} {
				b.Run(who.name, func(b *testing.B) {
					for b.Loop() {
						req := httptest.NewRequest("GET", "/v1/accounts/"+acct, nil)
						req.Header.Set("Authorization", "Bearer "+who.token)
						rec := httptest.NewRecorder()
						h.ServeHTTP(rec, req)
						if rec.Code != http.StatusOK {
							b.Fatal(rec.Code, rec.Body.String())
						}
					}
				})
			}
		})
	}
}
